//! The institution's archive: `GET /admin/archive` (what the export holds
//! and a form: a year, or a range of its numbers) and
//! `GET /admin/archive/export.zip?year=&first=&last=` (one ZIP: a sealed
//! ASiC-E container per dossier and an index in CSV and JSON, sent as it is
//! made: `ghiseu_app::archive::export`). Everything that can be refused
//! (the range, the seal) is checked before the first byte goes out.

use chrono::Datelike;
use ghiseu_app::archive::export::{self, Range};
use ghiseu_app::archive::{SealError, Sealer};
use ghiseu_app::signing;
use ghiseu_core::Lang;
use ghiseu_core::calendar::local_date;
use ghiseu_platform::csc::{self, Client};
use ghiseu_platform::http::{self as web, Response, query_param, secure_html};
use ghiseu_platform::keys::STORE;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;
use ghiseu_platform::s3::S3Client;
use http::StatusCode;
use maud::html;

use crate::ctx::Admin;
use crate::error::AdminError;
use crate::pages;

/// The archive's words in the administrator's language.
fn w(lang: Lang, words: [&'static str; 3]) -> &'static str {
    lang.pick(words)
}

/// `GET /admin/archive`: the page, with `errors` (field, words) of a refused
/// export and what was asked.
pub async fn page(store: &Store, admin: &Admin, query: &str) -> Result<Response, AdminError> {
    render(store, admin, query, &[], StatusCode::OK).await
}

async fn render(
    store: &Store,
    admin: &Admin,
    query: &str,
    errors: &[(String, String)],
    status: StatusCode,
) -> Result<Response, AdminError> {
    let lang = admin.lang;
    let this_year = year_now();
    let year = query_param(query, "year").unwrap_or_else(|| this_year.to_string());
    let taken = match year.trim().parse::<u16>() {
        Ok(y) => repo::registrations_taken(store, &admin.scope, y).await?,
        Err(_) => 0,
    };
    let (first, last) = (
        query_param(query, "first").unwrap_or_default(),
        query_param(query, "last").unwrap_or_default(),
    );
    let title = w(lang, ["Arhivă", "Archívum", "Archive"]);
    let body = html! {
        h1 { (title) }
        p { (w(lang, [
            "Exportul pentru arhiva instituției: pentru fiecare dosar înregistrat în anul ales (sau între numerele alese), containerul ASiC-E cu toate documentele și traseul, sigilat cu sigiliul electronic al instituției, apoi un index (CSV și JSON) cu fiecare număr, inclusiv cele anulate. Fișierul se descarcă pe măsură ce este alcătuit.",
            "Export az intézmény archívuma számára: a választott év (vagy a választott számok közötti) minden iktatott ügyiratához az összes dokumentumot és az útvonalat tartalmazó, az intézmény elektronikus bélyegzőjével lezárt ASiC-E csomag, majd egy index (CSV és JSON) minden számmal, a sztornózottakat is beleértve. A fájl összeállítás közben töltődik le.",
            "The export for the institution's archive: for every dossier registered in the chosen year (or between the chosen numbers), the ASiC-E container with all its documents and its route, sealed with the institution's electronic seal, then an index (CSV and JSON) of every number, annulled ones included. The file downloads as it is put together.",
        ])) }
        (pages::error_summary(lang, errors))
        form method="get" action="/admin/archive/export.zip" {
            input type="hidden" name="lang" value=(lang.code());
            label for="year" { (w(lang, ["Anul", "Év", "Year"])) }
            input id="year" name="year" type="number" inputmode="numeric" min="2000" max=(this_year) value=(year) required;
            p.hint { (w(lang, ["Numere date în acest an: ", "Ebben az évben kiadott számok: ", "Numbers given this year: "])) strong { (taken) } }
            label for="first" { (w(lang, ["De la numărul (opțional)", "Kezdő szám (nem kötelező)", "From number (optional)"])) }
            input id="first" name="first" type="number" inputmode="numeric" min="1" value=(first);
            label for="last" { (w(lang, ["Până la numărul (opțional)", "Utolsó szám (nem kötelező)", "To number (optional)"])) }
            input id="last" name="last" type="number" inputmode="numeric" min="1" value=(last);
            p { button type="submit" { (w(lang, ["Descarcă arhiva", "Archívum letöltése", "Download the archive"])) } }
        }
    };
    Ok(secure_html(
        status,
        pages::page(&admin.viewer(), title, body),
    ))
}

fn year_now() -> u16 {
    u16::try_from(local_date(ghiseu_platform::config::now()).year()).unwrap_or(2026)
}

/// What the query asks for, or why it is refused: (the range, whether it is
/// the whole year).
async fn asked(
    store: &Store,
    admin: &Admin,
    query: &str,
) -> Result<Result<(Range, bool), Vec<(String, String)>>, AdminError> {
    let lang = admin.lang;
    let err = |field: &str, words| Err(vec![(field.to_owned(), w(lang, words).to_owned())]);
    let year = match query_param(query, "year").map(|y| y.trim().parse::<u16>()) {
        Some(Ok(y)) if (2000..=year_now()).contains(&y) => y,
        _ => {
            return Ok(err(
                "year",
                [
                    "Anul trebuie să fie un an de la 2000 până la cel curent.",
                    "Az év 2000 és a folyó év közötti év legyen.",
                    "The year must be a year from 2000 to the current one.",
                ],
            ));
        }
    };
    let taken = repo::registrations_taken(store, &admin.scope, year).await?;
    if taken == 0 {
        return Ok(err(
            "year",
            [
                "În acest an nu s-a înregistrat niciun număr.",
                "Ebben az évben nem iktattak egyetlen számot sem.",
                "No number was registered in this year.",
            ],
        ));
    }
    let number = |name: &str, default: u32| match query_param(query, name) {
        None => Some(default),
        Some(v) if v.trim().is_empty() => Some(default),
        Some(v) => v.trim().parse::<u32>().ok().filter(|n| *n >= 1),
    };
    let (Some(first), Some(last)) = (number("first", 1), number("last", taken)) else {
        return Ok(err(
            "first",
            [
                "Numerele sunt numere întregi, de la 1.",
                "A számok 1-től kezdődő egész számok.",
                "Numbers are whole numbers, from 1.",
            ],
        ));
    };
    if first > last || last > taken {
        return Ok(Err(vec![(
            "last".to_owned(),
            match lang {
                Lang::Ro => {
                    format!("Alegeți numere de la 1 la {taken}, primul cel mult cât ultimul.")
                }
                Lang::Hu => format!(
                    "Válasszon 1 és {taken} közötti számokat, az első legfeljebb az utolsó legyen."
                ),
                Lang::En => {
                    format!("Choose numbers from 1 to {taken}, the first at most the last.")
                }
            },
        )]));
    }
    let range = Range {
        prefix: admin.tenant.registration_prefix.clone(),
        year,
        first,
        last,
    };
    Ok(Ok((range, first == 1 && last == taken)))
}

/// `GET /admin/archive/export.zip`.
pub async fn export(store: &Store, admin: &Admin, query: &str) -> Result<Response, AdminError> {
    let lang = admin.lang;
    let (range, whole) = match asked(store, admin, query).await? {
        Ok(asked) => asked,
        Err(errors) => {
            return render(
                store,
                admin,
                query,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let sealer = match seal(admin).await {
        Ok(s) => s,
        Err(why) => {
            let errors = vec![("year".to_owned(), w(lang, why).to_owned())];
            return render(store, admin, query, &errors, StatusCode::CONFLICT).await;
        }
    };
    let s3 = S3Client::from_variables().await?;
    let scope = admin.scope.clone();
    let name = export::file_name(admin.tenant.slug.as_str(), &range, whole);
    let now = ghiseu_platform::config::now();
    Ok(web::streamed_download(
        "application/zip",
        &name,
        move |mut sink| async move {
            let store = Store::open(STORE).await.map_err(|e| e.to_string())?;
            export::send(&store, &s3, &sealer, &scope, range, now, &mut sink).await
        },
    ))
}

/// The institution's seal, or why there is none (words).
async fn seal(admin: &Admin) -> Result<Sealer, [&'static str; 3]> {
    let unavailable = [
        "Furnizorul de semnare nu răspunde: arhiva nu poate fi sigilată acum. Încercați din nou peste câteva minute.",
        "Az aláírás-szolgáltató nem válaszol: az archívum most nem pecsételhető le. Próbálja újra néhány perc múlva.",
        "The signing provider is not answering: the archive cannot be sealed now. Try again in a few minutes.",
    ];
    let Some(config) = csc::Config::from_variables().await.ok().flatten() else {
        return Err(unavailable);
    };
    let tsa = ghiseu_platform::config::variable_or_empty("tsa_url");
    let config = (Client::new(config), signing::Config::new(&tsa, ""));
    match Sealer::find(&config.0, &config.1, &admin.tenant.slug).await {
        Ok(sealer) => Ok(sealer),
        Err(SealError::NoSeal) => Err([
            "Instituția nu are încă un sigiliu electronic la furnizorul de semnare, așa că arhiva nu poate fi sigilată. Administratorul platformei îl înrolează la furnizor (utilizatorul seal:<instituție>).",
            "Az intézménynek még nincs elektronikus bélyegzője az aláírás-szolgáltatónál, ezért az archívum nem pecsételhető le. A platform üzemeltetője regisztrálja a szolgáltatónál (seal:<intézmény> felhasználó).",
            "The institution has no electronic seal at the signing provider yet, so the archive cannot be sealed. The platform's operator enrolls it at the provider (user seal:<institution>).",
        ]),
        Err(e) => {
            eprintln!("admin: the archive's seal: {e}");
            Err(unavailable)
        }
    }
}
