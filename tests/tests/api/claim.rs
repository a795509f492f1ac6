//! Claiming a paper dossier in the portal with a code sent to its contact.

use reqwest::StatusCode;
use serde_json::Value;

use crate::portal::*;

#[tokio::test]
async fn a_paper_dossier_is_claimed_with_a_code_sent_to_its_contact() {
    let app = spawn().await;
    // The registry registers a petition with the citizen's phone.
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let r = reg
        .intake(
            "petitie",
            &[("p.pdf", b"%PDF-1.4 hartie".to_vec())],
            &[("phone", "0745 000 222")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let number = format!("ALF-{}-000001", chrono::Utc::now().format("%Y"));
    let paper_phone = "+40745000222";
    let before = outbox(&app, paper_phone).await.len();

    // A citizen claims it: the code goes to the phone on the dossier.
    let mut b = registered(&app).await;
    b.get("/portal/claim").await;
    let (status, _, _) = b
        .post(
            "/portal/claim",
            &[("institution", "alfa"), ("number", &number)],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(outbox(&app, paper_phone).await.len(), before + 1);
    let code = last_code(&app, paper_phone).await;
    let (status, location, _) = b
        .post(
            "/portal/claim/confirm",
            &[
                ("institution", "alfa"),
                ("number", &number),
                ("code", &code),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/portal")
    );
    let (_, html) = b.get("/portal").await;
    assert!(html.contains(&number) && html.contains("Petiție"), "{html}");

    // Another citizen sees nothing of it, and a claim of a number that does
    // not exist answers the same and sends nothing.
    let mut other = signed_up(&app, "Alt Om", "+40745000333").await;
    let (_, html) = other.get("/portal").await;
    assert!(!html.contains(&number));
    other.get("/portal/claim").await;
    let total = app
        .get("/api/v1/sandbox/outbox")
        .await
        .json::<Value>()
        .await
        .unwrap()["messages"]
        .as_array()
        .unwrap()
        .len();
    let (status, _, _) = other
        .post(
            "/portal/claim",
            &[("institution", "alfa"), ("number", "ALF-2020-000099")],
        )
        .await;
    assert_eq!(status, 200);
    let after = app
        .get("/api/v1/sandbox/outbox")
        .await
        .json::<Value>()
        .await
        .unwrap()["messages"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(total, after);
    // A wrong code does not link it.
    let (status, _, _) = other
        .post(
            "/portal/claim/confirm",
            &[
                ("institution", "alfa"),
                ("number", &number),
                ("code", "000000"),
            ],
        )
        .await;
    assert!(status == 422 || status == 410, "{status}");
    let (_, html) = other.get("/portal").await;
    assert!(!html.contains(&number));
}
