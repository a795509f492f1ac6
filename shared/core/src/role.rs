//! The roles an official holds; [`crate::permissions`] says what each allows.

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

    /// The role in words, as officials and citizens read it.
    pub fn name(self, lang: crate::Lang) -> &'static str {
        lang.pick(match self {
            Role::Registrar => ["Registratură", "Iktató", "Registry"],
            Role::Official => ["Funcționar", "Ügyintéző", "Official"],
            Role::HeadOfDepartment => ["Șef de serviciu", "Osztályvezető", "Head of department"],
            Role::Signer => ["Semnatar", "Aláíró", "Signer"],
            Role::TenantAdmin => ["Administrator", "Adminisztrátor", "Administrator"],
        })
    }

    /// The role with this [`code`](Self::code).
    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(r));
        }
        assert_eq!(Role::from_code("admin"), None);
    }
}
