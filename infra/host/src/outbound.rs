//! `allowed_outbound_hosts`: which outgoing HTTP requests a component may
//! make. Everything not listed is refused with `HTTP-request-denied`, before
//! any connection is attempted.

use anyhow::{Context as _, bail};
use http::Uri;

/// The parsed allow-list of one component.
#[derive(Debug, Clone, Default)]
pub struct AllowedHosts {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    scheme: Option<String>,
    host: HostPattern,
    port: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    Any,
    Exact(String),
    /// `*.example.com`: the stored suffix is `.example.com`.
    Suffix(String),
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

impl AllowedHosts {
    /// Parses already-expanded patterns such as `https://api.example.com`,
    /// `http://127.0.0.1:9000`, `https://*.example.com:*` or `*://*:*`.
    pub fn parse<'a>(patterns: impl IntoIterator<Item = &'a str>) -> anyhow::Result<Self> {
        let entries = patterns
            .into_iter()
            .map(|p| Entry::parse(p).with_context(|| format!("allowed_outbound_hosts entry {p:?}")))
            .collect::<anyhow::Result<_>>()?;
        Ok(Self { entries })
    }

    /// Whether a request to `uri` is allowed.
    pub fn allows(&self, uri: &Uri) -> bool {
        let (Some(scheme), Some(host)) = (uri.scheme_str(), uri.host()) else {
            return false;
        };
        let Some(port) = uri.port_u16().or_else(|| default_port(scheme)) else {
            return false;
        };
        let host = host.to_ascii_lowercase();
        self.entries.iter().any(|e| {
            e.scheme.as_deref().is_none_or(|s| s == scheme)
                && e.port.is_none_or(|p| p == port)
                && match &e.host {
                    HostPattern::Any => true,
                    HostPattern::Exact(h) => *h == host,
                    HostPattern::Suffix(s) => host.ends_with(s.as_str()),
                }
        })
    }
}

impl Entry {
    fn parse(pattern: &str) -> anyhow::Result<Self> {
        let (scheme, rest) = pattern
            .split_once("://")
            .context("expected scheme://host[:port]")?;
        let rest = rest.trim_end_matches('/');
        if rest.contains('/') {
            bail!("paths are not allowed, only scheme://host[:port]");
        }
        let scheme = match scheme {
            "*" => None,
            "http" | "https" => Some(scheme.to_owned()),
            other => bail!("unsupported scheme {other:?}"),
        };
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || rest.starts_with('[') => (h, Some(p)),
            _ => (rest, None),
        };
        let port = match port {
            Some("*") => None,
            Some(p) => Some(
                p.parse::<u16>()
                    .with_context(|| format!("bad port {p:?}"))?,
            ),
            None => match scheme.as_deref().and_then(default_port) {
                Some(p) => Some(p),
                None => bail!("a port is required when the scheme is '*'"),
            },
        };
        let host = host.to_ascii_lowercase();
        let host = if host == "*" {
            HostPattern::Any
        } else if let Some(suffix) = host.strip_prefix('*') {
            if !suffix.starts_with('.') {
                bail!("wildcards must be '*' or '*.domain'");
            }
            HostPattern::Suffix(suffix.to_owned())
        } else if host.is_empty() || host.contains('*') {
            bail!("bad host {host:?}");
        } else {
            HostPattern::Exact(host)
        };
        Ok(Self { scheme, host, port })
    }
}

/// Spin's service chaining: a request to `http://{component}.spin.internal/...`
/// (allowed like any host in `allowed_outbound_hosts`, e.g.
/// `http://*.spin.internal`) is served by that component of this application.
/// ghiseu sends it to its own listener on loopback, after checking that the
/// application routes the path to that very component (a path the component
/// does not serve is refused rather than handed to another one).
pub struct ChainTarget {
    /// `http://127.0.0.1:{port}` (the listener; a wildcard address becomes loopback).
    origin: String,
    /// Whether `path` is routed to the component with this id.
    serves: Box<Serves>,
}

/// Whether the application routes a path (second argument) to a component (first).
type Serves = dyn Fn(&str, &str) -> bool + Send + Sync;

static CHAIN: std::sync::OnceLock<ChainTarget> = std::sync::OnceLock::new();

/// Registers where chained requests go (once, when the listener is bound).
pub fn set_chain_target(
    listen: std::net::SocketAddr,
    serves: impl Fn(&str, &str) -> bool + Send + Sync + 'static,
) {
    let ip = match listen.ip() {
        std::net::IpAddr::V4(v4) if v4.is_unspecified() => std::net::Ipv4Addr::LOCALHOST.into(),
        std::net::IpAddr::V6(v6) if v6.is_unspecified() => std::net::Ipv6Addr::LOCALHOST.into(),
        ip => ip,
    };
    let origin = format!("http://{}", std::net::SocketAddr::new(ip, listen.port()));
    _ = CHAIN.set(ChainTarget {
        origin,
        serves: Box::new(serves),
    });
}

/// For a chained request (`*.spin.internal`), the loopback URI that serves
/// it: `Some(Ok(uri))`; `Some(Err(why))` when it cannot be served; `None` for
/// any other host.
pub fn chained_uri(uri: &Uri) -> Option<Result<Uri, String>> {
    let component = uri.host()?.strip_suffix(".spin.internal")?;
    let Some(target) = CHAIN.get() else {
        return Some(Err(
            "service chaining is not available before the listener is bound".into(),
        ));
    };
    let path = uri.path();
    if !(target.serves)(component, path) {
        return Some(Err(format!(
            "component {component:?} does not serve {path} (service chaining follows the routes)"
        )));
    }
    let pq = uri.path_and_query().map_or("/", |p| p.as_str());
    Some(
        format!("{}{pq}", target.origin)
            .parse()
            .map_err(|e| format!("chained URI: {e}")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The only test in this binary that registers a chain target (it is
    /// process-wide, set once when the listener is bound).
    #[test]
    fn chained_requests_go_to_the_listener_only_for_routed_components() {
        let uri = |s: &str| s.parse::<Uri>().unwrap();
        assert!(chained_uri(&uri("http://example.ro/x")).is_none());
        set_chain_target("0.0.0.0:4567".parse().unwrap(), |component, path| {
            component == "sandbox" && path.starts_with("/sandbox/")
        });
        assert_eq!(
            chained_uri(&uri("http://sandbox.spin.internal/sandbox/gateway?x=1")),
            Some(Ok(uri("http://127.0.0.1:4567/sandbox/gateway?x=1")))
        );
        // A path the component is not routed, or another component: refused.
        assert!(matches!(
            chained_uri(&uri("http://sandbox.spin.internal/desk/login")),
            Some(Err(_))
        ));
        assert!(matches!(
            chained_uri(&uri("http://desk.spin.internal/sandbox/gateway")),
            Some(Err(_))
        ));
        assert!(chained_uri(&uri("http://spin.internal.example.ro/sandbox/x")).is_none());
    }

    #[test]
    fn allow_list_table() {
        let allowed = AllowedHosts::parse([
            "http://127.0.0.1:9000",
            "https://api.example.com",
            "https://*.gov.ro:*",
        ])
        .unwrap();
        let cases = [
            ("http://127.0.0.1:9000/bucket/key", true),
            ("http://127.0.0.1:9001/", false),
            ("https://127.0.0.1:9000/", false),
            ("https://api.example.com/x", true),
            ("https://api.example.com:443/x", true),
            ("https://api.example.com:8443/x", false),
            ("http://api.example.com/x", false),
            ("https://anaf.gov.ro:8443/", true),
            ("https://gov.ro/", false),
            ("https://evil.com/", false),
        ];
        for (uri, expected) in cases {
            assert_eq!(allowed.allows(&uri.parse().unwrap()), expected, "{uri}");
        }
        assert!(!AllowedHosts::default().allows(&"http://127.0.0.1/".parse().unwrap()));
        let any = AllowedHosts::parse(["*://*:*"]).unwrap();
        assert!(any.allows(&"http://x:1/".parse().unwrap()));
    }

    #[test]
    fn malformed_entries_are_errors() {
        for bad in [
            "127.0.0.1",
            "ftp://x",
            "http://x/path",
            "*://x",
            "http://a*b",
            "http://x:port",
        ] {
            assert!(AllowedHosts::parse([bad]).is_err(), "{bad}");
        }
    }
}
