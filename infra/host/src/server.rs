//! The HTTP front: hyper (HTTP/1.1, keep-alive, TCP_NODELAY), Spin routing
//! and headers, the request-body limit, and the mapping of guest failures to
//! 5xx responses for that request only.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::{FutureExt as _, StreamExt as _};
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use wasmtime_wasi_http::WasiBody;

use crate::app::{App, Failure};

/// Serves `app` on `listener` until the process ends.
pub async fn serve(app: Arc<App>, listener: TcpListener) -> anyhow::Result<()> {
    loop {
        let (stream, client) = match listener.accept().await {
            Ok(pair) => pair,
            Err(e) => {
                tracing::warn!("accept: {e}");
                continue;
            }
        };
        // Without this, small chunked responses stall ~40 ms on delayed ACKs.
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let app = app.clone();
                async move { Ok::<_, Infallible>(handle(&app, req, client).await) }
            });
            if let Err(e) = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!("connection from {client}: {e}");
            }
        });
    }
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

/// Handles one request: route, limit, dispatch, map failures.
pub async fn handle(app: &App, req: Request<Incoming>, client: SocketAddr) -> Response<WasiBody> {
    let path = req.uri().path().to_owned();
    let Some(matched) = app.router.route(&path) else {
        return plain(StatusCode::NOT_FOUND, "Not Found\n");
    };
    let limit = app.limits.max_body_bytes;
    let declared = req
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return plain(StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large\n");
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

    let over_limit = Arc::new(AtomicBool::new(false));
    let body = Limited {
        inner: body,
        remaining: limit,
        tripped: over_limit.clone(),
    }
    .boxed_unsync();
    let req = Request::from_parts(parts, body);

    let component = &app.components[matched.component];
    match component.handle(req).await {
        Ok(res) if over_limit.load(Ordering::Relaxed) => {
            drop(res);
            plain(StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large\n")
        }
        Ok(res) => coalesce(res).await,
        Err(e) if over_limit.load(Ordering::Relaxed) => {
            tracing::debug!("component {}: body over the limit: {e}", component.id);
            plain(StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large\n")
        }
        Err(Failure::Deadline) => {
            tracing::warn!(
                "component {}: {path}: deadline exceeded, instance stopped",
                component.id
            );
            plain(
                StatusCode::GATEWAY_TIMEOUT,
                "Gateway Timeout: the request took too long\n",
            )
        }
        Err(e) => {
            tracing::error!("component {}: {path}: {e}", component.id);
            plain(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error\n")
        }
    }
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
