//! An official's second factor: a code checked once (single-use within its
//! step, limited attempts), enabling it with a code of the new secret (and
//! getting the recovery codes), disabling it with a current code, and the
//! administrator's reset. Core decides which steps are tried and what was
//! typed (`ghiseu_core::second_factor`); platform holds the secret, the
//! counters and the HMAC (`ghiseu_platform::second_factor`).

use chrono::{DateTime, Utc};
use ghiseu_core::Username;
use ghiseu_core::second_factor::{Entered, parse_entered};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::second_factor::{self as sf, Enrolment};

use crate::Result;

/// The outcome of a code entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked {
    /// A current code not used before, or an unused recovery code: spent now.
    Accepted,
    /// Not a current code, a code already used, or not one of the recovery
    /// codes (or one used).
    Wrong,
    /// Too many codes were entered lately; this one was not checked.
    TooMany,
}

/// Who enters a code: the official `username` of `scope`'s tenant `tenant`.
pub struct Holder<'a> {
    /// The tenant's slug.
    pub tenant: &'a str,
    /// Its keys.
    pub scope: &'a TenantScope,
    /// The official.
    pub username: &'a Username,
}

/// Checks `raw` (a code or a recovery code) against `enrolment` at `now`:
/// the attempt is counted first, and a right code is spent at once, so the
/// same code is refused a second time.
pub fn check(
    holder: &Holder<'_>,
    enrolment: &Enrolment,
    raw: &str,
    now: DateTime<Utc>,
) -> Result<Checked> {
    if !sf::attempt(holder.tenant, holder.username, now)? {
        return Ok(Checked::TooMany);
    }
    let spent = match parse_entered(raw) {
        None => false,
        Some(Entered::Code(code)) => {
            match sf::matching_step(&enrolment.secret, &code, now.timestamp())? {
                Some(step) => sf::spend_step(holder.scope, holder.username, enrolment, step)?,
                None => false,
            }
        }
        Some(Entered::Recovery(code)) => {
            let hash = sf::recovery_hash(&code);
            enrolment.recovery.contains(&hash)
                && sf::spend_recovery(holder.scope, holder.username, &hash)?
        }
    };
    Ok(if spent {
        Checked::Accepted
    } else {
        Checked::Wrong
    })
}

/// The outcome of enabling a second factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enabled {
    /// Enabled: the recovery codes, in canonical form, to show once.
    Done(Vec<String>),
    /// The code is not a current code of the new secret (or the secret is
    /// not one of ours).
    Wrong,
    /// Too many codes were entered lately.
    TooMany,
    /// A second factor is enabled already.
    AlreadyEnabled,
}

/// Enables `secret` for the holder, confirmed by `raw`, a current code of
/// it; the code's step is spent with it.
pub fn enable(holder: &Holder<'_>, secret: &str, raw: &str, now: DateTime<Utc>) -> Result<Enabled> {
    if !sf::attempt(holder.tenant, holder.username, now)? {
        return Ok(Enabled::TooMany);
    }
    if !sf::valid_secret(secret) {
        return Ok(Enabled::Wrong);
    }
    let Some(Entered::Code(code)) = parse_entered(raw) else {
        return Ok(Enabled::Wrong);
    };
    let Some(step) = sf::matching_step(secret, &code, now.timestamp())? else {
        return Ok(Enabled::Wrong);
    };
    let codes = sf::new_recovery_codes()?;
    let enrolment = sf::enrolment(secret, &codes, now)?;
    sf::spend_step(holder.scope, holder.username, &enrolment, step)?;
    if !sf::enable(holder.scope, holder.username, &enrolment)? {
        return Ok(Enabled::AlreadyEnabled);
    }
    Ok(Enabled::Done(codes))
}

/// Disables the holder's second factor, given a current code (or a
/// recovery code) of it.
pub fn disable(
    holder: &Holder<'_>,
    enrolment: &Enrolment,
    raw: &str,
    now: DateTime<Utc>,
) -> Result<Checked> {
    let checked = check(holder, enrolment, raw, now)?;
    if checked == Checked::Accepted {
        sf::remove(holder.scope, holder.username)?;
    }
    Ok(checked)
}
