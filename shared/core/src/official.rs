//! Officials (the institution's staff) and their roles.

use std::collections::BTreeSet;

use crate::ids::{DepartmentCode, TenantSlug, Username};
use crate::permissions::Actor;
use crate::text::DisplayName;

/// What an official may do; see [`crate::permissions`] for the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Registers incoming documents and dispatches them (registratura).
    Registrar,
    /// Works on dossiers of their department.
    Official,
    /// Heads a department: resolves, rejects, extends deadlines there.
    HeadOfDepartment,
    /// Signs issued acts (president, mayor).
    Signer,
    /// Administers the tenant; may do everything in it.
    TenantAdmin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [
        Role::Registrar,
        Role::Official,
        Role::HeadOfDepartment,
        Role::Signer,
        Role::TenantAdmin,
    ];

    /// A stable code: `registrar`, `official`, `head_of_department`, `signer`,
    /// `tenant_admin`.
    pub fn code(self) -> &'static str {
        match self {
            Role::Registrar => "registrar",
            Role::Official => "official",
            Role::HeadOfDepartment => "head_of_department",
            Role::Signer => "signer",
            Role::TenantAdmin => "tenant_admin",
        }
    }

    /// The role with this [`code`](Self::code).
    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }
}

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
}

impl Official {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_codes_and_inactive_officials() {
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(r));
        }
        let mut o = Official {
            tenant: TenantSlug::parse("cj-cluj").unwrap(),
            username: Username::parse("ana.pop").unwrap(),
            display_name: DisplayName::parse("Ana Pop").unwrap(),
            department: None,
            roles: [Role::Official].into(),
            active: true,
        };
        assert!(o.actor().is_some());
        o.active = false;
        assert!(o.actor().is_none());
    }
}
