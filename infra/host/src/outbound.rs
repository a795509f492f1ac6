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

#[cfg(test)]
mod tests {
    use super::*;

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
