//! Citizens' accounts: created claiming their contacts (a phone number or an
//! e-mail address belongs to one account), read and changed.

use chrono::{DateTime, Utc};
use ghiseu_core::citizen::{Account, Contact};
use ghiseu_core::{CitizenName, Email, Lang, PhoneNumber};
use ghiseu_platform::Result;
use ghiseu_platform::keys::{self, CitizenKeys, STORE};
use ghiseu_platform::kv::{self, InsertOutcome, ReplaceOutcome, Step, Store};
use ghiseu_platform::session::random_bytes;
use serde::{Deserialize, Serialize};

use super::{StdResult, corrupt};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredAccount {
    id: String,
    name: String,
    email: Option<String>,
    email_verified: bool,
    phone: Option<String>,
    phone_verified: bool,
    password_hash: Option<String>,
    /// The preferred language; records written before it was kept have
    /// none and read as Romanian.
    #[serde(default)]
    lang: String,
    created_at: DateTime<Utc>,
    /// Sessions started before it are ended; absent in records written
    /// before a reset ended sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sessions_from: Option<DateTime<Utc>>,
    /// When its owner closed it ([`super::closing`]): from then on it is
    /// nobody's account; with a name, its personal data is still being
    /// erased; without one, only this tombstone is left. Absent in every
    /// record of an open account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    closed_at: Option<DateTime<Utc>>,
}

impl StoredAccount {
    fn of(a: &Account) -> Self {
        Self {
            id: a.id.clone(),
            name: a.name.as_str().to_owned(),
            email: a.email.as_ref().map(|e| e.as_str().to_owned()),
            email_verified: a.email_verified,
            phone: a.phone.as_ref().map(|p| p.as_str().to_owned()),
            phone_verified: a.phone_verified,
            password_hash: a.password_hash.clone(),
            lang: a.lang.code().to_owned(),
            created_at: a.created_at,
            sessions_from: a.sessions_from,
            closed_at: None,
        }
    }

    /// Where the account stands (see [`Standing`]).
    fn standing(&self) -> StdResult<Standing, String> {
        match self.closed_at {
            None => self.account().map(Standing::Open),
            Some(at) if self.name.is_empty() => Ok(Standing::Closed {
                created_at: self.created_at,
                closed_at: at,
            }),
            Some(at) => self.account().map(|a| Standing::Closing(a, at)),
        }
    }

    fn account(&self) -> StdResult<Account, String> {
        Ok(Account {
            id: self.id.clone(),
            name: CitizenName::parse(&self.name).map_err(|e| e.to_string())?,
            email: self
                .email
                .as_deref()
                .map(Email::parse)
                .transpose()
                .map_err(|e| e.to_string())?,
            email_verified: self.email_verified,
            phone: self
                .phone
                .as_deref()
                .map(PhoneNumber::parse)
                .transpose()
                .map_err(|e| e.to_string())?,
            phone_verified: self.phone_verified,
            password_hash: self.password_hash.clone(),
            lang: Lang::from_code(&self.lang).unwrap_or(Lang::Ro),
            created_at: self.created_at,
            sessions_from: self.sessions_from,
        })
    }
}

/// Where an account stands: open, being closed, or closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// In use.
    Open(Account),
    /// Closed by its owner at the instant given; its personal data is still
    /// to be erased (a closing that stopped halfway).
    Closing(Account, DateTime<Utc>),
    /// Closed, its personal data erased: only these instants are left.
    Closed {
        /// When it was created.
        created_at: DateTime<Utc>,
        /// When it was closed.
        closed_at: DateTime<Utc>,
    },
}

/// A fresh random account id (26 base32 characters).
pub fn new_account_id() -> Result<String> {
    Ok(ghiseu_core::DossierId::from_random(random_bytes::<16>()?).to_string())
}

/// Why an account could not be created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateError {
    /// The contact belongs to another account.
    ContactTaken(Contact),
}

/// Creates `account` at `now`, claiming its contacts; nothing is kept when
/// one of them belongs to another account. A contact held by an account that
/// never proved it, for longer than a code lives, is taken over: nobody can
/// squat someone else's phone number by registering it first.
pub async fn create_account(
    store: &Store,
    account: &Account,
    now: DateTime<Utc>,
) -> Result<StdResult<(), CreateError>> {
    let contacts: Vec<Contact> = account
        .email
        .clone()
        .map(Contact::Email)
        .into_iter()
        .chain(account.phone.clone().map(Contact::Phone))
        .collect();
    let mut claimed = Vec::new();
    for c in &contacts {
        match kv::insert_new(STORE, &keys::citizen::contact(c), account.id.as_bytes())? {
            InsertOutcome::Inserted => claimed.push(keys::citizen::contact(c)),
            InsertOutcome::Exists(owner)
                if stale_claim(store, c, &owner, now).await?
                    && matches!(
                        kv::replace(
                            STORE,
                            &keys::citizen::contact(c),
                            Some(&owner),
                            account.id.as_bytes()
                        )?,
                        ReplaceOutcome::Replaced
                    ) =>
            {
                claimed.push(keys::citizen::contact(c));
            }
            InsertOutcome::Exists(_) => {
                if !claimed.is_empty() {
                    kv::delete_many(STORE, &claimed)?;
                }
                return Ok(Err(CreateError::ContactTaken(c.clone())));
            }
        }
    }
    let bytes = serde_json::to_vec(&StoredAccount::of(account))
        .map_err(|e| corrupt(&CitizenKeys::new(&account.id).account(), e))?;
    match kv::insert_new(STORE, &CitizenKeys::new(&account.id).account(), &bytes)? {
        InsertOutcome::Inserted => Ok(Ok(())),
        InsertOutcome::Exists(_) => Err(corrupt(
            &CitizenKeys::new(&account.id).account(),
            "account id reused",
        )),
    }
}

/// Whether the account `owner` holds `contact` without having proven it,
/// for longer than a code lives.
async fn stale_claim(
    store: &Store,
    contact: &Contact,
    owner: &[u8],
    now: DateTime<Utc>,
) -> Result<bool> {
    // A contact of an account being closed is freed by the closing, not
    // taken over while the closing may still erase it.
    let old = match standing(store, &String::from_utf8_lossy(owner)).await? {
        Some(Standing::Open(old)) => old,
        Some(Standing::Closing(..)) => return Ok(false),
        Some(Standing::Closed { .. }) | None => return Ok(true),
    };
    let grace = chrono::Duration::minutes(ghiseu_core::citizen::CODE_TTL_MINUTES);
    Ok(!old.has_verified(contact) && old.created_at + grace < now)
}

/// Stores a changed account (contacts unchanged).
pub async fn put_account(store: &Store, account: &Account) -> Result<()> {
    let key = CitizenKeys::new(&account.id).account();
    let bytes = serde_json::to_vec(&StoredAccount::of(account)).map_err(|e| corrupt(&key, e))?;
    store.set(&key, &bytes).await
}

/// Records `lang` as the account's preferred language, the one its SMS and
/// e-mails are written in (under the record's lease: a parallel change of
/// the account is not lost). Nothing is written when it is already so or
/// the account does not exist.
pub fn set_language(account_id: &str, lang: Lang) -> Result<()> {
    change_account(account_id, |stored| {
        let changed = stored.lang != lang.code();
        stored.lang = lang.code().to_owned();
        changed
    })
}

/// Ends every session of account `account_id` started before `now`
/// (under the record's lease: a parallel change of the account is not
/// lost). Nothing is written when the account does not exist.
pub fn end_sessions(account_id: &str, now: DateTime<Utc>) -> Result<()> {
    change_account(account_id, |stored| {
        stored.sessions_from = Some(now);
        true
    })
}

/// Changes the stored account `account_id` with `change` under the
/// record's lease; nothing is written when `change` says it changed
/// nothing or the account does not exist.
fn change_account(
    account_id: &str,
    mut change: impl FnMut(&mut StoredAccount) -> bool,
) -> Result<()> {
    let key = CitizenKeys::new(account_id).account();
    kv::update(STORE, &key, |current| {
        let Some(bytes) = current else {
            return Ok(Step::Done(()));
        };
        let mut stored: StoredAccount =
            serde_json::from_slice(bytes).map_err(|e| corrupt(&key, e))?;
        if !change(&mut stored) {
            return Ok(Step::Done(()));
        }
        let bytes = serde_json::to_vec(&stored).map_err(|e| corrupt(&key, e))?;
        Ok(Step::Write(bytes, ()))
    })
}

/// The account `id` (`None` once its owner closed it).
pub async fn account(store: &Store, id: &str) -> Result<Option<Account>> {
    Ok(match standing(store, id).await? {
        Some(Standing::Open(a)) => Some(a),
        _ => None,
    })
}

/// Where the account `id` stands.
pub async fn standing(store: &Store, id: &str) -> Result<Option<Standing>> {
    let key = CitizenKeys::new(id).account();
    let Some(bytes) = store.get(&key).await? else {
        return Ok(None);
    };
    let stored: StoredAccount = serde_json::from_slice(&bytes).map_err(|e| corrupt(&key, e))?;
    stored.standing().map(Some).map_err(|e| corrupt(&key, e))
}

/// Marks the account `id` closed at `now` (its sessions end), keeping its
/// data for the closing to erase, under the record's lease; an account
/// already closing or closed is left as it is. Where it stands afterwards.
pub fn mark_closing(id: &str, now: DateTime<Utc>) -> Result<Option<Standing>> {
    let key = CitizenKeys::new(id).account();
    kv::update(STORE, &key, |current| {
        let Some(bytes) = current else {
            return Ok(Step::Done(None));
        };
        let mut stored: StoredAccount =
            serde_json::from_slice(bytes).map_err(|e| corrupt(&key, e))?;
        if stored.closed_at.is_some() {
            let standing = stored.standing().map_err(|e| corrupt(&key, e))?;
            return Ok(Step::Done(Some(standing)));
        }
        stored.closed_at = Some(now);
        stored.sessions_from = Some(now);
        let standing = stored.standing().map_err(|e| corrupt(&key, e))?;
        let bytes = serde_json::to_vec(&stored).map_err(|e| corrupt(&key, e))?;
        Ok(Step::Write(bytes, Some(standing)))
    })
}

/// Erases the personal data of the closed account `id` from its record,
/// leaving a tombstone (the id, when it was created and closed), under the
/// record's lease. Nothing is written for an open account.
pub fn leave_tombstone(id: &str) -> Result<()> {
    let key = CitizenKeys::new(id).account();
    kv::update(STORE, &key, |current| {
        let Some(bytes) = current else {
            return Ok(Step::Done(()));
        };
        let stored: StoredAccount = serde_json::from_slice(bytes).map_err(|e| corrupt(&key, e))?;
        let Some(closed_at) = stored.closed_at else {
            return Ok(Step::Done(()));
        };
        let tombstone = StoredAccount {
            id: stored.id,
            name: String::new(),
            email: None,
            email_verified: false,
            phone: None,
            phone_verified: false,
            password_hash: None,
            lang: String::new(),
            created_at: stored.created_at,
            sessions_from: Some(closed_at),
            closed_at: Some(closed_at),
        };
        let bytes = serde_json::to_vec(&tombstone).map_err(|e| corrupt(&key, e))?;
        Ok(Step::Write(bytes, ()))
    })
}

/// The account owning `contact`.
pub async fn account_by_contact(store: &Store, contact: &Contact) -> Result<Option<Account>> {
    let id = match store.get(&keys::citizen::contact(contact)).await? {
        Some(id) => id,
        // An account registered before e-mail identities were lowercased.
        None if keys::citizen::contact_as_typed(contact) != keys::citizen::contact(contact) => {
            match store.get(&keys::citizen::contact_as_typed(contact)).await? {
                Some(id) => id,
                None => return Ok(None),
            }
        }
        None => return Ok(None),
    };
    account(store, &String::from_utf8_lossy(&id)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_keeps_its_language_and_an_old_record_reads_as_romanian() {
        // An account as stored before the preferred language was kept.
        let old = r#"{"id":"01HZX5Q7M3K8V2N4P6R8T0W2Y4","name":"Ana Cetățean",
            "email":null,"email_verified":false,"phone":"+40745000111",
            "phone_verified":true,"password_hash":null,
            "created_at":"2025-11-03T08:00:00Z"}"#;
        let stored: StoredAccount = serde_json::from_str(old).unwrap();
        let mut account = stored.account().unwrap();
        assert_eq!(account.lang, Lang::Ro);
        account.lang = Lang::Hu;
        let again: StoredAccount =
            serde_json::from_slice(&serde_json::to_vec(&StoredAccount::of(&account)).unwrap())
                .unwrap();
        assert_eq!(again.account().unwrap().lang, Lang::Hu);
        assert_eq!(again.closed_at, None);
        assert!(matches!(again.standing(), Ok(Standing::Open(_))));
    }

    #[test]
    fn a_closing_account_keeps_its_data_and_a_tombstone_none() {
        let at: DateTime<Utc> = "2026-12-05T08:00:00Z".parse().unwrap();
        let open = r#"{"id":"A","name":"Ana Pop","email":"ana@x.ro","email_verified":true,
            "phone":null,"phone_verified":false,"password_hash":"h","lang":"hu",
            "created_at":"2025-11-03T08:00:00Z"}"#;
        let mut stored: StoredAccount = serde_json::from_str(open).unwrap();
        stored.closed_at = Some(at);
        let Ok(Standing::Closing(account, when)) = stored.standing() else {
            panic!("not closing");
        };
        assert_eq!((account.name.as_str(), when), ("Ana Pop", at));
        let tombstone = r#"{"id":"A","name":"","email":null,"email_verified":false,
            "phone":null,"phone_verified":false,"password_hash":null,"lang":"",
            "created_at":"2025-11-03T08:00:00Z","closed_at":"2026-12-05T08:00:00Z"}"#;
        let stored: StoredAccount = serde_json::from_str(tombstone).unwrap();
        assert!(
            matches!(stored.standing(), Ok(Standing::Closed { closed_at, .. }) if closed_at == at)
        );
    }
}
