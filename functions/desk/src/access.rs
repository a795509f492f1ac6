//! The access records the desk writes (`ghiseu_core::access`): every
//! opening of a dossier's page or of one of its files by an official, before
//! it is served.

use ghiseu_core::access::Opened;
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;

use crate::error::DeskError;
use crate::session::Signed;

/// Records that the signed-in official opened `what` of `dossier` (the
/// citizen sees it on the dossier, the administrator in the access log); the
/// page is not shown without it.
pub(crate) async fn opened(
    store: &Store,
    signed: &Signed,
    dossier: &ghiseu_core::Dossier,
    what: Opened,
) -> Result<(), DeskError> {
    let who = repo::Opener {
        official: &signed.actor.username,
        name: &signed.display_name,
        roles: signed.actor.roles.iter().copied().collect(),
        department: signed.actor.department.as_ref(),
    };
    let scope = TenantScope::new(&signed.tenant.slug);
    let now = ghiseu_platform::config::now();
    let number = dossier.number().to_string();
    repo::record_access(store, &scope, (&dossier.id(), &number), who, what, now).await?;
    Ok(())
}
