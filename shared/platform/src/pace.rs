//! Answers that take the same time whatever they found (issue 18, item 5).
//!
//! Registration, a password reset, an SMS sign-in and a claim answer the
//! same words whether or not the contact or the dossier exists; only what
//! happens behind the answer differs (a code or a notice sent, or nothing).
//! That work would still show in the answer's time (about 23 ms against 3
//! ms for a reset), so such an answer is held until a floor measured from
//! the start of that work ([`Pace::hold`]): a floor above what the work
//! takes makes both answers take the floor. Work that outlasts the floor
//! (a gateway slower than it) shows again, which is why the floor is well
//! above a gateway's usual answer; the wait is on the monotonic clock,
//! without burning CPU.

use std::time::{Duration, Instant};

/// How long an answer that must not tell what it found takes at least.
pub const ANSWER_FLOOR: Duration = Duration::from_millis(250);

/// The start of work whose length must not show.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    started: Instant,
}

impl Pace {
    /// Starts measuring now.
    #[must_use]
    pub fn start() -> Self {
        Self {
            started: Instant::now(),
        }
    }

    /// Waits until `floor` has passed since [`Pace::start`] (at once when it
    /// has).
    pub fn hold(self, floor: Duration) {
        if let Some(rest) = floor.checked_sub(self.started.elapsed()) {
            std::thread::sleep(rest);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_held_until_the_floor_and_never_shortened() {
        let floor = Duration::from_millis(60);
        let quick = Pace::start();
        quick.hold(floor);
        assert!(quick.started.elapsed() >= floor);
        let slow = Pace::start();
        std::thread::sleep(Duration::from_millis(80));
        let before = Instant::now();
        slow.hold(floor);
        assert!(before.elapsed() < Duration::from_millis(20), "held again");
    }
}
