//! No enumeration (issue 18, item 5): registration, a password reset, an SMS
//! sign-in and a claim answer the same status, the same words and in the same
//! time whether or not the contact or the dossier is known. Each is measured
//! over 50 answers of each kind, interleaved; the medians must be within 20%.

use std::time::{Duration, Instant};

use ghiseu_tests::TestApp;
use reqwest::StatusCode;

use crate::portal::{self, Browser, last_code};
use crate::throttles::spawn_behind_balancer as spawn;

const SAMPLES: usize = 50;
const PASSWORD: &str = "o parolă destul de lungă";

/// A visitor from a client address of its own (`n` picks it).
async fn visitor(app: &TestApp, n: usize, page: &str) -> Browser {
    let mut b = Browser::from_address(app, &format!("10.{}.{}.1", n / 250, n % 250));
    b.get(page).await;
    b
}

/// What an answer shows, its time apart: the status, where it sends the
/// browser and the page's words, with the contact or number that was typed
/// and the page's form tokens taken out.
#[derive(Debug, PartialEq, Eq)]
struct Answer {
    status: StatusCode,
    location: String,
    words: String,
}

impl Answer {
    fn of((status, location, html): (StatusCode, String, String), typed: &str) -> Self {
        let plain = |s: &str| {
            let s = s.replace(typed, "TYPED");
            let s = s.replace(&typed.replace('+', "%2B"), "TYPED");
            let mut s = s;
            while let Some(at) = s.find("name=\"csrf\" value=\"") {
                s = format!("{}{}", &s[..at], &s[at + 19 + 64..]);
            }
            s
        };
        Self {
            status,
            location: plain(&location),
            words: plain(&html),
        }
    }
}

/// The answers and times of `SAMPLES` requests about a known and an unknown
/// subject, interleaved; asserts the answers are the same and the medians
/// within 20%.
async fn same_answer_and_time<F, Fut>(what: &str, mut ask: F)
where
    F: FnMut(usize, bool) -> Fut,
    Fut: std::future::Future<Output = (Answer, Duration)>,
{
    let mut times = [Vec::new(), Vec::new()];
    let mut first: Option<Answer> = None;
    for i in 0..SAMPLES {
        for known in [true, false] {
            let (answer, took) = ask(i, known).await;
            match &first {
                None => first = Some(answer),
                Some(f) => assert_eq!(&answer, f, "{what}: sample {i}, known: {known}"),
            }
            times[usize::from(known)].push(took);
        }
    }
    let [unknown, known] = times.map(|mut t| {
        t.sort();
        t[t.len() / 2]
    });
    let (low, high) = (known.min(unknown), known.max(unknown));
    println!("{what}: median known {known:?}, unknown {unknown:?}");
    assert!(
        high.as_secs_f64() <= low.as_secs_f64() * 1.2,
        "{what}: median known {known:?}, unknown {unknown:?}"
    );
}

/// Posts `fields` to `path` from `b`, timed.
async fn timed(
    b: &mut Browser,
    path: &str,
    fields: &[(&str, &str)],
) -> ((StatusCode, String, String), Duration) {
    let started = Instant::now();
    let answer = b.post(path, fields).await;
    (answer, started.elapsed())
}

/// Registers (and, when `verify`, confirms) `n` accounts with phones
/// `+407450100{nn}`, each from its own address; their phones.
async fn accounts(app: &TestApp, n: usize, verify: bool) -> Vec<String> {
    let mut phones = Vec::new();
    for i in 0..n {
        let phone = format!("+407450100{i:02}");
        let mut b = visitor(app, 1000 + i, "/portal/register").await;
        let fields = [
            ("name", "Ana Pop"),
            ("phone", phone.as_str()),
            ("password", PASSWORD),
            ("password2", PASSWORD),
        ];
        let (status, _, _) = b.post("/portal/register", &fields).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        if verify {
            let code = last_code(app, &phone).await;
            b.get("/portal/verify").await;
            let (status, _, _) = b
                .post("/portal/verify", &[("contact", &phone), ("code", &code)])
                .await;
            assert_eq!(status, StatusCode::SEE_OTHER);
        }
        phones.push(phone);
    }
    phones
}

/// A phone nobody registered.
fn unknown_phone(i: usize) -> String {
    format!("+407459000{i:02}")
}

#[tokio::test]
async fn registration_answers_the_same_for_a_known_contact() {
    // Arrange: 13 accounts, each phone taking 4 more messages this hour.
    let app = spawn().await;
    let known = accounts(&app, 13, false).await;

    // Act and assert
    same_answer_and_time("register", |i, is_known| {
        let phone = if is_known {
            known[i % known.len()].clone()
        } else {
            unknown_phone(i)
        };
        let app = &app;
        async move {
            let mut b = visitor(app, 2 * i + usize::from(is_known), "/portal/register").await;
            let fields = [
                ("name", "Ion Pop"),
                ("phone", phone.as_str()),
                ("password", PASSWORD),
                ("password2", PASSWORD),
            ];
            let (answer, took) = timed(&mut b, "/portal/register", &fields).await;
            (Answer::of(answer, &phone), took)
        }
    })
    .await;
    // The owners were told, the new numbers got their codes.
    let notice = &portal::outbox(&app, &known[0]).await[0];
    assert!(
        notice["text"].as_str().unwrap().contains("Ana Pop"),
        "{notice}"
    );
    assert!(!portal::outbox(&app, &unknown_phone(0)).await.is_empty());
}

#[tokio::test]
async fn reset_and_sms_sign_in_answer_the_same_for_a_known_contact() {
    // Arrange: 25 confirmed accounts, each phone taking 4 more codes.
    let app = spawn().await;
    let known = accounts(&app, 25, true).await;

    // Act and assert: 50 resets then 50 SMS sign-ins of known phones (the
    // first 25 are used up by the resets, the SMS codes go to the others).
    for (what, page, offset) in [
        ("reset", "/portal/reset", 0),
        ("sms", "/portal/login/sms", 13),
    ] {
        same_answer_and_time(what, |i, is_known| {
            let phone = if is_known {
                known[(offset + i / 4) % known.len()].clone()
            } else {
                unknown_phone(i)
            };
            let app = &app;
            async move {
                let n = 200 + offset * 10 + 2 * i + usize::from(is_known);
                let mut b = visitor(app, n, page).await;
                let (answer, took) = timed(&mut b, page, &[("contact", phone.as_str())]).await;
                (Answer::of(answer, &phone), took)
            }
        })
        .await;
    }
    assert_eq!(
        portal::outbox(&app, &known[0]).await.len(),
        5,
        "the confirmation and four reset codes"
    );
}

#[tokio::test]
async fn a_claim_answers_the_same_for_a_dossier_that_exists() {
    // Arrange: ten paper dossiers with a phone each, and ten citizens (a
    // citizen may claim ten times an hour).
    let app = spawn().await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let mut numbers = Vec::new();
    for i in 0..10 {
        let phone = format!("07450200{i:02}");
        let r = reg
            .intake(
                "petitie",
                &[("p.pdf", b"%PDF-1.4 hartie".to_vec())],
                &[("phone", phone.as_str())],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        numbers.push(format!(
            "ALF-{}-{:06}",
            chrono::Utc::now().format("%Y"),
            i + 1
        ));
    }
    let phones = accounts(&app, 10, true).await;
    let mut citizens = Vec::new();
    for (i, phone) in phones.iter().enumerate() {
        let mut b = visitor(&app, 3000 + i, "/portal/login").await;
        let (status, _, _) = b
            .post(
                "/portal/login",
                &[("contact", phone), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        b.get("/portal/claim").await;
        citizens.push(b);
    }

    // Act and assert
    let citizens = std::cell::RefCell::new(citizens);
    same_answer_and_time("claim", |i, is_known| {
        let number = if is_known {
            numbers[i / 5].clone()
        } else {
            format!("ALF-{}-{:06}", chrono::Utc::now().format("%Y"), 900 + i)
        };
        let citizens = &citizens;
        async move {
            let mut b = citizens.borrow_mut().remove(0);
            let fields = [("institution", "alfa"), ("number", number.as_str())];
            let (answer, took) = timed(&mut b, "/portal/claim", &fields).await;
            b.get("/portal/claim").await;
            citizens.borrow_mut().push(b);
            (Answer::of(answer, &number), took)
        }
    })
    .await;
    assert_eq!(
        portal::outbox(&app, "+40745020000").await.len(),
        6,
        "the registration's news and five codes"
    );
}
