//! The Ghiseu domain: tenants, dossiers, routes, deadlines, numbering.
//!
//! Architecture invariant: this crate does no I/O and depends on no runtime
//! (no spin-sdk, no wasmtime); every rule lives here and is unit-tested
//! natively. The domain arrives with the tracking issue; the platform
//! foundation only needs the crate to exist.
