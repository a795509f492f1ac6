//! The own host under hostile connections and on SIGTERM: idle and trickling
//! clients cannot starve a normal one, a full house is refused clearly, running
//! out of file descriptors is survived without a restart, and a stop finishes
//! what is in flight. (Own host only: Spin's front is Spin's own.)

use std::time::{Duration, Instant};

use ghiseu_tests::{App, Backend, random_bytes, sha256_hex};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// A client with no connection reuse: every request opens a connection, so it
/// goes through the host's accept loop like a new visitor.
fn fresh_connections() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Opens `n` connections to `addr`, in batches so the listen backlog keeps up.
async fn open_connections(addr: std::net::SocketAddr, n: usize) -> Vec<TcpStream> {
    let mut all = Vec::with_capacity(n);
    for batch in (0..n).collect::<Vec<_>>().chunks(100) {
        let opened =
            futures::future::join_all(batch.iter().map(|_| TcpStream::connect(addr))).await;
        all.extend(opened.into_iter().map(|c| c.expect("connecting")));
    }
    all
}

/// Whether the host closed `conn` within `wait` (EOF or reset on read).
async fn closed_by_host(conn: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 512];
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, conn.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            // A 503 or 408 before the close: read on to the close.
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn two_thousand_idle_and_trickling_connections_do_not_starve_a_normal_client() {
    // Arrange: a cap well below the attack, a short header deadline.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let app = App::production()
        .host_args(&[
            "--max-connections",
            "256",
            "--header-read-timeout-ms",
            "3000",
        ])
        .spawn()
        .await;
    let addr = app.socket_addr();
    let mut idle = open_connections(addr, 1000).await;
    let mut trickling = open_connections(addr, 1000).await;
    for conn in &mut trickling {
        let _ = conn
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await;
    }
    let trickle = tokio::spawn(async move {
        for _ in 0..6 {
            tokio::time::sleep(Duration::from_secs(1)).await;
            for conn in &mut trickling {
                let _ = conn.write_all(b"X").await;
            }
        }
        trickling
    });

    // Act and assert: a normal visitor is answered within a second, each time.
    let client = fresh_connections();
    for round in 0..10 {
        for path in ["/healthz", "/api/v1/track/NOSUCHCODE0000000000000000"] {
            let started = Instant::now();
            let response = client
                .get(app.url(path))
                .send()
                .await
                .unwrap_or_else(|e| panic!("round {round}: GET {path}: {e}"));
            let elapsed = started.elapsed();
            assert!(
                response.status() == 200 || response.status() == 404,
                "round {round}: GET {path}: {}",
                response.status()
            );
            assert!(
                elapsed < Duration::from_secs(1),
                "round {round}: GET {path} took {elapsed:?} behind 2,000 hostile connections"
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Assert: every hostile connection is closed by the host (evicted for
    // room, or cut at the header deadline however slowly it trickles).
    let mut trickling = trickle.await.unwrap();
    let mut still_open = 0;
    for conn in idle.iter_mut().chain(trickling.iter_mut()) {
        if !closed_by_host(conn, Duration::from_secs(5)).await {
            still_open += 1;
        }
    }
    assert_eq!(still_open, 0, "connections the host kept past its deadline");
}

#[tokio::test]
async fn when_every_connection_is_busy_a_new_one_is_refused_with_503() {
    // Arrange: four connections, each in the middle of sending a request body.
    let app = App::probe(Backend::Sqlite)
        .host_args(&["--max-connections", "4"])
        .spawn()
        .await;
    let mut busy = open_connections(app.socket_addr(), 4).await;
    for conn in &mut busy {
        conn.write_all(b"POST /probe/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhalf")
            .await
            .unwrap();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Act
    let mut extra = TcpStream::connect(app.socket_addr()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), extra.read_to_end(&mut answer)).await;

    // Assert: a clear refusal, and the busy requests are unharmed.
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.starts_with("HTTP/1.1 503"),
        "beyond the cap: {answer:?}"
    );
    assert!(
        answer.to_ascii_lowercase().contains("retry-after: 1"),
        "{answer}"
    );
    let mut conn = busy.pop().unwrap();
    conn.write_all(&[b'x'; 96]).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(10), conn.read(&mut buf))
        .await
        .expect("the busy request got no answer")
        .unwrap();
    assert!(
        String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&buf[..n])
    );
}

#[tokio::test]
async fn out_of_file_descriptors_the_host_keeps_serving_and_logs_little() {
    // Arrange: a host allowed 160 file descriptors, a client that takes 600.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let app = App::probe(Backend::Sqlite)
        .wrapper(&["prlimit", "--nofile=160:160", "--"])
        .spawn()
        .await;
    let put = app.put("/probe/kv/before", "stored before").await;
    assert!(put.status().is_success(), "{}", put.status());

    // Act: exhaust, ask in the middle of it, then let go.
    let mut held = open_connections(app.socket_addr(), 600).await;
    let during = fresh_connections()
        .get(app.url("/probe/kv/before"))
        .send()
        .await;
    for conn in &mut held {
        let _ = conn.shutdown().await;
    }
    drop(held);
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Assert: it serves again, without a restart, and did not flood its log.
    let after = fresh_connections()
        .get(app.url("/probe/kv/before"))
        .send()
        .await
        .expect("the host does not serve after the descriptors came back");
    assert_eq!(after.status(), 200);
    assert_eq!(after.text().await.unwrap(), "stored before");
    if let Ok(r) = during {
        assert_eq!(r.status(), 200, "a request answered during exhaustion");
    }
    let log = app.log();
    let reports = log.matches("accept failed").count();
    assert!(reports >= 1, "the descriptors never ran out:\n{log}");
    assert!(
        reports <= 3,
        "{reports} accept-failure lines in a few seconds:\n{log}"
    );
}

#[tokio::test]
async fn sigterm_finishes_requests_in_flight_and_exits_zero() {
    // Arrange: writers keep storing; one upload is half sent when the stop comes.
    let mut app = App::probe(Backend::Sqlite).spawn().await;
    let addr = app.socket_addr();
    let writers = app.keep_writing(8);
    let value = sha256_hex(&random_bytes(16));
    let mut upload = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "PUT /probe/kv/in-flight HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
        value.len()
    );
    upload.write_all(head.as_bytes()).await.unwrap();
    upload.write_all(&value.as_bytes()[..10]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Act: stop, then finish the upload while the host is stopping.
    let stopping = tokio::spawn(async move {
        let status = app.terminate().await;
        (app, status)
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    upload.write_all(&value.as_bytes()[10..]).await.unwrap();
    let mut answer = vec![0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(10), upload.read(&mut answer))
        .await
        .expect("the request in flight got no answer")
        .unwrap();
    let (mut app, status) = stopping.await.unwrap();
    let mut acknowledged = Vec::new();
    for w in writers {
        acknowledged.extend(w.await.unwrap());
    }

    // Assert
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(
        answer.starts_with("HTTP/1.1 2"),
        "the upload in flight at SIGTERM: {answer}"
    );
    assert!(status.success(), "exit status after SIGTERM: {status:?}");
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "still accepting after the stop"
    );
    assert!(
        !acknowledged.is_empty(),
        "nothing acknowledged before the stop"
    );
    app.restart().await;
    let stored = app.get("/probe/kv/in-flight").await;
    assert_eq!(stored.text().await.unwrap(), value);
    for key in &acknowledged {
        let response = app.get(&format!("/probe/kv/{key}")).await;
        assert_eq!(response.status(), 200, "acknowledged {key} was lost");
    }
}

#[tokio::test]
async fn responses_carry_a_request_id_and_metrics_count_them() {
    // Arrange
    let metrics_port = ghiseu_tests::free_port();
    let app = App::probe(Backend::Sqlite)
        .host_args(&["--metrics-listen", &format!("127.0.0.1:{metrics_port}")])
        .env("GHISEU_LOG_FORMAT", "json")
        .spawn()
        .await;

    // Act
    let first = app.get("/probe/kv/nothing-here").await;
    let with_id = |id: &'static str| {
        app.client
            .get(app.url("/probe/empty"))
            .header("x-request-id", id)
            .send()
    };
    let given = with_id("from-the-balancer-42").await.unwrap();
    let forged = with_id("bad id\twith spaces").await.unwrap();
    let metrics = reqwest::get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    // Assert
    let id = first.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 20, "{id}");
    assert_eq!(given.headers()["x-request-id"], "from-the-balancer-42");
    assert_ne!(forged.headers()["x-request-id"], "bad id\twith spaces");
    assert!(
        metrics.contains(
            "ghiseu_http_requests_total{component=\"c0\",route=\"/probe/...\",status=\"4xx\"} 1"
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains(
            "ghiseu_http_requests_total{component=\"c0\",route=\"/probe/...\",status=\"2xx\"} 2"
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains("ghiseu_kv_call_duration_seconds_count{backend=\"sqlite\",op=\"get\"}")
    );
    assert!(metrics.contains("ghiseu_instances_in_use "));
    // The access log is JSON with the same id, and no path.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let log = app.log();
    let line = log
        .lines()
        .find(|l| l.contains(&id))
        .unwrap_or_else(|| panic!("no log line with {id}:\n{log}"));
    let entry: serde_json::Value = serde_json::from_str(line).expect("a JSON log line");
    assert_eq!(entry["status"], 404);
    assert_eq!(entry["route"], "/probe/...");
    assert!(
        !line.contains("nothing-here"),
        "the path is in the log: {line}"
    );
}
