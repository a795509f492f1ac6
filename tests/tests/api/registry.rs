//! The registry accounts for every number (issue 18, item 7): every number
//! of the year taken without a dossier is named, however old, and whoever
//! may register records it as annulled with a reason, once; the statistics
//! count annulled numbers.

use futures::StreamExt;
use reqwest::StatusCode;
use serde_json::Value;

use crate::desk::{spawn, year};
use crate::quotas::forged;
use ghiseu_tests::Backend;

#[tokio::test]
async fn every_number_without_a_dossier_is_named_and_annulled_once_with_its_reason() {
    let app = spawn(Backend::Sqlite).await;
    let y = year();
    // What a request that died right after taking the year's first number
    // leaves behind.
    let r = app.post(&format!("/probe/incr/t/alfa/regno/{y}"), "").await;
    assert_eq!(r.status(), 200);
    let lost = format!("ALF-{y}-000001");
    // More than a hundred registrations after it: it is no longer among the
    // newest hundred, and still named.
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let mut numbers: Vec<String> = futures::stream::iter(0..101)
        .map(|_| async { reg.register("petitie").await.1 })
        .buffer_unordered(6)
        .collect()
        .await;
    numbers.sort();
    assert_eq!(numbers.first(), Some(&format!("ALF-{y}-000002")));
    assert_eq!(numbers.last(), Some(&format!("ALF-{y}-000102")));
    let first = numbers[0].clone();
    let registry = reg.inbox("view=registry").await;
    assert!(
        registry.contains(&format!("Numere de înregistrare luate fără dosar: {lost}.")),
        "{registry}"
    );
    assert!(registry.contains("action=\"/desk/registry/annul\""));

    // Refused, and nothing changes: a bad reason, a number with a dossier, a
    // number not taken, another institution's number, an official who may
    // not register, a forged form.
    let annul = |number: &str, reason: &str| {
        let (number, reason) = (number.to_owned(), reason.to_owned());
        let reg = &reg;
        async move {
            reg.form(
                "/desk/registry/annul",
                &[("number", number.as_str()), ("reason", reason.as_str())],
            )
            .await
        }
    };
    let reason = "Registrul a căzut după ce a dat numărul";
    let cases = [
        (
            lost.clone(),
            "x".to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            lost.clone(),
            "două\nrânduri".to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "ALF-2026-2".to_owned(),
            reason.to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (first.clone(), reason.to_owned(), StatusCode::CONFLICT),
        (
            format!("ALF-{y}-000999"),
            reason.to_owned(),
            StatusCode::CONFLICT,
        ),
        (
            format!("BTA-{y}-000002"),
            reason.to_owned(),
            StatusCode::CONFLICT,
        ),
    ];
    for (number, why, status) in cases {
        let r = annul(&number, &why).await;
        assert_eq!(r.status(), status, "{number} {why:?}");
    }
    let ofi = app.desk_sign_in("alfa", "ofi", "parola-ofi").await;
    let r = ofi
        .form(
            "/desk/registry/annul",
            &[("number", &lost), ("reason", reason)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let fields = [("number", lost.as_str()), ("reason", reason)];
    let status = forged(&reg, "/desk/registry/annul", &fields).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        reg.inbox("view=registry")
            .await
            .contains(&format!("luate fără dosar: {lost}."))
    );

    // Recorded once; the first reason stands.
    let r = annul(&lost, reason).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = annul(&lost, "Alt motiv, mai târziu").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let registry = reg.inbox("view=registry").await;
    assert!(!registry.contains("luate fără dosar:"), "{registry}");
    assert!(registry.contains(&lost) && registry.contains(&format!("de reg: {reason}")));
    assert!(!registry.contains("Alt motiv"));
    // The next registration still does not reuse it.
    assert_eq!(reg.register("petitie").await.1, format!("ALF-{y}-000103"));

    // The statistics count it, in JSON and on the page.
    let stats: Value = app.get("/api/v1/stats/alfa").await.json().await.unwrap();
    assert_eq!(stats["annulled_numbers"], 1, "{stats}");
    assert_eq!(stats["total"]["submitted"], 102, "{stats}");
    let page = app.get("/stats/alfa?lang=en").await.text().await.unwrap();
    assert!(page.contains("Registration numbers annulled (taken without a dossier): 1"));
    let beta: Value = app.get("/api/v1/stats/beta").await.json().await.unwrap();
    assert_eq!(beta["annulled_numbers"], 0);
}
