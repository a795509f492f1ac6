//! `ghiseu`: a small Spin-compatible host on wasmtime (WASIp3).
//!
//! It reads a Spin manifest and a runtime config, compiles every component
//! once (caching the machine code next to the `.wasm`), and serves HTTP with
//! Spin's routing, key-value, variables and outbound-HTTP rules, plus an
//! embedded S3-compatible object store. See ARCHITECTURE.md.

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
