//! A request waiting before its registration — for its fee, its qualified
//! signature, or both — as its citizen reads it on the fee page
//! ([`crate::fees`]) and the signing page ([`crate::sign`]): the request by
//! its names (never its key or hash), its fee ("Taxă: 25 lei", paid with its
//! receipt number, or due) and the form that takes the citizen to pay it.

use ghiseu_app::citizen::fees::{self, Fee};
use ghiseu_app::citizen::{self, AwaitingRequest, Described};
use ghiseu_app::signing::citizen::{self as signing, Waiting};
use ghiseu_core::Lang;
use maud::{Markup, html};

use crate::ctx::Ctx;
use crate::pages::form_state;
use crate::texts::{pick, t};

/// The fee page of the request with cerere `sha` (hex).
pub(crate) fn page_path(sha: &str) -> String {
    format!("/portal/pay/{sha}")
}

/// An amount in bani for people: `25 lei`, `12,50 lei`.
pub(crate) fn lei(bani: u64) -> String {
    match (bani / 100, bani % 100) {
        (whole, 0) => format!("{whole} lei"),
        (whole, rest) => format!("{whole},{rest:02} lei"),
    }
}

/// "Taxă: 25 lei".
pub(crate) fn fee_line(lang: Lang, bani: u64) -> String {
    format!("{}: {}", t(lang, "fee"), lei(bani))
}

/// The fee's row of a request's summary: the amount, and paid (with the
/// receipt number) or still to pay; nothing for a request without a fee.
pub(crate) fn fee_row(lang: Lang, fee: &Fee) -> Markup {
    html! {
        @match fee {
            Fee::Free => {},
            Fee::Due(bani) => { dt { (t(lang, "fee")) } dd { (lei(*bani)) " — " (t(lang, "fee_due")) } }
            Fee::Paid(r) => {
                dt { (t(lang, "fee")) }
                dd { (lei(r.amount_minor)) " — " (t(lang, "fee_paid")) ", " (t(lang, "receipt_of")) " " strong { (r.receipt_no) } }
            }
        }
    }
}

/// The form that takes the citizen to the provider's checkout of the fee.
pub(crate) fn pay_form(csrf: &str, lang: Lang, sha: &str, label: &str) -> Markup {
    html! {
        form method="post" action={ "/portal/pay/" (sha) } {
            (form_state(csrf, lang))
            button type="submit" { (label) }
        }
    }
}

/// A waiting request's rows: institution, the type's title in the reader's
/// language, the day it was filled in, then `more`.
pub(crate) fn request_rows(
    lang: Lang,
    request: &AwaitingRequest,
    described: &Described,
    more: Markup,
) -> Markup {
    let title = described.titles.as_ref().map_or_else(
        || pick(lang, "Cerere", "Kérelem", "Request"),
        |t| t.get(lang).as_str().to_owned(),
    );
    let day = ghiseu_core::calendar::written_date(
        lang,
        ghiseu_core::calendar::local_date(request.created_at),
    );
    html! {
        dl {
            dt { (t(lang, "institution")) }
            dd { (described.institution.as_deref().unwrap_or("—")) }
            dt { (pick(lang, "Cererea", "Kérelem", "Request")) }
            dd { (title) }
            dt { (pick(lang, "Completată la", "Kitöltve", "Filled in on")) }
            dd { (day) }
            (more)
        }
    }
}

/// A request of the signed-in citizen waiting before its registration, with
/// the names the pages show and its fee.
pub(crate) struct Shown<'a> {
    pub(crate) waiting: Waiting<'a>,
    pub(crate) described: Described,
    pub(crate) fee: Fee,
}

/// The signed-in citizen's request with cerere `sha`, if it is waiting.
pub(crate) async fn shown<'a>(
    ctx: &'a Ctx,
    sha: &str,
) -> ghiseu_platform::Result<Option<Shown<'a>>> {
    let Some((_, account)) = &ctx.signed else {
        return Ok(None);
    };
    let Some(waiting) = signing::waiting(&ctx.store, account, sha).await? else {
        return Ok(None);
    };
    let described = citizen::describe(&ctx.store, &waiting.request).await?;
    let fee = fees::fee(&ctx.store, &account.id, sha, &waiting.request).await?;
    Ok(Some(Shown {
        waiting,
        described,
        fee,
    }))
}

/// An unexpected failure of the use case, for the log.
pub(crate) fn failure(sha: &str, e: ghiseu_app::Error) -> ghiseu_platform::Error {
    match e {
        ghiseu_app::Error::Platform(e) => e,
        e => ghiseu_platform::Error::Corrupt {
            key: format!("signing/{sha}"),
            detail: format!("{e:?}"),
        },
    }
}
