//! A dossier's ASiC-E container (`ghiseu_asic`): every document of the
//! dossier (the cerere and the attachments, the citizen's replies, the
//! drafted responses, the signed documents) and `traseu.json`, the route
//! with its hash chain, listed with their SHA-256 in the manifest that the
//! institution's seal signs. A dossier erased under retention has no files
//! left: its container holds the route alone, which says when it was erased.
//!
//! Documents are stored under their SHA-256, so the manifest is known, and
//! sealed, before any file is read ([`Unsealed`], then [`Unsealed::sealed`]);
//! [`Bundle::send`] then reads the files one at a time and sends them as it
//! goes, so a dossier of any size needs the memory of its largest file. A
//! file whose bytes are not its digest any more is not sent under a seal
//! that vouches for other bytes: the sending stops with an error.

use chrono::{DateTime, NaiveDateTime, Utc};
use ghiseu_asic::{DataObject, Zip};
use ghiseu_core::calendar::local_datetime;
use ghiseu_core::{Dossier, RegistrationNumber, Sha256Digest};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::s3::S3Client;
use serde::Serialize;

use super::ByteSink;

/// Where an object's bytes are.
enum Body {
    /// In the tenant's files, under this key.
    Stored(String),
    /// Made here (the route).
    Inline(Vec<u8>),
}

struct Object {
    name: String,
    sha256: Sha256Digest,
    body: Body,
}

/// A container whose manifest is made and not yet sealed.
pub struct Unsealed {
    number: RegistrationNumber,
    objects: Vec<Object>,
    manifest: Vec<u8>,
    modified: NaiveDateTime,
}

/// A sealed container, ready to send.
pub struct Bundle {
    inner: Unsealed,
    signature: Vec<u8>,
}

/// The route as `traseu.json` holds it.
#[derive(Serialize)]
struct RouteFile<'a> {
    format: &'static str,
    number: String,
    institution: &'a str,
    document_type: &'a str,
    registered_at: String,
    /// How to check `events`.
    hash_chain: &'static str,
    /// The head of the chain (the tracking page shows it too).
    head: String,
    /// When its files and personal data were erased under retention, and
    /// the head of the route before its texts were erased.
    #[serde(skip_serializing_if = "Option::is_none")]
    erased: Option<ErasedFile>,
    events: Vec<ghiseu_core::stored::StoredEvent>,
}

/// A dossier's erasure as `traseu.json` states it.
#[derive(Serialize)]
struct ErasedFile {
    at: String,
    previous_head: String,
    files: u32,
    bytes: u64,
}

const HASH_CHAIN: &str = "Each event's hash is SHA-256(previous hash || canonical bytes of \
                          the event), 32 zero bytes before the first; the canonical bytes are \
                          ghiseu_core::route's version 1 encoding (documented in its source).";

impl Unsealed {
    /// The container of `dossier` (files in `scope`) as it stands at `now`.
    #[must_use]
    pub fn of(dossier: &Dossier, scope: &TenantScope, now: DateTime<Utc>) -> Self {
        let mut objects: Vec<Object> = Vec::new();
        let mut media = Vec::new();
        // Erased under retention, its files are gone: the route alone.
        let kept = if dossier.erasure().is_some() {
            Vec::new()
        } else {
            documents(dossier)
        };
        for document in kept {
            if objects.iter().any(|o| o.sha256 == document.sha256) {
                continue;
            }
            objects.push(Object {
                name: ghiseu_asic::entry_name(objects.len() + 1, document.original_name.as_str()),
                sha256: document.sha256,
                body: Body::Stored(scope.attachment_object(&document.sha256)),
            });
            media.push(document.media_type.mime().to_owned());
        }
        let route = route_json(dossier);
        objects.push(Object {
            name: "traseu.json".to_owned(),
            sha256: Sha256Digest::of(&route),
            body: Body::Inline(route),
        });
        media.push("application/json".to_owned());
        let listed: Vec<DataObject> = objects
            .iter()
            .zip(media)
            .map(|(o, media_type)| DataObject {
                name: o.name.clone(),
                media_type,
                sha256: *o.sha256.as_bytes(),
            })
            .collect();
        Self {
            number: dossier.number().clone(),
            manifest: ghiseu_asic::manifest(&listed),
            objects,
            modified: local_datetime(now),
        }
    }

    /// The manifest's bytes: what the seal signs.
    #[must_use]
    pub fn manifest(&self) -> &[u8] {
        &self.manifest
    }

    /// The container with `signature` (the manifest's `.p7s`).
    #[must_use]
    pub fn sealed(self, signature: Vec<u8>) -> Bundle {
        Bundle {
            inner: self,
            signature,
        }
    }
}

/// Every document of `dossier`, in the order the dossier got them.
fn documents(dossier: &Dossier) -> Vec<&ghiseu_core::Attachment> {
    let mut all: Vec<&ghiseu_core::Attachment> = dossier.attachments().iter().collect();
    for (_, _, files) in dossier.replies() {
        all.extend(files);
    }
    all.extend(dossier.responses());
    all.extend(dossier.signed_documents());
    all
}

fn route_json(dossier: &Dossier) -> Vec<u8> {
    let stored = dossier.to_stored();
    let file = RouteFile {
        format: "ghiseu/route/v1",
        number: dossier.number().to_string(),
        institution: dossier.tenant().as_str(),
        document_type: dossier.document_type().as_str(),
        registered_at: stored.registered_at.clone(),
        hash_chain: HASH_CHAIN,
        head: dossier.route().head_hash_hex(),
        erased: dossier.erasure().map(|e| ErasedFile {
            at: e.at.to_rfc3339(),
            previous_head: e.previous_head.to_hex(),
            files: e.files,
            bytes: e.bytes,
        }),
        events: stored.route,
    };
    let mut bytes = serde_json::to_vec_pretty(&file).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

impl Bundle {
    /// How many documents it holds (the route not counted).
    #[must_use]
    pub fn documents(&self) -> usize {
        self.inner.objects.len() - 1
    }

    /// The name to download it as: `dosar-{number}.asice`, the number's
    /// `/` as `-`.
    #[must_use]
    pub fn file_name(&self) -> String {
        file_name(&self.inner.number)
    }

    /// Sends the container into `sink`, reading each file from `s3` in turn.
    pub async fn send(self, s3: &S3Client, sink: &mut impl ByteSink) -> Result<(), String> {
        let Self { inner, signature } = self;
        let at = inner.modified;
        let mut zip = Zip::new();
        let fail = |e: ghiseu_asic::ZipError| e.to_string();
        sink.send(
            &zip.whole("mimetype", at, ghiseu_asic::MIMETYPE.as_bytes())
                .map_err(fail)?,
        )
        .await?;
        sink.send(
            &zip.whole(ghiseu_asic::MANIFEST, at, &inner.manifest)
                .map_err(fail)?,
        )
        .await?;
        sink.send(
            &zip.whole(ghiseu_asic::SIGNATURE, at, &signature)
                .map_err(fail)?,
        )
        .await?;
        for object in inner.objects {
            match object.body {
                Body::Inline(bytes) => {
                    sink.send(&zip.whole(&object.name, at, &bytes).map_err(fail)?)
                        .await?;
                }
                Body::Stored(key) => {
                    let entry = (key.as_str(), object.name.as_str());
                    super::send_stored(&mut zip, sink, s3, entry, &object.sha256, at).await?;
                }
            }
        }
        sink.send(&zip.finish().map_err(fail)?).await
    }
}

/// `dosar-{number}.asice`, the number's `/` as `-`.
#[must_use]
pub fn file_name(number: &RegistrationNumber) -> String {
    let safe: String = number
        .to_string()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("dosar-{safe}.asice")
}
