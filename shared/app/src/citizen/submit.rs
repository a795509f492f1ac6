//! A citizen's online submission: the active document type it is for, the
//! submission run once per idempotency key ([`once`]), its files and cerere
//! stored ([`submit_online`]), and its registration through the one
//! registration path with the citizen as the actor, linked to their account
//! — or, for a type with a fee or one that needs a qualified signature, kept
//! until paid ([`super::fees`]) and signed.

use chrono::{DateTime, Utc};
use ghiseu_core::citizen::Account;
use ghiseu_core::dossier::OriginalName;
use ghiseu_core::form::FormData;
use ghiseu_core::idempotency::{
    IdempotencyKey, IdempotencyState, NextAction, Outcome, next_action,
};
use ghiseu_core::stored::attachment_to_stored;
use ghiseu_core::{
    Attachment, Channel, CitizenContact, DocumentType, DocumentTypeCode, Dossier, InternalNote,
    MediaType, SignatureRequirement, Tenant, TenantSlug,
};
use ghiseu_platform::Outbound;
use ghiseu_platform::keys::{CitizenKeys, STORE, TenantScope};
use ghiseu_platform::kv::{self, InsertOutcome, Store};
use ghiseu_platform::repo;

use super::{
    AwaitingRequest, Linked, keep_awaiting_request, keep_awaiting_signature, link_dossier,
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
    let dossier = dossiers::register(
        store,
        out,
        tenant,
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

/// Where a submission with an idempotency key is.
#[derive(Debug)]
pub enum Submitted {
    /// It finished (now, or in the request that first used the key).
    Done(Outcome),
    /// The request that first used the key has not finished.
    InProgress,
}

/// Runs `submit` once per idempotency `key` of `account`: the first request
/// with a key claims it (`pending`), a retry answers what the first one
/// produced. A submission that fails releases its key: nothing was
/// registered, so the key may be used again. Without a key, `submit` runs.
pub async fn once(
    store: &Store,
    account: &Account,
    key: Option<&IdempotencyKey>,
    submit: impl Future<Output = crate::Result<Outcome>>,
) -> crate::Result<Submitted> {
    let claim = match key {
        Some(k) => {
            let marker = CitizenKeys::new(&account.id).idempotency(&k.digest());
            let pending = IdempotencyState::Pending.to_stored();
            match kv::insert_new(STORE, &marker, pending.as_bytes())? {
                InsertOutcome::Inserted => Some(marker),
                InsertOutcome::Exists(v) => {
                    return Ok(match next_action(Some(&IdempotencyState::read(&v))) {
                        NextAction::ReturnSavedResponse(outcome) => Submitted::Done(outcome),
                        NextAction::StartProcessing | NextAction::InProgress => {
                            Submitted::InProgress
                        }
                    });
                }
            }
        }
        None => None,
    };
    match (submit.await, claim) {
        (Ok(outcome), Some(marker)) => {
            let done = IdempotencyState::Finished(outcome.clone()).to_stored();
            store.set(&marker, done.as_bytes()).await?;
            Ok(Submitted::Done(outcome))
        }
        (Ok(outcome), None) => Ok(Submitted::Done(outcome)),
        (Err(e), marker) => {
            if let Some(m) = marker {
                store.delete(&m).await?;
            }
            Err(e)
        }
    }
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
pub async fn submit_online(
    store: &Store,
    out: &Outbound,
    account: &Account,
    online: Online<'_>,
    render: impl FnOnce(&FormData, &[(String, Attachment)]) -> crate::Result<Vec<u8>>,
    now: DateTime<Utc>,
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
    let dossier = register_online(store, out, account, tenant, submission, now).await?;
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
