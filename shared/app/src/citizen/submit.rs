//! A citizen's online submission: the active document type it is for, the
//! submission run once per idempotency key and within the institution's
//! quotas ([`once`]), its files and cerere
//! stored ([`submit_online`]), and its registration through the one
//! registration path with the citizen as the actor, linked to their account
//! — or, for a type with a fee or one that needs a qualified signature, kept
//! until paid ([`super::fees`]) and signed.

use chrono::{DateTime, Utc};
use ghiseu_core::citizen::Account;
use ghiseu_core::dossier::OriginalName;
use ghiseu_core::form::FormData;
use ghiseu_core::idempotency::{
    Claim, IdempotencyKey, IdempotencyState, NextAction, Outcome, next_action,
};
use ghiseu_core::quota::Limit;
use ghiseu_core::stored::attachment_to_stored;
use ghiseu_core::{
    Attachment, Channel, CitizenContact, DocumentType, DocumentTypeCode, Dossier, DossierId,
    InternalNote, MediaType, SignatureRequirement, Tenant, TenantSlug,
};
use ghiseu_platform::Outbound;
use ghiseu_platform::keys::{CitizenKeys, STORE, TenantScope};
use ghiseu_platform::kv::{self, ReplaceOutcome, Store};
use ghiseu_platform::repo;
use ghiseu_platform::session::random_bytes;

use super::{
    Admission, AwaitingRequest, Linked, admit_submission, keep_awaiting_request,
    keep_awaiting_signature, link_dossier,
};
use crate::dossiers::{self, Intake, Registrant, Scan};

/// The active tenant `slug` and its document type `code`, if both exist
/// (an unknown or inactive tenant, or an unparsable value: none).
pub async fn active_type(
    store: &Store,
    slug: &str,
    code: &str,
) -> ghiseu_platform::Result<Option<(Tenant, DocumentType)>> {
    let (Ok(slug), Ok(code)) = (TenantSlug::parse(slug), DocumentTypeCode::parse(code)) else {
        return Ok(None);
    };
    let Some(tenant) = repo::get_tenant(store, &slug).await?.filter(|t| t.active) else {
        return Ok(None);
    };
    Ok(repo::document_type(store, &TenantScope::new(&slug), &code)
        .await?
        .map(|ty| (tenant, ty)))
}

/// What the institution may use to reach the citizen: their verified
/// contacts and language.
#[must_use]
pub fn contact_of(account: &Account) -> CitizenContact {
    CitizenContact {
        name: Some(account.name.clone()),
        email: account.email.clone().filter(|_| account.email_verified),
        phone: account.phone.clone().filter(|_| account.phone_verified),
        cnp: None,
        lang: Some(account.lang),
    }
}

/// What a citizen submits: the type, the form's values, the files (the
/// cerere first).
pub struct Submission {
    /// The document type.
    pub document_type: DocumentTypeCode,
    /// The validated form.
    pub form: FormData,
    /// The files, already in the tenant's object store.
    pub files: Vec<Attachment>,
    /// The registration's internal note (a fee paid online: its receipt).
    pub note: Option<InternalNote>,
}

/// Registers `submission` of `account` at `tenant` on `now` and links the
/// dossier to the account.
pub async fn register_online(
    store: &Store,
    out: &Outbound,
    account: &Account,
    tenant: &Tenant,
    submission: Submission,
    now: DateTime<Utc>,
) -> crate::Result<Dossier> {
    let id = DossierId::from_random(random_bytes::<16>()?);
    register_online_as(store, out, account, (tenant, id), submission, now).await
}

/// [`register_online`] under the dossier id `id`.
async fn register_online_as(
    store: &Store,
    out: &Outbound,
    account: &Account,
    (tenant, id): (&Tenant, DossierId),
    submission: Submission,
    now: DateTime<Utc>,
) -> crate::Result<Dossier> {
    let dossier = dossiers::register_as(
        store,
        out,
        (tenant, id),
        Registrant::Citizen,
        Intake {
            document_type: submission.document_type,
            channel: Channel::Online,
            stored: submission.files,
            contact: contact_of(account),
            scans: Vec::new(),
            note: submission.note,
            public_note: None,
            form: submission.form,
            paper_pages: None,
        },
        now,
    )
    .await?;
    link_dossier(
        &account.id,
        &Linked {
            tenant: tenant.slug.to_string(),
            dossier: dossier.id().to_string(),
        },
    )?;
    Ok(dossier)
}

/// Where a submission is.
#[derive(Debug)]
pub enum Submitted {
    /// It finished (now, or in the request that first used the key).
    Done(Outcome),
    /// The request that first used the key has not finished (and its lease
    /// has not run out).
    InProgress,
    /// Past one of the institution's quotas: nothing was done.
    OverQuota {
        /// The limit that refused.
        limit: Limit,
        /// Seconds until the citizen may submit again.
        retry_after: u64,
    },
}

/// One run of a submission: the id its dossier is registered under, and
/// the last moment it may start registering (a claimed key's lease).
#[derive(Debug, Clone, Copy)]
pub struct Attempt {
    /// The dossier id, named in the key's claim.
    pub dossier: DossierId,
    /// When the claim stops registering (`None`: without a key, no limit).
    pub register_by: Option<DateTime<Utc>>,
}

/// Who submits, to which institution, from where, with which key, when.
pub struct Request<'a> {
    /// The citizen.
    pub account: &'a Account,
    /// The institution.
    pub tenant: &'a Tenant,
    /// The client's address (for the quota per address).
    pub address: &'a str,
    /// The idempotency key, if the request has one.
    pub key: Option<&'a IdempotencyKey>,
    /// Now.
    pub now: DateTime<Utc>,
}

/// Runs `submit` once per idempotency key of the account, within the
/// institution's quotas. The first request with a key claims it under a
/// lease (core's [`ghiseu_core::idempotency`] describes the protocol); a retry
/// answers what the first one produced, or "in progress" while its lease
/// runs; after the lease, a retry completes the key with the dossier the
/// first one registered, or claims it afresh when there is none. A
/// submission that fails, or that a quota refuses, gives its key back.
/// Without a key, `submit` runs within the quotas.
pub async fn once<F, Fut>(store: &Store, req: Request<'_>, submit: F) -> crate::Result<Submitted>
where
    F: FnOnce(Attempt) -> Fut,
    Fut: Future<Output = crate::Result<Outcome>>,
{
    let Some(key) = req.key else {
        if let Some(refused) = over_quota(store, &req).await? {
            return Ok(refused);
        }
        let attempt = Attempt {
            dossier: DossierId::from_random(random_bytes::<16>()?),
            register_by: None,
        };
        return submit(attempt).await.map(Submitted::Done);
    };
    let marker = CitizenKeys::new(&req.account.id).idempotency(&key.digest());
    let claim = match claim(store, &marker, &req).await? {
        Claimed::Mine(claim) => claim,
        Claimed::Answer(answer) => return Ok(answer),
    };
    let mine = IdempotencyState::Claimed(claim.clone()).to_stored();
    let give_back = || {
        let released = IdempotencyState::Released.to_stored();
        kv::replace(STORE, &marker, Some(mine.as_bytes()), released.as_bytes())
    };
    if let Some(refused) = over_quota(store, &req).await? {
        give_back()?;
        return Ok(refused);
    }
    let attempt = Attempt {
        dossier: claim.dossier,
        register_by: Some(claim.register_by()),
    };
    match submit(attempt).await {
        Ok(outcome) => {
            let done = IdempotencyState::Finished(outcome.clone()).to_stored();
            kv::replace(STORE, &marker, Some(mine.as_bytes()), done.as_bytes())?;
            Ok(Submitted::Done(outcome))
        }
        // The lease ran out before registering: whoever comes next decides.
        Err(crate::Error::Conflict) => {
            give_back()?;
            Ok(Submitted::InProgress)
        }
        Err(e) => {
            give_back()?;
            Err(e)
        }
    }
}

/// Counts the submission against the institution's quotas; the refusal, if
/// one refuses it.
async fn over_quota(store: &Store, req: &Request<'_>) -> crate::Result<Option<Submitted>> {
    let who = (req.account.id.as_str(), req.address);
    Ok(
        match admit_submission(store, &req.tenant.slug, who, req.now).await? {
            Admission::Admitted => None,
            Admission::Refused { limit, retry_after } => {
                Some(Submitted::OverQuota { limit, retry_after })
            }
        },
    )
}

/// What claiming a key came to.
enum Claimed {
    /// This request holds the key.
    Mine(Claim),
    /// Another request holds or held it: answer this.
    Answer(Submitted),
}

/// Claims the key whose marker is `marker` for `req`, moving the marker
/// from what was read by leased replace (of racing requests one wins; a
/// loser reads again).
async fn claim(store: &Store, marker: &str, req: &Request<'_>) -> crate::Result<Claimed> {
    for _ in 0..3 {
        let read = store.get(marker).await?;
        let state = read.as_deref().map(IdempotencyState::read);
        let mine = Claim {
            at: req.now,
            tenant: req.tenant.slug.clone(),
            dossier: DossierId::from_random(random_bytes::<16>()?),
        };
        let new = IdempotencyState::Claimed(mine.clone()).to_stored();
        match next_action(state.as_ref(), req.now) {
            NextAction::ReturnSavedResponse(o) => return Ok(Claimed::Answer(Submitted::Done(o))),
            NextAction::InProgress => return Ok(Claimed::Answer(Submitted::InProgress)),
            NextAction::Adopt => {
                kv::replace(STORE, marker, read.as_deref(), new.as_bytes())?;
                return Ok(Claimed::Answer(Submitted::InProgress));
            }
            NextAction::Recover(old) => {
                if let Some(outcome) = recover(store, req, &old).await? {
                    let done = IdempotencyState::Finished(outcome.clone()).to_stored();
                    kv::replace(STORE, marker, read.as_deref(), done.as_bytes())?;
                    return Ok(Claimed::Answer(Submitted::Done(outcome)));
                }
            }
            NextAction::StartProcessing => {}
        }
        if kv::replace(STORE, marker, read.as_deref(), new.as_bytes())? == ReplaceOutcome::Replaced
        {
            return Ok(Claimed::Mine(mine));
        }
    }
    Ok(Claimed::Answer(Submitted::InProgress))
}

/// The outcome of a claim whose lease ran out: its dossier's number when
/// the claimant registered it (what its death kept from being written is
/// written now: the inbox, the token, the snapshot, the account's link),
/// `None` when it registered nothing.
async fn recover(store: &Store, req: &Request<'_>, old: &Claim) -> crate::Result<Option<Outcome>> {
    let Some(tenant) = repo::get_tenant(store, &old.tenant).await? else {
        return Ok(None);
    };
    let scope = TenantScope::new(&tenant.slug);
    let Some(found) = repo::get_dossier(store, &scope, &old.dossier).await? else {
        return Ok(None);
    };
    dossiers::index_written(store, &tenant, &found.dossier).await?;
    link_dossier(
        &req.account.id,
        &Linked {
            tenant: tenant.slug.to_string(),
            dossier: old.dossier.to_string(),
        },
    )?;
    Ok(Some(Outcome::Registered {
        number: found.dossier.number().clone(),
    }))
}

/// A valid online submission: the files (each with the label of its
/// field), the form, and how to render its cerere once the files are
/// stored.
pub struct Online<'a> {
    /// The institution.
    pub tenant: &'a Tenant,
    /// The document type.
    pub document_type: &'a DocumentType,
    /// The validated form.
    pub form: FormData,
    /// The files, checked by content, with their field's label.
    pub files: Vec<(String, Scan)>,
}

/// Stores the files, renders the cerere (`render`, given the form and the
/// stored files)
/// and registers it, or keeps it when the type has a fee (to be paid first)
/// or asks for the citizen's qualified signature (then nothing is registered
/// yet).
///
/// A claimed key's attempt registers only before its `register_by`, read
/// on `clock` just before (past it: [`crate::Error::Conflict`], nothing
/// registered), and under its dossier id.
pub async fn submit_online(
    store: &Store,
    out: &Outbound,
    (account, attempt): (&Account, Attempt),
    online: Online<'_>,
    render: impl FnOnce(&FormData, &[(String, Attachment)]) -> crate::Result<Vec<u8>>,
    (now, clock): (DateTime<Utc>, fn() -> DateTime<Utc>),
) -> crate::Result<Outcome> {
    let Online {
        tenant,
        document_type: ty,
        form,
        files,
    } = online;
    let scope = TenantScope::new(&tenant.slug);
    let mut stored: Vec<(String, Attachment)> = Vec::new();
    for (label, scan) in files {
        stored.push((label, dossiers::store_file(&out.files, &scope, scan).await?));
    }
    let cerere = Scan {
        name: OriginalName::parse("cerere.pdf").expect("a valid name"),
        media_type: MediaType::Pdf,
        data: render(&form, &stored)?,
    };
    let cerere = dossiers::store_file(&out.files, &scope, cerere).await?;
    if ty.fee_bani > 0 {
        keep_pending(account, (tenant, ty), &form, (&stored, &cerere), now)?;
        return Ok(Outcome::AwaitingPayment {
            cerere: cerere.sha256,
        });
    }
    if ty.signature == SignatureRequirement::Qualified {
        keep_pending(account, (tenant, ty), &form, (&stored, &cerere), now)?;
        return Ok(Outcome::AwaitingSignature {
            cerere: cerere.sha256,
        });
    }
    let mut all = vec![cerere];
    all.extend(stored.into_iter().map(|(_, a)| a));
    let submission = Submission {
        document_type: ty.code.clone(),
        form,
        files: all,
        note: None,
    };
    if attempt.register_by.is_some_and(|by| clock() >= by) {
        return Err(crate::Error::Conflict);
    }
    let registered = (tenant, attempt.dossier);
    let dossier = register_online_as(store, out, account, registered, submission, now).await?;
    Ok(Outcome::Registered {
        number: dossier.number().clone(),
    })
}

/// Keeps a request until its fee is paid and/or the citizen signs it
/// ([`crate::signing::citizen`] registers it then), with the type's fee
/// now.
fn keep_pending(
    account: &Account,
    (tenant, ty): (&Tenant, &DocumentType),
    form: &FormData,
    (stored, cerere): (&[(String, Attachment)], &Attachment),
    now: DateTime<Utc>,
) -> crate::Result<()> {
    let record = format!(
        "{}/{}/{}",
        tenant.slug,
        ty.code.as_str(),
        cerere.sha256.to_hex()
    );
    keep_awaiting_request(
        &account.id,
        &AwaitingRequest {
            tenant: tenant.slug.to_string(),
            document_type: ty.code.as_str().to_owned(),
            form: form
                .pairs()
                .iter()
                .map(|(n, v)| (n.as_str().to_owned(), v.clone()))
                .collect(),
            cerere: attachment_to_stored(cerere),
            attachments: stored
                .iter()
                .map(|(_, a)| attachment_to_stored(a))
                .collect(),
            created_at: now,
            fee_bani: ty.fee_bani,
            qualified: ty.signature == SignatureRequirement::Qualified,
        },
    )?;
    keep_awaiting_signature(&account.id, &record)?;
    Ok(())
}
