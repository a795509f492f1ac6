//! The key layout of the `default` key-value store, in one place.
//!
//! | key | value | written by |
//! | --- | --- | --- |
//! | `track/{TOKEN}` | the public tracking snapshot of a dossier ([`crate::tracking::Snapshot`], JSON) | whoever changes a dossier (the desk) |
//! | `ratelimit/{scope}/{client}/{minute}` | a fixed-window counter (atomic increment) | the component that limits |
//! | `t/{slug}/tenant` | the tenant record | administration |
//! | `t/{slug}/dossier/{ID}` | a dossier record (leased replace) | the registration path, officials' actions |
//! | `t/{slug}/regno/{year}` | the registration counter of a year (atomic increment) | the registration path |
//! | `t/{slug}/index/{year}/{seq}` | the dossier registered with that number (written once, by the request whose increment returned `seq`) | the registration path |
//! | `t/{slug}/annulled/{year}/{seq}` | a number taken without a dossier, recorded as annulled with its reason (leased insert: written once) | the desk's registry |
//! | `t/{slug}/registry/{year}/whole/{block}` | that every number of a block of the year has its dossier or its annulment (written once, the same by any writer) | the desk's registry |
//! | `t/{slug}/quotas` | the institution's submission quotas ([`ghiseu_core::quota::SubmissionQuota`]) | administration |
//! | `t/{slug}/submissions/{limit}/{who}/{window}` | a fixed-window counter of online submissions (atomic increment) | the portal |
//! | `t/{slug}/open` | the inboxes' list: a summary of every open dossier and the last closed ids (leased replace) | whoever changes a dossier |
//! | `t/{slug}/signing/{id}` | a signer's batch (leased replace) | the desk's signing |
//! | `t/{slug}/reminders/{date}/{username}` | a counter whose first increment (result 1) queues the official's deadline digest of that day (Romania's date) | the platform's reminders |
//! | `t/{slug}/stats/{year}` | a year's statistics, cached in the `ephemeral` store | opendata |
//! | `t/{slug}/erased/{year}` | the retention log of a year: what was erased under retention, one entry per dossier (leased update, append only) | the platform's retention run |
//! | `verify/{TOKEN}` | an issued document's public verification record (written once) | the signing that issued it |
//! | `t/{slug}/doctypes` | the codes of the tenant's document types (JSON array) | administration |
//! | `t/{slug}/doctype/{code}` | the type's status: latest version, active | administration |
//! | `t/{slug}/doctype/{code}/v{n}` | version `n` of the type, written once, never changed | administration |
//! | `invite/{sha256 of the token}` | a one-time invitation (the token itself is never stored) | administration |
//! | `regprefix/{PREFIX}` | the slug that holds a registration prefix (leased insert) | administration |
//! | `session/{id}` | a signed-in session | the component that signs in |
//! | `session/ends/{hour}`, `session/ends/{hour}/{n}`, `session/sweep/{hour}` | the sessions ending in an hour (a counter, and each id written once by its session), swept whole once the hour is over by the first sign-in of a later hour ([`crate::session`]) | the component that signs in |
//! | `signin/{id}` | a pending sign-in: password right, second factor to come (written once, deleted when done) | the desk's sign-in |
//! | `t/{slug}/second-factor/{username}` | an official's second factor (leased update); under it, `…/step/{enrolment}/{step}` and `…/recovery/{sha256}`: counters whose first increment spends a code | the desk, administration (reset) |
//! | `t/{slug}/security` | the tenant's security settings (leased update) | administration |
//! | `notify/item/{id}`, `notify/pending` | a message of the outbox; the ids not delivered yet, with when each is due | whoever notifies a citizen |
//! | `citizen/…` | a citizen's account and what hangs on it: [`CitizenKeys`] and [`citizen`] | the portal |
//! | `sandbox/…` | the state of the sandbox's stand-ins (gateway, CSC, TSA, payments): [`sandbox`] | the sandbox |
//!
//! Object store keys follow the same rule: `t/{slug}/attachments/{sha256}`,
//! `t/{slug}/branding/{sha256}` (the logo); a citizen's uploads kept across a
//! refused form are `citizen/pending/{id}/{sha256}` ([`CitizenKeys`]).
//!
//! Besides these: `tenants`, `token/{TOKEN}` and the tenant's departments and
//! officials ([`crate::repo`]), `trust/roots` ([`crate::trust`]), and each
//! leased key's counters `{key}#lease/{window}/ticket|done` ([`crate::kv::lease`]).
//! How each kind of key settles a race (a counter, a key written once, a
//! lease) is in [`crate::kv`].
//!
//! Global keys hold only what is public or keyed by an unguessable token. Every
//! tenant's own data lives under `t/{slug}/`, and those keys are built only
//! through a [`TenantScope`], which is made from a validated
//! [`TenantSlug`]: no code formats a tenant key by hand, so no code can address
//! another tenant's keys by string formatting. Slugs are lowercase letters,
//! digits and hyphens, so a scope's prefix can never contain `/` and one
//! tenant's prefix is never a prefix of another's keys.

use ghiseu_core::citizen::{CodePurpose, Contact};
use ghiseu_core::{
    DocumentTypeCode, DossierId, RegistrationPrefix, Sha256Digest, TenantSlug, TrackingToken,
    TypeVersion, Username,
};

/// The key-value store every component opens (`spin.toml` grants it); the
/// one spelling of its label.
pub const STORE: &str = "default";

/// The key of a signed-in session: `session/{id}`.
#[must_use]
pub fn session(id: &str) -> String {
    format!("session/{id}")
}

/// The counter of the sessions that end during hour `bucket` (hours since
/// the epoch): `session/ends/{bucket}` (atomic increment).
#[must_use]
pub fn session_bucket(bucket: u64) -> String {
    format!("session/ends/{bucket}")
}

/// The id of the `n`th session that ends during hour `bucket`, written once
/// by the session whose increment of [`session_bucket`] returned `n`:
/// `session/ends/{bucket}/{n}`.
#[must_use]
pub fn session_bucket_entry(bucket: u64, n: i64) -> String {
    format!("session/ends/{bucket}/{n}")
}

/// The counter whose first increment in hour `hour` sweeps the sessions
/// that ended before it: `session/sweep/{hour}`.
#[must_use]
pub fn session_sweep(hour: u64) -> String {
    format!("session/sweep/{hour}")
}

/// The key of a pending sign-in (the password was right, the second factor
/// is still to come): `signin/{id}`. Not a session: it opens nothing but the
/// sign-in's next step.
#[must_use]
pub fn pending_sign_in(id: &str) -> String {
    format!("signin/{id}")
}

/// The key of the outbox's pending list: the ids of messages not yet
/// delivered, with when each is due.
pub const NOTIFY_PENDING: &str = "notify/pending";

/// The key of one message of the outbox: `notify/item/{id}`.
#[must_use]
pub fn notify_item(id: &str) -> String {
    format!("notify/item/{id}")
}

/// The message id of an outbox key ([`notify_item`]); `None` for any other
/// key.
#[must_use]
pub fn notify_item_id(key: &str) -> Option<&str> {
    key.strip_prefix("notify/item/")
        .filter(|id| !id.is_empty() && !id.contains('#'))
}

/// The key of a dossier's public tracking snapshot: `track/{TOKEN}` (the
/// canonical uppercase token). Global on purpose: the token alone finds it,
/// and a dossier forwarded between tenants keeps its link.
#[must_use]
pub fn tracking(token: &TrackingToken) -> String {
    format!("track/{token}")
}

/// The key of a fixed-window rate-limit counter: `ratelimit/{scope}/{client}/{window}`.
/// `client` is an address without port; `window` the window's number (e.g.
/// minutes since the epoch).
#[must_use]
pub fn rate_limit(scope: &str, client: &str, window: u64) -> String {
    format!("ratelimit/{scope}/{client}/{window}")
}

/// The key of an invitation: `invite/{hex}` of the SHA-256 of its token, so a
/// copy of the store holds no usable link.
#[must_use]
pub fn invite(token_sha256: &Sha256Digest) -> String {
    format!("invite/{}", token_sha256.to_hex())
}

/// The key of an issued document's public verification record:
/// `verify/{TOKEN}`. Global like the tracking snapshot: the token in the
/// document's QR code alone finds it.
#[must_use]
pub fn verification(token: &TrackingToken) -> String {
    format!("verify/{token}")
}

/// The key that reserves a registration prefix for one tenant: `regprefix/{PREFIX}`.
#[must_use]
pub fn registration_prefix(prefix: &RegistrationPrefix) -> String {
    format!("regprefix/{prefix}")
}

/// The keys of one tenant. The only way to build a tenant-scoped key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantScope {
    prefix: String,
}

impl TenantScope {
    /// The scope of `tenant`.
    #[must_use]
    pub fn new(tenant: &TenantSlug) -> Self {
        Self {
            prefix: format!("t/{tenant}/"),
        }
    }

    /// `t/{slug}/tenant`: the tenant record.
    #[must_use]
    pub fn tenant(&self) -> String {
        format!("{}tenant", self.prefix)
    }

    /// `t/{slug}/dossier/{ID}`: a dossier record.
    #[must_use]
    pub fn dossier(&self, id: &DossierId) -> String {
        format!("{}dossier/{id}", self.prefix)
    }

    /// `t/{slug}/access/{ID}/n`: the counter numbering the access records of
    /// dossier `id` (atomic increment).
    #[must_use]
    pub fn access_counter(&self, id: &DossierId) -> String {
        format!("{}access/{id}/n", self.prefix)
    }

    /// `t/{slug}/access/{ID}/{seq}`: access record `seq` of dossier `id`
    /// (written once, by the request whose increment gave `seq`).
    #[must_use]
    pub fn access_record(&self, id: &DossierId, seq: u32) -> String {
        format!("{}access/{id}/{seq:08}", self.prefix)
    }

    /// `t/{slug}/access-log/n`: the counter numbering the tenant's access
    /// log (every access record of every dossier, in the order taken).
    #[must_use]
    pub fn access_log_counter(&self) -> String {
        format!("{}access-log/n", self.prefix)
    }

    /// `t/{slug}/access-log/{n}`: entry `n` of the tenant's access log
    /// (written once, by the request whose increment gave `n`).
    #[must_use]
    pub fn access_log_entry(&self, n: u64) -> String {
        format!("{}access-log/{n:010}", self.prefix)
    }

    /// `t/{slug}/regno/{year}`: the registration counter of `year`.
    #[must_use]
    pub fn registration_counter(&self, year: u16) -> String {
        format!("{}regno/{year}", self.prefix)
    }

    /// `t/{slug}/doctypes`: the codes of the tenant's document types.
    #[must_use]
    pub fn document_type_codes(&self) -> String {
        format!("{}doctypes", self.prefix)
    }

    /// `t/{slug}/doctype/{code}`: a document type's status.
    #[must_use]
    pub fn document_type_status(&self, code: &DocumentTypeCode) -> String {
        format!("{}doctype/{code}", self.prefix)
    }

    /// `t/{slug}/doctype/{code}/v{n}`: one immutable version of a document type.
    #[must_use]
    pub fn document_type_version(&self, code: &DocumentTypeCode, version: TypeVersion) -> String {
        format!("{}doctype/{code}/v{version}", self.prefix)
    }

    /// `t/{slug}/branding/{sha256}`: the logo in the object store.
    #[must_use]
    pub fn logo_object(&self, sha256: &Sha256Digest) -> String {
        format!("{}branding/{}", self.prefix, sha256.to_hex())
    }

    /// `t/{slug}/departments`: the tenant's departments.
    #[must_use]
    pub fn departments(&self) -> String {
        format!("{}departments", self.prefix)
    }

    /// `t/{slug}/officials`: the usernames of the tenant's officials.
    #[must_use]
    pub fn officials(&self) -> String {
        format!("{}officials", self.prefix)
    }

    /// `t/{slug}/official/{username}`: an official with their password hash.
    #[must_use]
    pub fn official(&self, username: &Username) -> String {
        format!("{}official/{username}", self.prefix)
    }

    /// `t/{slug}/index/{year}/{seq}`: the dossier registered as `seq` in `year`.
    #[must_use]
    pub fn index_entry(&self, year: u16, seq: u32) -> String {
        format!("{}index/{year}/{seq:08}", self.prefix)
    }

    /// `t/{slug}/annulled/{year}/{seq}`: the annulment of a number taken
    /// without a dossier (written once).
    #[must_use]
    pub fn annulment(&self, year: u16, seq: u32) -> String {
        format!("{}annulled/{year}/{seq:08}", self.prefix)
    }

    /// `t/{slug}/registry/{year}/whole/{block}`: that every number of `block`
    /// (numbers `block * size + 1 ..= (block + 1) * size`) has its dossier or
    /// its annulment.
    #[must_use]
    pub fn registry_block_whole(&self, year: u16, block: u32) -> String {
        format!("{}registry/{year}/whole/{block}", self.prefix)
    }

    /// `t/{slug}/quotas`: the institution's submission quotas.
    #[must_use]
    pub fn submission_quota(&self) -> String {
        format!("{}quotas", self.prefix)
    }

    /// `t/{slug}/submissions/{limit}/{who}/{window}`: the counter of online
    /// submissions of `who` (an account or an address) against `limit` in
    /// `window`.
    #[must_use]
    pub fn submissions(&self, limit: &str, who: &str, window: u64) -> String {
        format!("{}submissions/{limit}/{who}/{window}", self.prefix)
    }

    /// `t/{slug}/stats/{year}`: the cached public statistics of a year (in
    /// the `ephemeral` store: they are recomputed from the dossiers when lost).
    pub fn stats_cache(&self, year: u16) -> String {
        format!("{}stats/{year}", self.prefix)
    }

    /// `t/{slug}/erased/{year}`: the retention log of `year` (the year of
    /// erasure): one entry per dossier erased under retention, appended by a
    /// leased update and never changed ([`crate::repo::log_erasure`]).
    #[must_use]
    pub fn retention_log(&self, year: i32) -> String {
        format!("{}erased/{year}", self.prefix)
    }

    /// `t/{slug}/reminders/{date}/{username}`: a counter (atomic increment)
    /// whose first increment queues `username`'s deadline digest of `date`;
    /// any later one finds it queued.
    #[must_use]
    pub fn reminder_sent(&self, date: chrono::NaiveDate, username: &Username) -> String {
        format!("{}reminders/{date}/{username}", self.prefix)
    }

    /// `t/{slug}/open`: the summaries of the tenant's open dossiers (the inboxes).
    #[must_use]
    pub fn open_dossiers(&self) -> String {
        format!("{}open", self.prefix)
    }

    /// `t/{slug}/attachments/{sha256}`: a file of a dossier in the object
    /// store (content-addressed).
    #[must_use]
    pub fn attachment_object(&self, sha256: &Sha256Digest) -> String {
        format!("{}attachments/{}", self.prefix, sha256.to_hex())
    }

    /// `t/{slug}/signing/{id}`: a signer's batch (the documents selected,
    /// their hashes, and each one's result).
    #[must_use]
    pub fn signing_batch(&self, id: &TrackingToken) -> String {
        format!("{}signing/{id}", self.prefix)
    }

    /// `t/{slug}/second-factor/{username}`: an official's second factor
    /// (its secret, the hashes of its recovery codes; leased update).
    #[must_use]
    pub fn second_factor(&self, username: &Username) -> String {
        format!("{}second-factor/{username}", self.prefix)
    }

    /// `t/{slug}/second-factor/{username}/step/{enrolment}/{step}`: a counter
    /// (atomic increment) whose first increment spends the codes of `step` of
    /// the enrolment `enrolment`.
    #[must_use]
    pub fn second_factor_step(&self, username: &Username, enrolment: &str, step: u64) -> String {
        format!(
            "{}second-factor/{username}/step/{enrolment}/{step}",
            self.prefix
        )
    }

    /// `t/{slug}/second-factor/{username}/recovery/{sha256}`: a counter
    /// whose first increment spends the recovery code hashing to `sha256`.
    #[must_use]
    pub fn second_factor_recovery(&self, username: &Username, sha256: &str) -> String {
        format!("{}second-factor/{username}/recovery/{sha256}", self.prefix)
    }

    /// `t/{slug}/security`: the tenant's security settings (whether signers
    /// and administrators must have a second factor; leased update).
    #[must_use]
    pub fn security(&self) -> String {
        format!("{}security", self.prefix)
    }

    /// Whether `key` belongs to this tenant.
    #[must_use]
    pub fn owns(&self, key: &str) -> bool {
        key.starts_with(&self.prefix)
    }
}

/// The keys of one citizen's account: `citizen/{what}/{account id}[/…]`.
/// None is under a tenant: a citizen may deal with every institution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitizenKeys {
    account: String,
}

impl CitizenKeys {
    /// The keys of the account `account_id`.
    #[must_use]
    pub fn new(account_id: &str) -> Self {
        Self {
            account: account_id.to_owned(),
        }
    }

    /// `citizen/account/{id}`: the account.
    #[must_use]
    pub fn account(&self) -> String {
        format!("citizen/account/{}", self.account)
    }

    /// `citizen/dossiers/{id}`: the dossiers linked to the account (tenant, id).
    #[must_use]
    pub fn dossiers(&self) -> String {
        format!("citizen/dossiers/{}", self.account)
    }

    /// `citizen/awaiting/{id}`: the account's requests waiting for their fee
    /// or a qualified signature (`tenant/type/sha256 of the cerere`).
    #[must_use]
    pub fn awaiting(&self) -> String {
        format!("citizen/awaiting/{}", self.account)
    }

    /// `citizen/awaiting-item/{id}/{sha256}`: what registering the waiting
    /// request with this cerere needs.
    #[must_use]
    pub fn awaiting_item(&self, cerere_sha256: &str) -> String {
        format!("citizen/awaiting-item/{}/{cerere_sha256}", self.account)
    }

    /// `citizen/signing/{id}/{sha256}`: where signing and registering the
    /// request with this cerere is (prepared, signed — or paid, for a request
    /// that needs no signature — registered), moved by leased replace.
    #[must_use]
    pub fn signing(&self, cerere_sha256: &str) -> String {
        format!("citizen/signing/{}/{cerere_sha256}", self.account)
    }

    /// `citizen/orders/{id}`: the account's order ids, oldest first.
    #[must_use]
    pub fn orders(&self) -> String {
        format!("citizen/orders/{}", self.account)
    }

    /// `citizen/credential/{id}`: the account's signing credential id at the
    /// signing provider.
    #[must_use]
    pub fn credential(&self) -> String {
        format!("citizen/credential/{}", self.account)
    }

    /// `citizen/identification/{id}`: the account's latest identification at
    /// the signing provider and what the provider said of it.
    #[must_use]
    pub fn identification(&self) -> String {
        format!("citizen/identification/{}", self.account)
    }

    /// `citizen/pending/{id}/{sha256}`, in the object store: a file the
    /// citizen uploaded with a form refused for another field, kept so the
    /// next submission of the form uses it without sending it again.
    #[must_use]
    pub fn pending_upload(&self, sha256: &Sha256Digest) -> String {
        format!("citizen/pending/{}/{}", self.account, sha256.to_hex())
    }

    /// `citizen/idem/{id}/{sha256 of the key}`: what a submission with the
    /// client's idempotency key (its SHA-256 here) produced.
    #[must_use]
    pub fn idempotency(&self, key_sha256: &Sha256Digest) -> String {
        format!("citizen/idem/{}/{}", self.account, key_sha256.to_hex())
    }

    /// `citizen/{id}`: the account's user id at the signing provider (the
    /// provider keys its own records by it).
    #[must_use]
    pub fn signing_user(&self) -> String {
        format!("citizen/{}", self.account)
    }

    /// `citizen/pending/{id}/`: the prefix of the account's pending uploads
    /// in the object store ([`Self::pending_upload`]).
    #[must_use]
    pub fn pending_uploads(&self) -> String {
        format!("citizen/pending/{}/", self.account)
    }

    /// Whether `key` is one of this account's keys (`citizen/{id}`,
    /// `citizen/{what}/{id}`, `citizen/{what}/{id}/…`) or a lease counter
    /// of one; what closing the account deletes.
    #[must_use]
    pub fn owns(&self, key: &str) -> bool {
        let key = key.split_once('#').map_or(key, |(k, _)| k);
        let Some(rest) = key.strip_prefix("citizen/") else {
            return false;
        };
        // The kinds of key this type builds under an account; `order`,
        // `contact`, `code` and `throttle` keys are no account's.
        const OWNED: [&str; 10] = [
            "account",
            "dossiers",
            "awaiting",
            "awaiting-item",
            "signing",
            "orders",
            "credential",
            "identification",
            "idem",
            "pending",
        ];
        let mut segments = rest.split('/');
        let first = segments.next().unwrap_or_default();
        match segments.next() {
            None => first == self.account,
            Some(second) => second == self.account && OWNED.contains(&first),
        }
    }
}

/// The citizens' keys that no account owns (a contact, a code, a throttle, an order).
pub mod citizen {
    use super::{CodePurpose, Contact};

    /// `citizen/contact/{contact}`: the account id owning a phone number or
    /// an e-mail address (leased insert, so two accounts never share one),
    /// by the contact's identity (an e-mail wholly lowercased).
    #[must_use]
    pub fn contact(contact: &Contact) -> String {
        format!("citizen/contact/{}", contact.identity())
    }

    /// The same key as written before e-mail identities were lowercased
    /// (the local part as typed): read when [`contact`] finds nothing.
    #[must_use]
    pub fn contact_as_typed(contact: &Contact) -> String {
        format!("citizen/contact/{}", contact.as_str())
    }

    /// `citizen/code/{purpose}/{contact}[/{subject}]`: the current one-time
    /// code (salted hash); `subject` empty: none.
    #[must_use]
    pub fn code(purpose: CodePurpose, contact: &Contact, subject: &str) -> String {
        if subject.is_empty() {
            format!("citizen/code/{}/{}", purpose.code(), contact.identity())
        } else {
            format!(
                "citizen/code/{}/{}/{subject}",
                purpose.code(),
                contact.identity()
            )
        }
    }

    /// `citizen/throttle/{what}/{who}/{window}`: a fixed-window counter
    /// ([`crate::rate_limit`]) of codes sent, registrations or claims.
    #[must_use]
    pub fn throttle(what: &str, who: &str, window: u64) -> String {
        format!("citizen/throttle/{what}/{who}/{window}")
    }

    /// Whether `key` is a citizen's key or a sign-in throttle (its lease
    /// counters included) that names the contact whose identity is
    /// `identity` ([`Contact::identity`]) as a whole segment: what closing
    /// the account that held the contact deletes (a contact's index, its
    /// codes, its throttles).
    #[must_use]
    pub fn names_contact(key: &str, identity: &str) -> bool {
        if identity.is_empty() || !(key.starts_with("citizen/") || key.starts_with("ratelimit/")) {
            return false;
        }
        key.match_indices(identity).any(|(at, _)| {
            let before = key[..at].chars().next_back();
            let after = key[at + identity.len()..].chars().next();
            matches!(before, Some('/' | ':')) && matches!(after, None | Some('/' | '@' | '#'))
        })
    }

    /// `citizen/order/{order}`: an order of a signature credential (its id
    /// random) or of a request's fee (its id derived from the account, the
    /// request and the attempt, written once); the record names the account.
    #[must_use]
    pub fn order(order: &str) -> String {
        format!("citizen/order/{order}")
    }
}

// ---- the sandbox's keys ----------------------------------------------------------

/// The keys of the sandbox (`functions/sandbox`): the state of its stand-ins
/// for the SMS and e-mail gateway, the signing provider (CSC), the timestamp
/// authority and the payment provider, all under `sandbox/`. Global: the
/// sandbox is one party of its own, no tenant's.
pub mod sandbox {
    use ghiseu_core::Sha256Digest;

    /// `sandbox/outbox/seq`: the counter that numbers the gateway's messages.
    pub const OUTBOX_SEQ: &str = "sandbox/outbox/seq";

    /// `sandbox/gateway/fail-next`: how many deliveries still answer 503.
    pub const GATEWAY_FAIL_NEXT: &str = "sandbox/gateway/fail-next";

    /// `sandbox/outbox/{seq:08}`: the message numbered `seq`.
    #[must_use]
    pub fn outbox_entry(seq: u32) -> String {
        format!("sandbox/outbox/{seq:08}")
    }

    /// `sandbox/outbox/id/{id}`: that a message id was received (so a message
    /// sent again is not kept twice).
    #[must_use]
    pub fn outbox_seen(message_id: &str) -> String {
        format!("sandbox/outbox/id/{message_id}")
    }

    /// `sandbox/csc/ca`: the development CA (key and certificate).
    pub const CSC_CA: &str = "sandbox/csc/ca";

    /// `sandbox/tsa/signer`: the timestamp authority's key and certificate.
    pub const TSA_SIGNER: &str = "sandbox/tsa/signer";

    /// `sandbox/tsa/serial`: the counter of the timestamp tokens' serial numbers.
    pub const TSA_SERIAL: &str = "sandbox/tsa/serial";

    /// `sandbox/csc/callback-sink`: the asynchronous results the callback sink
    /// received.
    pub const CSC_CALLBACK_SINK: &str = "sandbox/csc/callback-sink";

    /// `sandbox/csc/user/{hex}` of the SHA-256 of the user id: the credential
    /// id of an enrolled user.
    #[must_use]
    pub fn csc_user(user_id: &str) -> String {
        format!(
            "sandbox/csc/user/{}",
            Sha256Digest::of(user_id.as_bytes()).to_hex()
        )
    }

    /// `sandbox/csc/credential/{id}`: a credential (key, certificate, phone).
    #[must_use]
    pub fn csc_credential(credential_id: &str) -> String {
        format!("sandbox/csc/credential/{credential_id}")
    }

    /// `sandbox/csc/otp/{id}`: the current one-time code of a credential
    /// (salted hash, attempts).
    #[must_use]
    pub fn csc_otp(credential_id: &str) -> String {
        format!("sandbox/csc/otp/{credential_id}")
    }

    /// `sandbox/csc/sad/{hex}` of the SHA-256 of the SAD: an authorization
    /// (the SAD itself is never stored).
    #[must_use]
    pub fn csc_sad(sad: &str) -> String {
        format!(
            "sandbox/csc/sad/{}",
            Sha256Digest::of(sad.as_bytes()).to_hex()
        )
    }

    /// `sandbox/csc/calls/{id}`: the record of a credential's calls, for tests.
    #[must_use]
    pub fn csc_calls(credential_id: &str) -> String {
        format!("sandbox/csc/calls/{credential_id}")
    }

    /// `sandbox/csc/async/{responseID}`: what became of an asynchronous
    /// result's callback.
    #[must_use]
    pub fn csc_async(response_id: &str) -> String {
        format!("sandbox/csc/async/{response_id}")
    }

    /// `sandbox/csc/identification/{id}`: a remote identification of the
    /// signing provider (its user, return URL, status and evidence).
    #[must_use]
    pub fn csc_identification(identification_id: &str) -> String {
        format!("sandbox/csc/identification/{identification_id}")
    }

    /// `sandbox/pay/receipt-seq`: the counter of the payment receipts' numbers.
    pub const PAY_RECEIPT_SEQ: &str = "sandbox/pay/receipt-seq";

    /// `sandbox/pay/checkout/{id}`: a checkout of the payment provider.
    #[must_use]
    pub fn pay_checkout(checkout_id: &str) -> String {
        format!("sandbox/pay/checkout/{checkout_id}")
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn sandbox_key_table() {
            let empty_sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
            let cases = [
                (OUTBOX_SEQ.to_string(), "sandbox/outbox/seq"),
                (GATEWAY_FAIL_NEXT.to_string(), "sandbox/gateway/fail-next"),
                (outbox_entry(42), "sandbox/outbox/00000042"),
                (outbox_seen("m-1"), "sandbox/outbox/id/m-1"),
                (CSC_CA.to_string(), "sandbox/csc/ca"),
                (TSA_SIGNER.to_string(), "sandbox/tsa/signer"),
                (TSA_SERIAL.to_string(), "sandbox/tsa/serial"),
                (CSC_CALLBACK_SINK.to_string(), "sandbox/csc/callback-sink"),
                (csc_user(""), &format!("sandbox/csc/user/{empty_sha256}")),
                (csc_credential("c1"), "sandbox/csc/credential/c1"),
                (csc_otp("c1"), "sandbox/csc/otp/c1"),
                (csc_sad(""), &format!("sandbox/csc/sad/{empty_sha256}")),
                (csc_calls("c1"), "sandbox/csc/calls/c1"),
                (csc_async("r1"), "sandbox/csc/async/r1"),
                (csc_identification("i1"), "sandbox/csc/identification/i1"),
                (PAY_RECEIPT_SEQ.to_string(), "sandbox/pay/receipt-seq"),
                (pay_checkout("k1"), "sandbox/pay/checkout/k1"),
            ];
            for (key, want) in cases {
                assert_eq!(key, want);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slug(s: &str) -> TenantSlug {
        TenantSlug::parse(s).unwrap()
    }

    #[test]
    fn key_table() {
        let cj = TenantScope::new(&slug("cj-cluj"));
        let id = DossierId::from_random([0; 16]);
        let token = TrackingToken::from_random([0xff; 16]);
        let code = DocumentTypeCode::parse("petitie").unwrap();
        let cases = [
            (cj.tenant(), "t/cj-cluj/tenant"),
            (
                cj.dossier(&id),
                "t/cj-cluj/dossier/00000000000000000000000000",
            ),
            (cj.registration_counter(2026), "t/cj-cluj/regno/2026"),
            (cj.document_type_codes(), "t/cj-cluj/doctypes"),
            (cj.document_type_status(&code), "t/cj-cluj/doctype/petitie"),
            (
                cj.document_type_version(&code, TypeVersion::new(12).unwrap()),
                "t/cj-cluj/doctype/petitie/v12",
            ),
            (cj.departments(), "t/cj-cluj/departments"),
            (cj.officials(), "t/cj-cluj/officials"),
            (
                cj.official(&Username::parse("ana.pop").unwrap()),
                "t/cj-cluj/official/ana.pop",
            ),
            (cj.index_entry(2026, 42), "t/cj-cluj/index/2026/00000042"),
            (cj.open_dossiers(), "t/cj-cluj/open"),
            (
                cj.attachment_object(&Sha256Digest::of(b"")),
                "t/cj-cluj/attachments/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ),
            (
                invite(&Sha256Digest::of(b"")),
                "invite/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ),
            (
                registration_prefix(&RegistrationPrefix::parse("CJC").unwrap()),
                "regprefix/CJC",
            ),
            (tracking(&token), "track/7ZZZZZZZZZZZZZZZZZZZZZZZZZ"),
            (
                rate_limit("track", "10.0.0.1", 42),
                "ratelimit/track/10.0.0.1/42",
            ),
            (session("ab12"), "session/ab12"),
            (session_bucket(491_111), "session/ends/491111"),
            (session_bucket_entry(491_111, 3), "session/ends/491111/3"),
            (session_sweep(491_103), "session/sweep/491103"),
            (notify_item("x-1-sms"), "notify/item/x-1-sms"),
        ];
        for (key, want) in cases {
            assert_eq!(key, want);
        }
    }

    #[test]
    fn citizen_key_table() {
        let me = CitizenKeys::new("ACC");
        let phone = Contact::Phone(ghiseu_core::PhoneNumber::parse("+40712345678").unwrap());
        let sha = "ab".repeat(32);
        let cases = [
            (me.account(), "citizen/account/ACC".to_owned()),
            (me.dossiers(), "citizen/dossiers/ACC".to_owned()),
            (me.awaiting(), "citizen/awaiting/ACC".to_owned()),
            (
                me.awaiting_item(&sha),
                format!("citizen/awaiting-item/ACC/{sha}"),
            ),
            (me.signing(&sha), format!("citizen/signing/ACC/{sha}")),
            (me.orders(), "citizen/orders/ACC".to_owned()),
            (me.credential(), "citizen/credential/ACC".to_owned()),
            (me.identification(), "citizen/identification/ACC".to_owned()),
            (
                me.idempotency(&Sha256Digest::of(b"")),
                "citizen/idem/ACC/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
                    .to_owned(),
            ),
            (me.signing_user(), "citizen/ACC".to_owned()),
            (
                me.pending_upload(&Sha256Digest::of(b"")),
                "citizen/pending/ACC/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
                    .to_owned(),
            ),
            (
                citizen::contact(&phone),
                "citizen/contact/+40712345678".to_owned(),
            ),
            (
                citizen::code(CodePurpose::Verify, &phone, ""),
                format!("citizen/code/{}/+40712345678", CodePurpose::Verify.code()),
            ),
            (
                citizen::code(CodePurpose::Claim, &phone, "CJ-1"),
                format!(
                    "citizen/code/{}/+40712345678/CJ-1",
                    CodePurpose::Claim.code()
                ),
            ),
            (
                citizen::throttle("code-client", "10.0.0.1", 7),
                "citizen/throttle/code-client/10.0.0.1/7".to_owned(),
            ),
            (citizen::order("ORD"), "citizen/order/ORD".to_owned()),
        ];
        for (key, want) in cases {
            assert_eq!(key, want);
        }
    }

    #[test]
    fn closing_an_account_finds_its_keys_and_its_contacts_keys_only() {
        let me = CitizenKeys::new("ACC");
        let sha = Sha256Digest::of(b"");
        // Every key this type builds is the account's.
        for key in [
            me.account(),
            me.dossiers(),
            me.awaiting(),
            me.awaiting_item("ab"),
            me.signing("ab"),
            me.orders(),
            me.credential(),
            me.identification(),
            me.pending_upload(&sha),
            me.idempotency(&sha),
            me.signing_user(),
            format!("{}#lease/7/ticket", me.account()),
        ] {
            assert!(me.owns(&key), "{key}");
        }
        for key in [
            CitizenKeys::new("ACC2").account(),
            CitizenKeys::new("AC").signing_user(),
            citizen::order("ACC"),
            citizen::throttle("my-data", "ACC", 3),
            "t/cj/dossier/ACC".to_owned(),
        ] {
            assert!(!me.owns(&key), "{key}");
        }
        assert_eq!(me.pending_uploads(), "citizen/pending/ACC/");
        let phone = Contact::Phone(ghiseu_core::PhoneNumber::parse("+40712345678").unwrap());
        let id = phone.identity();
        for key in [
            citizen::contact(&phone),
            format!("{}#lease/9/done", citizen::contact(&phone)),
            citizen::code(CodePurpose::Claim, &phone, "CJ-1"),
            citizen::throttle("code-contact", &id, 3),
            rate_limit("login-portal-user", &format!("~citizen:{id}"), 4),
            rate_limit("login-portal-pair", &format!("~citizen:{id}@10.0.0.1"), 4),
        ] {
            assert!(citizen::names_contact(&key, &id), "{key}");
        }
        for key in [
            citizen::contact(&Contact::Phone(
                ghiseu_core::PhoneNumber::parse("+40712345679").unwrap(),
            )),
            "citizen/contact/+4071234567890".to_owned(),
            "t/cj/x/+40712345678".to_owned(),
            notify_item("+40712345678"),
        ] {
            assert!(!citizen::names_contact(&key, &id), "{key}");
        }
        assert_eq!(notify_item_id(&notify_item("d-3-sms")), Some("d-3-sms"));
        assert_eq!(notify_item_id("notify/pending"), None);
        assert_eq!(notify_item_id("notify/item/x#lease/1/ticket"), None);
    }

    #[test]
    fn one_tenant_never_owns_anothers_keys() {
        let a = TenantScope::new(&slug("turda"));
        let b = TenantScope::new(&slug("turda-2"));
        let id = DossierId::from_random([1; 16]);
        let code = DocumentTypeCode::parse("petitie").unwrap();
        for key in [
            b.tenant(),
            b.dossier(&id),
            b.registration_counter(2026),
            b.document_type_status(&code),
            b.document_type_version(&code, TypeVersion::FIRST),
            b.document_type_codes(),
            b.departments(),
            b.open_dossiers(),
            b.attachment_object(&Sha256Digest::of(b"x")),
            b.logo_object(&Sha256Digest::of(b"x")),
            b.retention_log(2027),
            b.reminder_sent(
                chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
                &Username::parse("ana").unwrap(),
            ),
        ] {
            assert!(b.owns(&key));
            assert!(!a.owns(&key), "{key}");
        }
        for key in [a.tenant(), a.dossier(&id), a.registration_counter(2026)] {
            assert!(!b.owns(&key), "{key}");
        }
        // Public keys belong to no tenant.
        assert!(!a.owns(&tracking(&TrackingToken::from_random([1; 16]))));
    }
}
