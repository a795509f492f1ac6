//! `GET /admin/access?official=&from=&to=`: the institution's access log
//! (who opened which dossier or file, and when), searched by official and
//! by period (local dates, both included; the last 30 days by default, at
//! most 366 days), newest first, at most [`LIMIT`] rows.

use chrono::{Duration, NaiveDate};
use ghiseu_core::access::Opened;
use ghiseu_core::calendar::{local_date, start_of_local_day, written_local_time};
use ghiseu_core::{Lang, Username};
use ghiseu_platform::http::{Response, query_param, secure_html};
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;
use http::StatusCode;
use maud::{Markup, html};

use crate::ctx::Admin;
use crate::error::AdminError;
use crate::pages;
use crate::texts::t;

/// The most rows one page lists.
const LIMIT: usize = 500;
/// The longest period one search covers.
const MAX_DAYS: i64 = 366;

/// What a search asks for, or why it is refused (field, words).
struct Search {
    from: NaiveDate,
    to: NaiveDate,
    official: Option<Username>,
    errors: Vec<(String, String)>,
}

impl Search {
    fn of(query: &str, today: NaiveDate, officials: &[ghiseu_core::Official], lang: Lang) -> Self {
        let mut errors = Vec::new();
        let mut date = |name: &str, default: NaiveDate| match query_param(query, name)
            .filter(|v| !v.trim().is_empty())
        {
            None => default,
            Some(v) => NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").unwrap_or_else(|_| {
                errors.push((name.to_owned(), t(lang, "err_access_date").to_owned()));
                today
            }),
        };
        let from = date("from", today - Duration::days(29));
        let to = date("to", today);
        if errors.is_empty() && (to < from || (to - from).num_days() >= MAX_DAYS) {
            errors.push(("from".to_owned(), t(lang, "err_access_period").to_owned()));
        }
        let official = match query_param(query, "official").filter(|o| !o.is_empty()) {
            Some(o) => match Username::parse(&o) {
                Ok(u) if officials.iter().any(|x| x.username == u) => Some(u),
                _ => {
                    errors.push((
                        "official".to_owned(),
                        t(lang, "err_access_official").to_owned(),
                    ));
                    None
                }
            },
            None => None,
        };
        Self {
            from,
            to,
            official,
            errors,
        }
    }
}

/// `GET /admin/access`.
pub async fn page(store: &Store, admin: &Admin, query: &str) -> Result<Response, AdminError> {
    let lang = admin.lang;
    let today = local_date(ghiseu_platform::config::now());
    let officials = repo::officials(store, &admin.scope).await?;
    let search = Search::of(query, today, &officials, lang);
    let entries = if search.errors.is_empty() {
        let period = (
            start_of_local_day(search.from),
            start_of_local_day(search.to + Duration::days(1)) - Duration::seconds(1),
        );
        repo::access_log(store, &admin.scope, period, search.official.as_ref(), LIMIT).await?
    } else {
        Vec::new()
    };
    let departments = repo::departments(store, &admin.scope).await?;
    let status = if search.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = html! {
        h1 { (t(lang, "nav_access")) }
        p { (t(lang, "access_intro")) }
        (pages::error_summary(lang, &search.errors))
        form method="get" action="/admin/access" {
            input type="hidden" name="lang" value=(lang.code());
            label for="official" { (t(lang, "access_official")) }
            select id="official" name="official" {
                option value="" { (t(lang, "access_everyone")) }
                @for o in &officials {
                    option value=(o.username.as_str()) selected[search.official.as_ref() == Some(&o.username)] {
                        (o.display_name.as_str())
                    }
                }
            }
            label for="from" { (t(lang, "access_from")) }
            input id="from" name="from" type="date" value=(search.from.format("%Y-%m-%d"));
            label for="to" { (t(lang, "access_to")) }
            input id="to" name="to" type="date" value=(search.to.format("%Y-%m-%d"));
            p { button type="submit" { (t(lang, "access_search")) } }
        }
        @if search.errors.is_empty() {
            @if entries.is_empty() {
                p { (t(lang, "access_none")) }
            } @else {
                @if entries.len() >= LIMIT { p.notice { (t(lang, "access_more")) } }
                (table(lang, &entries, &departments))
            }
        }
    };
    Ok(secure_html(
        status,
        pages::page(&admin.viewer(), t(lang, "nav_access"), body),
    ))
}

/// The entries as a table that stacks on a phone.
fn table(
    lang: Lang,
    entries: &[repo::LogEntry],
    departments: &[ghiseu_core::Department],
) -> Markup {
    let department = |code| ghiseu_core::department::name_of(departments, code, lang);
    html! {
        table.stack {
            thead { tr {
                th scope="col" { (t(lang, "access_when")) }
                th scope="col" { (t(lang, "access_who")) }
                th scope="col" { (t(lang, "access_department")) }
                th scope="col" { (t(lang, "access_dossier")) }
                th scope="col" { (t(lang, "access_what")) }
            } }
            tbody {
                @for e in entries {
                    tr {
                        td data-label=(t(lang, "access_when")) { (written_local_time(lang, e.access.at)) }
                        td data-label=(t(lang, "access_who")) {
                            (e.access.name) " ("
                            (e.access.roles.iter().map(|r| r.name(lang)).collect::<Vec<_>>().join(", ")) ")"
                        }
                        td data-label=(t(lang, "access_department")) {
                            (e.access.department.as_ref().map(&department).unwrap_or_default())
                        }
                        td data-label=(t(lang, "access_dossier")) {
                            a.regno href={ "/desk/dossiers/" (e.dossier) } { (e.number) }
                        }
                        td data-label=(t(lang, "access_what")) {
                            @match &e.access.opened {
                                Opened::Dossier => { (t(lang, "access_page")) }
                                Opened::Bundle => { (t(lang, "access_bundle")) }
                                Opened::File { name, .. } => { (t(lang, "access_file")) " " (name) }
                            }
                        }
                    }
                }
            }
        }
    }
}
