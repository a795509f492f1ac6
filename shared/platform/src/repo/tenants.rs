//! Tenants: the municipalities, their slugs and their registration prefixes.
//!
//! | key | value |
//! | --- | --- |
//! | `tenants` | the slugs of every listed tenant (JSON array) |
//! | `t/{slug}/tenant` | the tenant record (leased replace) |
//! | `regprefix/{PREFIX}` | the slug that holds a registration prefix (leased insert) |
//!
//! Creating a tenant also writes its departments ([`super::departments`]) and
//! its first administrator's invitation ([`super::officials`]).

use ghiseu_core::official::Invite;
use ghiseu_core::stored::StoredTenant;
use ghiseu_core::{Department, Sha256Digest, Tenant, TenantSlug};

use super::departments::put_departments;
use super::officials::put_invite;
use super::{add_to_list, cas_update, corrupt, get_json, parse, set_json, to_bytes};
use crate::Result;
use crate::keys::{self, STORE, TenantScope};
use crate::kv::{self, InsertOutcome, ReplaceOutcome, Step, Store};

/// The key of the global tenant list.
pub const TENANTS_KEY: &str = "tenants";

/// Writes `tenant` and lists its slug; reserves its registration prefix if no
/// tenant holds it yet (the seed's path; new municipalities use [`create_tenant`]).
pub async fn put_tenant(store: &Store, tenant: &Tenant) -> Result<()> {
    let scope = TenantScope::new(&tenant.slug);
    set_json(store, &scope.tenant(), &tenant.to_stored()).await?;
    kv::insert_new(
        STORE,
        &keys::registration_prefix(&tenant.registration_prefix),
        tenant.slug.as_str().as_bytes(),
    )?;
    add_to_list(TENANTS_KEY, tenant.slug.as_str())
}

/// The tenant `slug`, if it exists.
pub async fn get_tenant(store: &Store, slug: &TenantSlug) -> Result<Option<Tenant>> {
    let key = TenantScope::new(slug).tenant();
    let Some(s) = get_json::<StoredTenant>(store, &key).await? else {
        return Ok(None);
    };
    Tenant::from_stored(&s)
        .map(Some)
        .map_err(|e| corrupt(&key, e))
}

/// Every tenant slug.
pub async fn tenant_slugs(store: &Store) -> Result<Vec<String>> {
    Ok(get_json(store, TENANTS_KEY).await?.unwrap_or_default())
}

/// A page of tenants for a scheduled job: up to `max` slugs in order after
/// `after`, and the last of them when more remain (the caller's `next`).
pub async fn tenant_page(
    store: &Store,
    after: Option<&TenantSlug>,
    max: usize,
) -> Result<(Vec<TenantSlug>, Option<String>)> {
    let mut slugs: Vec<TenantSlug> = tenant_slugs(store)
        .await?
        .iter()
        .filter_map(|s| TenantSlug::parse(s).ok())
        .filter(|s| after.is_none_or(|a| s.as_str() > a.as_str()))
        .collect();
    slugs.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    let more = slugs.len() > max;
    slugs.truncate(max);
    let next = more
        .then(|| slugs.last().map(ToString::to_string))
        .flatten();
    Ok((slugs, next))
}

/// Every listed tenant.
pub async fn tenants(store: &Store) -> Result<Vec<Tenant>> {
    let mut out = Vec::new();
    for slug in tenant_slugs(store).await? {
        if let Ok(s) = TenantSlug::parse(&slug)
            && let Some(t) = get_tenant(store, &s).await?
        {
            out.push(t);
        }
    }
    Ok(out)
}

/// The outcome of [`create_tenant`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateTenant {
    /// Created and listed, with its departments and the invitation.
    Created,
    /// The slug is taken; nothing was written.
    SlugTaken,
    /// Another tenant uses the registration prefix; nothing was written.
    PrefixTaken,
}

/// Creates a new tenant with its departments and its first administrator's
/// invitation (`invite` under the hash of its token).
///
/// Order: the tenant record is created inactive with leased insert (the
/// slug's one winner), the prefix reserved with leased insert (undone if
/// taken), departments and invitation written, and only then is the record
/// switched to active and the slug listed. Until that last step nobody can
/// sign in to it or see it; a crash in between leaves an unlisted, inactive
/// record that blocks the slug and nothing else.
pub async fn create_tenant(
    store: &Store,
    tenant: &Tenant,
    departments: &[Department],
    invite_hash: &Sha256Digest,
    invite: &Invite,
) -> Result<CreateTenant> {
    for t in tenants(store).await? {
        if t.slug == tenant.slug {
            return Ok(CreateTenant::SlugTaken);
        }
        if t.registration_prefix == tenant.registration_prefix {
            return Ok(CreateTenant::PrefixTaken);
        }
    }
    let scope = TenantScope::new(&tenant.slug);
    let key = scope.tenant();
    let inactive = Tenant {
        active: false,
        ..tenant.clone()
    };
    let inactive_bytes = to_bytes(&key, &inactive.to_stored())?;
    if let InsertOutcome::Exists(_) = kv::insert_new(STORE, &key, &inactive_bytes)? {
        return Ok(CreateTenant::SlugTaken);
    }
    let prefix_key = keys::registration_prefix(&tenant.registration_prefix);
    match kv::insert_new(STORE, &prefix_key, tenant.slug.as_str().as_bytes())? {
        InsertOutcome::Inserted => {}
        InsertOutcome::Exists(holder) if holder == tenant.slug.as_str().as_bytes() => {}
        InsertOutcome::Exists(_) => {
            store.delete(&key).await?;
            return Ok(CreateTenant::PrefixTaken);
        }
    }
    put_departments(store, &scope, departments).await?;
    put_invite(invite_hash, invite)?;
    let active = to_bytes(&key, &tenant.to_stored())?;
    match kv::replace(STORE, &key, Some(&inactive_bytes), &active)? {
        ReplaceOutcome::Replaced => {}
        ReplaceOutcome::Conflict { .. } => {
            return Err(corrupt(&key, "changed while being created"));
        }
    }
    add_to_list(TENANTS_KEY, tenant.slug.as_str())?;
    Ok(CreateTenant::Created)
}

/// Changes the tenant `slug` with `change` (leased replace); `None` if it
/// does not exist.
pub fn update_tenant(
    slug: &TenantSlug,
    mut change: impl FnMut(&mut Tenant),
) -> Result<Option<Tenant>> {
    let key = TenantScope::new(slug).tenant();
    cas_update(&key, |current| {
        let Some(bytes) = current else {
            return Ok(Step::Done(None));
        };
        let mut tenant = Tenant::from_stored(&parse::<StoredTenant>(&key, bytes)?)
            .map_err(|e| corrupt(&key, e))?;
        change(&mut tenant);
        Ok(Step::Write(
            to_bytes(&key, &tenant.to_stored())?,
            Some(tenant),
        ))
    })
}
