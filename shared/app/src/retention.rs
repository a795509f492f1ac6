//! Retention (issue 20, item 3): erasing the personal data and the files of
//! the dossiers whose retention has passed. The rule and what is erased and
//! kept are [`ghiseu_core::retention`]'s; the log is
//! [`ghiseu_platform::repo::ErasureEntry`].
//!
//! Called by a scheduler (`POST /api/v1/platform/retention/run`, once a day;
//! a Kubernetes CronJob, and a periodic step of `cargo xtask up`). A call
//! reads at most `max_tenants` tenants in slug order after `after` and names
//! the last one read as `next` when more remain, like the reminders.
//!
//! For each tenant, every dossier is read once (year by year, a batch at a
//! time): the files of the dossiers that are kept are noted (a file is
//! content-addressed per tenant, so two dossiers may hold the same one, and
//! it is deleted only when no kept dossier holds it). Then each due dossier
//! is erased in this order, each step safe to repeat:
//!
//! 1. the citizen accounts owning its phone number or e-mail address (the
//!    account that submitted it, or claimed it with a code sent there) lose
//!    their link to it (leased update of the account's list) — first, as the
//!    contact is what finds them;
//! 2. the record is replaced by the erased one (leased replace against the
//!    bytes read: of two runs at once one writes, the other finds it erased
//!    and only finishes);
//! 3. its files are deleted from the object store (deleting an absent object
//!    succeeds), the public tracking snapshot is rewritten from the erased
//!    record (the public route without notes), and
//! 4. its entry is appended to the retention log, last: an entry means done.
//!
//! A run that dies after step 2 leaves an erased record without a log
//! entry, which the next run finds and finishes with steps 3 and 4. Running
//! again erases nothing more: an erased dossier is never due again.
//!
//! A file is deleted only when no kept dossier holds it and its object was
//! last written before the dossier closed: the same bytes stored again
//! since (by a dossier registered after the survey, or by a citizen's
//! request still waiting for its signature, whose files are stored the same
//! way and which no dossier names yet) give the object a newer time, and it
//! is kept.
//!
//! Limits, known: bytes stored again between that check and the delete (a
//! moment) lose their object; the access records of the dossier (who opened which file,
//! hash-chained, written once) keep the file names the officials opened; an
//! account that changed its phone and e-mail since keeps its link (the link
//! holds only the tenant and the dossier's id, and the dossier nothing
//! personal). A call reads every dossier of its tenants.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Utc};
use ghiseu_core::calendar::local_date;
use ghiseu_core::citizen::Contact;
use ghiseu_core::document_type::TypeVersion;
use ghiseu_core::retention;
use ghiseu_core::{DocumentTypeCode, Dossier, DossierId, Sha256Digest, Tenant, TenantSlug};
use ghiseu_platform::keys::{CitizenKeys, STORE, TenantScope};
use ghiseu_platform::kv::{self, Store};
use ghiseu_platform::repo::{self, ErasureEntry, UpdateOutcome};
use ghiseu_platform::s3::S3Client;
use serde::Serialize;

use crate::Result;
use crate::citizen::{Linked, account_by_contact};
use crate::dossiers::publish;

/// One dossier erased (or finished) by a call, as the call's report names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Erased {
    /// The tenant's slug.
    pub tenant: String,
    /// What the retention log holds of it.
    #[serde(flatten)]
    pub entry: ErasureEntry,
}

/// What one call did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Tenants read.
    pub tenants: u32,
    /// Dossiers read.
    pub dossiers: u32,
    /// Dossiers erased or finished by this call, each once.
    pub erased: Vec<Erased>,
    /// Objects deleted from the object store.
    pub objects_deleted: u32,
    /// Files of erased dossiers kept because a kept dossier holds the same.
    pub objects_kept_shared: u32,
    /// Files of erased dossiers kept because the same bytes were stored
    /// again after the dossier closed (a new dossier registered since the
    /// survey, a citizen's request waiting for its signature).
    pub objects_kept_reused: u32,
    /// Dossiers whose erasure is left to the next call (a dossier changed
    /// while it was erased, or its document type's version is missing).
    pub deferred: u32,
    /// The last tenant read when more remain (pass it as `after`), else `None`.
    pub next: Option<String>,
}

/// Erases what is due on `now` (Romania's date) in up to `max_tenants`
/// tenants whose slug comes after `after`.
pub async fn run(
    store: &Store,
    s3: &S3Client,
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
        // An institution that left the platform keeps its archive: its
        // dossiers are erased on time too.
        let Some(tenant) = repo::get_tenant(store, slug).await? else {
            continue;
        };
        tenant_run(store, s3, &tenant, now, &mut report).await?;
    }
    Ok(report)
}

/// How much later than a dossier's closing its file must have been written
/// to count as stored again by someone else: more than the clocks of the
/// object store and of the platform may differ.
const REUSE_MARGIN: chrono::Duration = chrono::Duration::minutes(10);

/// What one pass over a tenant's dossiers found.
#[derive(Default)]
struct Survey {
    /// Files held by dossiers that are kept.
    kept_files: HashSet<Sha256Digest>,
    /// Dossiers due for erasure.
    due: Vec<DossierId>,
    /// Erased dossiers, with the year of their erasure (to check the log).
    erased: Vec<(DossierId, i32)>,
    /// Dossiers whose type version was not found.
    unknown_type: u32,
    /// Dossiers read.
    read: u32,
}

async fn survey(store: &Store, scope: &TenantScope, now: DateTime<Utc>) -> Result<Survey> {
    let today = local_date(now);
    let years = retention_years(store, scope).await?;
    let mut s = Survey::default();
    let last_year = u16::try_from(today.year()).unwrap_or(u16::MAX);
    repo::for_each_dossier(store, scope, last_year, |d| {
        s.read += 1;
        if let Some(erasure) = d.erasure() {
            s.erased.push((d.id(), repo::log_year(erasure.at)));
            return;
        }
        let key = (d.document_type().clone(), d.document_type_version());
        match years.get(&key) {
            Some(&y) if retention::is_due(&d, y, today) => s.due.push(d.id()),
            Some(_) => s
                .kept_files
                .extend(retention::files(&d).iter().map(|a| a.sha256)),
            None => {
                // Without its retention the dossier is kept, files and all.
                s.unknown_type += 1;
                s.kept_files
                    .extend(retention::files(&d).iter().map(|a| a.sha256));
            }
        }
    })
    .await?;
    Ok(s)
}

/// The retention years of every version of every type of the tenant.
async fn retention_years(
    store: &Store,
    scope: &TenantScope,
) -> Result<HashMap<(DocumentTypeCode, TypeVersion), u16>> {
    let mut out = HashMap::new();
    for code in repo::document_type_codes(store, scope).await? {
        let mut version = TypeVersion::FIRST;
        while let Some(t) = repo::document_type_version(store, scope, &code, version).await? {
            out.insert((code.clone(), version), t.retention_years);
            version = version.next();
        }
    }
    Ok(out)
}

async fn tenant_run(
    store: &Store,
    s3: &S3Client,
    tenant: &Tenant,
    now: DateTime<Utc>,
    report: &mut Report,
) -> Result<()> {
    let scope = TenantScope::new(&tenant.slug);
    let survey = survey(store, &scope, now).await?;
    report.dossiers += survey.read;
    report.deferred += survey.unknown_type;
    let mut logged: HashMap<i32, HashSet<String>> = HashMap::new();
    for (id, year) in &survey.erased {
        if !logged.contains_key(year) {
            let ids = repo::erasure_log(store, &scope, *year)
                .await?
                .into_iter()
                .map(|e| e.dossier)
                .collect();
            logged.insert(*year, ids);
        }
        if logged[year].contains(&id.to_string()) {
            continue;
        }
        // Erased by a run that died before its log entry: finish it.
        if let Some(v) = repo::get_dossier(store, &scope, id).await? {
            finish(store, s3, tenant, &v.dossier, &survey.kept_files, report).await?;
        }
    }
    for id in &survey.due {
        erase_one(store, s3, tenant, id, &survey.kept_files, now, report).await?;
    }
    Ok(())
}

async fn erase_one(
    store: &Store,
    s3: &S3Client,
    tenant: &Tenant,
    id: &DossierId,
    kept_files: &HashSet<Sha256Digest>,
    now: DateTime<Utc>,
    report: &mut Report,
) -> Result<()> {
    let scope = TenantScope::new(&tenant.slug);
    let Some(read) = repo::get_dossier(store, &scope, id).await? else {
        return Ok(());
    };
    let erased = if read.dossier.erasure().is_some() {
        // Another run erased it since the survey.
        read.dossier.clone()
    } else {
        unlink_accounts(store, &read.dossier).await?;
        let erased = retention::erase(&read.dossier, now);
        match repo::update_dossier(&scope, &read, &erased)? {
            UpdateOutcome::Updated => erased,
            UpdateOutcome::Conflict => match repo::get_dossier(store, &scope, id).await? {
                Some(v) if v.dossier.erasure().is_some() => v.dossier,
                _ => {
                    report.deferred += 1;
                    return Ok(());
                }
            },
        }
    };
    finish(store, s3, tenant, &erased, kept_files, report).await
}

/// Removes the dossier from the "my documents" of every account owning its
/// phone number or e-mail address.
async fn unlink_accounts(store: &Store, dossier: &Dossier) -> Result<()> {
    let contact = dossier.contact();
    let contacts = contact
        .phone
        .clone()
        .map(Contact::Phone)
        .into_iter()
        .chain(contact.email.clone().map(Contact::Email));
    let link = Linked {
        tenant: dossier.tenant().to_string(),
        dossier: dossier.id().to_string(),
    };
    for c in contacts {
        let Some(account) = account_by_contact(store, &c).await? else {
            continue;
        };
        kv::update_json(
            STORE,
            &CitizenKeys::new(&account.id).dossiers(),
            |list: &mut Vec<Linked>| {
                let before = list.len();
                list.retain(|l| l != &link);
                list.len() != before
            },
        )?;
    }
    Ok(())
}

/// What became of one file of an erased dossier.
enum FileOutcome {
    /// Deleted now.
    Deleted,
    /// Stored again after the dossier closed: kept.
    Reused,
    /// Not there (deleted by an earlier run).
    Gone,
}

/// Deletes the object at `key` unless it was written after `reused_after`.
async fn delete_unless_reused(
    s3: &S3Client,
    key: &str,
    reused_after: DateTime<Utc>,
) -> Result<FileOutcome> {
    Ok(match s3.last_modified(key).await? {
        None => FileOutcome::Gone,
        Some(written) if written > reused_after => FileOutcome::Reused,
        Some(_) => {
            s3.delete_object(key).await?;
            FileOutcome::Deleted
        }
    })
}

/// Steps 3 and 4 for an erased dossier: its files, its tracking snapshot,
/// its log entry.
async fn finish(
    store: &Store,
    s3: &S3Client,
    tenant: &Tenant,
    erased: &Dossier,
    kept_files: &HashSet<Sha256Digest>,
    report: &mut Report,
) -> Result<()> {
    let scope = TenantScope::new(&tenant.slug);
    let entry = ErasureEntry::of(erased).ok_or_else(|| {
        crate::error::corrupt(
            &scope.dossier(&erased.id()),
            "an erased dossier is closed and carries its erasure",
        )
    })?;
    // Files are stored before the event that records them, so before the
    // closing; one written later holds the same bytes for someone else.
    let reused_after = erased.updated_at() + REUSE_MARGIN;
    for file in retention::files(erased) {
        let key = scope.attachment_object(&file.sha256);
        if kept_files.contains(&file.sha256) {
            report.objects_kept_shared += 1;
            continue;
        }
        let outcome = match delete_unless_reused(s3, &key, reused_after).await {
            Ok(outcome) => outcome,
            // Another run deleting the same object at this very moment can
            // make a store that checks, then acts, fail once (the host's
            // embedded store does): a second look finds it gone.
            Err(e) => {
                eprintln!("retention: {key}: {e:?}; looking again");
                delete_unless_reused(s3, &key, reused_after).await?
            }
        };
        match outcome {
            FileOutcome::Deleted => report.objects_deleted += 1,
            FileOutcome::Reused => report.objects_kept_reused += 1,
            FileOutcome::Gone => {}
        }
    }
    publish::publish(store, tenant, erased).await?;
    repo::log_erasure(&scope, &entry)?;
    report.erased.push(Erased {
        tenant: tenant.slug.to_string(),
        entry,
    });
    Ok(())
}
