//! Trust anchors: the root certificates whose chains the platform accepts
//! when it verifies a signature (its own signed documents, a citizen's).
//!
//! One key, `trust/roots`, holds a JSON list of base64 DER certificates;
//! [`add_root`] updates it with a leased replace and never adds a duplicate,
//! so two instances adding the same root at once leave it listed once;
//! [`remove_root`] takes one out by its SHA-256. The platform administrator
//! manages the list over `/api/v1/platform/trust/roots` (functions/admin).
//! The sandbox's signing provider adds its development CA when it creates it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use sha2::{Digest as _, Sha256};

use crate::kv::{self, Store};
use crate::{Error, Result};

/// The key of the list.
pub const ROOTS_KEY: &str = "trust/roots";

/// The trusted root certificates (DER).
pub async fn roots(store: &Store) -> Result<Vec<Vec<u8>>> {
    let Some(bytes) = store.get(ROOTS_KEY).await? else {
        return Ok(Vec::new());
    };
    decode(&bytes)
}

/// Adds `der` to the trusted roots unless it is there already; whether it
/// was added.
pub async fn add_root(store: &Store, der: &[u8]) -> Result<bool> {
    kv::push_unique(store.label(), ROOTS_KEY, &B64.encode(der))
}

/// Removes the root whose DER has SHA-256 `sha256`; whether it was listed.
pub fn remove_root(store: &Store, sha256: &[u8; 32]) -> Result<bool> {
    let mut removed = false;
    kv::update_json(store.label(), ROOTS_KEY, |list: &mut Vec<String>| {
        let before = list.len();
        list.retain(|c| {
            B64.decode(c)
                .map_or(true, |der| <[u8; 32]>::from(Sha256::digest(der)) != *sha256)
        });
        removed = list.len() != before;
        removed
    })?;
    Ok(removed)
}

fn decode(bytes: &[u8]) -> Result<Vec<Vec<u8>>> {
    let corrupt = |detail: String| Error::Corrupt {
        key: ROOTS_KEY.to_owned(),
        detail,
    };
    let list: Vec<String> = serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
    list.iter()
        .map(|c| B64.decode(c).map_err(|e| corrupt(e.to_string())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_base64_der() {
        let stored = serde_json::to_vec(&[B64.encode(b"root-1"), B64.encode(b"root-2")]).unwrap();
        assert_eq!(
            decode(&stored).unwrap(),
            vec![b"root-1".to_vec(), b"root-2".to_vec()]
        );
        assert!(decode(b"[\"not base64!\"]").is_err());
        assert!(decode(b"{}").is_err());
    }
}
