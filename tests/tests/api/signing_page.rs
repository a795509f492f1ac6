//! The citizen's signing page as a citizen reads it: the request by its
//! names (institution, type title, date), the exact PDF that will be signed
//! one link away and only for its owner, no key and no hash on the page, and,
//! without a signing certificate, why one is needed and where to get it.

use reqwest::StatusCode;
use sha2::{Digest, Sha256};

use crate::payment::{registered_cerere, submit_qualified, with_credential};
use crate::portal::{Browser, aviz, create_type, last_code, outbox, signed_up, spawn};

const PHONE: &str = "+40745000444";
const NAME: &str = "Ion Popescu";

/// The text a reader sees: the page without its tags (attributes, such as
/// the form actions that name the request, are not read).
pub(crate) fn visible(html: &str) -> String {
    let body = html.split_once("<body").map_or(html, |(_, b)| b);
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
}

/// What a citizen must never read on the page: a run of 64 hex digits (a
/// SHA-256), a key of the platform (`alfa/aviz-calificat/…`), or a word too
/// long to wrap on a 320 px screen.
fn assert_readable(html: &str) {
    let text = visible(html);
    let mut run = 0;
    for c in text.chars() {
        run = if c.is_ascii_hexdigit() { run + 1 } else { 0 };
        assert!(run < 64, "a hash on the page: {text}");
    }
    assert!(
        !text.contains("alfa/") && !text.contains("aviz-calificat"),
        "a key: {text}"
    );
    for word in text.split_whitespace() {
        assert!(word.chars().count() <= 30, "too wide for 320 px: {word}");
    }
}

/// The day (in Romania) of a request submitted a moment ago, or of five
/// minutes earlier (a test that runs across midnight).
fn days_of_now() -> [String; 2] {
    let now = chrono::Utc::now();
    [now, now - chrono::Duration::minutes(5)].map(|at| {
        ghiseu_core::calendar::local_date(at)
            .format("%d.%m.%Y")
            .to_string()
    })
}

#[tokio::test]
async fn the_citizen_reads_the_exact_pdf_that_is_signed_and_no_one_else_can() {
    let app = spawn().await;
    create_type(&app, &aviz("aviz-calificat", "qualified")).await;
    let mut b = with_credential(&app, NAME, PHONE).await;
    let sign = submit_qualified(&mut b).await;
    let sha = sign["/portal/sign/".len()..].to_owned();

    // My documents names the waiting request, not its key.
    let (_, home) = b.get("/portal").await;
    assert!(
        home.contains("Aviz de ocupare a domeniului public"),
        "{home}"
    );
    assert_readable(&home);

    // The page: institution, title, date, the PDF; no key, no hash.
    let (status, html) = b.get(&sign).await;
    assert_eq!(status, StatusCode::OK);
    let text = visible(&html);
    assert!(
        text.contains("Primăria Alfa")
            && text.contains("Aviz de ocupare a domeniului public")
            && days_of_now().iter().any(|d| text.contains(d.as_str()))
            && text.contains("Citiți cererea (PDF)"),
        "{text}"
    );
    let pdf_path = format!("{sign}/cerere.pdf");
    assert!(html.contains(&format!("href=\"{pdf_path}\"")), "{html}");
    assert_readable(&html);

    // The PDF: inline, the very bytes named by the request's SHA-256.
    let (status, kind, pdf) = b.get_bytes(&pdf_path).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "application/pdf"));
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(format!("{:x}", Sha256::digest(&pdf)), sha);
    let r = reqwest::Client::new()
        .get(app.url(&pdf_path))
        .header("cookie", b.cookie_header())
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline"),
    );
    assert_eq!(r.headers()["cache-control"], "private, no-store");

    // Nobody else gets it: another citizen, or no one signed in.
    let mut other = signed_up(&app, "Maria Ionescu", "+40745000555").await;
    assert_eq!(other.get_bytes(&pdf_path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&sign).await.0, StatusCode::NOT_FOUND);
    let mut nobody = Browser::new(&app);
    assert_eq!(nobody.get_bytes(&pdf_path).await.0, StatusCode::NOT_FOUND);

    // The code page shows no hash either; the SMS names what it signs.
    let (status, _, html) = b.post(&sign, &[]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("name=\"code\""), "{html}");
    assert_readable(&html);
    let sms = outbox(&app, PHONE).await;
    let text = sms[0]["text"].as_str().unwrap();
    assert!(
        text.contains("semnătura electronică calificată a titularului Ion Popescu"),
        "{text}"
    );
    assert!(ghiseu_core::sms::segments(text).1 <= 2, "{text}");

    // Signed and registered: the signed document begins with the bytes the
    // citizen read (the signature is an incremental update after them).
    let code = last_code(&app, PHONE).await;
    let (status, location, _) = b.post(&format!("{sign}/confirm"), &[("code", &code)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let number = location.strip_prefix("/portal?registered=").unwrap();
    let signed = registered_cerere(&app, number).await;
    assert!(signed.len() > pdf.len() && signed.starts_with(&pdf));
    // The citizen may read it again; still nobody else.
    assert_eq!(b.get_bytes(&pdf_path).await.2, pdf);
    assert_eq!(other.get_bytes(&pdf_path).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn without_a_certificate_the_page_says_why_and_offers_to_get_one() {
    let app = spawn().await;
    create_type(&app, &aviz("aviz-calificat", "qualified")).await;
    let mut b = signed_up(&app, "Maria Ionescu", "+40745000333").await;
    let sign = submit_qualified(&mut b).await;

    let (status, html) = b.get(&sign).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let text = visible(&html);
    for words in [
        "Aveți nevoie de un certificat de semnătură",
        "semnătură electronică calificată",
        "1,00 lei",
        "o singură dată",
        "Obțineți certificatul de semnătură",
        "Citiți cererea (PDF)",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    assert!(html.contains("href=\"/portal/signature\""), "{html}");
    assert!(!html.contains("Trimite codul de semnare"), "{html}");
    assert_readable(&html);
    // The PDF can be read before buying anything.
    let (status, _, pdf) = b.get_bytes(&format!("{sign}/cerere.pdf")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(pdf.starts_with(b"%PDF-"));

    // "Semnează" without a certificate comes back to this page, not silently
    // to the purchase.
    let (status, location, _) = b.post(&sign, &[]).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, sign.as_str())
    );
    assert!(
        outbox(&app, "+40745000333").await.len() == 1,
        "only the account's code"
    );

    // In Hungarian too.
    let (_, html) = b.get(&format!("{sign}?lang=hu")).await;
    let text = visible(&html);
    assert!(
        text.contains("Aláírási tanúsítványra van szüksége")
            && text.contains("egyszer kell kártyával kifizetni")
            && text.contains("A kérelem elolvasása (PDF)"),
        "{text}"
    );
}
