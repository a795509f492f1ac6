//! Adapters over spin-sdk shared by the Ghiseu components.
//!
//! - [`kv`]: the key-value store (`spin:key-value`) and its atomic operations
//!   (`wasi:keyvalue` atomics: increment; conditional writes under leases that
//!   increment decides).
//! - [`s3`]: an S3 client over the component's outbound HTTP, signed with
//!   `rusty-s3`, configured from the `s3_*` component variables.
//! - [`keys`]: the key layout of the key-value store; tenant keys only
//!   through [`keys::TenantScope`].
//! - [`tracking`]: the public tracking snapshot and the tracking JSON.
//! - [`csc`]: a client of the Cloud Signature Consortium API v2 (remote
//!   signing of hashes) and the check of its asynchronous callbacks.
//! - [`trust`]: the trusted root certificates (`trust/roots`).
//! - [`identity`]: the signing provider's onboarding: remote identification
//!   and enrollment in the verified name.
//! - [`http`]: response builders (JSON, HTML pages) and bounded body
//!   reading, over [`wasi_http`] (serving a request, outbound requests),
//!   [`problem`] (`application/problem+json`) and [`client_addr`] (who the
//!   client is).
//! - [`notify`]: the notification gateway and the outbox's storage;
//!   [`outbound`]: the object store and the gateway a use case writes through.
//! - [`rate_limit`]: fixed-window counters, the one primitive of every rate
//!   limit and throttle; [`pace`]: answers held to a floor so their time
//!   does not tell what they found.
//! - [`repo`]: the records of the key-value store (tenants, dossiers,
//!   document types, indexes).
//!
//! Architecture invariant: this crate holds adapters only, no business rule and
//! no use case; it only moves bytes between the components and the platform's
//! stores. Rules live in `ghiseu-core`, use cases in `ghiseu-app`.
//!
//! The crate compiles for the host target as well (spin-sdk's bindings only
//! trap when called outside a component), so its pure parts (problem JSON,
//! S3 listing parsing, error mapping) are unit-tested natively with
//! `cargo test -p ghiseu-platform`.

#![deny(missing_docs)]

pub mod assets;
pub mod chrome;
pub mod client_addr;
pub mod config;
pub mod csc;
pub mod error;
pub mod hmac;
pub mod html;
pub mod http;
pub mod identity;
pub mod issued;
pub mod keys;
pub mod kv;
pub mod multipart;
pub mod notify;
pub mod outbound;
pub mod pace;
pub mod payments;
pub mod problem;
pub mod rate_limit;
pub mod repo;
pub mod s3;
pub mod second_factor;
pub mod session;
pub mod tracking;
pub mod tracking_page;
pub mod trust;
pub mod tsa;
pub mod wasi_http;

pub use error::{Error, Result};
pub use outbound::Outbound;
