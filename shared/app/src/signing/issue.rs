//! Issuing the documents of a signed part: each on its own, so a document
//! changed after selection fails alone and the others are issued.
//!
//! For each document: prepare again (deterministic) and check the digest
//! that was authorized, embed the signature ([`super::finish`], B-T with a
//! timestamp authority), store the signed PDF (these two concurrently for
//! [`PROGRESS_EVERY`] documents at a time), record `signed` + `issued` with
//! a leased replace ([`workflow::sign`]), write the verification record,
//! publish. Then, for those documents at once: the tenant's inbox list, the
//! citizens' messages queued in one write and delivered after the response,
//! and the results saved; [`repair`] finds what a request that died issued
//! since.

use crate::dossiers::{messages_about, publish};
use chrono::{DateTime, Utc};
use ghiseu_core::signing::{Batch, Item, ItemState};
use ghiseu_core::workflow::{self, WorkflowError};
use ghiseu_core::{Actor, Attachment, Dossier, PublicStatus, Sha256Digest, Tenant};
use ghiseu_platform::issued::{self, Issued};
use ghiseu_platform::keys::STORE;
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::notify::{self, Message};
use ghiseu_platform::repo::{self, UpdateOutcome, Versioned};
use ghiseu_platform::s3::S3Client;

use super::service::{Failure, Service, SignError, Signer};
use super::stamp::{self, file_bytes};
use super::stored::save;
use super::{Credential, FinishError, ToSign};
use crate::error::corrupt;

/// Results are saved every this many documents, for the progress shown
/// while a large batch is signed.
pub const PROGRESS_EVERY: usize = 20;

/// How many times a document is decided again when someone acted on its
/// dossier meanwhile.
const ATTEMPTS: usize = 5;

/// One document's end: it fails alone, or the platform failed and the
/// part stops (nothing of this document was acknowledged).
pub(crate) enum ItemError {
    Failed(Failure),
    Stop(crate::Error),
}

impl From<crate::Error> for ItemError {
    fn from(e: crate::Error) -> Self {
        Self::Stop(e)
    }
}

impl From<ghiseu_platform::Error> for ItemError {
    fn from(e: ghiseu_platform::Error) -> Self {
        Self::Stop(e.into())
    }
}

/// A document prepared for its signature: the dossier as read, the response
/// that is signed, and the prepared PDF with the hash the key signs.
pub(crate) struct Ready {
    current: Versioned,
    response: Attachment,
    to_sign: ToSign,
    /// Whether the prepared bytes begin with the response's (the signed
    /// PDF is an incremental update of it).
    starts_with_response: bool,
}

impl Ready {
    /// The digest of the prepared PDF's signed byte ranges.
    pub(crate) fn digest(&self) -> Sha256Digest {
        self.to_sign.digest()
    }

    /// The hash the signing service signs.
    pub(crate) fn hash(&self) -> Sha256Digest {
        self.to_sign.hash()
    }
}

/// Reads `item`'s dossier and response and prepares it for `batch`'s
/// signature (its signing time, its credential): the response must still be
/// the one selected.
pub(crate) async fn prepare(
    service: &Service<'_>,
    scope: &TenantScope,
    batch: &Batch,
    credential: &Credential,
    item: &Item,
) -> Result<Ready, ItemError> {
    let changed = || ItemError::Failed(Failure::Workflow(WorkflowError::ResponseChanged));
    let response = item.response.ok_or_else(changed)?;
    let Some(current) = repo::get_dossier(service.store, scope, &item.dossier).await? else {
        return Err(ItemError::Failed(Failure::DossierGone));
    };
    let Some(r) = current.dossier.document(&response).cloned() else {
        return Err(changed());
    };
    let pdf = file_bytes(&service.out.files, scope, &r).await?;
    let prepared = stamp::prepare(batch, item, &pdf)
        .map_err(|e| ItemError::Failed(Failure::Unpreparable(e.to_string())))?;
    let starts_with_response = prepared.bytes().starts_with(&pdf);
    let to_sign = ToSign::new(prepared, credential.signer())
        .map_err(|e| ItemError::Failed(Failure::Signature(e.to_string())))?;
    Ok(Ready {
        current,
        response: r,
        to_sign,
        starts_with_response,
    })
}

/// What issuing each document of a part needs.
pub(crate) struct Issuing<'a> {
    service: &'a Service<'a>,
    actor: &'a Actor,
    tenant: &'a Tenant,
    batch: &'a Batch,
    scope: TenantScope,
    s3: &'a S3Client,
    credential: Credential,
    now: DateTime<Utc>,
}

impl<'a> Issuing<'a> {
    pub(crate) async fn new(
        service: &'a Service<'a>,
        actor: &'a Actor,
        tenant: &'a Tenant,
        batch: &'a Batch,
        now: DateTime<Utc>,
    ) -> crate::Result<Self> {
        Ok(Self {
            service,
            actor,
            tenant,
            batch,
            scope: TenantScope::new(&actor.tenant),
            s3: &service.out.files,
            credential: stamp::credential(batch)?,
            now,
        })
    }

    fn failed(&self, f: Failure) -> ItemState {
        ItemState::Failed {
            reason: (self.service.words)(&f),
        }
    }

    /// Embeds each signature, stores and issues each document on its own;
    /// the result of every item of `part`.
    ///
    /// [`PROGRESS_EVERY`] documents at a time: their signatures are embedded
    /// and their signed PDFs stored concurrently (the round trips to the
    /// object store, and to the timestamp authority, overlap), then each is
    /// recorded on its dossier in turn; then the tenant's inbox list is
    /// updated once, the citizens' messages queued in one write (delivered
    /// once the response is out) and the results saved.
    pub(crate) async fn complete(
        &self,
        key: &str,
        part: &[(usize, Item)],
        signatures: &[Vec<u8>],
        mut ready: Vec<Option<Ready>>,
    ) -> Result<Vec<(usize, ItemState)>, SignError> {
        ready.resize_with(part.len(), || None);
        // From here on documents may be issued before their results are saved.
        save(key, |b| b.parts_started += 1)?;
        let mut results = Vec::with_capacity(part.len());
        for (n, chunk) in part.chunks(PROGRESS_EVERY).enumerate() {
            let first = n * PROGRESS_EVERY;
            let mut storing = Vec::with_capacity(chunk.len());
            for (i, (_, item)) in chunk.iter().enumerate() {
                let signature = signatures.get(first + i).map_or(&[][..], Vec::as_slice);
                storing.push(self.sign_and_store(item, signature, ready[first + i].take()));
            }
            let stored = futures::future::join_all(storing).await;
            let mut issued: Vec<Dossier> = Vec::new();
            let mut messages = Vec::new();
            let mut stop = None;
            for ((index, item), outcome) in chunk.iter().zip(stored) {
                let outcome = match outcome {
                    Ok(signed) => self.record(item, signed).await,
                    Err(e) => Err(e),
                };
                let state = match outcome {
                    Ok(done) => {
                        messages.push((item.dossier.to_string(), done.messages));
                        issued.push(done.dossier);
                        ItemState::Signed {
                            document: done.document,
                        }
                    }
                    Err(ItemError::Failed(f)) => self.failed(f),
                    Err(ItemError::Stop(e)) => {
                        stop = Some(e);
                        break;
                    }
                };
                results.push((*index, state));
            }
            repo::index_open_many(&self.scope, &issued)?;
            self.queue(messages);
            if let Some(e) = stop {
                return Err(e.into());
            }
            if results.len() < part.len() {
                save(key, |b| b.record(&results))?;
            }
        }
        Ok(results)
    }

    /// One document's signature embedded (`ready`: as prepared by this
    /// request; `None`: prepared again, and it must be the one authorized)
    /// and the signed PDF stored.
    async fn sign_and_store(
        &self,
        item: &Item,
        signature: &[u8],
        ready: Option<Ready>,
    ) -> Result<Stored, ItemError> {
        let changed = || ItemError::Failed(Failure::Workflow(WorkflowError::ResponseChanged));
        let ready = match ready {
            Some(r) => r,
            None => {
                prepare(
                    self.service,
                    &self.scope,
                    self.batch,
                    &self.credential,
                    item,
                )
                .await?
            }
        };
        if Some(ready.digest()) != item.digest {
            return Err(changed());
        }
        let Ready {
            current,
            response,
            to_sign,
            starts_with_response,
        } = ready;
        let (signed_pdf, timestamp) = super::pipeline::finish_timed(
            to_sign,
            signature,
            &self.credential,
            self.service.config,
        )
        .await
        .map_err(|e| {
            ItemError::Failed(match e {
                FinishError::Timestamp(e) => Failure::NoTimestamp(e),
                FinishError::Signature(e) => Failure::Signature(e.to_string()),
            })
        })?;
        let stem = response
            .original_name
            .as_str()
            .trim_end_matches(".pdf")
            .trim_end_matches(".PDF");
        let attachment = super::store_pdf(
            self.s3,
            &self.scope,
            &format!("{stem}-semnat.pdf"),
            "act-semnat.pdf",
            signed_pdf,
        )
        .await?;
        Ok(Stored {
            current,
            response: response.sha256,
            starts_with_response,
            attachment,
            timestamp,
        })
    }

    /// Records `signed` + `issued` on the dossier of a stored document with a
    /// leased replace (deciding again when someone acted on the dossier
    /// meanwhile), then its verification record and public tracking; the
    /// document's digest, the dossier as written (the caller updates the
    /// inbox index for many at once) and the citizen's messages (queued by
    /// the caller for many at once).
    async fn record(&self, item: &Item, stored: Stored) -> Result<Recorded, ItemError> {
        let Stored {
            mut current,
            response,
            starts_with_response,
            attachment,
            timestamp,
        } = stored;
        for _ in 0..ATTEMPTS {
            let events = workflow::sign(
                &current.dossier,
                response,
                attachment.clone(),
                starts_with_response,
                self.actor,
                self.now,
            )
            .map_err(|e| ItemError::Failed(Failure::Workflow(e)))?;
            let mut next: Dossier = current.dossier.clone();
            for e in events {
                next.record(e);
            }
            match repo::update_dossier(&self.scope, &current, &next)? {
                UpdateOutcome::Updated => {
                    let signed_at = timestamp.unwrap_or(self.batch.signing_time);
                    self.issued(item, &attachment.sha256, signed_at, &next)
                        .await?;
                    let before = PublicStatus::from(current.dossier.status());
                    let messages = match &self.service.out.notify {
                        Some(_) => {
                            messages_about(self.service.store, self.tenant, &next, Some(before))
                                .await
                        }
                        None => Vec::new(),
                    };
                    return Ok(Recorded {
                        document: attachment.sha256,
                        dossier: next,
                        messages,
                    });
                }
                UpdateOutcome::Conflict => {
                    // Someone acted on the dossier meanwhile: decide again on
                    // what is stored now (a changed response fails this item
                    // alone).
                    current = repo::get_dossier(self.service.store, &self.scope, &item.dossier)
                        .await?
                        .ok_or(ItemError::Failed(Failure::DossierGone))?;
                }
            }
        }
        Err(ItemError::Failed(Failure::KeptChanging))
    }

    /// After a document's `signed` + `issued` are recorded: its verification
    /// record and the public tracking.
    async fn issued(
        &self,
        item: &Item,
        document: &ghiseu_core::Sha256Digest,
        signed_at: DateTime<Utc>,
        next: &Dossier,
    ) -> crate::Result<()> {
        issued::put(
            self.service.store,
            &item.verify,
            &Issued {
                tenant: self.actor.tenant.to_string(),
                dossier: item.dossier.to_string(),
                number: item.number.clone(),
                document_type: next.document_type().to_string(),
                sha256: document.to_hex(),
                signer: self.batch.signer_name.clone(),
                signed_at,
            },
        )
        .await?;
        publish(self.service.store, self.tenant, next).await
    }

    /// Queues the citizens' `messages` (by dossier) in one write and delivers
    /// them once the response is out; what cannot be queued is logged (the
    /// documents are issued whatever happens to their news), what cannot be
    /// delivered then stays queued for the dispatcher.
    fn queue(&self, messages: Vec<(String, Vec<Message>)>) {
        let Some(gateway) = self.service.out.notify.clone() else {
            return;
        };
        if messages.iter().all(|(_, m)| m.is_empty()) {
            return;
        }
        let now = self.now;
        match notify::enqueue_owned(self.tenant.slug.as_str(), messages, now) {
            Ok(ids) => ghiseu_platform::http::after_response(async move {
                let delivered = match Store::open(STORE).await {
                    Ok(store) => crate::notify::deliver(&store, &gateway, &ids, now).await,
                    Err(e) => Err(e),
                };
                if let Err(e) = delivered {
                    eprintln!("notify: signed documents: {e}");
                }
            }),
            Err(e) => eprintln!("notify: signed documents: {e}"),
        }
    }
}

/// A document whose signed PDF is stored, to be recorded on its dossier.
struct Stored {
    /// The dossier as read when the document was prepared.
    current: Versioned,
    /// The response that was signed.
    response: Sha256Digest,
    /// Whether the signed PDF is an incremental update of the response.
    starts_with_response: bool,
    /// The signed PDF as stored.
    attachment: Attachment,
    /// The signature timestamp's time, when there is one.
    timestamp: Option<DateTime<Utc>>,
}

/// A document recorded on its dossier.
struct Recorded {
    /// The signed PDF's digest.
    document: Sha256Digest,
    /// The dossier as written.
    dossier: Dossier,
    /// The citizen's messages about it (none when notifications are off).
    messages: Vec<Message>,
}

/// Marks signed the pending items whose document was issued all the same.
///
/// A signing request saves its results every [`PROGRESS_EVERY`] documents;
/// one that dies in between (the host's deadline, a crash) leaves the
/// documents it issued since its last save pending in the batch, although
/// their dossiers are signed and issued and their verification records
/// written. The verification record under the item's own token is the proof
/// (it is written right after the dossier's `signed` + `issued`, and no other
/// item or batch uses that token): such an item becomes signed with that
/// document, and its dossier's public tracking and inbox summary are written
/// again (both are idempotent; the request may have died before them). The
/// citizen's notification is not repeated: whether it went out is not known.
///
/// Only when [`Batch::may_need_repair`].
pub async fn repair(
    store: &Store,
    tenant: &Tenant,
    key: &str,
    batch: Batch,
) -> crate::Result<Batch> {
    if !batch.may_need_repair() {
        return Ok(batch);
    }
    let scope = TenantScope::new(&tenant.slug);
    let pending: Vec<(usize, &Item)> = batch.pending().collect();
    let tokens: Vec<_> = pending.iter().map(|(_, item)| item.verify).collect();
    let records = issued::get_many(&tokens)?;
    let mut found = Vec::new();
    let mut dossiers = Vec::new();
    for ((index, item), record) in pending.into_iter().zip(records) {
        let Some(record) = record.filter(|r| r.dossier == item.dossier.to_string()) else {
            continue;
        };
        let document = ghiseu_core::Sha256Digest::parse(&record.sha256)
            .map_err(|e| crate::error::corrupt("verification record", e))?;
        if let Some(current) = repo::get_dossier(store, &scope, &item.dossier).await? {
            publish(store, tenant, &current.dossier).await?;
            dossiers.push(current.dossier);
        }
        found.push((index, ItemState::Signed { document }));
    }
    if found.is_empty() {
        return Ok(batch);
    }
    repo::index_open_many(&scope, &dossiers)?;
    save(key, |b| b.record(&found))
}

/// A part of a batch and the signatures the service made for it, in the
/// order of its items.
pub(crate) struct SignedPart<'a> {
    /// The batch as read.
    pub batch: &'a Batch,
    /// Its key.
    pub key: &'a str,
    /// The part's items with their index in the batch.
    pub items: &'a [(usize, Item)],
    /// One signature per item.
    pub signatures: &'a [Vec<u8>],
}

/// Applies the signatures of `part` as `actor`, saves the results, and asks
/// for the next code if documents remain (the credential's multisign was
/// smaller than the batch).
pub(crate) async fn finish_part(
    service: &Service<'_>,
    actor: &Actor,
    tenant: &ghiseu_core::Tenant,
    part: SignedPart<'_>,
    ready: Vec<Option<Ready>>,
    lang: ghiseu_core::Lang,
    now: DateTime<Utc>,
) -> Result<(), SignError> {
    let SignedPart {
        batch,
        key,
        items,
        signatures,
    } = part;
    if signatures.len() != items.len() {
        return Err(corrupt(
            "signatures/signHash",
            format!("{} signatures for {} hashes", signatures.len(), items.len()),
        )
        .into());
    }
    let issuing = Issuing::new(service, actor, tenant, batch, now).await?;
    let results = issuing.complete(key, items, signatures, ready).await?;
    let after = save(key, |b| b.record(&results))?;
    if after.pending().next().is_some() {
        let signer = Signer {
            actor,
            name: &after.signer_name,
            institution: tenant.name.as_str(),
            lang,
        };
        super::service::send_code(service, signer, &after).await?;
        save(key, |b| b.codes_sent += 1)?;
    }
    Ok(())
}
