//! `GET /portal/documents/{tenant}/{dossier}/bundle.asice`: the archive
//! container of one of the citizen's own dossiers (every document and the
//! route, sealed by the institution), the same an official downloads.

use ghiseu_app::archive::{MIMETYPE, SealError, sealed_bundle};
use ghiseu_app::signing;
use ghiseu_platform::csc::{self, Client};
use ghiseu_platform::http as web;
use ghiseu_platform::s3::S3Client;
use http::StatusCode;
use maud::html;

use crate::ctx::{Ctx, Res};
use crate::texts::pick;

/// The download, or a page saying why there is none.
pub(crate) async fn get(ctx: &Ctx, slug: &str, id: &str) -> Res {
    let (_, dossier) = match ctx.own_dossier(slug, id).await? {
        Ok(own) => own,
        Err(answer) => return Ok(answer),
    };
    let Some(config) = csc::Config::from_variables().await.ok().flatten() else {
        return Ok(unavailable(ctx, None));
    };
    let client = Client::new(config);
    let tsa = ghiseu_platform::config::variable_or_empty("tsa_url");
    let now = ghiseu_platform::config::now();
    let bundle = match sealed_bundle(&client, &signing::Config::new(&tsa, ""), &dossier, now).await
    {
        Ok(b) => b,
        Err(e) => return Ok(unavailable(ctx, Some(e))),
    };
    let s3 = S3Client::from_variables().await?;
    let name = bundle.file_name();
    Ok(web::streamed_download(
        MIMETYPE,
        &name,
        move |mut sink| async move { bundle.send(&s3, &mut sink).await },
    ))
}

/// Why the container cannot be made now, in the citizen's words.
fn unavailable(ctx: &Ctx, why: Option<SealError>) -> web::Response {
    let lang = ctx.lang;
    if let Some(e) = &why {
        eprintln!("portal: sealing a bundle: {e}");
    }
    let detail = match why {
        Some(SealError::NoSeal) => pick(
            lang,
            "Instituția nu are încă un sigiliu electronic, așa că arhiva dosarului nu poate fi sigilată. Documentele rămân disponibile unul câte unul.",
            "Az intézménynek még nincs elektronikus bélyegzője, ezért az ügyirat archív csomagja nem pecsételhető le. A dokumentumok egyenként továbbra is elérhetők.",
            "The institution has no electronic seal yet, so the file's archive bundle cannot be sealed. The documents remain available one by one.",
        ),
        _ => pick(
            lang,
            "Serviciul de sigilare nu răspunde acum. Încercați din nou peste câteva minute.",
            "A bélyegző szolgáltatás most nem válaszol. Próbálja újra néhány perc múlva.",
            "The sealing service is not answering now. Try again in a few minutes.",
        ),
    };
    let title = pick(
        lang,
        "Arhiva dosarului nu este disponibilă",
        "Az ügyirat archív csomagja nem érhető el",
        "The archive bundle is not available",
    );
    ctx.page(StatusCode::SERVICE_UNAVAILABLE, &title, |_| {
        html! {
            h1 { (title) }
            p { (detail) }
            p { a href={ "/portal?lang=" (lang.code()) } { (pick(lang, "Înapoi la documentele mele", "Vissza a dokumentumaimhoz", "Back to my documents")) } }
        }
    })
}
