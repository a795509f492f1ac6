//! Request bodies and refused forms: reading a body within the component's
//! limit, and showing a form's errors again on its page.

use ghiseu_platform::http::{self as web, Form, Request, parse_form};
use http::StatusCode;

use crate::error::AdminError;

/// Largest form or JSON body (a logo is at most 256 KiB).
pub const MAX_BODY_BYTES: usize = 512 * 1024;

/// The body of `request`, at most [`MAX_BODY_BYTES`].
pub async fn read_body(request: Request) -> Result<Vec<u8>, AdminError> {
    let (_, body) = web::read_request(request, MAX_BODY_BYTES).await?;
    Ok(body)
}

/// The urlencoded form of `request`.
pub async fn read_form(request: Request) -> Result<Form, AdminError> {
    Ok(parse_form(&read_body(request).await?))
}

/// The errors a refused form shows on its page: the validation errors, or a
/// conflict reported at `conflict_field`. Other errors are answered as such.
pub fn form_errors(
    error: AdminError,
    conflict_field: &str,
) -> Result<Vec<(String, String)>, AdminError> {
    match error {
        AdminError::Invalid(errors) => Ok(errors),
        AdminError::Conflict(m) => Ok(vec![(conflict_field.to_owned(), m)]),
        other => Err(other),
    }
}

/// 422 for a page shown again with errors, else 200.
pub fn page_status(errors: &[(String, String)]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}
