//! "Who opened my file" (issue 20): every time an official opens a dossier
//! or one of its files, an append-only access record is kept with the
//! dossier, hash-chained like its route, so the citizen can see who looked
//! and an edited or removed record shows.
//!
//! Records of a dossier are numbered 1, 2, ... by the store's `increment`;
//! each names the number and hash of the record it follows (`prev_seq`,
//! `prev_hash`): the newest one written when it was (two officials opening
//! the dossier at once may both follow the same one). [`verify`] walks the
//! records in order: a hash that is not its record's, or a link to a record
//! that is not there as it was, is tampering; a number without a record (a
//! request that died after taking it, or a record removed) is a gap, named
//! to the reader.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::digest::Sha256Digest;
use crate::ids::{DepartmentCode, Username};
use crate::role::Role;

/// What was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// The dossier's page.
    Dossier,
    /// One of its files.
    File {
        /// The file's digest.
        sha256: Sha256Digest,
        /// Its name, as the dossier records it.
        name: String,
    },
    /// The dossier's archive container: every document at once.
    Bundle,
}

/// One opening of a dossier by an official.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// Its number among the dossier's records, from 1.
    pub seq: u32,
    /// When.
    pub at: DateTime<Utc>,
    /// Who: the official's login name.
    pub official: Username,
    /// Their name as shown then.
    pub name: String,
    /// Their roles then.
    pub roles: Vec<Role>,
    /// Their department then, if any.
    pub department: Option<DepartmentCode>,
    /// What they opened.
    pub opened: Opened,
    /// The number of the record this one follows (0: none).
    pub prev_seq: u32,
    /// That record's hash (zero: none).
    pub prev_hash: Sha256Digest,
    /// `SHA-256(prev_hash || canonical_bytes(self))`.
    pub hash: Sha256Digest,
}

impl Access {
    /// The record `seq` of `official` (named `name`, with `roles` and
    /// `department`) opening `opened` at `at`, after the record `prev`
    /// (`None`: the first), with its hash.
    #[must_use]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        seq: u32,
        at: DateTime<Utc>,
        official: Username,
        name: String,
        roles: Vec<Role>,
        department: Option<DepartmentCode>,
        opened: Opened,
        prev: Option<&Access>,
    ) -> Self {
        let mut record = Self {
            seq,
            at,
            official,
            name,
            roles,
            department,
            opened,
            prev_seq: prev.map_or(0, |p| p.seq),
            prev_hash: prev.map_or(Sha256Digest::ZERO, |p| p.hash),
            hash: Sha256Digest::ZERO,
        };
        record.hash = record.computed_hash();
        record
    }

    /// The hash this record's contents give.
    #[must_use]
    pub fn computed_hash(&self) -> Sha256Digest {
        let mut h = Sha256::new();
        h.update(self.prev_hash.as_bytes());
        h.update(canonical_bytes(self));
        Sha256Digest::from_bytes(h.finalize().into())
    }
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&u32::try_from(s.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// The bytes a record's hash covers (everything but its own hash; the
/// previous hash is hashed in front of them).
#[must_use]
pub fn canonical_bytes(a: &Access) -> Vec<u8> {
    let mut out = Vec::with_capacity(160);
    put_str(&mut out, "ghiseu/access/v1");
    out.extend_from_slice(&a.seq.to_be_bytes());
    out.extend_from_slice(&a.prev_seq.to_be_bytes());
    out.extend_from_slice(&a.at.timestamp().to_be_bytes());
    out.extend_from_slice(&a.at.timestamp_subsec_nanos().to_be_bytes());
    put_str(&mut out, a.official.as_str());
    put_str(&mut out, &a.name);
    out.extend_from_slice(&u32::try_from(a.roles.len()).unwrap_or(0).to_be_bytes());
    for r in &a.roles {
        put_str(&mut out, r.code());
    }
    put_str(
        &mut out,
        a.department.as_ref().map_or("", DepartmentCode::as_str),
    );
    match &a.opened {
        Opened::Dossier => put_str(&mut out, "dossier"),
        Opened::Bundle => put_str(&mut out, "bundle"),
        Opened::File { sha256, name } => {
            put_str(&mut out, "file");
            out.extend_from_slice(sha256.as_bytes());
            put_str(&mut out, name);
        }
    }
    out
}

/// What [`verify`] found wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// A record's contents do not give its hash: it was edited.
    #[error("access record {0} was changed after it was written")]
    Edited(u32),
    /// A record follows a record that is not there as it was: that one was
    /// edited or removed.
    #[error("the record access record {0} follows was changed or removed")]
    Broken(u32),
    /// Records out of order or numbered twice.
    #[error("access record {0} is out of order")]
    Order(u32),
}

/// Checks the records of one dossier, in the order of their numbers; the
/// numbers without a record (gaps) when the chain holds.
pub fn verify(records: &[Access]) -> Result<Vec<u32>, AccessError> {
    let mut gaps = Vec::new();
    let mut last = 0;
    for (i, r) in records.iter().enumerate() {
        if r.seq <= last {
            return Err(AccessError::Order(r.seq));
        }
        if r.computed_hash() != r.hash {
            return Err(AccessError::Edited(r.seq));
        }
        let follows = match r.prev_seq {
            0 => r.prev_hash == Sha256Digest::ZERO,
            n => records[..i]
                .iter()
                .any(|p| p.seq == n && p.hash == r.prev_hash),
        };
        if !follows {
            return Err(AccessError::Broken(r.seq));
        }
        gaps.extend(last + 1..r.seq);
        last = r.seq;
    }
    Ok(gaps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn chain(seqs: &[u32]) -> Vec<Access> {
        let mut out: Vec<Access> = Vec::new();
        for (i, &seq) in seqs.iter().enumerate() {
            let opened = match i % 3 {
                0 => Opened::Dossier,
                1 => Opened::File {
                    sha256: Sha256Digest::of(b"cerere"),
                    name: "cerere.pdf".into(),
                },
                _ => Opened::Bundle,
            };
            let record = Access::new(
                seq,
                at("2026-12-05T09:00:00Z") + chrono::Duration::minutes(i64::from(seq)),
                Username::parse("rita").unwrap(),
                "Rita Registru".into(),
                vec![Role::Registrar],
                Some(DepartmentCode::parse("registratura").unwrap()),
                opened,
                out.last(),
            );
            out.push(record);
        }
        out
    }

    #[test]
    fn a_chain_verifies_and_names_its_gaps() {
        assert_eq!(verify(&chain(&[1, 2, 3])), Ok(vec![]));
        assert_eq!(verify(&chain(&[1, 3, 4, 7])), Ok(vec![2, 5, 6]));
        assert_eq!(verify(&[]), Ok(vec![]));
    }

    #[test]
    fn two_records_may_follow_the_same_one() {
        let mut records = chain(&[1, 2]);
        let fork = Access::new(
            3,
            at("2026-12-05T09:03:00Z"),
            Username::parse("sorin").unwrap(),
            "Sorin Șef".into(),
            vec![Role::HeadOfDepartment],
            None,
            Opened::Dossier,
            Some(&records[0]),
        );
        records.push(fork);
        assert_eq!(verify(&records), Ok(vec![]));
    }

    #[test]
    fn an_edited_removed_or_reordered_record_is_found() {
        let mut edited = chain(&[1, 2, 3]);
        edited[1].name = "Altcineva".into();
        assert_eq!(verify(&edited), Err(AccessError::Edited(2)));

        // What was opened is covered too: a bundle made out as a page view.
        let mut downplayed = chain(&[1, 2, 3]);
        assert_eq!(downplayed[2].opened, Opened::Bundle);
        downplayed[2].opened = Opened::Dossier;
        assert_eq!(verify(&downplayed), Err(AccessError::Edited(3)));

        // Edited and its hash made to match: the next record's link breaks.
        let mut rehashed = chain(&[1, 2, 3]);
        rehashed[1].at = at("2026-12-01T00:00:00Z");
        rehashed[1].hash = rehashed[1].computed_hash();
        assert_eq!(verify(&rehashed), Err(AccessError::Broken(3)));

        let mut removed = chain(&[1, 2, 3]);
        removed.remove(1);
        assert_eq!(verify(&removed), Err(AccessError::Broken(3)));

        let mut swapped = chain(&[1, 2, 3]);
        swapped.swap(1, 2);
        assert_eq!(verify(&swapped), Err(AccessError::Broken(3)));

        let mut twice = chain(&[1, 2]);
        twice.push(twice[1].clone());
        assert_eq!(verify(&twice), Err(AccessError::Order(2)));
    }

    #[test]
    fn canonical_bytes_are_stable() {
        // Golden value: changing the encoding breaks every stored record.
        let r = &chain(&[1])[0];
        assert_eq!(
            r.hash.to_hex(),
            Sha256Digest::of(&[&[0u8; 32][..], &canonical_bytes(r)].concat()).to_hex()
        );
        assert_eq!(
            r.hash.to_hex(),
            "16d751c936f9a6538de7fc271d3f22d97e4f38e3a95bab6861008f2a96ac8a16"
        );
    }
}
