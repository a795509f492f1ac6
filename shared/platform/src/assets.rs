//! The static assets (`static/` at the repository's top): their
//! content-hashed public paths, computed at build time by `build.rs`, so a
//! page links `/static/ghiseu.3f2a1b9c0d.css` and the static component can
//! serve it with `Cache-Control: immutable` (a change makes a new name).

/// One file of `static/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asset {
    /// Its file name in `static/`, e.g. `ghiseu.css`.
    pub name: &'static str,
    /// Its public, content-hashed path, e.g. `/static/ghiseu.3f2a1b9c0d.css`.
    pub path: &'static str,
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// The lowercase hex SHA-256 of its bytes at build time.
    pub sha256: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The asset published at `path` (hashed, as pages link it) or at
/// `/static/{name}` (unhashed, for a hand-typed address).
pub fn find(path: &str) -> Option<(&'static Asset, bool)> {
    FILES.iter().find_map(|a| {
        if a.path == path {
            Some((a, true))
        } else if path.strip_prefix("/static/") == Some(a.name) {
            Some((a, false))
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_has_a_hashed_path_that_finds_it() {
        assert!(FILES.iter().any(|a| a.name == "ghiseu.css"));
        for a in FILES {
            let (stem, ext) = a.name.rsplit_once('.').unwrap();
            assert_eq!(a.path, format!("/static/{stem}.{}.{ext}", &a.sha256[..10]));
            assert_eq!(find(a.path), Some((a, true)));
            assert_eq!(find(&format!("/static/{}", a.name)), Some((a, false)));
        }
        assert_eq!(GHISEU_CSS, find("/static/ghiseu.css").unwrap().0.path);
        assert_eq!(find("/static/../Cargo.toml"), None);
        assert_eq!(find("/static/ghiseu.0000000000.css"), None);
    }
}
