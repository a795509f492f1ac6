//! Routes as Spin resolves them: exact routes, `/...` wildcards, the most specific route
//! wins, 404 when nothing matches. Each component is the probe with its own `name`.

use ghiseu_tests::{App, Backend, TestApp, TestManifest};
use serde_json::Value;

async fn spawn(routes: &[(&str, &str)]) -> TestApp {
    App::with_manifest(TestManifest::routes(routes), Backend::Sqlite)
        .spawn()
        .await
}

/// What the probe reports about the request it served.
#[derive(Debug)]
struct Served {
    component: String,
    matched_route: String,
    path_info: String,
    full_url: String,
}

async fn request(app: &TestApp, path: &str) -> Result<Served, u16> {
    let response = app.get(path).await;
    let status = response.status().as_u16();
    if status != 200 {
        return Err(status);
    }
    let body: Value = response.json().await.expect("probe JSON");
    let field = |name: &str| body[name].as_str().unwrap_or_default().to_owned();
    Ok(Served {
        component: field("component"),
        matched_route: field("matched_route"),
        path_info: field("path_info"),
        full_url: field("full_url"),
    })
}

#[tokio::test]
async fn the_most_specific_route_wins_and_the_catch_all_takes_the_rest() {
    // Arrange
    let app = spawn(&[
        ("/a", "exact-a"),
        ("/a/...", "wild-a"),
        ("/a/b/...", "wild-a-b"),
        ("/...", "catch-all"),
    ])
    .await;
    // (request path, component, matched route, path info)
    let table = [
        ("/a", "exact-a", "/a", ""),
        ("/a/c", "wild-a", "/a/...", "/c"),
        ("/a/c/d", "wild-a", "/a/...", "/c/d"),
        ("/a/bc", "wild-a", "/a/...", "/bc"),
        ("/a/b/c", "wild-a-b", "/a/b/...", "/c"),
        ("/a/b/c/d", "wild-a-b", "/a/b/...", "/c/d"),
        ("/ab", "catch-all", "/...", "/ab"),
        ("/", "catch-all", "/...", "/"),
        ("/zzz/y", "catch-all", "/...", "/zzz/y"),
    ];

    for (path, component, matched_route, path_info) in table {
        // Act
        let served = request(&app, path)
            .await
            .unwrap_or_else(|status| panic!("{path}: status {status}"));

        // Assert
        assert_eq!(served.component, component, "{path}: {served:?}");
        assert_eq!(served.matched_route, matched_route, "{path}: {served:?}");
        assert_eq!(served.path_info, path_info, "{path}: {served:?}");
        assert_eq!(served.full_url, app.url(path), "{path}: {served:?}");
    }
}

#[tokio::test]
async fn a_wildcard_matches_its_own_prefix_and_keeps_the_query_out_of_path_info() {
    // Arrange
    let app = spawn(&[("/a/b/...", "wild-a-b"), ("/...", "catch-all")]).await;

    // Act
    let bare = request(&app, "/a/b").await.expect("/a/b served");
    let query = request(&app, "/a/b/c?x=1")
        .await
        .expect("/a/b/c?x=1 served");

    // Assert
    assert_eq!(bare.component, "wild-a-b");
    assert_eq!(bare.path_info, "");
    assert_eq!(query.component, "wild-a-b");
    assert_eq!(query.path_info, "/c");
    assert_eq!(query.full_url, app.url("/a/b/c?x=1"));
}

#[tokio::test]
async fn without_a_catch_all_unmatched_paths_are_not_found() {
    // Arrange
    let app = spawn(&[("/a", "exact-a"), ("/a/b/...", "wild-a-b")]).await;
    let table = [
        ("/a", Some("exact-a")),
        ("/a/b", Some("wild-a-b")),
        ("/a/b/c", Some("wild-a-b")),
        ("/a/c", None),
        ("/ab", None),
        ("/b", None),
        ("/", None),
        ("/healthz", None),
    ];

    for (path, expected) in table {
        // Act
        let outcome = request(&app, path).await;

        // Assert
        match (expected, outcome) {
            (Some(component), Ok(served)) => {
                assert_eq!(served.component, component, "{path}: {served:?}")
            }
            (None, Err(status)) => assert_eq!(status, 404, "{path}"),
            (expected, outcome) => panic!("{path}: expected {expected:?}, got {outcome:?}"),
        }
    }
}

/// A spin-sdk guest writes its body after setting the response head; the host
/// gathers a small body and sends it whole with a Content-Length (one write),
/// and lets a large one stream on, byte for byte, under the length the guest
/// declared (the platform's `serve` always declares it) or chunked.
#[tokio::test]
async fn small_bodies_go_out_whole_and_large_ones_stream() {
    let app = App::probe(Backend::Sqlite).spawn().await;
    let small = app.get("/probe/empty").await;
    assert_eq!(small.status(), 200);
    assert_eq!(small.headers()["content-length"], "3");
    assert!(small.headers().get("transfer-encoding").is_none());
    assert_eq!(small.bytes().await.unwrap().as_ref(), b"ok\n");

    // Over the 256 KiB gathered before the head is sent.
    let large = ghiseu_tests::random_bytes(1 << 20);
    let r = app.put("/probe/kv/large", large.clone()).await;
    assert_eq!(r.status(), 204);
    let r = app.get("/probe/kv/large").await;
    assert_eq!(r.status(), 200);
    let framed = match r.headers().get("content-length") {
        Some(length) => length.to_str().unwrap() == large.len().to_string(),
        None => r.headers()["transfer-encoding"] == "chunked",
    };
    assert!(framed, "unexpected framing: {:?}", r.headers());
    assert!(
        r.bytes().await.unwrap() == large,
        "the streamed body differs"
    );
}
