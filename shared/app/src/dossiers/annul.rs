//! The registry's numbers taken without a dossier: every one of the year
//! ([`without_dossier`]), and recording one as annulled with a reason
//! ([`annul`]), once, by whoever may register.

use chrono::{DateTime, Utc};
use ghiseu_core::annulment::{Annulment, AnnulmentReason};
use ghiseu_core::permissions::authorize_registration;
use ghiseu_core::{Actor, Denied, RegistrationNumber, Tenant};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;

use crate::{Error, Result};

/// A number of the registry without a dossier, and its annulment if recorded.
#[derive(Debug, Clone)]
pub struct WithoutDossier {
    /// The number.
    pub number: RegistrationNumber,
    /// Its annulment, once recorded.
    pub annulment: Option<Annulment>,
}

/// Every number of `year` at `tenant` taken without a dossier, oldest first.
pub async fn without_dossier(
    store: &Store,
    tenant: &Tenant,
    year: u16,
) -> Result<Vec<WithoutDossier>> {
    let scope = TenantScope::new(&tenant.slug);
    let mut out = Vec::new();
    for (seq, annulment) in repo::numbers_without_dossier(store, &scope, year).await? {
        let number = RegistrationNumber::new(tenant.registration_prefix.clone(), year, seq)
            .map_err(|e| Error::NotAllowed(e.to_string()))?;
        out.push(WithoutDossier { number, annulment });
    }
    Ok(out)
}

/// What recording an annulment came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Annulled {
    /// Recorded.
    Recorded,
    /// The number is not the institution's, or not taken yet.
    NotTaken,
    /// The number has its dossier: it is not annulled.
    HasDossier,
    /// It was annulled already (the first annulment stands).
    Already,
}

/// Records `number` of `tenant` as annulled by `actor` for `reason` at
/// `now`: only a number taken without a dossier, only once, only by whoever
/// may register at the institution.
pub async fn annul(
    store: &Store,
    (actor, tenant): (&Actor, &Tenant),
    number: &RegistrationNumber,
    reason: AnnulmentReason,
    now: DateTime<Utc>,
) -> Result<Annulled> {
    authorize_registration(actor, &tenant.slug).map_err(|d| match d {
        Denied::OtherTenant => Error::NotFound,
        Denied::NotPermitted => Error::Forbidden(d.to_string()),
    })?;
    let scope = TenantScope::new(&tenant.slug);
    let (year, seq) = (number.year(), number.seq());
    if *number.prefix() != tenant.registration_prefix
        || seq > repo::registrations_taken(store, &scope, year).await?
    {
        return Ok(Annulled::NotTaken);
    }
    if repo::has_dossier(store, &scope, year, seq).await? {
        return Ok(Annulled::HasDossier);
    }
    let annulment = Annulment {
        at: now,
        by: actor.username.clone(),
        reason,
    };
    Ok(if repo::put_annulment(&scope, year, seq, &annulment)? {
        Annulled::Recorded
    } else {
        Annulled::Already
    })
}
