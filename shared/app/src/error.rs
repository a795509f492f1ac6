//! The one error type of the use cases. Each component maps it to its own
//! response (the desk's error page, the portal's problem) in one place.

use ghiseu_core::Denied;
use ghiseu_core::workflow::WorkflowError;

/// A `Result` whose error defaults to [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a use case did not happen.
#[derive(Debug)]
pub enum Error {
    /// No such record for this actor (also: another tenant's).
    NotFound,
    /// The actor's role does not allow it; why, from the domain's rules.
    Forbidden(String),
    /// Someone else changed the record since it was read.
    Conflict,
    /// Not possible in the present state; why, from the domain's rules.
    NotAllowed(String),
    /// A field is invalid: (field id, the domain's reason).
    Invalid(Vec<(String, String)>),
    /// A store or an outbound service failed.
    Platform(ghiseu_platform::Error),
}

impl From<ghiseu_platform::Error> for Error {
    fn from(e: ghiseu_platform::Error) -> Self {
        Self::Platform(e)
    }
}

impl From<WorkflowError> for Error {
    fn from(e: WorkflowError) -> Self {
        match e {
            WorkflowError::Denied(Denied::OtherTenant) => Self::NotFound,
            WorkflowError::Denied(d) => Self::Forbidden(d.to_string()),
            other => Self::NotAllowed(other.to_string()),
        }
    }
}

/// A stored record that cannot be read back: `key` names it.
pub(crate) fn corrupt(key: &str, detail: impl ToString) -> Error {
    Error::Platform(ghiseu_platform::Error::Corrupt {
        key: key.to_owned(),
        detail: detail.to_string(),
    })
}
