//! Retention (issue 20, item 3; the use case is `ghiseu_app::retention`):
//!
//! - `POST /api/v1/platform/retention/run[?after={slug}&limit={n}&now={RFC 3339}]`
//!   (bearer `platform_admin_token`, called by a scheduler once a day):
//!   erases what retention no longer keeps in up to `limit` tenants (1 to
//!   [`TENANTS_PER_CALL`]) after `after`, and answers what it erased. `now`
//!   is the clock the run takes (the platform's own when absent): the tests
//!   give a fixed one. It is accepted only where the sandbox is enabled
//!   (variable `sandbox_enabled`: tests and local runs), since a clock ahead
//!   would erase early and erasure cannot be undone; a given clock is logged.
//! - `GET /admin/retention?year=`: the tenant administrator's page of the
//!   retention log of a year of erasure (the current year by default), and
//!   `GET /api/v1/admin/retention?year=` the same as JSON.

use chrono::{DateTime, Datelike, Utc};
use ghiseu_core::calendar::{local_date, written_date, written_local_time};
use ghiseu_core::{Lang, TenantSlug};
use ghiseu_platform::http::{self as web, Request, Response, query_param, secure_html};
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo::{self, ErasureEntry};
use ghiseu_platform::s3::S3Client;
use http::{Method, StatusCode};
use maud::{Markup, html};
use serde::Serialize;

use crate::ctx::Admin;
use crate::error::AdminError;
use crate::pages;

/// The most tenants one call reads (and its default `limit`): each tenant's
/// every dossier is read, so a call stays short and the scheduler calls
/// again with `after` while the report names a `next`.
pub const TENANTS_PER_CALL: usize = 5;

/// The last year the log is asked for (a clock given to a run may be ahead).
const LAST_YEAR: i32 = 2200;

/// `POST /api/v1/platform/retention/run` (the bearer is checked by the caller).
pub async fn run(store: &Store, request: &Request) -> Response {
    if request.method() != Method::POST {
        return web::problem(StatusCode::METHOD_NOT_ALLOWED, "Use POST.");
    }
    let query = request.uri().query().unwrap_or("");
    let Ok(after) = query_param(query, "after")
        .as_deref()
        .map(TenantSlug::parse)
        .transpose()
    else {
        return web::problem(
            StatusCode::BAD_REQUEST,
            "`after` must be a tenant's slug (lowercase letters, digits and hyphens).",
        );
    };
    let limit = match query_param(query, "limit").map(|l| l.parse::<usize>()) {
        None => TENANTS_PER_CALL,
        Some(Ok(l)) if (1..=TENANTS_PER_CALL).contains(&l) => l,
        Some(_) => {
            return web::problem(
                StatusCode::BAD_REQUEST,
                format!("`limit` must be a whole number from 1 to {TENANTS_PER_CALL}."),
            );
        }
    };
    let now = match query_param(query, "now") {
        None => ghiseu_platform::config::now(),
        Some(_) if ghiseu_platform::config::variable_or_empty("sandbox_enabled") != "true" => {
            return web::problem(
                StatusCode::BAD_REQUEST,
                "`now` is accepted only where the sandbox is enabled (tests and local runs); here the run takes the platform's clock. Nothing was erased.",
            );
        }
        Some(raw) => match DateTime::parse_from_rfc3339(raw.trim()) {
            Ok(t) if t.year() >= 2000 => {
                eprintln!("retention: run with the clock {raw} given by the operator");
                t.with_timezone(&Utc)
            }
            _ => {
                return web::problem(
                    StatusCode::BAD_REQUEST,
                    "`now` must be a time in RFC 3339 from the year 2000 on, e.g. 2027-03-21T09:00:00Z.",
                );
            }
        },
    };
    let s3 = match S3Client::from_variables().await {
        Ok(s3) => s3,
        Err(e) => {
            eprintln!("retention: {e:?}");
            return web::problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "The object store is not configured; nothing was erased.",
            );
        }
    };
    match ghiseu_app::retention::run(store, &s3, after.as_ref(), limit, now).await {
        Ok(report) => {
            for e in &report.erased {
                eprintln!(
                    "retention: erased {} {} ({} files, {} bytes)",
                    e.tenant, e.entry.number, e.entry.files, e.entry.bytes
                );
            }
            web::json(StatusCode::OK, &report)
        }
        Err(e) => {
            eprintln!("retention: {e:?}");
            web::problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "The run stopped before the end; call again: what was erased stays erased and the rest is finished.",
            )
        }
    }
}

/// The year a log is asked for: `?year=`, else the current one.
fn year_of(query: &str) -> Result<i32, ()> {
    match query_param(query, "year").filter(|y| !y.trim().is_empty()) {
        None => Ok(local_date(ghiseu_platform::config::now()).year()),
        Some(y) => match y.trim().parse::<i32>() {
            Ok(y) if (2000..=LAST_YEAR).contains(&y) => Ok(y),
            _ => Err(()),
        },
    }
}

/// The retention log of a year, as JSON.
#[derive(Serialize)]
struct LogDto {
    year: i32,
    dossiers: usize,
    files: u64,
    bytes: u64,
    erased: Vec<ErasureEntry>,
}

/// `GET /api/v1/admin/retention?year=`.
pub async fn log_json(store: &Store, admin: &Admin, query: &str) -> Result<Response, AdminError> {
    let year = year_of(query).map_err(|()| {
        AdminError::Invalid(vec![(
            "year".to_owned(),
            format!("`year` must be a year from 2000 to {LAST_YEAR}."),
        )])
    })?;
    let erased = repo::erasure_log(store, &admin.scope, year).await?;
    Ok(web::json(
        StatusCode::OK,
        &LogDto {
            year,
            dossiers: erased.len(),
            files: erased.iter().map(|e| u64::from(e.files)).sum(),
            bytes: erased.iter().map(|e| e.bytes).sum(),
            erased,
        },
    ))
}

/// `GET /admin/retention?year=`.
pub async fn page(store: &Store, admin: &Admin, query: &str) -> Result<Response, AdminError> {
    let lang = admin.lang;
    let title = lang.pick([
        "Păstrare: ce s-a șters",
        "Megőrzés: mi lett törölve",
        "Retention: what was erased",
    ]);
    let (status, year, entries) = match year_of(query) {
        Ok(year) => (
            StatusCode::OK,
            year,
            Some(repo::erasure_log(store, &admin.scope, year).await?),
        ),
        Err(()) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            local_date(ghiseu_platform::config::now()).year(),
            None,
        ),
    };
    let types = repo::document_type_catalogue(store, &admin.scope).await?;
    let type_title = |code: &str| {
        types
            .iter()
            .find(|(_, t)| t.code.as_str() == code)
            .map_or_else(
                || code.to_owned(),
                |(_, t)| t.titles.get(lang).as_str().to_owned(),
            )
    };
    let body = html! {
        h1 { (title) }
        p { (lang.pick([
            "Când trec anii de păstrare ai tipului de document de la închiderea unui dosar, platforma îi șterge fișierele și datele personale: numele, datele de contact și CNP-ul petentului, răspunsurile din formular, notele și numele fișierelor. Rămân numărul de înregistrare, tipul, traseul prin departamente cu datele lui, termenul și cifrele din statistici.",
            "Amikor egy lezárt ügyirat dokumentumtípusának megőrzési ideje letelik, a platform törli a fájljait és a személyes adatokat: a kérelmező nevét, elérhetőségeit és személyi számát, az űrlap válaszait, a megjegyzéseket és a fájlneveket. Megmarad az iktatószám, a típus, az osztályokon át vezető útvonal a dátumokkal, a határidő és a statisztika számai.",
            "When a document type's retention years have passed since a dossier was closed, the platform deletes its files and personal data: the petitioner's name, contact details and CNP, the form's answers, the notes and the file names. The registration number, the type, the route through the departments with its dates, the deadline and the statistics' figures are kept.",
        ])) }
        @if entries.is_none() {
            div.error-summary role="alert" tabindex="-1" {
                h2 { (lang.pick(["Corectați:", "Javítsa:", "Please fix:"])) }
                ul { li { a href="#year" { (lang.pick([
                    "Anul este un an de la 2000 încoace, de exemplu 2027.",
                    "Az év 2000 utáni év, például 2027.",
                    "The year is a year from 2000 on, for example 2027.",
                ])) } } }
            }
        }
        form method="get" action="/admin/retention" {
            input type="hidden" name="lang" value=(lang.code());
            label for="year" { (lang.pick(["Anul ștergerii", "A törlés éve", "Year of erasure"])) }
            input id="year" name="year" type="text" inputmode="numeric" value=(year) autocomplete="off";
            p { button type="submit" { (lang.pick(["Arată", "Mutasd", "Show"])) } }
        }
        @if let Some(entries) = &entries {
            @if entries.is_empty() {
                p { (lang.pick([
                    "În acest an nu s-a șters niciun dosar.",
                    "Ebben az évben nem töröltek ügyiratot.",
                    "No dossier was erased in this year.",
                ])) }
            } @else {
                p { (summary(lang, entries)) }
                (table(lang, entries, &type_title))
            }
        }
    };
    Ok(secure_html(
        status,
        pages::page(&admin.viewer(), title, body),
    ))
}

fn summary(lang: Lang, entries: &[ErasureEntry]) -> String {
    let files: u64 = entries.iter().map(|e| u64::from(e.files)).sum();
    let bytes: u64 = entries.iter().map(|e| e.bytes).sum();
    let n = entries.len();
    match lang {
        Lang::Ro => format!("{n} dosare șterse, {files} fișiere, {}.", size(bytes)),
        Lang::Hu => format!("{n} törölt ügyirat, {files} fájl, {}.", size(bytes)),
        Lang::En => format!("{n} dossiers erased, {files} files, {}.", size(bytes)),
    }
}

/// A size in bytes as people read it (kB, MB with one decimal).
fn size(bytes: u64) -> String {
    match bytes {
        b if b < 1_000 => format!("{b} B"),
        b if b < 1_000_000 => format!("{:.1} kB", b as f64 / 1e3),
        b => format!("{:.1} MB", b as f64 / 1e6),
    }
}

fn table(lang: Lang, entries: &[ErasureEntry], type_title: &dyn Fn(&str) -> String) -> Markup {
    let heads = [
        lang.pick(["Număr", "Iktatószám", "Number"]),
        lang.pick(["Tipul", "Típus", "Type"]),
        lang.pick(["Închis la", "Lezárva", "Closed on"]),
        lang.pick(["Șters la", "Törölve", "Erased at"]),
        lang.pick(["Fișiere", "Fájlok", "Files"]),
        lang.pick(["Mărime", "Méret", "Size"]),
    ];
    html! {
        table.stack {
            thead { tr { @for h in heads { th scope="col" { (h) } } } }
            tbody {
                @for e in entries {
                    tr {
                        td data-label=(heads[0]) { span.regno { (e.number) } }
                        td data-label=(heads[1]) { (type_title(&e.document_type)) }
                        td data-label=(heads[2]) { (written_date(lang, e.closed_on)) }
                        td data-label=(heads[3]) { (written_local_time(lang, e.erased_at)) }
                        td data-label=(heads[4]) { (e.files) }
                        td data-label=(heads[5]) { (size(e.bytes)) }
                    }
                }
            }
        }
    }
}
