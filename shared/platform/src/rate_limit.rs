//! Fixed-window rate limits: the one counter every limit of the platform is
//! built on (tracking lookups, public API calls, citizens' codes,
//! registrations and claims, failed sign-ins).
//!
//! A [`FixedWindow`] allows `limit` events in each window of `window_secs`
//! seconds, windows numbered from the epoch ([`FixedWindow::window`]). Each
//! subject has one counter a window in the key-value store, under a key that
//! [`crate::keys`] builds from the window's number (so a new window starts at
//! zero without anyone resetting it), counted with the store's atomic
//! increment. Counters are read by adding 0, never with `get`/`set`: each
//! engine keeps them in its own encoding (ARCHITECTURE.md, "Shared state on
//! every engine").
//!
//! One way to decide, [`hit`]: it counts the event first and decides on the
//! count it returns, so of any number of concurrent events exactly `limit` a
//! window are admitted. (Reading the counter and counting later lets every
//! concurrent event read the same count: 39 of 100 concurrent sign-ins were
//! checked against a limit of 5 that way.) A limit on an outcome known only
//! afterwards (failed sign-ins) counts with [`hit`] first and counts a good
//! outcome back with [`take_back`].

use crate::{Result, kv};

/// At most `limit` events in each window of `window_secs` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedWindow {
    limit: i64,
    window_secs: i64,
}

impl FixedWindow {
    /// `limit` events per window of `window_secs` seconds (at least 1).
    #[must_use]
    pub const fn new(limit: i64, window_secs: i64) -> Self {
        let window_secs = if window_secs < 1 { 1 } else { window_secs };
        Self { limit, window_secs }
    }

    /// `limit` events a minute.
    #[must_use]
    pub const fn per_minute(limit: i64) -> Self {
        Self::new(limit, 60)
    }

    /// `limit` events an hour.
    #[must_use]
    pub const fn per_hour(limit: i64) -> Self {
        Self::new(limit, 3600)
    }

    /// The events allowed per window.
    #[must_use]
    pub const fn limit(self) -> i64 {
        self.limit
    }

    /// The window's length in seconds.
    #[must_use]
    pub const fn window_secs(self) -> i64 {
        self.window_secs
    }

    /// The number of the window holding `unix_seconds`: whole windows since
    /// the epoch (0 for any time before it). Part of the counter's key.
    #[must_use]
    pub const fn window(self, unix_seconds: i64) -> u64 {
        let n = unix_seconds.div_euclid(self.window_secs);
        if n < 0 { 0 } else { n.unsigned_abs() }
    }

    /// Seconds from `unix_seconds` to the end of its window (1 to
    /// `window_secs`): what a refused client is told to wait
    /// (`Retry-After`).
    #[must_use]
    pub const fn retry_after(self, unix_seconds: i64) -> u64 {
        (self.window_secs - unix_seconds.rem_euclid(self.window_secs)).unsigned_abs()
    }

    /// Whether an event is admitted when the counter reads `count` after it
    /// was counted (increment-then-check, [`hit`]).
    #[must_use]
    pub const fn admits(self, count: i64) -> bool {
        count <= self.limit
    }
}

/// An event counted by [`hit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// The counter after this event: 1 for the first of its window.
    pub count: i64,
    /// Whether the event is within the limit.
    pub admitted: bool,
}

impl Hit {
    /// Whether this was the first event of its window (the previous window's
    /// counter is then finished).
    #[must_use]
    pub const fn first_in_window(self) -> bool {
        self.count == 1
    }
}

/// Counts one event in counter `key` (of the current window) of store `label`
/// and decides on the count after it.
pub fn hit(label: &str, key: &str, limit: FixedWindow) -> Result<Hit> {
    let count = kv::increment(label, key, 1)?;
    Ok(Hit {
        count,
        admitted: limit.admits(count),
    })
}

/// Takes back one event counted by [`hit`] in counter `key` of store
/// `label` (an outcome the limit does not count, e.g. a right password).
pub fn take_back(label: &str, key: &str) -> Result<()> {
    kv::increment(label, key, -1).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_numbered_from_the_epoch() {
        let minute = FixedWindow::per_minute(120);
        let cases = [
            (0, 0),
            (59, 0),
            (60, 1),
            (119, 1),
            (1_700_000_000, 28_333_333),
        ];
        for (secs, window) in cases {
            assert_eq!(minute.window(secs), window, "{secs}");
        }
        // Before the epoch every time falls in window 0.
        assert_eq!(minute.window(-1), 0);
        assert_eq!(minute.window(-3600), 0);
        let quarter = FixedWindow::new(5, 15 * 60);
        assert_eq!(quarter.window(1_700_000_000), 1_700_000_000 / 900);
        assert_eq!(FixedWindow::per_hour(10).window(7200), 2);
        assert_eq!(FixedWindow::per_hour(10).window_secs(), 3600);
    }

    #[test]
    fn retry_after_runs_to_the_end_of_the_window() {
        let minute = FixedWindow::per_minute(1);
        let cases = [(0, 60), (1, 59), (59, 1), (60, 60), (1_700_000_001, 39)];
        for (secs, wait) in cases {
            assert_eq!(minute.retry_after(secs), wait, "{secs}");
        }
    }

    #[test]
    fn the_decision_given_a_count() {
        let limit = FixedWindow::per_hour(3);
        // After counting: the limit-th event is the last one admitted.
        let after: Vec<bool> = (1..=5).map(|n| limit.admits(n)).collect();
        assert_eq!(after, [true, true, true, false, false]);
        assert_eq!(limit.limit(), 3);
        // A zero limit admits nothing; a window is at least a second long.
        assert!(!FixedWindow::per_minute(0).admits(1));
        assert_eq!(FixedWindow::new(1, 0).window(5), 5);
    }

    #[test]
    fn the_first_event_of_a_window_is_told() {
        let first = Hit {
            count: 1,
            admitted: true,
        };
        assert!(first.first_in_window());
        assert!(
            !Hit {
                count: 2,
                admitted: true
            }
            .first_in_window()
        );
    }
}
