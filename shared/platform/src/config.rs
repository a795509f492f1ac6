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

/// The platform's public base URL (variable `public_base_url`): where the
/// citizens' portal is reached, and so the base of every absolute URL the
/// platform writes that is not one institution's (payment and identification
/// return pages). `None` when it is unset or invalid (then said in the log):
/// such a URL is then not written at all, never taken from the request's
/// `Host`, which anyone can forge.
#[must_use]
pub fn public_base_url() -> Option<ghiseu_core::tenant::PublicBaseUrl> {
    let raw = variable_or_empty("public_base_url");
    if raw.trim().is_empty() {
        eprintln!("config: the variable public_base_url is not set");
        return None;
    }
    match ghiseu_core::tenant::PublicBaseUrl::parse(raw.trim()) {
        Ok(url) => Some(url),
        Err(e) => {
            eprintln!("config: the variable public_base_url `{raw}` is not usable: {e}");
            None
        }
    }
}
