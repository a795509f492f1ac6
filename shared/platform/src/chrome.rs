//! The frame every page shares, so that the front door, tracking, the portal,
//! the desk and the administration look like one service: the `<head>` (the
//! one stylesheet at its content-hashed path, the favicon, an institution's
//! colour), the skip link, the language links and the footer, and the
//! language choice that persists in a cookie.

use ghiseu_core::Lang;
use http::HeaderMap;
use maud::{Markup, html};

use crate::assets;
use crate::http::{cookie, query_param};

/// The cookie that keeps a reader's language choice.
pub const LANG_COOKIE: &str = "lang";

/// The language of a page: `?lang=` first, then the reader's earlier choice
/// (the [`LANG_COOKIE`]), then `preferred` (e.g. a signed-in citizen's), then
/// `Accept-Language`, else Romanian.
#[must_use]
pub fn language(query: &str, headers: &HeaderMap, preferred: Option<Lang>) -> Lang {
    crate::http::language(query, headers, remembered(headers).or(preferred))
}

/// The language the reader chose last time (the [`LANG_COOKIE`]).
#[must_use]
pub fn remembered(headers: &HeaderMap) -> Option<Lang> {
    cookie(headers, LANG_COOKIE).and_then(Lang::from_code)
}

/// The `Set-Cookie` value that remembers a language chosen with `?lang=`
/// (for a year, every path), or `None` when the query chose none.
#[must_use]
pub fn remember_language(query: &str) -> Option<String> {
    let lang = query_param(query, "lang").and_then(|v| Lang::from_code(&v))?;
    Some(format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    ))
}

/// The name of the service in each language.
#[must_use]
pub fn service_name(lang: Lang) -> &'static str {
    lang.pick(["Ghișeul unic", "Egyablakos ügyintézés", "One-stop shop"])
}

/// What a page's title starts with when its form has errors (GOV.UK's
/// pattern: a screen reader hears it first).
#[must_use]
pub fn error_prefix(lang: Lang) -> &'static str {
    lang.pick(["Eroare:", "Hiba:", "Error:"])
}

/// The `<head>`: charset, viewport, `title`, the stylesheet, the favicon and,
/// for an institution's page, its colour (`/branding/{slug}/theme.css`).
#[must_use]
pub fn head(title: &str, tenant: Option<&str>, extra: Markup) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) }
            link rel="stylesheet" href=(assets::GHISEU_CSS);
            @if let Some(slug) = tenant {
                link rel="stylesheet" href={ "/branding/" (slug) "/theme.css" };
            }
            link rel="icon" href=(assets::FAVICON_SVG) type="image/svg+xml";
            (extra)
        }
    }
}

/// "Skip to main content", the first link of every page.
#[must_use]
pub fn skip_link(lang: Lang) -> Markup {
    let text = lang.pick([
        "Salt la conținut",
        "Ugrás a tartalomhoz",
        "Skip to main content",
    ]);
    html! { a.skip-link href="#main" { (text) } }
}

/// The language's own name, as a language switch shows it.
#[must_use]
pub fn language_name(lang: Lang) -> &'static str {
    lang.pick(["Română", "Magyar", "English"])
}

/// The language switch: plain links to `path` with `?lang=`.
#[must_use]
pub fn language_links(lang: Lang, path: &str) -> Markup {
    let label = lang.pick(["Limba", "Nyelv", "Language"]);
    html! {
        nav aria-label=(label) {
            @for l in Lang::ALL {
                @if l == lang {
                    a href={ (path) "?lang=" (l.code()) } hreflang=(l.code()) lang=(l.code()) aria-current="true" { (language_name(l)) }
                } @else {
                    a href={ (path) "?lang=" (l.code()) } hreflang=(l.code()) lang=(l.code()) { (language_name(l)) }
                }
            }
        }
    }
}

/// The footer of the public pages: the front door, following a document, the
/// accessibility statement and the privacy notice.
#[must_use]
pub fn footer(lang: Lang) -> Markup {
    let [home, follow, access, privacy] = lang.pick([
        [
            "Instituții și servicii",
            "Urmăriți un document",
            "Declarația de accesibilitate",
            "Protecția datelor",
        ],
        [
            "Intézmények és szolgáltatások",
            "Dokumentum követése",
            "Akadálymentességi nyilatkozat",
            "Adatvédelem",
        ],
        [
            "Institutions and services",
            "Follow a document",
            "Accessibility statement",
            "Privacy notice",
        ],
    ]);
    let l = lang.code();
    html! {
        footer.site-footer {
            div {
                a href={ "/?lang=" (l) } { (home) }
                a href={ "/track?lang=" (l) } { (follow) }
                a href={ "/accessibility?lang=" (l) } { (access) }
                a href={ "/privacy?lang=" (l) } { (privacy) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_then_the_cookie_then_the_account_choose_the_language() {
        let mut headers = HeaderMap::new();
        headers.insert("accept-language", "en".parse().unwrap());
        assert_eq!(language("", &headers, None), Lang::En);
        assert_eq!(language("", &headers, Some(Lang::Ro)), Lang::Ro);
        headers.insert("cookie", "sid=x; lang=hu".parse().unwrap());
        assert_eq!(language("", &headers, Some(Lang::Ro)), Lang::Hu);
        assert_eq!(language("lang=en", &headers, None), Lang::En);
        assert_eq!(
            remember_language("a=1&lang=hu").as_deref(),
            Some("lang=hu; Path=/; Max-Age=31536000; SameSite=Lax")
        );
        assert_eq!(remember_language("lang=xx"), None);
        assert_eq!(remember_language(""), None);
    }

    #[test]
    fn the_head_links_the_hashed_stylesheet_and_the_institution_colour() {
        let h = head("T", Some("cjcluj"), html! {}).into_string();
        assert!(h.contains(assets::GHISEU_CSS) && h.contains("/branding/cjcluj/theme.css"));
        assert!(
            !head("T", None, html! {})
                .into_string()
                .contains("/branding/")
        );
    }
}
