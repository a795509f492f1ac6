//! Citizens: accounts, one-time codes, throttles, the dossiers linked to an
//! account, orders of a signature credential and of requests' fees (`fees`),
//! the identity proofing before the credential and its enrollment, the
//! requests waiting for their fee or a qualified signature and where signing
//! and registering each is; a citizen's own data ([`my_data`]) and closing
//! an account ([`closing`]).
//!
//! Their keys (none under a tenant: a citizen may deal with every
//! institution) are [`ghiseu_platform::keys::CitizenKeys`]' and
//! [`ghiseu_platform::keys::citizen`]'s.

pub mod accounts;
pub mod awaiting;
pub mod closing;
pub mod codes;
pub mod fees;
pub mod identity;
pub mod linked;
pub mod my_data;
pub mod orders;
pub mod signing;
pub mod submit;
pub mod throttle;
pub mod uploads;

pub use accounts::{
    CreateError, account, account_by_contact, create_account, end_sessions, new_account_id,
    put_account, set_language,
};
pub use awaiting::{
    AwaitingRequest, Described, awaiting_request, awaiting_signature, describe,
    keep_awaiting_request, keep_awaiting_signature, remove_awaiting,
};
pub use codes::{check_code, issue_code};
pub use identity::{Identification, continue_at, ensure_credential, identification, refresh};
pub use linked::{Linked, link_dossier, linked_dossiers};
pub use orders::{
    create_fee_order, create_order, credential_orders, keep_checkout, order, orders, update_order,
};
pub use signing::{Signing, keep_signing_credential, move_signing, signing, signing_credential};
pub use throttle::{Admission, admit_submission, within_limit};

/// A result whose error is the citizen's (the outer one is the platform's).
type StdResult<T, E> = std::result::Result<T, E>;

/// A stored record that cannot be read back: `key` names it.
fn corrupt(key: &str, e: impl ToString) -> ghiseu_platform::Error {
    ghiseu_platform::Error::Corrupt {
        key: key.to_owned(),
        detail: e.to_string(),
    }
}
