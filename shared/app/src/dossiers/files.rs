//! A dossier's files: content-addressed in the tenant's part of the object
//! store, so storing the same bytes twice is harmless.

use ghiseu_core::dossier::OriginalName;
use ghiseu_core::{Attachment, MediaType, Sha256Digest};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::s3::S3Client;

use crate::Result;

/// A scanned page, already checked by content.
pub struct Scan {
    /// The uploader's file name.
    pub name: OriginalName,
    /// What the content is.
    pub media_type: MediaType,
    /// The bytes.
    pub data: Vec<u8>,
}

/// Stores `scan` under its SHA-256 in the tenant's files (storing the same
/// bytes twice is harmless) and describes it.
pub async fn store_file(s3: &S3Client, scope: &TenantScope, scan: Scan) -> Result<Attachment> {
    let sha = Sha256Digest::of(&scan.data);
    let size = scan.data.len() as u64;
    s3.put_object(
        &scope.attachment_object(&sha),
        scan.data,
        scan.media_type.mime(),
    )
    .await?;
    Ok(Attachment {
        sha256: sha,
        media_type: scan.media_type,
        size,
        original_name: scan.name,
    })
}

/// Stores each of `scans` (see [`store_file`]), in order.
pub async fn store_files(
    s3: &S3Client,
    scope: &TenantScope,
    scans: Vec<Scan>,
) -> Result<Vec<Attachment>> {
    let mut stored = Vec::with_capacity(scans.len());
    for scan in scans {
        stored.push(store_file(s3, scope, scan).await?);
    }
    Ok(stored)
}
