//! The fuzz targets of the public parsers, as plain functions: each takes the
//! raw bytes a client (or an operator's file) could send and panics only when
//! a property of the parser is broken (a panic inside the parser, or an answer
//! that contradicts itself, such as a value that does not read back the same).
//!
//! `fuzz/` (cargo-fuzz, nightly, outside the workspace) wraps each function in
//! a libFuzzer target of the same name; `tests/replay.rs` runs every saved
//! input of `fuzz/corpus/<target>` and every crash found,
//! `fuzz/regressions/<target>`, through the same function on stable, so
//! `cargo xtask test` replays them. `cargo xtask fuzz` runs the targets.

pub mod definitions;
pub mod forms;
#[cfg(feature = "host")]
pub mod host;
pub mod multipart;
pub mod pdf;
pub mod tokens;
pub mod webhooks;

/// A fuzz target: the bytes in, a panic when a property fails.
pub type Target = fn(&[u8]);

/// Every target by name (the name of its libFuzzer target and of its
/// corpus and regressions directories), with whether it needs the host
/// (built with the `host` feature).
pub const TARGETS: &[(&str, Target, bool)] = &[
    ("multipart", multipart::multipart, false),
    ("form", forms::form, false),
    ("tokens", tokens::tokens, false),
    ("document_type", definitions::document_type, false),
    ("pdf_verify", pdf::pdf_verify, false),
    ("csc_callback", webhooks::csc_callback, false),
    ("payment_webhook", webhooks::payment_webhook, false),
    #[cfg(feature = "host")]
    ("host_manifest", host::manifest, true),
    #[cfg(feature = "host")]
    ("host_runtime_config", host::runtime_config, true),
];

/// `data` up to its first line feed, and what follows it (targets that
/// take a header and a body, such as a Content-Type and a multipart body).
#[must_use]
pub fn first_line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}
