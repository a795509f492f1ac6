//! What the front door reads: the active institutions and their active
//! document types.

use ghiseu_core::{DocumentType, Tenant, TenantSlug};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;

/// An institution with its services.
pub struct Institution {
    /// The tenant.
    pub tenant: Tenant,
    /// Its active document types, in their latest versions.
    pub services: Vec<DocumentType>,
}

/// Every active institution with its services, county councils first, then
/// by name.
pub async fn institutions(store: &Store) -> ghiseu_platform::Result<Vec<Institution>> {
    let mut list = Vec::new();
    for tenant in repo::tenants(store).await?.into_iter().filter(|t| t.active) {
        let services = repo::document_types(store, &TenantScope::new(&tenant.slug)).await?;
        list.push(Institution { tenant, services });
    }
    list.sort_by(|a, b| {
        (a.tenant.kind as u8, a.tenant.name.as_str())
            .cmp(&(b.tenant.kind as u8, b.tenant.name.as_str()))
    });
    Ok(list)
}

/// One active institution and its services.
pub async fn institution(
    store: &Store,
    slug: &TenantSlug,
) -> ghiseu_platform::Result<Option<Institution>> {
    let Some(tenant) = repo::get_tenant(store, slug).await?.filter(|t| t.active) else {
        return Ok(None);
    };
    let services = repo::document_types(store, &TenantScope::new(&tenant.slug)).await?;
    Ok(Some(Institution { tenant, services }))
}
