//! Integration tests: one binary, one module per concern. Every test spawns its own
//! host (fresh stores, free port) and talks to it over real HTTP.

// The tests read the real clock to bound what the platform wrote; the
// application's one clock is `ghiseu_platform::config`.
#![allow(clippy::disallowed_methods)]

mod access_log;
mod admin;
mod admin_pages;
mod archive;
mod backup;
mod bodies;
mod browser;
mod browser_admin;
mod browser_newcomer;
mod browser_signer;
mod claim;
mod connections;
mod csc;
mod desk;
mod dossier_page;
mod durability;
mod engines;
mod enumeration;
mod fees;
mod forms;
mod front_door;
mod health;
mod idempotency;
mod identity;
mod intake_receipts;
mod isolation;
mod key_value;
mod languages;
mod my_data;
mod my_data_closing;
mod object_store;
mod officials;
mod open311;
mod outbound;
mod payment;
mod portal;
mod portal_journey;
mod portal_submission;
mod quotas;
mod raw;
mod registry;
mod reminders;
mod retention;
mod routing;
mod second_factor;
mod sessions;
mod signing;
mod signing_page;
mod signing_queue;
mod signing_recovery;
mod stats;
mod throttles;
mod tracking;
mod trust;
mod type_editor;
mod variables;
