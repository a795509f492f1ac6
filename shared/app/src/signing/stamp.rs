//! What every document of a batch gets before its signature: the visible
//! stamp with the signer, the signing time and the verification link,
//! prepared with the batch's signing time (set when the signer's code is
//! entered, so it is when the signature is made) for the batch's credential.

use ghiseu_core::Attachment;
use ghiseu_core::signing::{Batch, Item};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::s3::S3Client;

use super::Credential;
use crate::error::corrupt;

/// Prepares `pdf` (a response of `item`) for the batch's signature: the
/// visible stamp with the signer, the signing time (Romania's time, to the
/// minute), the verification link and its QR code; `/M` the same time.
pub(crate) fn prepare(
    batch: &Batch,
    item: &Item,
    pdf: &[u8],
) -> Result<ghiseu_pades::Prepared, ghiseu_pades::Error> {
    let verify = item.verify.to_string();
    let url = format!("{}/verify/{verify}", batch.origin);
    let signer_line = format!("Semnat electronic de {}", batch.signer_name);
    // The time the signature is made (the batch's signing time is set when the
    // code is entered), in Romania, as the verification page shows it.
    let time_line = format!(
        "Data: {}",
        ghiseu_core::calendar::local_datetime(batch.signing_time).format("%d.%m.%Y, ora %H:%M")
    );
    let number_line = format!("Nr. {}", item.number);
    // The link on two lines keeps the text legible on paper; the QR code holds it whole.
    let base_line = format!("{}/verify/", batch.origin);
    let lines = [
        signer_line.as_str(),
        time_line.as_str(),
        number_line.as_str(),
        "Verificare:",
        base_line.as_str(),
        verify.as_str(),
    ];
    let mut opts = ghiseu_pades::PrepareOptions::new(&batch.signer_name, batch.signing_time);
    opts.reason = Some("Emiterea actului");
    opts.stamp = Some(ghiseu_pades::Stamp {
        verify_url: &url,
        lines: &lines,
    });
    ghiseu_pades::prepare(pdf, &opts)
}

/// The bytes of a dossier's file.
pub(crate) async fn file_bytes(
    s3: &S3Client,
    scope: &TenantScope,
    file: &Attachment,
) -> crate::Result<Vec<u8>> {
    s3.get_object(&scope.attachment_object(&file.sha256))
        .await?
        .ok_or_else(|| {
            corrupt(
                "signing batch",
                "response file missing from the object store",
            )
        })
}

/// The credential the batch was prepared for.
pub(crate) fn credential(batch: &Batch) -> crate::Result<Credential> {
    if batch.certificates.is_empty() {
        return Err(corrupt("signing batch", "no certificate"));
    }
    Ok(Credential {
        id: batch.credential.clone(),
        certificates: batch.certificates.clone(),
        algorithm: batch.algorithm,
        multisign: batch.multisign,
    })
}
