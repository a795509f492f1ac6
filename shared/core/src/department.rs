//! Departments: where dossiers sit inside a tenant (registratura, urbanism…).

use crate::ids::{DepartmentCode, TenantSlug};
use crate::text::DisplayName;

/// A department of a tenant. Its name is public (it is shown on tracking pages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    /// The owning tenant.
    pub tenant: TenantSlug,
    /// The code, unique within the tenant.
    pub code: DepartmentCode,
    /// The public name, e.g. "Direcția Urbanism".
    pub name: DisplayName,
    /// Inactive departments receive no new dossiers but keep their history.
    pub active: bool,
}
