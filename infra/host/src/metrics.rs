//! Prometheus metrics of one host process, served in the text exposition
//! format on a listener of their own (`ghiseu up --metrics-listen`), never
//! on the application's port.
//!
//! Labels are bounded by construction: a component id and a route pattern
//! from the manifest (never a request path, which may carry a token), a
//! status class, a store backend and operation, an outbound authority that
//! the manifest's `allowed_outbound_hosts` already limits.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// A latency histogram with Prometheus' cumulative buckets.
#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (bound, n) in BUCKETS.iter().zip(self.counts.iter_mut()) {
            if seconds <= *bound {
                *n += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        for (bound, n) in BUCKETS.iter().zip(self.counts.iter()) {
            let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{bound}\"}} {n}");
        }
        let _ = writeln!(out, "{name}_bucket{{{labels},le=\"+Inf\"}} {}", self.count);
        let _ = writeln!(out, "{name}_sum{{{labels}}} {}", self.sum);
        let _ = writeln!(out, "{name}_count{{{labels}}} {}", self.count);
    }
}

/// Calls of one kind: latency and failures.
#[derive(Debug, Default, Clone)]
struct Calls {
    latency: Histogram,
    errors: u64,
}

/// One route's requests.
#[derive(Debug, Default, Clone)]
struct RouteSeries {
    component: String,
    /// By status class: 1xx..5xx at index 1..=5.
    by_class: [u64; 6],
    latency: Histogram,
}

/// The process's metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<String, RouteSeries>>,
    kv: Mutex<BTreeMap<(&'static str, &'static str), Calls>>,
    outbound: Mutex<BTreeMap<String, Calls>>,
    /// Connections open now.
    pub connections_open: AtomicU64,
    /// Connections answered 503 at once because every slot was busy.
    pub connections_refused: AtomicU64,
    /// Idle connections closed to make room for a new one.
    pub connections_evicted: AtomicU64,
    /// Failed `accept` calls (out of file descriptors, mostly).
    pub accept_errors: AtomicU64,
}

/// The process-wide metrics.
pub fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::default)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Escapes a label value for the exposition format.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    /// A request to `route` (a manifest pattern) of `component` ended with
    /// `status` after `elapsed`.
    pub fn request(&self, component: &str, route: &str, status: u16, elapsed: Duration) {
        let mut routes = lock(&self.routes);
        let series = match routes.get_mut(route) {
            Some(s) => s,
            None => routes
                .entry(route.to_owned())
                .or_insert_with(|| RouteSeries {
                    component: component.to_owned(),
                    ..RouteSeries::default()
                }),
        };
        series.by_class[usize::from(status / 100).min(5)] += 1;
        series.latency.observe(elapsed.as_secs_f64());
    }

    /// A key-value call `op` on a `backend` store took `elapsed`.
    pub fn kv_call(&self, backend: &'static str, op: &'static str, elapsed: Duration, ok: bool) {
        let mut kv = lock(&self.kv);
        let calls = kv.entry((backend, op)).or_default();
        calls.latency.observe(elapsed.as_secs_f64());
        calls.errors += u64::from(!ok);
    }

    /// An outbound request to `authority` took `elapsed` to its response head.
    pub fn outbound_call(&self, authority: &str, elapsed: Duration, ok: bool) {
        let mut out = lock(&self.outbound);
        let calls = match out.get_mut(authority) {
            Some(c) => c,
            None => out.entry(authority.to_owned()).or_default(),
        };
        calls.latency.observe(elapsed.as_secs_f64());
        calls.errors += u64::from(!ok);
    }

    /// The exposition text, with the instances in use and their limit
    /// sampled by the caller.
    pub fn render(&self, instances: Instances) -> String {
        let mut out = String::with_capacity(16 << 10);
        self.render_routes(&mut out);
        self.render_kv(&mut out);
        self.render_outbound(&mut out);
        self.render_gauges(&mut out, instances);
        out
    }

    /// Appends the requests by route and status class, then their latency.
    fn render_routes(&self, out: &mut String) {
        out.push_str(
            "# HELP ghiseu_http_requests_total Requests answered, by component, route pattern and status class.\n\
             # TYPE ghiseu_http_requests_total counter\n",
        );
        let routes = lock(&self.routes).clone();
        for (route, s) in &routes {
            for (class, n) in s.by_class.iter().enumerate().skip(1) {
                if *n > 0 {
                    let _ = writeln!(
                        out,
                        "ghiseu_http_requests_total{{component=\"{}\",route=\"{}\",status=\"{class}xx\"}} {n}",
                        label(&s.component),
                        label(route)
                    );
                }
            }
        }
        out.push_str(
            "# HELP ghiseu_http_request_duration_seconds Time from a request's arrival to its response head.\n\
             # TYPE ghiseu_http_request_duration_seconds histogram\n",
        );
        for (route, s) in &routes {
            let labels = format!(
                "component=\"{}\",route=\"{}\"",
                label(&s.component),
                label(route)
            );
            s.latency
                .render(out, "ghiseu_http_request_duration_seconds", &labels);
        }
    }

    /// Appends the key-value calls' latency, then their failures, by backend
    /// and operation.
    fn render_kv(&self, out: &mut String) {
        out.push_str(
            "# HELP ghiseu_kv_call_duration_seconds Key-value calls of the guests, by backend and operation.\n\
             # TYPE ghiseu_kv_call_duration_seconds histogram\n",
        );
        let kv = lock(&self.kv).clone();
        for ((backend, op), c) in &kv {
            let labels = format!("backend=\"{backend}\",op=\"{op}\"");
            c.latency
                .render(out, "ghiseu_kv_call_duration_seconds", &labels);
        }
        out.push_str(
            "# HELP ghiseu_kv_errors_total Key-value calls that failed.\n\
             # TYPE ghiseu_kv_errors_total counter\n",
        );
        for ((backend, op), c) in &kv {
            let _ = writeln!(
                out,
                "ghiseu_kv_errors_total{{backend=\"{backend}\",op=\"{op}\"}} {}",
                c.errors
            );
        }
    }

    /// Appends the outbound requests' latency, then their failures, by
    /// authority.
    fn render_outbound(&self, out: &mut String) {
        out.push_str(
            "# HELP ghiseu_outbound_duration_seconds Outbound HTTP of the guests (the object store, the gateways), by authority, to the response head.\n\
             # TYPE ghiseu_outbound_duration_seconds histogram\n",
        );
        let outbound = lock(&self.outbound).clone();
        for (authority, c) in &outbound {
            let labels = format!("authority=\"{}\"", label(authority));
            c.latency
                .render(out, "ghiseu_outbound_duration_seconds", &labels);
        }
        out.push_str(
            "# HELP ghiseu_outbound_errors_total Outbound HTTP requests that failed before a response.\n\
             # TYPE ghiseu_outbound_errors_total counter\n",
        );
        for (authority, c) in &outbound {
            let _ = writeln!(
                out,
                "ghiseu_outbound_errors_total{{authority=\"{}\"}} {}",
                label(authority),
                c.errors
            );
        }
    }

    /// Appends the single-valued series: instances in use and the
    /// connection counters.
    fn render_gauges(&self, out: &mut String, instances: Instances) {
        let series = [
            (
                "ghiseu_instances_in_use",
                "gauge",
                "Component instances running now (including work after a response).",
                instances.in_use as u64,
            ),
            (
                "ghiseu_instances_limit",
                "gauge",
                "Component instances that may run at once (the memory budget over the memory limit); requests beyond wait.",
                instances.limit as u64,
            ),
            (
                "ghiseu_connections_open",
                "gauge",
                "Client connections open now.",
                self.connections_open.load(Ordering::Relaxed),
            ),
            (
                "ghiseu_connections_refused_total",
                "counter",
                "Connections answered 503 because every connection slot was busy.",
                self.connections_refused.load(Ordering::Relaxed),
            ),
            (
                "ghiseu_connections_evicted_total",
                "counter",
                "Idle connections closed to make room for new ones.",
                self.connections_evicted.load(Ordering::Relaxed),
            ),
            (
                "ghiseu_accept_errors_total",
                "counter",
                "Failed accepts (out of file descriptors, mostly).",
                self.accept_errors.load(Ordering::Relaxed),
            ),
        ];
        for (name, kind, help, value) in series {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        }
    }
}

/// Component instances: running now, and the most that may.
#[derive(Debug, Clone, Copy)]
pub struct Instances {
    /// Running now, including guests working after their response.
    pub in_use: usize,
    /// The most that run at once.
    pub limit: usize,
}

/// Serves `GET /metrics` on `listener`, sampling `instances` for each
/// scrape (one small response per request; anything else is 404).
pub async fn serve(
    listener: tokio::net::TcpListener,
    instances: impl Fn() -> Instances + Clone + Send + Sync + 'static,
) {
    use http_body_util::Full;
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let sample = instances.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: http::Request<_>| {
                let res = if req.uri().path() == "/metrics" {
                    http::Response::builder()
                        .header("content-type", "text/plain; version=0.0.4; charset=utf-8")
                        .body(Full::new(bytes::Bytes::from(metrics().render(sample()))))
                } else {
                    http::Response::builder()
                        .status(404)
                        .body(Full::new(bytes::Bytes::from_static(b"Not Found\n")))
                };
                async move { res }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_cumulative_and_labels_escaped() {
        let m = Metrics::default();
        m.request("track", "/track/...", 200, Duration::from_millis(3));
        m.request("track", "/track/...", 404, Duration::from_millis(300));
        m.kv_call("sqlite", "get", Duration::from_micros(50), true);
        m.kv_call("sqlite", "get", Duration::from_micros(50), false);
        m.outbound_call("a\"b:9000", Duration::from_millis(1), true);
        let text = m.render(Instances {
            in_use: 2,
            limit: 16,
        });
        assert!(text.contains(
            "ghiseu_http_requests_total{component=\"track\",route=\"/track/...\",status=\"2xx\"} 1"
        ));
        assert!(text.contains("status=\"4xx\"} 1"));
        assert!(text.contains(
            "ghiseu_http_request_duration_seconds_bucket{component=\"track\",route=\"/track/...\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "ghiseu_http_request_duration_seconds_bucket{component=\"track\",route=\"/track/...\",le=\"0.5\"} 2"
        ));
        assert!(text.contains("ghiseu_kv_errors_total{backend=\"sqlite\",op=\"get\"} 1"));
        assert!(text.contains("authority=\"a\\\"b:9000\""));
        assert!(text.contains("ghiseu_instances_in_use 2"));
        assert!(text.contains("ghiseu_instances_limit 16"));
    }
}
