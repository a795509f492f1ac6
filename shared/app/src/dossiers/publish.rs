//! The public tracking snapshot of a dossier, and the journey of a request
//! forwarded between institutions (each leg's token shows the whole journey).

use ghiseu_core::public_view::PublicNames;
use ghiseu_core::{Dossier, Tenant};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;
use ghiseu_platform::tracking::{Snapshot, join_journey, put_snapshot, snapshot_of};

use crate::{Error, Result};

/// Display names of the tenant's departments and officials.
pub async fn names(store: &Store, scope: &TenantScope) -> Result<PublicNames> {
    Ok(PublicNames::of(
        &repo::departments(store, scope).await?,
        &repo::officials(store, scope).await?,
    ))
}

/// The snapshot of one dossier in its own tenant (`known` when it is that
/// tenant, else read).
async fn snapshot(store: &Store, known: &Tenant, dossier: &Dossier) -> Result<Snapshot> {
    let scope = TenantScope::new(dossier.tenant());
    let read;
    let tenant = if &known.slug == dossier.tenant() {
        known
    } else {
        read = repo::get_tenant(store, dossier.tenant())
            .await?
            .ok_or(Error::NotFound)?;
        &read
    };
    let names = names(store, &scope).await?;
    let titles = repo::document_type_version(
        store,
        &scope,
        dossier.document_type(),
        dossier.document_type_version(),
    )
    .await?
    .map(|t| t.titles)
    .ok_or(Error::NotFound)?;
    Ok(snapshot_of(
        dossier,
        tenant.name.as_str(),
        Some(&tenant.public_base_url),
        &titles,
        &names,
    ))
}

/// The longest chain of institutions followed.
const MAX_LEGS: usize = 8;

/// Every dossier of the request `dossier` belongs to, across institutions,
/// oldest first: back through the origins, then forward through the
/// forwardings. A single dossier for a request that never left its institution.
async fn journey(store: &Store, dossier: &Dossier) -> Result<Vec<Dossier>> {
    let mut first = dossier.clone();
    for _ in 0..MAX_LEGS {
        let Some(origin) = first.origin().cloned() else {
            break;
        };
        let scope = TenantScope::new(&origin.tenant);
        match repo::get_dossier(store, &scope, &origin.dossier).await? {
            Some(v) => first = v.dossier,
            None => break,
        }
    }
    let mut legs = vec![first];
    while legs.len() < MAX_LEGS {
        let last = legs.last().expect("never empty");
        let Some((tenant, id)) = last.forwarded_to() else {
            break;
        };
        let scope = TenantScope::new(tenant);
        match repo::get_dossier(store, &scope, id).await? {
            Some(v) => legs.push(v.dossier),
            None => break,
        }
    }
    Ok(legs)
}

/// Writes the public tracking snapshot of `dossier` of `tenant`, and, for a
/// request forwarded between institutions, the snapshots of every leg (each
/// token shows the whole journey).
pub async fn publish(store: &Store, tenant: &Tenant, dossier: &Dossier) -> Result<()> {
    let legs = journey(store, dossier).await?;
    if legs.len() < 2 {
        let snap = snapshot(store, tenant, dossier).await?;
        put_snapshot(store, dossier.token(), &snap).await?;
        return Ok(());
    }
    let mut snaps = Vec::with_capacity(legs.len());
    for leg in &legs {
        snaps.push(snapshot(store, tenant, leg).await?);
    }
    join_journey(&mut snaps);
    for (leg, snap) in legs.iter().zip(&snaps) {
        put_snapshot(store, leg.token(), snap).await?;
    }
    Ok(())
}
