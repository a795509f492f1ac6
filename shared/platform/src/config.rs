//! The one place the application reads the wall clock and its Spin
//! variables. Use cases (`ghiseu_app`) and rules (`ghiseu_core`) never do:
//! a component reads `now` and its configuration here and passes them in,
//! so a decision depends only on its arguments. Clippy's
//! `disallowed-methods` (the workspace's `clippy.toml`) refuses
//! `chrono::Utc::now` and `spin_sdk::variables::get` anywhere else.

use chrono::{DateTime, Utc};

/// The wall clock, now.
#[must_use]
#[allow(clippy::disallowed_methods)] // This is the one clock.
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// The component's variable `name` (declared in `spin.toml`).
#[allow(clippy::disallowed_methods)] // This is the one reader of variables.
pub fn variable(name: &str) -> Result<String, spin_sdk::variables::Error> {
    spin_sdk::variables::get(name)
}

/// The component's variable `name`, or empty when it is unset or unreadable
/// (the way most variables are read: empty means "switched off").
#[must_use]
pub fn variable_or_empty(name: &str) -> String {
    variable(name).unwrap_or_default()
}
