//! Tidy checks: tests that scan the tree and fail on a forbidden pattern, each with
//! the reason in its message (after rust-analyzer's `xtask/src/tidy.rs`).

mod module_graph;
mod rust_text;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_text::RustText;

/// The Rust files under `dirs` of the workspace, skipping build output.
fn rust_files(root: &Path, dirs: &[&str]) -> Vec<PathBuf> {
    dirs.iter()
        .flat_map(|dir| crate::files_under(&root.join(dir)))
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .collect()
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

/// Lines of the application's code (components, their libraries, the probe) that
/// match one of `patterns`, as `path:line: text`.
fn offending_lines(patterns: &[&str]) -> Vec<String> {
    let root = workspace_root();
    let mut found = Vec::new();
    for file in rust_files(&root, &["functions", "shared", "tests/probe"]) {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            if patterns.iter().any(|p| code.contains(p)) {
                let shown = file.strip_prefix(&root).unwrap_or(&file).display();
                found.push(format!("{shown}:{}: {}", n + 1, code));
            }
        }
    }
    found
}

#[test]
fn no_compare_and_swap_in_the_application() {
    let found = offending_lines(&[
        "atomics::Cas",
        "atomics::swap",
        "Cas::new",
        "compare_and_swap",
        "create_if_absent",
    ]);
    assert!(
        found.is_empty(),
        "real Spin's compare-and-swap cannot decide a race (on Redis every swap reports \
         failure; on SQLite create-if-absent is an upsert): decide with `increment` \
         (ghiseu_platform::kv::lease, kv::replace, kv::insert_new) instead:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_wasi_batch_get_many_in_the_application() {
    let found = offending_lines(&["batch::get_many"]);
    assert!(
        found.is_empty(),
        "real Spin's `get-many` panics on Redis when a key exists and leaves absent keys \
         out on SQLite: read with ghiseu_platform::kv::get_many (one get per key):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_checks_see_the_application() {
    // A tidy check that scans nothing would pass forever.
    let root = workspace_root();
    let files = rust_files(&root, &["functions", "shared", "tests/probe"]);
    assert!(files.len() > 50, "only {} files found", files.len());
    assert!(!offending_lines(&["kv::increment("]).is_empty());
}

// ---- the invariants of ARCHITECTURE.md -----------------------------------------
//
// Each check below has an allowlist, emptied by the refactor of issue 16 and to stay
// empty but for a reason written beside an entry. A check also fails when an
// allowlisted entry no longer offends, so a list can only shrink.

/// One offence: what an allowlist names (a file, a path, a route) and the line shown.
struct Finding {
    key: String,
    shown: String,
}

/// Fails on a finding `allowed` does not name (with `reason`), and on an entry of
/// `allowed` that no longer offends.
fn assert_allowed(reason: &str, found: &[Finding], allowed: &[&str]) {
    let new: Vec<&str> = found
        .iter()
        .filter(|f| !allowed.contains(&f.key.as_str()))
        .map(|f| f.shown.as_str())
        .collect();
    assert!(new.is_empty(), "{reason}:\n{}", new.join("\n"));
    let stale: Vec<&str> = allowed
        .iter()
        .copied()
        .filter(|a| !found.iter().any(|f| f.key == *a))
        .collect();
    assert!(
        stale.is_empty(),
        "no longer offending, so take them out of this check's allowlist (it only shrinks):\n{}",
        stale.join("\n")
    );
}

fn read_root_file(name: &str) -> String {
    std::fs::read_to_string(workspace_root().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `path` relative to the workspace root, with `/` separators.
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The production Rust files under `dirs`: not under a `tests` directory (their
/// `#[cfg(test)]` items are left out by [`RustText`]).
fn production_files(root: &Path, dirs: &[&str]) -> Vec<(String, String)> {
    rust_files(root, dirs)
        .into_iter()
        .map(|file| (relative(root, &file), file))
        .filter(|(rel, _)| !rel.split('/').any(|c| c == "tests"))
        .map(|(rel, file)| (rel, std::fs::read_to_string(file).unwrap_or_default()))
        .collect()
}

/// What `matcher` finds in each of `files` (`(path, text)`), keyed by the file.
fn file_findings(
    files: &[(String, String)],
    matcher: impl Fn(&str) -> Vec<(usize, String)>,
) -> Vec<Finding> {
    let mut found = Vec::new();
    for (rel, text) in files {
        for (line, what) in matcher(text) {
            found.push(Finding {
                key: rel.clone(),
                shown: format!("{rel}:{line}: {what}"),
            });
        }
    }
    found
}

// ---- a. core and app read neither the clock nor a Spin variable ---------------

/// Files of `shared/core` and `shared/app` allowed to read the clock or a
/// variable: none.
const CLOCK_OR_VARIABLE_ALLOWED: &[&str] = &[];

const CLOCK_OR_VARIABLE: &[&str] = &[
    "Utc::now",
    "Local::now",
    "SystemTime::now",
    "Instant::now",
    "variables::get",
    "spin_sdk::variables",
    "from_variables",
];

/// The lines of `text`'s production code that read the clock or a Spin variable,
/// with what they call.
fn clock_or_variable_reads(text: &str) -> Vec<(usize, String)> {
    let rust = RustText::new(text);
    let mut found = Vec::new();
    for pattern in CLOCK_OR_VARIABLE {
        for (offset, _) in rust.code().match_indices(pattern) {
            found.push((rust.line_of(offset), format!("calls `{pattern}`")));
        }
    }
    found.sort();
    found
}

#[test]
fn core_and_app_read_neither_clock_nor_variables() {
    let root = workspace_root();
    // `shared/app` may not exist yet; it is scanned as soon as it does.
    let files = production_files(&root, &["shared/core", "shared/app"]);
    assert!(files.iter().any(|(rel, _)| rel.starts_with("shared/core/")));
    let found = file_findings(&files, clock_or_variable_reads);
    assert_allowed(
        "shared/core and shared/app decide, they do not look around: take `now` and \
         configuration as arguments (the component reads the clock in its one clock \
         module and variables in its one config module)",
        &found,
        CLOCK_OR_VARIABLE_ALLOWED,
    );
}

#[test]
fn clock_or_variable_reads_are_seen() {
    let src = "use chrono::Utc;\n\
               // Utc::now() in a comment\n\
               fn now() -> i64 { Utc::now().timestamp() }\n\
               fn v() { let _ = spin_sdk::variables::get(\"x\"); }\n\
               fn s() -> &'static str { \"Instant::now\" }\n\
               #[cfg(test)]\n\
               mod tests { fn t() { std::time::Instant::now(); } }\n";
    assert_eq!(
        clock_or_variable_reads(src),
        [
            (3, "calls `Utc::now`".to_string()),
            (4, "calls `spin_sdk::variables`".to_string()),
            (4, "calls `variables::get`".to_string())
        ]
    );
    assert!(
        clock_or_variable_reads("fn f(now: DateTime<Utc>) -> bool { now.hour() > 8 }").is_empty()
    );
}

// ---- b. keys are built in keys.rs only ---------------------------------------

/// Files outside `shared/platform/src/keys.rs` allowed to spell a key: none.
const KEY_LITERAL_ALLOWED: &[&str] = &[];

/// The first segments of the key layout (ARCHITECTURE.md, "Storage").
const KEY_PREFIXES: &[&str] = &[
    "t/", "citizen/", "track/", "verify/", "sandbox/", "session/",
];

/// The string literals of `text`'s production code (quoted) that begin a key (a route
/// begins with `/`, and a URL with its origin, so neither is one).
fn key_literals(text: &str) -> Vec<(usize, String)> {
    let rust = RustText::new(text);
    rust.literals()
        .iter()
        .filter(|l| KEY_PREFIXES.iter().any(|p| l.text.starts_with(p)))
        .map(|l| (rust.line_of(l.offset), format!("\"{}\"", l.text)))
        .collect()
}

#[test]
fn keys_are_built_in_keys_rs_only() {
    let root = workspace_root();
    let mut files = production_files(&root, &["functions", "shared"]);
    files.retain(|(rel, _)| {
        rel != "shared/platform/src/keys.rs" && !rel.starts_with("shared/platform/src/keys/")
    });
    let found = file_findings(&files, key_literals);
    assert_allowed(
        "a key is spelled in shared/platform/src/keys.rs only, so the storage layout has \
         one place: add a function there and call it",
        &found,
        KEY_LITERAL_ALLOWED,
    );
}

#[test]
fn key_literals_are_seen() {
    let src = "const CA: &str = \"sandbox/csc/ca\";\n\
               fn k(id: &str) -> String { format!(\"citizen/account/{id}\") }\n\
               fn url(o: &str, t: &str) -> String { format!(\"{o}/track/{t}\") }\n\
               fn route() -> &'static str { \"/verify/\" }\n\
               // \"t/{slug}/open\" in a comment\n\
               #[cfg(test)]\n\
               mod tests { const K: &str = \"t/cj/open\"; }\n";
    assert_eq!(
        key_literals(src),
        [
            (1, r#""sandbox/csc/ca""#.to_string()),
            (2, r#""citizen/account/{id}""#.to_string())
        ]
    );
    assert!(key_literals("fn f() -> &'static str { \"text/plain\" }").is_empty());
}

// ---- c. no file of a component imports its lib.rs ----------------------------

/// Component files allowed to import their crate's `lib.rs`: none.
const LIB_IMPORT_ALLOWED: &[&str] = &[];

/// The modules `lib.rs` declares from files (`mod x;`, any visibility).
fn declared_modules(lib: &str) -> Vec<String> {
    let rust = RustText::new(lib);
    let code = rust.code();
    let mut modules = Vec::new();
    for (offset, _) in code.match_indices("mod") {
        if offset > 0 && code.as_bytes()[offset - 1].is_ascii_alphanumeric() {
            continue;
        }
        let rest = &code[offset + 3..];
        if !rest.starts_with(char::is_whitespace) {
            continue;
        }
        let rest = rest.trim_start();
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && rest[name.len()..].trim_start().starts_with(';') {
            modules.push(name);
        }
    }
    modules
}

/// The names a path from the crate root reaches at `code[at..]` (after `crate::`):
/// one, or the first name of each part of a `{...}` group.
fn root_names(code: &str, at: usize) -> Vec<(usize, String)> {
    let ident = |from: usize| -> String {
        code[from..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '*')
            .collect()
    };
    let skip_ws = |from: usize| from + (code[from..].len() - code[from..].trim_start().len());
    let at = skip_ws(at);
    if !code[at..].starts_with('{') {
        return vec![(at, ident(at))];
    }
    let mut names = Vec::new();
    let (mut depth, mut expect_name) = (0, true);
    for (i, c) in code[at..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 1 => expect_name = true,
            c if expect_name && depth == 1 && !c.is_whitespace() => {
                names.push((at + i, ident(at + i)));
                expect_name = false;
            }
            _ => {}
        }
        if depth == 0 {
            break;
        }
    }
    names
}

/// Where `text` (a component's file, `depth` modules below the crate root) names
/// an item of its crate's `lib.rs`: `crate::x` or (from the top) `super::x` where
/// `x` is not one of `modules`.
fn lib_imports(text: &str, depth: usize, modules: &[String]) -> Vec<(usize, String)> {
    let rust = RustText::new(text);
    let code = rust.code();
    let bytes = code.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let after_path = |from: usize, word: &str| -> Option<usize> {
        let rest = code[from + word.len()..].trim_start();
        let rest = rest.strip_prefix("::")?;
        Some(code.len() - rest.len())
    };
    let mut found = Vec::new();
    let mut roots = Vec::new();
    for (offset, _) in code.match_indices("crate") {
        let starts = offset == 0 || !is_ident(bytes[offset - 1]);
        let whole = code[offset + 5..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        if starts && whole {
            roots.extend(after_path(offset, "crate"));
        }
    }
    for (offset, _) in code.match_indices("super") {
        let starts = offset == 0 || !is_ident(bytes[offset - 1]);
        let chained = code[..offset].trim_end().ends_with("::");
        if !starts || chained {
            continue;
        }
        let (mut at, mut ups) = (offset, 0);
        while code[at..].starts_with("super") {
            match after_path(at, "super") {
                Some(next) => {
                    ups += 1;
                    at = next + (code[next..].len() - code[next..].trim_start().len());
                }
                None => break,
            }
        }
        if ups == depth && ups > 0 {
            roots.push(at);
        }
    }
    for at in roots {
        for (offset, name) in root_names(code, at) {
            if name != "self" && !name.is_empty() && !modules.contains(&name) {
                found.push((rust.line_of(offset), name));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn component_files_do_not_import_their_lib_rs() {
    let root = workspace_root();
    let mut found = Vec::new();
    let components = crate::files_under(&root.join("functions"));
    let libs = components
        .iter()
        .filter(|p| p.ends_with("src/lib.rs"))
        .collect::<Vec<_>>();
    assert!(libs.len() > 5, "only {} components found", libs.len());
    for lib in libs {
        let src = lib.parent().expect("lib.rs is in src");
        let modules = declared_modules(&std::fs::read_to_string(lib).unwrap_or_default());
        for file in crate::files_under(src) {
            if file.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let Ok(inner) = file.strip_prefix(src) else {
                continue;
            };
            let parts: Vec<_> = inner.components().collect();
            if inner == Path::new("lib.rs") || parts.iter().any(|c| c.as_os_str() == "tests") {
                continue;
            }
            // src/x.rs and src/x/mod.rs are one module below the root; src/x/y.rs two.
            let depth = parts.len() - usize::from(inner.ends_with("mod.rs"));
            let rel = relative(&root, &file);
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for (line, name) in lib_imports(&text, depth, &modules) {
                found.push(Finding {
                    key: rel.clone(),
                    shown: format!("{rel}:{line}: `{name}` is lib.rs's"),
                });
            }
        }
    }
    assert_allowed(
        "a component's lib.rs is its router: its files do not import it (`crate::x::...` \
         for a module `x` is fine); move what they share into a module of its own",
        &found,
        LIB_IMPORT_ALLOWED,
    );
}

#[test]
fn lib_imports_are_seen() {
    let lib = "mod pages;\npub(crate) mod service;\nmod tests {}\npub struct Signed;\n";
    let modules = declared_modules(lib);
    assert_eq!(modules, ["pages", "service"]);
    let src = "use crate::service::{self, DeskError};\n\
               use crate::{\n    Signed, pages,\n    service::Scan,\n};\n\
               fn f() { crate::redirect(\"/\"); crate::pages::page(); }\n\
               use super::csrf_ok;\n\
               // use crate::Hidden;\n";
    assert_eq!(
        lib_imports(src, 1, &modules),
        [
            (3, "Signed".to_string()),
            (6, "redirect".to_string()),
            (7, "csrf_ok".to_string())
        ]
    );
    // Two modules down, `super::` is the parent module, not the root.
    assert!(lib_imports("use super::csrf_ok;", 2, &modules).is_empty());
    assert!(
        lib_imports(
            "use crate::pages::page;\nuse ghiseu_core::crate_name;",
            1,
            &modules
        )
        .is_empty()
    );
}

// ---- d. the paths ARCHITECTURE.md names exist ---------------------------------

/// Paths ARCHITECTURE.md names that do not exist; empty since the map was rewritten
/// (issue 16, part 7), and to stay so.
const ARCHITECTURE_PATH_ALLOWED: &[&str] = &[];

/// The top-level directories whose paths ARCHITECTURE.md may name.
const TOP_DIRECTORIES: &[&str] = &["functions", "shared", "infra", "tests", "xtask"];

/// The files of the root that a bare name means.
const ROOT_FILES: &[&str] = &["spin.toml", "openapi.yaml", "Cargo.toml", "clippy.toml"];

/// Whether `token` (in backticks, or a link's target) names a path of the
/// repository: under a top-level directory, a root file, or a document of the root
/// (`DESIGN.md`); placeholders and globs (`{slug}`, `<test>`, `*`, `...`) are not.
fn repository_path(token: &str) -> Option<&str> {
    let token = token.trim().trim_start_matches("./");
    let token = token.split_once('#').map_or(token, |(path, _)| path);
    // `path:line`
    let token = match token.rsplit_once(':') {
        Some((path, line)) if line.chars().all(|c| c.is_ascii_digit()) => path,
        _ => token,
    };
    let pattern = |c: char| c.is_whitespace() || "{}<>*[]():\"'`$".contains(c);
    if token.is_empty() || token.contains(pattern) || token.contains("...") {
        return None;
    }
    let in_tree = token
        .split_once('/')
        .is_some_and(|(top, _)| TOP_DIRECTORIES.contains(&top));
    let document = token.strip_suffix(".md").is_some_and(|name| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c == '_' || c == '-')
    });
    (in_tree || ROOT_FILES.contains(&token) || document).then_some(token)
}

/// The repository paths a Markdown document names, with their lines: inline code
/// and relative link targets, outside fenced blocks.
fn named_paths(markdown: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut fenced = false;
    for (n, line) in markdown.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let code = line.split('`').skip(1).step_by(2);
        let links = line
            .split("](")
            .skip(1)
            .filter_map(|l| l.split_once(')'))
            .map(|l| l.0);
        for token in code.chain(links.filter(|l| !l.contains("://"))) {
            if let Some(path) = repository_path(token) {
                found.push((n + 1, path.to_string()));
            }
        }
    }
    found
}

#[test]
fn paths_in_architecture_md_exist() {
    let root = workspace_root();
    let named = named_paths(&read_root_file("ARCHITECTURE.md"));
    assert!(named.len() > 10, "only {} paths found", named.len());
    let found: Vec<Finding> = named
        .into_iter()
        .filter(|(_, path)| !root.join(path).exists())
        .map(|(line, path)| Finding {
            shown: format!("ARCHITECTURE.md:{line}: `{path}` does not exist"),
            key: path,
        })
        .collect();
    assert_allowed(
        "ARCHITECTURE.md is the map: a path it names must be there (fix the path, or \
         the sentence)",
        &found,
        ARCHITECTURE_PATH_ALLOWED,
    );
}

#[test]
fn named_paths_are_seen() {
    let doc = "See `shared/core/src/lib.rs:12` and `spin.toml`, [the API](openapi.yaml),\n\
               `t/{slug}/open`, `/desk/login`, `kv/redis.rs`, `functions/*`, `DESIGN.md`.\n\
               ```\nshared/not/here\n```\n[site](https://example.org/a/b)\n";
    assert_eq!(
        named_paths(doc),
        [
            (1, "shared/core/src/lib.rs".to_string()),
            (1, "spin.toml".to_string()),
            (1, "openapi.yaml".to_string()),
            (2, "DESIGN.md".to_string())
        ]
    );
}

// ---- e. every route of spin.toml is exercised by an integration test ----------

/// Routes of spin.toml allowed to go untested: none.
const UNTESTED_ROUTE_ALLOWED: &[&str] = &[];

/// The `route`s of the `[[trigger.http]]` tables of a Spin manifest, with their lines.
fn http_routes(manifest: &str) -> Vec<(usize, String)> {
    let mut routes = Vec::new();
    let mut in_trigger = false;
    for (n, line) in manifest.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('[') {
            in_trigger = line == "[[trigger.http]]";
        } else if in_trigger
            && let Some(value) = line.strip_prefix("route")
            && let Some(value) = value.trim_start().strip_prefix('=')
        {
            routes.push((n + 1, value.trim().trim_matches('"').to_string()));
        }
    }
    routes
}

/// The literal start of a route: up to a `:param` or the `...` wildcard.
fn route_prefix(route: &str) -> &str {
    let end = [route.find("..."), route.find("/:").map(|n| n + 1)]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(route.len());
    &route[..end]
}

/// The path a string literal of a test requests, if it is one: the literal when it
/// starts with `/`, else what follows its origin (`{base}/...`, `http://host/...`).
fn request_path(literal: &str) -> Option<&str> {
    if literal.starts_with('/') {
        return Some(literal);
    }
    let after_origin = if literal.starts_with("http://") || literal.starts_with("https://") {
        literal.split_once("://").map(|(_, rest)| rest)
    } else {
        literal.split_once('}').map(|(_, rest)| rest)
    };
    after_origin
        .and_then(|rest| rest.find('/').map(|n| &rest[n..]))
        .filter(|path| path.len() > 1)
}

/// The route of `routes` that serves `path`, as Spin picks it: an exact route
/// before a wildcard, else the longest literal prefix.
fn routed_to<'r>(path: &str, routes: &'r [(usize, String)]) -> Option<&'r str> {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    routes
        .iter()
        .map(|(_, route)| route.as_str())
        .filter_map(|route| {
            let prefix = route_prefix(route);
            let score = if prefix == route {
                (path == route).then_some((true, route.len()))
            } else {
                let base = prefix.trim_end_matches('/');
                (path.starts_with(prefix) || path == base).then_some((false, prefix.len()))
            };
            score.map(|s| (s, route))
        })
        .max_by_key(|&(score, _)| score)
        .map(|(_, route)| route)
}

#[test]
fn every_route_is_exercised_by_an_integration_test() {
    let root = workspace_root();
    let routes = http_routes(&read_root_file("spin.toml"));
    assert!(routes.len() > 10, "only {} routes found", routes.len());
    let texts: Vec<String> = rust_files(&root, &["tests/tests", "tests/src"])
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap_or_default())
        .collect();
    let lexed: Vec<RustText> = texts.iter().map(|t| RustText::new(t)).collect();
    let requested: Vec<&str> = lexed
        .iter()
        .flat_map(|t| t.literals())
        .filter_map(|l| routed_to(request_path(l.text)?, &routes))
        .collect();
    let found: Vec<Finding> = routes
        .iter()
        .filter(|(_, route)| !requested.contains(&route.as_str()))
        .map(|(line, route)| Finding {
            key: route.clone(),
            shown: format!("spin.toml:{line}: no test requests a path of \"{route}\""),
        })
        .collect();
    assert_allowed(
        "every route of spin.toml is exercised by a test in tests/tests or tests/src (a \
         string that is a path Spin would send to that route, not to a more specific one)",
        &found,
        UNTESTED_ROUTE_ALLOWED,
    );
}

#[test]
fn routes_and_requests_are_matched() {
    let manifest = "[variables]\nroute = \"no\"\n[[trigger.http]]\nroute = \"/track/...\"\n\
                    component = \"track\"\n[[trigger.http]]\nroute = \"/api/v1/p/...\"\n\
                    [[trigger.http]]\nroute = \"/api/v1/p/tenants\"\n\
                    [[trigger.http]]\nroute = \"/api/v1/p/tenants/...\"\n[component.track]\n";
    let routes = http_routes(manifest);
    let names: Vec<&str> = routes.iter().map(|(_, r)| r.as_str()).collect();
    assert_eq!(
        names,
        [
            "/track/...",
            "/api/v1/p/...",
            "/api/v1/p/tenants",
            "/api/v1/p/tenants/..."
        ]
    );
    assert_eq!(routes[0].0, 4);
    assert_eq!(route_prefix("/track/..."), "/track/");
    assert_eq!(route_prefix("/a/:id/b"), "/a/");
    let to = |literal: &str| request_path(literal).and_then(|p| routed_to(p, &routes));
    assert_eq!(to("/track/{token}"), Some("/track/..."));
    assert_eq!(to("/track"), Some("/track/..."));
    assert_eq!(to("{base}/track/x"), Some("/track/..."));
    assert_eq!(
        to("http://127.0.0.1:80/track/x?lang=ro"),
        Some("/track/...")
    );
    assert_eq!(to("/api/v1/p/tenants"), Some("/api/v1/p/tenants"));
    assert_eq!(to("/api/v1/p/tenants?x=1"), Some("/api/v1/p/tenants"));
    // An exact route before a wildcard, a longer prefix before a shorter one.
    assert_eq!(to("/api/v1/p/tenants/x"), Some("/api/v1/p/tenants/..."));
    assert_eq!(to("/api/v1/p/other"), Some("/api/v1/p/..."));
    assert_eq!(to("/api/v1/track/x"), None);
    assert_eq!(to("/trackers"), None);
    assert_eq!(to("track/x"), None);
}

// ---- f. no circle of imports between the files of a crate ----------------------

/// Circles of files allowed, each as the set of its files: none.
/// A circle that has changed (grown, shrunk) fails as new, and its old entry as
/// stale: recompute the entry.
const IMPORT_CIRCLE_ALLOWED: &[&[&str]] = &[];

/// The crates of the workspace: the `members` of the root `Cargo.toml`.
fn workspace_members(manifest: &str) -> Vec<String> {
    let Some((_, rest)) = manifest.split_once("members = [") else {
        return Vec::new();
    };
    let list = rest.split_once(']').map_or(rest, |(list, _)| list);
    list.lines()
        .map(|line| line.split('#').next().unwrap_or(""))
        .flat_map(|line| line.split('"').skip(1).step_by(2))
        .map(str::to_string)
        .collect()
}

#[test]
fn no_import_circles_between_files() {
    let root = workspace_root();
    let members = workspace_members(&read_root_file("Cargo.toml"));
    assert!(members.len() > 10, "only {} crates found", members.len());
    let mut found = Vec::new();
    let mut files_seen = 0;
    for member in &members {
        let src = root.join(member).join("src");
        // Each binary of `src/bin` is a crate of one file, so it is left out.
        let files: BTreeMap<String, String> = crate::files_under(&src)
            .into_iter()
            .filter(|f| f.extension().is_some_and(|e| e == "rs"))
            .map(|f| (relative(&src, &f), f))
            .filter(|(rel, _)| !rel.starts_with("bin/"))
            .map(|(rel, f)| (rel, std::fs::read_to_string(f).unwrap_or_default()))
            .collect();
        files_seen += files.len();
        for crate_root in ["lib.rs", "main.rs"] {
            let edges = module_graph::crate_edges(&files, crate_root);
            let named = |file: &str| format!("{member}/src/{file}");
            for circle in module_graph::circles(&edges) {
                let imports: Vec<String> = module_graph::inside(&circle, &edges)
                    .iter()
                    .map(|e| format!("  {}:{} uses {}", named(&e.from), e.line, named(&e.to)))
                    .collect();
                let files: Vec<String> = circle.iter().map(|f| named(f)).collect();
                found.push(Finding {
                    key: files.join(" "),
                    shown: format!("{}\n{}", files.join(" <-> "), imports.join("\n")),
                });
            }
        }
    }
    assert!(files_seen > 100, "only {files_seen} files found");
    let allowed: Vec<String> = IMPORT_CIRCLE_ALLOWED
        .iter()
        .map(|circle| {
            let mut files = circle.to_vec();
            files.sort_unstable();
            files.join(" ")
        })
        .collect();
    let allowed: Vec<&str> = allowed.iter().map(String::as_str).collect();
    assert_allowed(
        "the files of a crate import one another in a circle (`crate::...`, `super::...`, \
         a re-export of lib.rs leading to the file that defines the item): a circle is one \
         module spread over files; move what both sides need into a file that imports \
         neither",
        &found,
        &allowed,
    );
}

#[test]
fn workspace_members_are_read() {
    let manifest = "[workspace]\nmembers = [\n    \"shared/core\", # core\n    \"tests\",\n]\n\
                    default-members = [\"x\"]\n";
    assert_eq!(workspace_members(manifest), ["shared/core", "tests"]);
}

#[test]
#[should_panic(expected = "the reason")]
fn an_offence_outside_the_allowlist_fails() {
    let found = [Finding {
        key: "a.rs".into(),
        shown: "a.rs:1: x".into(),
    }];
    assert_allowed("the reason", &found, &[]);
}

#[test]
#[should_panic(expected = "no longer offending")]
fn an_allowlisted_file_that_no_longer_offends_fails() {
    let found = [Finding {
        key: "a.rs".into(),
        shown: "a.rs:1: x".into(),
    }];
    assert_allowed("the reason", &found, &["a.rs", "b.rs"]);
}

// ---- h. no production function over 100 lines ----------------------------------

/// The longest production function, in lines from `fn` to its closing brace.
const MAX_FUNCTION_LINES: usize = 100;

/// Functions allowed to be longer: translation tables, one arm per text
/// (`path::function`).
const LONG_FUNCTION_ALLOWED: &[&str] = &[
    "functions/portal/src/texts.rs::t",
    "functions/opendata/src/lib.rs::texts",
];

/// The functions of `text`'s production code longer than `max` lines, with
/// their line and length.
fn long_functions(text: &str, max: usize) -> Vec<(usize, String)> {
    let rust = RustText::new(text);
    let code = rust.code().as_bytes();
    let mut found = Vec::new();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut at = 0;
    while let Some(pos) = rust.code()[at..].find("fn ").map(|p| p + at) {
        at = pos + 3;
        if pos > 0 && is_ident(code[pos - 1]) {
            continue;
        }
        let name: String = rust.code()[at..]
            .bytes()
            .take_while(|b| is_ident(*b))
            .map(char::from)
            .collect();
        // The body: the first `{` before any `;` (a declaration has none).
        let Some(open) = rust.code()[at..]
            .find(['{', ';'])
            .map(|p| p + at)
            .filter(|p| code[*p] == b'{')
        else {
            continue;
        };
        let mut depth = 0usize;
        let mut close = open;
        for (i, b) in code[open..].iter().enumerate() {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = open + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let (first, last) = (rust.line_of(pos), rust.line_of(close));
        if last - first + 1 > max {
            found.push((first, format!("{name} ({} lines)", last - first + 1)));
        }
    }
    found
}

#[test]
fn no_production_function_over_100_lines() {
    let root = workspace_root();
    // The application and its host; the benchmark and the xtask are tools.
    let files = production_files(&root, &["functions", "shared", "infra/host"]);
    let mut found = Vec::new();
    for (rel, text) in &files {
        for (line, what) in long_functions(text, MAX_FUNCTION_LINES) {
            let name = what.split(' ').next().unwrap_or_default();
            found.push(Finding {
                key: format!("{rel}::{name}"),
                shown: format!("{rel}:{line}: {what}"),
            });
        }
    }
    assert_allowed(
        "a function over 100 lines does several things: split it into functions that \
         each do one, named for it (translation tables are listed in LONG_FUNCTION_ALLOWED)",
        &found,
        LONG_FUNCTION_ALLOWED,
    );
}

#[test]
fn long_functions_are_seen() {
    let body = "    let x = 1;\n".repeat(5);
    let text = format!(
        "fn short() {{\n{body}}}\n\
         pub async fn long(a: u8) -> u8 {{\n    let s = \"{{\";\n{body}    a\n}}\n\
         fn declared();\n\
         #[cfg(test)]\nmod tests {{\n    fn in_test() {{\n{body}{body}    }}\n}}\n"
    );
    let found = long_functions(&text, 7);
    assert_eq!(found, [(8, "long (9 lines)".to_owned())]);
}
