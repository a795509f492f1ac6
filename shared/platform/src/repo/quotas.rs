//! An institution's submission quotas (`t/{slug}/quotas`, the text of
//! [`SubmissionQuota::to_stored`]), set by its administrator; absent: the
//! default.

use ghiseu_core::quota::SubmissionQuota;

use super::corrupt;
use crate::Result;
use crate::keys::TenantScope;
use crate::kv::Store;

/// The institution's submission quotas (the default when none were set).
pub async fn submission_quota(store: &Store, scope: &TenantScope) -> Result<SubmissionQuota> {
    let key = scope.submission_quota();
    match store.get(&key).await? {
        None => Ok(SubmissionQuota::default()),
        Some(bytes) => std::str::from_utf8(&bytes)
            .ok()
            .and_then(SubmissionQuota::from_stored)
            .ok_or_else(|| corrupt(&key, "not a submission quota")),
    }
}

/// Sets the institution's submission quotas (the administrator's setting:
/// the last one saved holds).
pub async fn put_submission_quota(
    store: &Store,
    scope: &TenantScope,
    quota: &SubmissionQuota,
) -> Result<()> {
    store
        .set(&scope.submission_quota(), quota.to_stored().as_bytes())
        .await
}
