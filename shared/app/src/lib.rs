//! Ghiseu's use cases: what a registrar, an official, a signer or a citizen
//! does, decided with [`ghiseu_core`]'s rules and carried out through
//! [`ghiseu_platform`]'s adapters (key-value, object store, the signing
//! service, the timestamp authority).
//!
//! A use case takes the actor, `now` and its configuration as arguments: none
//! reads the clock or a Spin variable itself, so the same call decides the
//! same way on every engine and in every test. Nothing here knows HTTP or
//! HTML, and nothing here writes a text a user reads: outcomes are typed, and
//! the components word them in the user's language.
//!
//! Codemap: [`archive`] (a dossier's sealed ASiC-E container), [`dossiers`] (registration, files, publishing, forwarding, an
//! official's action, the citizen's reply and notifications), [`citizen`]
//! (accounts, codes, throttles, linked dossiers, orders, the citizen's
//! signing state), [`notify`] (the outbox's dispatch), [`signing`] (one
//! remote-signing pipeline for the desk's batches and the citizen's cerere),
//! [`reminders`] (officials' daily deadline digests),
//! [`retention`] (erasing what retention no longer keeps),
//! [`second_factor`] (an official's TOTP: checking a code once, enabling,
//! disabling),
//! [`error`] (the one error type).

#![deny(missing_docs)]

pub mod archive;
pub mod citizen;
pub mod dossiers;
pub mod error;
pub mod notify;
pub mod reminders;
pub mod retention;
pub mod second_factor;
pub mod signing;

pub use error::{Error, Result};
