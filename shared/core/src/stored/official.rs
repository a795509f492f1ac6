//! An official and an invitation as stored.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::citizen_contact::Email;
use crate::ids::{DepartmentCode, TenantSlug, Username};
use crate::lang::Lang;
use crate::official::{Invite, Official};
use crate::role::Role;
use crate::text::DisplayName;

use super::{
    FORMAT_VERSION, StoredError, check_version, f, opt, some, time_from_stored, time_to_stored,
};

/// An official as stored (credentials live elsewhere, with the accounts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredOfficial {
    /// Format version.
    pub v: u32,
    /// Tenant slug.
    pub tenant: String,
    /// Username.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Department code.
    pub department: Option<String>,
    /// [`Role::code`]s.
    pub roles: Vec<String>,
    /// Active.
    pub active: bool,
    /// Sessions started before it are ended (RFC 3339); absent in records
    /// written before a deactivation ended sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sessions_from: Option<String>,
    /// Where deadline reminders go; absent in records written before
    /// officials had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The language of the reminders ([`Lang::code`]); absent: Romanian.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

impl Official {
    /// The record to persist.
    pub fn to_stored(&self) -> StoredOfficial {
        StoredOfficial {
            v: FORMAT_VERSION,
            tenant: self.tenant.to_string(),
            username: self.username.to_string(),
            display_name: self.display_name.to_string(),
            department: self.department.as_ref().map(ToString::to_string),
            roles: self.roles.iter().map(|r| r.code().to_owned()).collect(),
            active: self.active,
            sessions_from: self.sessions_from.map(time_to_stored),
            email: self.email.as_ref().map(|e| e.as_str().to_owned()),
            lang: self.lang.map(|l| l.code().to_owned()),
        }
    }

    /// Validates a stored record.
    pub fn from_stored(s: &StoredOfficial) -> Result<Official, StoredError> {
        check_version(s.v)?;
        Ok(Official {
            tenant: f("tenant", TenantSlug::parse(&s.tenant))?,
            username: f("username", Username::parse(&s.username))?,
            display_name: f("display_name", DisplayName::parse(&s.display_name))?,
            department: opt("department", s.department.as_deref(), DepartmentCode::parse)?,
            roles: s
                .roles
                .iter()
                .map(|r| some("roles", Role::from_code(r)))
                .collect::<Result<BTreeSet<_>, _>>()?,
            active: s.active,
            sessions_from: s
                .sessions_from
                .as_deref()
                .map(|t| time_from_stored("sessions_from", t))
                .transpose()?,
            email: opt("email", s.email.as_deref(), Email::parse)?,
            lang: s
                .lang
                .as_deref()
                .map(|l| some("lang", Lang::from_code(l)))
                .transpose()?,
        })
    }
}

/// An invitation as stored (under the hash of its token, never the token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredInvite {
    /// Format version.
    pub v: u32,
    /// The official to create.
    pub official: StoredOfficial,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub expires_at: String,
    /// Accepted already.
    pub used: bool,
}

impl Invite {
    /// The record to persist.
    pub fn to_stored(&self) -> StoredInvite {
        StoredInvite {
            v: FORMAT_VERSION,
            official: self.official.to_stored(),
            created_at: time_to_stored(self.created_at),
            expires_at: time_to_stored(self.expires_at),
            used: self.used,
        }
    }

    /// Validates a stored record.
    pub fn from_stored(s: &StoredInvite) -> Result<Invite, StoredError> {
        check_version(s.v)?;
        Ok(Invite {
            official: Official::from_stored(&s.official)?,
            created_at: time_from_stored("created_at", &s.created_at)?,
            expires_at: time_from_stored("expires_at", &s.expires_at)?,
            used: s.used,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_from_before_reminders_reads_without_an_address() {
        let json = r#"{"v":1,"tenant":"turda","username":"ana","display_name":"Ana",
            "department":null,"roles":["official"],"active":true}"#;
        let o = Official::from_stored(&serde_json::from_str(json).unwrap()).unwrap();
        assert_eq!((&o.email, o.lang), (&None, None));
        let written = serde_json::to_string(&o.to_stored()).unwrap();
        assert!(
            !written.contains("email") && !written.contains("lang"),
            "{written}"
        );
    }

    #[test]
    fn a_stored_address_or_language_the_rules_refuse_is_refused() {
        for (field, value) in [("email", "no-at-sign"), ("lang", "de")] {
            let json = format!(
                r#"{{"v":1,"tenant":"turda","username":"ana","display_name":"Ana",
                "department":null,"roles":["official"],"active":true,"{field}":"{value}"}}"#
            );
            let stored: StoredOfficial = serde_json::from_str(&json).unwrap();
            assert!(Official::from_stored(&stored).is_err(), "{field}");
        }
    }
}
