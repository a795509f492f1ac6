//! Officials' second factor (TOTP, RFC 6238) over real HTTP: enrolling from
//! the account page, signing in with a code that works once, recovery codes
//! that work once, wrong codes limited (exactly, under parallel guesses),
//! the tenant's requirement for signers and administrators only, and the
//! administrator's reset. Codes are computed here from the secret the page
//! shows, with the crate the platform uses, as an authenticator app would.

use std::time::{SystemTime, UNIX_EPOCH};

use ghiseu_tests::{
    App, Backend, Official, TestApp, cookie_set_by, csrf_in, desk_sign_in_attempt_at, no_redirects,
    session_set_by,
};
use serde_json::json;
use totp_rs::{Algorithm, Secret, TOTP};

const PENDING: &str = "ghiseu_desk_pending";

async fn spawn() -> TestApp {
    let app = App::desk(Backend::Sqlite).spawn().await;
    let mut tenant = crate::admin::tenant("alfa", "ALF");
    tenant["officials"].as_array_mut().unwrap().extend([
        json!({"username": "sem", "display_name": "Sorin Semnatar", "department": null,
                   "roles": ["signer"], "password": "parola-sem"}),
        json!({"username": "sef", "display_name": "Sanda Șef", "department": "urbanism",
                   "roles": ["head_of_department"], "password": "parola-sef"}),
    ]);
    let r = app.seed(&json!({"tenants": [tenant]})).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The code of `secret` in time step `step`, as an authenticator app makes it.
fn code_at(secret: &str, step: u64) -> String {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().unwrap();
    TOTP::new(Algorithm::SHA1, 6, 0, 30, bytes, None, "x".to_owned())
        .unwrap()
        .generate(step * 30)
}

/// Hands out codes of `secret`, each of a step not handed out before: the
/// current step, then the next, then the previous (all within the ±1 step
/// the platform accepts).
struct App2fa {
    secret: String,
    given: Vec<u64>,
}

impl App2fa {
    fn new(secret: &str) -> Self {
        Self {
            secret: secret.to_owned(),
            given: Vec::new(),
        }
    }

    fn code(&mut self) -> String {
        let now = unix_now() / 30;
        let step = [now, now + 1, now - 1]
            .into_iter()
            .find(|s| !self.given.contains(s))
            .expect("a step not used yet");
        self.given.push(step);
        code_at(&self.secret, step)
    }

    /// A code no step near now has: wrong.
    fn wrong(&self) -> String {
        let now = unix_now() / 30;
        let near: Vec<String> = (now - 2..=now + 2)
            .map(|s| code_at(&self.secret, s))
            .collect();
        (0..1_000_000)
            .map(|n| format!("{n:06}"))
            .find(|c| !near.contains(c))
            .unwrap()
    }
}

fn secret_in(html: &str) -> String {
    let at = html.find("id=\"secret\">").expect("the secret as text") + 12;
    html[at..].split('<').next().unwrap().to_owned()
}

fn recovery_codes_in(html: &str) -> Vec<String> {
    html.split("<li><code>")
        .skip(1)
        .map(|s| s.split('<').next().unwrap().to_owned())
        .collect()
}

/// A sign-in by password that stopped at the second factor: the pending
/// cookie and where it leads.
async fn password(app: &TestApp, user: &str) -> (String, String) {
    let r = desk_sign_in_attempt_at(&app.address, "alfa", user, &format!("parola-{user}")).await;
    assert_eq!(r.status(), 303, "password of {user}");
    assert!(
        cookie_set_by(&r, "ghiseu_desk").is_none(),
        "no session before the second factor"
    );
    let pending = cookie_set_by(&r, PENDING).expect("a pending sign-in");
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    (format!("{PENDING}={pending}"), to)
}

/// Posts `code` at the sign-in's code step of the `pending` cookie.
async fn enter(app: &TestApp, pending: &str, code: &str) -> reqwest::Response {
    let client = no_redirects();
    let page = client
        .get(app.url("/desk/login/code"))
        .header("cookie", pending)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let csrf = csrf_in(&page.text().await.unwrap());
    client
        .post(app.url("/desk/login/code"))
        .header("cookie", pending)
        .form(&[("csrf", csrf.as_str()), ("code", code)])
        .send()
        .await
        .unwrap()
}

/// Enables the second factor from the account page: the secret shown and
/// the recovery codes.
async fn enable(official: &Official) -> (App2fa, Vec<String>) {
    let page = official.html("/desk/account").await;
    assert!(page.contains("<svg"), "a QR code");
    let mut app2fa = App2fa::new(&secret_in(&page));
    let r = official
        .form(
            "/desk/account/second-factor",
            &[("secret", &app2fa.secret.clone()), ("code", &app2fa.code())],
        )
        .await;
    assert_eq!(r.status(), 200);
    let codes = recovery_codes_in(&r.text().await.unwrap());
    assert_eq!(codes.len(), 10, "ten recovery codes");
    (app2fa, codes)
}

#[tokio::test]
async fn an_official_enrols_and_each_code_and_recovery_code_works_once() {
    let app = spawn().await;
    let sem = app.desk_sign_in("alfa", "sem", "parola-sem").await;
    let r = sem.get("/desk/account?lang=hu").await;
    assert_eq!(
        cookie_set_by(&r, "lang").as_deref(),
        Some("hu"),
        "the choice is kept for the form's answer"
    );
    let page = r.text().await.unwrap();
    assert!(page.contains("Kétlépcsős azonosítás"), "{page}");
    let mut app2fa = App2fa::new(&secret_in(&page));
    assert_eq!(app2fa.secret.len(), 32, "160 bits, base32");

    let r = sem
        .form(
            "/desk/account/second-factor",
            &[("secret", &app2fa.secret.clone()), ("code", &app2fa.code())],
        )
        .await;
    assert_eq!(r.status(), 200);
    let recovery = recovery_codes_in(&r.text().await.unwrap());
    assert_eq!(recovery.len(), 10);
    assert!(sem.html("/desk/account").await.contains("id=\"status\""));

    // The password alone opens nothing: the pending sign-in is not a session.
    let (pending, to) = password(&app, "sem").await;
    assert_eq!(to, "/desk/login/code");
    let r = no_redirects()
        .get(app.url("/desk"))
        .header("cookie", &pending)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/desk/login");

    let code = app2fa.code();
    let r = enter(&app, &pending, &code).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/desk");
    session_set_by(&app.address, &r).await;

    // The same code a second time, within its window: refused.
    let (pending, _) = password(&app, "sem").await;
    let r = enter(&app, &pending, &code).await;
    assert_eq!(r.status(), 401);
    assert!(cookie_set_by(&r, "ghiseu_desk").is_none());

    // A recovery code works once, typed in any case and grouping.
    let r = enter(
        &app,
        &pending,
        &recovery[0].to_lowercase().replace('-', " "),
    )
    .await;
    assert_eq!(r.status(), 303);
    let sem = session_set_by(&app.address, &r).await;
    let (pending, _) = password(&app, "sem").await;
    let r = enter(&app, &pending, &recovery[0]).await;
    assert_eq!(r.status(), 401, "a recovery code works once");
    drop(sem);

    // A wrong confirming code enables nothing.
    let adm = app.desk_sign_in("alfa", "adm", "parola-adm").await;
    let shown = App2fa::new(&secret_in(&adm.html("/desk/account").await));
    let r = adm
        .form(
            "/desk/account/second-factor",
            &[("secret", &shown.secret.clone()), ("code", &shown.wrong())],
        )
        .await;
    assert_eq!(r.status(), 401);
    assert!(
        r.text().await.unwrap().contains(&shown.secret),
        "the same secret again"
    );
    let r = app.desk_sign_in_attempt("alfa", "adm", "parola-adm").await;
    assert_eq!(r.headers()["location"], "/desk", "still off");

    // Turning it off needs a current code.
    let (mut adm2fa, adm_recovery) = enable(&adm).await;
    let r = adm
        .form(
            "/desk/account/second-factor/disable",
            &[("code", &adm2fa.wrong())],
        )
        .await;
    assert_eq!(r.status(), 401);
    let (pending, _) = password(&app, "adm").await;
    let r = enter(&app, &pending, &adm_recovery[1]).await;
    let adm = session_set_by(&app.address, &r).await;
    let r = adm
        .form(
            "/desk/account/second-factor/disable",
            &[("code", &adm2fa.code())],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = app.desk_sign_in_attempt("alfa", "adm", "parola-adm").await;
    assert_eq!(r.headers()["location"], "/desk", "off: the password alone");
}

#[tokio::test]
async fn wrong_codes_are_limited_exactly_under_parallel_guesses() {
    let app = spawn().await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let (mut app2fa, _) = enable(&reg).await; // one attempt of five
    let (pending, _) = password(&app, "reg").await;
    let wrong = app2fa.wrong();
    let guesses = (0..20).map(|_| enter(&app, &pending, &wrong));
    let statuses: Vec<u16> = futures::future::join_all(guesses)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    let refused = statuses.iter().filter(|s| **s == 401).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((refused, limited), (4, 16), "{statuses:?}");
    // Past the limit even the right code is not checked, and no session starts.
    let r = enter(&app, &pending, &app2fa.code()).await;
    assert_eq!(r.status(), 429);
    assert!(cookie_set_by(&r, "ghiseu_desk").is_none());
    assert!(r.text().await.unwrap().contains("15 minute"));
}

/// Sets whether the tenant requires a second factor, as its administrator.
async fn require(adm: &Official, on: bool) {
    let fields: &[(&str, &str)] = if on { &[("required", "on")] } else { &[] };
    let r = adm.form("/admin/second-factor", fields).await;
    assert_eq!(r.status(), 303);
}

#[tokio::test]
async fn a_tenant_requires_it_of_signers_and_administrators_and_resets_it() {
    let app = spawn().await;
    let adm = app.desk_sign_in("alfa", "adm", "parola-adm").await;
    // Only with the session's CSRF token.
    let r = adm
        .client
        .post(app.url("/admin/second-factor"))
        .header("cookie", &adm.cookie)
        .form(&[("required", "on")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = app.desk_sign_in_attempt("alfa", "sem", "parola-sem").await;
    assert_eq!(r.headers()["location"], "/desk", "not required yet");
    require(&adm, true).await;
    assert!(adm.html("/admin/officials").await.contains("checked"));

    // Not for the registrar or the head of department.
    for user in ["reg", "sef"] {
        let r = app
            .desk_sign_in_attempt("alfa", user, &format!("parola-{user}"))
            .await;
        assert_eq!(r.headers()["location"], "/desk", "{user}");
        assert!(cookie_set_by(&r, "ghiseu_desk").is_some(), "{user}");
    }
    // The signer and the administrator are led to enrol, with no session until done.
    for user in ["sem", "adm"] {
        let (_, to) = password(&app, user).await;
        assert_eq!(to, "/desk/login/enrol", "{user}");
    }
    let (pending, _) = password(&app, "sem").await;
    let client = no_redirects();
    let r = client
        .get(app.url("/desk/login/code"))
        .header("cookie", &pending)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/desk/login/enrol");
    let page = client
        .get(app.url("/desk/login/enrol?lang=en"))
        .header("cookie", &pending)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<svg") && page.contains("requires two-step verification"));
    let mut app2fa = App2fa::new(&secret_in(&page));
    let csrf = csrf_in(&page);
    let r = client
        .post(app.url("/desk/login/enrol"))
        .header("cookie", &pending)
        .form(&[
            ("csrf", csrf.as_str()),
            ("secret", &app2fa.secret.clone()),
            ("code", &app2fa.code()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let sem = session_set_by(&app.address, &r).await;
    assert_eq!(recovery_codes_in(&r.text().await.unwrap()).len(), 10);
    // Required: it cannot be turned off.
    let r = sem
        .form(
            "/desk/account/second-factor/disable",
            &[("code", &app2fa.code())],
        )
        .await;
    assert_eq!(r.status(), 403);
    let (_, to) = password(&app, "sem").await;
    assert_eq!(to, "/desk/login/code");

    // The administrator resets it (a lost phone): the signer's sessions end,
    // and they enrol again.
    assert_eq!(sem.get("/desk").await.status(), 200);
    let officials = adm.html("/admin/officials").await;
    assert!(officials.contains("/admin/officials/sem/second-factor/reset"));
    let r = adm
        .form("/admin/officials/sem/second-factor/reset", &[])
        .await;
    assert_eq!(r.status(), 303);
    assert_ne!(
        sem.get("/desk").await.status(),
        200,
        "a session of the reset second factor goes on"
    );
    let r = adm
        .form("/admin/officials/sem/second-factor/reset", &[])
        .await;
    assert_eq!(r.status(), 404, "nothing left to reset");
    let (_, to) = password(&app, "sem").await;
    assert_eq!(to, "/desk/login/enrol");
    // No longer required: the password alone.
    require(&adm, false).await;
    let r = app.desk_sign_in_attempt("alfa", "sem", "parola-sem").await;
    assert_eq!(r.headers()["location"], "/desk");
}
