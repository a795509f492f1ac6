//! The dossier's archive container (issue 20, item 1): an ASiC-E that
//! Info-ZIP's `unzip` reads, whose first entry is the stored `mimetype`,
//! whose manifest lists every file with its SHA-256, and whose
//! `signature.p7s` is the institution's seal over the manifest, verified by
//! `openssl cms -verify` against the sandbox CA. An official downloads it
//! from the dossier page, the citizen from "my documents"; nobody else does.

use std::path::Path;
use std::process::Command;

use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::signing::{
    SIGNER_PHONE, awaiting_signature, batch_json, enter_code, outbox_codes, sandbox_ca, select,
    setup, states,
};

const ASIC: &str = "application/vnd.etsi.asic-e+zip";

/// Enrolls `tenant`'s seal at the sandbox provider.
pub(crate) async fn enroll_seal(app: &ghiseu_tests::TestApp, tenant: &str, name: &str) {
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/sandbox/csc/credentials"))
        .bearer_auth(ghiseu_tests::TEST_CSC_CLIENT_SECRET)
        .json(&json!({"user_id": format!("seal:{tenant}"), "name": name, "seal": true}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "seal enrollment: {}", r.status());
}

pub(crate) fn run(dir: &Path, program: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(program)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e} (cargo xtask test installs it)"));
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &*String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// Checks the container as a recipient would, and returns its manifest's
/// (URI, digest) pairs and the signature's printout.
pub(crate) fn check_container(
    bytes: &[u8],
    ca_pem: &str,
) -> (Vec<(String, String)>, String, Value) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("dosar.asice"), bytes).unwrap();
    std::fs::write(d.join("ca.pem"), ca_pem).unwrap();
    let (ok, report) = run(d, "unzip", &["-t", "dosar.asice"]);
    assert!(ok && report.contains("No errors detected"), "{report}");
    // ETSI EN 319 162-1 §A.1: mimetype first, stored, no extra field.
    assert_eq!(&bytes[30..38], b"mimetype");
    assert_eq!(&bytes[8..10], [0, 0], "stored");
    assert_eq!(&bytes[28..30], [0, 0], "no extra field");
    assert_eq!(&bytes[38..38 + ASIC.len()], ASIC.as_bytes());
    let (_, listing) = run(d, "unzip", &["-Z1", "dosar.asice"]);
    let names: Vec<&str> = listing.lines().collect();
    assert_eq!(
        names[..3],
        [
            "mimetype",
            "META-INF/ASiCManifest.xml",
            "META-INF/signature.p7s"
        ],
        "{listing}"
    );
    let (ok, out) = run(d, "unzip", &["-q", "dosar.asice", "-d", "x"]);
    assert!(ok, "{out}");
    let x = d.join("x");
    // The seal over the manifest, against the sandbox CA.
    let (ok, out) = run(
        &x,
        "openssl",
        &[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "META-INF/signature.p7s",
            "-content",
            "META-INF/ASiCManifest.xml",
            "-CAfile",
            "../ca.pem",
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ],
    );
    assert!(ok && out.contains("Verification successful"), "{out}");
    let (_, printed) = run(
        &x,
        "openssl",
        &[
            "cms",
            "-cmsout",
            "-print",
            "-inform",
            "DER",
            "-in",
            "META-INF/signature.p7s",
        ],
    );
    assert!(
        printed.contains("eContent: <ABSENT>"),
        "detached: {printed}"
    );
    // Every listed digest is its file's, and every file is listed.
    let manifest = std::fs::read_to_string(x.join("META-INF/ASiCManifest.xml")).unwrap();
    let doc = roxmltree::Document::parse(&manifest).unwrap();
    let mut listed = Vec::new();
    for r in doc
        .descendants()
        .filter(|n| n.has_tag_name("DataObjectReference"))
    {
        let uri = r.attribute("URI").unwrap().to_owned();
        let digest = r
            .descendants()
            .find(|n| n.has_tag_name("DigestValue"))
            .and_then(|n| n.text())
            .unwrap()
            .to_owned();
        let file = std::fs::read(x.join(&uri)).unwrap_or_else(|_| panic!("{uri} is in the ZIP"));
        let actual = base64::engine::general_purpose::STANDARD
            .encode(hex_bytes(&ghiseu_tests::sha256_hex(&file)));
        assert_eq!(actual, digest, "the digest of {uri}");
        listed.push((uri, digest));
    }
    for name in &names[3..] {
        assert!(listed.iter().any(|(u, _)| u == name), "{name} is listed");
    }
    assert_eq!(listed.len(), names.len() - 3);
    let route: Value =
        serde_json::from_slice(&std::fs::read(x.join("traseu.json")).unwrap()).unwrap();
    (listed, printed, route)
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_dossiers_bundle_is_a_sealed_asic_e_that_unzip_and_openssl_accept() {
    let s = setup(&[("tsa_url", "http://sandbox.spin.internal/sandbox/tsa")]).await;
    let (id, number, _) = awaiting_signature(&s, 1).await;
    let bundle_path = format!("/desk/dossiers/{id}/bundle.asice");

    // Without a seal at the provider: a clear refusal, nothing sent.
    let r = s.sef.get(&bundle_path).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("nu are încă un sigiliu electronic")
    );

    enroll_seal(&s.app, "alfa", "Consiliul Județean Alfa").await;
    let batch = select(&s.semn, std::slice::from_ref(&id)).await;
    let code = outbox_codes(&s.app, SIGNER_PHONE).await.remove(0);
    enter_code(&s.semn, &batch, &code).await;
    let signed = batch_json(&s.semn, &batch).await;
    assert_eq!(states(&signed), ["signed"], "{signed}");

    // The dossier page offers it; the download is the container.
    assert!(s.sef.page(&id).await.contains(&bundle_path));
    let r = s.sef.get(&bundle_path).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], ASIC);
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains(&format!("dosar-{}.asice", number.replace('/', "-"))),
        "{disposition}"
    );
    let bytes = r.bytes().await.unwrap();
    let (listed, printed, route) = check_container(&bytes, &sandbox_ca(&s.app).await);

    // The cerere's scan, the drafted response and the signed response, then the route.
    let signed_sha = signed["items"][0]["document"].as_str().unwrap();
    let digests: Vec<String> = listed.iter().map(|(_, d)| d.clone()).collect();
    let signed_digest = base64::engine::general_purpose::STANDARD.encode(hex_bytes(signed_sha));
    assert!(
        digests.contains(&signed_digest),
        "the signed document is in: {listed:?}"
    );
    assert!(listed.len() >= 4, "{listed:?}");
    assert_eq!(listed.last().unwrap().0, "traseu.json");
    // CAdES-B-T: the TSA's token on the seal.
    assert!(printed.contains("id-smime-aa-timeStampToken"), "{printed}");
    assert!(printed.contains("signingTime"), "{printed}");

    // The route with its chain: registered first, signed on it, the head is
    // the last event's hash, as the tracking page shows it.
    assert_eq!(route["number"], number.as_str());
    let events = route["events"].as_array().unwrap();
    assert_eq!(events[0]["kind"], "registered");
    assert!(events.iter().any(|e| e["kind"] == "signed"), "{route}");
    assert_eq!(route["head"], events.last().unwrap()["hash"]);

    // Without a session: the sign-in page, not the container.
    let r = s.app.get(&bundle_path).await;
    assert_ne!(r.headers()["content-type"], ASIC);
    assert!(r.text().await.unwrap().contains("/desk/login"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_citizen_downloads_the_bundle_of_their_own_dossier_only() {
    use crate::portal::{Browser, last_code, registered, signed_up, spawn};
    let app = spawn().await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let r = reg
        .intake(
            "petitie",
            &[("cerere.pdf", ghiseu_tests::real_pdf("Cerere pe hârtie"))],
            &[("phone", "0745 000 555")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let id = location.split('/').nth(3).unwrap().to_owned();
    let number = ghiseu_tests::regno_in(&reg.html(&location).await);

    // The citizen claims the paper dossier with the code sent to its phone.
    let mut citizen = registered(&app).await;
    citizen.get("/portal/claim").await;
    let (status, _, _) = citizen
        .post(
            "/portal/claim",
            &[("institution", "alfa"), ("number", &number)],
        )
        .await;
    assert_eq!(status, 200);
    let code = last_code(&app, "+40745000555").await;
    let (status, _, _) = citizen
        .post(
            "/portal/claim/confirm",
            &[
                ("institution", "alfa"),
                ("number", &number),
                ("code", &code),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let path = format!("/portal/documents/alfa/{id}/bundle.asice");
    let (_, home) = citizen.get("/portal").await;
    assert!(home.contains(&path), "my documents link to it");

    // No seal yet: the citizen is told why, in words.
    let (status, _, body) = citizen.get_bytes(&path).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(String::from_utf8_lossy(&body).contains("nu are încă un sigiliu electronic"));

    enroll_seal(&app, "alfa", "Primăria Alfa").await;
    let (status, kind, bytes) = citizen.get_bytes(&path).await;
    assert_eq!(status, 200);
    assert_eq!(kind, ASIC);
    let ca = app
        .get("/api/v1/sandbox/csc/ca.pem")
        .await
        .text()
        .await
        .unwrap();
    let (listed, printed, _) = check_container(&bytes, &ca);
    assert_eq!(listed.len(), 2, "the scan and the route: {listed:?}");
    // No TSA configured here: CAdES-B-B.
    assert!(!printed.contains("id-smime-aa-timeStampToken"));

    // Another citizen gets nothing of it.
    let mut other = signed_up(&app, "Barbu Altul", "+40745000666").await;
    let (status, _, _) = other.get_bytes(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let mut anonymous = Browser::new(&app);
    let (status, _, _) = anonymous.get_bytes(&path).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // The registrar downloads it from the desk: the citizen sees that
    // opening of every document on "who opened my file".
    let r = reg.get(&format!("/desk/dossiers/{id}/bundle.asice")).await;
    assert_eq!(r.status(), 200);
    let (_, opened) = citizen
        .get(&format!("/portal/documents/alfa/{id}/access"))
        .await;
    assert!(
        opened.contains("arhiva dosarului (toate documentele)"),
        "{opened}"
    );

    // A stored file whose bytes changed is never sent under the seal: the
    // download breaks off instead of ending as a short, plausible file.
    let scan = listed[0].1.clone();
    let hex: String = base64::engine::general_purpose::STANDARD
        .decode(&scan)
        .unwrap()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let stored = find(app.data_dir(), &hex).expect("the scan is in the object store");
    std::fs::write(&stored, b"%PDF-1.4 altered").unwrap();
    let sent = reg
        .client
        .get(format!("{}/desk/dossiers/{id}/bundle.asice", reg.base))
        .header("cookie", &reg.cookie)
        .send()
        .await;
    let broken = match sent {
        Err(e) => e.is_request(),
        Ok(r) => r.bytes().await.is_err(),
    };
    assert!(broken, "the response is cut");
}

/// The file named `name` under `dir`, at any depth.
pub(crate) fn find(dir: &Path, name: &str) -> Option<std::path::PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if let Some(found) = find(&path, name) {
                return Some(found);
            }
        } else if path.file_name().is_some_and(|n| n == name) {
            return Some(path);
        }
    }
    None
}

/// `unzip -Z1`'s names and the files of `zip`, extracted under `dir`.
fn extract(dir: &Path, zip: &[u8]) -> Vec<String> {
    std::fs::write(dir.join("a.zip"), zip).unwrap();
    let (ok, report) = run(dir, "unzip", &["-t", "a.zip"]);
    assert!(ok && report.contains("No errors detected"), "{report}");
    let (ok, out) = run(dir, "unzip", &["-q", "a.zip", "-d", "x"]);
    assert!(ok, "{out}");
    let (_, listing) = run(dir, "unzip", &["-Z1", "a.zip"]);
    listing.lines().map(str::to_owned).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_year_is_exported_as_sealed_containers_with_an_index() {
    let app = crate::portal::spawn().await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let adm = app.desk_sign_in("alfa", "adm", "parola-adm-lunga").await;
    // Two numbers whose requests died after taking them; the registry
    // annuls the first.
    let y = crate::desk::year();
    for _ in 0..2 {
        let r = app.post(&format!("/probe/incr/t/alfa/regno/{y}"), "").await;
        assert_eq!(r.status(), 200);
    }
    let r = reg
        .form(
            "/desk/registry/annul",
            &[
                ("number", format!("ALF-{y}-000001").as_str()),
                ("reason", "Registrul a căzut după ce a dat numărul"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mut numbers = Vec::new();
    for n in 0..3 {
        let scan = ghiseu_tests::real_pdf(&format!("Petiția {n}"));
        let r = reg
            .intake(
                "petitie",
                &[("cerere.pdf", scan)],
                &[("phone", "0745 000 777")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        numbers.push(ghiseu_tests::regno_in(&reg.html(&location).await));
    }
    let year = numbers[0].split('-').nth(1).unwrap().to_owned();
    let export = |q: &str| format!("/admin/archive/export.zip?{q}");
    assert!(
        adm.html("/admin/archive")
            .await
            .contains("/admin/archive/export.zip")
    );

    // Refused before a byte goes out: no seal yet, a bad year or range; and
    // a registrar is not the institution's administrator.
    let r = adm.get(&export(&format!("year={year}"))).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("nu are încă un sigiliu electronic")
    );
    enroll_seal(&app, "alfa", "Primăria Alfa").await;
    for q in [
        "year=abc".to_owned(),
        "year=1999".to_owned(),
        format!("year={year}&first=3&last=2"),
        format!("year={year}&last=6"),
        format!("year={year}&first=0"),
    ] {
        let r = adm.get(&export(&q)).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        assert!(r.text().await.unwrap().contains("role=\"alert\""), "{q}");
    }
    let r = reg.get(&export(&format!("year={year}"))).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The whole year: a container per dossier, then the index.
    let r = adm.get(&export(&format!("year={year}"))).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains(&format!("arhiva-alfa-{year}.zip")),
        "{disposition}"
    );
    let zip = r.bytes().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let names = extract(dir.path(), &zip);
    let expected: Vec<String> = numbers
        .iter()
        .map(|n| format!("dosare/dosar-{n}.asice"))
        .chain(["index.csv".to_owned(), "index.json".to_owned()])
        .collect();
    assert_eq!(names, expected);
    let x = dir.path().join("x");
    let ca = app
        .get("/api/v1/sandbox/csc/ca.pem")
        .await
        .text()
        .await
        .unwrap();
    let index: Value =
        serde_json::from_slice(&std::fs::read(x.join("index.json")).unwrap()).unwrap();
    let rows = index.as_array().unwrap();
    assert_eq!(rows.len(), 5, "every number of the year: {index}");
    assert_eq!(rows[0]["number"], format!("ALF-{y}-000001"));
    assert_eq!(rows[0]["kind"], "annulled");
    assert_eq!(rows[1]["number"], format!("ALF-{y}-000002"));
    assert_eq!(rows[1]["kind"], "missing");
    assert!(rows[1]["bundle"].is_null());
    for (row, number) in rows[2..].iter().zip(&numbers) {
        let container = std::fs::read(x.join(row["bundle"].as_str().unwrap())).unwrap();
        let (listed, _, route) = check_container(&container, &ca);
        assert_eq!(row["number"], number.as_str());
        assert_eq!(row["kind"], "dossier");
        assert_eq!(row["document_type"], "petitie");
        assert_eq!(row["documents"], listed.len() - 1);
        assert_eq!(row["size"], container.len());
        assert_eq!(row["sha256"], ghiseu_tests::sha256_hex(&container));
        assert_eq!(route["number"], number.as_str());
    }
    let csv = std::fs::read_to_string(x.join("index.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("\u{feff}number,kind,registered_at"),
        "{csv}"
    );
    assert_eq!(lines.len(), 6, "{csv}");
    assert!(
        lines[1].starts_with(&format!("ALF-{y}-000001,annulled,,")),
        "{csv}"
    );
    assert!(
        lines[4].starts_with(&format!("{},dossier,", numbers[1])),
        "{csv}"
    );

    // A range of numbers.
    let r = adm
        .get(&export(&format!("year={year}&first=4&last=5")))
        .await;
    assert_eq!(r.status(), 200);
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.contains("-000004-000005.zip"), "{disposition}");
    let dir = tempfile::tempdir().unwrap();
    let names = extract(dir.path(), &r.bytes().await.unwrap());
    assert_eq!(names.len(), 4, "{names:?}");
    assert_eq!(names[0], format!("dosare/dosar-{}.asice", numbers[1]));
}

/// Built in memory, an archive of four 10 MiB scans would not fit an
/// instance of 32 MiB; sent as it is made, it does, and so does a dossier's
/// container of two of them.
#[tokio::test(flavor = "multi_thread")]
async fn an_archive_larger_than_an_instances_memory_is_sent_whole() {
    const SCAN: usize = 10 * 1024 * 1024 - 8 * 1024;
    let scan = |tag: u8| {
        let mut v = b"%PDF-1.4\n1 0 obj<<>>endobj\n".to_vec();
        v.extend(ghiseu_tests::random_bytes(SCAN - v.len() - 8));
        v.push(tag);
        v.extend(b"\n%%EOF\n");
        v
    };
    let app = ghiseu_tests::App::desk(ghiseu_tests::Backend::Sqlite)
        .memory_limit_mb(32)
        .max_body_bytes(24 << 20)
        .spawn()
        .await;
    assert_eq!(app.seed(&crate::portal::seed()).await.status(), 200);
    enroll_seal(&app, "alfa", "Primăria Alfa").await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let adm = app.desk_sign_in("alfa", "adm", "parola-adm-lunga").await;
    let mut total = 0;
    let mut last = String::new();
    for n in 0..2u8 {
        let files = [("p1.pdf", scan(2 * n)), ("p2.pdf", scan(2 * n + 1))];
        total += files.iter().map(|(_, f)| f.len()).sum::<usize>();
        let r = reg.intake("petitie", &files, &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        last = r.headers()["location"].to_str().unwrap().to_owned();
    }
    let number = ghiseu_tests::regno_in(&reg.html(&last).await);
    let year = number.split('-').nth(1).unwrap().to_owned();
    let r = adm
        .get(&format!("/admin/archive/export.zip?year={year}"))
        .await;
    assert_eq!(r.status(), 200);
    let zip = r.bytes().await.expect("the whole archive arrives");
    assert!(
        zip.len() > total,
        "{} bytes for {total} of scans",
        zip.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let names = extract(dir.path(), &zip);
    assert_eq!(names.len(), 4, "{names:?}");
    // One dossier's container, 20 MiB, from the desk.
    let id = last.split('/').nth(3).unwrap();
    let r = reg.get(&format!("/desk/dossiers/{id}/bundle.asice")).await;
    assert_eq!(r.status(), 200);
    let bundle = r.bytes().await.expect("the whole container arrives");
    let ca = app
        .get("/api/v1/sandbox/csc/ca.pem")
        .await
        .text()
        .await
        .unwrap();
    let (listed, _, _) = check_container(&bundle, &ca);
    assert_eq!(listed.len(), 3);
}
