//! The signer's queue and a signing batch ("sign what you see").

use ghiseu_platform::html::inline_error;
use ghiseu_platform::repo::Summary;
use maud::html;

use super::{Viewer, error_summary, layout};

/// The signer's queue: documents waiting for signature, each with a checkbox;
/// `all` pre-checks every box (the "select all" link works without JavaScript).
pub fn signing_queue<'a>(signed: impl Into<Viewer<'a>>, rows: &[Summary], all: bool) -> String {
    let signed = signed.into();
    layout(
        "De semnat",
        Some(signed),
        html! {
            h1 { "Documente de semnat" }
            @if rows.is_empty() {
                p { "Nu aveți documente de semnat." }
            } @else {
                p {
                    (count(rows.len(), "document", "documente")) " așteaptă semnătura. "
                    @if all { a href="/desk/sign" { "Deselectează tot" } } @else { a href="/desk/sign?all=1" { "Selectează tot" } }
                }
                form method="post" action="/desk/sign/batches" {
                    input type="hidden" name="csrf" value=(signed.csrf);
                    table {
                        thead { tr { th { "Semnează" } th { "Nr. înregistrare" } th { "Tip" } th { "Termen" } } }
                        tbody {
                            @for s in rows {
                                tr {
                                    td { input type="checkbox" name="d" value=(s.id) id={ "d-" (s.id) } checked[all] aria-label={ "Selectează " (s.number) }; }
                                    td { label for={ "d-" (s.id) } { a href=(format!("/desk/dossiers/{}", s.id)) { (s.number) } } }
                                    td { (s.document_type) }
                                    td { (s.deadline.format("%d.%m.%Y").to_string()) }
                                }
                            }
                        }
                    }
                    p { button type="submit" { "Semnează documentele selectate" } }
                    p.hint { "Veți vedea lista documentelor și amprentele lor, apoi introduceți un singur cod primit prin SMS." }
                }
            }
        },
    )
}

/// A signing batch as its page shows it.
pub struct BatchPage<'a> {
    /// The batch's id.
    pub id: &'a str,
    /// The documents, in the order shown.
    pub items: Vec<BatchRow<'a>>,
    /// How many documents are signed, failed, pending.
    pub counts: (usize, usize, usize),
    /// The pending documents the next code covers.
    pub part: usize,
    /// How many signatures one code covers.
    pub multisign: u32,
    /// Whether a part is being signed asynchronously (the page polls).
    pub in_flight: bool,
    /// Asynchronous parts given up as lost.
    pub lost_parts: u32,
}

/// One document of a signing batch.
pub struct BatchRow<'a> {
    /// The dossier's id.
    pub dossier: &'a str,
    /// Its registration number.
    pub number: &'a str,
    /// The response that is signed (SHA-256, hex), empty if none.
    pub response: &'a str,
    /// The response's file name.
    pub name: &'a str,
    /// The verification token.
    pub verify: &'a str,
    /// What became of it.
    pub state: ItemView<'a>,
}

/// What became of a document of a batch.
pub enum ItemView<'a> {
    /// Waiting for the code.
    Pending,
    /// Signed and issued: the signed PDF's SHA-256 (hex).
    Signed {
        /// The signed PDF's digest.
        document: &'a str,
    },
    /// Not signed, and why.
    Failed {
        /// Why.
        reason: &'a str,
    },
}

/// `n` things in Romanian: "1 document", "2 documente", "20 de documente"
/// (from 20 on, and after whole hundreds, the noun takes "de").
fn count(n: usize, one: &str, many: &str) -> String {
    match n {
        1 => format!("1 {one}"),
        _ if n % 100 >= 20 || (n >= 100 && n.is_multiple_of(100)) => format!("{n} de {many}"),
        _ => format!("{n} {many}"),
    }
}

/// A signing batch: the documents and their SHA-256 ("sign what you see"),
/// the code form while documents are pending, and each document's result.
pub fn signing_batch<'a, 'b>(
    signed: impl Into<Viewer<'a>>,
    batch: impl Into<BatchPage<'b>>,
    errors: &[(String, String)],
) -> String {
    let (signed, batch) = (signed.into(), batch.into());
    let (ok, failed, pending) = batch.counts;
    let part = batch.part;
    layout(
        "Semnare",
        Some(signed),
        html! {
            h1 { "Semnare: " (count(batch.items.len(), "document", "documente")) }
            (error_summary(errors))
            p #progress role="status" aria-live="polite" data-poll=[batch.in_flight.then(|| format!("/desk/sign/batches/{}.json", batch.id))] {
                (ok) " semnate, " (failed) " eșuate, " (pending) " de semnat."
            }
            @if batch.in_flight {
                p { "Furnizorul de semnare semnează documentele; rezultatele apar aici. "
                    a href=(format!("/desk/sign/batches/{}", batch.id)) { "Reîncarcă" } }
            } @else if pending > 0 {
                @if batch.lost_parts > 0 {
                    p.warning role="alert" {
                        "Furnizorul de semnare nu a trimis la timp rezultatul unei părți a lotului. "
                        "Documentele rămase nesemnate se pot semna din nou: cereți un cod nou."
                    }
                }
                form #sign-form method="post" action=(format!("/desk/sign/batches/{}", batch.id)) data-status=(format!("/desk/sign/batches/{}.json", batch.id)) {
                    input type="hidden" name="csrf" value=(signed.csrf);
                    @if part < pending {
                        p { "Certificatul dumneavoastră permite " (count(batch.multisign as usize, "semnătură", "semnături")) " pe cod: acest cod semnează următoarele " (count(part, "document", "documente")) "." }
                    }
                    label for="otp" { "Codul primit prin SMS" }
                    (inline_error(errors, "otp"))
                    input #otp name="otp" inputmode="numeric" autocomplete="one-time-code" maxlength="16" required;
                    button type="submit" { "Semnează " (count(part, "document", "documente")) }
                }
                form method="post" action=(format!("/desk/sign/batches/{}/code", batch.id)) {
                    input type="hidden" name="csrf" value=(signed.csrf);
                    button type="submit" class="secondary" { "Trimite un cod nou" }
                }
            } @else {
                p { a href="/desk/sign" { "Înapoi la documentele de semnat" } }
            }
            table #items {
                thead { tr { th { "Nr. înregistrare" } th { "Document" } th { "SHA-256" } th { "Rezultat" } } }
                tbody {
                    @for it in &batch.items {
                        tr {
                            td { a href=(format!("/desk/dossiers/{}", it.dossier)) { (it.number) } }
                            td {
                                @if it.response.is_empty() { "—" } @else {
                                    a href=(format!("/desk/dossiers/{}/files/{}", it.dossier, it.response)) { (it.name) }
                                }
                            }
                            td data-label="SHA-256" { code.hash { (it.response) } }
                            td {
                                @match &it.state {
                                    ItemView::Pending => { "De semnat" }
                                    ItemView::Signed { document } => {
                                        strong.ok { "Semnat și emis" } " "
                                        a href=(format!("/desk/dossiers/{}/files/{document}", it.dossier)) { "PDF semnat" } " · "
                                        a href=(format!("/verify/{}", it.verify)) { "verificare" }
                                    }
                                    ItemView::Failed { reason } => { strong.error { "Nesemnat: " } (reason) }
                                }
                            }
                        }
                    }
                }
            }
            script src=(ghiseu_platform::assets::DESK_SIGN_JS) defer {}
        },
    )
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn counts_take_de_from_twenty() {
        for (n, want) in [
            (0, "0 documente"),
            (1, "1 document"),
            (2, "2 documente"),
            (19, "19 documente"),
            (20, "20 de documente"),
            (25, "25 de documente"),
            (101, "101 documente"),
            (119, "119 documente"),
            (120, "120 de documente"),
            (200, "200 de documente"),
            (500, "500 de documente"),
        ] {
            assert_eq!(count(n, "document", "documente"), want, "{n}");
        }
    }
}
