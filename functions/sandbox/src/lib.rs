//! The sandbox (DESIGN §6): local stand-ins for the platform's external
//! parties, speaking the same protocols as the real ones, for `cargo xtask up`
//! and the tests. Every route answers 404 unless the `enabled` variable is
//! `true`, so production runtime configs switch it off by leaving
//! `sandbox_enabled` at its default.
//!
//! The SMS and e-mail gateway (see [`gateway`]):
//! - `POST /sandbox/gateway/messages`: the gateway protocol of
//!   [`ghiseu_platform::notify`]: a JSON message signed with HMAC-SHA256 under
//!   `notify_secret` (header `X-Ghiseu-Signature`); a bad signature is 401; a
//!   message id seen before is accepted again without a second copy (202).
//! - `GET /sandbox/outbox` (HTML) and `GET /api/v1/sandbox/outbox[?to=]`
//!   (JSON): what was "sent", newest first.
//! - `POST /api/v1/sandbox/gateway/failures` `{"count": N}`: the next N
//!   deliveries answer 503, to exercise retries.
//!
//! The signing provider (CSC API v2 with a development CA): see [`csc`].
//! The timestamp authority (RFC 3161, tokens signed under the same CA): see [`tsa`].
//! The payment provider: `/sandbox/pay/...`, see [`payment`].

use ghiseu_platform::http::Request;
use ghiseu_platform::http::{self as web, Response};
use ghiseu_platform::keys::STORE;
use ghiseu_platform::kv::Store;
use http::{Method, StatusCode};

mod csc;
mod csc_pki;
mod gateway;
mod hosted;
mod payment;
mod tsa;

ghiseu_platform::http_component!(handle);

async fn handle(request: Request) -> Response {
    let enabled = ghiseu_platform::config::variable_or_empty("enabled");
    if enabled.trim() != "true" {
        return web::problem(StatusCode::NOT_FOUND, "The sandbox is switched off.");
    }
    let store = match Store::open(STORE).await {
        Ok(s) => s,
        Err(e) => return web::Problem::from_error(&e).into_response(),
    };
    if payment::serves(request.uri().path()) {
        return payment::handle(&store, request)
            .await
            .unwrap_or_else(|e| web::Problem::from_error(&e).into_response());
    }
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    let result = match (method, path.as_str()) {
        (Method::POST, "/sandbox/gateway/messages") => gateway::receive(&store, request).await,
        (Method::POST, "/api/v1/sandbox/gateway/failures") => {
            gateway::failures(&store, request).await
        }
        (Method::GET, "/api/v1/sandbox/outbox") => gateway::outbox(&store, &query)
            .await
            .map(|sent| web::json(StatusCode::OK, &serde_json::json!({ "messages": sent }))),
        (Method::GET, "/sandbox/outbox") => gateway::outbox(&store, &query)
            .await
            .map(|s| gateway::page(&s)),
        (_, "/sandbox/gateway/messages" | "/api/v1/sandbox/gateway/failures") => {
            Ok(web::method_not_allowed("POST"))
        }
        (_, "/sandbox/outbox" | "/api/v1/sandbox/outbox") => Ok(web::method_not_allowed("GET")),
        (_, p) if csc::owns(p) => Ok(csc::handle(&store, request).await),
        (_, tsa::PATH) => Ok(tsa::handle(&store, request).await),
        _ => Ok(web::problem(
            StatusCode::NOT_FOUND,
            "No such sandbox resource.",
        )),
    };
    result.unwrap_or_else(|e| web::Problem::from_error(&e).into_response())
}
