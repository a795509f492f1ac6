//! `ghiseu`: a small Spin-compatible host on wasmtime, for WASI 0.2
//! components (`wasi:http/incoming-handler@0.2`, as spin-sdk 5 builds them).
//!
//! It reads a Spin manifest and a runtime config, compiles every component
//! once (caching the machine code next to the `.wasm`), and serves HTTP with
//! Spin's routing, key-value, variables and outbound-HTTP rules, plus an
//! embedded S3-compatible object store. See ARCHITECTURE.md.
//!
//! Architecture invariant: the host implements Spin's contracts, not
//! Ghiseu's. It knows nothing of dossiers or tenants, and anything it offers
//! must also exist in real Spin 3.6 (the embedded object store is reached
//! through plain S3 and variables, which any Spin deployment can provide).
//! Known limits: a `files` pattern such as `"static/**/*"` mounts its leading
//! directory read-only at the same path (Spin copies only the matched files);
//! remote component sources and `:param` route segments are refused at start.

// The start-up parsers, which need nothing of the engine (see Cargo.toml's
// feature `engine`).
pub mod manifest;
pub mod outbound;
pub mod router;
pub mod runtime_config;
pub mod variables;

#[cfg(feature = "engine")]
pub mod app;
#[cfg(feature = "engine")]
pub mod backup;
#[cfg(feature = "engine")]
pub mod bindings;
#[cfg(feature = "engine")]
pub mod kv;
#[cfg(feature = "engine")]
pub mod kv_host;
#[cfg(feature = "engine")]
pub mod metrics;
#[cfg(feature = "engine")]
pub mod objects;
#[cfg(feature = "engine")]
pub mod server;
#[cfg(feature = "engine")]
pub mod state;
