//! Test aids (not CSC): the record of calls and the callback sink.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use ghiseu_platform::csc::{self};
use ghiseu_platform::http::Request;
use ghiseu_platform::http::{self as web, Response};
use ghiseu_platform::keys::STORE;
use ghiseu_platform::keys::sandbox as keys;
use ghiseu_platform::kv::{self, Store};
use http::StatusCode;
use serde::{Deserialize, Serialize};

use super::{KEPT, Outcome, bad_request, from_json, read, variable};

// ---------------------------------------------------------------------------
// The record of calls, and the callback sink.

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Call {
    pub(super) method: String,
    pub(super) credential_id: String,
    pub(super) num_signatures: u32,
    pub(super) hashes: Vec<String>,
    pub(super) result: String,
    pub(super) at: DateTime<Utc>,
}

pub(super) fn record_call(
    credential_id: &str,
    method: &str,
    num_signatures: u32,
    hashes: &[String],
    result: &str,
) -> Outcome<()> {
    let call = Call {
        method: method.to_owned(),
        credential_id: credential_id.to_owned(),
        num_signatures,
        hashes: hashes.to_vec(),
        result: result.to_owned(),
        at: ghiseu_platform::config::now(),
    };
    append_kept(&keys::csc_calls(credential_id), call)?;
    Ok(())
}

/// Appends `entry` to the JSON list at `key`, keeping the newest [`KEPT`].
pub(super) fn append_kept<T>(key: &str, entry: T) -> ghiseu_platform::Result<()>
where
    T: Serialize + for<'de> Deserialize<'de> + Clone,
{
    kv::update_json(STORE, key, |list: &mut Vec<T>| {
        list.push(entry.clone());
        let excess = list.len().saturating_sub(KEPT);
        list.drain(..excess);
        true
    })
}

/// `GET /api/v1/sandbox/csc/calls?credential=`.
pub(super) async fn calls(store: &Store, query: &str) -> Outcome<Response> {
    let Some(id) = web::query_param(query, "credential") else {
        return Err(bad_request("Give ?credential=ID"));
    };
    let list: Vec<Call> = match store.get(&keys::csc_calls(&id)).await? {
        Some(b) => from_json(&keys::csc_calls(&id), &b)?,
        None => Vec::new(),
    };
    Ok(web::json(
        StatusCode::OK,
        &serde_json::json!({ "calls": list }),
    ))
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Received {
    pub(super) response_id: String,
    pub(super) client_data: String,
    /// Base64.
    pub(super) signatures: Vec<String>,
    pub(super) error: Option<String>,
    pub(super) received_at: DateTime<Utc>,
}

/// `POST /api/v1/sandbox/csc/callback-sink`: what a caller's callback route
/// does, checked with the platform's own `verify_callback`.
pub(super) async fn sink_receive(request: Request) -> Outcome<Response> {
    let (parts, body) = read(request).await?;
    let secret = variable("csc_callback_secret").await;
    let callback = match csc::verify_callback(&secret, &parts.headers, &body) {
        Ok(c) => c,
        Err(e) => {
            return Ok(web::problem(StatusCode::UNAUTHORIZED, e.to_string()));
        }
    };
    let received = Received {
        response_id: callback.response_id,
        client_data: callback.client_data,
        signatures: callback.signatures.iter().map(|s| B64.encode(s)).collect(),
        error: callback.error,
        received_at: ghiseu_platform::config::now(),
    };
    append_kept(keys::CSC_CALLBACK_SINK, received)?;
    Ok(web::empty(StatusCode::NO_CONTENT))
}

/// `GET /api/v1/sandbox/csc/callback-sink`.
pub(super) async fn sink_list(store: &Store) -> Outcome<Response> {
    let list: Vec<Received> = match store.get(keys::CSC_CALLBACK_SINK).await? {
        Some(b) => from_json(keys::CSC_CALLBACK_SINK, &b)?,
        None => Vec::new(),
    };
    Ok(web::json(
        StatusCode::OK,
        &serde_json::json!({ "received": list }),
    ))
}
