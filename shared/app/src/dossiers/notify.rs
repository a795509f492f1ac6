//! Telling the citizen about their dossier: one message per contact they
//! left (SMS, e-mail), queued in the outbox and tried at once.

use chrono::{DateTime, Utc};
use ghiseu_core::notice::{self, About, Notice};
use ghiseu_core::{Dossier, Lang, PublicStatus, Tenant};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::notify::{Channel, Gateway, Message};
use ghiseu_platform::repo;

use crate::notify::{Report, dispatch_due, send_now};

/// The messages telling the citizen about `d` (just registered when
/// `before` is `None`, else its public status changed from `before`): one
/// per contact the citizen left (SMS to the phone, e-mail to the address),
/// in the citizen's language (Romanian when none was recorded), worded by
/// [`ghiseu_core::notice`] with the short tracking link; `title` is the
/// type's title in that language. Ids are derived from the dossier and its
/// route length, so recording them twice sends them once.
pub fn citizen_messages(
    tenant: &Tenant,
    d: &Dossier,
    title: &str,
    before: Option<PublicStatus>,
) -> Vec<Message> {
    let contact = d.contact();
    let lang = contact.lang.unwrap_or(Lang::Ro);
    let link = tenant.public_base_url.qr_url(d.token());
    let number = d.number().to_string();
    let about = About {
        institution: tenant.name.as_str(),
        title,
        number: &number,
        name: contact.name.as_ref().map(|n| n.as_str()),
        registered_on: d.registered_on(),
        deadline: d.deadline(),
        link: &link,
    };
    let Notice {
        subject,
        sms,
        email,
    } = match before {
        None => notice::registered(lang, &about),
        Some(_) => notice::status_changed(
            lang,
            &about,
            PublicStatus::from(d.status()),
            d.pending_question()
                .map(|(q, _)| q.as_str())
                .or_else(|| rejection_reason(d)),
        ),
    };
    let key = format!("{}-{}", d.id(), d.route().len());
    let mut out = Vec::new();
    if let Some(phone) = &contact.phone {
        out.push(Message {
            id: format!("{key}-sms"),
            channel: Channel::Sms,
            to: phone.as_str().to_owned(),
            lang: lang.code().to_owned(),
            subject: subject.clone(),
            text: sms,
        });
    }
    if let Some(email_address) = &contact.email {
        out.push(Message {
            id: format!("{key}-email"),
            channel: Channel::Email,
            to: email_address.as_str().to_owned(),
            lang: lang.code().to_owned(),
            subject,
            text: email,
        });
    }
    out
}

/// The reason given to the citizen when `d` was rejected: the public note of
/// its `rejected` event (the internal reason is never sent).
fn rejection_reason(d: &Dossier) -> Option<&str> {
    if d.status() != ghiseu_core::DossierStatus::Rejected {
        return None;
    }
    d.route()
        .events()
        .iter()
        .rev()
        .find(|e| matches!(e.event.kind, ghiseu_core::EventKind::Rejected { .. }))
        .and_then(|e| e.event.note.as_ref())
        .map(|n| n.as_str())
}

/// The messages telling the citizen about `d` ([`citizen_messages`]), with
/// the type's title in the citizen's language read from the type's version
/// (its code when that cannot be read).
pub async fn messages_about(
    store: &Store,
    tenant: &Tenant,
    d: &Dossier,
    before: Option<PublicStatus>,
) -> Vec<Message> {
    let scope = TenantScope::new(&tenant.slug);
    let title = match repo::document_type_version(
        store,
        &scope,
        d.document_type(),
        d.document_type_version(),
    )
    .await
    {
        Ok(Some(t)) => t
            .titles
            .get(d.contact().lang.unwrap_or(Lang::Ro))
            .to_string(),
        _ => d.document_type().to_string(),
    };
    citizen_messages(tenant, d, &title, before)
}

/// Queues the citizen's messages about `d` at `now` and tries to deliver
/// them through `gateway` (`None`: notifications are switched off, nothing is
/// queued). Never fails the caller: the change is already stored, and a
/// message that cannot be queued or delivered now is logged (and retried when
/// queued).
pub async fn notify_citizen(
    store: &Store,
    gateway: Option<&Gateway>,
    tenant: &Tenant,
    d: &Dossier,
    before: Option<PublicStatus>,
    now: DateTime<Utc>,
) {
    let Some(gateway) = gateway else {
        return;
    };
    let messages = messages_about(store, tenant, d, before).await;
    if messages.is_empty() {
        return;
    }
    let sent = send_now(
        store,
        gateway,
        tenant.slug.as_str(),
        &d.id().to_string(),
        messages,
        now,
    )
    .await;
    if let Err(e) = sent {
        eprintln!("notify: {}: {e}", d.number());
    }
}

/// Delivers up to `max` messages due at `now` (every pending one with
/// `retry_now`; nothing when notifications are off: `gateway` is `None`).
pub async fn dispatch_notifications(
    store: &Store,
    gateway: Option<&Gateway>,
    max: usize,
    retry_now: bool,
    now: DateTime<Utc>,
) -> ghiseu_platform::Result<Report> {
    match gateway {
        Some(gateway) => dispatch_due(store, gateway, now, max, retry_now).await,
        None => Ok(Report::default()),
    }
}
