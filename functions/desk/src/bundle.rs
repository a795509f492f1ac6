//! `GET /desk/dossiers/{id}/bundle.asice`: the dossier's archive container
//! (ASiC-E: every document and the route, their digests in a manifest
//! sealed with the institution's electronic seal), sent as it is read.
//! Downloading it is an access to every document, recorded as such.

use ghiseu_app::archive::{MIMETYPE, SealError, sealed_bundle};
use ghiseu_core::DossierId;
use ghiseu_core::access::Opened;
use ghiseu_platform::http::{self as web, Response};
use ghiseu_platform::kv::Store;
use ghiseu_platform::s3::S3Client;

use crate::error::DeskError;
use crate::session::Signed;
use crate::{access, dossier, signing};

/// The container of dossier `id`, sealed now.
pub async fn get(store: &Store, signed: &Signed, id: DossierId) -> Result<Response, DeskError> {
    let dossier = dossier::load(store, signed, id).await?;
    let client = signing::client().await?;
    let now = ghiseu_platform::config::now();
    let bundle = sealed_bundle(&client, &signing::config(), &dossier, now)
        .await
        .map_err(seal_error)?;
    let s3 = S3Client::from_variables().await?;
    access::opened(store, signed, &dossier, Opened::Bundle).await?;
    Ok(stream(bundle, s3))
}

/// The response that sends `bundle` as a download.
pub(crate) fn stream(bundle: ghiseu_app::archive::Bundle, s3: S3Client) -> Response {
    let name = bundle.file_name();
    web::streamed_download(MIMETYPE, &name, move |mut sink| async move {
        bundle.send(&s3, &mut sink).await
    })
}

fn seal_error(e: SealError) -> DeskError {
    match e {
        SealError::NoSeal => DeskError::NotAllowed(
            "Instituția nu are încă un sigiliu electronic la furnizorul de semnare, așa că \
             arhiva dosarului nu poate fi sigilată. Administratorul platformei îl înrolează \
             la furnizor (utilizatorul seal:<instituție>)."
                .to_owned(),
        ),
        other => {
            eprintln!("desk: sealing a bundle: {other}");
            DeskError::NotAllowed(
                "Furnizorul de semnare nu a putut sigila arhiva dosarului. Nimic nu s-a \
                 schimbat; încercați din nou peste câteva minute."
                    .to_owned(),
            )
        }
    }
}
