//! The signer's queue and a signing batch ("sign what you see"), in the
//! signer's language (`?lang=`, then the remembered one).

use ghiseu_core::Lang;
use ghiseu_platform::html::inline_error;
use maud::html;

use super::{Viewer, error_summary, layout_in};

/// The queue's filters, as chosen (`None`: any).
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// A document type code.
    pub document_type: Option<String>,
    /// A department code.
    pub department: Option<String>,
}

impl QueueFilter {
    /// The query string of these filters (with `extra` after them), `?`
    /// included; empty without any.
    #[must_use]
    pub fn query(&self, extra: &str) -> String {
        let mut parts = Vec::new();
        if let Some(t) = &self.document_type {
            parts.push(format!("document_type={}", urlencoding(t)));
        }
        if let Some(d) = &self.department {
            parts.push(format!("department={}", urlencoding(d)));
        }
        if !extra.is_empty() {
            parts.push(extra.to_owned());
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

/// Codes are letters, digits and dashes; anything else is percent-encoded.
fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// One document waiting for signature, as the queue shows it.
#[derive(Debug, Clone)]
pub struct QueueRow {
    /// The dossier's id.
    pub id: String,
    /// Its registration number.
    pub number: String,
    /// What it is about (from its form), if known.
    pub subject: Option<String>,
    /// The petitioner's name, if given.
    pub petitioner: Option<String>,
    /// The document type's title in the signer's language.
    pub type_title: String,
    /// The department holding it, by name.
    pub department: String,
    /// The legal deadline.
    pub deadline: chrono::NaiveDate,
}

/// What the queue page lists.
pub struct Queue<'a> {
    /// The documents, by deadline.
    pub rows: &'a [QueueRow],
    /// The filters chosen.
    pub filter: &'a QueueFilter,
    /// The tenant's document types (code, title).
    pub types: &'a [(String, String)],
    /// The tenant's departments (code, name).
    pub departments: &'a [(String, String)],
    /// Every box pre-checked (the "select all" link works without JavaScript).
    pub all: bool,
}

/// `n` documents in `lang`.
fn documents(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Ro => count(n, "document", "documente"),
        Lang::Hu => format!("{n} dokumentum"),
        Lang::En if n == 1 => "1 document".to_owned(),
        Lang::En => format!("{n} documents"),
    }
}

/// The signer's queue: documents waiting for signature, each with a checkbox,
/// its subject, petitioner, type and deadline; filters by type and department
/// (a plain GET form).
pub fn signing_queue<'a>(lang: Lang, signed: impl Into<Viewer<'a>>, q: &Queue<'_>) -> String {
    let signed = signed.into();
    let t = |w: [&'static str; 3]| lang.pick(w);
    let any = "—";
    layout_in(
        lang,
        t(["De semnat", "Aláírandó", "To sign"]),
        Some(signed),
        html! {
            h1 { (t(["Documente de semnat", "Aláírandó dokumentumok", "Documents to sign"])) }
            form method="get" action="/desk/sign" class="filters" {
                label for="f-type" { (t(["Tip document", "Dokumentumtípus", "Document type"])) }
                select id="f-type" name="document_type" {
                    option value="" { (any) }
                    @for (code, title) in q.types {
                        option value=(code) selected[q.filter.document_type.as_deref() == Some(code.as_str())] { (title) }
                    }
                }
                label for="f-department" { (t(["Departament", "Osztály", "Department"])) }
                select id="f-department" name="department" {
                    option value="" { (any) }
                    @for (code, name) in q.departments {
                        option value=(code) selected[q.filter.department.as_deref() == Some(code.as_str())] { (name) }
                    }
                }
                button type="submit" class="secondary" { (t(["Filtrează", "Szűrés", "Filter"])) }
            }
            @if q.rows.is_empty() {
                p { (t(["Nu aveți documente de semnat.", "Nincs aláírandó dokumentuma.", "You have no documents to sign."])) }
            } @else {
                p {
                    (documents(lang, q.rows.len())) " " (t(["așteaptă semnătura.", "vár aláírásra.", "waiting for your signature."])) " "
                    @if q.all {
                        a href=(format!("/desk/sign{}", q.filter.query(""))) { (t(["Deselectează tot", "Kijelölés törlése", "Clear all"])) }
                    } @else {
                        a href=(format!("/desk/sign{}", q.filter.query("all=1"))) { (t(["Selectează tot", "Összes kijelölése", "Select all"])) }
                    }
                }
                form method="post" action="/desk/sign/batches" {
                    input type="hidden" name="csrf" value=(signed.csrf);
                    table.stack #queue {
                        thead { tr {
                            th { (t(["Semnează", "Aláírás", "Sign"])) }
                            th { (t(["Nr. înregistrare", "Iktatószám", "Registration no."])) }
                            th { (t(["Subiect", "Tárgy", "Subject"])) }
                            th { (t(["Petent", "Kérelmező", "Petitioner"])) }
                            th { (t(["Tip document", "Dokumentumtípus", "Document type"])) }
                            th { (t(["Departament", "Osztály", "Department"])) }
                            th { (t(["Termen", "Határidő", "Deadline"])) }
                        } }
                        tbody {
                            @for r in q.rows {
                                tr {
                                    td { input type="checkbox" name="d" value=(r.id) id={ "d-" (r.id) } checked[q.all] aria-label={ (t(["Selectează", "Kijelölés:", "Select"])) " " (r.number) }; }
                                    td data-label=(t(["Nr.", "Szám", "No."])) { label for={ "d-" (r.id) } { a href=(format!("/desk/dossiers/{}", r.id)) { (r.number) } } }
                                    td data-label=(t(["Subiect", "Tárgy", "Subject"])) { (r.subject.as_deref().unwrap_or(any)) }
                                    td data-label=(t(["Petent", "Kérelmező", "Petitioner"])) { (r.petitioner.as_deref().unwrap_or(any)) }
                                    td data-label=(t(["Tip", "Típus", "Type"])) { (r.type_title) }
                                    td data-label=(t(["Departament", "Osztály", "Department"])) { (r.department) }
                                    td data-label=(t(["Termen", "Határidő", "Deadline"])) { (r.deadline.format("%d.%m.%Y").to_string()) }
                                }
                            }
                        }
                    }
                    p { button type="submit" { (t(["Semnează documentele selectate", "A kijelölt dokumentumok aláírása", "Sign the selected documents"])) } }
                    p.hint { (t([
                        "Veți putea deschide fiecare document înainte de a introduce un singur cod primit prin SMS.",
                        "Minden dokumentumot megnyithat, mielőtt beírja az SMS-ben kapott egyetlen kódot.",
                        "You can open every document before you type the one code sent by SMS.",
                    ])) }
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

/// The code's form and the "new code" form of a batch with pending documents.
fn code_forms(
    lang: Lang,
    csrf: &str,
    batch: &BatchPage<'_>,
    errors: &[(String, String)],
) -> maud::Markup {
    let t = |w: [&'static str; 3]| lang.pick(w);
    let (_, _, pending) = batch.counts;
    let part = batch.part;
    html! {
    form #sign-form method="post" action=(format!("/desk/sign/batches/{}", batch.id)) data-status=(format!("/desk/sign/batches/{}.json", batch.id)) {
        input type="hidden" name="csrf" value=(csrf);
        @if part < pending {
            p { (match lang {
                Lang::Ro => format!("Certificatul dumneavoastră permite {} pe cod: acest cod semnează următoarele {}.", count(batch.multisign as usize, "semnătură", "semnături"), count(part, "document", "documente")),
                Lang::Hu => format!("Tanúsítványa kódonként {} aláírást enged: ez a kód a következő {} írja alá.", batch.multisign, documents(lang, part)),
                Lang::En => format!("Your certificate allows {} signatures per code: this code signs the next {}.", batch.multisign, documents(lang, part)),
            }) }
        }
        label for="otp" { (t(["Codul primit prin SMS", "Az SMS-ben kapott kód", "The code sent by SMS"])) }
        (inline_error(errors, "otp"))
        input #otp name="otp" inputmode="numeric" autocomplete="one-time-code" maxlength="16" required;
        button type="submit" { (t(["Semnează ", "Aláírás: ", "Sign "])) (documents(lang, part)) }
    }
    form method="post" action=(format!("/desk/sign/batches/{}/code", batch.id)) {
        input type="hidden" name="csrf" value=(csrf);
        button type="submit" class="secondary" { (t(["Trimite un cod nou", "Új kód küldése", "Send a new code"])) }
    }
    }
}

/// A signing batch: every document opens from here before the code is typed
/// ("sign what you see": the response as it will be signed, with its SHA-256),
/// the code form while documents are pending, and each document's result.
pub fn signing_batch<'a, 'b>(
    lang: Lang,
    signed: impl Into<Viewer<'a>>,
    batch: impl Into<BatchPage<'b>>,
    errors: &[(String, String)],
) -> String {
    let (signed, batch) = (signed.into(), batch.into());
    let t = |w: [&'static str; 3]| lang.pick(w);
    let (ok, failed, pending) = batch.counts;
    let progress = match lang {
        Lang::Ro => format!("{ok} semnate, {failed} eșuate, {pending} de semnat."),
        Lang::Hu => format!("{ok} aláírva, {failed} sikertelen, {pending} aláírandó."),
        Lang::En => format!("{ok} signed, {failed} failed, {pending} to sign."),
    };
    layout_in(
        lang,
        t(["Semnare", "Aláírás", "Signing"]),
        Some(signed),
        html! {
            h1 { (t(["Semnare: ", "Aláírás: ", "Signing: "])) (documents(lang, batch.items.len())) }
            (error_summary(errors))
            p #progress role="status" aria-live="polite" data-poll=[batch.in_flight.then(|| format!("/desk/sign/batches/{}.json", batch.id))] {
                (progress)
            }
            @if batch.in_flight {
                p { (t(["Furnizorul de semnare semnează documentele; rezultatele apar aici. ",
                        "Az aláírásszolgáltató aláírja a dokumentumokat; az eredmények itt jelennek meg. ",
                        "The signing provider is signing the documents; the results appear here. "]))
                    a href=(format!("/desk/sign/batches/{}", batch.id)) { (t(["Reîncarcă", "Frissítés", "Reload"])) } }
            } @else if pending > 0 {
                @if batch.lost_parts > 0 {
                    p.warning role="alert" {
                        (t(["Furnizorul de semnare nu a trimis la timp rezultatul unei părți a lotului. Documentele rămase nesemnate se pot semna din nou: cereți un cod nou.",
                            "Az aláírásszolgáltató nem küldte el időben a csomag egy részének eredményét. A még alá nem írt dokumentumok újra aláírhatók: kérjen új kódot.",
                            "The signing provider did not send the result of a part of the batch in time. The documents still unsigned can be signed again: ask for a new code."]))
                    }
                }
                p { (t(["Deschideți fiecare document din lista de mai jos: este exact ce semnați. Apoi introduceți codul primit prin SMS.",
                        "Nyissa meg az alábbi lista minden dokumentumát: pontosan ezt írja alá. Ezután írja be az SMS-ben kapott kódot.",
                        "Open each document in the list below: it is exactly what you sign. Then type the code sent to you by SMS."])) }
                (code_forms(lang, signed.csrf, &batch, errors))
            } @else {
                p { a href="/desk/sign" { (t(["Înapoi la documentele de semnat", "Vissza az aláírandó dokumentumokhoz", "Back to the documents to sign"])) } }
            }
            table #items {
                thead { tr {
                    th { (t(["Nr. înregistrare", "Iktatószám", "Registration no."])) }
                    th { (t(["Documentul de semnat", "Az aláírandó dokumentum", "The document to sign"])) }
                    th { "SHA-256" }
                    th { (t(["Rezultat", "Eredmény", "Result"])) }
                } }
                tbody {
                    @for (n, it) in batch.items.iter().enumerate() {
                        tr {
                            td data-label=(t(["Nr.", "Szám", "No."])) { a href=(format!("/desk/dossiers/{}", it.dossier)) { (it.number) } }
                            td data-label=(t(["Document", "Dokumentum", "Document"])) {
                                @if it.response.is_empty() { "—" } @else {
                                    a href=(format!("/desk/sign/batches/{}/documents/{}", batch.id, n + 1)) target="_blank" rel="noopener" {
                                        (it.name)
                                        span.visually-hidden { " " (t(["(PDF, se deschide într-o filă nouă)", "(PDF, új lapon nyílik meg)", "(PDF, opens in a new tab)"])) }
                                    }
                                }
                            }
                            td data-label="SHA-256" { code.hash { (it.response) } }
                            td data-label=(t(["Rezultat", "Eredmény", "Result"])) {
                                @match &it.state {
                                    ItemView::Pending => { (t(["De semnat", "Aláírandó", "To sign"])) }
                                    ItemView::Signed { document } => {
                                        strong.ok { (t(["Semnat și emis", "Aláírva és kiadva", "Signed and issued"])) } " "
                                        a href=(format!("/desk/dossiers/{}/files/{document}", it.dossier)) { (t(["PDF semnat", "Aláírt PDF", "Signed PDF"])) } " · "
                                        a href=(format!("/verify/{}", it.verify)) { (t(["verificare", "ellenőrzés", "verification"])) }
                                    }
                                    ItemView::Failed { reason } => { strong.error { (t(["Nesemnat: ", "Nincs aláírva: ", "Not signed: "])) } (reason) }
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
