//! The `ghiseu` binary as an operator meets it: a mistyped path or flag is
//! refused at once with a message that names it, and nothing is served.
//!
//! Having an integration test also makes `cargo test --workspace` build this
//! binary in the same feature resolution as every other test, which is what
//! lets `cargo xtask test` build wasmtime once (see `xtask/src/main.rs`).

use std::process::Command;

fn ghiseu() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ghiseu"))
}

#[test]
fn a_missing_manifest_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("no-such-spin.toml");
    let out = ghiseu()
        .args(["up", "--listen", "127.0.0.1:0", "--manifest"])
        .arg(&manifest)
        .arg("--data")
        .arg(dir.path().join("data"))
        .env("GHISEU_LOG", "warn")
        .output()
        .unwrap();
    assert!(!out.status.success(), "started without a manifest");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no-such-spin.toml"),
        "the error does not name the manifest: {stderr}"
    );
}

#[test]
fn an_unknown_flag_is_refused_with_usage() {
    let out = ghiseu().args(["up", "--no-such-flag"]).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--no-such-flag"), "{stderr}");
    assert!(stderr.contains("Usage"), "{stderr}");
}
