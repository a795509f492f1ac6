//! The signer's batch (DESIGN §5, the flagship): select N documents waiting
//! for signature, click once, type one code, and all N are signed with one
//! authorization of the remote signing service (CSC API v2).
//!
//! 1. [`create`]: every selected dossier still waiting for signature is
//!    recorded with the response it will sign; the batch is stored
//!    (`t/{slug}/signing/{id}`) and the service sends the signer one code
//!    naming how many documents it signs and for whom. Nothing is prepared
//!    yet: the stamp states when the signature is made, which is not known.
//! 2. [`sign`]: the part's documents are prepared with the visible stamp and
//!    the verification QR code (`stamp::prepare`) at the time the code is
//!    entered, the hashes recorded in the batch, then `credentials/authorize`
//!    with those hashes (at most the credential's `multisign`; a larger batch
//!    takes one code per part), `signatures/signHash`, and each document on
//!    its own ([`super::issue`]), from the PDFs prepared in this request.
//!    With a callback URL the service signs asynchronously and the part
//!    completes in [`super::callback`], which prepares again (deterministic:
//!    the batch keeps the signing time) and checks the authorized digest.
//! 3. [`resend`]: a new code.
//! 4. [`document`]: the response a document of the batch will sign, for the
//!    signer only ("sign what you see").

use chrono::{DateTime, Utc};
use ghiseu_core::signing::{Batch, Item, ItemState, MAX_BATCH};
use ghiseu_core::workflow::{self, WorkflowError};
use ghiseu_core::{Action, Actor, Denied, DossierId, TrackingToken};
use ghiseu_platform::csc::Refusal;
use ghiseu_platform::keys::STORE;
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::{self, InsertOutcome, Store};
use ghiseu_platform::repo;
use ghiseu_platform::session::random_bytes;

use super::issue::{self, SignedPart, finish_part};
use super::service::{Failure, Service, SignError, Signer, service_error};
use super::stamp::file_bytes;
use super::stored::{read, save, to_json, update};
use super::{Credential, CredentialError};
use crate::error::corrupt;

/// The CSC user id of an official: `{tenant}/{username}`.
#[must_use]
pub fn csc_user(actor: &Actor) -> String {
    format!("{}/{}", actor.tenant, actor.username)
}

/// Creates the batch of `ids` for `signer` (verification links under
/// `origin`), prepares every document and has the service send one code;
/// the batch's id.
pub async fn create(
    service: &Service<'_>,
    signer: Signer<'_>,
    origin: &str,
    ids: &[DossierId],
    now: DateTime<Utc>,
) -> Result<TrackingToken, SignError> {
    if ids.is_empty() {
        return Err(SignError::NothingSelected);
    }
    if ids.len() > MAX_BATCH {
        return Err(SignError::TooMany);
    }
    if ghiseu_core::authorize_signing(signer.actor).is_err() {
        return Err(SignError::NotASigner);
    }
    let client = service.client;
    let id = client
        .credentials_list(&csc_user(signer.actor))
        .await
        .map_err(service_error)?
        .into_iter()
        .next()
        .ok_or(SignError::NoCredential)?;
    let credential = match Credential::fetch(client, &id).await {
        Ok(c) => c,
        Err(CredentialError::Service(e)) => return Err(service_error(e)),
        Err(CredentialError::NoCertificate) => {
            return Err(corrupt("signing credential", "no certificate chain").into());
        }
    };
    let scope = TenantScope::new(&signer.actor.tenant);
    let mut batch = Batch {
        id: TrackingToken::from_random(random_bytes()?),
        signer: signer.actor.username.clone(),
        signer_name: signer.name.to_owned(),
        credential: credential.id.clone(),
        certificates: credential.certificates.clone(),
        algorithm: credential.algorithm,
        multisign: credential.multisign,
        signing_time: now,
        origin: origin.to_owned(),
        items: Vec::with_capacity(ids.len()),
        codes_sent: 0,
        in_flight: None,
        answered: Vec::new(),
        parts_started: 0,
        lost_parts: 0,
    };
    for id in ids {
        let item = select(service, signer, &scope, id).await?;
        batch.items.push(item);
    }
    if batch.pending().next().is_some() {
        super::service::send_code(service, signer, &batch).await?;
        batch.codes_sent = 1;
    }
    let key = scope.signing_batch(&batch.id);
    match kv::insert_new(STORE, &key, &to_json(&batch)?)? {
        InsertOutcome::Inserted => Ok(batch.id),
        InsertOutcome::Exists(_) => Err(corrupt(&key, "batch id taken").into()),
    }
}

/// The batch's item for dossier `id`: the response it will sign, or failed
/// with the reason.
async fn select(
    service: &Service<'_>,
    signer: Signer<'_>,
    scope: &TenantScope,
    id: &DossierId,
) -> Result<Item, SignError> {
    let Some(current) = repo::get_dossier(service.store, scope, id).await? else {
        return Err(crate::Error::NotFound.into());
    };
    let d = &current.dossier;
    let mut item = Item {
        dossier: *id,
        number: d.number().to_string(),
        response: None,
        name: String::new(),
        verify: TrackingToken::from_random(random_bytes()?),
        digest: None,
        hash: None,
        state: ItemState::Pending,
    };
    let failed = |f: Failure| ItemState::Failed {
        reason: (service.words)(&f),
    };
    match workflow::permitted(d, Action::Sign, signer.actor) {
        Err(WorkflowError::Denied(Denied::OtherTenant)) => {
            return Err(crate::Error::NotFound.into());
        }
        Err(e) => item.state = failed(Failure::Workflow(e)),
        Ok(()) => match d.responses().last() {
            None => item.state = failed(Failure::Workflow(WorkflowError::NoResponse)),
            Some(r) => {
                item.response = Some(r.sha256);
                item.name = r.original_name.as_str().to_owned();
            }
        },
    }
    Ok(item)
}

/// The signer's batch `id` on `now` (another's is not found); an
/// asynchronous part that will not complete any more is given up.
pub async fn load(
    store: &Store,
    actor: &Actor,
    id: &str,
    now: DateTime<Utc>,
) -> crate::Result<(String, Batch)> {
    let token = TrackingToken::parse(id).map_err(|_| crate::Error::NotFound)?;
    let scope = TenantScope::new(&actor.tenant);
    let (key, batch) = read(store, &scope, &token)
        .await?
        .ok_or(crate::Error::NotFound)?;
    if batch.signer != actor.username {
        return Err(crate::Error::NotFound);
    }
    if batch.in_flight.as_ref().is_some_and(|f| f.lost(now)) {
        let mut current = None;
        let released = update(&key, |b| {
            let lost = b.give_up_lost_part(now);
            current = Some(b.clone());
            lost.then_some(())
        })?;
        if released.is_some() {
            eprintln!(
                "signing batch {}: an asynchronous part given up (no result)",
                batch.id
            );
        }
        return Ok((key, current.unwrap_or(batch)));
    }
    Ok((key, batch))
}

/// A new code for the batch `id` (the last one expired or was mistyped
/// too often), if documents are pending.
pub async fn resend(
    service: &Service<'_>,
    signer: Signer<'_>,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), SignError> {
    let (key, batch) = load(service.store, signer.actor, id, now).await?;
    if batch.pending().next().is_none() {
        return Ok(());
    }
    super::service::send_code(service, signer, &batch).await?;
    save(&key, |b| b.codes_sent += 1)?;
    Ok(())
}

/// The response document `index` (from 0) of the signer's batch `id` will
/// sign, as stored, while it is still the dossier's latest response: the
/// file as the dossier records it, the dossier, and the bytes ("sign what
/// you see"). Another's batch, a document without a response or whose
/// response was replaced is not found.
pub async fn document(
    store: &Store,
    out: &ghiseu_platform::Outbound,
    actor: &Actor,
    id: &str,
    index: usize,
    now: DateTime<Utc>,
) -> crate::Result<(ghiseu_core::Attachment, ghiseu_core::Dossier, Vec<u8>)> {
    let (_, batch) = load(store, actor, id, now).await?;
    let item = batch.items.get(index).ok_or(crate::Error::NotFound)?;
    let response = item.response.ok_or(crate::Error::NotFound)?;
    let scope = TenantScope::new(&actor.tenant);
    let current = repo::get_dossier(store, &scope, &item.dossier)
        .await?
        .ok_or(crate::Error::NotFound)?;
    let file = current
        .dossier
        .document(&response)
        .cloned()
        .ok_or(crate::Error::NotFound)?;
    let bytes = file_bytes(&out.files, &scope, &file).await?;
    Ok((file, current.dossier, bytes))
}

/// What the signer's code did.
#[derive(Debug)]
pub enum Signed {
    /// The part was signed (or sent to be signed asynchronously), or there
    /// was nothing left to sign.
    Done,
    /// The service refused the code: the batch as it stands, for the page.
    Refused(Refusal, Box<Batch>),
}

/// `otp` signs the next part of the batch `id` of `signer` on `now`: the
/// part is prepared with `now` as its signing time (what the stamp states),
/// its hashes recorded, then authorized and signed.
pub async fn sign(
    service: &Service<'_>,
    signer: Signer<'_>,
    tenant: &ghiseu_core::Tenant,
    id: &str,
    otp: &str,
    now: DateTime<Utc>,
) -> Result<Signed, SignError> {
    let (key, batch) = load(service.store, signer.actor, id, now).await?;
    // Before a code is spent: documents a dead request issued are not signed again.
    let batch = issue::repair(service.store, tenant, &key, batch).await?;
    if batch.in_flight.is_some() {
        return Ok(Signed::Done);
    }
    let part = batch.part();
    if part.is_empty() {
        return Ok(Signed::Done);
    }
    let Prepared {
        part,
        ready,
        failed,
    } = prepare_part(service, signer, &batch, part, now).await?;
    let hashes: Vec<[u8; 32]> = ready.iter().map(|r| *r.hash().as_bytes()).collect();
    let client = service.client;
    let sad = if hashes.is_empty() {
        None
    } else {
        match client.authorize(&batch.credential, &hashes, otp).await {
            Ok(sad) => Some(sad),
            Err(e) => {
                return match service_error(e) {
                    SignError::Code(refusal) => Ok(Signed::Refused(refusal, Box::new(batch))),
                    other => Err(other),
                };
            }
        }
    };
    // Authorized: the signing time, the digests authorized (an asynchronous
    // completion prepares again and checks them) and the documents that
    // could not be prepared, in one write.
    let batch = save(&key, |b| {
        b.signing_time = now;
        for (index, item) in &part {
            if let Some(it) = b.items.get_mut(*index) {
                it.digest = item.digest;
                it.hash = item.hash;
            }
        }
        b.record(&failed);
    })?;
    let Some(sad) = sad else {
        return Ok(Signed::Done);
    };
    if let Some(callback) = &service.config.callback_url {
        super::callback::send(
            service,
            &signer.actor.tenant,
            &key,
            &batch,
            &part,
            &sad,
            &hashes,
            callback,
            now,
        )
        .await?;
        return Ok(Signed::Done);
    }
    let signatures = client
        .sign_hash(&batch.credential, &sad, &hashes, batch.algorithm)
        .await
        .map_err(service_error)?;
    let signed = SignedPart {
        batch: &batch,
        key: &key,
        items: &part,
        signatures: &signatures,
    };
    let ready = ready.into_iter().map(Some).collect();
    finish_part(
        service,
        signer.actor,
        tenant,
        signed,
        ready,
        signer.lang,
        now,
    )
    .await?;
    Ok(Signed::Done)
}

/// A part prepared for its signature.
struct Prepared {
    /// The documents that can be signed, with their digests and hashes.
    part: Vec<(usize, Item)>,
    /// Their prepared PDFs, in the same order.
    ready: Vec<issue::Ready>,
    /// The documents that cannot be signed, and why.
    failed: Vec<(usize, ItemState)>,
}

/// Prepares the documents of `part` with `now` as the batch's signing time
/// (nothing is written: a refused code leaves the batch as it was).
async fn prepare_part(
    service: &Service<'_>,
    signer: Signer<'_>,
    batch: &Batch,
    part: Vec<(usize, Item)>,
    now: DateTime<Utc>,
) -> Result<Prepared, SignError> {
    let scope = TenantScope::new(&signer.actor.tenant);
    let credential = super::stamp::credential(batch)?;
    let mut timed = batch.clone();
    timed.signing_time = now;
    let mut ready = Vec::with_capacity(part.len());
    let mut signable = Vec::with_capacity(part.len());
    let mut failed = Vec::new();
    let mut part = part.into_iter().peekable();
    while part.peek().is_some() {
        // A few at a time, so that the responses' downloads overlap.
        let chunk: Vec<(usize, Item)> = part.by_ref().take(issue::PROGRESS_EVERY).collect();
        let prepared = futures::future::join_all(
            chunk
                .iter()
                .map(|(_, item)| issue::prepare(service, &scope, &timed, &credential, item)),
        )
        .await;
        for ((index, mut item), outcome) in chunk.into_iter().zip(prepared) {
            match outcome {
                Ok(r) => {
                    item.digest = Some(r.digest());
                    item.hash = Some(r.hash());
                    signable.push((index, item));
                    ready.push(r);
                }
                Err(issue::ItemError::Failed(f)) => failed.push((
                    index,
                    ItemState::Failed {
                        reason: (service.words)(&f),
                    },
                )),
                Err(issue::ItemError::Stop(e)) => return Err(e.into()),
            }
        }
    }
    Ok(Prepared {
        part: signable,
        ready,
        failed,
    })
}
