//! HTTP routing with Spin's rules: exact routes, `/prefix/...` wildcards
//! (which also match the bare prefix), the most specific route wins, and no
//! match is a 404.

use anyhow::bail;

/// A compiled route table.
#[derive(Debug, Default)]
pub struct Router {
    /// Sorted most specific first: exact routes, then wildcards by
    /// decreasing prefix length.
    routes: Vec<Route>,
}

#[derive(Debug, Clone)]
struct Route {
    pattern: String,
    kind: Kind,
    component: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Exact(String),
    /// The prefix without the trailing `/...`; empty for `/...`.
    Wildcard(String),
}

/// The result of routing one request path.
#[derive(Debug, PartialEq, Eq)]
pub struct RouteMatch<'r, 'p> {
    /// Index of the component (as given to [`Router::add`]).
    pub component: usize,
    /// The route as written in the manifest (`spin-matched-route`,
    /// `spin-raw-component-route`).
    pub pattern: &'r str,
    /// The route without its wildcard (`spin-component-route`).
    pub component_route: &'r str,
    /// The rest of the path after the route's prefix (`spin-path-info`).
    pub path_info: &'p str,
}

fn normalize(path: &str) -> &str {
    match path.trim_end_matches('/') {
        "" => "",
        p => p,
    }
}

impl Router {
    /// Adds `pattern` for `component`; duplicate routes are an error, as in
    /// Spin.
    pub fn add(&mut self, pattern: &str, component: usize) -> anyhow::Result<()> {
        if !pattern.starts_with('/') {
            bail!("route {pattern:?} must start with '/'");
        }
        if pattern.split('/').any(|segment| segment.starts_with(':')) {
            bail!("route {pattern:?}: ':name' parameters are not supported by ghiseu");
        }
        let kind = match pattern.strip_suffix("/...") {
            Some(prefix) => Kind::Wildcard(normalize(prefix).to_owned()),
            None if pattern.contains("...") => {
                bail!("route {pattern:?}: '...' is only allowed as the last segment")
            }
            None => Kind::Exact(normalize(pattern).to_owned()),
        };
        if self.routes.iter().any(|r| r.kind == kind) {
            bail!("route {pattern:?} is defined twice");
        }
        self.routes.push(Route {
            pattern: pattern.to_owned(),
            kind,
            component,
        });
        self.routes.sort_by_key(|r| match &r.kind {
            Kind::Exact(_) => (0, 0),
            Kind::Wildcard(prefix) => (1, usize::MAX - prefix.len()),
        });
        Ok(())
    }

    /// Routes a request path (without its query string).
    pub fn route<'r, 'p>(&'r self, path: &'p str) -> Option<RouteMatch<'r, 'p>> {
        let wanted = normalize(path);
        self.routes.iter().find_map(|r| match &r.kind {
            Kind::Exact(p) if p == wanted => Some(RouteMatch {
                component: r.component,
                pattern: &r.pattern,
                component_route: &r.pattern,
                path_info: "",
            }),
            Kind::Wildcard(prefix) => {
                let rest = path.strip_prefix(prefix.as_str())?;
                if rest.is_empty() || rest.starts_with('/') {
                    Some(RouteMatch {
                        component: r.component,
                        pattern: &r.pattern,
                        component_route: prefix,
                        path_info: rest,
                    })
                } else {
                    None
                }
            }
            Kind::Exact(_) => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Router {
        let mut r = Router::default();
        for (i, pattern) in ["/a", "/a/...", "/a/b/...", "/...", "/exact/"]
            .iter()
            .enumerate()
        {
            r.add(pattern, i).unwrap();
        }
        r
    }

    #[test]
    fn the_most_specific_route_wins() {
        let r = table();
        let cases = [
            ("/a", 0, ""),
            ("/a/", 0, ""),
            ("/a/x", 1, "/x"),
            ("/a/b", 2, ""),
            ("/a/b/c/d", 2, "/c/d"),
            ("/ab", 3, "/ab"),
            ("/", 3, "/"),
            ("/zzz/y", 3, "/zzz/y"),
            ("/exact", 4, ""),
        ];
        for (path, component, info) in cases {
            let m = r
                .route(path)
                .unwrap_or_else(|| panic!("{path} did not route"));
            assert_eq!((m.component, m.path_info), (component, info), "{path}");
        }
    }

    #[test]
    fn no_match_without_a_catch_all() {
        let mut r = Router::default();
        r.add("/api/...", 0).unwrap();
        r.add("/healthz", 1).unwrap();
        assert!(r.route("/apix").is_none());
        assert!(r.route("/healthz/x").is_none());
        assert!(r.route("/").is_none());
        assert_eq!(r.route("/api").unwrap().component, 0);
        assert_eq!(r.route("/api").unwrap().component_route, "/api");
    }

    #[test]
    fn duplicate_and_malformed_routes_are_rejected() {
        let mut r = Router::default();
        r.add("/x/...", 0).unwrap();
        assert!(r.add("/x/...", 1).is_err());
        assert!(r.add("x", 1).is_err());
        assert!(r.add("/a/.../b", 1).is_err());
        assert!(r.add("/users/:id", 1).is_err());
    }
}
