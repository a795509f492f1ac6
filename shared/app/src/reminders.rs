//! Officials' daily deadline reminders (issue 19): for every tenant and
//! every active official with an e-mail address, one digest of the dossiers
//! assigned to them when any is overdue or due within
//! [`ghiseu_core::reminder::DUE_SOON_DAYS`] days, queued in the notification
//! outbox ([`ghiseu_platform::notify::enqueue`]) and delivered by its
//! dispatch, like the citizens' messages.
//!
//! Called by a scheduler (`POST /api/v1/platform/reminders/digest`, once a
//! day); any number of calls a day queue one digest per official: the first
//! increment of the counter `t/{slug}/reminders/{date}/{username}` (result 1)
//! queues it, any later one reports it skipped. The message id is derived
//! from the same tenant, official and date, so even a repeated enqueue is
//! kept once by the outbox and the gateway. A call that dies between the
//! increment and the enqueue costs that official that day's digest (a
//! reminder, not a record: tomorrow's lists the same dossiers again).
//!
//! Bounded work: a call reads at most `max_tenants` tenants (each one's
//! record, officials, inbox list and document types; no dossier is read) in
//! slug order after `after`, and names the last one read as `next`
//! when more remain, for the next call.

use chrono::{DateTime, Utc};
use ghiseu_core::calendar::local_date;
use ghiseu_core::reminder::{self, Addressee, Assigned};
use ghiseu_core::{DossierStatus, Lang, Official, Tenant, TenantSlug};
use ghiseu_platform::keys::{STORE, TenantScope};
use ghiseu_platform::kv::{self, Store};
use ghiseu_platform::notify::{self, Channel, Message};
use ghiseu_platform::repo::{self, Summary};
use serde::Serialize;

use crate::Result;

/// What one call did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Tenants read.
    pub tenants: u32,
    /// Active officials with an e-mail address among them.
    pub officials: u32,
    /// Digests queued.
    pub queued: u32,
    /// Officials with something due whose digest of the day was queued before.
    pub skipped: u32,
    /// The last tenant read when more remain (pass it as `after`), else `None`.
    pub next: Option<String>,
}

/// Queues today's digests (Romania's date at `now`) of up to `max_tenants`
/// tenants whose slug comes after `after`.
pub async fn queue_digests(
    store: &Store,
    after: Option<&TenantSlug>,
    max_tenants: usize,
    now: DateTime<Utc>,
) -> Result<Report> {
    let (slugs, next) = repo::tenant_page(store, after, max_tenants).await?;
    let mut report = Report {
        next,
        ..Report::default()
    };
    for slug in &slugs {
        report.tenants += 1;
        let Some(tenant) = repo::get_tenant(store, slug).await?.filter(|t| t.active) else {
            continue;
        };
        tenant_digests(store, &tenant, now, &mut report).await?;
    }
    Ok(report)
}

/// The digests of one tenant's officials.
async fn tenant_digests(
    store: &Store,
    tenant: &Tenant,
    now: DateTime<Utc>,
    report: &mut Report,
) -> Result<()> {
    let scope = TenantScope::new(&tenant.slug);
    let officials: Vec<Official> = repo::officials(store, &scope)
        .await?
        .into_iter()
        .filter(|o| o.active && o.email.is_some())
        .collect();
    if officials.is_empty() {
        return Ok(());
    }
    let open: Vec<Summary> = repo::open_dossiers(store, &scope)
        .await?
        .into_iter()
        .filter(|s| {
            DossierStatus::ALL
                .into_iter()
                .find(|st| st.code() == s.status)
                .is_some_and(reminder::awaits_the_institution)
        })
        .collect();
    let types = repo::document_type_catalogue(store, &scope).await?;
    let title = |code: &str, lang: Lang| {
        types
            .iter()
            .find(|(_, t)| t.code.as_str() == code)
            .map_or_else(|| code.to_owned(), |(_, t)| t.titles.get(lang).to_string())
    };
    let today = local_date(now);
    let base = tenant.public_base_url.as_str().trim_end_matches('/');
    for official in &officials {
        report.officials += 1;
        let lang = official.lang.unwrap_or_default();
        let mine: Vec<&Summary> = open
            .iter()
            .filter(|s| s.official.as_deref() == Some(official.username.as_str()))
            .collect();
        let texts: Vec<(String, String)> = mine
            .iter()
            .map(|s| {
                (
                    title(&s.document_type, lang),
                    format!("{base}/desk/dossiers/{}", s.id),
                )
            })
            .collect();
        let assigned: Vec<Assigned<'_>> = mine
            .iter()
            .zip(&texts)
            .map(|(s, (title, link))| Assigned {
                number: &s.number,
                title,
                deadline: s.deadline,
                link,
            })
            .collect();
        let inbox = format!("{base}/desk?view=mine");
        let to = Addressee {
            name: official.display_name.as_str(),
            institution: tenant.name.as_str(),
            inbox: &inbox,
        };
        let Some(digest) = reminder::digest(lang, &to, &assigned, today) else {
            continue;
        };
        // The first increment of the day queues; any later call skips.
        let key = scope.reminder_sent(today, &official.username);
        if kv::increment(STORE, &key, 1)? != 1 {
            report.skipped += 1;
            continue;
        }
        let Some(email) = &official.email else {
            continue;
        };
        let message = Message {
            id: format!("reminder-{}-{}-{today}", tenant.slug, official.username),
            channel: Channel::Email,
            to: email.as_str().to_owned(),
            lang: lang.code().to_owned(),
            subject: digest.subject,
            text: digest.text,
        };
        notify::enqueue(tenant.slug.as_str(), "", vec![message], now)?;
        report.queued += 1;
    }
    Ok(())
}
