//! Forwarding a dossier to another institution: the receiving tenant's
//! dossier (its own number, the same files and contact, a link back).
//!
//! Two writes in two tenants, made safe by their order: the sending dossier
//! records `forwarded_to_institution` with the receiving dossier's id chosen
//! in advance (a leased replace, like any action), then
//! [`complete_forwarding`] creates that dossier under the receiving tenant's
//! prefix, its files copied there, with an `origin` link back. The creation
//! is idempotent and runs again whenever the sending dossier's page is
//! opened, so an interruption between the two writes is repaired. Publishing
//! either leg writes every leg's snapshot with the whole journey.

use chrono::{DateTime, Utc};
use ghiseu_core::dossier::{NewDossier, Origin};
use ghiseu_core::regno::registration_year;
use ghiseu_core::{
    DocumentType, DocumentTypeCode, Dossier, PublicNote, RegistrationNumber, RouteActor,
    TrackingToken,
};
use ghiseu_platform::Outbound;
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo::{self, TokenEntry};

use super::notify::notify_citizen;
use super::publish::publish;
use super::register::random16;
use crate::error::corrupt;
use crate::{Error, Result};

/// The receiving institution's document type a forwarded dossier continues
/// under: the same code if the receiving tenant has it, else its petition.
pub async fn receiving_type(
    store: &Store,
    scope: &TenantScope,
    code: &DocumentTypeCode,
) -> Result<Option<DocumentType>> {
    if let Some(t) = repo::document_type(store, scope, code).await? {
        return Ok(Some(t));
    }
    let petition = DocumentTypeCode::parse("petitie").expect("a valid code");
    Ok(repo::document_type(store, scope, &petition).await?)
}

/// Copies the files of `from` into the receiving tenant's files.
async fn copy_files(out: &Outbound, from: &Dossier, to_scope: &TenantScope) -> Result<()> {
    let from_scope = TenantScope::new(from.tenant());
    for a in from.attachments() {
        let key = from_scope.attachment_object(&a.sha256);
        let Some(bytes) = out.files.get_object(&key).await? else {
            return Err(corrupt(
                &key,
                "an attachment is missing from the object store",
            ));
        };
        out.files
            .put_object(
                &to_scope.attachment_object(&a.sha256),
                bytes,
                a.media_type.mime(),
            )
            .await?;
    }
    Ok(())
}

/// Makes sure the dossier `from` was forwarded into exists in the receiving
/// tenant: creates it (with its own number, the same files, contact and a
/// link back) when it does not. Idempotent, so an interrupted forwarding is
/// completed by the next call (the dossier page calls it too). `now` is when
/// the citizen's message is queued; the new dossier is registered at the
/// time of the forwarding.
pub async fn complete_forwarding(
    store: &Store,
    out: &Outbound,
    from: &Dossier,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some((to_tenant, to_id)) = from.forwarded_to() else {
        return Ok(());
    };
    let to_scope = TenantScope::new(to_tenant);
    if repo::get_dossier(store, &to_scope, to_id).await?.is_some() {
        return Ok(());
    }
    let tenant = repo::get_tenant(store, to_tenant)
        .await?
        .ok_or(Error::NotFound)?;
    let Some(doc_type) = receiving_type(store, &to_scope, from.document_type()).await? else {
        return Err(Error::NotAllowed(format!(
            "{} nu are un tip de document pentru acest dosar.",
            tenant.name.as_str()
        )));
    };
    copy_files(out, from, &to_scope).await?;
    let from_tenant = repo::get_tenant(store, from.tenant())
        .await?
        .ok_or(Error::NotFound)?;
    let forwarded_at = from.updated_at();
    let year = registration_year(forwarded_at);
    let seq = repo::next_sequence(&to_scope, year)?;
    let number = RegistrationNumber::new(tenant.registration_prefix.clone(), year, seq)
        .map_err(|e| Error::NotAllowed(e.to_string()))?;
    let note = PublicNote::parse(&format!(
        "Primit de la {}, nr. {}",
        from_tenant.name.as_str(),
        from.number()
    ))
    .ok();
    let new = NewDossier {
        id: *to_id,
        tenant: to_tenant.clone(),
        channel: from.channel(),
        number,
        token: TrackingToken::from_random(random16()?),
        attachments: from.attachments().to_vec(),
        note: None,
        contact: from.contact().clone(),
        public_note: note,
        origin: Some(Origin {
            tenant: from.tenant().clone(),
            dossier: from.id(),
            number: from.number().clone(),
        }),
        form: from.form().clone(),
    };
    let dossier = Dossier::register(new, &doc_type, RouteActor::System, forwarded_at);
    if !repo::create_dossier_once(&to_scope, &dossier)? {
        // Someone completed it meanwhile; the number just taken stays unused.
        return Ok(());
    }
    repo::put_index_entry(store, &to_scope, year, seq, to_id).await?;
    repo::put_token(
        store,
        dossier.token(),
        &TokenEntry {
            tenant: to_tenant.to_string(),
            dossier: to_id.to_string(),
        },
    )
    .await?;
    repo::index_open(&to_scope, &dossier)?;
    publish(store, &tenant, &dossier).await?;
    notify_citizen(store, out.notify.as_ref(), &tenant, &dossier, None, now).await;
    Ok(())
}
