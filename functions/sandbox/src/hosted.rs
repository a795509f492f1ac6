//! The frame of the providers' hosted pages (payment, identification).

use ghiseu_platform::http::{self as web, Response};
use http::StatusCode;

/// A provider's hosted page: the strict CSP of [`web::PAGE_CSP`], except
/// that its form may also lead to the platform's configured public address
/// (`public_base_url`), where the provider sends the browser back: browsers
/// apply `form-action` to the redirects that follow a form's submission.
pub fn page(status: StatusCode, html: String) -> Response {
    let back = ghiseu_platform::config::public_base_url()
        .map(|base| format!(" {}", base.as_str()))
        .unwrap_or_default();
    let csp = web::PAGE_CSP.replace("form-action 'self'", &format!("form-action 'self'{back}"));
    web::html_page(status, html, &csp, "no-store")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_strict_policy_names_form_action_once() {
        // `page` widens exactly this directive; if it were renamed the
        // replacement would silently do nothing.
        assert_eq!(
            ghiseu_platform::http::PAGE_CSP
                .matches("form-action 'self'")
                .count(),
            1
        );
    }
}
