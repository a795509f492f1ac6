//! Retention: `POST /api/v1/platform/retention/run?now=` erases, on a fixed
//! clock, the files and personal data of the dossiers whose type's retention
//! has passed since they were closed, keeps what statistics and tracking
//! need, and logs what it erased for the tenant's administrator.

use chrono::{Duration, Months, NaiveDate};
use ghiseu_tests::{Official, TEST_ADMIN_TOKEN, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::portal::{Browser, last_code, signed_up};

const NAME: &str = "Zamfira Ungureanu-Pătrășcanu";
const EMAIL: &str = "zamfira.retentie@example.ro";
const PHONE: &str = "0745 321 987";
const PHONE_E164: &str = "+40745321987";
const NOTE: &str = "Răspuns trimis doamnei Zamfira";

/// `alfa` (the desk tests' tenant) with an administrator, petitions kept one
/// year and town-planning certificates ten.
async fn spawn() -> TestApp {
    let app = ghiseu_tests::App::desk(ghiseu_tests::Backend::Sqlite)
        .spawn()
        .await;
    let mut tenant = crate::desk::tenant("alfa", "ALF");
    tenant["officials"].as_array_mut().unwrap().push(json!({
        "username": "adm", "display_name": "Ada Admin", "department": null,
        "roles": ["tenant_admin"], "password": "parola-adm-lunga"
    }));
    tenant["document_types"][0]["retention_years"] = json!(1);
    tenant["document_types"][1]["retention_years"] = json!(10);
    let r = app.seed(&json!({"tenants": [tenant]})).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app
}

async fn run(app: &TestApp, token: &str, query: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url(&format!("/api/v1/platform/retention/run{query}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// Registers a paper dossier of `doc_type` with `file`, the petitioner's
/// details, and closes it (assigned, then resolved with a public note that
/// names her) unless `close` is false: (id, number, token, the file's digest).
async fn dossier(
    reg: &Official,
    sef: &Official,
    doc_type: &str,
    file: Vec<u8>,
    close: bool,
) -> (String, String, String, String) {
    let r = reg
        .intake(
            doc_type,
            &[("cerere Zamfira.pdf", file.clone())],
            &[("name", NAME), ("email", EMAIL), ("phone", PHONE)],
        )
        .await;
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let id = location.split('/').nth(3).unwrap().to_owned();
    let receipt = reg.html(&location).await;
    let (number, token) = (
        ghiseu_tests::regno_in(&receipt),
        ghiseu_tests::token_in(&receipt),
    );
    if close {
        let assign = [
            ("action", "assign"),
            ("department", "urbanism"),
            ("official", "sef"),
        ];
        assert_eq!(reg.act_now(&id, &assign).await.status(), 303);
        let resolve = [("action", "resolve"), ("resolve_note", NOTE)];
        assert_eq!(sef.act_now(&id, &resolve).await.status(), 303);
    }
    (id, number, token, ghiseu_tests::sha256_hex(&file))
}

fn pdf(tag: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {tag}\n1 0 obj<<>>endobj\n%%EOF\n").into_bytes()
}

/// Where the embedded object store keeps the tenant's file `sha` (the
/// bucket's directory under the data directory), whether or not it exists.
fn object_path(app: &TestApp, sha: &str) -> std::path::PathBuf {
    let objects = app.data_dir().join("objects");
    let bucket = std::fs::read_dir(&objects)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.join("t/alfa/attachments").is_dir())
        .unwrap_or_else(|| panic!("no bucket with alfa's files under {}", objects.display()));
    bucket.join("t/alfa/attachments").join(sha)
}

fn object_exists(app: &TestApp, sha: &str) -> bool {
    object_path(app, sha).is_file()
}

/// The public statistics of this year, and apart the time they were computed.
async fn statistics(app: &TestApp) -> (Value, Value) {
    let r = app.get("/api/v1/stats/alfa").await;
    assert_eq!(r.status(), 200);
    let mut stats: Value = r.json().await.unwrap();
    let computed_at = stats
        .as_object_mut()
        .unwrap()
        .remove("computed_at")
        .unwrap();
    (stats, computed_at)
}

async fn tracking(app: &TestApp, token: &str) -> Value {
    let r = app.get(&format!("/api/v1/track/{token}")).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// Each route event's time, kind, department and official.
fn route_shape(tracked: &Value) -> Vec<Value> {
    tracked["route"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| json!([e["at"], e["event"], e["department"], e["official"]]))
        .collect()
}

/// Claims the dossier `number` for the citizen `b` with the code sent to
/// its phone.
async fn claim(app: &TestApp, b: &mut Browser, number: &str) {
    b.get("/portal/claim").await;
    let fields = [("institution", "alfa"), ("number", number)];
    assert_eq!(b.post("/portal/claim", &fields).await.0, 200);
    let code = last_code(app, PHONE_E164).await;
    let (status, _, _) = b
        .post(
            "/portal/claim/confirm",
            &[("institution", "alfa"), ("number", number), ("code", &code)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

fn at_noon(day: NaiveDate) -> String {
    format!("{day}T12:00:00Z")
}

#[tokio::test]
async fn a_closed_dossier_past_its_retention_is_erased_once_and_statistics_and_tracking_stay() {
    // Arrange: petitions (kept a year) closed today: `gone`, claimed by its
    // petitioner, and `twin`, whose file is the same as `kept`'s; `kept` is
    // a town-planning certificate (ten years) and `open` a petition still open.
    let mut app = spawn().await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let sef = app.desk_sign_in("alfa", "sef", "parola-sef").await;
    let (gone, gone_no, gone_token, gone_sha) =
        dossier(&reg, &sef, "petitie", pdf("gone"), true).await;
    let (kept, kept_no, _, kept_sha) =
        dossier(&reg, &sef, "certificat-urbanism", pdf("shared"), true).await;
    let (twin, twin_no, _, twin_sha) = dossier(&reg, &sef, "petitie", pdf("shared"), true).await;
    assert_eq!(twin_sha, kept_sha);
    let (open, _, _, open_sha) = dossier(&reg, &sef, "petitie", pdf("open"), false).await;
    let mut citizen = signed_up(&app, "Zamfira Ungureanu", PHONE_E164).await;
    claim(&app, &mut citizen, &gone_no).await;
    assert!(citizen.get("/portal").await.1.contains(&gone_no));

    let today = ghiseu_core::calendar::local_date(chrono::Utc::now());
    let last_kept_day = today.checked_add_months(Months::new(12)).unwrap();
    // Computed now: nothing is cached yet.
    let stats_before = statistics(&app).await;
    let tracked_before = tracking(&app, &gone_token).await;
    assert!(tracked_before.to_string().contains(NOTE));
    let open311 = "/open311/v2/requests.json?jurisdiction_id=alfa";
    let open311_before = app.get(open311).await.text().await.unwrap();
    assert!(sef.page(&gone).await.contains(NAME));

    // Bad input is refused and changes nothing.
    let r = run(&app, "not-the-token", "").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    for query in [
        "?now=tomorrow",
        "?now=1999-01-01T00:00:00Z",
        "?limit=0",
        "?after=Alfa!",
    ] {
        let r = run(&app, TEST_ADMIN_TOKEN, query).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let problem: Value = r.json().await.unwrap();
        assert!(!problem["detail"].as_str().unwrap().is_empty(), "{query}");
    }
    // On the last day of the year kept, nothing is due yet.
    let r = run(
        &app,
        TEST_ADMIN_TOKEN,
        &format!("?now={}", at_noon(last_kept_day)),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["erased"], json!([]), "{report}");
    assert_eq!(report["dossiers"], 4);
    assert!(object_exists(&app, &gone_sha));
    assert!(sef.page(&gone).await.contains(NAME));

    // Act: the day after, twice at once (two scheduler pods).
    let due = format!("?now={}", at_noon(last_kept_day + Duration::days(1)));
    let (a, b) = tokio::join!(
        run(&app, TEST_ADMIN_TOKEN, &due),
        run(&app, TEST_ADMIN_TOKEN, &due)
    );
    assert_eq!(
        (a.status(), b.status()),
        (StatusCode::OK, StatusCode::OK),
        "{}",
        app.log()
    );
    let (a, b): (Value, Value) = (a.json().await.unwrap(), b.json().await.unwrap());

    // Assert: the two petitions closed a year and a day ago are erased, each
    // logged once whoever erased it.
    let mut numbers: Vec<String> = [&a, &b]
        .iter()
        .flat_map(|r| r["erased"].as_array().unwrap().clone())
        .map(|e| e["number"].as_str().unwrap().to_owned())
        .collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers, [gone_no.clone(), twin_no.clone()], "{a} {b}");

    // Their files are gone, except the one the certificate still holds.
    assert!(!object_exists(&app, &gone_sha));
    let file = sef
        .get(&format!("/desk/dossiers/{gone}/files/{gone_sha}"))
        .await;
    assert_eq!(file.status(), StatusCode::NOT_FOUND);
    assert!(object_exists(&app, &kept_sha));
    assert!(object_exists(&app, &open_sha));

    // The desk shows the number, not the petitioner.
    let page = sef.page(&gone).await;
    assert!(page.contains(&gone_no), "{page}");
    assert!(
        page.contains("au fost șterse la sfârșitul păstrării"),
        "{page}"
    );
    for personal in [NAME, EMAIL, "745321987", NOTE, "cerere Zamfira.pdf"] {
        assert!(!page.contains(personal), "{personal} still on the desk");
    }
    assert!(!sef.page(&twin).await.contains(NAME));
    for id in [&kept, &open] {
        assert!(sef.page(id).await.contains(NAME), "{id} untouched");
    }
    // The citizen's "my documents" no longer lists it.
    assert!(!citizen.get("/portal").await.1.contains(&gone_no));

    // Tracking answers with the same public route, without the note.
    let tracked = tracking(&app, &gone_token).await;
    assert_eq!(route_shape(&tracked), route_shape(&tracked_before));
    for field in [
        "registration_number",
        "status",
        "deadline",
        "days_in_institution",
    ] {
        assert_eq!(tracked[field], tracked_before[field], "{field}");
    }
    assert!(!tracked.to_string().contains(NOTE), "{tracked}");

    // Open311's requests (read afresh on every call) are the same.
    assert_eq!(app.get(open311).await.text().await.unwrap(), open311_before);

    // Running again erases nothing more.
    let r = run(&app, TEST_ADMIN_TOKEN, &due).await;
    let again: Value = r.json().await.unwrap();
    assert_eq!(
        (&again["erased"], &again["objects_deleted"]),
        (&json!([]), &json!(0)),
        "{again}"
    );

    // The administrator reads what was erased: one entry a dossier.
    let erased_year = (last_kept_day + Duration::days(1)).format("%Y").to_string();
    let adm = app.desk_sign_in("alfa", "adm", "parola-adm-lunga").await;
    let log: Value = adm
        .get(&format!("/api/v1/admin/retention?year={erased_year}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(log["dossiers"], 2, "{log}");
    let logged: Vec<&str> = log["erased"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["number"].as_str().unwrap())
        .collect();
    assert!(logged.contains(&gone_no.as_str()) && logged.contains(&twin_no.as_str()));
    assert!(!log.to_string().contains("Zamfira"), "{log}");
    let page = adm
        .html(&format!("/admin/retention?year={erased_year}&lang=hu"))
        .await;
    assert!(
        page.contains(&gone_no) && page.contains("törölt ügyirat"),
        "{page}"
    );
    let r = adm.get("/admin/retention?year=soon").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The statistics, computed afresh, are the same. The five-minute cache
    // goes: the own host keeps the `ephemeral` store in memory, real Spin in
    // `ephemeral.db`, and on Redis both stores share one database, which the
    // probe's delete reaches.
    app.terminate().await;
    let _ = std::fs::remove_file(app.data_dir().join("ephemeral.db"));
    app.restart().await;
    let cache = format!("/probe/kv/t/alfa/stats/{}", today.format("%Y"));
    assert!(app.delete(&cache).await.status().is_success());
    let (stats_after, computed_after) = statistics(&app).await;
    assert_ne!(computed_after, stats_before.1, "computed again");
    assert_eq!(stats_after, stats_before.0);
    assert_eq!(stats_after["total"]["resolved"], 3, "{stats_after}");
    assert!(kept_no.starts_with("ALF-"));
}

#[tokio::test]
async fn a_run_that_died_after_erasing_is_finished_by_the_next() {
    // Arrange: a petition erased, then the state a run dying before its last
    // steps leaves: the file back in the store and no log entry.
    let app = spawn().await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let sef = app.desk_sign_in("alfa", "sef", "parola-sef").await;
    let file = pdf("crash");
    let (_, number, _, sha) = dossier(&reg, &sef, "petitie", file.clone(), true).await;
    let today = ghiseu_core::calendar::local_date(chrono::Utc::now());
    let day = today + Duration::days(400);
    let due = format!("?now={}", at_noon(day));
    let r = run(&app, TEST_ADMIN_TOKEN, &due).await;
    assert_eq!(r.status(), StatusCode::OK);
    let log_key = format!("/probe/kv/t/alfa/erased/{}", day.format("%Y"));
    assert_eq!(app.get(&log_key).await.status(), StatusCode::OK);
    assert!(app.delete(&log_key).await.status().is_success());
    assert!(!object_exists(&app, &sha));
    std::fs::write(object_path(&app, &sha), file).unwrap();

    // Act
    let r = run(&app, TEST_ADMIN_TOKEN, &due).await;

    // Assert: the next run deletes the file and logs the dossier.
    assert_eq!(r.status(), StatusCode::OK);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["erased"][0]["number"], number, "{report}");
    assert_eq!(report["objects_deleted"], 1);
    assert!(!object_exists(&app, &sha));
    let log: Value = app.get(&log_key).await.json().await.unwrap();
    assert_eq!(log.as_array().unwrap().len(), 1, "{log}");
}

#[tokio::test]
async fn a_clock_is_refused_where_the_sandbox_is_off() {
    // The production manifest, sandbox off: the run takes only its own clock.
    let app = ghiseu_tests::App::production()
        .config_variable("platform_admin_token", TEST_ADMIN_TOKEN)
        .spawn()
        .await;
    let r = run(&app, TEST_ADMIN_TOKEN, "?now=2090-01-01T00:00:00Z").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let problem: Value = r.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("sandbox"),
        "{problem}"
    );
    // Without one, it runs (nothing to erase on an empty platform).
    let r = run(&app, TEST_ADMIN_TOKEN, "").await;
    assert_eq!(r.status(), StatusCode::OK);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["erased"], json!([]), "{report}");
}

#[tokio::test]
async fn a_file_stored_again_after_the_dossier_closed_is_kept() {
    // Arrange: a petition closed today whose file's bytes were stored again
    // later (a citizen's request waiting for its signature stores its files
    // the same way, and no dossier names it yet): the object's time moves on
    // as a new PUT moves it, here a day ahead.
    let app = spawn().await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let sef = app.desk_sign_in("alfa", "sef", "parola-sef").await;
    let (id, number, _, sha) = dossier(&reg, &sef, "petitie", pdf("again"), true).await;
    let object = std::fs::File::options()
        .write(true)
        .open(object_path(&app, &sha))
        .unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(86_400);
    object.set_modified(later).unwrap();
    drop(object);
    let day = ghiseu_core::calendar::local_date(chrono::Utc::now()) + Duration::days(400);

    // Act
    let r = run(&app, TEST_ADMIN_TOKEN, &format!("?now={}", at_noon(day))).await;

    // Assert: the dossier is erased and logged, the object is kept.
    assert_eq!(r.status(), StatusCode::OK);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["erased"][0]["number"], number, "{report}");
    assert_eq!(
        (&report["objects_deleted"], &report["objects_kept_reused"]),
        (&json!(0), &json!(1)),
        "{report}"
    );
    assert!(object_exists(&app, &sha));
    assert!(!sef.page(&id).await.contains(NAME));
}

#[tokio::test]
async fn an_erased_dossiers_container_holds_its_route_alone() {
    let app = spawn().await;
    crate::archive::enroll_seal(&app, "alfa", "Primăria Alfa").await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let sef = app.desk_sign_in("alfa", "sef", "parola-sef").await;
    let (id, number, _, _) = dossier(&reg, &sef, "petitie", pdf("arhiva"), true).await;
    let today = ghiseu_core::calendar::local_date(chrono::Utc::now());
    let due = format!("?now={}", at_noon(today + Duration::days(400)));
    assert_eq!(
        run(&app, TEST_ADMIN_TOKEN, &due).await.status(),
        StatusCode::OK
    );

    // The container: the route alone, saying when the files were erased.
    let r = sef.get(&format!("/desk/dossiers/{id}/bundle.asice")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let bundle = r.bytes().await.unwrap();
    let ca = app
        .get("/api/v1/sandbox/csc/ca.pem")
        .await
        .text()
        .await
        .unwrap();
    let (listed, _, route) = crate::archive::check_container(&bundle, &ca);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].0, "traseu.json");
    assert_eq!(route["number"], number.as_str());
    assert!(route["erased"]["at"].is_string(), "{route}");
    assert_eq!(route["erased"]["files"], 1, "{route}");
    assert!(!route.to_string().contains("Zamfira"), "{route}");

    // And the year's archive lists it with no documents.
    let adm = app.desk_sign_in("alfa", "adm", "parola-adm-lunga").await;
    let year = number.split('-').nth(1).unwrap();
    let r = adm
        .get(&format!("/admin/archive/export.zip?year={year}"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.bytes().await.is_ok(), "the archive arrives whole");
}
