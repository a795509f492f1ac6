//! Pieces of the server-rendered forms shared by the desk and the portal.

use maud::{Markup, html};

/// Form errors: (field id, message).
pub type Errors = [(String, String)];

/// The error summary at the top of a form (GOV.UK pattern): every problem,
/// each linking to its field; nothing when there is none.
#[must_use]
pub fn error_summary(heading: &str, errors: &Errors) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" tabindex="-1" {
                h2 { (heading) }
                ul { @for (field, message) in errors {
                    li { a href={ "#" (field) } { (message) } }
                } }
            }
        }
    }
}

/// The messages about field `name`, next to it (`{name}-error`).
#[must_use]
pub fn inline_error(errors: &Errors, name: &str) -> Markup {
    html! { @for (f, m) in errors { @if f == name { p.error id={ (name) "-error" } { (m) } } } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_link_every_field_and_escape_messages() {
        let errors = vec![
            ("cnp".to_owned(), "CNP <invalid>".to_owned()),
            ("email".to_owned(), "E-mail".to_owned()),
        ];
        let html = error_summary("Corectați:", &errors).into_string();
        assert!(html.contains("href=\"#cnp\"") && html.contains("href=\"#email\""));
        assert!(html.contains("CNP &lt;invalid&gt;"));
        assert_eq!(error_summary("x", &[]).into_string(), "");
        let inline = inline_error(&errors, "cnp").into_string();
        assert!(inline.contains("id=\"cnp-error\""), "{inline}");
        assert_eq!(inline_error(&errors, "phone").into_string(), "");
    }
}
