//! The key layout of the `default` key-value store, in one place.
//!
//! | key | value | written by |
//! | --- | --- | --- |
//! | `track/{TOKEN}` | the public tracking snapshot of a dossier ([`crate::tracking::Snapshot`], JSON) | whoever changes a dossier (the desk) |
//! | `ratelimit/{scope}/{client}/{minute}` | a fixed-window counter (atomic increment) | the component that limits |
//! | `t/{slug}/tenant` | the tenant record | administration |
//! | `t/{slug}/dossier/{ID}` | a dossier record | the desk |
//! | `t/{slug}/regno/{year}` | the registration counter of a year (atomic increment) | the desk |
//!
//! Global keys hold only what is public or keyed by an unguessable token. Every
//! tenant's own data lives under `t/{slug}/`, and those keys are built only
//! through a [`TenantScope`], which is made from a validated
//! [`TenantSlug`]: no code formats a tenant key by hand, so no code can address
//! another tenant's keys by string formatting. Slugs are lowercase letters,
//! digits and hyphens, so a scope's prefix can never contain `/` and one
//! tenant's prefix is never a prefix of another's keys.

use ghiseu_core::{DossierId, TenantSlug, TrackingToken};

/// The key of a dossier's public tracking snapshot: `track/{TOKEN}` (the
/// canonical uppercase token). Global on purpose: the token alone finds it,
/// and a dossier forwarded between tenants keeps its link.
#[must_use]
pub fn tracking(token: &TrackingToken) -> String {
    format!("track/{token}")
}

/// The key of a fixed-window rate-limit counter: `ratelimit/{scope}/{client}/{window}`.
/// `client` is an address without port; `window` the window's number (e.g.
/// minutes since the epoch).
#[must_use]
pub fn rate_limit(scope: &str, client: &str, window: u64) -> String {
    format!("ratelimit/{scope}/{client}/{window}")
}

/// The keys of one tenant. The only way to build a tenant-scoped key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantScope {
    prefix: String,
}

impl TenantScope {
    /// The scope of `tenant`.
    #[must_use]
    pub fn new(tenant: &TenantSlug) -> Self {
        Self {
            prefix: format!("t/{tenant}/"),
        }
    }

    /// The prefix every key of this tenant starts with, `t/{slug}/` (for
    /// listings).
    #[must_use]
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// `t/{slug}/tenant`: the tenant record.
    #[must_use]
    pub fn tenant(&self) -> String {
        format!("{}tenant", self.prefix)
    }

    /// `t/{slug}/dossier/{ID}`: a dossier record.
    #[must_use]
    pub fn dossier(&self, id: &DossierId) -> String {
        format!("{}dossier/{id}", self.prefix)
    }

    /// `t/{slug}/regno/{year}`: the registration counter of `year`.
    #[must_use]
    pub fn registration_counter(&self, year: u16) -> String {
        format!("{}regno/{year}", self.prefix)
    }

    /// Whether `key` belongs to this tenant.
    #[must_use]
    pub fn owns(&self, key: &str) -> bool {
        key.starts_with(&self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slug(s: &str) -> TenantSlug {
        TenantSlug::parse(s).unwrap()
    }

    #[test]
    fn key_table() {
        let cj = TenantScope::new(&slug("cj-cluj"));
        let id = DossierId::from_random([0; 16]);
        let token = TrackingToken::from_random([0xff; 16]);
        let cases = [
            (cj.tenant(), "t/cj-cluj/tenant"),
            (
                cj.dossier(&id),
                "t/cj-cluj/dossier/00000000000000000000000000",
            ),
            (cj.registration_counter(2026), "t/cj-cluj/regno/2026"),
            (tracking(&token), "track/7ZZZZZZZZZZZZZZZZZZZZZZZZZ"),
            (
                rate_limit("track", "10.0.0.1", 42),
                "ratelimit/track/10.0.0.1/42",
            ),
        ];
        for (key, want) in cases {
            assert_eq!(key, want);
        }
    }

    #[test]
    fn one_tenant_never_owns_anothers_keys() {
        let a = TenantScope::new(&slug("turda"));
        let b = TenantScope::new(&slug("turda-2"));
        let id = DossierId::from_random([1; 16]);
        for key in [b.tenant(), b.dossier(&id), b.registration_counter(2026)] {
            assert!(b.owns(&key));
            assert!(!a.owns(&key), "{key}");
        }
        for key in [a.tenant(), a.dossier(&id), a.registration_counter(2026)] {
            assert!(!b.owns(&key), "{key}");
        }
        // Public keys belong to no tenant.
        assert!(!a.owns(&tracking(&TrackingToken::from_random([1; 16]))));
    }
}
