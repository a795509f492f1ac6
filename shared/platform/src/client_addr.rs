//! Who the client is: the peer Spin saw, or, behind a trusted balancer, the
//! address that balancer forwarded (`trusted_proxies`).

use http::HeaderMap;

/// The client's address without its port: Spin's `spin-client-addr`, or,
/// when that peer is one of the `trusted_proxies` (the balancers in front,
/// a component variable: comma-separated addresses or CIDR prefixes), the
/// address that proxy put in `X-Forwarded-For` (the rightmost entry that is
/// not itself a trusted proxy). A client cannot forge it: from anyone else
/// the header is ignored. (The raw value if the peer is not an address;
/// `unknown` when absent.)
#[must_use]
pub fn client_address(headers: &HeaderMap) -> String {
    client_address_behind(headers, trusted_proxies())
}

/// [`client_address`] with the trusted proxies given.
#[must_use]
pub fn client_address_behind(headers: &HeaderMap, trusted: &[IpNet]) -> String {
    let raw = headers
        .get("spin-client-addr")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("unknown");
    let Ok(peer) = raw.parse::<std::net::SocketAddr>().map(|a| a.ip()) else {
        return raw.to_owned();
    };
    if !trusted.iter().any(|net| net.contains(peer)) {
        return peer.to_string();
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|hop| hop.trim().parse::<std::net::IpAddr>().ok())
        .collect::<Vec<_>>();
    forwarded
        .iter()
        .rev()
        .find(|ip| !trusted.iter().any(|net| net.contains(**ip)))
        .or(forwarded.first())
        .map_or_else(|| peer.to_string(), ToString::to_string)
}

/// An address or a CIDR prefix (`10.0.0.0/8`, `::1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: std::net::IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Parses `a.b.c.d`, `a.b.c.d/n`, or the IPv6 forms.
    pub fn parse(text: &str) -> Option<Self> {
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a.parse().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (text.trim().parse().ok()?, None),
        };
        let max = if matches!(addr, std::net::IpAddr::V4(_)) {
            32
        } else {
            128
        };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Self { addr, prefix })
    }

    /// Whether `ip` is inside this prefix.
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        let bits = |a: std::net::IpAddr| -> u128 {
            match a {
                std::net::IpAddr::V4(v4) => u128::from(u32::from(v4)) << 96,
                std::net::IpAddr::V6(v6) => u128::from(v6),
            }
        };
        let ip = match (self.addr, ip) {
            (std::net::IpAddr::V4(_), std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => std::net::IpAddr::V4(v4),
                None => return false,
            },
            (std::net::IpAddr::V6(_), std::net::IpAddr::V4(_)) => return false,
            _ => ip,
        };
        // IPv4 sits in the top 32 bits, so one mask serves both families.
        let prefix = u32::from(self.prefix);
        if prefix == 0 {
            return true;
        }
        let mask = u128::MAX << (128 - prefix);
        (bits(self.addr) & mask) == (bits(ip) & mask)
    }
}

/// The `trusted_proxies` variable, parsed once per instance (variables do
/// not change while an instance lives); empty when unset or not declared.
fn trusted_proxies() -> &'static [IpNet] {
    static TRUSTED: std::sync::OnceLock<Vec<IpNet>> = std::sync::OnceLock::new();
    TRUSTED.get_or_init(|| {
        // Natively (unit tests) there is no Spin to ask: no one is trusted.
        #[cfg(target_arch = "wasm32")]
        let text = crate::config::variable_or_empty("trusted_proxies");
        #[cfg(not(target_arch = "wasm32"))]
        let text = String::new();
        text.split(',')
            .filter(|t| !t.trim().is_empty())
            .filter_map(|t| {
                let net = IpNet::parse(t);
                if net.is_none() {
                    eprintln!(
                        "trusted_proxies: `{}` is not an address or prefix",
                        t.trim()
                    );
                }
                net
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn the_forwarded_client_counts_only_behind_a_trusted_proxy() {
        let headers = |peer: &str, xff: &str| {
            let mut h = HeaderMap::new();
            h.insert("spin-client-addr", HeaderValue::from_str(peer).unwrap());
            if !xff.is_empty() {
                h.insert("x-forwarded-for", HeaderValue::from_str(xff).unwrap());
            }
            h
        };
        let trusted = [
            IpNet::parse("10.213.7.1").unwrap(),
            IpNet::parse("127.0.0.0/8").unwrap(),
        ];
        let from = |peer, xff| client_address_behind(&headers(peer, xff), &trusted);
        // Behind the balancer: the address it saw, not what the client claimed.
        assert_eq!(from("10.213.7.1:5000", "6.6.6.6, 81.2.3.4"), "81.2.3.4");
        assert_eq!(from("127.0.0.1:5000", "81.2.3.4, 127.0.0.2"), "81.2.3.4");
        assert_eq!(from("10.213.7.1:5000", ""), "10.213.7.1");
        assert_eq!(from("10.213.7.1:5000", "junk"), "10.213.7.1");
        // Straight from a client: its own header means nothing.
        assert_eq!(from("81.2.3.4:4000", "1.1.1.1"), "81.2.3.4");
        assert_eq!(
            client_address_behind(&headers("81.2.3.4:1", "1.1.1.1"), &[]),
            "81.2.3.4"
        );
        assert_eq!(from("[::ffff:127.0.0.1]:80", "81.2.3.4"), "81.2.3.4");
        // Prefixes.
        let net = IpNet::parse("192.168.0.0/16").unwrap();
        assert!(net.contains("192.168.200.1".parse().unwrap()));
        assert!(!net.contains("192.169.0.1".parse().unwrap()));
        assert!(
            IpNet::parse("::1")
                .unwrap()
                .contains("::1".parse().unwrap())
        );
        assert!(IpNet::parse("10.0.0.0/33").is_none());
        assert!(IpNet::parse("nonsense").is_none());
    }
}
