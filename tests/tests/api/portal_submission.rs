//! Online submission: registered once, the cerere rendered, bad input refused; a
//! type needing a qualified signature waits unregistered.

use reqwest::StatusCode;

use crate::portal::*;

#[tokio::test]
async fn online_submission_registers_once_renders_the_cerere_and_refuses_bad_input() {
    let app = spawn().await;
    create_type(&app, &aviz("aviz", "simple")).await;
    let mut b = registered(&app).await;
    let (status, html) = b.get("/portal/new").await;
    assert_eq!(status, 200);
    assert!(html.contains("/portal/new/alfa/aviz"));
    let (status, html) = b.get("/portal/new/alfa/aviz").await;
    assert_eq!(status, 200);
    for name in [
        "f_adresa",
        "f_cnp",
        "f_motiv",
        "f_plan",
        "f_act",
        "idempotency_key",
    ] {
        assert!(html.contains(&format!("name=\"{name}\"")), "{name}");
    }
    let csrf = b.csrf.clone();
    let good = [
        ("f_adresa", "Str. Republicii 10, Florești"),
        ("f_cnp", "1960529120011"),
        ("f_motiv", "Terasă sezonieră"),
    ];

    // Bad input: each gets a clear error linking to its field; nothing is kept.
    let not_pdf = b"<html>not a pdf</html>".to_vec();
    let big = {
        let mut v = pdf("big");
        v.resize(1_500_000, b' ');
        v
    };
    // (text fields, the plan file, its name, the field the error must link to)
    type Case<'a> = (Vec<(&'a str, &'a str)>, Vec<u8>, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (good.to_vec(), not_pdf, "plan.pdf", "#f_plan"),
        (good.to_vec(), big, "plan.pdf", "#f_plan"),
        (
            vec![
                ("f_adresa", "Str. X 1"),
                ("f_cnp", "1960529120012"),
                ("f_motiv", "Da"),
            ],
            pdf("p"),
            "plan.pdf",
            "#f_cnp",
        ),
        (
            vec![("f_cnp", "1960529120011")],
            pdf("p"),
            "plan.pdf",
            "#f_adresa",
        ),
    ];
    for (fields, plan, name, want) in cases {
        let (status, _, html) = b
            .post_multipart(
                "/portal/new/alfa/aviz",
                submission(&csrf, &fields, plan, name),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{want}");
        assert!(html.contains(&format!("href=\"{want}\"")), "{want}: {html}");
    }
    // Markup in a text field comes back escaped, never as markup.
    let (status, _, html) = b
        .post_multipart(
            "/portal/new/alfa/aviz",
            submission(
                &csrf,
                &[("f_motiv", "<img src=x onerror=alert(1)>")],
                pdf("p"),
                "p.pdf",
            ),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!html.contains("<img src=x") && html.contains("&lt;img src=x"));

    // A good submission, retried with the same Idempotency-Key: one dossier.
    let (status, location, _) = b
        .post_multipart(
            "/portal/new/alfa/aviz",
            submission(&csrf, &good, pdf("plan"), "plan.pdf"),
            Some("retry-key-1"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let first = format!("ALF-{}-000001", chrono::Utc::now().format("%Y"));
    assert_eq!(
        location,
        format!("/portal?registered={first}"),
        "the refused ones took no number"
    );
    let (status, again, _) = b
        .post_multipart(
            "/portal/new/alfa/aviz",
            submission(&csrf, &good, pdf("plan"), "plan.pdf"),
            Some("retry-key-1"),
        )
        .await;
    assert_eq!(
        (status, again.as_str()),
        (StatusCode::SEE_OTHER, location.as_str())
    );
    let (_, html) = b.get("/portal").await;
    assert_eq!(html.matches(&first).count(), 1, "{html}");
    assert!(html.contains("Aviz de ocupare"));
    // The citizen was told by SMS.
    let sms = outbox(&app, PHONE).await;
    assert!(sms[0]["text"].as_str().unwrap().contains(&first));

    // The registry sees the cerere PDF and both attachments on the dossier.
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let id = reg.first_in_inbox("view=all").await;
    let page = reg.page(&id).await;
    for name in [
        "cerere.pdf",
        "plan.pdf",
        "act.pdf",
        "Str. Republicii 10",
        "online",
    ] {
        assert!(page.contains(name), "{name} missing from the desk page");
    }
    let at = page.find("/files/").unwrap() + 7;
    let cerere = reg
        .get(&format!("/desk/dossiers/{id}/files/{}", &page[at..at + 64]))
        .await;
    assert_eq!(cerere.headers()["content-type"], "application/pdf");
    assert!(cerere.bytes().await.unwrap().starts_with(b"%PDF-"));
}

#[tokio::test]
async fn a_type_needing_a_qualified_signature_waits_and_is_not_registered() {
    let app = spawn().await;
    create_type(&app, &aviz("aviz-calificat", "qualified")).await;
    let mut b = registered(&app).await;
    crate::payment::submit_qualified(&mut b).await;
    let (_, html) = b.get("/portal").await;
    assert!(html.contains("semnăturii electronice calificate"), "{html}");
    assert!(!html.contains("ALF-"), "nothing was registered");
}
