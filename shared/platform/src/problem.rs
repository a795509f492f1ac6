//! RFC 9457 problem details (`application/problem+json`): the error answer
//! of every API, and the one mapping of a platform [`Error`] to a status.
//!
//! A leaf of the HTTP side: [`crate::wasi_http`] answers a request it cannot
//! read with a [`problem`], and [`crate::http`] re-exports all of it.

use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;

use crate::Error;

/// A response with its whole body (the same type as [`crate::http::Response`]).
type Response = http::Response<Bytes>;

/// The media type of RFC 9457 problem details.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// RFC 9457 problem details, answered as `application/problem+json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// A URI reference identifying the problem type; `about:blank` when the
    /// status says it all.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// A short, human-readable summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// An explanation specific to this occurrence, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Problem {
    /// A problem of type `about:blank` whose title is the status's reason
    /// phrase.
    #[must_use]
    pub fn new(status: StatusCode) -> Self {
        Self {
            type_uri: "about:blank".to_owned(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: None,
        }
    }

    /// Sets the problem type URI (and should come with a specific title).
    #[must_use]
    pub fn with_type(mut self, type_uri: impl Into<String>) -> Self {
        self.type_uri = type_uri.into();
        self
    }

    /// Sets the title.
    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// Sets the occurrence-specific detail.
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// The problem for a platform error: client errors get a 4xx that says
    /// what to fix; platform failures get a 5xx that leaks no internals (the
    /// caller should log the error itself).
    #[must_use]
    pub fn from_error(error: &Error) -> Self {
        match error {
            Error::BodyTooLarge { limit } => Problem::new(StatusCode::PAYLOAD_TOO_LARGE)
                .with_detail(match limit {
                    Some(n) => format!("The request body must be at most {n} bytes."),
                    None => "The request body is larger than this service accepts.".to_owned(),
                }),
            Error::BodyRead(_) => Problem::new(StatusCode::BAD_REQUEST)
                .with_detail("The request body could not be read to its end."),
            Error::S3Status { .. } | Error::S3Response { .. } | Error::Outbound(_) => {
                Problem::new(StatusCode::BAD_GATEWAY)
                    .with_detail("A storage service did not answer as expected.")
            }
            Error::KeyValue { .. }
            | Error::Variable { .. }
            | Error::S3Config(_)
            | Error::Corrupt { .. } => Problem::new(StatusCode::INTERNAL_SERVER_ERROR)
                .with_detail("The service could not complete the request."),
        }
    }

    /// The status as a [`StatusCode`] (500 if it is not a valid code).
    #[must_use]
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The JSON document.
    #[must_use]
    pub fn to_json(&self) -> Vec<u8> {
        // A struct of strings and an integer always serialises.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The `application/problem+json` response.
    #[must_use]
    pub fn into_response(self) -> Response {
        let mut response = Response::new(Bytes::from(self.to_json()));
        *response.status_mut() = self.status_code();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        response
    }
}

impl From<Problem> for Response {
    fn from(problem: Problem) -> Self {
        problem.into_response()
    }
}

/// Shorthand for a problem response with a detail.
pub fn problem(status: StatusCode, detail: impl Into<String>) -> Response {
    Problem::new(status).with_detail(detail).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_json_has_rfc9457_members() {
        let problem = Problem::new(StatusCode::NOT_FOUND).with_detail("No such dossier.");
        let value: serde_json::Value = serde_json::from_slice(&problem.to_json()).unwrap();
        assert_eq!(
            value,
            serde_json::json!({
                "type": "about:blank",
                "title": "Not Found",
                "status": 404,
                "detail": "No such dossier."
            })
        );
    }

    #[test]
    fn problem_without_detail_omits_it() {
        let problem = Problem::new(StatusCode::METHOD_NOT_ALLOWED);
        let value: serde_json::Value = serde_json::from_slice(&problem.to_json()).unwrap();
        assert!(value.get("detail").is_none());
        assert_eq!(value["title"], "Method Not Allowed");
    }

    #[test]
    fn problem_response_has_problem_media_type() {
        let response = problem(StatusCode::BAD_REQUEST, "bad");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(response.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
    }

    #[test]
    fn errors_map_to_statuses_without_leaking() {
        let cases = [
            (Error::BodyTooLarge { limit: Some(10) }, 413),
            (Error::BodyTooLarge { limit: None }, 413),
            (Error::BodyRead("reset".into()), 400),
            (
                Error::S3Status {
                    operation: "PutObject",
                    status: 403,
                    detail: "<Error>secret</Error>".into(),
                },
                502,
            ),
            (Error::Outbound("refused".into()), 502),
            (
                Error::KeyValue {
                    label: "default".into(),
                    message: "disk full".into(),
                },
                500,
            ),
            (Error::S3Config("no endpoint".into()), 500),
        ];
        for (error, status) in cases {
            let problem = Problem::from_error(&error);
            assert_eq!(problem.status, status, "{error}");
            let text = String::from_utf8(problem.to_json()).unwrap();
            assert!(
                !text.contains("secret") && !text.contains("disk full"),
                "{text}"
            );
        }
    }
}
