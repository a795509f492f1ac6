//! Public statistics of an institution, as open data (DESIGN §5 "Statistics").
//!
//! - `GET /stats/{slug}?year=`: the page: a row per month of registration
//!   (submitted, online, on paper, resolved, rejected, closed otherwise, open,
//!   on time, overdue, median days) and the year's total, a bar chart (inline
//!   SVG, no JavaScript) and links to the data; Romanian by default, Hungarian
//!   and English by `Accept-Language` or `?lang=`.
//! - `GET /api/v1/stats/{slug}?year=`: the same as JSON.
//! - `GET /api/v1/stats/{slug}.csv?year=`: the same as CSV (one row per month,
//!   then the total).
//!
//! - `/open311/v2/...`: Open311 GeoReport v2, read-only ([`open311`]).
//!
//! The year defaults to the current one; a year before 2000 or after the
//! current one is a 400, an unknown or inactive institution a 404. Figures
//! come from `ghiseu_core::stats` over the facts of every dossier registered
//! in the year (`repo::year_facts`): counts only, nothing about a citizen. A
//! computed year is kept for [`CACHE_SECONDS`] in the `ephemeral` store, so a
//! popular page does not reread the year's dossiers on every view; requests
//! are rate-limited per client.

mod open311;

use chrono::{DateTime, Datelike, Utc};
use ghiseu_core::calendar::local_date;
use ghiseu_core::stats::{self, Period, YearStats};
use ghiseu_core::{Lang, TenantSlug};
use ghiseu_platform::http::Request;
use ghiseu_platform::http::{self as web, Response};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;
use ghiseu_platform::tracking_page as page;
use http::{HeaderValue, Method, StatusCode, header};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

const STORE: &str = "default";
const EPHEMERAL: &str = "ephemeral";
/// Requests per client address per minute.
const RATE_LIMIT: i64 = 60;
/// How long a computed year is served before it is computed again.
const CACHE_SECONDS: i64 = 300;
/// What browsers and proxies are told: the same five minutes.
const CACHE_CONTROL: &str = "public, max-age=300";
/// The first year the statistics answer for.
const FIRST_YEAR: i32 = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Page,
    Json,
    Csv,
}

fn route(path: &str) -> Option<(Format, &str)> {
    if let Some(rest) = path.strip_prefix("/api/v1/stats/") {
        Some(match rest.strip_suffix(".csv") {
            Some(slug) => (Format::Csv, slug),
            None => (Format::Json, rest),
        })
    } else {
        path.strip_prefix("/stats/")
            .map(|slug| (Format::Page, slug))
    }
}

/// The statistics of one year as the JSON, the CSV and the page show them
/// (and as the cache keeps them).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Stats {
    institution: Institution,
    year: i32,
    computed_at: DateTime<Utc>,
    months: Vec<Row>,
    total: Figures,
    /// Registration numbers of the year taken without a dossier (a
    /// registration that died after taking its number) and recorded as
    /// annulled in the registry; absent in figures cached before it existed.
    #[serde(default)]
    annulled_numbers: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Institution {
    slug: String,
    name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Row {
    /// `YYYY-MM`.
    month: String,
    #[serde(flatten)]
    figures: Figures,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Figures {
    submitted: u32,
    online: u32,
    paper: u32,
    resolved: u32,
    rejected: u32,
    closed_otherwise: u32,
    open: u32,
    on_time: u32,
    overdue: u32,
    median_days: Option<f64>,
}

impl From<&Period> for Figures {
    fn from(p: &Period) -> Self {
        Self {
            submitted: p.submitted,
            online: p.online,
            paper: p.paper,
            resolved: p.resolved,
            rejected: p.rejected,
            closed_otherwise: p.closed_otherwise,
            open: p.open,
            on_time: p.on_time,
            overdue: p.overdue,
            median_days: p.median_days,
        }
    }
}

impl Stats {
    fn of(
        tenant: &ghiseu_core::Tenant,
        (s, annulled_numbers): (&YearStats, u32),
        computed_at: DateTime<Utc>,
    ) -> Self {
        Self {
            institution: Institution {
                slug: tenant.slug.to_string(),
                name: tenant.name.to_string(),
            },
            year: s.year,
            computed_at,
            months: s
                .months
                .iter()
                .map(|(m, p)| Row {
                    month: format!("{:04}-{m:02}", s.year),
                    figures: p.into(),
                })
                .collect(),
            total: (&s.total).into(),
            annulled_numbers,
        }
    }
}

ghiseu_platform::http_component!(handle);

async fn handle(request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    let headers = request.headers().clone();
    let lang = web::language(&query, &headers, None);
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return web::method_not_allowed("GET, HEAD");
    }
    let now = ghiseu_platform::config::now();
    if open311::is_open311(&path) {
        return open311::handle(&path, &query, &headers, now).await;
    }
    let Some((format, raw)) = route(&path) else {
        return web::problem(StatusCode::NOT_FOUND, "No such statistics.");
    };
    let this_year = local_date(now).year();
    let year = match web::query_param(&query, "year") {
        None => this_year,
        Some(y) => match y.parse::<i32>() {
            Ok(y) if (FIRST_YEAR..=this_year).contains(&y) => y,
            _ => {
                return web::problem(
                    StatusCode::BAD_REQUEST,
                    format!("`year` must be a year from {FIRST_YEAR} to {this_year}."),
                );
            }
        },
    };
    let Ok(slug) = TenantSlug::parse(raw) else {
        return not_found(format, lang, &path);
    };
    if web::over_rate_limit(EPHEMERAL, "stats", &headers, now.timestamp(), RATE_LIMIT) {
        return web::too_many_requests();
    }
    match statistics(&slug, year, now).await {
        Ok(Some(stats)) => match format {
            Format::Json => with_cache(web::json(StatusCode::OK, &stats)),
            Format::Csv => csv_response(&stats),
            Format::Page => page::response(StatusCode::OK, render(&stats, lang), CACHE_CONTROL),
        },
        Ok(None) => not_found(format, lang, &path),
        Err(e) => {
            eprintln!("opendata: {e}");
            web::Problem::from_error(&e).into_response()
        }
    }
}

/// The statistics of `year` for the institution `slug` (`None`: no such
/// active institution): the cached ones while fresh, else computed and cached.
async fn statistics(
    slug: &TenantSlug,
    year: i32,
    now: DateTime<Utc>,
) -> ghiseu_platform::Result<Option<Stats>> {
    let store = Store::open(STORE).await?;
    let Some(tenant) = repo::get_tenant(&store, slug).await? else {
        return Ok(None);
    };
    if !tenant.active {
        return Ok(None);
    }
    let scope = TenantScope::new(slug);
    let y = u16::try_from(year).unwrap_or(0);
    let cache_key = scope.stats_cache(y);
    let cache = Store::open(EPHEMERAL).await?;
    if let Some(bytes) = cache.get(&cache_key).await?
        && let Ok(cached) = serde_json::from_slice::<Stats>(&bytes)
        && fresh(cached.computed_at, now)
    {
        return Ok(Some(cached));
    }
    let facts = repo::year_facts(&store, &scope, y).await?;
    let stats = Stats::of(
        &tenant,
        (
            &stats::year_stats(year, &facts.facts, local_date(now)),
            facts.annulled,
        ),
        now,
    );
    if let Ok(bytes) = serde_json::to_vec(&stats)
        && let Err(e) = cache.set(&cache_key, &bytes).await
    {
        // Serving without the cache is only slower.
        eprintln!("opendata: caching {cache_key}: {e}");
    }
    Ok(Some(stats))
}

/// Whether figures computed at `computed_at` may still be served at `now`
/// (a clock that went back counts as stale).
fn fresh(computed_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    let age = (now - computed_at).num_seconds();
    (0..CACHE_SECONDS).contains(&age)
}

/// Open data headers on a successful answer: cacheable as long as the
/// computed year is kept, readable from any origin.
fn with_cache(r: Response) -> Response {
    web::open_data(r, CACHE_CONTROL)
}

const CSV_HEADER: &str = "period,submitted,online,paper,resolved,rejected,closed_otherwise,open,on_time,overdue,median_days";

fn csv_line(period: &str, f: &Figures) -> String {
    format!(
        "{period},{},{},{},{},{},{},{},{},{},{}\r\n",
        f.submitted,
        f.online,
        f.paper,
        f.resolved,
        f.rejected,
        f.closed_otherwise,
        f.open,
        f.on_time,
        f.overdue,
        f.median_days.map(|d| d.to_string()).unwrap_or_default()
    )
}

/// RFC 4180 CSV: a header, a row per month (`YYYY-MM`), the total (`YYYY`).
fn csv(stats: &Stats) -> String {
    let mut out = format!("{CSV_HEADER}\r\n");
    for row in &stats.months {
        out.push_str(&csv_line(&row.month, &row.figures));
    }
    out.push_str(&csv_line(&stats.year.to_string(), &stats.total));
    out
}

fn csv_response(stats: &Stats) -> Response {
    let mut r = with_cache(web::bytes(
        StatusCode::OK,
        "text/csv; charset=utf-8; header=present",
        csv(stats),
    ));
    let name = format!(
        "attachment; filename=\"statistici-{}-{}.csv\"",
        stats.institution.slug, stats.year
    );
    if let Ok(v) = HeaderValue::from_str(&name) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

struct Texts {
    title: &'static str,
    month: &'static str,
    figures: &'static str,
    total: &'static str,
    columns: [&'static str; 10],
    chart: &'static str,
    online: &'static str,
    paper: &'static str,
    data: &'static str,
    definitions: &'static str,
    computed: &'static str,
    not_found: &'static str,
    not_found_detail: &'static str,
    months: [&'static str; 12],
}

fn texts(lang: Lang) -> Texts {
    match lang {
        Lang::Ro => Texts {
            title: "Statistici",
            month: "Luna înregistrării",
            figures: "Cifrele fiecărei luni",
            total: "Total",
            columns: [
                "Depuse",
                "Online",
                "Pe hârtie",
                "Soluționate",
                "Respinse",
                "Închise altfel",
                "În lucru",
                "La termen",
                "Depășite",
                "Mediana zilelor",
            ],
            chart: "Cereri depuse pe luni",
            online: "online",
            paper: "pe hârtie",
            data: "Date deschise",
            definitions: "Fiecare cerere este numărată în luna înregistrării. La termen: soluționată sau respinsă până la termenul legal (cu prelungiri). Depășite: răspuns după termen, sau încă în lucru după termen. Închise altfel: retrase, redirecționate altei instituții sau conexate. Mediana: zile calendaristice de la înregistrare până la răspuns.",
            computed: "Calculat la",
            not_found: "Instituție negăsită",
            not_found_detail: "Nu există o instituție cu acest nume scurt.",
            months: [
                "ianuarie",
                "februarie",
                "martie",
                "aprilie",
                "mai",
                "iunie",
                "iulie",
                "august",
                "septembrie",
                "octombrie",
                "noiembrie",
                "decembrie",
            ],
        },
        Lang::Hu => Texts {
            title: "Statisztika",
            month: "Iktatás hónapja",
            figures: "Havi adatok",
            total: "Összesen",
            columns: [
                "Beadott",
                "Online",
                "Papíron",
                "Megoldott",
                "Elutasított",
                "Másként lezárt",
                "Folyamatban",
                "Határidőben",
                "Késve",
                "Napok mediánja",
            ],
            chart: "Beadott kérelmek havonta",
            online: "online",
            paper: "papíron",
            data: "Nyílt adatok",
            definitions: "Minden kérelem az iktatás hónapjában számít. Határidőben: megoldva vagy elutasítva a törvényes határidőig (hosszabbításokkal). Késve: válasz a határidő után, vagy még folyamatban a határidő után. Másként lezárt: visszavont, más intézményhez továbbított vagy összevont. Medián: naptári napok az iktatástól a válaszig.",
            computed: "Számítva",
            not_found: "Az intézmény nem található",
            not_found_detail: "Nincs ilyen rövid nevű intézmény.",
            months: [
                "január",
                "február",
                "március",
                "április",
                "május",
                "június",
                "július",
                "augusztus",
                "szeptember",
                "október",
                "november",
                "december",
            ],
        },
        Lang::En => Texts {
            title: "Statistics",
            month: "Month of registration",
            figures: "Figures by month",
            total: "Total",
            columns: [
                "Submitted",
                "Online",
                "On paper",
                "Resolved",
                "Rejected",
                "Closed otherwise",
                "Open",
                "On time",
                "Overdue",
                "Median days",
            ],
            chart: "Requests submitted per month",
            online: "online",
            paper: "on paper",
            data: "Open data",
            definitions: "Each request counts in the month it was registered. On time: resolved or rejected by the legal deadline (extensions included). Overdue: answered after the deadline, or still open past it. Closed otherwise: withdrawn, forwarded to another institution or joined to another request. Median: calendar days from registration to the answer.",
            computed: "Computed at",
            not_found: "Institution not found",
            not_found_detail: "There is no institution with this short name.",
            months: [
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ],
        },
    }
}

fn cells(f: &Figures) -> [String; 10] {
    [
        f.submitted.to_string(),
        f.online.to_string(),
        f.paper.to_string(),
        f.resolved.to_string(),
        f.rejected.to_string(),
        f.closed_otherwise.to_string(),
        f.open.to_string(),
        f.on_time.to_string(),
        f.overdue.to_string(),
        f.median_days
            .map_or_else(|| "–".to_owned(), |d| d.to_string()),
    ]
}

/// A stacked bar per month (online below, paper above), scaled to the
/// busiest month; each bar has a `<title>` with its numbers.
fn chart(stats: &Stats, t: &Texts) -> Markup {
    const W: u32 = 24;
    const GAP: u32 = 6;
    const H: u32 = 120;
    let max = stats
        .months
        .iter()
        .map(|r| r.figures.submitted)
        .max()
        .unwrap_or(0)
        .max(1);
    let width = 12 * (W + GAP);
    let scale = |n: u32| n * H / max;
    html! {
        svg.chart xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {width} {}", H + 20)) role="img" aria-label=(t.chart) {
            title { (t.chart) }
            @for (i, row) in stats.months.iter().enumerate() {
                @let x = u32::try_from(i).unwrap_or(0) * (W + GAP);
                @let online = scale(row.figures.online);
                @let paper = scale(row.figures.paper);
                g {
                    title { (t.months[i]) ": " (row.figures.submitted) " (" (t.online) " " (row.figures.online) ", " (t.paper) " " (row.figures.paper) ")" }
                    rect x=(x) y=(H - online) width=(W) height=(online) fill=(ONLINE) {}
                    rect x=(x) y=(H - online - paper) width=(W) height=(paper) fill=(PAPER) {}
                    text x=(x + W / 2) y=(H + 14) font-size="10" text-anchor="middle" { (i + 1) }
                }
            }
        }
    }
}

/// The chart's colours.
const ONLINE: &str = "#1d5fa7";
const PAPER: &str = "#9bbbe0";

/// A legend's colour square.
fn swatch(colour: &str) -> Markup {
    html! {
        svg xmlns="http://www.w3.org/2000/svg" width="12" height="12" aria-hidden="true" {
            rect width="12" height="12" fill=(colour) {}
        }
    }
}

/// How many numbers of the year were annulled (taken by a registration that
/// died before its dossier was written), in `lang`.
fn annulled_text(lang: Lang, n: u32) -> String {
    lang.pick([
        "Numere de înregistrare anulate (luate fără dosar): {n}",
        "Érvénytelenített iktatószámok (irat nélkül kiadva): {n}",
        "Registration numbers annulled (taken without a dossier): {n}",
    ])
    .replace("{n}", &n.to_string())
}

fn render(stats: &Stats, lang: Lang) -> String {
    let t = texts(lang);
    let slug = &stats.institution.slug;
    let path = format!("/stats/{slug}");
    let content = html! {
        h1 { (t.title) " " (stats.year) }
        p { strong { (stats.institution.name) } }
        p {
            @if stats.year > FIRST_YEAR {
                a href=(format!("{path}?year={}", stats.year - 1)) { "← " (stats.year - 1) }
            }
            @if stats.year < local_date(stats.computed_at).year() {
                " · " a href=(format!("{path}?year={}", stats.year + 1)) { (stats.year + 1) " →" }
            }
        }
        (chart(stats, &t))
        p {
            small {
                (swatch(ONLINE)) " " (t.online) " · " (swatch(PAPER)) " " (t.paper)
            }
        }
        div.scroll tabindex="0" role="region" aria-labelledby="figures" {
            table {
                caption id="figures" { (t.figures) }
                thead { tr { th scope="col" { (t.month) } @for c in t.columns { th scope="col" { (c) } } } }
                tbody {
                    @for (i, row) in stats.months.iter().enumerate() {
                        tr { th scope="row" { (t.months[i]) } @for c in cells(&row.figures) { td { (c) } } }
                    }
                }
                tfoot { tr { th scope="row" { (t.total) } @for c in cells(&stats.total) { td { (c) } } } }
            }
        }
        p { small { (t.definitions) } }
        p { (annulled_text(lang, stats.annulled_numbers)) }
        p {
            (t.data) ": "
            a href=(format!("/api/v1/stats/{slug}?year={}", stats.year)) { "JSON" } " · "
            a href=(format!("/api/v1/stats/{slug}.csv?year={}", stats.year)) { "CSV" }
        }
        p { small { (t.computed) " " (stats.computed_at.format("%Y-%m-%d %H:%M UTC").to_string()) } }
    };
    page::layout(
        lang,
        &format!("{} {}", t.title, stats.institution.name),
        &path,
        content,
    )
    .into_string()
}

fn not_found(format: Format, lang: Lang, path: &str) -> Response {
    if format != Format::Page {
        return web::problem(StatusCode::NOT_FOUND, "No institution has this short name.");
    }
    let t = texts(lang);
    let content = html! { h1 { (t.not_found) } p { (t.not_found_detail) } };
    page::response(
        StatusCode::NOT_FOUND,
        page::layout(lang, t.not_found, path, content).into_string(),
        "no-store",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(route("/stats/cjcluj"), Some((Format::Page, "cjcluj")));
        assert_eq!(
            route("/api/v1/stats/cjcluj"),
            Some((Format::Json, "cjcluj"))
        );
        assert_eq!(
            route("/api/v1/stats/cjcluj.csv"),
            Some((Format::Csv, "cjcluj"))
        );
        assert_eq!(route("/elsewhere"), None);
    }

    #[test]
    fn browsers_are_told_the_same_five_minutes_the_cache_keeps() {
        assert_eq!(CACHE_CONTROL, format!("public, max-age={CACHE_SECONDS}"));
    }

    #[test]
    fn a_cached_year_is_fresh_for_five_minutes_and_never_from_the_future() {
        let at: DateTime<Utc> = "2026-11-23T10:00:00Z".parse().unwrap();
        assert!(fresh(at, at));
        assert!(fresh(at, at + chrono::Duration::seconds(299)));
        assert!(!fresh(at, at + chrono::Duration::seconds(300)));
        assert!(!fresh(at, at - chrono::Duration::seconds(1)));
    }

    #[test]
    fn csv_has_a_row_per_month_and_the_total() {
        let stats = Stats {
            institution: Institution {
                slug: "x".into(),
                name: "X".into(),
            },
            year: 2026,
            computed_at: ghiseu_platform::config::now(),
            months: vec![Row {
                month: "2026-01".into(),
                figures: Figures {
                    submitted: 2,
                    paper: 2,
                    resolved: 1,
                    open: 1,
                    on_time: 1,
                    median_days: Some(2.5),
                    ..Figures::default()
                },
            }],
            total: Figures {
                submitted: 2,
                ..Figures::default()
            },
            annulled_numbers: 0,
        };
        assert_eq!(
            csv(&stats),
            format!("{CSV_HEADER}\r\n2026-01,2,0,2,1,0,0,1,1,0,2.5\r\n2026,2,0,0,0,0,0,0,0,0,\r\n")
        );
    }
}
