//! One-time codes (DESIGN §9: core's `citizen` module decides their form,
//! life and attempts): issued to a contact, checked with a leased replace so
//! parallel guesses cannot pass the limit. Only a salted hash is kept.

use chrono::{DateTime, Utc};
use ghiseu_core::citizen::{CodeError, CodePurpose, Contact, IssuedCode};
use ghiseu_platform::Result;
use ghiseu_platform::keys::{self, STORE};
use ghiseu_platform::kv::{self, Step, Store};
use ghiseu_platform::session::{hex, random_bytes};
use serde::{Deserialize, Serialize};

use super::{StdResult, corrupt};

/// Issues a new code for `purpose` at `contact` (about `subject`, e.g. the
/// dossier being claimed; empty otherwise), replacing any earlier one, and
/// returns it to be sent. Only its salted hash is kept.
pub async fn issue_code(
    store: &Store,
    purpose: CodePurpose,
    contact: &Contact,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    let code = ghiseu_core::citizen::code_from_random(random_bytes::<8>()?);
    let issued = IssuedCode::new(&code, hex(&random_bytes::<16>()?), now);
    let key = keys::citizen::code(purpose, contact, subject);
    store.set(&key, &stored_code(&issued)).await?;
    Ok(code)
}

#[derive(Serialize, Deserialize)]
struct StoredCode {
    salt: String,
    hash: String,
    expires_at: DateTime<Utc>,
    attempts: u8,
    used: bool,
}

fn stored_code(c: &IssuedCode) -> Vec<u8> {
    serde_json::to_vec(&StoredCode {
        salt: c.salt.clone(),
        hash: c.hash.clone(),
        expires_at: c.expires_at,
        attempts: c.attempts,
        used: c.used,
    })
    .unwrap_or_default()
}

/// Checks `given` against the current code for `purpose` at `contact`
/// (about `subject`). `Ok(Err(..))` is the citizen's mistake; the attempt is
/// recorded with a leased replace before the answer is given.
pub fn check_code(
    purpose: CodePurpose,
    contact: &Contact,
    subject: &str,
    given: &str,
    now: DateTime<Utc>,
) -> Result<StdResult<(), CodeError>> {
    let key = keys::citizen::code(purpose, contact, subject);
    kv::update(STORE, &key, |current| {
        let Some(bytes) = current else {
            return Ok(Step::Done(Err(CodeError::Expired)));
        };
        let s: StoredCode = serde_json::from_slice(bytes).map_err(|e| corrupt(&key, e))?;
        let before = (s.attempts, s.used);
        let mut code = IssuedCode {
            salt: s.salt,
            hash: s.hash,
            expires_at: s.expires_at,
            attempts: s.attempts,
            used: s.used,
        };
        let outcome = code.check(given, now);
        // A refusal that changed nothing (used, expired, dead) needs no write.
        if (code.attempts, code.used) == before {
            return Ok(Step::Done(outcome));
        }
        Ok(Step::Write(stored_code(&code), outcome))
    })
}
