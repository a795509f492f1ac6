//! The component's one error type, mapped to HTTP in one place: pages get an
//! HTML error page (or the sign-in redirect), the JSON APIs problem+json.

use ghiseu_platform::http::{
    self as web, PROBLEM_JSON, Problem, Response, secure_html, see_other as redirect,
};
use http::StatusCode;
use serde::Serialize;

use crate::pages;

/// Everything that can go wrong in administration.
#[derive(Debug)]
pub enum AdminError {
    /// No live session of an active official.
    Unauthenticated,
    /// Signed in, but not allowed (not a tenant administrator, bad CSRF token).
    Forbidden(String),
    /// Nothing of that name in the administrator's own tenant.
    NotFound(String),
    /// The name is taken, or the change is not possible now.
    Conflict(String),
    /// The request is invalid: (path or form field, message), all at once.
    Invalid(Vec<(String, String)>),
    /// An invitation that can no longer be used.
    Gone(String),
    /// A store failed.
    Platform(ghiseu_platform::Error),
}

impl From<ghiseu_platform::Error> for AdminError {
    fn from(e: ghiseu_platform::Error) -> Self {
        Self::Platform(e)
    }
}

impl AdminError {
    /// One invalid field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![(field.to_owned(), message.into())])
    }

    fn parts(self) -> (StatusCode, &'static str, String, Vec<(String, String)>) {
        match self {
            Self::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "Autentificare necesară",
                "Autentificați-vă la /desk/login.".to_owned(),
                vec![],
            ),
            Self::Forbidden(d) => (StatusCode::FORBIDDEN, "Acțiune nepermisă", d, vec![]),
            Self::NotFound(d) => (StatusCode::NOT_FOUND, "Negăsit", d, vec![]),
            Self::Conflict(d) => (StatusCode::CONFLICT, "Conflict", d, vec![]),
            Self::Gone(d) => (StatusCode::GONE, "Invitație nevalabilă", d, vec![]),
            Self::Invalid(errors) => (
                StatusCode::BAD_REQUEST,
                "Date invalide",
                errors
                    .iter()
                    .map(|(f, m)| format!("{f}: {m}"))
                    .collect::<Vec<_>>()
                    .join("; "),
                errors,
            ),
            Self::Platform(e) => {
                eprintln!("admin: {e}");
                let p = Problem::from_error(&e);
                let status = p.status_code();
                (status, "Eroare", p.detail.unwrap_or_default(), vec![])
            }
        }
    }

    /// The problem+json answer; validation errors list each problem in
    /// `errors: [{path, message}]`.
    pub fn into_problem(self) -> Response {
        #[derive(Serialize)]
        struct Item {
            path: String,
            message: String,
        }
        #[derive(Serialize)]
        struct Body {
            #[serde(rename = "type")]
            type_uri: &'static str,
            title: String,
            status: u16,
            detail: String,
            #[serde(skip_serializing_if = "Vec::is_empty")]
            errors: Vec<Item>,
        }
        let (status, _, detail, errors) = self.parts();
        let body = Body {
            type_uri: "about:blank",
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            errors: errors
                .into_iter()
                .map(|(path, message)| Item { path, message })
                .collect(),
        };
        web::bytes(
            status,
            PROBLEM_JSON,
            serde_json::to_vec(&body).unwrap_or_default(),
        )
    }

    /// The HTML answer: the sign-in page for a missing session, else an error page.
    pub fn into_html(self) -> Response {
        if let Self::Unauthenticated = self {
            return redirect("/desk/login");
        }
        let (status, title, detail, _) = self.parts();
        secure_html(status, pages::error_page(title, &detail))
    }
}
