//! What a batch's use cases need from their component, and how they fail.

use ghiseu_core::Actor;
use ghiseu_core::signing::Batch;
use ghiseu_core::workflow::WorkflowError;
use ghiseu_platform::csc::{self, Client, Refusal};
use ghiseu_platform::kv::Store;

use super::Config;

/// Who signs: the official, as the workflow sees them, and their name as the
/// stamp shows it.
#[derive(Debug, Clone, Copy)]
pub struct Signer<'a> {
    /// The official.
    pub actor: &'a Actor,
    /// Their name on the stamp.
    pub name: &'a str,
    /// The institution they sign for, as the code's SMS names it.
    pub institution: &'a str,
    /// The language of the code's SMS.
    pub lang: ghiseu_core::Lang,
}

/// What signing a batch needs from its component.
pub struct Service<'a> {
    /// The key-value store.
    pub store: &'a Store,
    /// The object store and the notification gateway.
    pub out: &'a ghiseu_platform::Outbound,
    /// The signing service.
    pub client: &'a Client,
    /// The timestamp authority and the asynchronous callback, if any.
    pub config: &'a Config,
    /// The component's words for why a document was not signed (they are
    /// recorded in the batch, which the signer reads later).
    pub words: fn(&Failure) -> String,
}

/// Why a batch step did not happen, beyond the use cases' [`crate::Error`].
#[derive(Debug)]
pub enum SignError {
    /// No document was selected.
    NothingSelected,
    /// More than [`ghiseu_core::signing::MAX_BATCH`] documents.
    TooMany,
    /// The official is not a signer.
    NotASigner,
    /// The official has no credential at the signing service.
    NoCredential,
    /// The service refused the code.
    Code(Refusal),
    /// The service failed; nothing was signed.
    Unavailable(csc::Error),
    /// A document could not be prepared at all (the signer's certificate).
    Unpreparable(ghiseu_pades::Error),
    /// The use case failed.
    App(crate::Error),
}

impl From<crate::Error> for SignError {
    fn from(e: crate::Error) -> Self {
        Self::App(e)
    }
}

impl From<ghiseu_platform::Error> for SignError {
    fn from(e: ghiseu_platform::Error) -> Self {
        Self::App(e.into())
    }
}

/// A failure of the signing service: a refused code, or the service down.
pub(crate) fn service_error(e: csc::Error) -> SignError {
    match e.refusal() {
        Some(refusal) if matches!(e, csc::Error::Refused { .. }) => SignError::Code(refusal),
        _ => SignError::Unavailable(e),
    }
}

/// Why one document of a batch was not signed. The component words it
/// ([`Service::words`]).
#[derive(Debug)]
pub enum Failure {
    /// The workflow refuses it (not waiting for signature, another's, no
    /// response, the response changed).
    Workflow(WorkflowError),
    /// The dossier no longer exists.
    DossierGone,
    /// The response cannot take a signature (not a PDF we can sign).
    Unpreparable(String),
    /// The signature could not be embedded.
    Signature(String),
    /// A timestamp authority is configured and gave no timestamp.
    NoTimestamp(String),
    /// The service refused the asynchronous part.
    Refused(String),
    /// The asynchronous result could not be applied.
    NotApplied,
    /// The dossier changed again and again while it was being signed.
    KeptChanging,
}

/// Has the service send `signer` a code for the next part of `batch`, its
/// message naming how many documents the code signs and for whom.
pub(crate) async fn send_code(
    service: &Service<'_>,
    signer: Signer<'_>,
    batch: &Batch,
) -> Result<(), SignError> {
    let count = u32::try_from(batch.next_part()).unwrap_or(u32::MAX);
    service
        .client
        .send_otp_for(
            &batch.credential,
            count,
            signer.institution,
            signer.lang.code(),
        )
        .await
        .map_err(service_error)
}
