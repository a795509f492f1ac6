//! Idempotency keys with leases (issue 18, item 6): a key claimed by a
//! request that died is completed or released by the next request with it,
//! never "being registered" for ever, and never registers twice.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use futures::StreamExt;
use reqwest::StatusCode;
use reqwest::multipart::Form;

use crate::portal::*;
use crate::quotas::{plain_type, set_quotas};

/// One keyed submission of `b`'s account: its status and `Location`, or
/// `None` when the host did not answer.
async fn submit(
    client: &reqwest::Client,
    (base, cookie, csrf): (&str, &str, &str),
    key: &str,
) -> Option<(StatusCode, String)> {
    let form = Form::new()
        .text("csrf", csrf.to_owned())
        .text("f_motiv", format!("Sesizarea {key}"));
    let r = client
        .post(format!("{base}/portal/new/alfa/sesizare"))
        .header("cookie", cookie)
        .header("idempotency-key", key)
        .multipart(form)
        .send()
        .await
        .ok()?;
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    Some((r.status(), location))
}

#[tokio::test]
async fn after_a_sigkill_every_retried_key_gets_its_number_or_a_fresh_one_never_two() {
    let mut app = spawn().await;
    plain_type(&app).await;
    let adm = app.desk_sign_in("alfa", "adm", "parola-adm-lunga").await;
    let r = set_quotas(&adm, ["1000", "1000", "1000", "1000"]).await;
    assert_eq!(r.status(), 303);
    let mut ana = registered(&app).await;
    ana.get("/portal/new/alfa/sesizare").await;
    let keys: Vec<String> = (0..60).map(|i| format!("burst-{i}")).collect();

    // A burst of keyed submissions; the host is killed while it runs.
    let (client, base, cookie, csrf) = (
        ana.client.clone(),
        ana.base.clone(),
        ana.cookie_header(),
        ana.csrf.clone(),
    );
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let burst = {
        let keys = keys.clone();
        let (client, base, cookie, csrf) =
            (client.clone(), base.clone(), cookie.clone(), csrf.clone());
        tokio::spawn(async move {
            futures::stream::iter(keys)
                .map(|key| {
                    let (client, base, cookie, csrf, tx) = (
                        client.clone(),
                        base.clone(),
                        cookie.clone(),
                        csrf.clone(),
                        tx.clone(),
                    );
                    async move {
                        let answer = submit(&client, (&base, &cookie, &csrf), &key).await;
                        let _ = tx.send(answer.is_some());
                        (key, answer)
                    }
                })
                .buffer_unordered(12)
                .collect::<Vec<_>>()
                .await
        })
    };
    let mut answered = 0;
    while answered < 8 {
        if rx.recv().await == Some(true) {
            answered += 1;
        }
    }
    app.kill9().await;
    let before: BTreeMap<String, (StatusCode, String)> = burst
        .await
        .unwrap()
        .into_iter()
        .filter_map(|(k, a)| Some((k, a?)))
        .collect();
    assert!(before.len() < keys.len(), "the kill came after the burst");

    // After the restart every key is retried until it answers: its number
    // (the same one for a key answered before the kill), or a fresh
    // registration, within about a lease.
    app.restart().await;
    ana.base = app.address.clone();
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut numbers: BTreeMap<String, String> = BTreeMap::new();
    let mut held = 0;
    for key in &keys {
        let number = loop {
            let (status, location) = submit(&client, (&ana.base, &cookie, &csrf), key)
                .await
                .expect("the restarted host answers");
            if status == StatusCode::SEE_OTHER {
                break location
                    .strip_prefix("/portal?registered=")
                    .unwrap_or_else(|| panic!("{key}: {location}"))
                    .to_owned();
            }
            assert_eq!(status, StatusCode::CONFLICT, "{key}");
            held += 1;
            assert!(
                Instant::now() < deadline,
                "{key} is still being registered two minutes after the restart"
            );
            tokio::time::sleep(Duration::from_secs(2)).await;
        };
        if let Some((StatusCode::SEE_OTHER, location)) = before.get(key) {
            assert_eq!(location, &format!("/portal?registered={number}"), "{key}");
        }
        numbers.insert(key.clone(), number);
    }
    assert!(
        held > 0,
        "no key was held by a request the kill interrupted"
    );
    // One dossier per key: sixty different numbers, sixty dossiers.
    let distinct: BTreeSet<&String> = numbers.values().collect();
    assert_eq!(distinct.len(), keys.len(), "{numbers:?}");
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let registry = reg.inbox("view=registry").await;
    assert_eq!(
        registry.matches("href=\"/desk/dossiers/").count(),
        keys.len(),
        "{registry}"
    );
    let (_, mine) = ana.get("/portal").await;
    for number in distinct {
        assert_eq!(mine.matches(number.as_str()).count(), 1, "{number}");
    }
}
