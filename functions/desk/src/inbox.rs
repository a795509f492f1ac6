//! `GET /desk`: the inboxes (mine, department, to sign, all open, registry)
//! with filters, sorted by deadline.

use chrono::{DateTime, NaiveDate, Utc};
use ghiseu_app::dossiers::{self, Annulled, WithoutDossier};
use ghiseu_core::annulment::AnnulmentReason;
use ghiseu_core::inbox::{InboxDue, InboxStatus, InboxView};
use ghiseu_core::regno::registration_year;
use ghiseu_core::{Actor, DossierStatus, PublicNames, RegistrationNumber, Tenant};
use ghiseu_platform::http::{Response, form_field as field, parse_form, secure_html, see_other};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;
use http::StatusCode;

use crate::error::{DeskError, refuse_csrf};
use crate::pages::{self, InboxForm};
use crate::session::{Signed, csrf_ok};

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

/// The signing queue with the inbox's type and department filters.
fn signing_queue_url(filter: &InboxFilter) -> String {
    let keep = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
    let queue = pages::QueueFilter {
        document_type: keep(&filter.document_type),
        department: keep(&filter.department),
    };
    format!("/desk/sign{}", queue.query(""))
}

/// The year's newest registrations (open or not), and every number of the
/// year taken without a dossier.
async fn registry(
    store: &Store,
    tenant: &Tenant,
    now: DateTime<Utc>,
) -> Result<(Vec<repo::Summary>, Vec<WithoutDossier>), DeskError> {
    let scope = TenantScope::new(&tenant.slug);
    let year = registration_year(now);
    let mut rows = Vec::new();
    for (_, id) in repo::recent_registrations(store, &scope, year, 100).await? {
        let Some(id) = id else { continue };
        if let Some(v) = repo::get_dossier(store, &scope, &id).await? {
            rows.push(repo::Summary::of(&v.dossier));
        }
    }
    Ok((rows, dossiers::without_dossier(store, tenant, year).await?))
}

/// `POST /desk/registry/annul` (`csrf`, `number`, `reason`): records a
/// number of the registry taken without a dossier as annulled, then the
/// registry again. A number with a dossier, not taken, or annulled already,
/// and a reason that is not 3 to 300 characters on one line, are refused
/// and change nothing.
pub async fn annul(store: &Store, signed: &Signed, body: &[u8]) -> Result<Response, DeskError> {
    let form = parse_form(body);
    if !csrf_ok(signed, field(&form, "csrf")) {
        return Err(refuse_csrf());
    }
    let invalid =
        |name: &str, message: &str| DeskError::Invalid(vec![(name.to_owned(), message.to_owned())]);
    let number: RegistrationNumber = field(&form, "number")
        .unwrap_or_default()
        .trim()
        .parse()
        .map_err(|_| invalid("number", "Numărul de înregistrare nu este valid."))?;
    let reason =
        AnnulmentReason::parse(field(&form, "reason").unwrap_or_default()).map_err(|_| {
            invalid(
                "reason",
                "Motivul anulării are între 3 și 300 de caractere, pe un rând.",
            )
        })?;
    let now = ghiseu_platform::config::now();
    let who = (&signed.actor, &signed.tenant);
    let refused = |m: &str| Err(DeskError::NotAllowed(format!("{number}: {m}")));
    match dossiers::annul(store, who, &number, reason, now).await? {
        Annulled::Recorded => Ok(see_other("/desk?view=registry")),
        Annulled::NotTaken => refused("numărul nu a fost dat încă de registrul instituției."),
        Annulled::HasDossier => refused("numărul are dosar; nu se anulează."),
        Annulled::Already => refused("numărul a fost anulat deja; anularea rămâne cea dintâi."),
    }
}

/// `GET /desk`: the inbox, open dossiers sorted by deadline; `view=registry`
/// lists the year's newest registrations instead (open or not).
pub async fn inbox(store: &Store, signed: &Signed, query: &str) -> Result<Response, DeskError> {
    let scope = TenantScope::new(&signed.tenant.slug);
    let filter = InboxFilter::parse(query, &signed.actor);
    if filter.view == InboxView::Signature {
        // One signing queue: the inbox's "to sign" view is the signer's
        // queue; asked for by name, it moves there; as a signer's default
        // view, `/desk` shows it.
        if query.contains("view=") {
            return Ok(see_other(&signing_queue_url(&filter)));
        }
        let lang = ghiseu_platform::chrome::language(query, &http::HeaderMap::new(), None);
        return crate::signing::queue(store, signed, lang, query).await;
    }
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
