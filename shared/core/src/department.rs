//! Departments: where dossiers sit inside a tenant (registratura, urbanism…).

use crate::document_type::Titles;
use crate::ids::{DepartmentCode, TenantSlug};

/// A department of a tenant. Its name is public (it is shown on tracking pages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    /// The owning tenant.
    pub tenant: TenantSlug,
    /// The code, unique within the tenant.
    pub code: DepartmentCode,
    /// The public name in Romanian, e.g. "Direcția Urbanism", and, if the
    /// administrator gave them, in Hungarian and English (shown to a reader of
    /// that language; Romanian otherwise).
    pub name: Titles,
    /// Inactive departments receive no new dossiers but keep their history.
    pub active: bool,
}
