//! The president's signing as the president meets it (issue 19, items 3 and
//! 4): one queue, reached from the inbox and from the navigation, that names
//! each document by subject, petitioner, type title and deadline and filters
//! by type and department; every document of a batch opened from the batch
//! page before the code is typed, and by no one else; an SMS that says how
//! many documents the code signs and for whom; a stamp that keeps the
//! diacritics at a legible size and states when the signature was made.

use chrono::Timelike;
use ghiseu_tests::{App, Backend, Official, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::signing::{attach, batch_json, enroll, enter_code, outbox_codes, response_pdf, states};
use crate::signing_page::visible;

const PHONE: &str = "+40700000191";
const PRESIDENT: &str = "Președintele Consiliului Județean";

/// A county council with two departments that each send documents for
/// signature, a president (the signer) and a second signer.
fn tenant() -> Value {
    let subject = json!([{"name": "subiect",
        "label": {"ro": "Subiectul", "hu": "Tárgy", "en": "Subject"},
        "required": true, "type": "text", "max_chars": 200}]);
    json!({
        "slug": "beta", "name": "Consiliul Județean Beta", "kind": "county_council",
        "registration_prefix": "BET", "languages": ["ro", "hu", "en"],
        "departments": [
            {"code": "registratura", "name": "Registratura"},
            {"code": "urbanism", "name": "Direcția Urbanism"},
            {"code": "drumuri", "name": "Direcția Drumuri Județene"}
        ],
        "officials": [
            {"username": "reg", "display_name": "Rita Registru", "department": "registratura",
             "roles": ["registrar"], "password": "parola-reg"},
            {"username": "sef", "display_name": "Sorin Șef", "department": "urbanism",
             "roles": ["head_of_department"], "password": "parola-sef"},
            {"username": "sefd", "display_name": "Dana Drum", "department": "drumuri",
             "roles": ["head_of_department"], "password": "parola-sefd"},
            {"username": "presedinte", "display_name": PRESIDENT, "department": null,
             "roles": ["signer"], "password": "parola-presedinte"},
            {"username": "vice", "display_name": "Vicepreședintele", "department": null,
             "roles": ["signer"], "password": "parola-vice"}
        ],
        "document_types": [
            {"code": "certificat-urbanism",
             "titles": {"ro": "Certificat de urbanism", "hu": "Településrendezési bizonyítvány"},
             "deadline": {"count": "calendar_days", "days": 30}, "first_department": "urbanism",
             "fields": subject},
            {"code": "aviz-drum", "titles": {"ro": "Aviz de acces la drum județean"},
             "deadline": {"count": "calendar_days", "days": 30}, "first_department": "drumuri",
             "fields": subject}
        ]
    })
}

struct Setup {
    app: TestApp,
    reg: Official,
    sef: Official,
    sefd: Official,
    president: Official,
    vice: Official,
}

async fn setup(variables: &[(&str, &str)]) -> Setup {
    let mut app = App::desk(Backend::Sqlite);
    for (name, value) in variables {
        app = app.config_variable(name, value);
    }
    let app = app.spawn().await;
    let r = app.seed(&json!({"tenants": [tenant()]})).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    enroll(&app, "beta/presedinte", PRESIDENT, PHONE).await;
    Setup {
        reg: app.desk_sign_in("beta", "reg", "parola-reg").await,
        sef: app.desk_sign_in("beta", "sef", "parola-sef").await,
        sefd: app.desk_sign_in("beta", "sefd", "parola-sefd").await,
        president: app
            .desk_sign_in("beta", "presedinte", "parola-presedinte")
            .await,
        vice: app.desk_sign_in("beta", "vice", "parola-vice").await,
        app,
    }
}

/// Registers a paper request of `doc_type` by `petitioner` about `subject`,
/// has `head` attach response `n` and send it for signature; (id, number).
async fn waiting(
    s: &Setup,
    head: &Official,
    doc_type: &str,
    petitioner: &str,
    subject: &str,
    n: usize,
) -> (String, String) {
    let r = s
        .reg
        .intake(
            doc_type,
            &[("cerere.pdf", ghiseu_tests::sample_pdf())],
            &[("name", petitioner), ("f_subiect", subject), ("pages", "1")],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let id = location.split('/').nth(3).unwrap().to_owned();
    let number = ghiseu_tests::regno_in(&s.reg.html(&location).await);
    attach(head, &id, n).await;
    let r = head.act_now(&id, &[("action", "send_for_signature")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    (id, number)
}

/// Where `path` redirects `who`.
async fn redirect(who: &Official, path: &str) -> String {
    let r = who.get(path).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
    r.headers()["location"].to_str().unwrap().to_owned()
}

/// Selects `ids` in the queue (in `lang`); the batch's path.
async fn select(who: &Official, ids: &[&str], lang: &str) -> String {
    let mut fields: Vec<(&str, &str)> = vec![("csrf", who.csrf.as_str())];
    for id in ids {
        fields.push(("d", id));
    }
    let r = who
        .form(&format!("/desk/sign/batches?lang={lang}"), &fields[1..])
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    r.headers()["location"].to_str().unwrap().to_owned()
}

/// The texts the sandbox sent to `phone`, oldest first.
async fn sms(app: &TestApp, phone: &str) -> Vec<String> {
    let r = app
        .get(&format!(
            "/api/v1/sandbox/outbox?to={}",
            ghiseu_tests::percent_encode(phone)
        ))
        .await;
    let list: Value = r.json().await.unwrap();
    list["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn one_queue_from_the_inbox_and_the_navigation_names_each_document_and_filters() {
    let s = setup(&[]).await;
    let (urb, urb_no) = waiting(
        &s,
        &s.sef,
        "certificat-urbanism",
        "Maria Kovács",
        "Casă în Sâncrăieni, strada Fântânii 3",
        0,
    )
    .await;
    let (drum, drum_no) = waiting(
        &s,
        &s.sefd,
        "aviz-drum",
        "Ion Țurcanu",
        "Acces la DJ 123 pentru ferma Őrhegy",
        1,
    )
    .await;

    // The navigation leads to /desk/sign; the inbox's "to sign" view (the
    // signer's default) leads there too, keeping its filters.
    let home = s.president.html("/desk/sign").await;
    assert!(home.contains("href=\"/desk/sign\""), "the navigation");
    let default = s.president.html("/desk").await;
    assert_eq!(
        visible(&default),
        visible(&home),
        "a signer's /desk is the queue"
    );
    assert_eq!(
        redirect(&s.president, "/desk?view=signature").await,
        "/desk/sign"
    );
    assert_eq!(
        redirect(
            &s.president,
            "/desk?view=signature&document_type=aviz-drum&department="
        )
        .await,
        "/desk/sign?document_type=aviz-drum"
    );

    // Each row: subject, petitioner, type title (never the code), deadline.
    let text = visible(&home);
    for expected in [
        urb_no.as_str(),
        drum_no.as_str(),
        "Casă în Sâncrăieni, strada Fântânii 3",
        "Acces la DJ 123 pentru ferma Őrhegy",
        "Maria Kovács",
        "Ion Țurcanu",
        "Certificat de urbanism",
        "Aviz de acces la drum județean",
        "Direcția Drumuri Județene",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    assert!(
        !text.contains("certificat-urbanism") && !text.contains("aviz-drum"),
        "{text}"
    );
    let deadline = (chrono::Utc::now() + chrono::Duration::days(30))
        .format("%d.%m.%Y")
        .to_string();
    let day_before = (chrono::Utc::now() + chrono::Duration::days(29))
        .format("%d.%m.%Y")
        .to_string();
    assert!(
        text.contains(&deadline) || text.contains(&day_before),
        "{text}"
    );

    // Filters by type and by department, as a plain GET form.
    assert!(
        home.contains("<form method=\"get\" action=\"/desk/sign\""),
        "{home}"
    );
    let by_type = s.president.html("/desk/sign?document_type=aviz-drum").await;
    assert!(
        by_type.contains(&drum) && !by_type.contains(&urb),
        "by type"
    );
    let by_department = s
        .president
        .html("/desk/sign?department=urbanism&document_type=")
        .await;
    assert!(
        by_department.contains(&urb) && !by_department.contains(&drum),
        "by department"
    );
    let none = s
        .president
        .html("/desk/sign?department=urbanism&document_type=aviz-drum")
        .await;
    assert!(
        !none.contains(&urb) && !none.contains(&drum),
        "both filters"
    );
    assert!(
        visible(&none).contains("Nu aveți documente de semnat."),
        "{none}"
    );
    // "Select all" keeps the filter.
    assert!(
        by_type.contains("href=\"/desk/sign?document_type=aviz-drum&amp;all=1\""),
        "{by_type}"
    );
    let all = s
        .president
        .html("/desk/sign?document_type=aviz-drum&all=1")
        .await;
    assert!(all.contains("checked"), "{all}");

    // In Hungarian: the page's words and the type's Hungarian title.
    let hu = visible(&s.president.html("/desk/sign?lang=hu").await);
    for expected in [
        "Aláírandó dokumentumok",
        "Kérelmező",
        "Településrendezési bizonyítvány",
        "2 dokumentum",
    ] {
        assert!(hu.contains(expected), "{expected:?} in {hu}");
    }
    let en = visible(&s.president.html("/desk/sign?lang=en").await);
    assert!(
        en.contains("Documents to sign") && en.contains("Petitioner"),
        "{en}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_document_opens_for_its_signer_before_the_code_and_the_sms_names_the_count() {
    let s = setup(&[]).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(
            waiting(
                &s,
                &s.sef,
                "certificat-urbanism",
                "Petent",
                &format!("Cererea {n}"),
                10 + n,
            )
            .await
            .0,
        );
    }
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let batch = select(&s.president, &refs, "ro").await;

    // The code's SMS: how many documents, for which institution, by whom.
    let texts = sms(&s.app, PHONE).await;
    assert_eq!(texts.len(), 1, "{texts:?}");
    // (Two segments of GSM-7 hold more than two of UCS-2: the provider may
    // write the diacritics as plain letters.)
    let plain = |t: &str| -> String {
        t.chars()
            .map(|c| match c {
                'ș' | 'ş' => 's',
                'ț' | 'ţ' => 't',
                'ă' | 'â' => 'a',
                'î' => 'i',
                'Ș' | 'Ş' => 'S',
                'Ț' | 'Ţ' => 'T',
                'Î' => 'I',
                c => c,
            })
            .collect()
    };
    for expected in ["3 documente", "Consiliul Județean Beta", PRESIDENT] {
        assert!(
            plain(&texts[0]).contains(&plain(expected)),
            "{expected:?} in {}",
            texts[0]
        );
    }
    assert!(ghiseu_core::sms::segments(&texts[0]).1 <= 2, "{}", texts[0]);

    // Every document opens from the batch page, before the code: the exact
    // response that will be signed.
    let page = s.president.html(&batch).await;
    for n in 1..=3 {
        let link = format!("{batch}/documents/{n}");
        assert!(
            page.contains(&format!("href=\"{link}\"")),
            "{link} in {page}"
        );
        let r = s.president.get(&link).await;
        assert_eq!(r.status(), 200, "{link}");
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert_eq!(
            r.bytes().await.unwrap().to_vec(),
            response_pdf(10 + n - 1),
            "{link}"
        );
    }
    // Each opening is on its dossier's access records, for its citizen.
    let keys: Vec<String> = s.app.get("/probe/keys").await.json().await.unwrap();
    for id in &ids {
        let prefix = format!("t/beta/access/{id}/0");
        let mut by_president = 0;
        for key in keys.iter().filter(|k| k.starts_with(&prefix)) {
            let record = s
                .app
                .get(&format!("/probe/kv/{}", ghiseu_tests::percent_encode(key)))
                .await
                .text()
                .await
                .unwrap();
            if record.contains("\"presedinte\"") {
                assert!(record.contains("\"file\":["), "{record}");
                by_president += 1;
            }
        }
        assert_eq!(by_president, 1, "{id}");
    }
    // No one else opens them: another signer, a head of department; nor a
    // document the batch does not have.
    for other in [&s.vice, &s.sef] {
        let r = other.get(&format!("{batch}/documents/1")).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
    for n in ["0", "4", "x", "-1"] {
        let r = s.president.get(&format!("{batch}/documents/{n}")).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{n}");
    }
    // A new code, asked in Hungarian, is worded in Hungarian.
    let r = s
        .president
        .form(&format!("{batch}/code?lang=hu"), &[] as &[(&str, &str)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let texts = sms(&s.app, PHONE).await;
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(
        texts
            .iter()
            .any(|t| t.contains("3 dokumentum") && plain(t).contains("Consiliul Judetean Beta")),
        "{texts:?}"
    );
    // A batch of one says so.
    let one = waiting(&s, &s.sefd, "aviz-drum", "Petent", "Una", 20)
        .await
        .0;
    select(&s.president, &[one.as_str()], "en").await;
    let texts = sms(&s.app, PHONE).await;
    assert!(
        texts
            .iter()
            .any(|t| t.contains("signing 1 document for Consiliul")),
        "{texts:?}"
    );
}

/// The words `pdftotext -bbox` finds, with their heights in points.
fn words(pdf: &[u8]) -> Vec<(String, f64)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signed.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-bbox"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let html = String::from_utf8(out.stdout).unwrap();
    let attr = |tag: &str, name: &str| -> f64 {
        let at = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[at..].split('"').next().unwrap().parse().unwrap()
    };
    html.split("<word ")
        .skip(1)
        .map(|w| {
            let (tag, rest) = w.split_once('>').unwrap();
            let word = rest.split("</word>").next().unwrap().to_owned();
            (word, attr(tag, "yMax") - attr(tag, "yMin"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_stamp_keeps_its_diacritics_at_seven_points_and_states_the_timestamps_time() {
    let s = setup(&[("tsa_url", "http://sandbox.spin.internal/sandbox/tsa")]).await;
    let id = waiting(&s, &s.sef, "certificat-urbanism", "Petent", "Ștampila", 30)
        .await
        .0;
    let batch = select(&s.president, &[id.as_str()], "ro").await;
    let code = outbox_codes(&s.app, PHONE).await.remove(0);
    enter_code(&s.president, &batch, &code).await;
    let result = batch_json(&s.president, &batch).await;
    assert_eq!(states(&result), ["signed"], "{result}");
    let document = result["items"][0]["document"].as_str().unwrap();
    let r = s
        .president
        .get(&format!("/desk/dossiers/{id}/files/{document}"))
        .await;
    let signed = r.bytes().await.unwrap().to_vec();
    assert!(ghiseu_tests::pdfsig(&signed).contains("Signature is Valid"));
    if let Ok(dir) = std::env::var("GHISEU_KEEP_SIGNED_PDF") {
        std::fs::write(std::path::Path::new(&dir).join("stamp.pdf"), &signed).unwrap();
    }

    // The signer's title with its diacritics, extracted as written.
    let text = ghiseu_tests::pdftotext(&signed);
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        joined.contains("Semnat electronic de Președintele Consiliului Județean"),
        "{joined}"
    );
    assert!(!joined.contains("Presedintele"), "{joined}");
    // At 7 pt or more: a DejaVu Sans word box is about 1.16 em tall. (The
    // response's own text has "Județean" too, larger.)
    let stamp_words: Vec<(String, f64)> = words(&signed)
        .into_iter()
        .filter(|(w, _)| ["Președintele", "Consiliului", "Județean"].contains(&w.as_str()))
        .collect();
    assert!(stamp_words.len() >= 3, "{stamp_words:?}");
    for (word, height) in &stamp_words {
        assert!(*height >= 7.0 * 1.1, "{word}: {height} pt");
    }

    // The time stated is when the signature was made: the timestamp's minute
    // (Romania's time), not the batch's preparation.
    let ca = crate::signing::pem_der(&crate::signing::sandbox_ca(&s.app).await);
    let report = ghiseu_pades::verify(&signed, std::slice::from_ref(&ca)).unwrap();
    let timestamp = report.signatures[0]
        .timestamp
        .expect("a signature timestamp");
    let at = joined
        .find("Data: ")
        .expect("the signing time on the stamp")
        + 6;
    let stated = chrono::NaiveDateTime::parse_from_str(&joined[at..at + 21], "%d.%m.%Y, ora %H:%M")
        .unwrap_or_else(|e| panic!("{e}: {}", &joined[at..at + 21]));
    let local = ghiseu_core::calendar::local_datetime(timestamp);
    let minute = local.with_second(0).unwrap().with_nanosecond(0).unwrap();
    // The stamp is signed before it is timestamped: the same minute, or the
    // one before when the timestamp fell just after a minute's turn.
    assert!(
        stated == minute || stated + chrono::Duration::minutes(1) == minute && local.second() < 5,
        "stamp {stated}, timestamp {local}"
    );
    // The signing time in the signature is the same moment, and the public
    // verification shows the timestamp's time.
    let signing_time = report.signatures[0].signing_time.expect("/M");
    assert!(
        (timestamp - signing_time).num_seconds().abs() < 5,
        "{signing_time} {timestamp}"
    );
    let verify = result["items"][0]["verify"].as_str().unwrap();
    let json: Value = s
        .app
        .get(&format!("/api/v1/verify/{verify}"))
        .await
        .json()
        .await
        .unwrap();
    let shown = json["timestamp"]
        .as_str()
        .map(|t| t.parse::<chrono::DateTime<chrono::Utc>>().unwrap());
    assert_eq!(shown, Some(timestamp), "{json}");
}
