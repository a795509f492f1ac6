//! Files a citizen uploaded with a form that was refused for another field:
//! kept, content-addressed, among the citizen's pending uploads in the object
//! store ([`CitizenKeys::pending_upload`]), so that the form shown again lists
//! them as attached and the next submission takes them from there instead of
//! a second upload over a phone's network.
//!
//! Only the account that kept a file can name it: its key holds the account,
//! and the bytes read back must hash to the digest the form names. What the
//! file is (its type, its size against the field's limit) is checked again by
//! the caller, as for a file just uploaded.
//!
//! A kept file is not removed when the submission succeeds: a retried request
//! (the same idempotency key) still names it. The `citizen/pending/` prefix is
//! for an object-store lifecycle rule to expire.

use ghiseu_core::dossier::OriginalName;
use ghiseu_core::{MediaType, Sha256Digest};
use ghiseu_platform::keys::CitizenKeys;
use ghiseu_platform::s3::S3Client;

/// A kept upload, as the form shows it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// The content's SHA-256 (its address).
    pub sha256: Sha256Digest,
    /// The name it had on the citizen's device.
    pub name: OriginalName,
    /// Its size in bytes.
    pub size: u64,
}

impl Kept {
    /// What a form carries to name it again: `{sha256}:{file name}`.
    #[must_use]
    pub fn reference(&self) -> String {
        format!("{}:{}", self.sha256.to_hex(), self.name.as_str())
    }
}

/// The digest and the file name of a form's reference ([`Kept::reference`]);
/// `None` when it is not one.
#[must_use]
pub fn parse_reference(raw: &str) -> Option<(Sha256Digest, OriginalName)> {
    let (sha, name) = raw.split_once(':')?;
    Some((
        Sha256Digest::parse(sha).ok()?,
        OriginalName::parse(name).ok()?,
    ))
}

/// Keeps `data` (of type `media_type`, named `name`) among the pending
/// uploads of `account_id`; storing the same bytes twice is harmless. The
/// bytes go to the object store as they are, not copied.
pub async fn keep(
    s3: &S3Client,
    account_id: &str,
    name: &OriginalName,
    media_type: MediaType,
    data: Vec<u8>,
) -> ghiseu_platform::Result<Kept> {
    let sha256 = Sha256Digest::of(&data);
    let key = CitizenKeys::new(account_id).pending_upload(&sha256);
    let size = data.len() as u64;
    s3.put_object(&key, data, media_type.mime()).await?;
    Ok(Kept {
        sha256,
        name: name.clone(),
        size,
    })
}

/// The upload that the form's `reference` names among the pending uploads of
/// `account_id`, with its bytes; `None` when the reference is malformed, the
/// file is not there (any more) or its bytes are not the named digest's.
pub async fn kept(
    s3: &S3Client,
    account_id: &str,
    reference: &str,
) -> ghiseu_platform::Result<Option<(Kept, Vec<u8>)>> {
    let Some((sha256, name)) = parse_reference(reference) else {
        return Ok(None);
    };
    let key = CitizenKeys::new(account_id).pending_upload(&sha256);
    let Some(data) = s3.get_object(&key).await? else {
        return Ok(None);
    };
    if Sha256Digest::of(&data) != sha256 {
        return Ok(None);
    }
    let kept = Kept {
        sha256,
        name,
        size: data.len() as u64,
    };
    Ok(Some((kept, data)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_name_a_digest_and_a_file() {
        let kept = Kept {
            sha256: Sha256Digest::of(b"plan"),
            name: OriginalName::parse("plan: etaj 1.pdf").unwrap(),
            size: 4,
        };
        let (sha, name) = parse_reference(&kept.reference()).unwrap();
        assert_eq!((sha, name), (kept.sha256, kept.name));
        for bad in [
            "",
            "plan.pdf",
            "ABCD:plan.pdf",
            &format!("{}:", Sha256Digest::of(b"x").to_hex()),
            &format!("{}:../x", Sha256Digest::of(b"x").to_hex().to_uppercase()),
        ] {
            assert_eq!(parse_reference(bad), None, "{bad}");
        }
    }
}
