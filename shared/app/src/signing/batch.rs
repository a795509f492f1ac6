//! The signer's batch (DESIGN §5, the flagship): select N documents waiting
//! for signature, click once, type one code, and all N are signed with one
//! authorization of the remote signing service (CSC API v2).
//!
//! 1. [`create`]: for every selected dossier still waiting for signature,
//!    the latest response PDF is prepared with a visible signature and the
//!    verification QR code (`stamp::prepare`) and the hash the service must sign
//!    is recorded; the batch is stored (`t/{slug}/signing/{id}`) and the
//!    service sends the signer one code.
//! 2. [`sign`]: `credentials/authorize` with the hashes of the pending
//!    documents (at most the credential's `multisign`; a larger batch takes
//!    one code per part), `signatures/signHash`, then each document on its
//!    own ([`super::issue`]). With a callback URL the service signs
//!    asynchronously and the part completes in [`super::callback`].
//! 3. [`resend`]: a new code.
//!
//! Preparing is deterministic (the signing time is fixed in the batch), so
//! the prepared PDFs are not stored: completion prepares again and checks
//! that the digest is the one that was authorized.

use chrono::{DateTime, Utc};
use ghiseu_core::signing::{Batch, Item, ItemState, MAX_BATCH};
use ghiseu_core::workflow::{self, WorkflowError};
use ghiseu_core::{Action, Actor, Denied, DossierId, TrackingToken};
use ghiseu_platform::csc::Refusal;
use ghiseu_platform::keys::STORE;
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::{self, InsertOutcome, Store};
use ghiseu_platform::repo;
use ghiseu_platform::s3::S3Client;
use ghiseu_platform::session::random_bytes;

use super::issue::{self, SignedPart, finish_part};
use super::service::{Failure, Service, SignError, Signer, service_error};
use super::stamp::{file_bytes, prepare};
use super::stored::{read, save, to_json, update};
use super::{Credential, CredentialError, ToSign};
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
    let s3 = &service.out.files;
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
        let item = select(service, signer, &credential, &batch, &scope, s3, id).await?;
        batch.items.push(item);
    }
    if batch.pending().next().is_some() {
        client
            .send_otp(&batch.credential)
            .await
            .map_err(service_error)?;
        batch.codes_sent = 1;
    }
    let key = scope.signing_batch(&batch.id);
    match kv::insert_new(STORE, &key, &to_json(&batch)?)? {
        InsertOutcome::Inserted => Ok(batch.id),
        InsertOutcome::Exists(_) => Err(corrupt(&key, "batch id taken").into()),
    }
}

/// The batch's item for dossier `id`: prepared, or failed with the reason.
async fn select(
    service: &Service<'_>,
    signer: Signer<'_>,
    credential: &Credential,
    batch: &Batch,
    scope: &TenantScope,
    s3: &S3Client,
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
        Ok(()) => match d.responses().last().map(|r| (*r).clone()) {
            None => item.state = failed(Failure::Workflow(WorkflowError::NoResponse)),
            Some(r) => {
                item.response = Some(r.sha256);
                item.name = r.original_name.as_str().to_owned();
                let pdf = file_bytes(s3, scope, &r).await?;
                match prepare(batch, &item, &pdf) {
                    Ok(prepared) => {
                        let to_sign = ToSign::new(prepared, credential.signer())
                            .map_err(SignError::Unpreparable)?;
                        item.digest = Some(to_sign.digest());
                        item.hash = Some(to_sign.hash());
                    }
                    Err(e) => item.state = failed(Failure::Unpreparable(e.to_string())),
                }
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
    actor: &Actor,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), SignError> {
    let (key, batch) = load(service.store, actor, id, now).await?;
    if batch.pending().next().is_none() {
        return Ok(());
    }
    service
        .client
        .send_otp(&batch.credential)
        .await
        .map_err(service_error)?;
    save(&key, |b| b.codes_sent += 1)?;
    Ok(())
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

/// `otp` signs the next part of the batch `id` of `signer`.
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
    let part = batch.part();
    if part.is_empty() {
        return Ok(Signed::Done);
    }
    let hashes: Vec<[u8; 32]> = part
        .iter()
        .map(|(_, it)| it.hash.map(|h| *h.as_bytes()))
        .collect::<Option<_>>()
        .ok_or_else(|| corrupt(&key, "a pending document without its hash"))?;
    let client = service.client;
    let sad = match client.authorize(&batch.credential, &hashes, otp).await {
        Ok(sad) => sad,
        Err(e) => {
            return match service_error(e) {
                SignError::Code(refusal) => Ok(Signed::Refused(refusal, Box::new(batch))),
                other => Err(other),
            };
        }
    };
    if batch.in_flight.is_some() {
        return Ok(Signed::Done);
    }
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
    let part = SignedPart {
        batch: &batch,
        key: &key,
        items: &part,
        signatures: &signatures,
    };
    finish_part(service, signer.actor, tenant, part, now).await?;
    Ok(Signed::Done)
}
