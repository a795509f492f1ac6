//! Officials' second factor: TOTP codes (RFC 6238, HMAC-SHA1, 6 digits,
//! 30-second steps, by the `totp-rs` crate) and their `otpauth://` URI, the
//! stored second factor of an official, the counters that spend a code once,
//! the limit on codes entered, the tenant's requirement, and the pending
//! sign-in between the password and the code. Which steps are tried and what
//! a typed value is are core's rules (`ghiseu_core::second_factor`).
//!
//! | key | value |
//! | --- | --- |
//! | `t/{slug}/second-factor/{username}` | [`State`]: the enabled second factor, if any (leased update) |
//! | `t/{slug}/second-factor/{username}/step/{enrolment}/{step}` | counter: its first increment spends the codes of that step |
//! | `t/{slug}/second-factor/{username}/recovery/{sha256}` | counter: its first increment spends that recovery code |
//! | `t/{slug}/security` | [`Security`]: whether the tenant requires a second factor (leased update) |
//! | `signin/{id}` | a [`Pending`] sign-in (written once by the request that checked the password) |
//! | `ratelimit/second-factor/{slug}:{username}/{window}` | codes entered by one official in a window ([`rate_limit::hit`]) |

use chrono::{DateTime, Duration, Utc};
use ghiseu_core::second_factor::{
    ATTEMPT_WINDOW_SECS, ATTEMPTS_PER_WINDOW, DIGITS, PENDING_SECS, RECOVERY_CODES, STEP_SECS,
    recovery_code, steps_to_try,
};
use ghiseu_core::{Sha256Digest, Username};
use serde::{Deserialize, Serialize};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::keys::{self, STORE, TenantScope};
use crate::kv::{self, Step, Store};
use crate::rate_limit::{self, FixedWindow};
use crate::session::{constant_time_eq, random_bytes, random_secret};
use crate::{Error, Result};

/// Bytes of a secret (160 bits, RFC 4226's recommendation for HMAC-SHA1).
const SECRET_BYTES: usize = 20;

/// An official's enabled second factor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    /// The shared secret, base32 (RFC 4648, no padding), as the app has it.
    pub secret: String,
    /// A random id of this enrolment: the codes spent are counted per
    /// enrolment, so a new secret starts with none spent.
    pub id: String,
    /// SHA-256 (hex) of each canonical recovery code; the codes themselves
    /// are shown once and stored nowhere.
    pub recovery: Vec<String>,
    /// When it was enabled.
    pub enabled_at: DateTime<Utc>,
}

/// What is stored under `t/{slug}/second-factor/{username}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct State {
    /// The enabled second factor (`None`: disabled or reset).
    pub enrolment: Option<Enrolment>,
}

/// A tenant's security settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Security {
    /// Whether signers and tenant administrators must have a second factor.
    #[serde(default)]
    pub second_factor_required: bool,
}

/// A fresh secret: [`SECRET_BYTES`] random bytes, base32.
pub fn new_secret() -> Result<String> {
    let bytes = random_bytes::<SECRET_BYTES>()?;
    match Secret::Raw(bytes.to_vec()).to_encoded() {
        Secret::Encoded(s) => Ok(s),
        Secret::Raw(_) => Err(bad_secret()),
    }
}

/// Whether `secret` is one of ours: base32 of [`SECRET_BYTES`] bytes.
#[must_use]
pub fn valid_secret(secret: &str) -> bool {
    Secret::Encoded(secret.to_owned())
        .to_bytes()
        .is_ok_and(|b| b.len() == SECRET_BYTES)
}

fn bad_secret() -> Error {
    Error::Corrupt {
        key: "second-factor".to_owned(),
        detail: "not a base32 secret of 20 bytes".to_owned(),
    }
}

/// The TOTP of `secret` for `account` at `issuer` (`:` is not allowed in
/// either by the `otpauth` format and becomes a space).
fn totp(secret: &str, issuer: &str, account: &str) -> Result<TOTP> {
    let bytes = Secret::Encoded(secret.to_owned())
        .to_bytes()
        .map_err(|_| bad_secret())?;
    TOTP::new(
        Algorithm::SHA1,
        DIGITS,
        0,
        STEP_SECS,
        bytes,
        Some(issuer.replace(':', " ")),
        account.replace(':', " "),
    )
    .map_err(|_| bad_secret())
}

/// The `otpauth://totp/...` URI an authenticator app reads from the QR code,
/// the institution as issuer.
pub fn otpauth_uri(secret: &str, issuer: &str, account: &str) -> Result<String> {
    Ok(totp(secret, issuer, account)?.get_url())
}

/// The code of `secret` in time step `step`.
pub fn code_at(secret: &str, step: u64) -> Result<String> {
    Ok(totp(secret, "-", "-")?.generate(step * STEP_SECS))
}

/// The step, of those tried at `unix_seconds`, whose code is `code`.
pub fn matching_step(secret: &str, code: &str, unix_seconds: i64) -> Result<Option<u64>> {
    let totp = totp(secret, "-", "-")?;
    Ok(steps_to_try(unix_seconds)
        .into_iter()
        .find(|step| constant_time_eq(totp.generate(step * STEP_SECS).as_bytes(), code.as_bytes())))
}

/// The hash a recovery code (canonical form) is kept as.
#[must_use]
pub fn recovery_hash(code: &str) -> String {
    Sha256Digest::of(code.as_bytes()).to_hex()
}

/// [`RECOVERY_CODES`] fresh recovery codes (canonical form).
pub fn new_recovery_codes() -> Result<Vec<String>> {
    (0..RECOVERY_CODES)
        .map(|_| random_bytes::<8>().map(recovery_code))
        .collect()
}

/// The enrolment of `secret` at `now` with `codes` as recovery codes.
pub fn enrolment(secret: &str, codes: &[String], now: DateTime<Utc>) -> Result<Enrolment> {
    Ok(Enrolment {
        secret: secret.to_owned(),
        id: crate::session::hex(&random_bytes::<8>()?),
        recovery: codes.iter().map(|c| recovery_hash(c)).collect(),
        enabled_at: now,
    })
}

fn corrupt(key: &str, e: impl ToString) -> Error {
    Error::Corrupt {
        key: key.to_owned(),
        detail: e.to_string(),
    }
}

/// The enabled second factor of `username`, if any.
pub async fn enabled(
    store: &Store,
    scope: &TenantScope,
    username: &Username,
) -> Result<Option<Enrolment>> {
    let key = scope.second_factor(username);
    let Some(bytes) = store.get(&key).await? else {
        return Ok(None);
    };
    let state: State = serde_json::from_slice(&bytes).map_err(|e| corrupt(&key, e))?;
    Ok(state.enrolment)
}

/// Moves the second factor of `username` from what it is to what `next`
/// makes of it (`None`: leave it), under the key's lease; whether it moved.
fn change(
    scope: &TenantScope,
    username: &Username,
    next: impl Fn(&State) -> Option<State>,
) -> Result<bool> {
    let key = scope.second_factor(username);
    kv::update(STORE, &key, |current| {
        let state: State = match current {
            Some(b) => serde_json::from_slice(b).map_err(|e| corrupt(&key, e))?,
            None => State::default(),
        };
        match next(&state) {
            None => Ok(Step::Done(false)),
            Some(n) => Ok(Step::Write(
                serde_json::to_vec(&n).map_err(|e| corrupt(&key, e))?,
                true,
            )),
        }
    })
}

/// Enables `enrolment` for `username` unless one is enabled already
/// (`false`; leased update: of two racing enrolments one wins).
pub fn enable(scope: &TenantScope, username: &Username, enrolment: &Enrolment) -> Result<bool> {
    change(scope, username, |state| {
        state.enrolment.is_none().then(|| State {
            enrolment: Some(enrolment.clone()),
        })
    })
}

/// Removes the second factor of `username` (disabled or reset); whether
/// there was one.
pub fn remove(scope: &TenantScope, username: &Username) -> Result<bool> {
    change(scope, username, |state| {
        state.enrolment.is_some().then(State::default)
    })
}

/// Spends the codes of `step` of `enrolment`: `true` for the one caller
/// whose increment was the first.
pub fn spend_step(
    scope: &TenantScope,
    username: &Username,
    enrolment: &Enrolment,
    step: u64,
) -> Result<bool> {
    let key = scope.second_factor_step(username, &enrolment.id, step);
    Ok(kv::increment(STORE, &key, 1)? == 1)
}

/// Spends the recovery code hashing to `hash`: `true` for the one caller
/// whose increment was the first.
pub fn spend_recovery(scope: &TenantScope, username: &Username, hash: &str) -> Result<bool> {
    let key = scope.second_factor_recovery(username, hash);
    Ok(kv::increment(STORE, &key, 1)? == 1)
}

/// The codes an official may enter.
pub const ATTEMPTS: FixedWindow = FixedWindow::new(ATTEMPTS_PER_WINDOW, ATTEMPT_WINDOW_SECS);

/// Counts one code entered by `username` of `scope`'s tenant at `now` and
/// says whether it may be checked (increment first: of any number of
/// concurrent guesses exactly [`ATTEMPTS_PER_WINDOW`] a window are checked).
pub fn attempt(tenant: &str, username: &Username, now: DateTime<Utc>) -> Result<bool> {
    let key = keys::rate_limit(
        "second-factor",
        &format!("{tenant}:{username}"),
        ATTEMPTS.window(now.timestamp()),
    );
    Ok(rate_limit::hit(STORE, &key, ATTEMPTS)?.admitted)
}

/// Whether the tenant requires a second factor of signers and administrators.
pub async fn required(store: &Store, scope: &TenantScope) -> Result<bool> {
    let key = scope.security();
    let Some(bytes) = store.get(&key).await? else {
        return Ok(false);
    };
    let s: Security = serde_json::from_slice(&bytes).map_err(|e| corrupt(&key, e))?;
    Ok(s.second_factor_required)
}

/// Sets whether the tenant requires a second factor (leased update).
pub fn set_required(scope: &TenantScope, required: bool) -> Result<()> {
    kv::update_json::<Security>(STORE, &scope.security(), |s| {
        let changed = s.second_factor_required != required;
        s.second_factor_required = required;
        changed
    })
}

/// A pending sign-in: the password was right; a code (or an enrolment) is
/// still to come. It opens nothing but the sign-in's next step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// The id (the pending cookie's value).
    #[serde(skip)]
    pub id: String,
    /// The official's tenant.
    pub tenant: String,
    /// The official.
    pub username: String,
    /// Whether the official must enrol first (the tenant requires it).
    pub enrol: bool,
    /// When it ends.
    pub expires_at: DateTime<Utc>,
}

fn valid_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Starts a pending sign-in of `username` of `tenant` at `now`, for
/// [`PENDING_SECS`].
pub async fn start_pending(
    store: &Store,
    tenant: &str,
    username: &str,
    enrol: bool,
    now: DateTime<Utc>,
) -> Result<Pending> {
    let pending = Pending {
        id: random_secret()?,
        tenant: tenant.to_owned(),
        username: username.to_owned(),
        enrol,
        expires_at: now + Duration::seconds(PENDING_SECS),
    };
    let key = keys::pending_sign_in(&pending.id);
    let bytes = serde_json::to_vec(&pending).map_err(|e| corrupt(&key, e))?;
    store.set(&key, &bytes).await?;
    Ok(pending)
}

/// The live pending sign-in `id`, if any (an expired one is deleted).
pub async fn pending(store: &Store, id: &str, now: DateTime<Utc>) -> Result<Option<Pending>> {
    if !valid_id(id) {
        return Ok(None);
    }
    let key = keys::pending_sign_in(id);
    let Some(bytes) = store.get(&key).await? else {
        return Ok(None);
    };
    match serde_json::from_slice::<Pending>(&bytes) {
        Ok(mut p) if p.expires_at > now => {
            p.id = id.to_owned();
            Ok(Some(p))
        }
        _ => {
            store.delete(&key).await?;
            Ok(None)
        }
    }
}

/// Ends the pending sign-in `id`.
pub async fn end_pending(store: &Store, id: &str) -> Result<()> {
    if valid_id(id) {
        store.delete(&keys::pending_sign_in(id)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1, 8 digits cut to the 6 this platform uses
    /// (the RFC's secret "12345678901234567890").
    #[test]
    fn codes_are_rfc_6238s() {
        let secret = match Secret::Raw(b"12345678901234567890".to_vec()).to_encoded() {
            Secret::Encoded(s) => s,
            Secret::Raw(_) => unreachable!(),
        };
        assert!(valid_secret(&secret));
        let cases = [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ];
        for (t, code) in cases {
            let step = ghiseu_core::second_factor::step_of(t);
            assert_eq!(code_at(&secret, step).unwrap(), code, "{t}");
            assert_eq!(matching_step(&secret, code, t).unwrap(), Some(step));
            // A step's code is still taken a step later or earlier, not two.
            let at = |s: u64| i64::try_from(s * STEP_SECS).unwrap();
            assert_eq!(
                matching_step(&secret, code, at(step + 1)).unwrap(),
                Some(step)
            );
            assert_eq!(
                matching_step(&secret, code, at(step - 1)).unwrap(),
                Some(step)
            );
            assert_eq!(matching_step(&secret, code, at(step + 2)).unwrap(), None);
            if step >= 2 {
                assert_eq!(matching_step(&secret, code, at(step - 2)).unwrap(), None);
            }
        }
        assert_eq!(matching_step(&secret, "000000", 59).unwrap(), None);
    }

    #[test]
    fn the_uri_names_the_institution_and_the_official() {
        let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
        assert!(valid_secret(secret));
        assert!(!valid_secret("JBSWY3DPEHPK3PXP"));
        assert!(!valid_secret("not base32!"));
        let uri = otpauth_uri(secret, "Primăria Turda", "ana.pop").unwrap();
        assert_eq!(
            uri,
            "otpauth://totp/Prim%C4%83ria%20Turda:ana.pop?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Prim%C4%83ria%20Turda"
        );
    }
}
