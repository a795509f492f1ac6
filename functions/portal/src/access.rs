//! "Who opened my file" (`GET /portal/documents/{tenant}/{dossier}/access`):
//! every time an official opened one of the citizen's dossiers or its files,
//! newest first, with the official's name, role and department; whether the
//! record's chain holds, and the numbers without a record, are said plainly.
//! Only the citizen whose account the dossier is linked to sees it.

use ghiseu_core::access::{self, Opened};
use ghiseu_platform::repo;
use http::StatusCode;
use maud::html;

use crate::ctx::{Ctx, Res};
use crate::texts::pick;

/// The page.
pub(crate) async fn page(ctx: &Ctx, slug: &str, id: &str) -> Res {
    let (scope, dossier) = match ctx.own_dossier(slug, id).await? {
        Ok(own) => own,
        Err(answer) => return Ok(answer),
    };
    let lang = ctx.lang;
    let departments = repo::departments(&ctx.store, &scope).await?;
    let (records, _) = repo::access_records(&ctx.store, &scope, &dossier.id()).await?;
    let checked = access::verify(&records);
    let department = |code| ghiseu_core::department::name_of(&departments, code, lang);
    let title = pick(
        lang,
        "Cine a deschis dosarul",
        "Ki nyitotta meg az ügyiratot",
        "Who opened the file",
    );
    let number = dossier.number().to_string();
    Ok(ctx.page(StatusCode::OK, &title, |_| {
        html! {
            h1 { (title) }
            p { strong { (number) } }
            p { (pick(lang,
                "Fiecare deschidere a dosarului sau a unui fișier al lui de către un funcționar este înregistrată aici și nu poate fi ștearsă.",
                "Itt szerepel minden alkalom, amikor egy ügyintéző megnyitotta az ügyiratot vagy annak egy fájlját; ez nem törölhető.",
                "Every time an official opened the file or one of its documents is recorded here and cannot be removed.")) }
            @match &checked {
                Ok(gaps) if gaps.is_empty() => {}
                Ok(gaps) => p.notice { (pick(lang,
                    "Numere fără înregistrare (o deschidere întreruptă): ",
                    "Bejegyzés nélküli sorszámok (megszakadt megnyitás): ",
                    "Numbers without a record (an interrupted opening): "))
                    (gaps.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")) }
                Err(e) => p.error role="alert" { (pick(lang,
                    "Atenție: lista a fost modificată după ce a fost scrisă. ",
                    "Figyelem: a listát a beírás után módosították. ",
                    "Warning: the list was changed after it was written. ")) (e.to_string()) }
            }
            @if records.is_empty() {
                p { (pick(lang, "Niciun funcționar nu a deschis încă dosarul.",
                    "Még egy ügyintéző sem nyitotta meg az ügyiratot.",
                    "No official has opened the file yet.")) }
            } @else {
                table.stack {
                    thead { tr {
                        th scope="col" { (pick(lang, "Când", "Mikor", "When")) }
                        th scope="col" { (pick(lang, "Cine", "Ki", "Who")) }
                        th scope="col" { (pick(lang, "Compartiment", "Osztály", "Department")) }
                        th scope="col" { (pick(lang, "Ce", "Mit", "What")) }
                    } }
                    tbody {
                        @for r in records.iter().rev() {
                            tr {
                                td data-label=(pick(lang, "Când", "Mikor", "When")) {
                                    (ghiseu_core::calendar::written_local_time(lang, r.at))
                                }
                                td data-label=(pick(lang, "Cine", "Ki", "Who")) {
                                    (r.name) " ("
                                    (r.roles.iter().map(|role| role.name(lang)).collect::<Vec<_>>().join(", "))
                                    ")"
                                }
                                td data-label=(pick(lang, "Compartiment", "Osztály", "Department")) {
                                    (r.department.as_ref().map(&department).unwrap_or_default())
                                }
                                td data-label=(pick(lang, "Ce", "Mit", "What")) {
                                    @match &r.opened {
                                        Opened::Dossier => { (pick(lang, "dosarul", "az ügyiratot", "the file")) }
                                        Opened::Bundle => { (pick(lang, "arhiva dosarului (toate documentele)", "az ügyirat archív csomagját (minden dokumentum)", "the file's archive bundle (every document)")) }
                                        Opened::File { name, .. } => { (pick(lang, "fișierul ", "a fájlt: ", "the document ")) (name) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            p { a href={ "/portal?lang=" (lang.code()) } { (pick(lang, "Înapoi la documentele mele", "Vissza a dokumentumaimhoz", "Back to my documents")) } }
        }
    }))
}
