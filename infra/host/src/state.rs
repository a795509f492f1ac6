//! The per-instance store data: WASI, wasi:http, key-value, variables, the
//! outbound allow-list and the memory limit.

use std::collections::BTreeMap;
use std::sync::Arc;

use wasmtime::StoreLimits;
use wasmtime::component::{HasData, ResourceTable};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView};

use crate::bindings::fermyon::spin::variables as spin_vars;
use crate::kv_host::{KvCtx, KvView};
use crate::outbound::AllowedHosts;

/// Store data of one component instance.
pub struct HostState {
    pub(crate) table: ResourceTable,
    pub(crate) wasi: WasiCtx,
    pub(crate) http: WasiHttpCtx,
    pub(crate) hooks: OutboundHooks,
    pub(crate) limits: StoreLimits,
    pub(crate) kv: KvCtx,
    pub(crate) vars: Arc<BTreeMap<String, String>>,
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}

impl HostState {
    pub(crate) fn kv_view(&mut self) -> KvView<'_> {
        KvView {
            table: &mut self.table,
            ctx: &self.kv,
        }
    }
}

/// Enforces `allowed_outbound_hosts` on every outgoing request.
pub struct OutboundHooks {
    pub(crate) allowed: Arc<AllowedHosts>,
}

impl WasiHttpHooks for OutboundHooks {
    fn send_request(
        &mut self,
        request: http::Request<wasmtime_wasi_http::WasiBody>,
        options: Option<wasmtime_wasi_http::RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
    ) -> Box<
        dyn Future<
                Output = Result<
                    (
                        http::Response<wasmtime_wasi_http::WasiBody>,
                        Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
                    ),
                    wasmtime_wasi_http::Error,
                >,
            > + Send,
    > {
        if !self.allowed.allows(request.uri()) {
            tracing::warn!(
                "refused outbound request to {}://{} (not in allowed_outbound_hosts)",
                request.uri().scheme_str().unwrap_or("?"),
                request.uri().authority().map(|a| a.as_str()).unwrap_or("?")
            );
            return Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) });
        }
        let mut request = request;
        if let Some(chained) = crate::outbound::chained_uri(request.uri()) {
            match chained {
                Ok(uri) => {
                    if let Some(Ok(host)) = uri
                        .authority()
                        .map(|a| http::HeaderValue::from_str(a.as_str()))
                    {
                        request.headers_mut().insert(http::header::HOST, host);
                    }
                    *request.uri_mut() = uri;
                }
                Err(why) => {
                    tracing::warn!("refused chained request: {why}");
                    return Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) });
                }
            }
        }
        _ = fut;
        let authority = request
            .uri()
            .authority()
            .map_or_else(|| "-".to_owned(), |a| a.as_str().to_owned());
        Box::new(async move {
            use http_body_util::BodyExt;
            let started = std::time::Instant::now();
            let sent = wasmtime_wasi_http::default_send_request(request, options).await;
            crate::metrics::metrics().outbound_call(&authority, started.elapsed(), sent.is_ok());
            let (res, io) = sent?;
            Ok((
                res.map(BodyExt::boxed_unsync),
                Box::new(io) as Box<dyn Future<Output = _> + Send>,
            ))
        })
    }
}

/// Marker for the `fermyon:spin/variables` bindings.
pub struct VarsHost;

impl HasData for VarsHost {
    type Data<'a> = &'a BTreeMap<String, String>;
}

impl spin_vars::Host for &BTreeMap<String, String> {
    async fn get(&mut self, name: String) -> Result<String, spin_vars::Error> {
        if crate::variables::check_name(&name).is_err() {
            return Err(spin_vars::Error::InvalidName(name));
        }
        let vars: &BTreeMap<String, String> = self;
        vars.get(&name)
            .cloned()
            .ok_or(spin_vars::Error::Undefined(name))
    }

    fn convert_error(&mut self, err: spin_vars::Error) -> wasmtime::Result<spin_vars::Error> {
        Ok(err)
    }
}
