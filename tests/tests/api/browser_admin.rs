//! A town hall's administrator in a real browser (issue 19, item 7): headless
//! Chromium, driven by playwright-core (`tests/browser/admin.mjs`), signs in at the
//! desk, goes through every administration page, builds a new document type in the
//! editor's form (four fields of different kinds, one moved up, one removed), saves
//! it, and reads the translated pages in Hungarian; every page is checked with
//! axe-core (WCAG 2.1 A and AA) and for reflow at 320 px. A citizen, in a browser of
//! their own, then finds the new service and opens its form.
//! Screenshots land in `<target dir>/browser-artifacts/<test name>/`.
//!
//! Independently of the browser, the test then reads the type through the
//! administration's API and the citizen's catalogue, so a page that looks right
//! cannot hide a type that was not saved as built.

use std::time::Duration;

use ghiseu_tests::{App, Backend, workspace_root};
use serde_json::{Value, json};

use crate::admin::{json_of, tenant};
use crate::browser::{artifacts_dir, require_toolchain, run_script};

/// Browser start, some thirty pages and a citizen's sign-up; generous for a busy
/// 2-core machine.
const ADMIN_TIMEOUT: Duration = Duration::from_secs(300);
const CODE: &str = "aviz-terasa";
const TITLE: &str = "Autorizație de terasă";

/// What the administrator builds: four fields added in order, the third moved
/// above the second, then the third (the date, now) removed.
fn the_type() -> Value {
    json!({
        "code": CODE,
        "titles": {"ro": TITLE, "hu": "Teraszengedély", "en": "Terrace permit"},
        "deadline_days": "20",
        "first_department": "urbanism",
        "first_department_name": "Direcția Urbanism",
        "fields": [
            {"name": "nume", "kind": "text", "label": "Numele complet"},
            {"name": "data_inceperii", "kind": "date", "label": "Data începerii"},
            {"name": "ocupare", "kind": "select", "label": "Tipul ocupării",
             "options": ["terasă", "schelă"]},
            {"name": "acord", "kind": "checkbox", "label": "Sunt de acord cu prelucrarea datelor"},
        ],
        "move_up": 2,
        "remove": 2,
        "expected": [
            {"name": "nume", "label": "Numele complet"},
            {"name": "ocupare", "label": "Tipul ocupării"},
            {"name": "acord", "label": "Sunt de acord cu prelucrarea datelor"},
        ],
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn an_administrator_builds_a_type_in_the_browser_and_a_citizen_gets_its_form() {
    let test = "an_administrator_builds_a_type_in_the_browser_and_a_citizen_gets_its_form";
    require_toolchain(&workspace_root().join("tests/browser"));
    let artifacts = artifacts_dir(test);
    println!("browser artifacts: {}", artifacts.display());

    // Arrange: a town hall with an administrator, two departments, one type.
    let app = App::desk(Backend::Sqlite).spawn().await;
    let r = app.seed(&json!({"tenants": [tenant("alfa", "ALF")]})).await;
    assert_eq!(r.status(), 200, "seeding: {}", r.text().await.unwrap());
    let config = json!({
        "institution": "alfa",
        "admin": {"username": "adm", "password": "parola-adm"},
        "type": the_type(),
        "account": {
            "name": "Ana Pop",
            "phone": "0745000333",
            "phone_e164": "+40745000333",
            "password": "o parolă lungă de test 2026",
        },
    });

    // Act: the administrator, then the citizen, in the browser.
    let result = run_script(&app, "admin.mjs", &artifacts, &config, ADMIN_TIMEOUT).await;
    for page in [
        "departments",
        "officials",
        "branding",
        "quotas",
        "access",
        "editor-preview",
    ] {
        assert!(
            artifacts.join(format!("320-{page}.png")).is_file(),
            "{page}"
        );
    }
    assert_eq!(
        result["saved"],
        format!("/admin/document-types/{CODE}"),
        "{result:#}"
    );
    let labels: Vec<(&str, &str)> = result["citizen_labels"]
        .as_array()
        .expect("the citizen's labels")
        .iter()
        .map(|l| (l["for"].as_str().unwrap(), l["text"].as_str().unwrap()))
        .collect();
    assert_eq!(
        labels,
        [
            ("f_nume", "Numele complet"),
            ("f_ocupare", "Tipul ocupării"),
            ("f_acord", "Sunt de acord cu prelucrarea datelor"),
        ]
    );

    // Assert, without the browser: saved once, as built; the refused JSON
    // import and the cancelled deactivation changed nothing.
    let adm = app.desk_sign_in("alfa", "adm", "parola-adm").await;
    let ty = json_of(
        adm.get(&format!("/api/v1/admin/document-types/{CODE}"))
            .await,
    )
    .await;
    assert_eq!(
        (&ty["version"], &ty["active"], &ty["titles"]),
        (
            &json!(1),
            &json!(true),
            &json!({"ro": TITLE, "hu": "Teraszengedély", "en": "Terrace permit"})
        ),
        "{ty:#}"
    );
    assert_eq!(
        (
            &ty["deadline_days"],
            &ty["working_days"],
            &ty["first_department"]
        ),
        (&json!(20), &json!(true), &json!("urbanism")),
        "{ty:#}"
    );
    let fields: Vec<(&str, &str)> = ty["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["name"].as_str().unwrap(), f["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [
            ("nume", "text"),
            ("ocupare", "select"),
            ("acord", "checkbox")
        ]
    );
    let petitie = json_of(adm.get("/api/v1/admin/document-types/petitie").await).await;
    assert_eq!(petitie["active"], true, "{petitie:#}");
    // The citizens' public page offers it.
    let page = app.get("/institutions/alfa").await.text().await.unwrap();
    assert!(
        page.contains(&format!("id=\"{CODE}\"")) && page.contains(TITLE),
        "{page}"
    );
}
