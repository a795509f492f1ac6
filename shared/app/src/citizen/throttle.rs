//! Fixed-window limits of what a citizen or a client does (codes sent,
//! registrations, claims), over [`ghiseu_platform::rate_limit`].

use chrono::{DateTime, Utc};
use ghiseu_platform::Result;
use ghiseu_platform::keys::{self, STORE};
use ghiseu_platform::rate_limit::{self, FixedWindow};

/// Counts one `what` event of `who` in the window of `now` and says whether
/// it is still within `limit` (increment-then-check: the event counts even
/// when it is refused).
pub fn within_limit(what: &str, who: &str, limit: FixedWindow, now: DateTime<Utc>) -> Result<bool> {
    let key = keys::citizen::throttle(what, who, limit.window(now.timestamp()));
    Ok(rate_limit::hit(STORE, &key, limit)?.admitted)
}
