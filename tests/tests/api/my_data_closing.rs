//! Closing a citizen's account (issue 20, item 5): its personal data is
//! erased (checked in the store itself, through the probe), its sessions end
//! and its contacts are freed, while the institution keeps the dossier and
//! its documents and the orders stay without a name; a closing that stopped
//! halfway is finished by a retry.

use ghiseu_tests::{percent_encode, sha256_hex};
use reqwest::StatusCode;
use serde_json::Value;

use crate::archive::find;
use crate::my_data::{all_keys, download, sign_up_again, stored, submit_aviz};
use crate::portal::{
    Browser, EMAIL, PASSWORD, PHONE, aviz, create_type, pdf, registered, signed_up, spawn,
    submission,
};

/// Whether `text` holds any of Ana's personal data.
fn holds_anas_data(text: &str) -> Option<&'static str> {
    ["Ana Cetățean", PHONE, EMAIL, "0745 000 111"]
        .into_iter()
        .find(|w| text.contains(w))
}

#[tokio::test(flavor = "multi_thread")]
async fn closing_erases_the_personal_data_and_the_institution_keeps_the_dossier() {
    let app = spawn().await;
    create_type(&app, &aviz("aviz", "simple")).await;
    let mut ana = registered(&app).await;
    // The last lease on a contact's key (the code's check) was taken just
    // before now. A closing leaves the counters of a lease that may still be
    // in use (the current window of 10 s and the one before) and erases
    // older ones; a lease taken late in a window also holds the next one, so
    // its counters are all over 24 s after it was taken. The closing below
    // waits for that, as a citizen who closes an account does not do it
    // within seconds of a code.
    let confirmed = std::time::Instant::now();
    let (id, number) = submit_aviz(&mut ana, "planul-anei").await;
    // A request waiting for her qualified signature, never registered.
    create_type(&app, &aviz("aviz-calificat", "qualified")).await;
    crate::payment::submit_qualified(&mut ana).await;
    let (json, _, _) = download(&mut ana).await;
    let account_id = json["account"]["id"].as_str().unwrap().to_owned();
    let waiting = json["requests_waiting"].as_array().unwrap();
    assert_eq!(waiting.len(), 1, "{json}");
    assert_eq!(waiting[0]["document_type"], "aviz-calificat");
    assert!(waiting[0]["form"].to_string().contains("Str. Horea 3"));
    let unsigned = waiting[0]["cerere_sha256"].as_str().unwrap().to_owned();
    assert!(
        find(app.data_dir(), &unsigned).is_some(),
        "the unsigned cerere is in the object store"
    );
    let account_key = format!("citizen/account/{account_id}");
    let old_cookie = ana.cookie_header();

    // A wrong password, or no confirmation: refused in words, nothing changes.
    ana.get("/portal/my-data").await;
    let refusals = [
        vec![("password", "nu e parola"), ("confirm", "yes")],
        vec![("password", PASSWORD)],
    ];
    for fields in refusals {
        let (status, _, html) = ana.post("/portal/my-data/close", &fields).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        assert!(html.contains("role=\"alert\""), "{html}");
        let (status, home) = ana.get("/portal").await;
        assert_eq!(status, 200);
        assert!(home.contains("Ana Cetățean"), "still signed in");
        let record = stored(&app, &account_key).await.unwrap();
        assert!(record.contains("Ana Cetățean") && !record.contains("closed_at"));
    }
    let (_, _, html) = ana
        .post(
            "/portal/my-data/close",
            &[("password", "nu e parola"), ("confirm", "yes")],
        )
        .await;
    assert!(html.contains("Parola nu este corectă"), "{html}");

    // The right password and the confirmation close it.
    ana.get("/portal/my-data").await;
    if let Some(wait) = std::time::Duration::from_secs(25).checked_sub(confirmed.elapsed()) {
        tokio::time::sleep(wait).await;
    }
    let (status, _, html) = ana
        .post(
            "/portal/my-data/close",
            &[("password", PASSWORD), ("confirm", "yes")],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Contul a fost închis"), "{html}");
    assert!(html.contains("Legea 16/1996") && html.contains("82/1991"));
    assert!(
        !ana.cookies.contains_key("ghiseu_citizen"),
        "the cookie goes"
    );
    assert!(!html.contains("Ana Cetățean"), "shown as to nobody");

    // The store holds none of the account's personal data: no key names a
    // contact, no citizen record or message holds the name or a contact.
    // Outside: the dossier, which the institution keeps (checked below),
    // and the sandbox's own records (the gateway's and the provider's).
    let keys = all_keys(&app).await;
    for key in &keys {
        assert!(
            holds_anas_data(key).is_none(),
            "the key {key} names a contact"
        );
        if key.starts_with("citizen/") || key.starts_with("notify/") {
            let value = stored(&app, key).await.unwrap_or_default();
            assert!(
                holds_anas_data(&value).is_none(),
                "{key} still holds {value}"
            );
        }
    }
    let tombstone: Value =
        serde_json::from_str(&stored(&app, &account_key).await.unwrap()).unwrap();
    assert_eq!(tombstone["id"], account_id.as_str());
    assert!(tombstone["closed_at"].is_string(), "{tombstone}");
    assert_eq!(tombstone["password_hash"], Value::Null);
    assert!(
        !keys
            .iter()
            .any(|k| k == &format!("citizen/dossiers/{account_id}"))
    );
    assert!(
        find(app.data_dir(), &unsigned).is_none(),
        "the cerere never registered (her name, her form) is erased"
    );

    // The old session and the password no longer work.
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/portal/my-data"))
        .header("cookie", &old_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mut again = Browser::new(&app);
    again.get("/portal/login").await;
    let (status, _, _) = again
        .post(
            "/portal/login",
            &[("contact", EMAIL), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The institution still has the dossier, its contact and its documents.
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let page = reg.page(&id).await;
    assert!(page.contains(&number), "{page}");
    let record: Value =
        serde_json::from_str(&stored(&app, &format!("t/alfa/dossier/{id}")).await.unwrap())
            .unwrap();
    assert!(
        record.to_string().contains(PHONE),
        "the contact given is kept"
    );
    for a in record["attachments"].as_array().unwrap() {
        let sha = a["sha256"].as_str().unwrap();
        let r = reg.get(&format!("/desk/dossiers/{id}/files/{sha}")).await;
        assert_eq!(r.status(), 200, "{sha}");
        assert_eq!(sha256_hex(&r.bytes().await.unwrap()), sha);
    }

    // The same address signs up again as a new, empty account.
    let mut new = sign_up_again(&app).await;
    let (json, files, _) = download(&mut new).await;
    assert_ne!(json["account"]["id"], account_id.as_str());
    assert_eq!(
        json["dossiers"].as_array().unwrap().len(),
        0,
        "not relinked"
    );
    assert!(files.is_empty());
}

/// A fee paid online is in the download with its receipt; after closing, the
/// order (what accounting keeps: amount, date, receipt, what it paid) is still
/// there and names no person, and the registry still reads the receipt on
/// the dossier.
#[tokio::test(flavor = "multi_thread")]
async fn a_paid_fee_is_in_my_data_and_its_record_outlives_the_account_without_a_name() {
    use crate::payment::{GOOD_CARD, checkout_from, pay};
    let app = spawn().await;
    let mut ty = aviz("aviz-taxa", "none");
    ty["fee_bani"] = serde_json::json!(2500);
    create_type(&app, &ty).await;
    let (name, phone) = ("Ion Popescu", "+40745000444");
    let mut ion = signed_up(&app, name, phone).await;
    ion.get("/portal/new/alfa/aviz-taxa").await;
    let csrf = ion.csrf.clone();
    let fields = [("f_adresa", "Str. Horea 3"), ("f_motiv", "Schelă")];
    let (status, fee_page, _) = ion
        .post_multipart(
            "/portal/new/alfa/aviz-taxa",
            submission(&csrf, &fields, pdf("plan"), "plan.pdf"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    ion.get(&fee_page).await;
    let checkout = checkout_from(&app, &mut ion, &fee_page).await;
    let back = pay(&app, &checkout, GOOD_CARD).await;
    ion.get(&back).await;

    let (json, files, _) = download(&mut ion).await;
    let orders = json["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 1, "{json}");
    let order = &orders[0];
    assert_eq!(order["id"], checkout.order.as_str());
    assert_eq!(order["status"], "paid");
    assert_eq!(order["purpose"]["kind"], "fee");
    assert_eq!(order["receipt"]["number"], "SBX-000001");
    assert_eq!(order["receipt"]["amount_minor"], 2500);
    assert_eq!(json["dossiers"].as_array().unwrap().len(), 1, "{json}");
    assert_eq!(files.len(), 3, "the cerere, the plan and the act");

    ion.get("/portal/my-data").await;
    let (status, _, html) = ion
        .post(
            "/portal/my-data/close",
            &[("password", "încă o parolă lungă"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    let kept = stored(&app, &format!("citizen/order/{}", checkout.order))
        .await
        .expect("the order is kept");
    assert!(
        kept.contains("SBX-000001") && kept.contains("2500"),
        "{kept}"
    );
    assert!(!kept.contains(name) && !kept.contains(phone), "{kept}");
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let id = reg.first_in_inbox("view=all").await;
    assert!(
        reg.page(&id)
            .await
            .contains("Taxă achitată online: 25,00 lei, chitanța nr. SBX-000001")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closing_that_stopped_halfway_is_finished_by_a_retry() {
    let app = spawn().await;
    // Two accounts whose closing stopped right after the account was marked
    // closed (the first step): its record still holds the data.
    let mut stopped = Vec::new();
    for (name, phone) in [
        ("Carla Crash", "+40745000777"),
        ("Dan Crash", "+40745000888"),
    ] {
        let mut b = signed_up(&app, name, phone).await;
        // The page with the closing form, as it was before the closing.
        b.get("/portal/my-data").await;
        let id = stored(&app, &format!("citizen/contact/{phone}"))
            .await
            .expect("the contact's index");
        let key = format!("citizen/account/{id}");
        let mut record: Value = serde_json::from_str(&stored(&app, &key).await.unwrap()).unwrap();
        record["closed_at"] = Value::String(chrono::Utc::now().to_rfc3339());
        let r = app
            .put(
                &format!("/probe/kv/{}", percent_encode(&key)),
                record.to_string(),
            )
            .await;
        assert!(r.status().is_success());
        stopped.push((b, name, phone, key));
    }
    let [
        (mut carla, carla_name, carla_phone, carla_key),
        (_, dan_name, dan_phone, dan_key),
    ] = <[_; 2]>::try_from(stopped).ok().unwrap();

    // Nobody can act as a closing account.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client
        .get(app.url("/portal/my-data"))
        .header("cookie", carla.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // The form posted with another token than the session's: sent to sign
    // in, nothing done.
    let r = client
        .post(app.url("/portal/my-data/close"))
        .header("cookie", carla.cookie_header())
        .form(&[("csrf", "0".repeat(64).as_str()), ("lang", "ro")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(stored(&app, &carla_key).await.unwrap().contains(carla_name));

    // Carla posts the closing form again from her browser (her session's
    // token): the closing is finished.
    let (status, _, html) = carla.post("/portal/my-data/close", &[]).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Contul a fost închis"));
    let record = stored(&app, &carla_key).await.unwrap();
    assert!(
        !record.contains(carla_name) && !record.contains(carla_phone),
        "{record}"
    );
    assert_eq!(
        stored(&app, &format!("citizen/contact/{carla_phone}")).await,
        None
    );

    // Dan signs in with his phone: the closing is finished first, and he is
    // told what anyone is told of an unknown account.
    let mut dan = Browser::new(&app);
    dan.get("/portal/login").await;
    let (status, _, _) = dan
        .post(
            "/portal/login",
            &[("contact", dan_phone), ("password", "încă o parolă lungă")],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let record = stored(&app, &dan_key).await.unwrap();
    assert!(
        !record.contains(dan_name) && !record.contains(dan_phone),
        "{record}"
    );
    assert_eq!(
        stored(&app, &format!("citizen/contact/{dan_phone}")).await,
        None
    );

    // Both phones sign up again as new, empty accounts.
    for (name, phone) in [("Carla Nouă", carla_phone), ("Dan Nou", dan_phone)] {
        let mut fresh = signed_up(&app, name, phone).await;
        let (json, _, _) = download(&mut fresh).await;
        assert_eq!(json["account"]["name"], name);
        assert_eq!(json["dossiers"].as_array().unwrap().len(), 0);
    }
}
