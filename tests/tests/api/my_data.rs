//! A citizen's own data (issue 20, item 5): "my data" downloads everything the
//! platform holds about the account as one ZIP (`date-personale.json` and the
//! dossiers' files, byte for byte), nothing of anyone else's and no password
//! hash; closing the account erases its personal data (checked in the store
//! itself, through the probe), ends its sessions and frees its contacts, while
//! the institution keeps the dossier and its documents; a closing that stopped
//! halfway is finished by a retry; the page says what is kept and why, in
//! Romanian, Hungarian and English.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use ghiseu_tests::{TestApp, percent_encode, sha256_hex};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::portal::{
    Browser, EMAIL, PASSWORD, PHONE, aviz, create_type, pdf, registered, signed_up, spawn,
    submission,
};

/// Submits an `aviz` with a plan of `tag` as `b`; the dossier's id and number.
async fn submit_aviz(b: &mut Browser, tag: &str) -> (String, String) {
    b.get("/portal/new/alfa/aviz").await;
    let csrf = b.csrf.clone();
    let fields = [
        ("f_adresa", "Str. Republicii 10, Florești"),
        ("f_cnp", "1960529120011"),
        ("f_motiv", "Terasă sezonieră"),
    ];
    let (status, location, _) = b
        .post_multipart(
            "/portal/new/alfa/aviz",
            submission(&csrf, &fields, pdf(tag), &format!("{tag}.pdf")),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let number = location
        .split("registered=")
        .nth(1)
        .expect("the registered number")
        .to_owned();
    let (_, home) = b.get("/portal").await;
    let id = home
        .split("/portal/documents/alfa/")
        .skip(1)
        .map(|rest| rest.split('/').next().unwrap().to_owned())
        .next()
        .expect("a dossier link");
    (id, number)
}

/// The ZIP `b` downloads, checked by `unzip -t` and unpacked: its JSON and
/// its files (path in the ZIP, bytes).
async fn download(b: &mut Browser) -> (Value, Vec<(String, Vec<u8>)>, Vec<u8>) {
    let (status, kind, bytes) = b.get_bytes("/portal/my-data.zip").await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(kind, "application/zip");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("date.zip"), &bytes).unwrap();
    let (ok, report) = run(d, "unzip", &["-t", "date.zip"]);
    assert!(ok && report.contains("No errors detected"), "{report}");
    let (ok, out) = run(d, "unzip", &["-q", "date.zip", "-d", "x"]);
    assert!(ok, "{out}");
    let (_, listing) = run(d, "unzip", &["-Z1", "date.zip"]);
    let names: Vec<&str> = listing.lines().collect();
    assert_eq!(names[0], "date-personale.json", "{listing}");
    let json: Value =
        serde_json::from_slice(&std::fs::read(d.join("x/date-personale.json")).unwrap()).unwrap();
    let files = names[1..]
        .iter()
        .map(|n| ((*n).to_owned(), std::fs::read(d.join("x").join(n)).unwrap()))
        .collect();
    (json, files, bytes)
}

fn run(dir: &Path, program: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(program)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e} (cargo xtask test installs it)"));
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &*String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// The value the store holds at `key` (as text), through the probe.
async fn stored(app: &TestApp, key: &str) -> Option<String> {
    let r = app.get(&format!("/probe/kv/{}", percent_encode(key))).await;
    (r.status() == 200).then_some(String::from_utf8_lossy(&r.bytes().await.unwrap()).into_owned())
}

/// Every key of the store, through the probe.
async fn all_keys(app: &TestApp) -> Vec<String> {
    app.get("/probe/keys").await.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn my_data_holds_the_account_and_every_dossier_byte_for_byte_and_nothing_of_others() {
    let app = spawn().await;
    create_type(&app, &aviz("aviz", "simple")).await;
    let mut ana = registered(&app).await;
    let (id, number) = submit_aviz(&mut ana, "planul-anei").await;
    // The institution asks; Ana replies with a file; an answer is issued.
    let admin = app.desk_sign_in("alfa", "adm", "parola-adm-lunga").await;
    let asked = [
        ("action", "request_info"),
        ("question", "Trimiteți avizul poliției"),
    ];
    assert_eq!(
        admin.act_now(&id, &asked).await.status(),
        StatusCode::SEE_OTHER
    );
    let reply_path = format!("/portal/documents/alfa/{id}/reply");
    ana.get(&reply_path).await;
    let form = Form::new()
        .text("csrf", ana.csrf.clone())
        .text("message", "Atașez avizul.")
        .part(
            "files",
            Part::bytes(pdf("aviz-politie")).file_name("aviz-politie.pdf"),
        );
    let (status, _, _) = ana.post_multipart(&reply_path, form, None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let answer = pdf("aviz emis pentru Ana");
    let form = Form::new()
        .text("csrf", admin.csrf.clone())
        .text("route_head", admin.route_head(&id).await)
        .part(
            "document",
            Part::bytes(answer.clone()).file_name("aviz.pdf"),
        );
    let r = admin
        .multipart(&format!("/desk/dossiers/{id}/response"), form)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let resolved = [("action", "resolve"), ("resolve_note", "Aviz emis")];
    assert_eq!(
        admin.act_now(&id, &resolved).await.status(),
        StatusCode::SEE_OTHER
    );

    let mut barbu = signed_up(&app, "Barbu Altul", "+40745000666").await;
    let (_, barbu_number) = submit_aviz(&mut barbu, "planul-lui-barbu").await;

    // The page says what is held and offers the download.
    let (status, page) = ana.get("/portal/my-data").await;
    assert_eq!(status, 200);
    for words in [
        "Datele mele",
        "Ana Cetățean",
        PHONE,
        "/portal/my-data.zip",
        "Legea 16/1996",
        "82/1991",
    ] {
        assert!(page.contains(words), "{words}: {page}");
    }
    let (_, home) = ana.get("/portal").await;
    assert!(
        home.contains("href=\"/portal/my-data\""),
        "my documents link to it"
    );

    let (json, files, bytes) = download(&mut ana).await;
    // The account, as held.
    let account = &json["account"];
    assert_eq!(account["name"], "Ana Cetățean");
    assert_eq!(account["email"], EMAIL);
    assert_eq!(account["phone"], PHONE);
    assert_eq!(account["phone_verified"], true);
    assert_eq!(account["has_password"], true);
    assert!(account["created_at"].is_string());
    // Every linked dossier, with what the citizen gave in it.
    let dossiers = json["dossiers"].as_array().unwrap();
    assert_eq!(dossiers.len(), 1, "{json}");
    let d = &dossiers[0];
    assert_eq!(d["number"], number.as_str());
    assert_eq!(d["institution"]["name"], "Primăria Alfa");
    assert_eq!(d["document_type"]["code"], "aviz");
    assert_eq!(d["status"], "resolved");
    assert_eq!(d["contact_given"]["phone"], PHONE);
    assert!(
        d["form"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["field"] == "adresa" && f["value"] == "Str. Republicii 10, Florești"),
        "{d}"
    );
    // The message about the registration.
    assert!(
        json["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["to"] == PHONE && m["text"].as_str().unwrap().contains(&number)),
        "{json}"
    );
    // What is left out, with its reason.
    let left_out: Vec<&str> = json["not_included"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["what"].as_str().unwrap())
        .collect();
    assert!(left_out.contains(&"password") && left_out.contains(&"sessions"));
    assert!(
        json["not_included"][0]["why"]
            .as_str()
            .unwrap()
            .contains("Parola este păstrată doar ca hash"),
        "in her language: {json}"
    );

    // The files are byte for byte the dossier's documents, as the store
    // names them, each under the dossier's folder and listed in the JSON.
    let record: Value = serde_json::from_str(
        &stored(&app, &format!("t/alfa/dossier/{id}"))
            .await
            .expect("the dossier"),
    )
    .unwrap();
    let mut held: BTreeSet<String> = record["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["sha256"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(held.len(), 3, "the cerere, the plan and the act: {record}");
    // Her reply's file and the document issued to her, byte for byte.
    held.extend([sha256_hex(&pdf("aviz-politie")), sha256_hex(&answer)]);
    let sent: BTreeSet<String> = files.iter().map(|(_, b)| sha256_hex(b)).collect();
    assert_eq!(sent, held);
    let kinds: Vec<&str> = d["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["submitted", "submitted", "submitted", "reply", "issued"]
    );
    let folder = format!("dosare/{}/", number.replace('/', "-"));
    for (path, bytes) in &files {
        assert!(path.starts_with(&folder), "{path}");
        let listed = d["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path.as_str())
            .unwrap_or_else(|| panic!("{path} is listed"));
        assert_eq!(listed["sha256"], sha256_hex(bytes));
    }
    assert!(
        files.iter().any(|(_, b)| *b == pdf("planul-anei")),
        "the plan as uploaded"
    );

    // Nothing of Barbu's, no password hash, no session.
    let text = String::from_utf8_lossy(&bytes);
    for foreign in [
        "Barbu",
        "+40745000666",
        "planul-lui-barbu",
        barbu_number.as_str(),
        "$argon2",
        "password_hash",
        ana.cookies["ghiseu_citizen"].as_str(),
    ] {
        assert!(!text.contains(foreign), "{foreign} is in Ana's data");
    }
    let (barbu_json, barbu_files, _) = download(&mut barbu).await;
    assert_eq!(barbu_json["account"]["name"], "Barbu Altul");
    assert_eq!(barbu_json["dossiers"].as_array().unwrap().len(), 1);
    assert_eq!(barbu_files.len(), 3);
    let barbu_text = barbu_json.to_string();
    for foreign in ["Ana Cetățean", PHONE, EMAIL, number.as_str()] {
        assert!(
            !barbu_text.contains(foreign),
            "{foreign} is in Barbu's data"
        );
    }

    // Nobody gets nothing: the sign-in page.
    let mut nobody = Browser::new(&app);
    for path in ["/portal/my-data.zip", "/portal/my-data"] {
        let (status, _, body) = nobody.get_bytes(path).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{path}");
        assert!(!String::from_utf8_lossy(&body).contains("Ana"));
    }

    // The download is costly: a few a day per account, then 429 in words.
    for _ in 0..4 {
        download(&mut barbu).await;
    }
    let (status, kind, body) = barbu.get_bytes("/portal/my-data.zip").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(kind.starts_with("text/html"), "{kind}");
    assert!(String::from_utf8_lossy(&body).contains("prea multe ori"));
}

/// The file named `name` under `dir`, at any depth (the object store's
/// files are named by their key's last segment).
fn find(dir: &Path, name: &str) -> Option<std::path::PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if let Some(found) = find(&path, name) {
                return Some(found);
            }
        } else if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy() == name)
        {
            return Some(path);
        }
    }
    None
}

/// Ana signs up again with her e-mail and phone, confirmed by the phone.
async fn sign_up_again(app: &TestApp) -> Browser {
    let mut b = Browser::new(app);
    b.get("/portal/register").await;
    let fields = [
        ("name", "Ana Cetățean"),
        ("email", EMAIL),
        ("phone", PHONE),
        ("password", PASSWORD),
        ("password2", PASSWORD),
    ];
    let (status, _, _) = b.post("/portal/register", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let code = crate::portal::last_code(app, PHONE).await;
    b.get("/portal/verify").await;
    let (status, location, html) = b
        .post("/portal/verify", &[("contact", PHONE), ("code", &code)])
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/portal"),
        "{html}"
    );
    b
}

/// A link left to a dossier that retention erased (its files deleted) does
/// not break the download: the dossier is listed as erased, without files,
/// and the ZIP stays whole.
#[tokio::test(flavor = "multi_thread")]
async fn a_dossier_erased_under_retention_is_listed_without_files() {
    let app = spawn().await;
    create_type(&app, &aviz("aviz", "simple")).await;
    let mut ana = registered(&app).await;
    let (id, number) = submit_aviz(&mut ana, "planul-anei").await;
    let admin = app.desk_sign_in("alfa", "adm", "parola-adm-lunga").await;
    let form = Form::new()
        .text("csrf", admin.csrf.clone())
        .text("route_head", admin.route_head(&id).await)
        .part(
            "document",
            Part::bytes(pdf("aviz emis")).file_name("aviz.pdf"),
        );
    let r = admin
        .multipart(&format!("/desk/dossiers/{id}/response"), form)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let resolved = [("action", "resolve"), ("resolve_note", "Aviz emis")];
    assert_eq!(
        admin.act_now(&id, &resolved).await.status(),
        StatusCode::SEE_OTHER
    );
    let (json, files, _) = download(&mut ana).await;
    assert_eq!(
        files.len(),
        4,
        "the cerere, the plan, the act and the answer"
    );
    let account_id = json["account"]["id"].as_str().unwrap().to_owned();

    let r = reqwest::Client::new()
        .post(app.url("/api/v1/platform/retention/run?now=2090-01-01T00:00:00Z"))
        .bearer_auth(ghiseu_tests::TEST_ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    // The link, as an account may still hold it.
    let link = serde_json::json!([{"tenant": "alfa", "dossier": id}]).to_string();
    let key = format!("citizen/dossiers/{account_id}");
    let r = app
        .put(&format!("/probe/kv/{}", percent_encode(&key)), link)
        .await;
    assert!(r.status().is_success());

    let (json, files, _) = download(&mut ana).await;
    let d = &json["dossiers"][0];
    assert_eq!(d["number"], number.as_str());
    assert!(d["erased_under_retention_at"].is_string(), "{d}");
    assert_eq!(d["files"].as_array().unwrap().len(), 0, "{d}");
    assert!(files.is_empty(), "{files:?}");
}

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

#[tokio::test(flavor = "multi_thread")]
async fn the_page_says_what_is_kept_and_why_in_three_languages() {
    let app = spawn().await;
    let mut ana = registered(&app).await;
    let cases = [
        (
            "hu",
            [
                "Adataim",
                "Mi marad meg, és miért",
                "16/1996",
                "82/1991",
                "Adataim letöltése (ZIP)",
                "A fiók végleges megszüntetése",
            ],
            "A jelszó nem helyes",
        ),
        (
            "en",
            [
                "My data",
                "What is kept and why",
                "Law 16/1996",
                "Law 82/1991",
                "Download my data (ZIP)",
                "Close the account for good",
            ],
            "The password is not right",
        ),
        (
            "ro",
            [
                "Datele mele",
                "Ce se păstrează și de ce",
                "Legea 16/1996",
                "Legea contabilității 82/1991",
                "Descarcă datele mele (ZIP)",
                "Închide contul definitiv",
            ],
            "Parola nu este corectă",
        ),
    ];
    for (lang, words, refusal) in cases {
        let (status, html) = ana.get(&format!("/portal/my-data?lang={lang}")).await;
        assert_eq!(status, 200);
        assert!(html.contains(&format!("lang=\"{lang}\"")), "{lang}");
        for w in words {
            assert!(html.contains(w), "{lang}: {w}");
        }
        let (status, _, html) = ana
            .post(
                "/portal/my-data/close",
                &[("password", "greșită"), ("confirm", "yes"), ("lang", lang)],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains(refusal), "{lang}: {html}");
    }
    // The closed page in Hungarian.
    ana.get("/portal/my-data?lang=hu").await;
    // Hungarian is now the account's language: the download says what it
    // leaves out in Hungarian.
    let (json, _, _) = download(&mut ana).await;
    assert!(
        json["not_included"][0]["why"]
            .as_str()
            .unwrap()
            .contains("A jelszót csak egyirányú hash-ként tároljuk"),
        "{json}"
    );
    let (status, _, html) = ana
        .post(
            "/portal/my-data/close",
            &[("password", PASSWORD), ("confirm", "yes"), ("lang", "hu")],
        )
        .await;
    assert_eq!(status, 200);
    for w in ["A fiók megszűnt", "Mi marad meg, és miért", "16/1996"] {
        assert!(html.contains(w), "{w}: {html}");
    }
}

/// The my-data page on a 320 px screen, in Chromium: reached from "my
/// documents", its download by the page's link, the page in Hungarian, the
/// closing refused and then done; every page passes axe-core (WCAG 2.1 AA),
/// reflows at 320 px and is all in its language (`tests/browser/my_data.mjs`).
#[tokio::test(flavor = "multi_thread")]
async fn browser_my_data_reflows_at_320_px_and_passes_axe() {
    use crate::browser::{artifacts_dir, assert_inspected, require_toolchain, run_script};
    require_toolchain(&ghiseu_tests::workspace_root().join("tests/browser"));
    let app = spawn().await;
    let artifacts = artifacts_dir("my_data");
    let config = serde_json::json!({
        "viewport": {"width": 320, "height": 640},
        "account": {"name": "Ana Cetățean", "phone": "0745 000 321",
            "phone_e164": "+40745000321", "password": PASSWORD},
    });
    let result = run_script(
        &app,
        "my_data.mjs",
        &artifacts,
        &config,
        std::time::Duration::from_secs(180),
    )
    .await;
    assert_inspected(
        &artifacts,
        &["my-data", "my-data-hu", "my-data-refused", "closed"],
    );
    // What the browser downloaded is a ZIP whose JSON names the account.
    let zip = std::path::PathBuf::from(result["zip"].as_str().unwrap());
    let (ok, listing) = run(
        zip.parent().unwrap(),
        "unzip",
        &["-p", zip.to_str().unwrap(), "date-personale.json"],
    );
    assert!(ok && listing.contains("+40745000321"), "{listing}");
}
