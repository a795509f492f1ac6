//! A citizen's own data (GDPR art. 15 and 20): everything the platform
//! holds about an account, as `date-personale.json`, and the files of its
//! dossiers, as one ZIP sent as it is read ([`Export::send`]).
//!
//! What is listed is read first (small records); the files are read from
//! the object store one at a time as they are sent, so the download needs
//! the memory of its largest file. A file whose bytes are not its digest
//! any more stops the sending (the download is cut, never a plausible
//! short file).
//!
//! Left out, and said so in the JSON's `not_included` (worded by the
//! caller): the password's hash and sessions' secrets (secrets, not data
//! about the person), the one-time codes (only a salted hash, gone within
//! minutes), the officials' internal notes and drafts (the institution's
//! working papers) and other people's data. None of them is read here.

use chrono::{DateTime, NaiveDateTime, Utc};
use ghiseu_asic::Zip;
use ghiseu_core::citizen::Account;
use ghiseu_core::payment::{Order, OrderStatus, Purpose};
use ghiseu_core::{Dossier, DossierId, Lang, Sha256Digest, TenantSlug};
use ghiseu_platform::Result;
use ghiseu_platform::keys::{self, TenantScope};
use ghiseu_platform::kv::{self, Store};
use ghiseu_platform::notify::Item;
use ghiseu_platform::repo;
use ghiseu_platform::s3::S3Client;
use serde::Serialize;
use serde_json::{Value, json};

use super::{
    awaiting_request, awaiting_signature, identification, linked_dossiers, orders, signing,
    signing_credential,
};
use crate::archive::{ByteSink, send_stored};

/// The JSON's name in the ZIP.
pub const JSON_NAME: &str = "date-personale.json";

/// One file of a dossier, as the ZIP names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFile {
    /// Its path in the ZIP: `dosare/{number}/{n}-{file name}`.
    pub path: String,
    /// Its key in the object store.
    pub key: String,
    /// Its SHA-256.
    pub sha256: Sha256Digest,
}

/// `date-personale.json`, its parts in the order a reader meets them.
#[derive(Serialize)]
struct Document {
    format: &'static str,
    generated_at: DateTime<Utc>,
    account: Value,
    signature: Value,
    orders: Vec<Value>,
    dossiers: Vec<Value>,
    requests_waiting: Vec<Value>,
    messages: Vec<Value>,
    not_included: Vec<Value>,
}

/// Everything held about an account, ready to send.
pub struct Export {
    json: Vec<u8>,
    files: Vec<ExportFile>,
    modified: NaiveDateTime,
}

impl Export {
    /// Everything the platform holds about `account` at `now`; `left_out`
    /// is the JSON's `not_included`: what is left out (a stable code) and
    /// why, in the citizen's words (the caller's: nothing here writes a
    /// text a user reads).
    pub async fn of(
        store: &Store,
        account: &Account,
        now: DateTime<Utc>,
        left_out: &[(&str, String)],
    ) -> Result<Self> {
        let mut files = Vec::new();
        let mut dossiers = Vec::new();
        for linked in linked_dossiers(store, &account.id).await? {
            let (Ok(slug), Ok(id)) = (
                TenantSlug::parse(&linked.tenant),
                DossierId::parse(&linked.dossier),
            ) else {
                continue;
            };
            let scope = TenantScope::new(&slug);
            let Some(v) = repo::get_dossier(store, &scope, &id).await? else {
                continue;
            };
            dossiers.push(dossier_json(store, &scope, &v.dossier, &mut files).await?);
        }
        let document = Document {
            format: "ghiseu/date-personale/v1",
            generated_at: now,
            account: account_json(account),
            signature: signature_json(store, &account.id).await?,
            orders: orders(store, &account.id)
                .await?
                .iter()
                .map(order_json)
                .collect(),
            dossiers,
            requests_waiting: waiting_json(store, &account.id).await?,
            messages: messages_json(store, account).await?,
            not_included: left_out
                .iter()
                .map(|(what, why)| json!({ "what": what, "why": why }))
                .collect(),
        };
        let mut json = serde_json::to_vec_pretty(&document).unwrap_or_default();
        json.push(b'\n');
        Ok(Self {
            json,
            files,
            modified: ghiseu_core::calendar::local_datetime(now),
        })
    }

    /// The JSON document.
    #[must_use]
    pub fn json(&self) -> &[u8] {
        &self.json
    }

    /// The dossiers' files, in the order they are sent.
    #[must_use]
    pub fn files(&self) -> &[ExportFile] {
        &self.files
    }

    /// Sends the ZIP into `sink`: the JSON first, then each file, read from
    /// `s3` in turn.
    pub async fn send(
        self,
        s3: &S3Client,
        sink: &mut impl ByteSink,
    ) -> std::result::Result<(), String> {
        let at = self.modified;
        let mut zip = Zip::new();
        let fail = |e: ghiseu_asic::ZipError| e.to_string();
        sink.send(&zip.whole(JSON_NAME, at, &self.json).map_err(fail)?)
            .await?;
        for file in self.files {
            let entry = (file.key.as_str(), file.path.as_str());
            send_stored(&mut zip, sink, s3, entry, &file.sha256, at).await?;
        }
        sink.send(&zip.finish().map_err(fail)?).await
    }
}

fn account_json(a: &Account) -> Value {
    json!({
        "id": a.id,
        "name": a.name.as_str(),
        "email": a.email.as_ref().map(|e| e.as_str()),
        "email_verified": a.email_verified,
        "phone": a.phone.as_ref().map(|p| p.as_str()),
        "phone_verified": a.phone_verified,
        "has_password": a.password_hash.is_some(),
        "language": a.lang.code(),
        "created_at": a.created_at,
        "sessions_ended_before": a.sessions_from,
    })
}

async fn signature_json(store: &Store, account_id: &str) -> Result<Value> {
    let identification = identification(store, account_id).await?.map(|i| {
        use ghiseu_core::identity::IdentityStatus;
        let (status, name, failure) = match &i.status {
            IdentityStatus::Pending => ("pending", None, None),
            IdentityStatus::Verified(n) => ("verified", Some(n), None),
            IdentityStatus::Failed(f) => ("failed", None, Some(f.code())),
        };
        json!({
            "id": i.id,
            "status": status,
            "verified_given_name": name.map(|n| n.given_name.clone()),
            "verified_surname": name.map(|n| n.surname.clone()),
            "failure": failure,
            "updated_at": i.updated_at,
        })
    });
    Ok(json!({
        "credential_id": signing_credential(store, account_id).await?,
        "identification": identification,
    }))
}

fn order_json(o: &Order) -> Value {
    let (status, receipt, failure) = match &o.status {
        OrderStatus::Open => ("open", None, None),
        OrderStatus::Paid(r) => (
            "paid",
            Some(json!({
                "number": r.receipt_no,
                "paid_at": r.paid_at,
                "amount_minor": r.amount_minor,
                "currency": r.currency,
            })),
            None,
        ),
        OrderStatus::Failed { reason } => ("failed", None, Some(reason.clone())),
    };
    let purpose = match &o.purpose {
        Purpose::Credential => json!({ "kind": "signature_credential" }),
        Purpose::Fee(f) => json!({
            "kind": "fee",
            "institution": f.tenant.as_str(),
            "document_type": f.document_type.as_str(),
            "request_sha256": f.request.to_hex(),
        }),
    };
    json!({
        "id": o.id,
        "purpose": purpose,
        "amount_minor": o.amount_minor,
        "currency": o.currency,
        "status": status,
        "receipt": receipt,
        "failure": failure,
        "created_at": o.created_at,
    })
}

/// A dossier as the citizen may read it, its files added to `files`.
async fn dossier_json(
    store: &Store,
    scope: &TenantScope,
    d: &Dossier,
    files: &mut Vec<ExportFile>,
) -> Result<Value> {
    let institution = repo::get_tenant(store, d.tenant())
        .await?
        .map(|t| t.name.as_str().to_owned());
    let title =
        repo::document_type_version(store, scope, d.document_type(), d.document_type_version())
            .await?
            .map(|t| t.titles.get(Lang::Ro).as_str().to_owned());
    let folder = format!("dosare/{}", safe(&d.number().to_string()));
    let mut listed = Vec::new();
    // A dossier erased under retention has no files any more, nor names.
    let erased_at = d.erasure().map(|e| e.at);
    let kept = if erased_at.is_some() {
        Vec::new()
    } else {
        documents(d)
    };
    for (kind, doc) in kept {
        if files
            .iter()
            .any(|f| f.sha256 == doc.sha256 && f.path.starts_with(&folder))
        {
            continue;
        }
        let n = files.iter().filter(|f| f.path.starts_with(&folder)).count() + 1;
        let path = format!(
            "{folder}/{}",
            ghiseu_asic::entry_name(n, doc.original_name.as_str())
        );
        listed.push(json!({
            "kind": kind,
            "path": path,
            "name": doc.original_name.as_str(),
            "media_type": doc.media_type.mime(),
            "size": doc.size,
            "sha256": doc.sha256.to_hex(),
        }));
        files.push(ExportFile {
            path,
            key: scope.attachment_object(&doc.sha256),
            sha256: doc.sha256,
        });
    }
    let form: Vec<Value> = d
        .form()
        .pairs()
        .iter()
        .map(|(field, value)| json!({ "field": field.as_str(), "value": value }))
        .collect();
    Ok(json!({
        "institution": { "slug": d.tenant().as_str(), "name": institution },
        "number": d.number().to_string(),
        "document_type": { "code": d.document_type().as_str(), "title": title },
        "channel": d.channel().code(),
        "registered_at": d.registered_at(),
        "status": d.status().code(),
        "deadline": d.deadline(),
        "tracking_token": d.token().to_string(),
        "route_head": d.route().head_hash_hex(),
        "form": form,
        "contact_given": d.to_stored().contact,
        "files": listed,
        "erased_under_retention_at": erased_at,
    }))
}

/// The documents of `d` that are the citizen's to have: what they gave (the
/// cerere and attachments, their replies) and what was issued to them.
fn documents(d: &Dossier) -> Vec<(&'static str, &ghiseu_core::Attachment)> {
    let mut all: Vec<(&'static str, &ghiseu_core::Attachment)> =
        d.attachments().iter().map(|a| ("submitted", a)).collect();
    for (_, _, replies) in d.replies() {
        all.extend(replies.iter().map(|a| ("reply", a)));
    }
    all.extend(d.signed_documents().into_iter().map(|a| ("issued", a)));
    if let Some(doc) = d.issued().and_then(|sha| d.document(sha)) {
        all.push(("issued", doc));
    }
    all
}

/// A registration number as a folder name (its `/` and the like as `-`).
fn safe(number: &str) -> String {
    number
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

async fn waiting_json(store: &Store, account_id: &str) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    for record in awaiting_signature(store, account_id).await? {
        let sha = record.rsplit('/').next().unwrap_or_default();
        let Some(r) = awaiting_request(store, account_id, sha).await? else {
            continue;
        };
        let state = signing(store, account_id, sha)
            .await?
            .map(|(s, _)| match s {
                super::Signing::Prepared { .. } => "code_sent",
                super::Signing::Signed { .. } => "signed_registering",
                super::Signing::Registered { .. } => "registered",
            });
        let form: Vec<Value> = r
            .form
            .iter()
            .map(|(field, value)| json!({ "field": field, "value": value }))
            .collect();
        out.push(json!({
            "institution": r.tenant,
            "document_type": r.document_type,
            "created_at": r.created_at,
            "form": form,
            "fee_minor": r.fee_bani,
            "needs_qualified_signature": r.qualified,
            "cerere_sha256": r.cerere.sha256,
            "files": r.attachments.iter().map(|a| json!({
                "name": a.original_name, "media_type": a.media_type, "size": a.size, "sha256": a.sha256,
            })).collect::<Vec<_>>(),
            "signing": state,
        }));
    }
    Ok(out)
}

/// The messages about the account's dossiers the outbox still holds
/// (`{dossier}-{step}-sms|email`, one pair per route step).
async fn messages_json(store: &Store, account: &Account) -> Result<Vec<Value>> {
    let mut ids = Vec::new();
    for linked in linked_dossiers(store, &account.id).await? {
        let (Ok(slug), Ok(id)) = (
            TenantSlug::parse(&linked.tenant),
            DossierId::parse(&linked.dossier),
        ) else {
            continue;
        };
        let Some(v) = repo::get_dossier(store, &TenantScope::new(&slug), &id).await? else {
            continue;
        };
        for step in 1..=v.dossier.route().len() {
            for channel in ["sms", "email"] {
                ids.push(keys::notify_item(&format!("{id}-{step}-{channel}")));
            }
        }
    }
    let mut out = Vec::new();
    for chunk in ids.chunks(100) {
        for (_, value) in kv::get_many(keys::STORE, chunk)? {
            let Some(item) = value.and_then(|v| serde_json::from_slice::<Item>(&v).ok()) else {
                continue;
            };
            out.push(json!({
                "channel": item.message.channel,
                "to": item.message.to,
                "subject": item.message.subject,
                "text": item.message.text,
                "state": item.state,
            }));
        }
    }
    Ok(out)
}
