//! Officials (the institution's staff) and their roles.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use thiserror::Error;

use crate::citizen_contact::Email;
use crate::ids::{DepartmentCode, TenantSlug, Username};
use crate::lang::Lang;
use crate::permissions::Actor;
// `Role` lived here; `official::Role` still works.
pub use crate::role::Role;
use crate::text::DisplayName;

/// A member of staff. Belongs to exactly one tenant and at most one department.
/// The display name is public (shown as the official holding a dossier).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Official {
    /// The tenant.
    pub tenant: TenantSlug,
    /// The login name, unique within the tenant.
    pub username: Username,
    /// The public name, e.g. "Ana Pop".
    pub display_name: DisplayName,
    /// The department, if any (a tenant admin may have none).
    pub department: Option<DepartmentCode>,
    /// The roles.
    pub roles: BTreeSet<Role>,
    /// Deactivated officials can no longer act.
    pub active: bool,
    /// Sessions started before this instant are ended (set by a
    /// deactivation, so a reactivated official signs in again).
    pub sessions_from: Option<chrono::DateTime<chrono::Utc>>,
    /// Where the official's deadline reminders go (personal data; `None`:
    /// no reminders).
    pub email: Option<Email>,
    /// The language of the official's reminders (`None`: Romanian).
    pub lang: Option<Lang>,
}

impl Official {
    /// Whether a session started at `issued_at` (`None`: one from before
    /// sessions recorded it) still stands for this official.
    pub fn accepts_session(&self, issued_at: Option<chrono::DateTime<chrono::Utc>>) -> bool {
        match (self.sessions_from, issued_at) {
            (None, _) => true,
            (Some(from), Some(at)) => at >= from,
            (Some(_), None) => false,
        }
    }

    /// The actor this official acts as, or `None` when deactivated.
    pub fn actor(&self) -> Option<Actor> {
        self.active.then(|| Actor {
            username: self.username.clone(),
            tenant: self.tenant.clone(),
            roles: self.roles.clone(),
            department: self.department.clone(),
        })
    }
}

/// How long an invitation stays valid.
pub const INVITE_TTL: Duration = Duration::days(7);

/// Why an invitation cannot be accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum InviteError {
    /// It was accepted already.
    #[error("this invitation was already used")]
    Used,
    /// Its time ran out.
    #[error("this invitation has expired; ask your administrator for a new one")]
    Expired,
}

/// A one-time invitation to become an official of a tenant. The official is
/// created when the invitee accepts it and chooses a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    /// The official the invitee will be (active once accepted).
    pub official: Official,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// Whether it was accepted.
    pub used: bool,
}

impl Invite {
    /// An invitation for `official`, issued at `now`, valid for [`INVITE_TTL`].
    pub fn new(mut official: Official, now: DateTime<Utc>) -> Self {
        official.active = true;
        Self {
            official,
            created_at: now,
            expires_at: now + INVITE_TTL,
            used: false,
        }
    }

    /// Whether it can be accepted at `now`: unused and not yet expired.
    pub fn check(&self, now: DateTime<Utc>) -> Result<(), InviteError> {
        if self.used {
            Err(InviteError::Used)
        } else if now >= self.expires_at {
            Err(InviteError::Expired)
        } else {
            Ok(())
        }
    }

    /// Accepts it at `now`: the official to create, and the invitation as used.
    pub fn accept(&self, now: DateTime<Utc>) -> Result<(Official, Invite), InviteError> {
        self.check(now)?;
        let used = Invite {
            used: true,
            ..self.clone()
        };
        Ok((self.official.clone(), used))
    }
}

/// The shortest password an official may choose.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest password accepted (argon2 work stays bounded).
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Why a new password was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PasswordError {
    /// Shorter than [`MIN_PASSWORD_CHARS`].
    #[error("the password must be at least 12 characters long")]
    TooShort,
    /// Longer than [`MAX_PASSWORD_CHARS`].
    #[error("the password must be at most 128 characters long")]
    TooLong,
    /// The confirmation differs.
    #[error("the two passwords differ")]
    Mismatch,
}

/// Checks a newly chosen password and its confirmation.
pub fn check_new_password(password: &str, confirmation: &str) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        Err(PasswordError::TooShort)
    } else if n > MAX_PASSWORD_CHARS {
        Err(PasswordError::TooLong)
    } else if password != confirmation {
        Err(PasswordError::Mismatch)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inactive_officials_have_no_actor() {
        let mut o = Official {
            tenant: TenantSlug::parse("cj-cluj").unwrap(),
            username: Username::parse("ana.pop").unwrap(),
            display_name: DisplayName::parse("Ana Pop").unwrap(),
            department: None,
            roles: [Role::Official].into(),
            active: true,
            sessions_from: None,
            email: None,
            lang: None,
        };
        assert!(o.actor().is_some());
        o.active = false;
        assert!(o.actor().is_none());
    }
}

#[cfg(test)]
mod invite_tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn invite() -> Invite {
        let o = Official {
            tenant: TenantSlug::parse("turda").unwrap(),
            username: Username::parse("ana").unwrap(),
            display_name: DisplayName::parse("Ana").unwrap(),
            department: None,
            roles: [Role::TenantAdmin].into(),
            active: false,
            sessions_from: None,
            email: None,
            lang: None,
        };
        Invite::new(o, at("2026-03-01T10:00:00Z"))
    }

    #[test]
    fn an_invite_works_once_and_within_seven_days() {
        let i = invite();
        assert!(
            i.official.active,
            "an accepted invite makes an active official"
        );
        let cases = [
            ("2026-03-01T10:00:00Z", Ok(())),
            ("2026-03-08T09:59:59Z", Ok(())),
            ("2026-03-08T10:00:00Z", Err(InviteError::Expired)),
            ("2026-04-01T00:00:00Z", Err(InviteError::Expired)),
        ];
        for (now, want) in cases {
            assert_eq!(i.check(at(now)), want, "{now}");
        }
        let (official, used) = i.accept(at("2026-03-02T00:00:00Z")).unwrap();
        assert_eq!(official.username.as_str(), "ana");
        assert_eq!(
            used.check(at("2026-03-02T00:00:01Z")),
            Err(InviteError::Used)
        );
        assert_eq!(
            used.accept(at("2026-03-02T00:00:01Z")),
            Err(InviteError::Used)
        );
    }

    #[test]
    fn new_password_rules() {
        let long = "x".repeat(129);
        let cases = [
            ("scurta", "scurta", Err(PasswordError::TooShort)),
            (
                "o parolă destul de lungă",
                "o parolă destul de lungă",
                Ok(()),
            ),
            (
                "o parolă destul de lungă",
                "alta parolă lungă!",
                Err(PasswordError::Mismatch),
            ),
            (long.as_str(), long.as_str(), Err(PasswordError::TooLong)),
        ];
        for (p, c, want) in cases {
            assert_eq!(check_new_password(p, c), want, "{p}");
        }
    }
}
