//! Fixed-window counters of what a citizen or a client does (codes sent,
//! registrations, claims).

use chrono::{DateTime, Utc};
use ghiseu_platform::Result;
use ghiseu_platform::keys::{self, STORE};
use ghiseu_platform::kv;

/// Counts one event for `who` in the current window of `window_secs` and says
/// whether it is still within `limit`.
pub fn within_limit(
    what: &str,
    who: &str,
    window_secs: i64,
    limit: i64,
    now: DateTime<Utc>,
) -> Result<bool> {
    let window = now.timestamp().div_euclid(window_secs);
    let n = kv::increment(STORE, &keys::citizen::throttle(what, who, window), 1)?;
    Ok(n <= limit)
}
