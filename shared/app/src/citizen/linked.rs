//! The dossiers linked to a citizen's account (registered online or claimed).

use ghiseu_platform::Result;
use ghiseu_platform::keys::{CitizenKeys, STORE};
use ghiseu_platform::kv::{self, Store};
use serde::{Deserialize, Serialize};

use super::corrupt;

/// A dossier linked to an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Linked {
    /// The tenant slug.
    pub tenant: String,
    /// The dossier id.
    pub dossier: String,
}

/// Links a dossier to the account (once).
pub fn link_dossier(account_id: &str, linked: &Linked) -> Result<()> {
    kv::push_unique(STORE, &CitizenKeys::new(account_id).dossiers(), linked).map(drop)
}

/// The dossiers linked to the account, oldest first.
pub async fn linked_dossiers(store: &Store, account_id: &str) -> Result<Vec<Linked>> {
    let key = CitizenKeys::new(account_id).dossiers();
    match store.get(&key).await? {
        Some(b) => serde_json::from_slice(&b).map_err(|e| corrupt(&key, e)),
        None => Ok(Vec::new()),
    }
}
