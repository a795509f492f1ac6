//! The dossier page guides: a summary, the one step the workflow expects next
//! as the primary action, the rest behind a disclosure, destructive actions
//! confirmed, who acts next when it is someone else, a rejection's reason for
//! the citizen (on tracking and in the message they get, never the internal
//! note), the assignee list of the department's officials, and the page in
//! the official's language.

use ghiseu_tests::{App, Backend, Official, TestApp, regno_in, sample_pdf, token_in};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

const PHONE: &str = "0745 123 456";
const EMAIL: &str = "ilona.kovacs@example.ro";
const TO_CITIZEN: &str = "Cererea privește Primăria Turda, nu consiliul județean.";
const INTERNAL: &str = "Petentul a mai depus-o de trei ori; verificat cu juridicul.";

/// Two departments; in `urbanism` a head, an official, and two people who
/// are nobody's assignees though seeded there: the president (signer) and
/// the administrator.
async fn spawn() -> TestApp {
    let app = App::desk(Backend::Sqlite).spawn().await;
    let mut tenant = crate::desk::tenant("alfa", "ALF");
    let officials = tenant["officials"].as_array_mut().unwrap();
    officials.push(
        json!({"username": "pres", "display_name": "Paul Președinte",
        "department": "urbanism", "roles": ["signer"], "password": "parola-pres"}),
    );
    officials.push(
        json!({"username": "adm", "display_name": "Ana Administrator",
        "department": "urbanism", "roles": ["tenant_admin"], "password": "parola-adm"}),
    );
    let r = app.seed(&json!({"tenants": [tenant]})).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app
}

/// A paper certificate request (registered straight into `urbanism`) with
/// the citizen's phone and e-mail: (id, number, token).
async fn register(reg: &Official) -> (String, String, String) {
    let r = reg
        .intake(
            "certificat-urbanism",
            &[("cerere.pdf", sample_pdf())],
            &[("phone", PHONE), ("email", EMAIL), ("name", "Kovács Ilona")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let receipt = reg.html(&location).await;
    let id = location.split('/').nth(3).unwrap().to_owned();
    (id, regno_in(&receipt), token_in(&receipt))
}

async fn attach_response(desk: &Official, id: &str) {
    let form = Form::new()
        .text("csrf", desk.csrf.clone())
        .text("route_head", desk.route_head(id).await)
        .part(
            "document",
            Part::bytes(sample_pdf()).file_name("raspuns.pdf"),
        );
    let r = desk
        .multipart(&format!("/desk/dossiers/{id}/response"), form)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

/// The `<form …>` elements of `html` whose class is `class`, in order.
fn forms_of_class<'a>(html: &'a str, class: &str) -> Vec<&'a str> {
    let open = format!("<form class=\"{class}\"");
    html.match_indices(&open)
        .map(|(at, _)| {
            let end = html[at..].find("</form>").unwrap();
            &html[at..at + end]
        })
        .collect()
}

/// The action code a form posts.
fn action_of(form: &str) -> &str {
    if form.contains("/response\"") {
        return "attach_response";
    }
    let at = form.find("name=\"action\" value=\"").expect("an action") + 21;
    &form[at..at + form[at..].find('"').unwrap()]
}

#[tokio::test]
async fn the_heads_page_shows_one_primary_action_and_the_rest_behind_a_disclosure() {
    let app = spawn().await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let sef = app.desk_sign_in("alfa", "sef", "parola-sef").await;
    let ofi = app.desk_sign_in("alfa", "ofi", "parola-ofi").await;
    let (id, number, _) = register(&reg).await;

    // Registered in urbanism, nobody assigned: the head assigns first.
    let page = sef.page(&id).await;
    let primary = forms_of_class(&page, "action primary");
    assert_eq!(primary.len(), 1, "{page}");
    assert_eq!(action_of(primary[0]), "assign");
    // The summary list comes first, with the petitioner and the channel.
    let summary = page
        .find("<dl class=\"summary-list\">")
        .expect("a summary list");
    assert!(summary < page.find("action primary").unwrap());
    let text = ghiseu_tests::visible_text(&page);
    for fact in [
        number.as_str(),
        "Kovács Ilona",
        "hârtie, la registratură",
        "Direcția Urbanism",
    ] {
        assert!(
            text.contains(fact),
            "{fact} missing from the summary: {text}"
        );
    }

    // Assigned to the official: the response is the next step, for the
    // official; the head's page offers it too, the rest behind a disclosure.
    let r = sef
        .act_now(
            &id,
            &[
                ("action", "assign"),
                ("department", "urbanism"),
                ("official", "ofi"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    attach_response(&ofi, &id).await;

    let page = sef.page(&id).await;
    let primary = forms_of_class(&page, "action primary");
    assert_eq!(primary.len(), 1);
    assert_eq!(action_of(primary[0]), "send_for_signature");
    assert!(primary[0].contains("<button type=\"submit\">Trimite la semnat</button>"));
    let details = page
        .find("<details class=\"more-actions\"")
        .expect("a disclosure");
    assert!(page.find("action primary").unwrap() < details);
    let others: Vec<&str> = forms_of_class(&page, "action")
        .into_iter()
        .chain(forms_of_class(&page, "action destructive"))
        .map(action_of)
        .collect();
    for a in [
        "assign",
        "request_info",
        "attach_response",
        "resolve",
        "extend_deadline",
        "forward",
        "reject",
    ] {
        assert!(
            others.contains(&a),
            "{a} not among the other actions: {others:?}"
        );
    }
    assert!(
        !others.contains(&"send_for_signature"),
        "the primary action twice"
    );
    // Every other action is inside the disclosure, after its summary.
    for (at, _) in page.match_indices("<form class=\"action") {
        if !page[at..].starts_with("<form class=\"action primary") {
            assert!(at > details, "a secondary action outside the disclosure");
        }
    }
    // Rejecting looks destructive and asks for a confirmation.
    let reject = forms_of_class(&page, "action destructive");
    let reject = reject
        .iter()
        .find(|f| action_of(f) == "reject")
        .expect("reject");
    assert!(
        reject.contains("<button class=\"destructive\" type=\"submit\">Respinge cererea</button>"),
        "{reject}"
    );
    assert!(
        reject.contains("name=\"confirm\" value=\"yes\" required"),
        "{reject}"
    );
    // No form besides the primary one has a primary-looking button.
    assert_eq!(
        page.matches("<button type=\"submit\">").count(),
        1 + 1,
        "{page}"
    ); // + sign-out
}

#[tokio::test]
async fn the_page_names_who_acts_next() {
    let app = spawn().await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let sef = app.desk_sign_in("alfa", "sef", "parola-sef").await;
    let ofi = app.desk_sign_in("alfa", "ofi", "parola-ofi").await;

    // A petition waits in the registry: the head of urbanism may not act.
    let (petition, _, _) = reg.register("petitie").await;
    let page = sef.page(&petition).await;
    assert!(forms_of_class(&page, "action primary").is_empty());
    assert!(
        page.contains(
            "Urmează repartizarea, de către registratură sau de șeful departamentului Registratura."
        ),
        "{page}"
    );

    // The official attached a response: the head of urbanism decides.
    let (id, _, _) = register(&reg).await;
    sef.act_now(
        &id,
        &[
            ("action", "assign"),
            ("department", "urbanism"),
            ("official", "ofi"),
        ],
    )
    .await;
    attach_response(&ofi, &id).await;
    let page = ofi.page(&id).await;
    assert!(forms_of_class(&page, "action primary").is_empty(), "{page}");
    assert!(
        page.contains("Urmează decizia șefului departamentului Direcția Urbanism: soluționare sau trimitere la semnat."),
        "{page}"
    );
    // Sent for signature: a signer of the institution signs it.
    let r = sef.act_now(&id, &[("action", "send_for_signature")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = sef.page(&id).await;
    assert!(
        page.contains("Urmează semnătura: un semnatar al instituției"),
        "{page}"
    );
}

#[tokio::test]
async fn a_rejection_tells_the_citizen_its_reason_and_keeps_the_internal_note_inside() {
    let app = spawn().await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let sef = app.desk_sign_in("alfa", "sef", "parola-sef").await;
    let (id, _, token) = register(&reg).await;
    let head = sef.route_head(&id).await;
    let reject = |fields: &'static [(&'static str, &'static str)]| {
        let mut all = vec![("action", "reject"), ("route_head", head.as_str())];
        all.extend_from_slice(fields);
        all
    };

    // Without the reason for the citizen, or without the confirmation:
    // the form comes back with the error, and nothing changes.
    for (fields, field) in [
        (
            &[("internal_note", INTERNAL), ("confirm", "yes")][..],
            "reason",
        ),
        (
            &[("reason", TO_CITIZEN), ("internal_note", INTERNAL)][..],
            "confirm-reject",
        ),
    ] {
        let r = sef.act(&id, &reject(fields)).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = r.text().await.unwrap();
        assert!(page.contains(&format!("href=\"#{field}\"")), "{page}");
        // The disclosure holding the refused form is open.
        assert!(
            page.contains("<details class=\"more-actions\" open>"),
            "{page}"
        );
    }
    assert_eq!(sef.route_head(&id).await, head);

    let r = sef
        .act(
            &id,
            &reject(&[
                ("reason", TO_CITIZEN),
                ("internal_note", INTERNAL),
                ("confirm", "yes"),
            ]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // Tracking states the reason, in its page and its JSON; never the note.
    let page = app
        .get(&format!("/track/{token}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Motivul respingerii:"), "{page}");
    assert!(page.contains("Cererea privește Primăria Turda"), "{page}");
    let json: Value = app
        .get(&format!("/api/v1/track/{token}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json["status"], "rejected");
    assert_eq!(
        json["route"].as_array().unwrap().last().unwrap()["note"],
        TO_CITIZEN
    );
    let public = format!("{page}{json}");
    assert!(
        !public.contains("trei ori"),
        "the internal note leaked: {public}"
    );

    // The citizen's messages carry the reason, not the note.
    let outbox: Value = app
        .get(&format!(
            "/api/v1/sandbox/outbox?to={}",
            ghiseu_tests::percent_encode(EMAIL)
        ))
        .await
        .json()
        .await
        .unwrap();
    let newest = outbox["messages"][0]["text"].as_str().unwrap();
    assert!(
        newest.contains("Respins. Motivul: Cererea privește Primăria Turda"),
        "{newest}"
    );
    assert!(!outbox.to_string().contains("trei ori"), "{outbox}");

    // The desk shows both.
    let desk = sef.page(&id).await;
    assert!(
        desk.contains(TO_CITIZEN) && desk.contains(INTERNAL),
        "{desk}"
    );
}

#[tokio::test]
async fn the_assignee_list_holds_only_the_departments_officials() {
    let app = spawn().await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let sef = app.desk_sign_in("alfa", "sef", "parola-sef").await;
    let (id, _, _) = register(&reg).await;

    let page = sef.page(&id).await;
    let at = page
        .find("<select id=\"official\"")
        .expect("an assignee list");
    let list = &page[at..at + page[at..].find("</select>").unwrap()];
    let offered: Vec<&str> = list
        .match_indices("<option value=\"")
        .map(|(i, m)| {
            let v = &list[i + m.len()..];
            &v[..v.find('"').unwrap()]
        })
        .collect();
    let mut offered = offered;
    offered.sort_unstable();
    assert_eq!(offered, ["", "ofi", "sef"], "{list}");

    // The president and the administrator are refused even when posted.
    for who in ["pres", "adm", "reg"] {
        let r = sef
            .act_now(
                &id,
                &[
                    ("action", "assign"),
                    ("department", "urbanism"),
                    ("official", who),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{who}");
        assert!(r.text().await.unwrap().contains("href=\"#official\""));
    }
    let r = sef
        .act_now(
            &id,
            &[
                ("action", "assign"),
                ("department", "urbanism"),
                ("official", "ofi"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_page_in_hungarian_and_english_leaks_no_romanian_nor_codes() {
    let app = spawn().await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let sef = app.desk_sign_in("alfa", "sef", "parola-sef").await;
    let (id, _, _) = register(&reg).await;
    sef.act_now(
        &id,
        &[
            ("action", "assign"),
            ("department", "urbanism"),
            ("official", "ofi"),
        ],
    )
    .await;

    let codes = [
        "head_of_department",
        "tenant_admin",
        "in_progress",
        "awaiting_signature",
        "(paper)",
        "certificat-urbanism",
        "assigned",
        "registered",
    ];
    let romanian = [
        "Repartizează",
        "Funcționarul",
        "Respinge",
        "Soluționează",
        "Termen",
        "zile",
        "Stare",
        "Pasul următor",
        "Alte acțiuni",
        "hârtie",
        "Înregistrat",
        "Traseu",
        "Dosar ",
    ];
    let english = [
        "Assign",
        "Reject",
        "Resolve",
        "Deadline",
        "days",
        "Status",
        "Next step",
        "paper",
        "Registered",
        "Official",
    ];
    for (query, lang, words, foreign) in [
        (
            "?lang=hu",
            "hu",
            ["Következő lépés", "Ügyintéző", "papíron, az iktatóban"],
            &english[..],
        ),
        (
            "?lang=en",
            "en",
            ["Next step", "Official", "on paper, at the registry"],
            &romanian[..],
        ),
    ] {
        let r = sef.get(&format!("/desk/dossiers/{id}{query}")).await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains(&format!("<html lang=\"{lang}\"")), "{html}");
        let text = ghiseu_tests::visible_text(&html);
        for w in words {
            assert!(text.contains(w), "{lang}: {w} missing: {text}");
        }
        for w in
            codes
                .iter()
                .chain(foreign)
                .chain(if lang == "hu" { &romanian[..] } else { &[][..] })
        {
            // Names and numbers are data, not words of the page.
            let leaked = text
                .split(|c: char| !c.is_alphanumeric() && c != '_' && c != '-')
                .any(|t| t == *w)
                || (!w
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
                    && text.contains(w));
            assert!(!leaked, "{lang}: \"{w}\" leaks into the page: {text}");
        }
    }
    // Errors come back in the reader's language too.
    let r = sef
        .client
        .post(app.url(&format!("/desk/dossiers/{id}/actions?lang=en")))
        .header("cookie", &sef.cookie)
        .form(&[
            ("csrf", sef.csrf.as_str()),
            ("action", "reject"),
            ("route_head", &sef.route_head(&id).await),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Write the reason for the rejection, for the petitioner."),
        "{page}"
    );
}
