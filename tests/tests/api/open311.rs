//! Open311 GeoReport v2, read-only (`functions/opendata/src/open311.rs`):
//! discovery, services, a service's definition and the requests, in JSON and
//! in XML, with the specification's fields and error shape, filtered by
//! status, service and a window of at most 90 days, and no personal data.

use ghiseu_tests::{Backend, TestApp, sample_pdf as pdf};
use serde_json::{Value, json};

const NAME: &str = "Zamfira Ungureanu-Pătrășcanu";
const EMAIL: &str = "zamfira.open311@example.ro";
const PHONE: &str = "0745 987 321";
const ADDRESS: &str = "Strada Memorandumului 21";

/// The fields of a service request, as the specification lists them (the
/// personal ones, `description`, `address`, `lat`, `long`, `media_url`,
/// left out).
const REQUEST_FIELDS: [&str; 10] = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
];

async fn platform() -> TestApp {
    let app = crate::desk::spawn(Backend::Sqlite).await;
    let mut gamma = crate::desk::tenant("gamma", "GAM");
    gamma["document_types"].as_array_mut().unwrap().push(json!({
        "code": "autorizatie", "titles": {"ro": "Autorizație de construire"},
        "deadline": {"count": "calendar_days", "days": 30}, "first_department": "urbanism",
        "fields": [
            {"name": "adresa", "label": {"ro": "Adresa imobilului"}, "required": true,
             "type": "address"},
            {"name": "suprafata", "label": {"ro": "Suprafața (mp)"}, "required": false,
             "type": "number", "min": 1, "max": 100000},
            {"name": "scop", "label": {"ro": "Scopul"}, "required": true,
             "type": "select", "options": ["locuință", "comerț"]},
            {"name": "plan", "label": {"ro": "Planul"}, "required": true,
             "type": "attachment", "types": ["application/pdf"], "max_bytes": 1000000}
        ]
    }));
    let r = app.seed(&json!({"tenants": [gamma]})).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app
}

async fn get(app: &TestApp, path: &str) -> (u16, String, String) {
    let r = app.get(path).await;
    let status = r.status().as_u16();
    let kind = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, r.text().await.unwrap())
}

async fn json_of(app: &TestApp, path: &str) -> Value {
    let (status, kind, body) = get(app, path).await;
    assert_eq!(status, 200, "{path}: {body}");
    assert!(kind.starts_with("application/json"), "{path}: {kind}");
    serde_json::from_str(&body).unwrap()
}

/// The XML answer of `path`, checked to be well formed, as (root name,
/// the children of each item: element name → text).
async fn xml_of(app: &TestApp, path: &str) -> (String, Vec<Vec<(String, String)>>) {
    let (status, kind, body) = get(app, path).await;
    assert_eq!(status, 200, "{path}: {body}");
    assert!(kind.starts_with("text/xml"), "{path}: {kind}");
    let doc = roxmltree::Document::parse(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"));
    let root = doc.root_element();
    let items = root
        .children()
        .filter(roxmltree::Node::is_element)
        .map(|item| {
            item.children()
                .filter(roxmltree::Node::is_element)
                .map(|f| {
                    (
                        f.tag_name().name().to_owned(),
                        f.text().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .collect();
    (root.tag_name().name().to_owned(), items)
}

fn field<'a>(item: &'a [(String, String)], name: &str) -> &'a str {
    item.iter()
        .find(|(k, _)| k == name)
        .map_or_else(|| panic!("no {name} in {item:?}"), |(_, v)| v.as_str())
}

#[tokio::test]
async fn requests_are_listed_in_json_and_xml_with_the_specifications_fields_and_nothing_personal() {
    let app = platform().await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let sef = app.desk_sign_in("alfa", "sef", "parola-sef").await;
    let r = reg
        .intake(
            "petitie",
            &[("cerere.pdf", pdf())],
            &[("name", NAME), ("email", EMAIL), ("phone", PHONE)],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (open_id, open_number, _) = reg.register("petitie").await;
    let (resolved, resolved_number, _) = reg.register("certificat-urbanism").await;
    let r = sef
        .act_now(
            &resolved,
            &[("action", "resolve"), ("resolve_note", "Răspuns trimis")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let _ = open_id;

    // JSON: three requests, newest first, each with the specification's fields.
    let list = json_of(&app, "/open311/v2/requests.json?jurisdiction_id=alfa").await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 3, "{list:?}");
    for r in list {
        for f in REQUEST_FIELDS {
            assert!(r.get(f).is_some(), "{f} in {r}");
        }
        for personal in [
            "description",
            "address",
            "lat",
            "long",
            "media_url",
            "email",
        ] {
            assert!(r.get(personal).is_none(), "{personal} in {r}");
        }
        chrono::DateTime::parse_from_rfc3339(r["requested_datetime"].as_str().unwrap()).unwrap();
        chrono::DateTime::parse_from_rfc3339(r["expected_datetime"].as_str().unwrap()).unwrap();
    }
    assert_eq!(list[0]["service_request_id"], resolved_number.as_str());
    assert_eq!(list[0]["status"], "closed");
    assert_eq!(list[0]["service_code"], "certificat-urbanism");
    assert_eq!(list[0]["service_name"], "Certificat de urbanism");
    assert_eq!(list[0]["agency_responsible"], "Direcția Urbanism");
    assert_eq!(list[1]["service_request_id"], open_number.as_str());
    assert_eq!(list[1]["status"], "open");
    assert_eq!(list[1]["agency_responsible"], "Registratura");
    // The status notes are the tracking page's words for the public status.
    let registered = ghiseu_core::public_view::status_label(
        ghiseu_core::PublicStatus::Registered,
        ghiseu_core::Lang::Ro,
    );
    assert_eq!(list[1]["status_notes"], registered);

    // Filters: status, service, and one request by its number.
    let open = json_of(
        &app,
        "/open311/v2/requests.json?jurisdiction_id=alfa&status=open",
    )
    .await;
    assert_eq!(open.as_array().unwrap().len(), 2);
    let certs = json_of(
        &app,
        "/open311/v2/requests.json?jurisdiction_id=alfa&service_code=certificat-urbanism,altul",
    )
    .await;
    assert_eq!(certs.as_array().unwrap().len(), 1);
    let old = json_of(
        &app,
        "/open311/v2/requests.json?jurisdiction_id=alfa&start_date=2025-01-01&end_date=2025-03-01",
    )
    .await;
    assert_eq!(old, json!([]), "nothing registered in that window");
    let one = json_of(
        &app,
        &format!("/open311/v2/requests/{resolved_number}.json?jurisdiction_id=alfa"),
    )
    .await;
    assert_eq!(one.as_array().unwrap().len(), 1);
    assert_eq!(one[0]["service_request_id"], resolved_number.as_str());

    // XML says the same, with the specification's element names.
    let (root, items) = xml_of(&app, "/open311/v2/requests.xml?jurisdiction_id=alfa").await;
    assert_eq!(root, "service_requests");
    assert_eq!(items.len(), 3);
    for (item, json) in items.iter().zip(list) {
        let names: Vec<&str> = item.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, REQUEST_FIELDS);
        for f in REQUEST_FIELDS {
            assert_eq!(field(item, f), json[f].as_str().unwrap(), "{f}");
        }
    }
    let (root, items) = xml_of(
        &app,
        &format!("/open311/v2/requests/{open_number}.xml?jurisdiction_id=alfa"),
    )
    .await;
    assert_eq!((root.as_str(), items.len()), ("service_requests", 1));

    // Nothing personal anywhere.
    for path in [
        "/open311/v2/requests.json?jurisdiction_id=alfa",
        "/open311/v2/requests.xml?jurisdiction_id=alfa",
    ] {
        let (_, _, body) = get(&app, path).await;
        for personal in [NAME, "Zamfira", EMAIL, "987", ADDRESS, "Răspuns trimis"] {
            assert!(!body.contains(personal), "{personal} in {path}: {body}");
        }
    }
    // Another institution's requests are its own.
    let beta = json_of(&app, "/open311/v2/requests.json?jurisdiction_id=beta").await;
    assert_eq!(beta, json!([]));
    let (status, _, _) = get(
        &app,
        &format!("/open311/v2/requests/{open_number}.json?jurisdiction_id=beta"),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn services_and_a_services_form_are_described_in_both_formats() {
    let app = platform().await;
    let services = json_of(&app, "/open311/v2/services.json?jurisdiction_id=gamma").await;
    let services = services.as_array().unwrap();
    let codes: Vec<&str> = services
        .iter()
        .map(|s| s["service_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 3, "{services:?}");
    assert!(codes.contains(&"autorizatie"));
    let a = services
        .iter()
        .find(|s| s["service_code"] == "autorizatie")
        .unwrap();
    assert_eq!(a["service_name"], "Autorizație de construire");
    assert_eq!(a["metadata"], true);
    assert_eq!(a["type"], "realtime");
    assert_eq!(a["group"], "Direcția Urbanism");
    let (root, items) = xml_of(&app, "/open311/v2/services.xml?jurisdiction_id=gamma").await;
    assert_eq!(root, "services");
    assert_eq!(items.len(), 3);
    for item in &items {
        let names: Vec<&str> = item.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "service_code",
                "service_name",
                "description",
                "metadata",
                "type",
                "keywords",
                "group"
            ]
        );
    }

    // The form as attributes, in order; the file is not an attribute.
    let def = json_of(
        &app,
        "/open311/v2/services/autorizatie.json?jurisdiction_id=gamma",
    )
    .await;
    assert_eq!(def["service_code"], "autorizatie");
    let attrs = def["attributes"].as_array().unwrap();
    let summary: Vec<(String, String, bool, i64)> = attrs
        .iter()
        .map(|a| {
            (
                a["code"].as_str().unwrap().to_owned(),
                a["datatype"].as_str().unwrap().to_owned(),
                a["required"].as_bool().unwrap(),
                a["order"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("adresa".into(), "text".into(), true, 1),
            ("suprafata".into(), "number".into(), false, 2),
            ("scop".into(), "singlevaluelist".into(), true, 3),
        ]
    );
    assert_eq!(attrs[2]["values"][1]["key"], "comerț");
    assert_eq!(attrs[0]["description"], "Adresa imobilului");
    let (_, _, xml) = get(
        &app,
        "/open311/v2/services/autorizatie.xml?jurisdiction_id=gamma",
    )
    .await;
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(doc.root_element().tag_name().name(), "service_definition");
    let codes: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("attribute"))
        .filter_map(|a| a.children().find(|c| c.has_tag_name("code"))?.text())
        .collect();
    assert_eq!(codes, ["adresa", "suprafata", "scop"]);

    // Discovery names the specification and both formats, on the configured address.
    let d = json_of(&app, "/open311/v2/discovery.json").await;
    assert_eq!(
        d["endpoints"][0]["specification"],
        "http://wiki.open311.org/GeoReport_v2"
    );
    assert_eq!(
        d["endpoints"][0]["formats"],
        json!(["text/xml", "application/json"])
    );
    assert!(
        d["endpoints"][0]["url"]
            .as_str()
            .unwrap()
            .ends_with("/open311/v2")
    );
    let (root, _) = xml_of(&app, "/open311/v2/discovery.xml").await;
    assert_eq!(root, "discovery");
}

#[tokio::test]
async fn bad_queries_get_the_specifications_errors() {
    let app = platform().await;
    for (path, status) in [
        ("/open311/v2/services.json", 400),
        ("/open311/v2/services.json?jurisdiction_id=nobody", 404),
        (
            "/open311/v2/services/nothing.json?jurisdiction_id=alfa",
            404,
        ),
        (
            "/open311/v2/requests.json?jurisdiction_id=alfa&status=lost",
            400,
        ),
        (
            "/open311/v2/requests.json?jurisdiction_id=alfa&start_date=2026-01-01&end_date=2026-06-01",
            400,
        ),
        (
            "/open311/v2/requests.json?jurisdiction_id=alfa&start_date=yesterday",
            400,
        ),
        (
            "/open311/v2/requests/ALF-2026-999999.json?jurisdiction_id=alfa",
            404,
        ),
        (
            "/open311/v2/requests/not-a-number.json?jurisdiction_id=alfa",
            404,
        ),
        ("/open311/v2/requests.csv?jurisdiction_id=alfa", 404),
    ] {
        let (got, kind, body) = get(&app, path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert!(kind.starts_with("application/json"), "{path}: {kind}");
        let errors: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(errors[0]["code"], status, "{path}: {body}");
        assert!(
            !errors[0]["description"].as_str().unwrap().is_empty(),
            "{path}"
        );
    }
    let (got, kind, body) = get(&app, "/open311/v2/requests.xml").await;
    assert_eq!((got, kind.as_str()), (400, "text/xml; charset=utf-8"));
    let doc = roxmltree::Document::parse(&body).unwrap();
    assert_eq!(doc.root_element().tag_name().name(), "errors");
    assert!(body.contains("<code>400</code>"), "{body}");
}
