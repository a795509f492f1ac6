//! Request bodies and refused forms: reading a body within the component's
//! limit, and showing a form's errors again on its page.

use ghiseu_core::Lang;
use ghiseu_platform::http::{self as web, Form, Request, parse_form};
use http::StatusCode;

use crate::error::AdminError;
use crate::explain;
use crate::texts::t;

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

/// The errors a refused form shows on its page, in `lang`: the validation
/// errors in words ([`in_words`]), or a conflict reported at `field` with the
/// text `key`. Other errors are answered as such.
pub fn form_errors(
    lang: Lang,
    error: AdminError,
    (field, key): (&str, &str),
) -> Result<Vec<(String, String)>, AdminError> {
    match error {
        AdminError::Invalid(errors) => Ok(in_words(lang, errors)),
        AdminError::Conflict(_) => Ok(vec![(field.to_owned(), t(lang, key).to_owned())]),
        other => Err(other),
    }
}

/// Validation errors as the pages say them: core's sentences (written for
/// the API, in English) in `lang`, as the editor explains them.
pub fn in_words(lang: Lang, errors: Vec<(String, String)>) -> Vec<(String, String)> {
    errors
        .into_iter()
        .map(|(field, m)| {
            let key = match field.as_str() {
                "roles" => Some("err_roles"),
                "email" => Some("err_email"),
                "department" => Some("err_department"),
                _ => None,
            };
            let m = key.map_or_else(
                || explain::message(lang, &field, &m),
                |k| t(lang, k).to_owned(),
            );
            (field, m)
        })
        .collect()
}

/// 422 for a page shown again with errors, else 200.
pub fn page_status(errors: &[(String, String)]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}
