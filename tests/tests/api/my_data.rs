//! A citizen's own data (issue 20, item 5): "my data" downloads everything the
//! platform holds about the account as one ZIP (`date-personale.json` and the
//! dossiers' files, byte for byte), nothing of anyone else's and no password
//! hash; the page says what is kept and why, in Romanian, Hungarian and
//! English. Closing the account is `my_data_closing.rs`.

use std::collections::BTreeSet;

use ghiseu_tests::{TestApp, percent_encode, sha256_hex};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::archive::run;
use crate::portal::{
    Browser, EMAIL, PASSWORD, PHONE, aviz, create_type, pdf, registered, signed_up, spawn,
    submission,
};

/// Submits an `aviz` with a plan of `tag` as `b`; the dossier's id and number.
pub(crate) async fn submit_aviz(b: &mut Browser, tag: &str) -> (String, String) {
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
pub(crate) async fn download(b: &mut Browser) -> (Value, Vec<(String, Vec<u8>)>, Vec<u8>) {
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

/// The value the store holds at `key` (as text), through the probe.
pub(crate) async fn stored(app: &TestApp, key: &str) -> Option<String> {
    let r = app.get(&format!("/probe/kv/{}", percent_encode(key))).await;
    (r.status() == 200).then_some(String::from_utf8_lossy(&r.bytes().await.unwrap()).into_owned())
}

/// Every key of the store, through the probe.
pub(crate) async fn all_keys(app: &TestApp) -> Vec<String> {
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

/// Ana signs up again with her e-mail and phone, confirmed by the phone.
pub(crate) async fn sign_up_again(app: &TestApp) -> Browser {
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
