//! The document-type editor as a form, used the way a browser without
//! JavaScript uses it: each button posts every input, and the page comes back
//! with the change; a save redirects to a confirmation. What it saves is what
//! citizens get on the portal. Bad input is explained in words and saves
//! nothing; roles read as words; deactivating a type asks first.

use ghiseu_tests::Official;
use reqwest::StatusCode;
use serde_json::Value;

use crate::admin::{json_of, spawn};
use crate::portal::signed_up;

/// The general inputs of a type, as the form posts them.
fn general<'a>(title_ro: &'a str, deadline: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("code", "aviz-terasa"),
        ("title_ro", title_ro),
        ("title_hu", "Teraszengedély"),
        ("title_en", "Terrace permit"),
        ("deadline_days", deadline),
        ("deadline_kind", "working"),
        ("first_department", "urbanism"),
        ("signature", "simple"),
        ("fee_lei", "25,50"),
        ("retention_years", "5"),
    ]
}

/// The inputs of one field `i` of `kind` named `name`.
fn field(i: usize, name: &str, kind: &str, label: &str) -> Vec<(String, String)> {
    let mut v = vec![
        (format!("f{i}_name"), name.to_owned()),
        (format!("f{i}_kind"), kind.to_owned()),
        (format!("f{i}_label_ro"), label.to_owned()),
        (format!("f{i}_required"), "on".to_owned()),
    ];
    match kind {
        "select" => v.push((format!("f{i}_options"), "terasă\nschelă".to_owned())),
        "attachment" => {
            v.push((format!("f{i}_type_pdf"), "on".to_owned()));
            v.push((format!("f{i}_max_mb"), "5".to_owned()));
        }
        "text" => v.push((format!("f{i}_max_chars"), "120".to_owned())),
        _ => {}
    }
    v
}

/// Posts the editor with `fields` (name, kind, label) and the button `op`.
async fn post(
    adm: &Official,
    path: &str,
    general: &[(&str, &str)],
    fields: &[(&str, &str, &str)],
    op: &str,
    new_kind: &str,
) -> reqwest::Response {
    let count = fields.len().to_string();
    let mut owned: Vec<(String, String)> = fields
        .iter()
        .enumerate()
        .flat_map(|(i, (n, k, l))| field(i, n, k, l))
        .collect();
    owned.push(("field_count".to_owned(), count));
    owned.push(("op".to_owned(), op.to_owned()));
    owned.push(("new_kind".to_owned(), new_kind.to_owned()));
    let mut all: Vec<(&str, &str)> = general.to_vec();
    all.extend(owned.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    adm.form(path, &all).await
}

/// The value of the input `id` on `html`.
fn value_of(html: &str, id: &str) -> String {
    let at = html
        .find(&format!("id=\"{id}\" name=\"{id}\" value=\""))
        .unwrap_or_else(|| panic!("no input {id}: {html}"));
    let rest = &html[at..];
    let start = rest.find("value=\"").unwrap() + 7;
    rest[start..start + rest[start..].find('"').unwrap()].to_owned()
}

/// The names of a page's fields, in order.
fn names(html: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| value_of(html, &format!("f{i}_name")))
        .collect()
}

#[tokio::test]
async fn a_type_built_in_the_form_reaches_the_portal_with_its_fields_in_order() {
    let app = spawn().await;
    let adm = app.desk_sign_in("alfa", "adm", "parola-adm").await;
    let page = adm.html("/admin/document-types/new").await;
    assert!(
        page.contains("Tip nou de document") && page.contains("Previzualizare"),
        "{page}"
    );
    let g = general("Autorizație de terasă", "15");
    let new = "/admin/document-types";

    // Three fields of different kinds, each added with its own button.
    let r = post(&adm, new, &g, &[], "add", "text").await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert_eq!(names(&html, 1), ["camp_1"]);
    assert!(
        html.contains("<option value=\"text\" selected>Text scurt</option>"),
        "{html}"
    );
    let mut fields = vec![("nume", "text", "Numele complet")];
    let html = post(&adm, new, &g, &fields, "add", "select")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(names(&html, 2), ["nume", "camp_2"]);
    fields.push(("ocupare", "select", "Tipul ocupării"));
    let html = post(&adm, new, &g, &fields, "add", "attachment")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(names(&html, 3), ["nume", "ocupare", "camp_3"]);
    assert!(
        html.contains("id=\"f2_type_png\" name=\"f2_type_png\" value=\"on\" checked"),
        "{html}"
    );
    fields.push(("plan", "attachment", "Plan de situație"));
    // The preview shows the form as a citizen will see it.
    assert!(
        html.contains("Trimite cererea") && html.contains("Taxă: 25,50 lei"),
        "{html}"
    );

    // Reorder: the plan moves up above the select; then the name goes.
    let html = post(&adm, new, &g, &fields, "up-2", "")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(names(&html, 3), ["nume", "plan", "ocupare"]);
    fields.swap(1, 2);
    let html = post(&adm, new, &g, &fields, "remove-0", "")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(names(&html, 2), ["plan", "ocupare"]);
    assert!(!html.contains("id=\"f2_name\""), "{html}");
    fields.remove(0);
    let types = json_of(adm.get("/api/v1/admin/document-types").await).await;
    assert_eq!(
        types.as_array().unwrap().len(),
        1,
        "nothing saved before Save"
    );

    // Save: a confirmation after the redirect, and the API's definition.
    let r = post(&adm, new, &g, &fields, "save", "").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        location,
        "/admin/document-types/aviz-terasa?saved=type_created"
    );
    let page = adm.html(&location).await;
    assert!(
        page.contains("role=\"status\"") && page.contains("Tipul de document a fost creat."),
        "{page}"
    );
    let forged = adm
        .html("/admin/document-types/aviz-terasa?saved=Tipul+a+fost+furat")
        .await;
    assert!(
        !forged.contains("role=\"status\""),
        "only known confirmations: {forged}"
    );
    let ty = json_of(adm.get("/api/v1/admin/document-types/aviz-terasa").await).await;
    assert_eq!(
        (&ty["fee_bani"], &ty["deadline_days"], &ty["working_days"]),
        (&Value::from(2550), &Value::from(15), &Value::from(true))
    );
    assert_eq!(
        (&ty["titles"]["hu"], &ty["titles"]["en"]),
        (
            &Value::from("Teraszengedély"),
            &Value::from("Terrace permit")
        )
    );
    let saved: Vec<&str> = ty["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(saved, ["plan", "ocupare"]);
    assert_eq!(ty["fields"][0]["max_bytes"], 5 * 1_048_576);
    assert_eq!(
        ty["fields"][1]["options"],
        serde_json::json!(["terasă", "schelă"])
    );

    // The citizen's form on the portal has the fields in that order.
    let mut citizen = signed_up(&app, "Ana Pop", "+40745000222").await;
    let (status, form) = citizen.get("/portal/new/alfa/aviz-terasa").await;
    assert_eq!(status, StatusCode::OK, "{form}");
    let (plan, ocupare) = (
        form.find("id=\"f_plan\"").unwrap(),
        form.find("id=\"f_ocupare\"").unwrap(),
    );
    assert!(plan < ocupare && !form.contains("f_nume"), "{form}");

    // Saving the edited type makes version 2, with its own confirmation.
    let edit = "/admin/document-types/aviz-terasa";
    let page = adm.html(edit).await;
    assert_eq!(value_of(&page, "fee_lei"), "25,50");
    assert_eq!(value_of(&page, "f0_max_mb"), "5");
    let g2 = general("Autorizație de terasă sezonieră", "15");
    let r = post(&adm, edit, &g2[1..], &fields, "save", "").await;
    assert_eq!(
        r.headers()["location"],
        "/admin/document-types/aviz-terasa?saved=type_saved"
    );
    let ty = json_of(adm.get("/api/v1/admin/document-types/aviz-terasa").await).await;
    assert_eq!(
        (&ty["version"], &ty["titles"]["ro"]),
        (
            &Value::from(2),
            &Value::from("Autorizație de terasă sezonieră")
        )
    );
}

#[tokio::test]
async fn bad_input_in_the_editor_is_explained_in_words_and_saves_nothing() {
    let app = spawn().await;
    let adm = app.desk_sign_in("alfa", "adm", "parola-adm").await;
    let fields = [("nume", "text", "Numele")];
    let r = post(
        &adm,
        "/admin/document-types",
        &general("", "0"),
        &fields,
        "save",
        "",
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    for want in [
        "href=\"#title_ro\">Titlul în română: Completați acest câmp.",
        "href=\"#deadline_days\">Termenul de soluționare: Trebuie să fie între 1 și 365 zile.",
        "id=\"deadline_days-error\"",
    ] {
        assert!(html.contains(want), "{want}: {html}");
    }
    assert!(
        !html.contains("must ") && !html.contains("display name"),
        "no English: {html}"
    );
    // What was typed is kept.
    assert_eq!(value_of(&html, "f0_name"), "nume");

    // A number that is not one, and the same in Hungarian.
    let html = post(
        &adm,
        "/admin/document-types",
        &general("Aviz", "treizeci"),
        &fields,
        "save",
        "",
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(
        html.contains("Scrieți un număr întreg") && value_of(&html, "deadline_days") == "treizeci",
        "{html}"
    );
    let r = post(
        &adm,
        "/admin/document-types?lang=hu",
        &general("", "30"),
        &fields,
        "save",
        "",
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("lang=\"hu\"") && html.contains("Cím románul: Töltse ki ezt a mezőt."),
        "{html}"
    );

    // A JSON import with a trailing comma: explained, never the parser's words.
    let r = adm
        .form(
            "/admin/document-types",
            &[
                ("op", "import"),
                ("definition", "{\"titles\": {\"ro\": \"Aviz\"},\n}"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("nu este JSON valid") && html.contains("rândul 2"),
        "{html}"
    );
    assert!(
        !html.contains("trailing comma") && html.contains("<details open"),
        "{html}"
    );

    let types = json_of(adm.get("/api/v1/admin/document-types").await).await;
    assert_eq!(
        types.as_array().unwrap().len(),
        1,
        "nothing was saved: {types}"
    );
}

#[tokio::test]
async fn roles_read_as_words_and_deactivating_a_type_asks_first() {
    let app = spawn().await;
    let adm = app.desk_sign_in("alfa", "adm", "parola-adm").await;
    let page = adm.html("/admin/officials").await;
    for role in [
        "Registratură",
        "Funcționar",
        "Șef de serviciu",
        "Semnatar",
        "Administrator",
    ] {
        assert!(page.contains(&format!(">{role}</label>")), "{role}: {page}");
    }
    assert!(
        !page.contains(">head_of_department<") && !page.contains(">tenant_admin<"),
        "{page}"
    );
    let page = adm.html("/admin/officials?lang=en").await;
    assert!(
        page.contains(">Head of department</label>") && page.contains("lang=\"en\""),
        "{page}"
    );

    // The list has a quiet link-styled control, not a big button.
    let list = adm.html("/admin/document-types").await;
    assert!(list.contains("class=\"link\" type=\"submit\""), "{list}");
    assert!(
        !list.contains("<button type=\"submit\">Dezactivează</button>"),
        "{list}"
    );
    // Pressed, it asks; nothing changes until confirmed.
    let r = adm
        .form("/admin/document-types/petitie/deactivate", &[])
        .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Dezactivați tipul de document?") && html.contains("Da, dezactivează"),
        "{html}"
    );
    let ty = json_of(adm.get("/api/v1/admin/document-types/petitie").await).await;
    assert_eq!(ty["active"], true);
    let r = adm
        .form(
            "/admin/document-types/petitie/deactivate",
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"],
        "/admin/document-types?saved=type_deactivated"
    );
    let ty = json_of(adm.get("/api/v1/admin/document-types/petitie").await).await;
    assert_eq!(ty["active"], false);
    let list = adm
        .html("/admin/document-types?saved=type_deactivated")
        .await;
    assert!(
        list.contains("nu mai poate fi cerut")
            && list.contains("class=\"tag stopped\">dezactivat<"),
        "{list}"
    );

    // Other saves confirm too: a department.
    let r = adm
        .form(
            "/admin/departments",
            &[("code", "juridic"), ("name", "Juridic")],
        )
        .await;
    assert_eq!(
        r.headers()["location"],
        "/admin/departments?saved=department"
    );
    let page = adm.html("/admin/departments?saved=department").await;
    assert!(page.contains("Departamentul a fost salvat."), "{page}");
}
