//! Officials' deadline reminders: `POST /api/v1/platform/reminders/digest`
//! queues one e-mail digest per official and day, in the official's
//! language, through the notification outbox.

use ghiseu_tests::{App, Backend, TEST_ADMIN_TOKEN, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const OLGA: &str = "olga.functionar@alfa.example.ro";
const SORIN: &str = "sorin.sef@alfa.example.ro";
const BASE: &str = "https://alfa.example.ro";

/// A tenant on a public address of its own, where `ofi` (Hungarian) and `sef`
/// (Romanian) have e-mail addresses for their reminders.
async fn spawn() -> TestApp {
    let app = App::desk(Backend::Sqlite).spawn().await;
    let mut tenant = crate::desk::tenant("alfa", "ALF");
    tenant["public_base_url"] = json!(BASE);
    for official in tenant["officials"].as_array_mut().unwrap() {
        match official["username"].as_str().unwrap() {
            "ofi" => {
                official["email"] = json!(OLGA);
                official["lang"] = json!("hu");
            }
            "sef" => official["email"] = json!(SORIN),
            _ => {}
        }
    }
    let r = app.seed(&json!({"tenants": [tenant]})).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app
}

async fn digest(app: &TestApp, token: &str, query: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url(&format!("/api/v1/platform/reminders/digest{query}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// Delivers what the outbox holds, then the sandbox gateway's e-mails to `to`.
async fn delivered_to(app: &TestApp, to: &str) -> Vec<Value> {
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/platform/notifications/dispatch?retry=now"))
        .bearer_auth(TEST_ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = app
        .get(&format!(
            "/api/v1/sandbox/outbox?to={}",
            ghiseu_tests::percent_encode(to)
        ))
        .await;
    assert_eq!(r.status(), 200);
    let json: Value = r.json().await.unwrap();
    json["messages"].as_array().unwrap().clone()
}

/// Moves the deadlines of the inbox's summaries of `dossiers` (id, days from
/// today in Romania), as if they had been registered earlier.
async fn set_deadlines(app: &TestApp, dossiers: &[(&str, i64)]) {
    let mut open: Value = app.get("/probe/kv/t/alfa/open").await.json().await.unwrap();
    let today = ghiseu_core::calendar::local_date(chrono::Utc::now());
    for (id, days) in dossiers {
        let summary = open["open"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|s| s["id"] == *id)
            .unwrap();
        summary["deadline"] = json!((today + chrono::Duration::days(*days)).to_string());
    }
    let put = app.put("/probe/kv/t/alfa/open", open.to_string()).await;
    assert!(put.status().is_success());
}

#[tokio::test]
async fn an_official_gets_one_digest_a_day_of_what_is_due_and_overdue() {
    // Arrange: two petitions of Olga's, one due in 2 days and one a day
    // overdue; one of Sorin's, due in 30 days.
    let app = spawn().await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let mut ids = Vec::new();
    for to in ["ofi", "ofi", "sef"] {
        let (id, number, _) = reg.register("petitie").await;
        let assign = [
            ("action", "assign"),
            ("department", "urbanism"),
            ("official", to),
        ];
        assert_eq!(reg.act_now(&id, &assign).await.status(), 303);
        ids.push((id, number));
    }
    let [(soon, soon_no), (late, late_no), (_, far_no)] = &ids[..] else {
        unreachable!()
    };
    set_deadlines(&app, &[(soon, 2), (late, -1)]).await;

    // A wrong token is refused and queues nothing.
    let r = digest(&app, "not-the-token", "").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(delivered_to(&app, OLGA).await.is_empty());

    // Act
    let r = digest(&app, TEST_ADMIN_TOKEN, "").await;

    // Assert: one digest, Olga's, in Hungarian, naming both with links on
    // the institution's address; Sorin has nothing due and gets nothing.
    assert_eq!(r.status(), StatusCode::OK);
    let report: Value = r.json().await.unwrap();
    assert_eq!(
        report,
        json!({"tenants": 1, "officials": 2, "queued": 1, "skipped": 0, "next": null})
    );
    let mails = delivered_to(&app, OLGA).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert_eq!(mail["channel"], "email");
    assert_eq!(mail["lang"], "hu");
    let subject = mail["subject"].as_str().unwrap();
    assert_eq!(
        subject,
        "Határidők: 1 ügyirat lejárt határidővel, 1 a következő 3 napban — Instituția alfa"
    );
    let text = mail["text"].as_str().unwrap();
    assert!(text.starts_with("Tisztelt Olga Funcționar!"), "{text}");
    for (id, number, days) in [
        (late, late_no, "1 napja lejárt"),
        (soon, soon_no, "még 2 nap"),
    ] {
        let line = text
            .lines()
            .find(|l| l.contains(number.as_str()))
            .unwrap_or_else(|| panic!("{number} missing: {text}"));
        assert!(line.contains("Petiție") && line.contains(days), "{line}");
        assert!(
            text.contains(&format!("{BASE}/desk/dossiers/{id}")),
            "{text}"
        );
    }
    assert!(text.find(late_no.as_str()) < text.find(soon_no.as_str()));
    assert!(
        !text.contains(far_no.as_str()),
        "Sorin's dossier is not Olga's"
    );
    assert!(text.contains(&format!("{BASE}/desk?view=mine")));
    assert!(
        !text.contains("127.0.0.1"),
        "a link on the request's host: {text}"
    );
    assert!(delivered_to(&app, SORIN).await.is_empty());

    // A second call the same day queues nothing more.
    let r = digest(&app, TEST_ADMIN_TOKEN, "").await;
    assert_eq!(r.status(), StatusCode::OK);
    let report: Value = r.json().await.unwrap();
    assert_eq!(
        (report["queued"].as_u64(), report["skipped"].as_u64()),
        (Some(0), Some(1))
    );
    assert_eq!(delivered_to(&app, OLGA).await.len(), 1);
}

#[tokio::test]
async fn the_digest_pages_through_tenants_and_refuses_bad_input() {
    let app = App::desk(Backend::Sqlite).spawn().await;
    let seed = json!({"tenants": [
        crate::desk::tenant("alfa", "ALF"), crate::desk::tenant("beta", "BTA")
    ]});
    assert_eq!(app.seed(&seed).await.status(), 200);

    // One tenant a call: `alfa`, then `beta` after it, then nothing.
    let r = digest(&app, TEST_ADMIN_TOKEN, "?limit=1").await;
    assert_eq!(r.status(), StatusCode::OK);
    let report: Value = r.json().await.unwrap();
    assert_eq!(
        (report["tenants"].as_u64(), report["next"].as_str()),
        (Some(1), Some("alfa"))
    );
    // After `alfa`, only `beta` is left; after `beta`, nothing.
    let r = digest(&app, TEST_ADMIN_TOKEN, "?after=alfa").await;
    assert_eq!(r.status(), StatusCode::OK);
    let report: Value = r.json().await.unwrap();
    assert_eq!(
        report,
        json!({"tenants": 1, "officials": 0, "queued": 0, "skipped": 0, "next": null})
    );
    let report: Value = digest(&app, TEST_ADMIN_TOKEN, "?after=beta")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["tenants"], 0);

    let r = digest(&app, TEST_ADMIN_TOKEN, "?after=Not%20a%20slug").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("`after`"));
    for limit in ["0", "21", "x"] {
        let r = digest(&app, TEST_ADMIN_TOKEN, &format!("?limit={limit}")).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{limit}");
    }
    let r = reqwest::Client::new()
        .get(app.url("/api/v1/platform/reminders/digest"))
        .bearer_auth(TEST_ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
}

/// The officials as the administration API lists them, by username.
async fn official(adm: &ghiseu_tests::Official, username: &str) -> Value {
    let list: Value = adm
        .get("/api/v1/admin/officials")
        .await
        .json()
        .await
        .unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .find(|o| o["username"] == username)
        .unwrap_or_else(|| panic!("no {username} in {list}"))
        .clone()
}

#[tokio::test]
async fn an_administrator_sets_where_and_in_which_language_reminders_go() {
    let app = crate::admin::spawn().await;
    let adm = app.desk_sign_in("alfa", "adm", "parola-adm").await;
    let rita = official(&adm, "reg").await;
    assert_eq!(
        (&rita["email"], &rita["lang"]),
        (&Value::Null, &Value::Null)
    );
    let form = |email: &'static str, lang: &'static str| {
        [
            ("role", "registrar"),
            ("department", "registratura"),
            ("active", "on"),
            ("email", email),
            ("lang", lang),
        ]
    };

    // On the officials page.
    let r = adm
        .form(
            "/admin/officials/reg",
            &form(" Rita@Alfa.example.ro ", "en"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let rita = official(&adm, "reg").await;
    assert_eq!(rita["email"], "Rita@alfa.example.ro");
    assert_eq!(rita["lang"], "en");
    let page = adm.html("/admin/officials").await;
    assert!(page.contains(r#"value="Rita@alfa.example.ro""#), "{page}");

    // A wrong address or language is refused and changes nothing.
    for (email, lang) in [("rita-at-alfa", "ro"), ("rita@alfa.example.ro", "de")] {
        let r = adm.form("/admin/officials/reg", &form(email, lang)).await;
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{email} {lang}"
        );
        assert!(r.text().await.unwrap().contains("Mementouri:"));
        assert_eq!(official(&adm, "reg").await["email"], "Rita@alfa.example.ro");
    }
    // A form without the fields keeps them; a blank address removes it.
    let r = adm
        .form(
            "/admin/officials/reg",
            &[
                ("role", "registrar"),
                ("department", "registratura"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(official(&adm, "reg").await["lang"], "en");
    let r = adm.form("/admin/officials/reg", &form("", "")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let rita = official(&adm, "reg").await;
    assert_eq!(
        (&rita["email"], &rita["lang"]),
        (&Value::Null, &Value::Null)
    );

    // Through the API, with the invitation.
    let invite = |email: &str| {
        json!({"username": "ion.reg", "display_name": "Ion Registru",
               "department": "registratura", "roles": ["registrar"],
               "email": email, "lang": "hu"})
    };
    let path = "/api/v1/admin/officials/invites";
    let r = adm
        .api(Method::POST, path, Some(&invite("nu-i adresă")))
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = adm
        .api(Method::POST, path, Some(&invite("ion@alfa.example.ro")))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let url: Value = r.json().await.unwrap();
    let accepted = crate::officials::accept(
        &app,
        url["invite_url"].as_str().unwrap(),
        "o parolă lungă și bună",
    )
    .await;
    assert_eq!(accepted.status(), 200);
    let ion = official(&adm, "ion.reg").await;
    assert_eq!(
        (&ion["email"], &ion["lang"]),
        (&json!("ion@alfa.example.ro"), &json!("hu"))
    );
}
