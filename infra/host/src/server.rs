//! The HTTP front: hyper (HTTP/1.1, keep-alive, TCP_NODELAY), Spin routing
//! and headers, the request-body limit, and the mapping of guest failures to
//! 5xx responses for that request only.
//!
//! A request's path, in order: hyper accepts → Spin routing
//! ([`crate::router`]; no match is 404) → a declared Content-Length over the
//! limit is 413 at once, a chunked body is counted as it streams and one over
//! the limit turns the answer into 413 → the `spin-*` headers are set → the
//! component runs in a fresh instance ([`crate::app`]: it waits for a free
//! instance slot, then runs instantiation and the guest's `handle` in a task
//! of its own under the per-request deadline and memory limit) → the response
//! goes out as soon as the guest sets it, a small body gathered into one
//! write (`coalesce`), while the guest may run on to the end of `handle`
//! (the sandbox answers 202 and then works). A trap is a 500 for that request
//! only; a failure after the response was sent is only logged.
//!
//! Connections: each is registered with its requests in flight and when it
//! last finished one. hyper's header-read timeout also bounds an idle
//! kept-alive connection. At `--max-connections` a new connection makes the
//! longest-idle one close or, when every one is busy, gets a fixed
//! `503 Retry-After: 1` written on the raw socket. A failed accept (out of
//! descriptors) closes the longest-idle connection too, then pauses with
//! backoff and logs sparingly. On SIGTERM/SIGINT the accept loop ends, idle
//! connections close, busy ones finish their request, and the application
//! drains its instance slots, within `--shutdown-grace-ms`. Every request gets
//! an id (the balancer's plain `x-request-id`, else a new one) and one
//! access-log line naming its route pattern, never its path.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::{FutureExt as _, StreamExt as _};
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::AsyncWriteExt as _;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use wasmtime_wasi_http::WasiBody;

use crate::app::{App, Failure};
use crate::metrics::metrics;

/// How the server treats connections (`ghiseu up --help` gives the defaults).
#[derive(Debug, Clone)]
pub struct ConnLimits {
    /// Longest wait for a request's head, from the connection's first byte
    /// or, on a kept-alive connection, from the end of its previous response
    /// (hyper starts the same clock then): so it is also the idle keep-alive
    /// limit. A client trickling its headers a byte a second is cut off here.
    pub header_read_timeout: Duration,
    /// Connections open at once. At the cap, a new connection closes the
    /// longest-idle one (no request in flight); when every one is busy it
    /// is answered 503 with Retry-After and closed.
    pub max_connections: usize,
    /// On shutdown, the longest wait for requests in flight and for guests
    /// still working after their response.
    pub shutdown_grace: Duration,
}

/// The answer to a connection beyond the cap when none can be closed.
const REFUSAL: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
content-type: text/plain; charset=utf-8\r\n\
retry-after: 1\r\n\
connection: close\r\n\
content-length: 52\r\n\r\n\
Service Unavailable: too many connections, retry.\r\n";

/// Shortest and longest pause after a failed accept.
const ACCEPT_BACKOFF: (Duration, Duration) = (Duration::from_millis(5), Duration::from_secs(1));
/// At most one log line per this interval about failed accepts.
const ACCEPT_LOG_EVERY: Duration = Duration::from_secs(10);

/// One open connection, shared by its task and the accept loop.
struct Conn {
    /// Requests of this connection being handled now.
    busy: AtomicUsize,
    /// When it was opened or last finished a request (ms since `epoch`).
    last_active: AtomicU64,
    /// Told to close the connection (if idle then).
    evict: Notify,
    /// Already told: not chosen again while it closes.
    evicting: AtomicBool,
}

/// The open connections, for the cap and for shutdown.
struct Conns {
    epoch: Instant,
    open: Mutex<HashMap<u64, Arc<Conn>>>,
    next: AtomicU64,
    /// Signalled when the last connection closes.
    empty: Notify,
}

impl Conns {
    fn now_ms(&self) -> u64 {
        ms_since(self.epoch)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Conn>>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn len(&self) -> usize {
        self.lock().len()
    }

    /// Tells the longest-idle connection with no request in flight to
    /// close; false when every connection is busy.
    fn evict_idle(&self) -> bool {
        let open = self.lock();
        let victim = open
            .values()
            .filter(|c| c.busy.load(Ordering::Relaxed) == 0 && !c.evicting.load(Ordering::Relaxed))
            .min_by_key(|c| c.last_active.load(Ordering::Relaxed));
        match victim {
            Some(c) => {
                c.evicting.store(true, Ordering::Relaxed);
                c.evict.notify_one();
                metrics()
                    .connections_evicted
                    .fetch_add(1, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }
}

fn ms_since(epoch: Instant) -> u64 {
    epoch.elapsed().as_millis() as u64
}

/// Counts a request of a connection as busy until dropped.
struct Busy {
    conn: Arc<Conn>,
    epoch: Instant,
}

impl Busy {
    fn new(conn: &Arc<Conn>, epoch: Instant) -> Self {
        conn.busy.fetch_add(1, Ordering::Relaxed);
        Self {
            conn: conn.clone(),
            epoch,
        }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.conn
            .last_active
            .store(ms_since(self.epoch), Ordering::Relaxed);
        self.conn.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Reports failed accepts at most once per [`ACCEPT_LOG_EVERY`].
struct AcceptLog {
    last: Option<Instant>,
    suppressed: u64,
}

impl AcceptLog {
    fn failed(&mut self, e: &std::io::Error, pause: Duration) {
        if self.last.is_some_and(|t| t.elapsed() < ACCEPT_LOG_EVERY) {
            self.suppressed += 1;
            return;
        }
        tracing::warn!(
            "accept failed: {e}; pausing {} ms ({} more failures since the last report)",
            pause.as_millis(),
            self.suppressed
        );
        self.last = Some(Instant::now());
        self.suppressed = 0;
    }
}

/// Serves `app` on `listener` until `stop` completes, then stops accepting,
/// lets requests in flight and guests still running finish (up to
/// `limits.shutdown_grace`), and returns.
pub async fn serve(
    app: Arc<App>,
    listener: TcpListener,
    limits: ConnLimits,
    stop: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let conns = Arc::new(Conns {
        epoch: Instant::now(),
        open: Mutex::new(HashMap::new()),
        next: AtomicU64::new(0),
        empty: Notify::new(),
    });
    let (stopping_tx, stopping) = watch::channel(false);
    let mut stop = std::pin::pin!(stop);
    let mut pause = ACCEPT_BACKOFF.0;
    let mut log = AcceptLog {
        last: None,
        suppressed: 0,
    };
    loop {
        let accepted = tokio::select! {
            biased;
            () = &mut stop => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, client) = match accepted {
            Ok(pair) => {
                pause = ACCEPT_BACKOFF.0;
                pair
            }
            Err(e) => {
                // Out of file descriptors (or another transient failure):
                // free the longest-idle connection, pause, and try again,
                // rather than spinning on the error.
                metrics().accept_errors.fetch_add(1, Ordering::Relaxed);
                log.failed(&e, pause);
                conns.evict_idle();
                tokio::select! {
                    biased;
                    () = &mut stop => break,
                    () = tokio::time::sleep(pause) => {}
                }
                pause = (pause * 2).min(ACCEPT_BACKOFF.1);
                continue;
            }
        };
        if conns.len() >= limits.max_connections && !conns.evict_idle() {
            metrics()
                .connections_refused
                .fetch_add(1, Ordering::Relaxed);
            tokio::spawn(refuse(stream));
            continue;
        }
        spawn_connection(&app, &conns, &limits, stopping.clone(), stream, client);
    }

    // Stop: no new connections; idle ones close now, busy ones after their
    // request; then wait for guests still running after their response.
    drop(listener);
    let deadline = tokio::time::Instant::now() + limits.shutdown_grace;
    let _ = stopping_tx.send(true);
    let open = conns.len();
    tracing::info!("stopping: {open} connection(s) open, waiting for requests in flight");
    let _ = tokio::time::timeout_at(deadline, async {
        loop {
            let notified = conns.empty.notified();
            if conns.len() == 0 {
                break;
            }
            notified.await;
        }
    })
    .await;
    let left = app.drain(deadline).await;
    let cut = conns.len();
    if left > 0 || cut > 0 {
        tracing::warn!(
            "stopped with {cut} connection(s) and {left} instance(s) still running after {} s",
            limits.shutdown_grace.as_secs()
        );
    } else {
        tracing::info!("stopped: every request in flight finished");
    }
    Ok(())
}

/// Answers 503 on a connection beyond the cap and closes it.
async fn refuse(mut stream: TcpStream) {
    let _ = tokio::time::timeout(Duration::from_secs(1), stream.write_all(REFUSAL)).await;
    let _ = stream.shutdown().await;
}

fn spawn_connection(
    app: &Arc<App>,
    conns: &Arc<Conns>,
    limits: &ConnLimits,
    mut stopping: watch::Receiver<bool>,
    stream: TcpStream,
    client: SocketAddr,
) {
    // Without this, small chunked responses stall ~40 ms on delayed ACKs.
    let _ = stream.set_nodelay(true);
    let id = conns.next.fetch_add(1, Ordering::Relaxed);
    let conn = Arc::new(Conn {
        busy: AtomicUsize::new(0),
        last_active: AtomicU64::new(conns.now_ms()),
        evict: Notify::new(),
        evicting: AtomicBool::new(false),
    });
    conns.lock().insert(id, conn.clone());
    metrics().connections_open.fetch_add(1, Ordering::Relaxed);
    let app = app.clone();
    let conns = conns.clone();
    let header_read_timeout = limits.header_read_timeout;
    tokio::spawn(async move {
        let service = {
            let (state, epoch) = (conn.clone(), conns.epoch);
            hyper::service::service_fn(move |req| {
                let guard = Busy::new(&state, epoch);
                let app = app.clone();
                async move {
                    let res = handle(&app, req, client).await;
                    drop(guard);
                    Ok::<_, Infallible>(res)
                }
            })
        };
        let served = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_read_timeout)
            .keep_alive(true)
            .serve_connection(TokioIo::new(stream), service);
        let mut served = std::pin::pin!(served);
        let mut closing = false;
        let result = loop {
            tokio::select! {
                biased;
                r = served.as_mut() => break r,
                // Evicted for room, or the server is stopping.
                _ = async { tokio::select! {
                    () = conn.evict.notified() => {}
                    _ = stopping.changed() => {}
                } }, if !closing => {
                    // Checked here, where the connection is not being
                    // polled: no request can start in between.
                    if conn.busy.load(Ordering::Relaxed) == 0 {
                        break Ok(());
                    }
                    served.as_mut().graceful_shutdown();
                    closing = true;
                }
            }
        };
        if let Err(e) = result {
            tracing::debug!("connection: {e}");
        }
        let mut open = conns.lock();
        open.remove(&id);
        metrics().connections_open.fetch_sub(1, Ordering::Relaxed);
        if open.is_empty() {
            conns.empty.notify_waiters();
        }
    });
}

fn plain(status: StatusCode, text: &'static str) -> Response<WasiBody> {
    let mut res = Response::new(
        Full::new(Bytes::from_static(text.as_bytes()))
            .map_err(|e| match e {})
            .boxed_unsync(),
    );
    *res.status_mut() = status;
    res.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    res
}

/// The request id of a request: the one a balancer in front set
/// (`x-request-id`, if it is short and plain), else a new one. It is in the
/// response's `x-request-id` and in every log line about the request.
fn request_id(req: &Request<Incoming>) -> String {
    if let Some(given) = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        })
    {
        return given.to_owned();
    }
    static PREFIX: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let prefix = *PREFIX.get_or_init(|| {
        let mut b = [0u8; 4];
        let _ = getrandom::fill(&mut b);
        u32::from_le_bytes(b)
    });
    format!("{prefix:08x}{:012x}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Handles one request: route, limit, dispatch, map failures; counts it in
/// the metrics and writes its access-log line (route pattern, never the
/// path or the query, which may carry tokens or personal data).
pub async fn handle(app: &App, req: Request<Incoming>, client: SocketAddr) -> Response<WasiBody> {
    let started = Instant::now();
    let id = request_id(&req);
    let method = req.method().clone();
    let (component, route, mut res) = dispatch(app, req, client, &id).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    let elapsed = started.elapsed();
    let status = res.status().as_u16();
    metrics().request(component, route, status, elapsed);
    tracing::info!(
        target: "access",
        request_id = %id,
        method = %method,
        route,
        component,
        status,
        ms = elapsed.as_secs_f64() * 1000.0,
    );
    res
}

/// Routes and runs one request; the component id and route pattern it went
/// to (`-` when none matched) with the response.
async fn dispatch<'a>(
    app: &'a App,
    req: Request<Incoming>,
    client: SocketAddr,
    request_id: &str,
) -> (&'a str, &'a str, Response<WasiBody>) {
    let path = req.uri().path().to_owned();
    let Some(matched) = app.router.route(&path) else {
        return ("-", "-", plain(StatusCode::NOT_FOUND, "Not Found\n"));
    };
    let component = &app.components[matched.component];
    let (id, pattern) = (component.id.as_str(), matched.pattern);
    let limit = app.limits.max_body_bytes;
    let declared = req
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return (
            id,
            pattern,
            plain(StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large\n"),
        );
    }

    let (mut parts, body) = req.into_parts();
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_owned();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .to_owned();
    let full_url = format!("http://{host}{path_and_query}");
    if let Ok(uri) = full_url.parse() {
        parts.uri = uri;
    }
    let headers = &mut parts.headers;
    let mut set = |name: &'static str, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(name, v);
        }
    };
    set("spin-full-url", &full_url);
    set("spin-path-info", matched.path_info);
    set("spin-matched-route", matched.pattern);
    set("spin-raw-component-route", matched.pattern);
    set("spin-component-route", matched.component_route);
    set("spin-base-path", "/");
    set("spin-client-addr", &client.to_string());
    set("x-request-id", request_id);

    let over_limit = Arc::new(AtomicBool::new(false));
    let body = Limited {
        inner: body,
        remaining: limit,
        tripped: over_limit.clone(),
    }
    .boxed_unsync();
    let req = Request::from_parts(parts, body);

    let res = match component.handle(req).await {
        Ok(res) if over_limit.load(Ordering::Relaxed) => {
            drop(res);
            plain(StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large\n")
        }
        Ok(res) => coalesce(res).await,
        Err(e) if over_limit.load(Ordering::Relaxed) => {
            tracing::debug!(request_id, "component {id}: body over the limit: {e}");
            plain(StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large\n")
        }
        Err(Failure::Deadline) => {
            tracing::warn!(
                request_id,
                "component {id}, route {pattern}: deadline exceeded, instance stopped"
            );
            plain(
                StatusCode::GATEWAY_TIMEOUT,
                "Gateway Timeout: the request took too long\n",
            )
        }
        Err(e) => {
            tracing::error!(request_id, "component {id}, route {pattern}: {e}");
            plain(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error\n")
        }
    };
    (id, pattern, res)
}

/// Largest response body gathered before the head is sent.
const COALESCE_BYTES: usize = 256 << 10;
/// Longest wait for a response body to finish before streaming it instead.
const COALESCE_WAIT: std::time::Duration = std::time::Duration::from_millis(5);

/// A spin-sdk guest sets its response head first and writes the body after
/// it (`ResponseOutparam::set_with_body`), in its own task, so the head can
/// arrive here before the body and a plain pass-through makes hyper write the
/// head, each chunk and the chunked terminator separately: up to three
/// syscalls and packets for a small page, and no Content-Length. Most bodies
/// are complete by the time the head is seen (no timer then), or within
/// microseconds, so gather the body (up to [`COALESCE_BYTES`], for at most
/// [`COALESCE_WAIT`]) and send it with a Content-Length in one write;
/// anything larger or slower is streamed on from where gathering stopped, so
/// streaming responses still stream.
async fn coalesce(res: Response<WasiBody>) -> Response<WasiBody> {
    let (parts, mut body) = res.into_parts();
    let mut gathered = bytes::BytesMut::new();
    // Armed only when a frame is not there at once: most bodies are complete
    // by the time the head arrives, and a timer per request is measurable.
    let mut wait = std::pin::pin!(None::<tokio::time::Sleep>);
    // What stopped gathering before the body's end: trailers or an error to
    // pass on after the data, or nothing (the size or the wait ran out).
    let pending = loop {
        let frame = match body.frame().now_or_never() {
            Some(frame) => frame,
            None => {
                if wait.is_none() {
                    wait.set(Some(tokio::time::sleep(COALESCE_WAIT)));
                }
                let Some(expired) = wait.as_mut().as_pin_mut() else {
                    break None;
                };
                tokio::select! {
                    biased;
                    frame = body.frame() => frame,
                    () = expired => break None,
                }
            }
        };
        match frame {
            None => return whole(parts, gathered),
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) => {
                    gathered.extend_from_slice(&data);
                    if gathered.len() >= COALESCE_BYTES {
                        break None;
                    }
                }
                Err(trailers) => break Some(Ok(trailers)),
            },
            Some(Err(e)) => break Some(Err(e)),
        }
    };
    let head =
        futures::stream::iter((!gathered.is_empty()).then(|| Ok(Frame::data(gathered.freeze()))));
    let pending = futures::stream::iter(pending);
    let rest = http_body_util::BodyStream::new(body);
    let stream = head.chain(pending).chain(rest);
    Response::from_parts(
        parts,
        http_body_util::StreamBody::new(stream).boxed_unsync(),
    )
}

/// A gathered body as one frame with a Content-Length.
fn whole(parts: http::response::Parts, gathered: bytes::BytesMut) -> Response<WasiBody> {
    let full = Full::new(gathered.freeze())
        .map_err(|e| match e {})
        .boxed_unsync();
    Response::from_parts(parts, full)
}

/// A request body that fails once more than `remaining` bytes arrive, and
/// says so through `tripped`, so a chunked upload over the limit becomes a
/// 413 without the host ever holding more than one frame of it.
struct Limited {
    inner: Incoming,
    remaining: u64,
    tripped: Arc<AtomicBool>,
}

impl Body for Limited {
    type Data = Bytes;
    type Error = wasmtime_wasi_http::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    let n = data.len() as u64;
                    if n > self.remaining {
                        self.tripped.store(true, Ordering::Relaxed);
                        return Poll::Ready(Some(Err(
                            wasmtime_wasi_http::Error::HttpRequestBodySize(None),
                        )));
                    }
                    self.remaining -= n;
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            other => other.map(|_| None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
