//! The citizen signs a waiting cerere with one code (DESIGN §5, signing),
//! through the same [`super::pipeline`] as the desk (so with a timestamp
//! authority the citizen's signature is B-T too); then the dossier is
//! registered through the one registration path with the signed cerere as
//! its document.
//!
//! The signing state of a request (`citizen/signing/{id}/{sha256}`,
//! [`crate::citizen::Signing`]) moves prepared → signed → registered, each
//! move a leased replace of what was read: of two requests carrying the same
//! code, one registers and the other finds it registered. A registration
//! claimed by a request that died is taken over after [`TAKEOVER`].
//!
//! 1. [`start`]: prepares the stored cerere for the citizen's credential
//!    once (the prepared PDF kept in the tenant's files; every new code is
//!    for the same prepared document while the credential is the same) and
//!    asks the service to send a code.
//! 2. [`confirm`]: `credentials/authorize` of that one hash with the code,
//!    `signatures/signHash`, the signature embedded ([`super::finish`]), the
//!    signed PDF stored, then the claim and the registration.
//!
//! A request whose type has a fee is paid before it is signed: [`start`]
//! sends no code while the fee is due ([`Outcome::FeeDue`]). Pay, then sign,
//! then registered at once is the order of Romanian public portals (the
//! citizen pays for the service and then confirms the request, and the
//! signature is the last act, after which nothing is asked of them); it also
//! keeps a signed request from waiting unregistered for a payment that may
//! never come. A request that needs no signature is registered by
//! [`register_paid`] once its fee is paid — from the provider's webhook or
//! the citizen's return, whichever comes first, through the same claim as a
//! signed one, so it registers once. The paid fee's receipt is the
//! registration's internal note on the desk.

use chrono::{DateTime, TimeDelta, Utc};
use ghiseu_core::citizen::Account;
use ghiseu_core::document_type::FieldName;
use ghiseu_core::form::FormData;
use ghiseu_core::payment::fee_note;
use ghiseu_core::stored::{StoredAttachment, attachment_from_stored, attachment_to_stored};
use ghiseu_core::{DocumentTypeCode, InternalNote, Sha256Digest, TenantSlug};
use ghiseu_platform::Outbound;
use ghiseu_platform::csc::{Client, Refusal};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::s3::S3Client;

use super::{Config, Credential, FinishError, ToSign};
use crate::citizen::fees::{self, Fee};
use crate::citizen::submit::{Submission, active_type, register_online};
use crate::citizen::{self, AwaitingRequest, Signing};
use crate::error::corrupt;

/// How old a claimed registration that never finished must be before
/// another request takes it over (far beyond any request's deadline).
pub const TAKEOVER: TimeDelta = TimeDelta::minutes(10);

/// What the citizen's signing needs from the portal.
pub struct Service<'a> {
    /// The key-value store.
    pub store: &'a Store,
    /// The object store and the notification gateway.
    pub out: &'a Outbound,
    /// The signing service.
    pub client: &'a Client,
    /// The timestamp authority.
    pub config: &'a Config,
}

/// A request of `account` waiting for its qualified signature.
pub struct Waiting<'a> {
    /// The citizen.
    pub account: &'a Account,
    /// The cerere's SHA-256 (hex), which names the request.
    pub sha: String,
    /// The request.
    pub request: AwaitingRequest,
}

impl Waiting<'_> {
    /// The waiting-list record of the request: `{tenant}/{type}/{sha}`.
    fn record(&self) -> String {
        format!(
            "{}/{}/{}",
            self.request.tenant, self.request.document_type, self.sha
        )
    }
}

/// The request of `account` with cerere `sha`, if it is waiting.
pub async fn waiting<'a>(
    store: &Store,
    account: &'a Account,
    sha: &str,
) -> ghiseu_platform::Result<Option<Waiting<'a>>> {
    if Sha256Digest::parse(sha).is_err() {
        return Ok(None);
    }
    Ok(citizen::awaiting_request(store, &account.id, sha)
        .await?
        .map(|request| Waiting {
            account,
            sha: sha.to_owned(),
            request,
        }))
}

/// The number the request with cerere `sha` of `account` was registered
/// under, if it was.
pub async fn registered(
    store: &Store,
    account: &Account,
    sha: &str,
) -> ghiseu_platform::Result<Option<String>> {
    Ok(match citizen::signing(store, &account.id, sha).await? {
        Some((Signing::Registered { number, .. }, _)) => Some(number),
        _ => None,
    })
}

/// Where a signing step ended.
#[derive(Debug)]
pub enum Outcome {
    /// Registered under this number (now, or by an earlier request).
    Registered(String),
    /// Another request is registering it (or registered it meanwhile).
    Busy,
    /// A code was sent: the hash it authorizes (hex), for "sign what you see".
    CodeSent(String),
    /// Nothing was prepared yet: start again.
    NotStarted,
    /// The service refused the code; the hash it was for (hex).
    Refused(Refusal, String),
    /// What the citizen typed is not a code; the hash it would be for (hex).
    Malformed(String),
    /// The code was spent but the document could not be signed (the service
    /// or the timestamp authority failed): a new code signs it.
    Spent,
    /// The service does not answer now; nothing changed.
    Unavailable,
    /// Another request moved the signing on first; nothing to do here.
    Moved,
    /// The request's fee is not paid yet: nothing was prepared or sent.
    FeeDue,
}

/// Prepares the request (once for the credential) and has a code sent.
pub async fn start(
    service: &Service<'_>,
    waiting: &Waiting<'_>,
    credential_id: &str,
    now: DateTime<Utc>,
) -> crate::Result<Outcome> {
    let state = citizen::signing(service.store, &waiting.account.id, &waiting.sha).await?;
    let registry = (service.store, service.out);
    let hash = match &state {
        Some((Signing::Registered { number, .. }, _)) => {
            return Ok(Outcome::Registered(number.clone()));
        }
        Some((Signing::Signed { signed, at }, read)) => {
            return claimed(registry, waiting, signed, *at, read, now).await;
        }
        _ if fee_due(service.store, waiting).await? => return Ok(Outcome::FeeDue),
        // The same prepared document for every new code, while it is the
        // same credential: its hash is what the citizen sees.
        Some((
            Signing::Prepared {
                hash_to_sign,
                credential_id: c,
                ..
            },
            _,
        )) if c == credential_id => hash_to_sign.clone(),
        _ => {
            let read = state.as_ref().map(|(_, b)| b.as_slice());
            match prepare(service, waiting, credential_id, read, now).await? {
                Ok(hash) => hash,
                Err(outcome) => return Ok(outcome),
            }
        }
    };
    if let Err(e) = service.client.send_otp(credential_id).await {
        eprintln!("signing: sendOTP for {credential_id}: {e}");
        return Ok(Outcome::Unavailable);
    }
    Ok(Outcome::CodeSent(hash))
}

/// The request's files in its tenant.
fn scope(request: &AwaitingRequest) -> crate::Result<TenantScope> {
    let slug = TenantSlug::parse(&request.tenant).map_err(|e| corrupt(&request.tenant, e))?;
    Ok(TenantScope::new(&slug))
}

fn digest(hex: &str) -> crate::Result<Sha256Digest> {
    Sha256Digest::parse(hex).map_err(|e| corrupt(hex, e))
}

/// The cerere of `waiting` exactly as it is signed: the bytes whose SHA-256
/// names the request, which [`start`] prepares and the signed PDF begins
/// with (an incremental update adds the signature after them).
pub async fn cerere(files: &S3Client, waiting: &Waiting<'_>) -> crate::Result<Vec<u8>> {
    let sha = &waiting.request.cerere.sha256;
    let object = scope(&waiting.request)?.attachment_object(&digest(sha)?);
    match files.get_object(&object).await? {
        Some(bytes) => Ok(bytes),
        None => Err(corrupt(sha, "the cerere is missing")),
    }
}

/// Prepares the cerere for `credential_id` and records it; the hash to
/// sign (hex), or where it ended.
async fn prepare(
    service: &Service<'_>,
    waiting: &Waiting<'_>,
    credential_id: &str,
    read: Option<&[u8]>,
    now: DateTime<Utc>,
) -> crate::Result<Result<String, Outcome>> {
    let credential = match Credential::fetch(service.client, credential_id).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("signing: credentials/info {credential_id}: {e:?}");
            return Ok(Err(Outcome::Unavailable));
        }
    };
    let cerere_sha = &waiting.request.cerere.sha256;
    let scope = scope(&waiting.request)?;
    let s3 = &service.out.files;
    let cerere = cerere(s3, waiting).await?;
    let mut options = ghiseu_pades::PrepareOptions::new(waiting.account.name.as_str(), now);
    options.reason = Some("Semnătura solicitantului");
    let prepared = ghiseu_pades::prepare(&cerere, &options).map_err(|e| corrupt(cerere_sha, e))?;
    let to_sign = ToSign::new(prepared, credential.signer()).map_err(|e| corrupt(cerere_sha, e))?;
    let hash = to_sign.hash().to_hex();
    let bytes = to_sign.prepared().bytes().to_vec();
    let stored = super::store_pdf(s3, &scope, "cerere-pregatita.pdf", "cerere.pdf", bytes).await?;
    let next = Signing::Prepared {
        prepared_sha256: stored.sha256.to_hex(),
        hash_to_sign: hash.clone(),
        credential_id: credential_id.to_owned(),
    };
    if citizen::move_signing(&waiting.account.id, cerere_sha, read, &next)? {
        return Ok(Ok(hash));
    }
    // A parallel request prepared it: the citizen sees its hash.
    match citizen::signing(service.store, &waiting.account.id, cerere_sha).await? {
        Some((Signing::Prepared { hash_to_sign, .. }, _)) => Ok(Ok(hash_to_sign)),
        _ => Ok(Err(Outcome::Busy)),
    }
}

/// Signs the prepared request with `code` and registers it. `None` is what
/// the caller found is not a code (six digits): then only where the signing
/// is decides the answer.
pub async fn confirm(
    service: &Service<'_>,
    waiting: &Waiting<'_>,
    code: Option<&str>,
    now: DateTime<Utc>,
) -> crate::Result<Outcome> {
    let account = waiting.account;
    let (prepared_sha, hash, credential_id, read) =
        match citizen::signing(service.store, &account.id, &waiting.sha).await? {
            Some((
                Signing::Prepared {
                    prepared_sha256,
                    hash_to_sign,
                    credential_id,
                },
                read,
            )) => (prepared_sha256, hash_to_sign, credential_id, read),
            Some((Signing::Registered { number, .. }, _)) => {
                return Ok(Outcome::Registered(number));
            }
            Some((Signing::Signed { signed, at }, read)) => {
                let registry = (service.store, service.out);
                return claimed(registry, waiting, &signed, at, &read, now).await;
            }
            None => return Ok(Outcome::NotStarted),
        };
    let Some(code) = code else {
        return Ok(Outcome::Malformed(hash));
    };
    let authorized: [u8; 32] = *digest(&hash)?.as_bytes();
    let client = service.client;
    let sad = match client.authorize(&credential_id, &[authorized], code).await {
        Ok(sad) => sad,
        Err(e) => {
            // A double submit: the first one spent the code and registers.
            if let Some(number) = registered(service.store, account, &waiting.sha).await? {
                return Ok(Outcome::Registered(number));
            }
            return Ok(match e.refusal() {
                Some(refusal) => Outcome::Refused(refusal, hash),
                None => {
                    eprintln!("signing: authorize {credential_id}: {e}");
                    Outcome::Unavailable
                }
            });
        }
    };
    let credential = match Credential::fetch(client, &credential_id).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("signing: {} with {credential_id}: {e:?}", waiting.sha);
            return Ok(Outcome::Spent);
        }
    };
    let signature = match client
        .sign_hash(&credential_id, &sad, &[authorized], credential.algorithm)
        .await
    {
        Ok(mut s) if s.len() == 1 => s.remove(0),
        other => {
            eprintln!(
                "signing: {} with {credential_id}: {:?}",
                waiting.sha,
                other.err()
            );
            return Ok(Outcome::Spent);
        }
    };
    let signed = match embed(
        service,
        waiting,
        &prepared_sha,
        &authorized,
        &credential,
        &signature,
    )
    .await?
    {
        Some(signed) => signed,
        None => return Ok(Outcome::Spent),
    };
    claim(
        (service.store, service.out),
        waiting,
        signed,
        Some(&read),
        now,
    )
    .await
}

/// The prepared PDF `prepared_sha` signed with `signature` and stored; `None`
/// when the timestamp authority gave no timestamp.
async fn embed(
    service: &Service<'_>,
    waiting: &Waiting<'_>,
    prepared_sha: &str,
    authorized: &[u8; 32],
    credential: &Credential,
    signature: &[u8],
) -> crate::Result<Option<StoredAttachment>> {
    let scope = scope(&waiting.request)?;
    let s3 = &service.out.files;
    let Some(prepared) = s3
        .get_object(&scope.attachment_object(&digest(prepared_sha)?))
        .await?
    else {
        return Err(corrupt(prepared_sha, "the prepared PDF is missing"));
    };
    let prepared =
        ghiseu_pades::Prepared::from_bytes(prepared).map_err(|e| corrupt(prepared_sha, e))?;
    let to_sign =
        ToSign::new(prepared, credential.signer()).map_err(|e| corrupt(prepared_sha, e))?;
    if to_sign.hash().as_bytes() != authorized {
        return Err(corrupt(
            prepared_sha,
            "the certificate changed since the code was sent",
        ));
    }
    let signed = match super::finish(to_sign, signature, credential, service.config).await {
        Ok(signed) => signed,
        Err(e @ FinishError::Timestamp(_)) => {
            // The code is spent and the document cannot be signed without
            // its timestamp: a new code signs it again once the TSA answers.
            eprintln!("signing: {}: {e}", waiting.sha);
            return Ok(None);
        }
        Err(FinishError::Signature(e)) => return Err(corrupt(prepared_sha, e)),
    };
    let signed = super::store_pdf(s3, &scope, "cerere.pdf", "cerere.pdf", signed).await?;
    Ok(Some(attachment_to_stored(&signed)))
}

/// Whether the fee of the waiting request is still to pay.
async fn fee_due(store: &Store, waiting: &Waiting<'_>) -> crate::Result<bool> {
    let fee = fees::fee(store, &waiting.account.id, &waiting.sha, &waiting.request).await?;
    Ok(matches!(fee, Fee::Due(_)))
}

/// Registers the waiting request that needs no signature once its fee is
/// paid (the cerere as it was rendered is its document), through the same
/// claim as a signed request: of the webhook and the citizen's return, one
/// registers and the other finds it registered (or being registered).
pub async fn register_paid(
    store: &Store,
    out: &Outbound,
    waiting: &Waiting<'_>,
    now: DateTime<Utc>,
) -> crate::Result<Outcome> {
    if waiting.request.qualified {
        return Err(crate::Error::NotAllowed(
            "the request is registered once signed".into(),
        ));
    }
    match citizen::signing(store, &waiting.account.id, &waiting.sha).await? {
        Some((Signing::Registered { number, .. }, _)) => Ok(Outcome::Registered(number)),
        Some((Signing::Signed { signed, at }, read)) => {
            claimed((store, out), waiting, &signed, at, &read, now).await
        }
        Some((Signing::Prepared { .. }, _)) => Ok(Outcome::Busy),
        None if fee_due(store, waiting).await? => Ok(Outcome::FeeDue),
        None => {
            let cerere = waiting.request.cerere.clone();
            claim((store, out), waiting, cerere, None, now).await
        }
    }
}

/// Where a registration is written: the key-value store and the outbound.
type Registry<'a> = (&'a Store, &'a Outbound);

/// A registration another request claimed at `at`: wait for it, or take it
/// over when that request can no longer be running.
async fn claimed(
    registry: Registry<'_>,
    waiting: &Waiting<'_>,
    signed: &StoredAttachment,
    at: DateTime<Utc>,
    read: &[u8],
    now: DateTime<Utc>,
) -> crate::Result<Outcome> {
    if at + TAKEOVER < now {
        return claim(registry, waiting, signed.clone(), Some(read), now).await;
    }
    Ok(Outcome::Busy)
}

/// Claims the registration of the signed (or, needing no signature, paid)
/// request: the signing state moves from what was `read` (`None`: nothing
/// yet) to signed, by leased replace, so only one request wins; registers it
/// and takes it off the waiting list.
async fn claim(
    registry: Registry<'_>,
    waiting: &Waiting<'_>,
    signed: StoredAttachment,
    read: Option<&[u8]>,
    now: DateTime<Utc>,
) -> crate::Result<Outcome> {
    let account = waiting.account;
    let state = Signing::Signed {
        signed: signed.clone(),
        at: now,
    };
    if !citizen::move_signing(&account.id, &waiting.sha, read, &state)? {
        return Ok(Outcome::Moved);
    }
    let number = register(registry, waiting, &signed, &state, now).await?;
    citizen::remove_awaiting(&account.id, &waiting.record())?;
    Ok(Outcome::Registered(number))
}

/// Registers the signed request (the signing in `state`, moved to
/// registered afterwards), with its paid fee's receipt as the internal note;
/// its number.
async fn register(
    (store, out): Registry<'_>,
    waiting: &Waiting<'_>,
    signed: &StoredAttachment,
    state: &Signing,
    now: DateTime<Utc>,
) -> crate::Result<String> {
    let request = &waiting.request;
    let Some((tenant, _)) = active_type(store, &request.tenant, &request.document_type).await?
    else {
        return Err(crate::Error::NotFound);
    };
    let bad = |e: String| corrupt(&request.cerere.sha256, e);
    let mut pairs = Vec::new();
    for (name, value) in &request.form {
        pairs.push((
            FieldName::parse(name).map_err(|e| bad(e.to_string()))?,
            value.clone(),
        ));
    }
    let mut files = vec![attachment_from_stored(signed).map_err(|e| bad(e.to_string()))?];
    for a in &request.attachments {
        files.push(attachment_from_stored(a).map_err(|e| bad(e.to_string()))?);
    }
    let submission = Submission {
        document_type: DocumentTypeCode::parse(&request.document_type)
            .map_err(|e| bad(e.to_string()))?,
        form: FormData::from_pairs(pairs),
        files,
        note: match fees::fee(store, &waiting.account.id, &waiting.sha, request).await? {
            Fee::Paid(receipt) => {
                Some(InternalNote::parse(&fee_note(&receipt)).map_err(|e| bad(e.to_string()))?)
            }
            Fee::Free | Fee::Due(_) => None,
        },
    };
    let dossier = register_online(store, out, waiting.account, &tenant, submission, now).await?;
    let number = dossier.number().to_string();
    let read = serde_json::to_vec(state).map_err(|e| bad(e.to_string()))?;
    citizen::move_signing(
        &waiting.account.id,
        &request.cerere.sha256,
        Some(&read),
        &Signing::Registered {
            dossier: dossier.id().to_string(),
            number: number.clone(),
        },
    )?;
    Ok(number)
}
