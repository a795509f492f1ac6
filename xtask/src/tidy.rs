//! Tidy checks: tests that scan the tree and fail on a forbidden pattern, each with
//! the reason in its message (after rust-analyzer's `xtask/src/tidy.rs`).

use std::path::{Path, PathBuf};

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
