//! Tracking tokens: which dossier of which tenant a tracking token belongs to.
//!
//! | key | value |
//! | --- | --- |
//! | `token/{TOKEN}` | `{tenant, dossier}` (JSON) |

use ghiseu_core::TrackingToken;
use serde::{Deserialize, Serialize};

use super::{get_json, set_json};
use crate::Result;
use crate::kv::Store;

/// `token/{TOKEN}`.
#[must_use]
pub fn token_key(token: &TrackingToken) -> String {
    format!("token/{token}")
}

/// Where a tracking token points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenEntry {
    /// The tenant slug.
    pub tenant: String,
    /// The dossier id.
    pub dossier: String,
}

/// Records that `token` belongs to `dossier` of `tenant`.
pub async fn put_token(store: &Store, token: &TrackingToken, entry: &TokenEntry) -> Result<()> {
    set_json(store, &token_key(token), entry).await
}

/// The dossier `token` belongs to.
pub async fn token_entry(store: &Store, token: &TrackingToken) -> Result<Option<TokenEntry>> {
    get_json(store, &token_key(token)).await
}
