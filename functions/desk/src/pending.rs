//! The pending sign-in: after a right password, an official with a second
//! factor, or one the tenant requires it of, gets no session but a
//! short-lived cookie that opens only the sign-in's next step
//! ([`crate::second_factor`]).

use chrono::{DateTime, Utc};
use ghiseu_core::Official;
use ghiseu_core::second_factor::{AfterPassword, PENDING_SECS, after_password as next_step};
use ghiseu_platform::http::{Response, see_other as redirect, set_cookie};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::second_factor as sf;

use crate::error::DeskError;

/// The cookie of a pending sign-in (only the sign-in's own paths see it).
pub const PENDING_COOKIE: &str = "ghiseu_desk_pending";

/// After a right password: `None` when a session may start at once, else
/// the answer that starts a pending sign-in (the code, or enrolment first).
pub async fn after_password(
    store: &Store,
    official: &Official,
    now: DateTime<Utc>,
) -> Result<Option<Response>, DeskError> {
    let scope = TenantScope::new(&official.tenant);
    let enrolled = sf::enabled(store, &scope, &official.username)
        .await?
        .is_some();
    let required = sf::required(store, &scope).await?;
    let (enrol, to) = match next_step(&official.roles, enrolled, required) {
        AfterPassword::Session => return Ok(None),
        AfterPassword::AskCode => (false, "/desk/login/code"),
        AfterPassword::Enrol => (true, "/desk/login/enrol"),
    };
    let pending = sf::start_pending(
        store,
        official.tenant.as_str(),
        official.username.as_str(),
        enrol,
        now,
    )
    .await?;
    let mut r = redirect(to);
    set_cookie(
        &mut r,
        &format!(
            "{PENDING_COOKIE}={}; Path=/desk/login; HttpOnly; Secure; SameSite=Strict; Max-Age={}",
            pending.id, PENDING_SECS
        ),
    );
    Ok(Some(r))
}

/// Removes the pending cookie with `r`.
pub fn removed_pending(r: &mut Response) {
    set_cookie(
        r,
        &format!(
            "{PENDING_COOKIE}=; Path=/desk/login; HttpOnly; Secure; SameSite=Strict; Max-Age=0"
        ),
    );
}
