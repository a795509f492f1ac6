//! The citizen's identity proofing at the signing provider, and the
//! credential enrolled in the verified name (the relying party's side of
//! [`ghiseu_platform::identity`]).
//!
//! The account keeps its latest identification (`citizen/identification/…`):
//! the provider's id, its hosted page, and what the provider last said of it
//! when asked server-to-server. Nothing the browser brings back changes it:
//! [`refresh`] asks the provider. A verified identification is never
//! replaced by another one, so a second tab cannot undo it.

use chrono::{DateTime, Utc};
use ghiseu_core::citizen::Account;
use ghiseu_core::identity::{IdentityFailure, IdentityStatus, VerifiedName};
use ghiseu_platform::Result;
use ghiseu_platform::identity::{
    Enrollment, FAILED, IdentificationRequest, Onboarding, PENDING, VERIFIED,
};
use ghiseu_platform::keys::{CitizenKeys, STORE};
use ghiseu_platform::kv::{self, Step, Store};
use serde::{Deserialize, Serialize};

use super::{StdResult, corrupt, keep_signing_credential, signing_credential};

/// The account's latest identification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identification {
    /// The provider's id.
    pub id: String,
    /// The provider's hosted page, where a pending one is resumed.
    pub url: String,
    /// What the provider last said.
    pub status: IdentityStatus,
    /// When this was last written.
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Stored {
    id: String,
    url: String,
    status: String,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    given_name: Option<String>,
    #[serde(default)]
    surname: Option<String>,
    updated_at: DateTime<Utc>,
}

impl Stored {
    fn of(i: &Identification) -> Self {
        let (status, reason, name) = match &i.status {
            IdentityStatus::Pending => (PENDING, None, None),
            IdentityStatus::Verified(n) => (VERIFIED, None, Some(n)),
            IdentityStatus::Failed(f) => (FAILED, Some(f.code().to_owned()), None),
        };
        Self {
            id: i.id.clone(),
            url: i.url.clone(),
            status: status.to_owned(),
            reason,
            given_name: name.map(|n| n.given_name.clone()),
            surname: name.map(|n| n.surname.clone()),
            updated_at: i.updated_at,
        }
    }

    fn identification(self) -> StdResult<Identification, String> {
        let status = match self.status.as_str() {
            PENDING => IdentityStatus::Pending,
            VERIFIED => IdentityStatus::Verified(VerifiedName {
                given_name: self
                    .given_name
                    .ok_or("a verified identification without name")?,
                surname: self
                    .surname
                    .ok_or("a verified identification without surname")?,
            }),
            FAILED => IdentityStatus::Failed(IdentityFailure::from_code(
                self.reason.as_deref().unwrap_or_default(),
            )),
            other => return Err(format!("unknown identification status {other:?}")),
        };
        Ok(Identification {
            id: self.id,
            url: self.url,
            status,
            updated_at: self.updated_at,
        })
    }
}

fn parse(key: &str, bytes: &[u8]) -> Result<Identification> {
    serde_json::from_slice::<Stored>(bytes)
        .map_err(|e| e.to_string())
        .and_then(Stored::identification)
        .map_err(|e| corrupt(key, e))
}

/// The account's latest identification, if any.
pub async fn identification(store: &Store, account_id: &str) -> Result<Option<Identification>> {
    let key = CitizenKeys::new(account_id).identification();
    match store.get(&key).await? {
        Some(b) => parse(&key, &b).map(Some),
        None => Ok(None),
    }
}

/// Keeps `next` as the account's identification (leased), unless the one
/// kept is verified and another: that one stays. What is kept afterwards.
fn keep(account_id: &str, next: &Identification) -> Result<Identification> {
    let key = CitizenKeys::new(account_id).identification();
    kv::update(STORE, &key, |current| {
        if let Some(bytes) = current {
            let kept = parse(&key, bytes)?;
            if matches!(kept.status, IdentityStatus::Verified(_)) && kept.id != next.id {
                return Ok(Step::Done(kept));
            }
        }
        let bytes = serde_json::to_vec(&Stored::of(next)).map_err(|e| corrupt(&key, e))?;
        Ok(Step::Write(bytes, next.clone()))
    })
}

/// Asks the provider about the account's identification and keeps its
/// answer; `Ok(Err(reason))` when the provider could not be asked.
pub async fn refresh(
    store: &Store,
    onboarding: &Onboarding,
    account_id: &str,
    now: DateTime<Utc>,
) -> Result<StdResult<Option<Identification>, String>> {
    let Some(current) = identification(store, account_id).await? else {
        return Ok(Ok(None));
    };
    if matches!(current.status, IdentityStatus::Verified(_)) {
        return Ok(Ok(Some(current)));
    }
    let result = match onboarding.result(&current.id).await {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    let user = CitizenKeys::new(account_id).signing_user();
    let Some(status) = result.status().filter(|_| result.user_id == user) else {
        return Ok(Err(format!(
            "the provider's answer for identification {} is not usable",
            current.id
        )));
    };
    let next = Identification {
        status,
        updated_at: now,
        ..current
    };
    Ok(Ok(Some(keep(account_id, &next)?)))
}

/// Where the citizen continues their identification: the hosted page of the
/// pending one, or of a new one (none yet, or the last failed). `None` when
/// the account is verified already; `Ok(Err(reason))` when the provider
/// could not be reached.
pub async fn continue_at(
    store: &Store,
    onboarding: &Onboarding,
    account_id: &str,
    return_url: &str,
    lang: ghiseu_core::Lang,
    now: DateTime<Utc>,
) -> Result<StdResult<Option<String>, String>> {
    // The provider that cannot say where the last one is (it forgot it, or
    // it is down) gets a new one: creating it tells which.
    let current = refresh(store, onboarding, account_id, now).await?;
    match current.ok().flatten().map(|c| (c.status, c.url)) {
        Some((IdentityStatus::Verified(_), _)) => return Ok(Ok(None)),
        Some((IdentityStatus::Pending, url)) => return Ok(Ok(Some(url))),
        _ => {}
    }
    let request = IdentificationRequest {
        user_id: CitizenKeys::new(account_id).signing_user(),
        return_url: return_url.to_owned(),
        lang: lang.code().to_owned(),
    };
    let created = match onboarding.create(&request).await {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let kept = keep(
        account_id,
        &Identification {
            id: created.identification_id,
            url: created.url,
            status: IdentityStatus::Pending,
            updated_at: now,
        },
    )?;
    Ok(Ok(match kept.status {
        IdentityStatus::Verified(_) => None,
        _ => Some(kept.url),
    }))
}

/// The account's credential, enrolled at the provider in the name its
/// verified identification holds if it has none: `Ok(Err(reason))` when
/// there is no verified identification or the provider did not enroll.
pub async fn ensure_credential(
    store: &Store,
    onboarding: &Onboarding,
    account: &Account,
) -> Result<StdResult<String, String>> {
    if let Some(c) = signing_credential(store, &account.id).await? {
        return Ok(Ok(c));
    }
    let Some(phone) = account.phone.as_ref().filter(|_| account.phone_verified) else {
        return Ok(Err("the account has no proven phone".into()));
    };
    let verified = identification(store, &account.id)
        .await?
        .filter(|i| matches!(i.status, IdentityStatus::Verified(_)));
    let Some(verified) = verified else {
        return Ok(Err("the account has no verified identification".into()));
    };
    let enrollment = Enrollment {
        user_id: CitizenKeys::new(&account.id).signing_user(),
        identification_id: verified.id,
        phone: phone.as_str().to_owned(),
        email: account
            .email
            .as_ref()
            .filter(|_| account.email_verified)
            .map(|e| e.as_str().to_owned()),
    };
    match onboarding.enroll(&enrollment).await {
        Ok(e) => Ok(Ok(keep_signing_credential(&account.id, &e.credential_id)?)),
        Err(e) => Ok(Err(e)),
    }
}
