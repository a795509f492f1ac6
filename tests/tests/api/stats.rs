//! Public statistics (`functions/opendata`): the year's figures by month of
//! registration as JSON, CSV and an HTML page, per institution, with no
//! personal data.

use chrono::Datelike;
use ghiseu_tests::{Backend, sample_pdf as pdf};
use serde_json::{Value, json};

fn today() -> chrono::NaiveDate {
    ghiseu_core::calendar::local_date(chrono::Utc::now())
}

#[tokio::test]
async fn statistics_count_a_tenants_year_by_month_in_json_csv_and_html() {
    let app = crate::desk::spawn(Backend::Sqlite).await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let sef = app.desk_sign_in("alfa", "sef", "parola-sef").await;
    // Three paper requests, one with a citizen's details that must not leak.
    let r = reg
        .intake(
            "petitie",
            &[("cerere.pdf", pdf())],
            &[
                ("name", "Zamfira Ungureanu-Pătrășcanu"),
                ("email", "zamfira.stat@example.ro"),
                ("phone", "0745 987 654"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (resolved, _, _) = reg.register("petitie").await;
    let (rejected, _, _) = reg.register("petitie").await;
    for id in [&resolved, &rejected] {
        let r = reg
            .act_now(
                id,
                &[
                    ("action", "assign"),
                    ("department", "urbanism"),
                    ("official", "sef"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
    }
    let r = sef
        .act_now(
            &resolved,
            &[("action", "resolve"), ("resolve_note", "Răspuns")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = sef
        .act_now(
            &rejected,
            &[
                ("action", "reject"),
                ("reason", "Incomplet"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);

    let today = today();
    let month = today.month() as usize;
    let r = app.get("/api/v1/stats/alfa").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    let stats: Value = r.json().await.unwrap();
    assert_eq!(stats["institution"]["slug"], "alfa");
    assert_eq!(stats["year"], today.year());
    let months = stats["months"].as_array().unwrap();
    assert_eq!(months.len(), month, "January to the current month");
    let expected = json!({
        "submitted": 3, "online": 0, "paper": 3, "resolved": 1, "rejected": 1,
        "closed_otherwise": 0, "open": 1, "on_time": 2, "overdue": 0, "median_days": 0.0
    });
    let this_month = &months[month - 1];
    assert_eq!(
        this_month["month"],
        format!("{}-{:02}", today.year(), today.month())
    );
    for (k, v) in expected.as_object().unwrap() {
        assert_eq!(&this_month[k], v, "this month's {k}");
        assert_eq!(&stats["total"][k], v, "the year's {k}");
    }
    for earlier in &months[..month - 1] {
        assert_eq!(earlier["submitted"], 0);
        assert_eq!(earlier["median_days"], Value::Null);
    }

    // Another institution's figures are its own.
    let beta: Value = app.get("/api/v1/stats/beta").await.json().await.unwrap();
    assert_eq!(beta["total"]["submitted"], 0);

    // CSV: a header, a row per month, the total.
    let r = app.get("/api/v1/stats/alfa.csv").await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), month + 2, "{csv}");
    assert!(lines[0].starts_with("period,submitted,online,paper,"));
    assert_eq!(
        lines[month + 1],
        format!("{},3,0,3,1,1,0,1,2,0,0", today.year())
    );

    // The page: the table, the chart, the data links; nothing about the citizen.
    let r = app.get("/stats/alfa?lang=ro").await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    let html = r.text().await.unwrap();
    assert!(html.contains("Statistici"), "{html}");
    assert!(html.contains("<svg"));
    assert!(html.contains("/api/v1/stats/alfa.csv?year="));
    for secret in ["Zamfira", "zamfira.stat", "987 654", "0745"] {
        assert!(!html.contains(secret) && !csv.contains(secret));
        assert!(!stats.to_string().contains(secret));
    }
    let en = app.get("/stats/alfa?lang=en").await.text().await.unwrap();
    assert!(en.contains("Requests submitted per month"));

    // A computed year is served for five minutes: a new registration shows later.
    reg.register("petitie").await;
    let again: Value = app.get("/api/v1/stats/alfa").await.json().await.unwrap();
    assert_eq!(again["total"]["submitted"], 3);
    assert_eq!(again["computed_at"], stats["computed_at"]);
}

#[tokio::test]
async fn statistics_refuse_unknown_institutions_bad_years_and_writes() {
    let app = crate::desk::spawn(Backend::Sqlite).await;
    let r = app.get("/api/v1/stats/nimeni").await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    assert_eq!(app.get("/api/v1/stats/nimeni.csv").await.status(), 404);
    let r = app.get("/stats/nimeni").await;
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("Instituție negăsită"));
    assert_eq!(app.get("/stats/NU%20E%20SLUG").await.status(), 404);
    let next = today().year() + 1;
    for year in ["1999".to_owned(), next.to_string(), "anul".to_owned()] {
        let r = app.get(&format!("/api/v1/stats/alfa?year={year}")).await;
        assert_eq!(r.status(), 400, "year {year}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }
    // A past year answers, with its twelve months, all empty.
    let past: Value = app
        .get(&format!("/api/v1/stats/alfa?year={}", today().year() - 1))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(past["months"].as_array().unwrap().len(), 12);
    assert_eq!(past["total"]["submitted"], 0);
    let r = app.post("/api/v1/stats/alfa", "{}").await;
    assert_eq!(r.status(), 405);
}
