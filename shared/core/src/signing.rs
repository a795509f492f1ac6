//! The signer's batch (DESIGN §5) as typed values, and its rules beyond who
//! may sign ([`crate::permissions::authorize_signing`]): what a result does
//! to a batch, and how long a part signed asynchronously by the signing
//! service is waited for. The stored shape is [`crate::stored::StoredBatch`].

use chrono::{DateTime, TimeDelta, Utc};

use crate::digest::Sha256Digest;
use crate::ids::{DossierId, Username};
use crate::token::TrackingToken;

/// How long a part waits for the service's result. A CSC service answers an
/// asynchronous signHash in seconds; one that has not in this long lost it
/// (or its delivery failed, which the sandbox does not retry).
pub const RESULT_LIMIT: TimeDelta = TimeDelta::minutes(15);

/// How long a claimed result may take to apply: well past the host's request
/// deadline (30 s), so a claim this old belongs to a request that died.
pub const APPLY_LIMIT: TimeDelta = TimeDelta::minutes(2);

/// Whether an asynchronous part sent at `sent` (if known) whose result was
/// claimed for applying at `claimed` (if it was) will not complete any more
/// on `now`: its result never came ([`RESULT_LIMIT`]) or the request applying
/// it died ([`APPLY_LIMIT`]). A part whose sending time is unknown (stored
/// before it was kept) is never given up by this rule.
#[must_use]
pub fn part_lost(
    sent: Option<DateTime<Utc>>,
    claimed: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    match (claimed, sent) {
        (Some(claimed), _) => now - claimed > APPLY_LIMIT,
        (None, Some(sent)) => now - sent > RESULT_LIMIT,
        (None, None) => false,
    }
}

/// The kind of key a signing credential holds (its signatures are over
/// SHA-256).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// ECDSA on P-256; signatures are DER `ECDSA-Sig-Value`.
    EcdsaP256,
    /// RSA; signatures are PKCS#1 v1.5.
    Rsa,
}

impl KeyAlgorithm {
    /// Its stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EcdsaP256 => "ecdsa-p256",
            Self::Rsa => "rsa",
        }
    }

    /// The algorithm of a stored name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ecdsa-p256" => Some(Self::EcdsaP256),
            "rsa" => Some(Self::Rsa),
            _ => None,
        }
    }
}

/// The most documents one batch may hold.
pub const MAX_BATCH: usize = 500;

/// A signer's batch (DESIGN §5): the documents selected, prepared once with
/// one signing time, and what became of each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// Its id.
    pub id: TrackingToken,
    /// The signer's username.
    pub signer: Username,
    /// The signer's name, as shown on the stamp.
    pub signer_name: String,
    /// The signing service's credential.
    pub credential: String,
    /// The certificate chain (DER), signer first.
    pub certificates: Vec<Vec<u8>>,
    /// The key's algorithm.
    pub algorithm: KeyAlgorithm,
    /// How many signatures one authorization may cover (at least 1).
    pub multisign: u32,
    /// The signing time written into every document.
    pub signing_time: DateTime<Utc>,
    /// The public origin of the verification links.
    pub origin: String,
    /// The documents, in the order shown.
    pub items: Vec<Item>,
    /// Codes requested so far.
    pub codes_sent: u32,
    /// A part signed asynchronously whose result has not arrived yet.
    pub in_flight: Option<InFlight>,
    /// The asynchronous results already applied, `{part}/{responseID}`: a
    /// replay finds its `responseID` here and changes nothing.
    pub answered: Vec<String>,
    /// Parts whose documents began to be issued (with the signatures in
    /// hand, either way of signing): until one has, no pending item can have
    /// been issued, and there is nothing to repair.
    pub parts_started: u32,
    /// Asynchronous parts given up as lost ([`part_lost`]), for the page.
    pub lost_parts: u32,
}

/// One selected document and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The dossier.
    pub dossier: DossierId,
    /// Its registration number (for the list).
    pub number: String,
    /// The response that is signed (none when the item failed before).
    pub response: Option<Sha256Digest>,
    /// The response's file name.
    pub name: String,
    /// The verification token written into the document.
    pub verify: TrackingToken,
    /// The digest of the prepared PDF's signed byte ranges (once prepared).
    pub digest: Option<Sha256Digest>,
    /// The hash the signing service signs (once prepared).
    pub hash: Option<Sha256Digest>,
    /// What happened.
    pub state: ItemState,
}

/// An item's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemState {
    /// Waiting for the code.
    Pending,
    /// Signed and issued: the signed PDF.
    Signed {
        /// The signed PDF's digest.
        document: Sha256Digest,
    },
    /// Not signed, and why (shown to the signer).
    Failed {
        /// Why.
        reason: String,
    },
}

/// A part of the batch the service signs asynchronously (`operationMode`
/// "A"): its result arrives at the signing callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InFlight {
    /// Our name for the part, sent as `clientData` (`{tenant}/{batch}/{part}`)
    /// and echoed by the result: it is recorded before the request, so a
    /// result arriving before the service's answer still finds it.
    pub part: String,
    /// The service's `responseID`, once it answered.
    pub response_id: Option<String>,
    /// The items it covers, in the order of the hashes sent.
    pub items: Vec<usize>,
    /// When the part was sent (absent in batches stored before it was kept).
    pub since: Option<DateTime<Utc>>,
    /// When its result was claimed for applying.
    pub claimed: Option<DateTime<Utc>>,
}

impl InFlight {
    /// Whether the part will not complete any more on `now` ([`part_lost`]).
    #[must_use]
    pub fn lost(&self, now: DateTime<Utc>) -> bool {
        part_lost(self.since, self.claimed, now)
    }
}

impl Batch {
    /// The pending items with their index.
    pub fn pending(&self) -> impl Iterator<Item = (usize, &Item)> {
        self.items
            .iter()
            .enumerate()
            .filter(|(_, i)| i.state == ItemState::Pending)
    }

    /// How many documents are signed, failed, pending.
    #[must_use]
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for i in &self.items {
            match i.state {
                ItemState::Signed { .. } => c.0 += 1,
                ItemState::Failed { .. } => c.1 += 1,
                ItemState::Pending => c.2 += 1,
            }
        }
        c
    }

    /// How many pending documents the next code covers.
    #[must_use]
    pub fn next_part(&self) -> usize {
        self.pending().count().min(self.multisign.max(1) as usize)
    }

    /// The pending items the next code covers, with their index.
    #[must_use]
    pub fn part(&self) -> Vec<(usize, Item)> {
        self.pending()
            .take(self.multisign.max(1) as usize)
            .map(|(i, it)| (i, it.clone()))
            .collect()
    }

    /// Records results: each pending item named gets its state; an item
    /// already settled keeps its own (a result never overwrites another).
    pub fn record(&mut self, results: &[(usize, ItemState)]) {
        for (index, state) in results {
            if let Some(item) = self.items.get_mut(*index)
                && item.state == ItemState::Pending
            {
                item.state = state.clone();
            }
        }
    }

    /// Stops waiting for an asynchronous part that will not complete on
    /// `now` ([`InFlight::lost`]); whether it did.
    pub fn give_up_lost_part(&mut self, now: DateTime<Utc>) -> bool {
        if self.in_flight.as_ref().is_some_and(|f| f.lost(now)) {
            self.in_flight = None;
            self.lost_parts += 1;
            true
        } else {
            false
        }
    }

    /// Whether the service's result `response_id` was applied already.
    #[must_use]
    pub fn answered(&self, response_id: &str) -> bool {
        let suffix = format!("/{response_id}");
        self.answered.iter().any(|a| a.ends_with(&suffix))
    }

    /// Claims the result `response_id` of the awaited `part` on `now`: it
    /// joins `answered` (a replay then changes nothing) and the part is
    /// marked claimed (it stays awaited until applied). Whether this call
    /// claimed it.
    pub fn claim_result(&mut self, part: &str, response_id: &str, now: DateTime<Utc>) -> bool {
        if self.answered(response_id) {
            return false;
        }
        self.answered.push(format!("{part}/{response_id}"));
        if let Some(f) = self.in_flight.as_mut().filter(|f| f.part == part) {
            f.claimed = Some(now);
        }
        true
    }

    /// The part `part` is over (applied, refused or failed to send).
    pub fn land(&mut self, part: &str) {
        if self.in_flight.as_ref().is_some_and(|f| f.part == part) {
            self.in_flight = None;
        }
    }

    /// Whether pending items may have been issued by a request that died:
    /// after a part was started, and not while an asynchronous part is
    /// awaited (then its items are pending on purpose).
    #[must_use]
    pub fn may_need_repair(&self) -> bool {
        self.parts_started > 0 && self.in_flight.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_is_lost_when_its_result_never_came_or_its_claim_died() {
        let now: DateTime<Utc> = "2026-11-23T10:00:00Z".parse().unwrap();
        let ago = |minutes: Option<i64>| minutes.map(|m| now - TimeDelta::minutes(m));
        let lost =
            |sent: Option<i64>, claimed: Option<i64>| part_lost(ago(sent), ago(claimed), now);
        // Waiting for the service: 15 minutes.
        assert!(!lost(Some(1), None));
        assert!(!lost(Some(14), None));
        assert!(lost(Some(16), None));
        // Claimed: applying takes at most the request deadline; 2 minutes.
        assert!(!lost(Some(16), Some(1)));
        assert!(lost(Some(3), Some(3)));
        // Stored before the times were kept: never given up by itself.
        assert!(!lost(None, None));
    }

    fn batch(items: usize, multisign: u32) -> Batch {
        let token = |n: u8| TrackingToken::from_random([n; 16]);
        Batch {
            id: token(0),
            signer: Username::parse("semn").unwrap(),
            signer_name: "Silviu Semnatar".to_owned(),
            credential: "c1".to_owned(),
            certificates: vec![vec![1, 2, 3]],
            algorithm: KeyAlgorithm::EcdsaP256,
            multisign,
            signing_time: "2026-11-23T10:00:00Z".parse().unwrap(),
            origin: "https://ghiseu.example".to_owned(),
            items: (0..items)
                .map(|n| Item {
                    dossier: DossierId::from_random([n as u8; 16]),
                    number: format!("ALF-2026-{n:06}"),
                    response: Some(Sha256Digest::of(&[n as u8])),
                    name: "raspuns.pdf".to_owned(),
                    verify: token(n as u8 + 1),
                    digest: None,
                    hash: None,
                    state: ItemState::Pending,
                })
                .collect(),
            codes_sent: 1,
            in_flight: None,
            answered: Vec::new(),
            parts_started: 0,
            lost_parts: 0,
        }
    }

    #[test]
    fn a_code_covers_at_most_multisign_pending_documents() {
        let mut b = batch(5, 2);
        assert_eq!(b.next_part(), 2);
        assert_eq!(b.part().iter().map(|(i, _)| *i).collect::<Vec<_>>(), [0, 1]);
        let signed = ItemState::Signed {
            document: Sha256Digest::of(b"x"),
        };
        b.record(&[(0, signed.clone()), (1, signed)]);
        assert_eq!(b.part().iter().map(|(i, _)| *i).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(b.counts(), (2, 0, 3));
        assert_eq!(batch(1, 0).next_part(), 1, "multisign 0 counts as 1");
    }

    #[test]
    fn a_result_never_overwrites_a_settled_document() {
        let mut b = batch(2, 10);
        let signed = ItemState::Signed {
            document: Sha256Digest::of(b"x"),
        };
        let failed = ItemState::Failed {
            reason: "refuzat".to_owned(),
        };
        b.record(&[(0, signed.clone())]);
        b.record(&[
            (0, failed.clone()),
            (1, failed.clone()),
            (7, failed.clone()),
        ]);
        assert_eq!(b.items[0].state, signed);
        assert_eq!(b.items[1].state, failed);
    }

    #[test]
    fn a_result_is_claimed_once_and_a_lost_part_is_given_up_once() {
        let now: DateTime<Utc> = "2026-11-23T10:00:00Z".parse().unwrap();
        let mut b = batch(2, 10);
        b.in_flight = Some(InFlight {
            part: "p1".to_owned(),
            response_id: Some("r1".to_owned()),
            items: vec![0, 1],
            since: Some(now),
            claimed: None,
        });
        assert!(!b.may_need_repair());
        assert!(b.claim_result("p1", "r1", now));
        assert!(!b.claim_result("p1", "r1", now), "a replay changes nothing");
        assert_eq!(b.in_flight.as_ref().unwrap().claimed, Some(now));
        assert!(!b.give_up_lost_part(now + TimeDelta::minutes(1)));
        assert!(b.give_up_lost_part(now + TimeDelta::minutes(3)));
        assert!(!b.give_up_lost_part(now + TimeDelta::minutes(4)));
        assert_eq!((b.lost_parts, b.in_flight.is_none()), (1, true));
        b.parts_started = 1;
        assert!(b.may_need_repair());
    }

    #[test]
    fn key_algorithms_round_trip_their_stored_names() {
        for k in [KeyAlgorithm::EcdsaP256, KeyAlgorithm::Rsa] {
            assert_eq!(KeyAlgorithm::parse(k.as_str()), Some(k));
        }
        assert_eq!(KeyAlgorithm::parse("dsa"), None);
    }
}
