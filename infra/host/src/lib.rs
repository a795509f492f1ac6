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

pub mod app;
pub mod backup;
pub mod bindings;
pub mod kv;
pub mod kv_host;
pub mod manifest;
pub mod metrics;
pub mod objects;
pub mod outbound;
pub mod router;
pub mod runtime_config;
pub mod server;
pub mod state;
pub mod variables;
