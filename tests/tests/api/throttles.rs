//! Throttles that hold under concurrency and that a stranger cannot turn
//! against someone else (issue 18, item 2): every sign-in attempt is counted
//! before its password is checked, the desk and the portal count apart, one
//! address cannot lock an official out, and codes asked for an unknown
//! contact use up nothing of its future owner.

use ghiseu_tests::{App, Backend, TestApp, cookie_set_by, csrf_in, no_redirects};
use reqwest::StatusCode;

use crate::portal::{self, Browser, PASSWORD, PHONE, last_code};

/// The portal app of `portal::seed`, behind a balancer the test client plays
/// (127.0.0.1 trusted), so each attempt says which client it comes from.
pub(crate) async fn spawn_behind_balancer() -> TestApp {
    let app = App::desk(Backend::Sqlite)
        .config_variable("trusted_proxies", "127.0.0.1")
        .spawn()
        .await;
    assert_eq!(app.seed(&portal::seed()).await.status(), 200);
    app
}

/// A sign-in form ready to post: its cookie and its token.
struct Form {
    cookie: String,
    csrf: String,
}

/// The sign-in form of `path` (`/desk/login` or `/portal/login`), whose
/// double-submit cookie is `cookie`.
async fn form(app: &TestApp, path: &str, cookie: &str) -> Form {
    let page = no_redirects()
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    let value = cookie_set_by(&page, cookie).expect("a form cookie");
    Form {
        cookie: format!("{cookie}={value}"),
        csrf: csrf_in(&page.text().await.unwrap()),
    }
}

async fn desk_form(app: &TestApp) -> Form {
    form(app, "/desk/login", "ghiseu_login_csrf").await
}

async fn portal_form(app: &TestApp) -> Form {
    form(app, "/portal/login", "ghiseu_portal_form").await
}

/// Posts `fields` with `form`'s cookie and token to `path`, from client `from`.
async fn post(
    app: &TestApp,
    path: &str,
    form: &Form,
    from: &str,
    fields: &[(&str, &str)],
) -> StatusCode {
    let mut all = vec![("csrf", form.csrf.as_str())];
    all.extend_from_slice(fields);
    no_redirects()
        .post(format!("{}{path}", app.address))
        .header("cookie", &form.cookie)
        .header("x-forwarded-for", from)
        .form(&all)
        .send()
        .await
        .unwrap()
        .status()
}

async fn desk_attempt(app: &TestApp, from: &str, password: &str) -> StatusCode {
    let form = desk_form(app).await;
    let fields = [
        ("institution", "alfa"),
        ("username", "reg"),
        ("password", password),
    ];
    post(app, "/desk/login", &form, from, &fields).await
}

async fn portal_attempt(app: &TestApp, from: &str, contact: &str, password: &str) -> StatusCode {
    let form = portal_form(app).await;
    let fields = [("contact", contact), ("password", password)];
    post(app, "/portal/login", &form, from, &fields).await
}

/// How many of `statuses` are `status`.
fn count(statuses: &[StatusCode], status: StatusCode) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

/// 100 attempts with a wrong password, all at once, each with its own form:
/// the answers, in no order.
async fn hundred_at_once(
    app: &TestApp,
    forms: Vec<Form>,
    path: &str,
    fields: &[(&str, &str)],
) -> Vec<StatusCode> {
    let attempts = forms
        .iter()
        .map(|form| post(app, path, form, "81.2.3.4", fields));
    futures::future::join_all(attempts).await
}

/// A wrong password is answered 401 only once it was checked; an attempt
/// refused before checking is 429. Of 100 concurrent wrong passwords for one
/// account from one address, exactly the limit (5) are checked, at the desk
/// and at the portal.
#[tokio::test]
async fn a_hundred_concurrent_wrong_passwords_are_checked_exactly_five_times() {
    // Arrange: an official and a citizen, and 100 sign-in forms for each.
    let app = spawn_behind_balancer().await;
    portal::registered(&app).await;
    let mut desk_forms = Vec::new();
    let mut portal_forms = Vec::new();
    for _ in 0..100 {
        desk_forms.push(desk_form(&app).await);
        portal_forms.push(portal_form(&app).await);
    }

    // Act
    let desk = hundred_at_once(
        &app,
        desk_forms,
        "/desk/login",
        &[
            ("institution", "alfa"),
            ("username", "reg"),
            ("password", "nu e parola"),
        ],
    )
    .await;
    let citizen = hundred_at_once(
        &app,
        portal_forms,
        "/portal/login",
        &[("contact", PHONE), ("password", "nu e parola")],
    )
    .await;

    // Assert
    for (door, statuses) in [("desk", &desk), ("portal", &citizen)] {
        assert_eq!(
            count(statuses, StatusCode::UNAUTHORIZED),
            5,
            "{door}: passwords checked: {statuses:?}"
        );
        assert_eq!(
            count(statuses, StatusCode::TOO_MANY_REQUESTS),
            95,
            "{door}: refused unchecked: {statuses:?}"
        );
    }
    // The right password is refused too, until the window ends.
    assert_eq!(
        desk_attempt(&app, "81.2.3.4", "parola-reg").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

/// Twenty failed citizen sign-ins from an address do not lock officials'
/// sign-in from it, and five wrong passwords from one address do not lock an
/// official out from another.
#[tokio::test]
async fn failures_elsewhere_never_lock_an_official_out() {
    // Arrange: 20 failed citizen sign-ins from one address (four contacts,
    // five each), until the portal refuses that address.
    let app = spawn_behind_balancer().await;
    let office = "81.2.3.4";
    for n in 0..4 {
        let contact = format!("+4074500020{n}");
        for _ in 0..5 {
            let status = portal_attempt(&app, office, &contact, "nu e parola").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
    }
    let portal_refuses = portal_attempt(&app, office, "+40745000299", "nu e parola").await;
    // Five wrong passwords of the official from a stranger's address.
    let stranger = "83.9.9.9";
    for _ in 0..5 {
        assert_eq!(
            desk_attempt(&app, stranger, "nu e parola").await,
            StatusCode::UNAUTHORIZED
        );
    }
    let stranger_refused = desk_attempt(&app, stranger, "nu e parola").await;

    // Act: the official signs in from the office's address.
    let official = desk_attempt(&app, office, "parola-reg").await;

    // Assert
    assert_eq!(portal_refuses, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(stranger_refused, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        official,
        StatusCode::SEE_OTHER,
        "the official is locked out"
    );
}

/// Codes asked for a number without an account are not counted against the
/// number: its owner, registering afterwards, still gets a code.
#[tokio::test]
async fn codes_asked_for_an_unknown_number_leave_its_owner_their_codes() {
    // Arrange: six resets asked for a number nobody registered yet.
    let app = portal::spawn().await;
    let phone = "+40745000333";
    let mut stranger = Browser::new(&app);
    stranger.get("/portal/reset").await;
    for _ in 0..6 {
        let (status, _, html) = stranger.post("/portal/reset", &[("contact", phone)]).await;
        assert_eq!(status, StatusCode::OK, "{html}");
    }
    assert!(portal::outbox(&app, phone).await.is_empty());

    // Act: the number's owner registers.
    let mut owner = Browser::new(&app);
    owner.get("/portal/register").await;
    let (status, _, _) = owner
        .post(
            "/portal/register",
            &[
                ("name", "Ana Pop"),
                ("phone", phone),
                ("password", PASSWORD),
                ("password2", PASSWORD),
            ],
        )
        .await;

    // Assert: the code reached the owner.
    assert_eq!(status, StatusCode::SEE_OTHER);
    let code = last_code(&app, phone).await;
    owner.get("/portal/verify").await;
    let (status, location, _) = owner
        .post("/portal/verify", &[("contact", phone), ("code", &code)])
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/portal")
    );
}
