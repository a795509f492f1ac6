//! Departments: a tenant's list of departments, one record for them all.
//!
//! | key | value |
//! | --- | --- |
//! | `t/{slug}/departments` | the tenant's departments (JSON array; leased replace) |

use ghiseu_core::stored::StoredDepartment;
use ghiseu_core::{Department, DepartmentCode, Titles};

use super::{cas_update, corrupt, parse, set_json, to_bytes};
use crate::Result;
use crate::keys::TenantScope;
use crate::kv::{Step, Store};

/// Replaces the tenant's departments.
pub async fn put_departments(
    store: &Store,
    scope: &TenantScope,
    list: &[Department],
) -> Result<()> {
    let stored: Vec<StoredDepartment> = list.iter().map(Department::to_stored).collect();
    set_json(store, &scope.departments(), &stored).await
}

fn departments_from(key: &str, bytes: Option<&[u8]>) -> Result<Vec<Department>> {
    let stored: Vec<StoredDepartment> = match bytes {
        Some(b) => parse(key, b)?,
        None => Vec::new(),
    };
    stored
        .iter()
        .map(|s| Department::from_stored(s).map_err(|e| corrupt(key, e)))
        .collect()
}

fn departments_bytes(key: &str, list: &[Department]) -> Result<Vec<u8>> {
    let stored: Vec<StoredDepartment> = list.iter().map(Department::to_stored).collect();
    to_bytes(key, &stored)
}

/// The tenant's departments.
pub async fn departments(store: &Store, scope: &TenantScope) -> Result<Vec<Department>> {
    let key = scope.departments();
    departments_from(&key, store.get(&key).await?.as_deref())
}

/// Adds `department` unless its code is taken; `false` when it is.
pub fn create_department(scope: &TenantScope, department: &Department) -> Result<bool> {
    let key = scope.departments();
    cas_update(&key, |current| {
        let mut list = departments_from(&key, current)?;
        if list.iter().any(|d| d.code == department.code) {
            return Ok(Step::Done(false));
        }
        list.push(department.clone());
        Ok(Step::Write(departments_bytes(&key, &list)?, true))
    })
}

/// Renames the department `code` (its names in every language): the
/// department as it is now, `None` when there is none.
pub fn rename_department(
    scope: &TenantScope,
    code: &DepartmentCode,
    name: &Titles,
) -> Result<Option<Department>> {
    let key = scope.departments();
    cas_update(&key, |current| {
        let mut list = departments_from(&key, current)?;
        let Some(d) = list.iter_mut().find(|d| &d.code == code) else {
            return Ok(Step::Done(None));
        };
        d.name = name.clone();
        let renamed = d.clone();
        Ok(Step::Write(departments_bytes(&key, &list)?, Some(renamed)))
    })
}
