//! Request bodies (issue 18, items 1 and 8): one person's large uploads never
//! fail another person's request, and a body too large or badly framed is a
//! 4xx on every route, never a 500.

use std::time::Duration;

use ghiseu_tests::{Backend, Official, TestApp};
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::desk;

/// A PDF of `len` bytes (random content between a header and a trailer).
fn pdf_of(len: usize) -> Vec<u8> {
    let mut v = b"%PDF-1.4\n1 0 obj<<>>endobj\n".to_vec();
    v.extend(ghiseu_tests::random_bytes(len - v.len() - 7));
    v.extend(b"\n%%EOF\n");
    v
}

/// The largest scan whose intake form still fits the host's default 10 MiB body.
const BIG_SCAN: usize = 10 * 1024 * 1024 - 8 * 1024;

async fn big_intake(reg: &Official, scan: Vec<u8>) -> Result<StatusCode, String> {
    reg.try_intake("petitie", &[("dosar-mare.pdf", scan)], &[])
        .await
        .map(|r| r.status())
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn sixteen_large_uploads_fail_nobody_elses_request() {
    let app = desk::spawn(Backend::Sqlite).await;
    large_uploads_beside_small_requests(&app).await;
}

/// With a memory budget of 4 instances of 64 MiB, 16 large uploads and 24
/// small requests of others take turns: no more than 4 instances ever run,
/// and every request answers as it would alone (waiting, never failing).
#[tokio::test]
async fn a_host_memory_budget_bounds_instances_and_fails_no_request() {
    let metrics_port = ghiseu_tests::free_port();
    let app = ghiseu_tests::App::desk(Backend::Sqlite)
        .host_args(&[
            "--memory-budget-mb",
            "256",
            "--metrics-listen",
            &format!("127.0.0.1:{metrics_port}"),
        ])
        .spawn()
        .await;
    let seed =
        serde_json::json!({"tenants": [desk::tenant("alfa", "ALF"), desk::tenant("beta", "BTA")]});
    assert_eq!(app.seed(&seed).await.status(), 200);
    let gauge = move |name: &'static str| async move {
        let text = reqwest::get(format!("http://127.0.0.1:{metrics_port}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse::<u64>().ok())
            .unwrap_or_else(|| panic!("{name} not in the metrics"))
    };
    assert_eq!(gauge("ghiseu_instances_limit").await, 4);

    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let done = done.clone();
        tokio::spawn(async move {
            let mut most = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                most = most.max(gauge("ghiseu_instances_in_use").await);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            most
        })
    };
    large_uploads_beside_small_requests(&app).await;
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let most = sampler.await.unwrap();
    assert!((2..=4).contains(&most), "{most} instances at once");
}

/// 16 concurrent 10 MiB intakes by one registrar, beside 16 intakes of
/// another institution's registrar and 8 pages of a citizen: each answers
/// as it would alone.
async fn large_uploads_beside_small_requests(app: &TestApp) {
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let other_tenant = app.desk_sign_in("beta", "reg", "parola-reg").await;
    let mut citizen = crate::portal::signed_up(app, "Ion Vecinul", "+40745000222").await;

    // Alone, a 10 MiB intake is registered.
    let scan = pdf_of(BIG_SCAN);
    assert_eq!(
        big_intake(&reg, scan.clone()).await,
        Ok(StatusCode::SEE_OTHER)
    );

    let big: Vec<_> = (0..16)
        .map(|_| {
            let (reg, scan) = (reg.clone(), scan.clone());
            tokio::spawn(async move { big_intake(&reg, scan).await })
        })
        .collect();
    let small: Vec<_> = (0..16)
        .map(|_| {
            let other = other_tenant.clone();
            tokio::spawn(async move {
                other
                    .try_intake(
                        "petitie",
                        &[("cerere.pdf", ghiseu_tests::sample_pdf())],
                        &[],
                    )
                    .await
                    .map(|r| r.status())
                    .map_err(|e| e.to_string())
            })
        })
        .collect();
    let mut citizen_pages = Vec::new();
    for _ in 0..8 {
        citizen_pages.push(citizen.get("/portal").await.0);
    }
    for (i, r) in futures::future::join_all(big).await.into_iter().enumerate() {
        assert_eq!(r.unwrap(), Ok(StatusCode::SEE_OTHER), "large intake {i}");
    }
    for (i, r) in futures::future::join_all(small)
        .await
        .into_iter()
        .enumerate()
    {
        assert_eq!(
            r.unwrap(),
            Ok(StatusCode::SEE_OTHER),
            "the other tenant's intake {i}"
        );
    }
    assert!(
        citizen_pages.iter().all(|s| *s == StatusCode::OK),
        "{citizen_pages:?}"
    );
}

/// Sends `head` (without its blank line), then `body` as is, and reads the
/// whole answer: its status, its `Content-Type` and its body.
async fn raw_exchange(app: &TestApp, head: &str, body: &[u8]) -> (u16, String, String) {
    let mut stream = TcpStream::connect(app.socket_addr()).await.unwrap();
    let mut request = format!(
        "{head}\r\nhost: {}\r\nconnection: close\r\n\r\n",
        app.socket_addr()
    )
    .into_bytes();
    request.extend_from_slice(body);
    stream.write_all(&request).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut answer))
        .await
        .expect("an answer within 30 s")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {answer:?}"));
    let kind = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-type")
                .then(|| v.trim().to_owned())
        })
        .unwrap_or_default();
    (status, kind, body.to_owned())
}

/// A chunked body whose second chunk's size is not hexadecimal.
const BAD_CHUNKS: &[u8] = b"5\r\ncsrf=\r\nzz\r\nabc\r\n0\r\n\r\n";

#[tokio::test]
async fn malformed_chunked_bodies_are_400_on_the_desk() {
    let app = desk::spawn(Backend::Sqlite).await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let (id, _, _) = reg.register("petitie").await;
    let cases = [
        ("/desk/login", "application/x-www-form-urlencoded"),
        ("/desk/intake", "multipart/form-data; boundary=b"),
        (
            &*format!("/desk/dossiers/{id}/actions"),
            "application/x-www-form-urlencoded",
        ),
        (
            &*format!("/desk/dossiers/{id}/response"),
            "multipart/form-data; boundary=b",
        ),
        ("/desk/logout", "application/x-www-form-urlencoded"),
        ("/desk/sign/batches", "application/x-www-form-urlencoded"),
    ];
    for (path, kind) in cases {
        let head = format!(
            "POST {path} HTTP/1.1\r\ncookie: {}\r\ncontent-type: {kind}\r\n\
             transfer-encoding: chunked",
            reg.cookie
        );
        let (status, content_type, body) = raw_exchange(&app, &head, BAD_CHUNKS).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert!(
            content_type.starts_with("text/html"),
            "{path}: {content_type}"
        );
        assert!(body.contains("<h1"), "{path}: a readable page, not {body}");
    }
    // The callback is an API: problem+json.
    let head = "POST /api/v1/signing/callback HTTP/1.1\r\ncontent-type: application/json\r\n\
                transfer-encoding: chunked";
    let (status, content_type, body) = raw_exchange(&app, head, BAD_CHUNKS).await;
    assert_eq!(
        (status, content_type.as_str()),
        (400, "application/problem+json"),
        "{body}"
    );
    // Nothing was registered by any of them: the next number follows the first.
    let (_, number, _) = reg.register("petitie").await;
    assert!(number.ends_with("-000002"), "{number}");
}

#[tokio::test]
async fn a_payment_webhook_over_16_kib_is_413_problem_json() {
    let app = desk::spawn(Backend::Sqlite).await;
    let padding = "x".repeat(17 * 1024);
    let event = format!("{{\"order_id\":\"o\",\"padding\":\"{padding}\"}}");
    for framing in ["content-length", "chunked"] {
        let (head, body) = if framing == "chunked" {
            (
                "POST /api/v1/payments/webhook HTTP/1.1\r\ncontent-type: application/json\r\n\
                 transfer-encoding: chunked"
                    .to_owned(),
                format!("{:x}\r\n{event}\r\n0\r\n\r\n", event.len()),
            )
        } else {
            (
                format!(
                    "POST /api/v1/payments/webhook HTTP/1.1\r\ncontent-type: application/json\r\n\
                     content-length: {}",
                    event.len()
                ),
                event.clone(),
            )
        };
        let (status, content_type, text) = raw_exchange(&app, &head, body.as_bytes()).await;
        assert_eq!(status, 413, "{framing}: {text}");
        assert_eq!(content_type, "application/problem+json", "{framing}");
    }
    // A malformed one is 400.
    let head = "POST /api/v1/payments/webhook HTTP/1.1\r\ncontent-type: application/json\r\n\
                transfer-encoding: chunked";
    let (status, content_type, _) = raw_exchange(&app, head, BAD_CHUNKS).await;
    assert_eq!(
        (status, content_type.as_str()),
        (400, "application/problem+json")
    );
}

/// Read whole and then copied part by part, an upload needed twice its size:
/// two 10 MiB scans (the host letting 24 MiB bodies through) did not fit a
/// 32 MiB instance; read as it arrives, each part kept once, they do.
#[tokio::test]
async fn two_ten_mib_scans_fit_an_instance_of_32_mib() {
    let app = ghiseu_tests::App::desk(Backend::Sqlite)
        .memory_limit_mb(32)
        .max_body_bytes(24 << 20)
        .spawn()
        .await;
    let seed = serde_json::json!({"tenants": [desk::tenant("alfa", "ALF")]});
    assert_eq!(app.seed(&seed).await.status(), 200);
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let r = reg
        .try_intake(
            "petitie",
            &[("p1.pdf", pdf_of(BIG_SCAN)), ("p2.pdf", pdf_of(BIG_SCAN))],
            &[],
        )
        .await
        .map(|r| r.status())
        .map_err(|e| e.to_string());
    assert_eq!(r, Ok(StatusCode::SEE_OTHER));
}

#[tokio::test]
async fn malformed_chunked_bodies_are_a_readable_400_page_on_the_portal() {
    let app = desk::spawn(Backend::Sqlite).await;
    let citizen = crate::portal::signed_up(&app, "Ion Vecinul", "+40745000222").await;
    let cases = [
        ("/portal/login?lang=hu", "application/x-www-form-urlencoded"),
        (
            "/portal/new/alfa/petitie?lang=hu",
            "multipart/form-data; boundary=b",
        ),
    ];
    for (path, kind) in cases {
        let head = format!(
            "POST {path} HTTP/1.1\r\ncookie: {}\r\n\
             content-type: {kind}\r\ntransfer-encoding: chunked",
            citizen.cookie_header()
        );
        let (status, content_type, body) = raw_exchange(&app, &head, BAD_CHUNKS).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert!(
            content_type.starts_with("text/html"),
            "{path}: {content_type}"
        );
        assert!(body.contains("nem érkezett meg teljesen"), "{path}: {body}");
    }
}
