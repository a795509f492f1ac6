//! Submission quotas (issue 18, item 2): an institution's limits on online
//! submissions per account and per address, set by its administrator;
//! past them a submission is refused with a clear message and changes
//! nothing (no number, no dossier, no message to the citizen).

use futures::StreamExt;
use reqwest::StatusCode;
use reqwest::multipart::Form;
use serde_json::json;

use crate::portal::*;
use ghiseu_tests::Official;

/// A type with one text field, no fee, no qualified signature: registered
/// at once.
pub(crate) async fn plain_type(app: &ghiseu_tests::TestApp) {
    create_type(
        app,
        &json!({
            "code": "sesizare", "titles": {"ro": "Sesizare", "hu": "Bejelentés", "en": "Report"},
            "deadline_days": 30, "working_days": false, "first_department": "registratura",
            "signature": "simple", "fee_bani": 0, "retention_years": 10,
            "fields": [{"name": "motiv", "label": {"ro": "Motivul"}, "required": true,
                "kind": "text", "max_chars": 200}]
        }),
    )
    .await;
}

/// Posts the quotas form of `/admin/quotas`: account per hour and per day,
/// address per hour and per day.
pub(crate) async fn set_quotas(adm: &Official, [ah, ad, rh, rd]: [&str; 4]) -> reqwest::Response {
    let fields = [
        ("account_hour", ah),
        ("account_day", ad),
        ("address_hour", rh),
        ("address_day", rd),
    ];
    adm.form("/admin/quotas", &fields).await
}

/// Posts `fields` to `path` in `official`'s session with a CSRF token that
/// is not the session's.
pub(crate) async fn forged(official: &Official, path: &str, fields: &[(&str, &str)]) -> StatusCode {
    let wrong = "0".repeat(64);
    let mut all = vec![("csrf", wrong.as_str())];
    all.extend_from_slice(fields);
    official
        .client
        .post(format!("{}{path}", official.base))
        .header("cookie", &official.cookie)
        .form(&all)
        .send()
        .await
        .unwrap()
        .status()
}

/// What one submission got: its status, `Location`, `Retry-After` and page.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) location: String,
    pub(crate) retry_after: Option<u64>,
    pub(crate) html: String,
}

/// Sends `n` submissions of `b`'s account, `parallel` at a time, each with
/// its own idempotency key `{prefix}-{i}` (`None`: without one), with
/// `query` after the path (`?lang=hu`, or nothing).
pub(crate) async fn submit_many(
    b: &Browser,
    (n, parallel): (usize, usize),
    prefix: Option<&str>,
    query: &str,
) -> Vec<Answer> {
    let (client, base, cookie, csrf) = (
        b.client.clone(),
        b.base.clone(),
        b.cookie_header(),
        b.csrf.clone(),
    );
    futures::stream::iter(0..n)
        .map(|i| {
            let (client, base, cookie, csrf) =
                (client.clone(), base.clone(), cookie.clone(), csrf.clone());
            let key = prefix.map(|p| format!("{p}-{i}"));
            async move {
                let form = Form::new()
                    .text("csrf", csrf)
                    .text("f_motiv", format!("Sesizarea {i}"));
                let mut rb = client
                    .post(format!("{base}/portal/new/alfa/sesizare{query}"))
                    .header("cookie", cookie)
                    .multipart(form);
                if let Some(k) = key {
                    rb = rb.header("idempotency-key", k);
                }
                let r = rb.send().await.unwrap();
                let header = |name: &str| {
                    r.headers()
                        .get(name)
                        .map(|v| v.to_str().unwrap().to_owned())
                };
                let (status, location) = (r.status(), header("location").unwrap_or_default());
                let retry_after = header("retry-after").map(|v| v.parse().unwrap());
                Answer {
                    status,
                    location,
                    retry_after,
                    html: r.text().await.unwrap(),
                }
            }
        })
        .buffer_unordered(parallel)
        .collect()
        .await
}

#[tokio::test]
async fn five_hundred_submissions_of_one_account_register_exactly_the_quota_and_nothing_else() {
    let app = spawn().await;
    plain_type(&app).await;
    let adm = app.desk_sign_in("alfa", "adm", "parola-adm-lunga").await;
    let page = adm.html("/admin/quotas").await;
    for (name, default) in [
        ("account_hour", "30"),
        ("account_day", "100"),
        ("address_hour", "100"),
        ("address_day", "500"),
    ] {
        assert!(
            page.contains(&format!("name=\"{name}\" value=\"{default}\"")),
            "{name}: {page}"
        );
    }
    // Bad limits are named and nothing is saved.
    let r = set_quotas(&adm, ["0", "40", "many", "600"]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#account_hour\"") && html.contains("href=\"#address_hour\""));
    assert!(!html.contains("href=\"#account_day\""));
    assert!(
        adm.html("/admin/quotas")
            .await
            .contains("name=\"account_hour\" value=\"30\"")
    );
    // Without the session's CSRF token nothing is saved either.
    let ones = [("account_hour", "1"), ("account_day", "1")];
    assert_eq!(
        forged(&adm, "/admin/quotas", &ones).await,
        StatusCode::FORBIDDEN
    );
    let r = set_quotas(&adm, ["12", "40", "15", "600"]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        adm.html("/admin/quotas")
            .await
            .contains("name=\"account_hour\" value=\"12\"")
    );

    let mut ana = registered(&app).await;
    ana.get("/portal/new/alfa/sesizare").await;
    let messages_before = outbox(&app, PHONE).await.len();
    let answers = submit_many(&ana, (500, 24), Some("ana"), "").await;
    let registered: Vec<&Answer> = answers
        .iter()
        .filter(|a| a.status == StatusCode::SEE_OTHER)
        .collect();
    let refused: Vec<&Answer> = answers
        .iter()
        .filter(|a| a.status == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(registered.len(), 12, "exactly the quota is registered");
    assert_eq!(refused.len(), 488, "every other one is refused");
    for a in &registered {
        assert!(
            a.location.starts_with("/portal?registered=ALF-"),
            "{}",
            a.location
        );
    }
    for a in &refused {
        let wait = a.retry_after.expect("Retry-After");
        assert!((1..=3600).contains(&wait), "{wait}");
        assert!(
            a.html.contains("Această cerere nu a fost înregistrată")
                && a.html.contains("din contul dumneavoastră")
                && a.html.contains("într-o oră")
                && a.html.contains("Primăria Alfa"),
            "{}",
            a.html
        );
    }
    // Nothing else changed: twelve numbers taken (the registry's next is the
    // thirteenth), twelve dossiers, twelve messages.
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let year = chrono::Utc::now().format("%Y");
    let (_, number, _) = reg.register("sesizare").await;
    assert_eq!(number, format!("ALF-{year}-000013"));
    let (_, mine) = ana.get("/portal").await;
    assert_eq!(mine.matches("Sesizare").count(), 12, "{mine}");
    assert_eq!(outbox(&app, PHONE).await.len(), messages_before + 12);

    // Another account behind the same address: the address's quota (15 an
    // hour) has three left; the refusal says so, in Hungarian for a reader
    // of Hungarian.
    let mut bela = signed_up(&app, "Béla Kovács", "+40745000222").await;
    bela.get("/portal/new/alfa/sesizare?lang=hu").await;
    let answers = submit_many(&bela, (10, 5), None, "?lang=hu").await;
    let ok = answers
        .iter()
        .filter(|a| a.status == StatusCode::SEE_OTHER)
        .count();
    assert_eq!(ok, 3);
    let refused: Vec<&Answer> = answers
        .iter()
        .filter(|a| a.status == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(refused.len(), 7);
    for a in refused {
        assert!(
            a.html.contains("Erről az internetcímről") && a.html.contains("nem iktatták"),
            "{}",
            a.html
        );
    }
    let (_, number, _) = reg.register("sesizare").await;
    assert_eq!(number, format!("ALF-{year}-000017"));
}
