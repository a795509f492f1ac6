//! The components' side of `wasi:http` 0.2: serving one incoming request
//! ([`serve`]), work that goes on after the response was sent
//! ([`after_response`]), and outbound requests with timeouts ([`send`]).
//!
//! Components are WASI 0.2 components (spin-sdk 5.2, `#[http_component]`)
//! because that is what released Spin 3.6+ and SpinKube run. Handlers are
//! written against the `http` crate's types: a [`Request`] whose body is
//! still unread ([`Incoming`], read with a limit by
//! [`crate::http::read_request`]) and a buffered [`Response`].
//!
//! An engine may give every request a fresh instance (Spin does, and so does
//! the `ghiseu` host) or reuse one, so nothing here keeps request data beyond
//! the request: the queue of [`after_response`] work is drained by the very
//! [`serve`] call that filled it.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt as _;
use spin_sdk::http::{
    Fields, IncomingRequest, IncomingResponse, OutgoingRequest, OutgoingResponse, ResponseOutparam,
    Scheme,
};
use spin_sdk::wit::wasi::http0_2_0::outgoing_handler;
use spin_sdk::wit::wasi::http0_2_0::types::{self as wasi_types, OutgoingBody, RequestOptions};

/// An incoming request whose body has not been read yet.
pub type Request = http::Request<Incoming>;

/// A response with its whole body.
pub type Response = http::Response<Bytes>;

/// A body that has not been read yet: of the request being served, or of the
/// answer to an outbound request. Read it with [`crate::http::read_body`].
pub struct Incoming {
    source: Source,
}

enum Source {
    Request(IncomingRequest),
    /// The response must outlive its body stream (a WASI resource rule).
    Response(IncomingResponse),
    Taken,
}

impl Incoming {
    /// The body's chunks in order; `None` when it was taken already.
    pub(crate) fn take_stream(
        &mut self,
    ) -> Option<impl futures::Stream<Item = Result<Vec<u8>, String>> + '_> {
        let stream = match std::mem::replace(&mut self.source, Source::Taken) {
            Source::Request(request) => request.into_body_stream().left_stream(),
            Source::Response(response) => {
                self.source = Source::Response(response);
                let Source::Response(response) = &self.source else {
                    unreachable!("set just above");
                };
                response.take_body_stream().right_stream()
            }
            Source::Taken => return None,
        };
        Some(stream.map(|chunk| chunk.map_err(|e| e.to_debug_string())))
    }
}

/// Serves one request: turns the WASI request into a [`Request`], lets
/// `handler` answer it, sends the answer, then runs the work the handler left
/// with [`after_response`].
pub async fn serve<F, Fut>(request: IncomingRequest, out: ResponseOutparam, handler: F)
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Response>,
{
    let response = match into_request(request) {
        Ok(request) => handler(request).await,
        Err(detail) => crate::problem::problem(http::StatusCode::BAD_REQUEST, &detail),
    };
    let (mut parts, body) = response.into_parts();
    let producer = STREAMED.with(|slot| slot.borrow_mut().take());
    if producer.is_none() {
        // The whole body is known: say its length, so that it is not chunked
        // and a cache in front can store it.
        parts.headers.insert(
            http::header::CONTENT_LENGTH,
            http::HeaderValue::from(body.len()),
        );
    }
    // A header the host refuses (e.g. a forbidden one) is left out alone.
    let (headers, _refused) = fields_of(&parts.headers);
    let outgoing = OutgoingResponse::new(headers);
    _ = outgoing.set_status_code(parts.status.as_u16());
    match producer {
        None => {
            if let Err(e) = out.set_with_body(outgoing, body.to_vec()).await {
                eprintln!("response body: {e:?}");
            }
        }
        Some(produce) => stream_body(out, outgoing, produce).await,
    }
    let pending = AFTER_RESPONSE.with(|queue| std::mem::take(&mut *queue.borrow_mut()));
    futures::future::join_all(pending).await;
}

type Deferred<T = ()> = Pin<Box<dyn Future<Output = T>>>;

thread_local! {
    /// Work of the request being served, run once its response is out.
    static AFTER_RESPONSE: RefCell<Vec<Deferred>> = const { RefCell::new(Vec::new()) };
}

type Producer = Box<dyn FnOnce(BodySink) -> Deferred<Result<(), String>>>;

thread_local! {
    /// The body of the response being served, when it is produced as it is sent.
    static STREAMED: RefCell<Option<Producer>> = const { RefCell::new(None) };
}

/// Answers with `head` (status and headers; its body is ignored) and a body
/// that `produce` writes into the [`BodySink`] as it goes, after the head has
/// been sent, so a body of any size needs the memory of one piece. Without a
/// `Content-Length` in `head` the body is chunked. When `produce` fails
/// halfway, the body is left unfinished: the engine cuts the connection, so
/// the client sees a broken download rather than a short file it could
/// take for whole.
pub fn streamed<F, Fut>(head: Response, produce: F) -> Response
where
    F: FnOnce(BodySink) -> Fut + 'static,
    Fut: Future<Output = Result<(), String>> + 'static,
{
    let producer: Producer = Box::new(move |sink| Box::pin(produce(sink)));
    STREAMED.with(|slot| *slot.borrow_mut() = Some(producer));
    let (parts, _) = head.into_parts();
    Response::from_parts(parts, Bytes::new())
}

/// Where a [`streamed`] body is written.
pub struct BodySink {
    stream: wasi::io::streams::OutputStream,
    sent: u64,
}

impl BodySink {
    /// Sends `bytes` (waiting while the client is slow to read).
    pub async fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        // `blocking-write-and-flush` takes at most 4096 bytes a call.
        for chunk in bytes.chunks(4096) {
            self.stream
                .blocking_write_and_flush(chunk)
                .map_err(|e| format!("sending the body: {e:?}"))?;
        }
        self.sent += bytes.len() as u64;
        Ok(())
    }

    /// Bytes sent so far.
    #[must_use]
    pub fn sent(&self) -> u64 {
        self.sent
    }
}

async fn stream_body(out: ResponseOutparam, outgoing: OutgoingResponse, produce: Producer) {
    let Ok(body) = outgoing.body() else {
        eprintln!("response body taken twice");
        return;
    };
    let Ok(stream) = body.write() else {
        eprintln!("response body stream taken twice");
        return;
    };
    out.set(outgoing);
    let sink = BodySink { stream, sent: 0 };
    match produce(sink).await {
        Ok(()) => {
            if let Err(e) = OutgoingBody::finish(body, None) {
                eprintln!("finishing a streamed body: {e}");
            }
        }
        // Dropped unfinished: the host aborts the response.
        Err(e) => eprintln!("a streamed body failed halfway, the response is cut: {e}"),
    }
}

/// Runs `work` after the response of the request being served has been
/// sent (e.g. an asynchronous result POSTed to a callback). The engine keeps
/// the instance alive until it ends, within the request's deadline.
pub fn after_response(work: impl Future<Output = ()> + 'static) {
    AFTER_RESPONSE.with(|queue| queue.borrow_mut().push(Box::pin(work)));
}

fn into_request(incoming: IncomingRequest) -> Result<Request, String> {
    let method = http::Method::from_bytes(incoming.method().to_string().as_bytes())
        .map_err(|e| format!("method: {e}"))?;
    let path = incoming.path_with_query().unwrap_or_else(|| "/".to_owned());
    let mut builder = http::Request::builder().method(method).uri(path);
    if let Some(headers) = builder.headers_mut() {
        copy_headers(incoming.headers().entries(), headers);
    }
    builder
        .body(Incoming {
            source: Source::Request(incoming),
        })
        .map_err(|e| format!("request: {e}"))
}

/// How long an outbound request may take to connect and to answer.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timeouts {
    /// To establish the connection.
    pub connect: Option<Duration>,
    /// From the request sent to the first byte of the answer.
    pub first_byte: Option<Duration>,
}

impl Timeouts {
    /// `connect` to connect, `first_byte` for the answer to start.
    #[must_use]
    pub const fn new(connect: Duration, first_byte: Duration) -> Self {
        Self {
            connect: Some(connect),
            first_byte: Some(first_byte),
        }
    }
}

/// Sends `request` (an absolute URL) over the component's outbound HTTP and
/// gives the answer's head with its body unread. The error is a short
/// reason (unreachable, refused by the host's allow-list, timed out).
pub async fn send(
    request: http::Request<Bytes>,
    timeouts: Timeouts,
) -> Result<http::Response<Incoming>, String> {
    let (parts, body) = request.into_parts();
    let uri = &parts.uri;
    let (headers, refused) = fields_of(&parts.headers);
    if let Some(name) = refused {
        return Err(format!("header {name}: refused by the host"));
    }
    let outgoing = OutgoingRequest::new(headers);
    let method = match parts.method.as_str() {
        "GET" => wasi_types::Method::Get,
        "HEAD" => wasi_types::Method::Head,
        "POST" => wasi_types::Method::Post,
        "PUT" => wasi_types::Method::Put,
        "DELETE" => wasi_types::Method::Delete,
        "PATCH" => wasi_types::Method::Patch,
        "OPTIONS" => wasi_types::Method::Options,
        other => wasi_types::Method::Other(other.to_owned()),
    };
    let scheme = match uri.scheme_str() {
        Some("https") => Scheme::Https,
        Some("http") => Scheme::Http,
        other => return Err(format!("unsupported scheme {other:?} in {uri}")),
    };
    let authority = uri
        .authority()
        .ok_or_else(|| format!("{uri} has no host"))?;
    let set = [
        outgoing.set_method(&method),
        outgoing.set_scheme(Some(&scheme)),
        outgoing.set_authority(Some(authority.as_str())),
        outgoing.set_path_with_query(uri.path_and_query().map(|p| p.as_str())),
    ];
    if set.iter().any(Result::is_err) {
        return Err(format!("{uri}: refused by the host"));
    }
    let options = RequestOptions::new();
    // A host may not support a timeout; the request still goes out.
    _ = options.set_connect_timeout(timeouts.connect.map(duration_ns));
    _ = options.set_first_byte_timeout(timeouts.first_byte.map(duration_ns));
    let outgoing_body = outgoing
        .body()
        .map_err(|()| "request body taken twice".to_owned())?;
    let future = outgoing_handler::handle(outgoing, Some(options))
        .map_err(|e| format!("{authority}: {e}"))?;
    // The host reads the body while the request is in flight, so writing it
    // after `handle` never fills a pipe nobody drains.
    write_body(outgoing_body, &body).map_err(|e| format!("{authority}: sending the body: {e}"))?;
    let response = future_response(&future)
        .await
        .map_err(|e| format!("{authority}: {e}"))?;
    let status = http::StatusCode::from_u16(response.status())
        .map_err(|e| format!("{authority}: status: {e}"))?;
    let mut head = http::Response::builder().status(status);
    if let Some(h) = head.headers_mut() {
        copy_headers(response.headers().entries(), h);
    }
    head.body(Incoming {
        source: Source::Response(response),
    })
    .map_err(|e| format!("{authority}: {e}"))
}

/// WASI fields holding `headers`, and the name of a header the host refused.
fn fields_of(headers: &http::HeaderMap) -> (Fields, Option<String>) {
    let fields = Fields::new();
    let mut refused = None;
    for (name, value) in headers {
        if fields.append(name.as_str(), value.as_bytes()).is_err() {
            refused.get_or_insert_with(|| name.to_string());
        }
    }
    (fields, refused)
}

/// Appends WASI header `entries` to `into`, leaving out any that `http` finds invalid.
fn copy_headers(entries: Vec<(String, Vec<u8>)>, into: &mut http::HeaderMap) {
    for (name, value) in entries {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_bytes(&value),
        ) {
            into.append(name, value);
        }
    }
}

fn duration_ns(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

fn write_body(body: OutgoingBody, bytes: &[u8]) -> Result<(), String> {
    {
        let stream = body.write().map_err(|()| "body stream taken".to_owned())?;
        // `blocking-write-and-flush` takes at most 4096 bytes a call.
        for chunk in bytes.chunks(4096) {
            stream
                .blocking_write_and_flush(chunk)
                .map_err(|e| format!("{e:?}"))?;
        }
    }
    OutgoingBody::finish(body, None).map_err(|e| e.to_string())
}

async fn future_response(
    future: &wasi_types::FutureIncomingResponse,
) -> Result<IncomingResponse, String> {
    futures::future::poll_fn(|cx| match future.get() {
        Some(Ok(Ok(response))) => Poll::Ready(Ok(response)),
        Some(Ok(Err(code))) => Poll::Ready(Err(code.to_string())),
        Some(Err(())) => Poll::Ready(Err("response taken twice".to_owned())),
        None => {
            spin_executor::push_waker(future.subscribe(), cx.waker().clone());
            Poll::Pending
        }
    })
    .await
}

/// Exports `$respond` (an `async fn(Request) -> Response` of the calling
/// crate's root) as the component's `wasi:http/incoming-handler`, served by
/// [`serve`]. spin-sdk's `#[http_component]` expands to `unsafe` glue, which
/// the workspace otherwise denies; it is confined to this one module.
#[macro_export]
macro_rules! http_component {
    ($respond:ident) => {
        #[allow(unsafe_code)]
        mod __ghiseu_http_component {
            #[::spin_sdk::http_component]
            async fn handle(
                request: ::spin_sdk::http::IncomingRequest,
                out: ::spin_sdk::http::ResponseOutparam,
            ) {
                $crate::http::serve(request, out, super::$respond).await;
            }
        }
    };
}
