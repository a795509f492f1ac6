//! Sign out everywhere (issue 18, item 3): a citizen or an official ends
//! every session of their account, the one they use included, with a form
//! that needs its CSRF token.

use reqwest::StatusCode;

use crate::portal::{self, Browser, PASSWORD, PHONE};

#[tokio::test]
async fn a_citizen_signs_out_everywhere() {
    // Arrange: the citizen signed in on two devices.
    let app = portal::spawn().await;
    let mut here = portal::registered(&app).await;
    let mut there = Browser::new(&app);
    there.get("/portal/login").await;
    let (status, _, _) = there
        .post(
            "/portal/login",
            &[("contact", PHONE), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = here.get("/portal").await;
    assert!(page.contains("/portal/logout/everywhere"), "{page}");
    let old_cookies = here.cookies.clone();
    // Without the form's token nothing ends.
    let token = std::mem::take(&mut here.csrf);
    let (refused, _, _) = here.post("/portal/logout/everywhere", &[]).await;
    let (_, still) = there.get("/portal").await;
    here.csrf = token;

    // Act
    let (status, location, _) = here.post("/portal/logout/everywhere", &[]).await;

    // Assert: both devices, and the old cookie, are signed out; signing in
    // again works.
    assert_eq!(refused, StatusCode::FORBIDDEN);
    assert!(still.contains("/portal/logout/everywhere"), "{still}");
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/portal/login")
    );
    let (_, page) = there.get("/portal").await;
    assert!(!page.contains("/portal/logout/everywhere"), "{page}");
    here.cookies = old_cookies;
    let (_, page) = here.get("/portal").await;
    assert!(!page.contains("/portal/logout/everywhere"), "{page}");
    let mut again = Browser::new(&app);
    again.get("/portal/login").await;
    let (status, location, _) = again
        .post(
            "/portal/login",
            &[("contact", PHONE), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/portal")
    );
}

#[tokio::test]
async fn an_official_signs_out_everywhere() {
    // Arrange: the official signed in on two devices.
    let app = portal::spawn().await;
    let here = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let there = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    assert!(here.html("/desk").await.contains("/desk/logout/everywhere"));
    let mut forged = here.clone();
    forged.csrf = "0".repeat(64);
    let refused = forged.form("/desk/logout/everywhere", &[]).await.status();
    let still = there.get("/desk").await.status();

    // Act
    let r = here.form("/desk/logout/everywhere", &[]).await;

    // Assert
    assert_eq!(refused, StatusCode::FORBIDDEN);
    assert_eq!(still, StatusCode::OK);
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/desk/login");
    for device in [&here, &there] {
        let r = device.get("/desk").await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/desk/login");
    }
    let again = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    assert_eq!(again.get("/desk").await.status(), StatusCode::OK);
}

/// A session that ended hours ago, never visited again, is deleted by the
/// first sign-in of a later hour, with its entry; a live session stays.
#[tokio::test]
async fn expired_sessions_are_removed_without_being_visited() {
    // Arrange: a session that ended three hours ago, filed under its hour,
    // as the platform files every session it starts.
    let app = portal::spawn().await;
    let id = "ab".repeat(32);
    let ended = chrono::Utc::now() - chrono::Duration::hours(3);
    let hour = ended.timestamp() / 3600;
    let session = serde_json::json!({
        "tenant": "alfa", "username": "reg", "csrf": "cd".repeat(32),
        "expires_at": ended, "issued_at": ended - chrono::Duration::hours(8),
    });
    let put = app
        .put(&format!("/probe/kv/session/{id}"), session.to_string())
        .await;
    assert!(put.status().is_success());
    let filed = app
        .post(&format!("/probe/incr/session/ends/{hour}"), "")
        .await;
    assert!(filed.status().is_success());
    let entry = format!("/probe/kv/session/ends/{hour}/1");
    assert!(app.put(&entry, id.clone()).await.status().is_success());

    // Act: the first sign-in of this hour.
    let official = app.desk_sign_in("alfa", "reg", "parola-reg").await;

    // Assert
    let gone = app.get(&format!("/probe/kv/session/{id}")).await.status();
    assert_eq!(gone, StatusCode::NOT_FOUND, "the ended session is kept");
    assert_eq!(app.get(&entry).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(official.get("/desk").await.status(), StatusCode::OK);
}
