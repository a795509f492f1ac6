//! `GET /track`: following a document whose QR code cannot be read, by the
//! registration number and the short code printed under the QR code on the
//! receipt ([`ghiseu_core::ReceiptCode`]). Without both, the form; with
//! both, a `303` to the tracking page, or the form again with one message
//! for every miss (unknown number, wrong code), so nothing tells a guesser
//! which part was wrong. Every attempt counts against the client's tracking
//! rate limit, like a lookup by token.

use std::str::FromStr as _;

use ghiseu_core::{Lang, ReceiptCode, RegistrationNumber, TrackingToken};
use ghiseu_platform::http::{self as web, Response, query_param};
use ghiseu_platform::keys::{STORE, TenantScope};
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;
use ghiseu_platform::tracking_page as page;
use http::StatusCode;

/// What was typed, shown again with the errors.
struct Typed {
    number: String,
    code: String,
}

/// Whether the query asks for a lookup (either field present; a missing one
/// is reported as malformed).
pub fn is_lookup(query: &str) -> bool {
    query_param(query, "number").is_some() || query_param(query, "code").is_some()
}

/// `GET /track` without a lookup: the empty form.
pub fn form(lang: Lang) -> Response {
    page_response(
        StatusCode::OK,
        lang,
        &Typed {
            number: String::new(),
            code: String::new(),
        },
        &[],
    )
}

/// `GET /track?number=…&code=…`, already counted against the rate limit.
pub async fn lookup(query: &str, lang: Lang) -> Response {
    let typed = Typed {
        number: query_param(query, "number")
            .unwrap_or_default()
            .trim()
            .to_owned(),
        code: query_param(query, "code")
            .unwrap_or_default()
            .trim()
            .to_owned(),
    };
    let number = RegistrationNumber::from_str(&typed.number.to_uppercase());
    let code = ReceiptCode::parse(&typed.code);
    let mut errors = Vec::new();
    if number.is_err() {
        errors.push((
            "number".to_owned(),
            page::follow_text(lang).bad_number.to_owned(),
        ));
    }
    if code.is_none() {
        errors.push((
            "code".to_owned(),
            page::follow_text(lang).bad_code.to_owned(),
        ));
    }
    let (Ok(number), Some(code)) = (number, code) else {
        return page_response(StatusCode::UNPROCESSABLE_ENTITY, lang, &typed, &errors);
    };
    match find(&number).await {
        Ok(Some(token)) if token.receipt_code() == code => {
            web::see_other(&format!("/track/{token}?lang={}", lang.code()))
        }
        Ok(_) => {
            let miss = vec![(
                "number".to_owned(),
                page::follow_text(lang).not_found.to_owned(),
            )];
            page_response(StatusCode::NOT_FOUND, lang, &typed, &miss)
        }
        Err(e) => {
            eprintln!("track: following by number: {e}");
            web::Problem::from_error(&e).into_response()
        }
    }
}

/// The token of the dossier registered as `number`, if any.
async fn find(number: &RegistrationNumber) -> ghiseu_platform::Result<Option<TrackingToken>> {
    let store = Store::open(STORE).await?;
    let Some(tenant) = repo::tenants(&store)
        .await?
        .into_iter()
        .find(|t| &t.registration_prefix == number.prefix())
    else {
        return Ok(None);
    };
    let scope = TenantScope::new(&tenant.slug);
    Ok(repo::dossier_by_number(&store, &scope, number)
        .await?
        .map(|d| *d.token()))
}

fn page_response(
    status: StatusCode,
    lang: Lang,
    typed: &Typed,
    errors: &[(String, String)],
) -> Response {
    let html = page::follow(lang, &typed.number, &typed.code, errors);
    page::response(status, html, "no-store")
}
