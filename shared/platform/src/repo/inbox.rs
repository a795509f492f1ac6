//! The inbox index: a summary of every open dossier of a tenant, so that the
//! inboxes never read the dossiers themselves, and the lookup of a dossier by
//! its registration number.
//!
//! | key | value |
//! | --- | --- |
//! | `t/{slug}/open` | the open list: a summary of every open dossier and the last closed ids (leased replace) |
//!
//! [`dossier_by_number`] reads `t/{slug}/index/{year}/{seq}` and the dossier
//! it names.

use ghiseu_core::{Dossier, DossierId, RegistrationNumber};
use serde::{Deserialize, Serialize};

use super::dossiers::get_dossier;
use super::get_json;
use crate::Result;
use crate::keys::{STORE, TenantScope};
use crate::kv::{self, Store};

/// What an inbox shows of an open dossier; kept in one list per tenant
/// (`t/{tenant}/open`), updated with a leased replace after every change of a
/// dossier, so the inboxes never read the dossiers themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// The dossier id.
    pub id: String,
    /// Its registration number.
    pub number: String,
    /// Its document type code.
    pub document_type: String,
    /// Its internal status code.
    pub status: String,
    /// The department holding it.
    pub department: String,
    /// The official holding it.
    pub official: Option<String>,
    /// The legal deadline.
    pub deadline: chrono::NaiveDate,
    /// When it was registered.
    pub registered_at: chrono::DateTime<chrono::Utc>,
    /// How many route events it had: a summary never replaces a newer one.
    pub events: usize,
}

impl Summary {
    /// The summary of `d`.
    #[must_use]
    pub fn of(d: &Dossier) -> Self {
        Self {
            id: d.id().to_string(),
            number: d.number().to_string(),
            document_type: d.document_type().to_string(),
            status: d.status().code().to_owned(),
            department: d.current_department().to_string(),
            official: d.current_official().map(ToString::to_string),
            deadline: d.deadline(),
            registered_at: d.registered_at(),
            events: d.route().len(),
        }
    }
}

/// The stored open list: summaries of open dossiers, and the most recently
/// closed ones (id, event count) so that a late, older summary of a dossier
/// closed meanwhile cannot reopen it.
#[derive(Debug, Default, Serialize, Deserialize)]
struct OpenList {
    open: Vec<Summary>,
    closed: Vec<(String, usize)>,
}

/// Closed dossiers remembered in the open list.
const CLOSED_MEMORY: usize = 512;

/// Puts `dossier`'s summary into the open list, or takes it out once the
/// dossier is closed. A summary older than the listed one changes nothing, so
/// concurrent writers converge on the newest state.
pub fn index_open(scope: &TenantScope, dossier: &Dossier) -> Result<()> {
    index_open_many(scope, std::slice::from_ref(dossier))
}

/// [`index_open`] of several dossiers in one leased replace of the list (a
/// signing batch settles many at once).
pub fn index_open_many(scope: &TenantScope, dossiers: &[Dossier]) -> Result<()> {
    if dossiers.is_empty() {
        return Ok(());
    }
    let changes: Vec<(Summary, bool)> = dossiers
        .iter()
        .map(|d| (Summary::of(d), d.status().is_terminal()))
        .collect();
    kv::update_json(STORE, &scope.open_dossiers(), |list: &mut OpenList| {
        let mut changed = false;
        for (summary, closed) in &changes {
            changed |= apply_summary(list, summary, *closed);
        }
        changed
    })
}

/// Puts one dossier's summary into the open list; whether anything changed.
fn apply_summary(list: &mut OpenList, summary: &Summary, closed: bool) -> bool {
    if list.closed.iter().any(|(id, _)| *id == summary.id) {
        return false;
    }
    let at = list.open.iter().position(|s| s.id == summary.id);
    if let Some(i) = at
        && list.open[i].events >= summary.events
    {
        return false;
    }
    if closed {
        if let Some(i) = at {
            list.open.remove(i);
        }
        list.closed.push((summary.id.clone(), summary.events));
        if list.closed.len() > CLOSED_MEMORY {
            list.closed.remove(0);
        }
    } else if let Some(i) = at {
        list.open[i] = summary.clone();
    } else {
        list.open.push(summary.clone());
    }
    true
}

/// The dossier of the tenant registered as `number`, if any.
pub async fn dossier_by_number(
    store: &Store,
    scope: &TenantScope,
    number: &RegistrationNumber,
) -> Result<Option<Dossier>> {
    let Some(bytes) = store
        .get(&scope.index_entry(number.year(), number.seq()))
        .await?
    else {
        return Ok(None);
    };
    let Some(id) = std::str::from_utf8(&bytes)
        .ok()
        .and_then(|s| DossierId::parse(s).ok())
    else {
        return Ok(None);
    };
    Ok(get_dossier(store, scope, &id)
        .await?
        .map(|v| v.dossier)
        .filter(|d| d.number() == number))
}

/// The summaries of the tenant's open dossiers.
pub async fn open_dossiers(store: &Store, scope: &TenantScope) -> Result<Vec<Summary>> {
    let list: Option<OpenList> = get_json(store, &scope.open_dossiers()).await?;
    Ok(list.map(|l| l.open).unwrap_or_default())
}
