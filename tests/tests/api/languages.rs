//! A citizen's language reaches every SMS and e-mail: the account keeps the
//! language it was created in and the one its owner later chooses; a paper
//! dossier keeps the language the registrar recorded. Every SMS says what it
//! is for and for whom, within two segments.

use ghiseu_core::sms::{segments, to_gsm7};
use ghiseu_tests::sample_pdf;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::portal::{Browser, aviz, create_type, last_code, outbox, pdf, spawn, submission};

/// Whether `text` (an SMS, maybe sent in GSM-7 letters) says `words`.
fn says(text: &str, words: &str) -> bool {
    to_gsm7(text).contains(&to_gsm7(words))
}

/// Every message to `to` is in `lang` and every SMS within two segments.
fn all_in(messages: &[Value], lang: &str) {
    for m in messages {
        assert_eq!(m["lang"], lang, "{m}");
        if m["channel"] == "sms" {
            let text = m["text"].as_str().unwrap();
            assert!(
                segments(text).1 <= 2,
                "{} segments: {text}",
                segments(text).1
            );
        }
    }
}

fn newest(messages: &[Value]) -> String {
    messages[0]["text"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_citizen_registered_in_hungarian_gets_hungarian_codes_and_news() {
    const PHONE: &str = "+40745000777";
    let app = spawn().await;
    let mut t = aviz("aviz", "simple");
    t["titles"]["hu"] = json!("Közterület-foglalási engedély");
    create_type(&app, &t).await;

    // Created on a Hungarian page: the code says what it is for, for whom.
    let mut b = Browser::new(&app);
    b.get("/portal/register?lang=hu").await;
    let pw = "egy jó hosszú jelszó";
    let (status, location, _) = b
        .post(
            "/portal/register",
            &[
                ("name", "Kovács Anna"),
                ("phone", "0745000777"),
                ("password", pw),
                ("password2", pw),
                ("lang", "hu"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let sms = outbox(&app, PHONE).await;
    assert!(
        newest(&sms).contains("a kódja a fiók megerősítéséhez (Kovács Anna)"),
        "{sms:?}"
    );
    b.get(&location).await;
    let code = last_code(&app, PHONE).await;
    let (status, _, _) = b
        .post("/portal/verify", &[("contact", PHONE), ("code", &code)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // Registered: the news in Hungarian, with the Hungarian title.
    b.get("/portal/new/alfa/aviz").await;
    let csrf = b.csrf.clone();
    let form = submission(
        &csrf,
        &[("f_adresa", "Fő utca 1"), ("f_motiv", "Állvány")],
        pdf("p"),
        "p.pdf",
    );
    let (status, location, _) = b.post_multipart("/portal/new/alfa/aviz", form, None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let number = location
        .strip_prefix("/portal?registered=")
        .unwrap()
        .to_owned();
    let text = newest(&outbox(&app, PHONE).await);
    assert!(
        says(
            &text,
            "„Közterület-foglalási engedély” kérelmét (Kovács Anna) iktattuk"
        ) && text.contains(&number)
            && text.contains("/q/"),
        "{text}"
    );

    // A status change: Hungarian too.
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let id = reg.first_in_inbox("view=all").await;
    let r = reg
        .act_now(&id, &[("action", "assign"), ("department", "registratura")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let text = newest(&outbox(&app, PHONE).await);
    assert!(
        says(&text, "Ügyintézés alatt") && says(&text, "számú") && text.contains(&number),
        "{text}"
    );
    all_in(&outbox(&app, PHONE).await, "hu");

    // She chooses English: the account keeps it, and the next code (asked
    // for on a page in any language) is in English.
    let (status, html) = b.get("/portal?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("My documents"));
    let mut fresh = Browser::new(&app);
    fresh.get("/portal/login/sms").await;
    let (status, _, _) = fresh.post("/portal/login/sms", &[("contact", PHONE)]).await;
    assert_eq!(status, StatusCode::OK);
    let sms = outbox(&app, PHONE).await;
    assert!(
        newest(&sms).contains("to sign in (Kovács Anna). Valid for 10 minutes."),
        "{sms:?}"
    );
    assert_eq!(sms[0]["lang"], "en");
}

#[tokio::test]
async fn the_registrar_records_the_petitioners_language_and_messages_follow_it() {
    let app = spawn().await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let page = reg.html("/desk/intake").await;
    assert!(
        page.contains("name=\"lang\"") && page.contains("Magyar"),
        "the intake form offers the languages"
    );

    // A language that is not offered is refused and registers nothing.
    let r = reg
        .intake(
            "petitie",
            &[("p.pdf", sample_pdf())],
            &[("phone", "+40745000888"), ("lang", "de")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("href=\"#lang\""));
    assert!(outbox(&app, "+40745000888").await.is_empty());

    // Recorded as Hungarian: the SMS and the e-mail are Hungarian.
    let r = reg
        .intake(
            "petitie",
            &[("p.pdf", sample_pdf())],
            &[
                ("phone", "+40745000888"),
                ("email", "szabo.eva@example.ro"),
                ("name", "Szabó Éva"),
                ("lang", "hu"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let sms = outbox(&app, "+40745000888").await;
    assert_eq!(sms.len(), 1);
    assert!(
        says(&newest(&sms), "kérelmét (Szabó Éva) iktattuk"),
        "{sms:?}"
    );
    all_in(&sms, "hu");
    let mail = outbox(&app, "szabo.eva@example.ro").await;
    assert!(
        newest(&mail).contains("„Petiție” kérelmét (Szabó Éva) iktattuk"),
        "the e-mail keeps every letter: {mail:?}"
    );
    all_in(&mail, "hu");

    // Not recorded: Romanian, as every dossier registered before.
    let r = reg
        .intake(
            "petitie",
            &[("p.pdf", sample_pdf())],
            &[("phone", "+40745000999")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let sms = outbox(&app, "+40745000999").await;
    assert!(says(&newest(&sms), "a fost înregistrată cu nr."), "{sms:?}");
    all_in(&sms, "ro");
}
