//! The desk's one error, mapped to HTML in one place ([`IntoHtml::into_html`]).

use ghiseu_platform::http::{Response, secure_html};
use http::StatusCode;

use crate::pages;

/// Everything that can go wrong in the desk: the use cases' one error.
pub use ghiseu_app::Error as DeskError;

/// The desk's error page of an error.
pub trait IntoHtml {
    /// The error page.
    fn into_html(self) -> Response;
}

impl IntoHtml for DeskError {
    fn into_html(self) -> Response {
        let (status, title, detail) = match self {
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "Negăsit",
                "Dosarul sau pagina nu există în instituția dumneavoastră.".to_owned(),
            ),
            Self::Forbidden(d) => (StatusCode::FORBIDDEN, "Acțiune nepermisă", d),
            Self::Conflict => (
                StatusCode::CONFLICT,
                "Dosarul a fost modificat",
                "Altcineva a modificat acest dosar între timp. Reîncărcați pagina și \
                 reluați acțiunea; nimic nu a fost pierdut."
                    .to_owned(),
            ),
            Self::NotAllowed(d) => (StatusCode::CONFLICT, "Acțiune imposibilă", d),
            Self::Invalid(errors) => {
                let detail = errors
                    .into_iter()
                    .map(|(_, m)| m)
                    .collect::<Vec<_>>()
                    .join(" ");
                (StatusCode::UNPROCESSABLE_ENTITY, "Date invalide", detail)
            }
            Self::Platform(e) => {
                eprintln!("desk: {e}");
                match e {
                    ghiseu_platform::Error::BodyTooLarge { .. } => (
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "Fișiere prea mari",
                        "Cererea depășește dimensiunea permisă.".to_owned(),
                    ),
                    ghiseu_platform::Error::BodyRead(_) => (
                        StatusCode::BAD_REQUEST,
                        "Cerere incompletă",
                        "Formularul nu a ajuns întreg (transmisie întreruptă sau greșit \
                         încadrată). Trimiteți-l din nou; nimic nu a fost înregistrat."
                            .to_owned(),
                    ),
                    _ => (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "Eroare",
                        "Serviciul nu a putut finaliza cererea. Încercați din nou.".to_owned(),
                    ),
                }
            }
        };
        secure_html(status, pages::error_page(title, &detail))
    }
}

/// The answer to a form whose CSRF token is not the session's.
pub fn refuse_csrf() -> DeskError {
    DeskError::Forbidden("Formularul nu este valid (CSRF). Reîncărcați pagina.".to_owned())
}
