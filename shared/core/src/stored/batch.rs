//! A signer's batch as stored: strings for every typed value, read back
//! re-validated.

use serde::{Deserialize, Serialize};

use crate::digest::Sha256Digest;
use crate::ids::{DossierId, Username};
use crate::signing::{Batch, InFlight, Item, ItemState, KeyAlgorithm};
use crate::token::TrackingToken;

use super::{StoredError, f, opt, some, time_from_stored, time_to_stored};

/// A signer's batch as stored (`t/{slug}/signing/{id}`), and as the desk's
/// progress poll reads it. Digests, certificates and the hash to sign are
/// lowercase hex; an item not prepared has them empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredBatch {
    /// Its id.
    pub id: String,
    /// The signer's username.
    pub signer: String,
    /// The signer's name, as shown on the stamp.
    pub signer_name: String,
    /// The signing service's credential.
    pub credential: String,
    /// The certificate chain (hex DER), signer first.
    pub certificates: Vec<String>,
    /// The key's algorithm: `ecdsa-p256` or `rsa`.
    pub algorithm: String,
    /// How many signatures one authorization may cover.
    pub multisign: u32,
    /// The signing time written into every document.
    pub signing_time: String,
    /// The public origin of the verification links.
    pub origin: String,
    /// The documents, in the order shown.
    pub items: Vec<StoredItem>,
    /// Codes requested so far.
    pub codes_sent: u32,
    /// The part signed asynchronously whose result is awaited.
    #[serde(default)]
    pub in_flight: Option<StoredInFlight>,
    /// The results applied: `{part}/{responseID}`.
    #[serde(default)]
    pub answered: Vec<String>,
    /// Parts whose documents began to be issued.
    #[serde(default)]
    pub parts_started: u32,
    /// Asynchronous parts given up as lost.
    #[serde(default)]
    pub lost_parts: u32,
}

/// A batch's document as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredItem {
    /// The dossier's id.
    pub dossier: String,
    /// Its registration number.
    pub number: String,
    /// The response signed (hex; empty when the item failed before).
    pub response: String,
    /// The response's file name.
    pub name: String,
    /// The verification token.
    pub verify: String,
    /// The prepared PDF's digest (hex; empty until prepared).
    pub digest: String,
    /// The hash to sign (hex; empty until prepared).
    pub hash: String,
    /// What happened.
    #[serde(flatten)]
    pub state: StoredItemState,
}

/// A batch document's result as stored: `"state"` and its field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum StoredItemState {
    /// Waiting for the code.
    Pending,
    /// Signed: the signed PDF's SHA-256 (hex).
    Signed {
        /// The signed PDF's digest.
        document: String,
    },
    /// Not signed, and why.
    Failed {
        /// Why.
        reason: String,
    },
}

/// An asynchronous part as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredInFlight {
    /// Our name for the part.
    pub part: String,
    /// The service's `responseID`, once it answered.
    pub response_id: Option<String>,
    /// The items it covers.
    pub items: Vec<usize>,
    /// When the part was sent.
    #[serde(default)]
    pub since: Option<String>,
    /// When its result was claimed.
    #[serde(default)]
    pub claimed: Option<String>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(field: &'static str, s: &str) -> Result<Vec<u8>, StoredError> {
    let bad = || StoredError::Field {
        field,
        message: "not hex".into(),
    };
    if !s.len().is_multiple_of(2) {
        return Err(bad());
    }
    (0..s.len())
        .step_by(2)
        .map(|i| {
            s.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(bad)
        })
        .collect()
}

fn digest_or_empty(d: Option<&Sha256Digest>) -> String {
    d.map(Sha256Digest::to_hex).unwrap_or_default()
}

fn digest_from_stored(field: &'static str, s: &str) -> Result<Option<Sha256Digest>, StoredError> {
    if s.is_empty() {
        Ok(None)
    } else {
        f(field, Sha256Digest::parse(s)).map(Some)
    }
}

impl Batch {
    /// The stored shape.
    #[must_use]
    pub fn to_stored(&self) -> StoredBatch {
        StoredBatch {
            id: self.id.to_string(),
            signer: self.signer.to_string(),
            signer_name: self.signer_name.clone(),
            credential: self.credential.clone(),
            certificates: self.certificates.iter().map(|c| hex(c)).collect(),
            algorithm: self.algorithm.as_str().to_owned(),
            multisign: self.multisign,
            signing_time: time_to_stored(self.signing_time),
            origin: self.origin.clone(),
            items: self.items.iter().map(Item::to_stored).collect(),
            codes_sent: self.codes_sent,
            in_flight: self.in_flight.as_ref().map(|f| StoredInFlight {
                part: f.part.clone(),
                response_id: f.response_id.clone(),
                items: f.items.clone(),
                since: f.since.map(time_to_stored),
                claimed: f.claimed.map(time_to_stored),
            }),
            answered: self.answered.clone(),
            parts_started: self.parts_started,
            lost_parts: self.lost_parts,
        }
    }

    /// Back from the stored shape, every field re-validated.
    pub fn from_stored(s: &StoredBatch) -> Result<Self, StoredError> {
        let in_flight = match &s.in_flight {
            None => None,
            Some(f) => Some(InFlight {
                part: f.part.clone(),
                response_id: f.response_id.clone(),
                items: f.items.clone(),
                since: opt("in_flight.since", f.since.as_deref(), |t| {
                    time_from_stored("in_flight.since", t)
                })?,
                claimed: opt("in_flight.claimed", f.claimed.as_deref(), |t| {
                    time_from_stored("in_flight.claimed", t)
                })?,
            }),
        };
        Ok(Self {
            id: f("id", TrackingToken::parse(&s.id))?,
            signer: f("signer", Username::parse(&s.signer))?,
            signer_name: s.signer_name.clone(),
            credential: s.credential.clone(),
            certificates: s
                .certificates
                .iter()
                .map(|c| unhex("certificates", c))
                .collect::<Result<_, _>>()?,
            algorithm: some("algorithm", KeyAlgorithm::parse(&s.algorithm))?,
            multisign: s.multisign,
            signing_time: time_from_stored("signing_time", &s.signing_time)?,
            origin: s.origin.clone(),
            items: s
                .items
                .iter()
                .map(Item::from_stored)
                .collect::<Result<_, _>>()?,
            codes_sent: s.codes_sent,
            in_flight,
            answered: s.answered.clone(),
            parts_started: s.parts_started,
            lost_parts: s.lost_parts,
        })
    }
}

impl Item {
    fn to_stored(&self) -> StoredItem {
        StoredItem {
            dossier: self.dossier.to_string(),
            number: self.number.clone(),
            response: digest_or_empty(self.response.as_ref()),
            name: self.name.clone(),
            verify: self.verify.to_string(),
            digest: digest_or_empty(self.digest.as_ref()),
            hash: digest_or_empty(self.hash.as_ref()),
            state: match &self.state {
                ItemState::Pending => StoredItemState::Pending,
                ItemState::Signed { document } => StoredItemState::Signed {
                    document: document.to_hex(),
                },
                ItemState::Failed { reason } => StoredItemState::Failed {
                    reason: reason.clone(),
                },
            },
        }
    }

    fn from_stored(s: &StoredItem) -> Result<Self, StoredError> {
        Ok(Self {
            dossier: f("items.dossier", DossierId::parse(&s.dossier))?,
            number: s.number.clone(),
            response: digest_from_stored("items.response", &s.response)?,
            name: s.name.clone(),
            verify: f("items.verify", TrackingToken::parse(&s.verify))?,
            digest: digest_from_stored("items.digest", &s.digest)?,
            hash: digest_from_stored("items.hash", &s.hash)?,
            state: match &s.state {
                StoredItemState::Pending => ItemState::Pending,
                StoredItemState::Signed { document } => ItemState::Signed {
                    document: f("items.document", Sha256Digest::parse(document))?,
                },
                StoredItemState::Failed { reason } => ItemState::Failed {
                    reason: reason.clone(),
                },
            },
        })
    }
}
