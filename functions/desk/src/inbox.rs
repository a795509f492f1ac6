//! `GET /desk`: the inboxes (mine, department, to sign, all open, registry)
//! with filters, sorted by deadline.

use chrono::{DateTime, NaiveDate, Utc};
use ghiseu_core::inbox::{InboxDue, InboxStatus, InboxView};
use ghiseu_core::regno::registration_year;
use ghiseu_core::{Actor, DossierStatus, PublicNames, RegistrationNumber, Tenant};
use ghiseu_platform::http::{Response, form_field as field, parse_form, secure_html};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;
use http::StatusCode;

use crate::error::DeskError;
use crate::pages::{self, InboxForm};
use crate::session::Signed;

/// What an inbox shows: whose dossiers, and which of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxFilter {
    /// Whose dossiers (`view=`).
    pub view: InboxView,
    /// A department code (for `view=department`; default: the official's).
    pub department: Option<String>,
    /// An internal status (`status=`).
    pub status: Option<InboxStatus>,
    /// A document type code.
    pub document_type: Option<String>,
    /// `overdue` or `week` (`due=`).
    pub due: Option<InboxDue>,
}

impl InboxFilter {
    /// Reads the query string; the default view depends on the role.
    pub fn parse(query: &str, actor: &Actor) -> Self {
        let q = parse_form(query.as_bytes());
        let get = |k: &str| field(&q, k);
        Self {
            view: get("view")
                .and_then(InboxView::parse)
                .unwrap_or_else(|| InboxView::default_for(actor)),
            department: get("department").map(str::to_owned),
            status: get("status").map(InboxStatus::parse),
            document_type: get("document_type").map(str::to_owned),
            due: get("due").and_then(InboxDue::parse),
        }
    }

    /// Whether `s` belongs in `actor`'s inbox on `today`.
    pub fn keeps(&self, s: &repo::Summary, actor: &Actor, today: NaiveDate) -> bool {
        let own_department = actor.department.as_ref().map(|d| d.as_str());
        let ok_view = match self.view {
            InboxView::Mine => s.official.as_deref() == Some(actor.username.as_str()),
            InboxView::Department => {
                let dep = self.department.as_deref().or(own_department);
                dep.is_some_and(|d| s.department == d)
            }
            InboxView::Signature => s.status == DossierStatus::AwaitingSignature.code(),
            InboxView::All | InboxView::Registry => {
                self.department.as_deref().is_none_or(|d| s.department == d)
            }
        };
        let days_left = ghiseu_core::deadline::days_left(s.deadline, today);
        ok_view
            && self.status.is_none_or(|st| st.keeps(&s.status))
            && self
                .document_type
                .as_deref()
                .is_none_or(|t| s.document_type == t)
            && self.due.is_none_or(|d| d.keeps(days_left))
    }

    /// The filter as the inbox's form shows it.
    pub fn form(&self) -> InboxForm<'_> {
        InboxForm {
            view: self.view,
            department: self.department.as_deref(),
            status: self.status,
            document_type: self.document_type.as_deref(),
            due: self.due,
        }
    }
}

/// The year's newest registrations (open or not), and the numbers taken
/// without a dossier recorded.
async fn registry(
    store: &Store,
    tenant: &Tenant,
    now: DateTime<Utc>,
) -> Result<(Vec<repo::Summary>, Vec<String>), DeskError> {
    let scope = TenantScope::new(&tenant.slug);
    let year = registration_year(now);
    let (mut rows, mut unused) = (Vec::new(), Vec::new());
    for (seq, id) in repo::recent_registrations(store, &scope, year, 100).await? {
        let found = match id {
            Some(id) => repo::get_dossier(store, &scope, &id).await?,
            None => None,
        };
        match found {
            Some(v) => rows.push(repo::Summary::of(&v.dossier)),
            None => unused.extend(
                RegistrationNumber::new(tenant.registration_prefix.clone(), year, seq)
                    .ok()
                    .map(|n| n.to_string()),
            ),
        }
    }
    Ok((rows, unused))
}

/// `GET /desk`: the inbox, open dossiers sorted by deadline; `view=registry`
/// lists the year's newest registrations instead (open or not).
pub async fn inbox(store: &Store, signed: &Signed, query: &str) -> Result<Response, DeskError> {
    let scope = TenantScope::new(&signed.tenant.slug);
    let filter = InboxFilter::parse(query, &signed.actor);
    let now = ghiseu_platform::config::now();
    let today = ghiseu_core::calendar::local_date(now);
    let (mut rows, unused) = if filter.view == InboxView::Registry {
        registry(store, &signed.tenant, now).await?
    } else {
        (repo::open_dossiers(store, &scope).await?, Vec::new())
    };
    rows.retain(|s| filter.keeps(s, &signed.actor, today));
    if filter.view != InboxView::Registry {
        rows.sort_by(|a, b| a.deadline.cmp(&b.deadline).then(a.number.cmp(&b.number)));
    }
    let departments = repo::departments(store, &scope).await?;
    let types = repo::document_types(store, &scope).await?;
    let names = PublicNames::of(&departments, &repo::officials(store, &scope).await?);
    Ok(secure_html(
        StatusCode::OK,
        pages::inbox(
            signed.viewer(),
            &filter.form(),
            pages::Listing {
                rows: &rows,
                unused: &unused,
            },
            &departments,
            &types,
            &names,
            today,
        ),
    ))
}
