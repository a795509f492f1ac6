//! Fixed-window limits of what a citizen or a client does (codes sent,
//! registrations, claims, and online submissions against their
//! institution's quotas), over [`ghiseu_platform::rate_limit`].

use chrono::{DateTime, Utc};
use ghiseu_core::TenantSlug;
use ghiseu_core::quota::Limit;
use ghiseu_platform::Result;
use ghiseu_platform::keys::{self, STORE, TenantScope};
use ghiseu_platform::kv::Store;
use ghiseu_platform::rate_limit::{self, FixedWindow};
use ghiseu_platform::repo;

/// Counts one `what` event of `who` in the window of `now` and says whether
/// it is still within `limit` (increment-then-check: the event counts even
/// when it is refused).
pub fn within_limit(what: &str, who: &str, limit: FixedWindow, now: DateTime<Utc>) -> Result<bool> {
    let key = keys::citizen::throttle(what, who, limit.window(now.timestamp()));
    Ok(rate_limit::hit(STORE, &key, limit)?.admitted)
}

/// Whether an online submission is within its institution's quotas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Within every quota: counted, go on.
    Admitted,
    /// Past `limit`: nothing is to change; the citizen may submit again in
    /// `retry_after` seconds (when that limit's window ends).
    Refused {
        /// The limit that refused.
        limit: Limit,
        /// Seconds until its window ends.
        retry_after: u64,
    },
}

/// Counts one online submission of `account` from `address` at `tenant`
/// against the institution's quotas, in [`Limit::ALL`]'s order, and decides
/// on each count (increment first: of any number of concurrent submissions,
/// exactly a limit's worth are admitted). A submission refused by one limit
/// is not counted against the ones after it.
pub async fn admit_submission(
    store: &Store,
    tenant: &TenantSlug,
    (account, address): (&str, &str),
    now: DateTime<Utc>,
) -> Result<Admission> {
    let scope = TenantScope::new(tenant);
    let quota = repo::submission_quota(store, &scope).await?;
    for limit in Limit::ALL {
        let window = FixedWindow::new(i64::from(quota.get(limit)), limit.window_secs());
        let who = if limit.per_account() {
            account
        } else {
            address
        };
        let key = scope.submissions(limit.code(), who, window.window(now.timestamp()));
        if !rate_limit::hit(STORE, &key, window)?.admitted {
            return Ok(Admission::Refused {
                limit,
                retry_after: window.retry_after(now.timestamp()),
            });
        }
    }
    Ok(Admission::Admitted)
}
