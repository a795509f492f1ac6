//! Telling the citizen about their dossier: one message per contact they
//! left (SMS, e-mail), queued in the outbox and tried at once.

use chrono::{DateTime, Utc};
use ghiseu_core::public_view::status_label;
use ghiseu_core::{Dossier, Lang, PublicStatus, Tenant};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::notify::{Channel, Gateway, Message};
use ghiseu_platform::repo;

use crate::notify::{Report, dispatch_due, send_now};

/// The messages telling the citizen about `d` (just registered when
/// `before` is `None`, else its public status changed from `before`): one
/// per contact the citizen left (SMS to the phone, e-mail to the address),
/// with the tracking link. Ids are derived from the dossier and its route
/// length, so recording them twice sends them once.
pub fn citizen_messages(
    tenant: &Tenant,
    d: &Dossier,
    title: &str,
    before: Option<PublicStatus>,
) -> Vec<Message> {
    let lang = d.contact().lang.unwrap_or(Lang::Ro);
    let url = tenant.public_base_url.tracking_url(d.token());
    let institution = tenant.name.as_str();
    let number = d.number();
    let status = status_label(PublicStatus::from(d.status()), lang);
    let (on, due) = (
        d.registered_on().format("%d.%m.%Y").to_string(),
        d.deadline().format("%d.%m.%Y").to_string(),
    );
    let (subject, text) = match (before, lang) {
        (None, Lang::Ro) => (
            format!("{institution}: cererea nr. {number} a fost înregistrată"),
            format!(
                "{institution}: cererea dvs. „{title}” a fost înregistrată cu nr. {number} \
                 din {on}. Termen de răspuns: {due}. Urmăriți-o: {url}"
            ),
        ),
        (None, Lang::Hu) => (
            format!("{institution}: kérelmét {number} számon iktatták"),
            format!(
                "{institution}: „{title}” kérelmét {on}-n {number} számon iktatták. \
                 Válaszadási határidő: {due}. Kövesse itt: {url}"
            ),
        ),
        (None, Lang::En) => (
            format!("{institution}: request no. {number} registered"),
            format!(
                "{institution}: your request \"{title}\" was registered as no. {number} on {on}. \
                 Deadline for the answer: {due}. Follow it: {url}"
            ),
        ),
        (Some(_), _) => {
            let extra = match (d.pending_question(), lang) {
                (Some((q, _)), Lang::Ro) => format!(" Vă rugăm să ne trimiteți: {q}."),
                (Some((q, _)), Lang::Hu) => format!(" Kérjük, küldje el: {q}."),
                (Some((q, _)), Lang::En) => format!(" Please send us: {q}."),
                (None, _) => String::new(),
            };
            let (dossier, follow) = match lang {
                Lang::Ro => ("dosarul nr.", "Urmăriți"),
                Lang::Hu => ("ügyirat", "Követés"),
                Lang::En => ("dossier no.", "Follow it"),
            };
            (
                format!("{institution}: {dossier} {number} — {status}"),
                format!("{institution}: {dossier} {number} — {status}.{extra} {follow}: {url}"),
            )
        }
    };
    let key = format!("{}-{}", d.id(), d.route().len());
    let contact = d.contact();
    let mut out = Vec::new();
    if let Some(phone) = &contact.phone {
        out.push(Message {
            id: format!("{key}-sms"),
            channel: Channel::Sms,
            to: phone.as_str().to_owned(),
            lang: lang.code().to_owned(),
            subject: subject.clone(),
            text: text.clone(),
        });
    }
    if let Some(email) = &contact.email {
        out.push(Message {
            id: format!("{key}-email"),
            channel: Channel::Email,
            to: email.as_str().to_owned(),
            lang: lang.code().to_owned(),
            subject,
            text,
        });
    }
    out
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
    let messages = citizen_messages(tenant, d, &title, before);
    if messages.is_empty() {
        return;
    }
    let Some(gateway) = gateway else {
        return;
    };
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
