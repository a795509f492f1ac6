//! Rules of the signer's batch beyond who may sign
//! ([`crate::permissions::authorize_signing`]): how long a part signed
//! asynchronously by the signing service is waited for.

use chrono::{DateTime, TimeDelta, Utc};

/// How long a part waits for the service's result. A CSC service answers an
/// asynchronous signHash in seconds; one that has not in this long lost it
/// (or its delivery failed, which the sandbox does not retry).
pub const RESULT_LIMIT: TimeDelta = TimeDelta::minutes(15);

/// How long a claimed result may take to apply: well past the host's request
/// deadline (30 s), so a claim this old belongs to a request that died.
pub const APPLY_LIMIT: TimeDelta = TimeDelta::minutes(2);

/// Whether an asynchronous part sent at `sent` (if known) whose result was
/// claimed for applying at `claimed` (if it was) will not complete any more
/// on `now`: its result never came ([`RESULT_LIMIT`]) or the request applying
/// it died ([`APPLY_LIMIT`]). A part whose sending time is unknown (stored
/// before it was kept) is never given up by this rule.
#[must_use]
pub fn part_lost(
    sent: Option<DateTime<Utc>>,
    claimed: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    match (claimed, sent) {
        (Some(claimed), _) => now - claimed > APPLY_LIMIT,
        (None, Some(sent)) => now - sent > RESULT_LIMIT,
        (None, None) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_is_lost_when_its_result_never_came_or_its_claim_died() {
        let now: DateTime<Utc> = "2026-11-23T10:00:00Z".parse().unwrap();
        let ago = |minutes: Option<i64>| minutes.map(|m| now - TimeDelta::minutes(m));
        let lost =
            |sent: Option<i64>, claimed: Option<i64>| part_lost(ago(sent), ago(claimed), now);
        // Waiting for the service: 15 minutes.
        assert!(!lost(Some(1), None));
        assert!(!lost(Some(14), None));
        assert!(lost(Some(16), None));
        // Claimed: applying takes at most the request deadline; 2 minutes.
        assert!(!lost(Some(16), Some(1)));
        assert!(lost(Some(3), Some(3)));
        // Stored before the times were kept: never given up by itself.
        assert!(!lost(None, None));
    }
}
