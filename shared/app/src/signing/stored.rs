//! A batch as stored (`t/{slug}/signing/{id}`, [`StoredBatch`] as JSON), read
//! and written under the key's lease.

use ghiseu_core::TrackingToken;
use ghiseu_core::signing::Batch;
use ghiseu_core::stored::StoredBatch;
use ghiseu_platform::keys::{STORE, TenantScope};
use ghiseu_platform::kv::{self, Step, Store};

use crate::error::corrupt;

pub(crate) fn to_json(batch: &Batch) -> crate::Result<Vec<u8>> {
    serde_json::to_vec(&batch.to_stored()).map_err(|e| corrupt("signing batch", e))
}

fn from_json(key: &str, bytes: &[u8]) -> crate::Result<Batch> {
    let stored: StoredBatch = serde_json::from_slice(bytes).map_err(|e| corrupt(key, e))?;
    Batch::from_stored(&stored).map_err(|e| corrupt(key, e))
}

/// The batch `id` of the tenant `scope`, as stored (`None`: no such batch).
pub(crate) async fn read(
    store: &Store,
    scope: &TenantScope,
    id: &TrackingToken,
) -> crate::Result<Option<(String, Batch)>> {
    let key = scope.signing_batch(id);
    match store.get(&key).await? {
        None => Ok(None),
        Some(bytes) => {
            let batch = from_json(&key, &bytes)?;
            Ok(Some((key, batch)))
        }
    }
}

/// Applies `change` to the stored batch with a leased replace; the batch as
/// written.
pub(crate) fn save(key: &str, mut change: impl FnMut(&mut Batch)) -> crate::Result<Batch> {
    update(key, |b| {
        change(b);
        Some(b.clone())
    })
    .and_then(|saved| saved.ok_or_else(|| corrupt(key, "not written")))
}

/// Applies `decide` to the stored batch with a leased replace; `None` from
/// it writes nothing (and is returned).
pub(crate) fn update<R>(
    key: &str,
    mut decide: impl FnMut(&mut Batch) -> Option<R>,
) -> crate::Result<Option<R>> {
    Ok(kv::update(STORE, key, |current| {
        let bytes = current.ok_or_else(|| ghiseu_platform::Error::Corrupt {
            key: key.to_owned(),
            detail: "signing batch missing".to_owned(),
        })?;
        let mut b = from_json(key, bytes).map_err(|e| match e {
            crate::Error::Platform(p) => p,
            other => ghiseu_platform::Error::Corrupt {
                key: key.to_owned(),
                detail: format!("{other:?}"),
            },
        })?;
        Ok(match decide(&mut b) {
            None => Step::Done(None),
            Some(r) => {
                let bytes = serde_json::to_vec(&b.to_stored()).map_err(|e| {
                    ghiseu_platform::Error::Corrupt {
                        key: key.to_owned(),
                        detail: e.to_string(),
                    }
                })?;
                Step::Write(bytes, Some(r))
            }
        })
    })?)
}
