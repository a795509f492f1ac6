//! Officials' second factor (TOTP, RFC 6238): which time steps a code is
//! checked against, what an official typed (a code from their app or one of
//! their recovery codes), who a tenant's requirement applies to, and what
//! comes after a right password. The HMAC of a code and the stored state are
//! the platform's (`ghiseu_platform::second_factor`); here the time is an
//! input, so every rule is a table test.

use std::collections::BTreeSet;

use crate::role::Role;

/// The length of a time step, in seconds (RFC 6238's default, what every
/// authenticator app uses).
pub const STEP_SECS: u64 = 30;

/// Steps of clock skew accepted either side of the current one.
pub const SKEW_STEPS: u64 = 1;

/// Digits of a code.
pub const DIGITS: usize = 6;

/// Recovery codes given at enrolment.
pub const RECOVERY_CODES: usize = 10;

/// Symbols of a recovery code (Crockford base32: 50 bits).
pub const RECOVERY_LEN: usize = 10;

/// How long a pending sign-in (password right, code not yet given) lives, in
/// seconds.
pub const PENDING_SECS: i64 = 5 * 60;

/// Codes an official may enter in a window of [`ATTEMPT_WINDOW_SECS`]
/// (right ones included: each is counted before it is checked).
pub const ATTEMPTS_PER_WINDOW: i64 = 5;

/// The window of [`ATTEMPTS_PER_WINDOW`], in seconds.
pub const ATTEMPT_WINDOW_SECS: i64 = 15 * 60;

/// The Crockford base32 symbols, in value order (no `I`, `L`, `O`, `U`).
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The time step holding `unix_seconds` (0 for any time before the epoch).
#[must_use]
pub fn step_of(unix_seconds: i64) -> u64 {
    u64::try_from(unix_seconds).unwrap_or(0) / STEP_SECS
}

/// The steps a code entered at `unix_seconds` is checked against, the
/// current one first, then [`SKEW_STEPS`] before and after it.
#[must_use]
pub fn steps_to_try(unix_seconds: i64) -> Vec<u64> {
    let now = step_of(unix_seconds);
    let mut steps = vec![now];
    for d in 1..=SKEW_STEPS {
        if let Some(before) = now.checked_sub(d) {
            steps.push(before);
        }
        steps.push(now + d);
    }
    steps
}

/// What an official typed in the code field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entered {
    /// A code of [`DIGITS`] digits from their authenticator app.
    Code(String),
    /// One of their recovery codes, in canonical form
    /// ([`RECOVERY_LEN`] uppercase symbols).
    Recovery(String),
}

/// Reads what was typed: spaces and hyphens are ignored; [`DIGITS`] digits
/// are a code, [`RECOVERY_LEN`] base32 symbols a recovery code (any case,
/// `O` read as `0`, `I` and `L` as `1`); anything else is `None`.
#[must_use]
pub fn parse_entered(raw: &str) -> Option<Entered> {
    let kept: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if kept.len() == DIGITS && kept.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Entered::Code(kept));
    }
    if kept.chars().count() != RECOVERY_LEN {
        return None;
    }
    let canonical: String = kept
        .chars()
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    canonical
        .bytes()
        .all(|b| ALPHABET.contains(&b))
        .then_some(Entered::Recovery(canonical))
}

/// A recovery code in canonical form from 8 random bytes (their low 50
/// bits).
#[must_use]
pub fn recovery_code(random: [u8; 8]) -> String {
    let v = u64::from_be_bytes(random);
    (0..RECOVERY_LEN)
        .map(|i| {
            let shift = 5 * (RECOVERY_LEN - 1 - i);
            char::from(ALPHABET[usize::try_from((v >> shift) & 31).unwrap_or(0)])
        })
        .collect()
}

/// A canonical recovery code as shown: two groups of five, `ABCDE-FGHJK`.
#[must_use]
pub fn shown_recovery(code: &str) -> String {
    let (a, b) = code.split_at(code.len() / 2);
    format!("{a}-{b}")
}

/// Whether a tenant's requirement of a second factor applies to an official
/// with `roles`: it does to signers and tenant administrators.
#[must_use]
pub fn applies_to(roles: &BTreeSet<Role>) -> bool {
    roles.contains(&Role::Signer) || roles.contains(&Role::TenantAdmin)
}

/// What follows a right password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterPassword {
    /// A session at once: no second factor enabled, none required.
    Session,
    /// A pending sign-in that asks for a code.
    AskCode,
    /// A pending sign-in that leads to enrolment: the tenant requires a
    /// second factor of this official, who has none yet.
    Enrol,
}

/// What follows a right password for an official with `roles` who has
/// (`enrolled`) or has not a second factor, in a tenant that does or does
/// not (`tenant_requires`) require it.
#[must_use]
pub fn after_password(
    roles: &BTreeSet<Role>,
    enrolled: bool,
    tenant_requires: bool,
) -> AfterPassword {
    if enrolled {
        AfterPassword::AskCode
    } else if tenant_requires && applies_to(roles) {
        AfterPassword::Enrol
    } else {
        AfterPassword::Session
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_thirty_seconds_from_the_epoch() {
        let cases = [
            (0, 0),
            (29, 0),
            (30, 1),
            (59, 1),
            (1_111_111_109, 37_037_036),
            (1_111_111_111, 37_037_037),
            (-5, 0),
        ];
        for (secs, step) in cases {
            assert_eq!(step_of(secs), step, "{secs}");
        }
    }

    #[test]
    fn a_code_is_tried_in_its_step_then_one_step_either_side() {
        assert_eq!(
            steps_to_try(1_111_111_111),
            [37_037_037, 37_037_036, 37_037_038]
        );
        assert_eq!(steps_to_try(59), [1, 0, 2]);
        // At the epoch there is no step before.
        assert_eq!(steps_to_try(10), [0, 1]);
        // Two steps away is never tried.
        assert!(!steps_to_try(90).contains(&1));
        assert!(!steps_to_try(90).contains(&5));
    }

    #[test]
    fn what_was_typed() {
        let code = |s: &str| Some(Entered::Code(s.to_owned()));
        let recovery = |s: &str| Some(Entered::Recovery(s.to_owned()));
        let cases = [
            ("123456", code("123456")),
            (" 123 456 ", code("123456")),
            ("123-456", code("123456")),
            ("12345", None),
            ("1234567", None),
            ("12345a", None),
            ("ABCDE-FGHJK", recovery("ABCDEFGHJK")),
            ("abcde fghjk", recovery("ABCDEFGHJK")),
            ("OIL00-11111", recovery("0110011111")),
            ("ABCDE-FGHJU", None),
            ("ABCDE-FGHJ", None),
            ("ĂBCDE-FGHJK", None),
            ("", None),
        ];
        for (raw, want) in cases {
            assert_eq!(parse_entered(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn recovery_codes_are_ten_symbols_shown_in_two_groups() {
        assert_eq!(recovery_code([0; 8]), "0000000000");
        assert_eq!(recovery_code([0xff; 8]), "ZZZZZZZZZZ");
        assert_eq!(recovery_code([0, 0, 0, 0, 0, 0, 0, 33]), "0000000011");
        let c = recovery_code([1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(c.len(), RECOVERY_LEN);
        assert_eq!(
            parse_entered(&shown_recovery(&c)),
            Some(Entered::Recovery(c.clone()))
        );
        assert_eq!(shown_recovery("ABCDEFGHJK"), "ABCDE-FGHJK");
    }

    #[test]
    fn the_requirement_applies_to_signers_and_administrators_only() {
        let cases: [(&[Role], bool); 6] = [
            (&[Role::Signer], true),
            (&[Role::TenantAdmin], true),
            (&[Role::Official, Role::Signer], true),
            (&[Role::Registrar], false),
            (&[Role::Official], false),
            (&[Role::HeadOfDepartment], false),
        ];
        for (roles, want) in cases {
            let roles: BTreeSet<Role> = roles.iter().copied().collect();
            assert_eq!(applies_to(&roles), want, "{roles:?}");
        }
    }

    #[test]
    fn after_a_right_password() {
        let signer: BTreeSet<Role> = [Role::Signer].into();
        let registrar: BTreeSet<Role> = [Role::Registrar].into();
        let cases = [
            (&signer, true, true, AfterPassword::AskCode),
            (&signer, true, false, AfterPassword::AskCode),
            (&registrar, true, true, AfterPassword::AskCode),
            (&signer, false, true, AfterPassword::Enrol),
            (&signer, false, false, AfterPassword::Session),
            (&registrar, false, true, AfterPassword::Session),
            (&registrar, false, false, AfterPassword::Session),
        ];
        for (roles, enrolled, required, want) in cases {
            assert_eq!(
                after_password(roles, enrolled, required),
                want,
                "{roles:?} {enrolled} {required}"
            );
        }
    }
}
