//! The paper-dossier journey in a real browser (issues 4 and 19): headless Chromium,
//! driven by playwright-core (`tests/browser/journey.mjs`), signs in to the desk as a
//! registrar and registers a scanned paper through the two-step intake (with the
//! petitioner's name, phone, language and page count), checks the receipt page's
//! print button and reads both receipt PDFs (A6 and A4 page sizes, their text, their
//! QR code decoded back to the short tracking URL); as an official of its first
//! department forwards it; as the head of the receiving department is offered the
//! expected step first, the rest behind a disclosure and a rejection held until
//! confirmed, and resolves it; then opens the QR link on a 360×740 phone viewport
//! and checks that the tracking page shows every step. Every desk page on the way
//! passes axe-core (WCAG 2.1 AA), reflows at 320 px and shows neither English nor a
//! raw code. Screenshots land in `<target dir>/browser-artifacts/<test name>/`.
//!
//! Independently of the browser, the test then reads `GET /api/v1/track/{token}` and
//! checks the route, so a page that looks right cannot hide a broken backend.
//!
//! Needs `node`, `/usr/bin/chromium`, `tests/browser/node_modules`, poppler-utils
//! and zbar-tools; `cargo xtask test` installs them. Without them the test fails,
//! it never skips.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use ghiseu_core::{Lang, event_label};
use ghiseu_tests::{App, Backend, TestApp, target_dir, workspace_root};
use serde_json::{Value, json};

/// The whole journey, browser start included; generous for a busy 2-core machine.
const JOURNEY_TIMEOUT: Duration = Duration::from_secs(240);
const CHROMIUM: &str = "/usr/bin/chromium";
const FORWARD_NOTE: &str = "Avizul Direcției Juridice este necesar";
const RESOLVE_NOTE: &str = "Certificat emis";
/// Who brought the paper, as the registrar types it: a Hungarian speaker (so
/// the receipt PDFs are in Hungarian) and an unusual page count (so finding it
/// in the PDF's text means something).
const PETITIONER_NAME: &str = "Kovács Ilona-Mărioara";
const PETITIONER_PAGES: u32 = 37;

/// Who does what, picked from the demo seed.
struct Plan {
    tenant: Value,
    document_type: String,
    document_type_title: String,
    registrar: Value,
    official: Value,
    head: Value,
    first_department: String,
    forward_to: String,
}

fn with_role<'a>(tenant: &'a Value, role: &str, department: Option<&str>) -> Option<&'a Value> {
    tenant["officials"].as_array()?.iter().find(|o| {
        o["roles"]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x == role))
            && department.is_none_or(|d| o["department"] == d)
    })
}

/// A tenant with a registrar and a document type whose first department has both an
/// official and a head, plus another department with a head to forward to.
fn plan(seed: &Value) -> Plan {
    for tenant in seed["tenants"].as_array().expect("seed tenants") {
        let Some(registrar) = with_role(tenant, "registrar", None) else {
            continue;
        };
        for doc_type in tenant["document_types"].as_array().into_iter().flatten() {
            let first = doc_type["first_department"].as_str().unwrap_or_default();
            let (Some(official), Some(_)) = (
                with_role(tenant, "official", Some(first)),
                with_role(tenant, "head_of_department", Some(first)),
            ) else {
                continue;
            };
            let target = tenant["departments"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|d| d["code"].as_str())
                .filter(|&d| d != first)
                .find_map(|d| with_role(tenant, "head_of_department", Some(d)).map(|h| (d, h)));
            if let Some((forward_to, head)) = target {
                return Plan {
                    tenant: tenant.clone(),
                    document_type: doc_type["code"].as_str().unwrap().to_owned(),
                    document_type_title: doc_type["titles"]["ro"].as_str().unwrap().to_owned(),
                    registrar: registrar.clone(),
                    official: official.clone(),
                    head: head.clone(),
                    first_department: first.to_owned(),
                    forward_to: forward_to.to_owned(),
                };
            }
        }
    }
    panic!(
        "infra/seed/demo.json has no tenant with a registrar and a document type whose first \
         department has an official and a head, and another department with a head"
    );
}

impl Plan {
    fn department_name(&self, code: &str) -> String {
        self.tenant["departments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == code)
            .and_then(|d| d["name"].as_str())
            .unwrap_or_else(|| panic!("department {code} in the seed"))
            .to_owned()
    }

    fn login(o: &Value) -> Value {
        json!({"username": o["username"], "password": o["password"]})
    }

    /// What a Romanian official must never read on a desk page: the tenant's
    /// document type codes and hyphenated department codes (the other ones are
    /// plain words, `juridic`), and the English "(paper)".
    fn raw_codes(&self) -> Vec<String> {
        let codes = |list: &str| -> Vec<String> {
            self.tenant[list]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x["code"].as_str().map(str::to_owned))
                .collect()
        };
        let mut raw = codes("document_types");
        raw.extend(codes("departments").into_iter().filter(|c| c.contains('-')));
        raw.push("(paper)".to_owned());
        raw
    }

    /// The script's configuration; the expected step labels are the domain's own.
    fn config(&self) -> Value {
        let label = |code| event_label(code, Lang::Ro).expect("a known event code");
        let first = self.department_name(&self.first_department);
        let target = self.department_name(&self.forward_to);
        json!({
            "institution": self.tenant["slug"],
            "registration_prefix": self.tenant["registration_prefix"],
            "document_type": self.document_type,
            "document_type_title": self.document_type_title,
            "petitioner": {
                "name": PETITIONER_NAME, "phone": "0740 123 456", "lang": "hu",
                "pages": PETITIONER_PAGES,
            },
            // Forwarded, the dossier waits in the new department for an
            // official: the head's expected step is to assign it.
            "head_primary": {"action": "assign", "button": "Repartizează"},
            "raw_codes": self.raw_codes(),
            "registrar": Self::login(&self.registrar),
            "official": Self::login(&self.official),
            "head": Self::login(&self.head),
            "forward_to": self.forward_to,
            "forward_note": FORWARD_NOTE,
            "resolve_note": RESOLVE_NOTE,
            "expected_steps": [
                {"label": label("registered"), "department": first},
                {"label": label("forwarded"), "department": target, "note": FORWARD_NOTE},
                {"label": label("resolved"), "department": target, "note": RESOLVE_NOTE},
            ],
        })
    }
}

/// Fails (never skips) when the browser toolchain is missing.
pub(crate) fn require_toolchain(browser_dir: &Path) {
    let hint = "`cargo xtask test` installs it (apt-get install chromium nodejs npm, then \
                `npm ci` in tests/browser)";
    let node = std::process::Command::new("node").arg("--version").output();
    assert!(
        node.is_ok_and(|o| o.status.success()),
        "`node` is not on PATH: {hint}"
    );
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: {hint}"
    );
    for package in ["playwright-core", "axe-core"] {
        assert!(
            browser_dir.join("node_modules").join(package).is_dir(),
            "{} is missing: {hint}",
            browser_dir.join("node_modules").join(package).display()
        );
    }
}

/// Fails (never skips) when a command the journey reads the receipt PDFs
/// with is missing.
fn require_pdf_tools() {
    for (command, package) in [
        ("pdfinfo", "poppler-utils"),
        ("pdftotext", "poppler-utils"),
        ("pdftoppm", "poppler-utils"),
        ("zbarimg", "zbar-tools"),
    ] {
        let found = std::process::Command::new(command)
            .arg("-v")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok();
        assert!(
            found,
            "`{command}` is not on PATH: `cargo xtask test` installs it (apt-get install {package})"
        );
    }
}

pub(crate) fn artifacts_dir(test: &str) -> PathBuf {
    let dir = target_dir().join("browser-artifacts").join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("creating the browser artifacts dir");
    dir
}

/// Runs `tests/browser/{script}` against `app` with `config` (written beside the
/// screenshots as `{script}.json`); fails with the script's output and the host's
/// log unless it succeeds, prints its output, checks every screenshot it lists
/// and returns its `RESULT` line.
pub(crate) async fn run_script(
    app: &TestApp,
    script: &str,
    artifacts: &Path,
    config: &Value,
    timeout: Duration,
) -> Value {
    let config_path = artifacts.join(format!("{script}.json"));
    std::fs::write(&config_path, serde_json::to_vec_pretty(config).unwrap())
        .expect("writing the script's config");
    let browser_dir = workspace_root().join("tests/browser");
    let started = Instant::now();
    let child = tokio::process::Command::new("node")
        .arg(browser_dir.join(script))
        .arg(&app.address)
        .arg(artifacts)
        .arg(&config_path)
        .current_dir(&browser_dir)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .env("CHROMIUM", CHROMIUM)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawning node");
    let output = match tokio::time::timeout(timeout, child.wait_with_output()).await {
        Ok(out) => out.expect("waiting for node"),
        // Dropping the future kills node (kill_on_drop); Chromium goes with its pipe.
        Err(_) => panic!(
            "{script} did not finish within {timeout:?}; screenshots in {}",
            artifacts.display()
        ),
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{script} took {:.1?}", started.elapsed());
    if !output.status.success() {
        // Whether the host still answers tells a dead host from a page that failed.
        let host = match reqwest::get(app.url("/desk/login")).await {
            Ok(r) => format!("the host still answers ({})", r.status()),
            Err(e) => format!("the host does not answer: {e}"),
        };
        panic!(
            "{script} failed ({}); {host}; screenshots in {}\n--- stdout\n{stdout}\n\
             --- stderr\n{stderr}\n--- host log\n{}",
            output.status,
            artifacts.display(),
            app.log()
        );
    }
    println!("{stdout}{stderr}");
    let result: Value = stdout
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("RESULT "))
        .map(|l| serde_json::from_str(l).expect("the RESULT line is JSON"))
        .unwrap_or_else(|| panic!("{script} printed no RESULT line"));
    for shot in result["screenshots"].as_array().expect("screenshots") {
        let path = Path::new(shot.as_str().unwrap());
        let len = std::fs::metadata(path).map_or(0, |m| m.len());
        assert!(
            len > 1000,
            "screenshot {} is missing or empty",
            path.display()
        );
    }
    result
}

/// Fails unless the script inspected (axe-core, reflow at 320 px, language)
/// each of `pages`: `inspect.mjs` saves `pages/{nn}-{name}.png` for each.
pub(crate) fn assert_inspected(artifacts: &Path, pages: &[&str]) {
    let saved: Vec<String> = std::fs::read_dir(artifacts.join("pages"))
        .expect("the inspected pages' folder")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    for page in pages {
        assert!(
            saved.iter().any(|f| f.ends_with(&format!("-{page}.png"))),
            "the {page} page was not inspected: {saved:?}"
        );
    }
}

/// Loads the demo seed, `infra/seed/demo.json`, into `app`; returns it and the
/// platform's answer (the logins, the demo dossiers with their tracking links).
pub(crate) async fn seed_demo(app: &TestApp) -> (Value, Value) {
    let seed: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace_root().join("infra/seed/demo.json"))
            .expect("reading infra/seed/demo.json"),
    )
    .expect("infra/seed/demo.json is JSON");
    let r = app.seed(&seed).await;
    assert_eq!(r.status(), 200, "seeding: {}", r.text().await.unwrap());
    (seed, r.json().await.expect("the seed's answer is JSON"))
}

#[tokio::test]
async fn a_paper_dossier_is_registered_forwarded_resolved_and_tracked_on_a_phone() {
    let test = "a_paper_dossier_is_registered_forwarded_resolved_and_tracked_on_a_phone";
    let browser_dir = workspace_root().join("tests/browser");
    require_toolchain(&browser_dir);
    require_pdf_tools();
    let artifacts = artifacts_dir(test);
    println!("browser artifacts: {}", artifacts.display());

    let app = App::desk(Backend::Sqlite).spawn().await;
    let (seed, _) = seed_demo(&app).await;

    let plan = plan(&seed);
    let config = plan.config();

    let result = run_script(&app, "journey.mjs", &artifacts, &config, JOURNEY_TIMEOUT).await;
    assert!(artifacts.join("06-tracking-360x740.png").is_file());
    assert_inspected(
        &artifacts,
        &[
            "inbox",
            "intake-type",
            "intake-form",
            "receipt",
            "account",
            "dossier-official",
            "dossier-head",
        ],
    );
    // The receipts the script downloaded and read (page size, text, QR code).
    for file in [
        "receipt-a6.pdf",
        "receipt-a4.pdf",
        "receipt-a6.png",
        "receipt-a4.png",
    ] {
        assert!(artifacts.join(file).is_file(), "{file} missing");
    }

    // The backend, without the browser: the public JSON has the same route.
    let token = result["token"].as_str().expect("token");
    let r = app.get(&format!("/api/v1/track/{token}")).await;
    assert_eq!(r.status(), 200);
    let json: Value = r.json().await.unwrap();
    assert_eq!(json["registration_number"], result["regno"]);
    assert_eq!(json["status"], "resolved");
    let first = plan.department_name(&plan.first_department);
    let target = plan.department_name(&plan.forward_to);
    let route: Vec<(&str, &str, &str)> = json["route"]
        .as_array()
        .expect("a route")
        .iter()
        .map(|e| {
            (
                e["event"].as_str().unwrap_or_default(),
                e["department"].as_str().unwrap_or_default(),
                e["note"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        route,
        [
            ("registered", first.as_str(), ""),
            ("forwarded", target.as_str(), FORWARD_NOTE),
            ("resolved", target.as_str(), RESOLVE_NOTE),
        ],
        "{json:#}"
    );
    assert_eq!(json["current"]["department"], target.as_str());
}
