//! Persisted record shapes and their explicit mappings to and from the domain.
//!
//! These structs are what the platform writes to the key-value store (as JSON):
//! plain strings and numbers, serde-derived. Domain types derive no serde; each
//! has `to_stored` and `from_stored`, and `from_stored` re-validates every field
//! through the domain constructors (and, for a dossier, verifies the route's hash
//! chain and replays it), so a corrupted or hand-edited record is refused at load.
//!
//! Times are RFC 3339 in UTC with as many fractional digits as needed, so they
//! round-trip exactly (route hashes cover nanoseconds). Dates are `YYYY-MM-DD`.
//! Each top-level record carries `v`, the format version (1).
//!
//! One file a record kind: `dossier`, `tenant` (with departments), `official`
//! (with invitations), `document_type`, `batch`; this module holds
//! the error, the format version and the field helpers they share.

mod batch;
mod document_type;
mod dossier;
mod official;
mod tenant;

pub use batch::*;
pub use document_type::*;
pub use dossier::*;
pub use official::*;
pub use tenant::*;

use std::fmt::Display;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use thiserror::Error;

use crate::dossier::DossierError;

/// The current format version of every record.
pub const FORMAT_VERSION: u32 = 1;

/// Why a stored record does not map back to the domain.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StoredError {
    /// A field failed validation.
    #[error("stored field `{field}` is invalid: {message}")]
    Field {
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// An unknown format version.
    #[error("unknown stored format version {0}")]
    Version(u32),
    /// The dossier's route does not verify or replay.
    #[error(transparent)]
    Dossier(#[from] DossierError),
}

fn f<T, E: Display>(field: &'static str, r: Result<T, E>) -> Result<T, StoredError> {
    r.map_err(|e| StoredError::Field {
        field,
        message: e.to_string(),
    })
}

fn some<T>(field: &'static str, v: Option<T>) -> Result<T, StoredError> {
    v.ok_or_else(|| StoredError::Field {
        field,
        message: "unknown value".into(),
    })
}

fn opt<T, E: Display>(
    field: &'static str,
    v: Option<&str>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, StoredError> {
    v.map(|s| f(field, parse(s))).transpose()
}

fn check_version(v: u32) -> Result<(), StoredError> {
    if v == FORMAT_VERSION {
        Ok(())
    } else {
        Err(StoredError::Version(v))
    }
}

fn time_to_stored(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn time_from_stored(field: &'static str, s: &str) -> Result<DateTime<Utc>, StoredError> {
    f(field, DateTime::parse_from_rfc3339(s)).map(|t| t.with_timezone(&Utc))
}

fn date_from_stored(field: &'static str, s: &str) -> Result<NaiveDate, StoredError> {
    f(field, NaiveDate::parse_from_str(s, "%Y-%m-%d"))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::attachment::MediaType;
    use crate::citizen_contact::{CitizenContact, CitizenName, Cnp, Email, PhoneNumber};
    use crate::deadline::DeadlineRule;
    use crate::department::Department;
    use crate::digest::Sha256Digest;
    use crate::document_type::{
        DocumentType, FieldDef, FieldKind, FieldName, SelectOption, Titles, TypeStatus,
    };
    use crate::dossier::{Dossier, DossierError};

    use crate::ids::{DossierId, TenantSlug};
    use crate::lang::Lang;
    use crate::official::{Invite, Official};
    use crate::regno::RegistrationPrefix;
    use crate::role::Role;

    use crate::document_type::tests::petition_type;
    use crate::dossier::tests::{at, dept, sample_dossier, user};
    use crate::permissions::Actor;
    use crate::route::RouteError;
    use crate::signing::{Batch, ItemState};
    use crate::tenant::{
        AccentColour, Branding, Logo, PublicBaseUrl, PublicContact, Tenant, TenantKind,
    };
    use crate::text::{DisplayName, PublicNote, Reason};
    use crate::token::TrackingToken;
    use crate::workflow::{Command, execute};

    fn busy_dossier() -> Dossier {
        let mut d = sample_dossier();
        let mut parts = d.parts().clone();
        parts.contact = CitizenContact {
            name: Some(CitizenName::parse("Ana Pop").unwrap()),
            email: Some(Email::parse("ana@example.ro").unwrap()),
            phone: Some(PhoneNumber::parse("0722123456").unwrap()),
            cnp: Some(Cnp::parse("1960529120011").unwrap()),
            lang: None,
        };
        d = Dossier::from_parts(parts, d.route().clone()).unwrap();
        let a = Actor {
            username: user("admin"),
            tenant: TenantSlug::parse("cj-cluj").unwrap(),
            roles: [Role::TenantAdmin].into(),
            department: None,
        };
        let r = Reason::parse("motiv").unwrap();
        execute(
            &mut d,
            Command::Assign {
                department: dept("urbanism"),
                official: Some(user("ion.pop")),
            },
            &a,
            at("2026-03-03T08:00:00.123456789Z"),
        )
        .unwrap();
        execute(
            &mut d,
            Command::Forward {
                to_department: dept("juridic"),
                note: Some(PublicNote::parse("la juridic").unwrap()),
            },
            &a,
            at("2026-03-04T08:00:00Z"),
        )
        .unwrap();
        execute(
            &mut d,
            Command::ExtendDeadline {
                days: 3,
                reason: r.clone(),
            },
            &a,
            at("2026-03-05T08:00:00Z"),
        )
        .unwrap();
        execute(
            &mut d,
            Command::Reject {
                to_citizen: PublicNote::parse("Nefondată").unwrap(),
                internal: Some(r),
            },
            &a,
            at("2026-03-06T08:00:00Z"),
        )
        .unwrap();
        d
    }

    #[test]
    fn dossier_round_trips_through_json() {
        let d = busy_dossier();
        let json = serde_json::to_string(&d.to_stored()).unwrap();
        let back: StoredDossier = serde_json::from_str(&json).unwrap();
        assert_eq!(Dossier::from_stored(&back), Ok(d));
        assert!(
            json.contains(r#""kind":"forwarded","from_department":"urbanism""#),
            "{json}"
        );
    }

    #[test]
    fn corrupted_records_are_refused() {
        type Corrupt = fn(&mut StoredDossier);
        let cases: &[(&str, Corrupt, &str)] = &[
            ("version", |s| s.v = 2, "version"),
            (
                "token",
                |s| s.token = "8ZZZZZZZZZZZZZZZZZZZZZZZZZ".into(),
                "token",
            ),
            (
                "cnp",
                |s| s.contact.cnp = Some("1960529120012".into()),
                "contact.cnp",
            ),
            (
                "media",
                |s| s.attachments[0].media_type = "text/html".into(),
                "attachments.media_type",
            ),
            (
                "note edited",
                |s| s.route[2].note = Some("altceva".into()),
                "route",
            ),
            (
                "event removed",
                |s| {
                    s.route.remove(1);
                },
                "route",
            ),
            ("time", |s| s.route[1].at = "yesterday".into(), "route.at"),
        ];
        for (name, corrupt, want) in cases {
            let mut s = busy_dossier().to_stored();
            corrupt(&mut s);
            let err = Dossier::from_stored(&s).unwrap_err();
            let got = match &err {
                StoredError::Field { field, .. } => *field,
                StoredError::Version(_) => "version",
                StoredError::Dossier(DossierError::Route(RouteError::HashMismatch { .. })) => {
                    "route"
                }
                StoredError::Dossier(_) => "dossier",
            };
            assert_eq!(got, *want, "{name}: {err}");
        }
    }

    #[test]
    fn other_records_round_trip() {
        let mut ty = petition_type();
        ty.fields.push(FieldDef {
            name: FieldName::parse("cnp").unwrap(),
            label: Titles::ro(DisplayName::parse("CNP").unwrap()),
            required: false,
            kind: FieldKind::Select {
                options: vec![
                    SelectOption::plain(DisplayName::parse("a").unwrap()),
                    SelectOption {
                        value: DisplayName::parse("posta").unwrap(),
                        label: Titles {
                            ro: DisplayName::parse("Prin poștă").unwrap(),
                            hu: Some(DisplayName::parse("Postán").unwrap()),
                            en: None,
                        },
                    },
                ],
            },
        });
        ty.deadline = DeadlineRule::WorkingDays(5);
        let json = serde_json::to_string(&ty.to_stored()).unwrap();
        assert_eq!(
            DocumentType::from_stored(&serde_json::from_str(&json).unwrap()),
            Ok(ty)
        );

        let tenant = Tenant {
            slug: TenantSlug::parse("cj-cluj").unwrap(),
            name: DisplayName::parse("Consiliul Județean Cluj").unwrap(),
            kind: TenantKind::CountyCouncil,
            registration_prefix: RegistrationPrefix::parse("CJC").unwrap(),
            languages: vec![Lang::Ro, Lang::Hu, Lang::En],
            public_base_url: PublicBaseUrl::parse("https://ghiseu.cjcluj.ro").unwrap(),
            active: true,
            branding: Branding::default(),
            contact: PublicContact::default(),
        };
        assert_eq!(Tenant::from_stored(&tenant.to_stored()), Ok(tenant.clone()));
        let reachable = Tenant {
            contact: PublicContact {
                address: Some("Calea Dorobanților 106, Cluj-Napoca".into()),
                phone: Some("0264 503 100".into()),
                email: None,
                hours: Some("Luni–Joi 8:30–16:30, Vineri 8:30–14:00".into()),
            },
            ..tenant.clone()
        };
        assert_eq!(Tenant::from_stored(&reachable.to_stored()), Ok(reachable));
        let branded = Tenant {
            branding: Branding {
                display_name: Some(DisplayName::parse("CJ Cluj").unwrap()),
                accent: Some(AccentColour::parse("#0B4F9C").unwrap()),
                logo: Some(Logo::check(b"\x89PNG\r\n\x1a\n..").unwrap()),
            },
            ..tenant
        };
        let json = serde_json::to_string(&branded.to_stored()).unwrap();
        assert_eq!(
            Tenant::from_stored(&serde_json::from_str(&json).unwrap()),
            Ok(branded)
        );
        // A record written before branding existed still loads.
        let old = r#"{"v":1,"slug":"turda","name":"Primăria Turda","kind":"municipality",
            "registration_prefix":"TRD","languages":["ro"],
            "public_base_url":"https://t.ro","active":true}"#;
        let t = Tenant::from_stored(&serde_json::from_str(old).unwrap()).unwrap();
        assert_eq!(t.branding, Branding::default());
        assert_eq!(t.header_name().as_str(), "Primăria Turda");

        // A type written before options had titles still loads: each plain
        // string is its own value and Romanian title, and is written back as
        // it was.
        let old = r#"{"v":1,"tenant":"cj-cluj","code":"aviz","version":2,
            "titles":{"ro":"Aviz","hu":null,"en":null},
            "deadline":{"count":"calendar_days","days":30},
            "first_department":"urbanism","signature":"none","fee_bani":0,
            "retention_years":10,"fields":[{"name":"format","label":{"ro":"Format",
            "hu":null,"en":null},"required":true,"type":"select",
            "options":["Electronic","Pe hârtie"]}]}"#;
        let stored: StoredDocumentType = serde_json::from_str(old).unwrap();
        let ty = DocumentType::from_stored(&stored).unwrap();
        let FieldKind::Select { options } = &ty.fields[0].kind else {
            panic!("a select field")
        };
        let values: Vec<&str> = options.iter().map(|o| o.value.as_str()).collect();
        assert_eq!(values, ["Electronic", "Pe hârtie"]);
        assert_eq!(options[1].label.get(Lang::Hu).as_str(), "Pe hârtie");
        assert_eq!(ty.to_stored(), stored);

        let status = TypeStatus::NEW.after_save();
        assert_eq!(TypeStatus::from_stored(&status.to_stored()), Ok(status));

        let mut ty2 = petition_type();
        ty2.fields.push(FieldDef {
            name: FieldName::parse("plan").unwrap(),
            label: Titles::ro(DisplayName::parse("Plan").unwrap()),
            required: true,
            kind: FieldKind::Attachment {
                types: vec![MediaType::Pdf, MediaType::Png],
                max_bytes: 1000,
            },
        });
        ty2.fields.push(FieldDef {
            name: FieldName::parse("adresa").unwrap(),
            label: Titles::ro(DisplayName::parse("Adresa").unwrap()),
            required: true,
            kind: FieldKind::Address,
        });
        let json = serde_json::to_string(&ty2.to_stored()).unwrap();
        assert_eq!(
            DocumentType::from_stored(&serde_json::from_str(&json).unwrap()),
            Ok(ty2)
        );

        let dep = Department {
            tenant: TenantSlug::parse("cj-cluj").unwrap(),
            code: dept("urbanism"),
            name: Titles {
                ro: DisplayName::parse("Direcția Urbanism").unwrap(),
                hu: Some(DisplayName::parse("Városrendezési Igazgatóság").unwrap()),
                en: None,
            },
            active: true,
        };
        assert_eq!(Department::from_stored(&dep.to_stored()), Ok(dep));

        let off = Official {
            tenant: TenantSlug::parse("cj-cluj").unwrap(),
            username: user("ion.pop"),
            display_name: DisplayName::parse("Ion Pop").unwrap(),
            department: Some(dept("urbanism")),
            roles: [Role::Official, Role::Signer].into(),
            active: true,
            sessions_from: None,
            email: Some(crate::Email::parse("Ion.Pop@Cluj.ro").unwrap()),
            lang: Some(crate::Lang::Hu),
        };
        assert_eq!(Official::from_stored(&off.to_stored()), Ok(off.clone()));
        let ended = Official {
            active: false,
            sessions_from: Some(at("2026-03-02T09:00:00Z")),
            ..off.clone()
        };
        assert_eq!(Official::from_stored(&ended.to_stored()), Ok(ended));

        let invite = Invite::new(off, at("2026-03-01T10:00:00.5Z"));
        let json = serde_json::to_string(&invite.to_stored()).unwrap();
        assert_eq!(
            Invite::from_stored(&serde_json::from_str(&json).unwrap()),
            Ok(invite)
        );
    }

    #[test]
    fn a_department_written_before_translations_reads_and_writes_back_the_same() {
        let old = r#"{"v":1,"tenant":"cj-cluj","code":"juridic","name":"Direcția Juridică","active":true}"#;
        let dep = Department::from_stored(&serde_json::from_str(old).unwrap()).unwrap();
        assert_eq!(
            dep.name,
            Titles::ro(DisplayName::parse("Direcția Juridică").unwrap())
        );
        assert_eq!(dep.name.get(Lang::Hu).as_str(), "Direcția Juridică");
        assert_eq!(serde_json::to_string(&dep.to_stored()).unwrap(), old);

        // With translations, `name` stays the Romanian one for readers that
        // know only it; a bad translation is refused by its field.
        let mut dep = dep;
        dep.name.hu = Some(DisplayName::parse("Jogi Igazgatóság").unwrap());
        dep.name.en = Some(DisplayName::parse("Legal Directorate").unwrap());
        let json: serde_json::Value = serde_json::to_value(dep.to_stored()).unwrap();
        assert_eq!(json["name"], "Direcția Juridică");
        assert_eq!(json["name_hu"], "Jogi Igazgatóság");
        assert_eq!(json["name_en"], "Legal Directorate");
        let back = Department::from_stored(&serde_json::from_value(json.clone()).unwrap());
        assert_eq!(
            back.as_ref().map(|d| d.name.get(Lang::En).as_str()),
            Ok("Legal Directorate")
        );
        let mut bad = json;
        bad["name_hu"] = serde_json::json!("  ");
        assert!(matches!(
            Department::from_stored(&serde_json::from_value(bad).unwrap()),
            Err(StoredError::Field {
                field: "name_hu",
                ..
            })
        ));
    }

    #[test]
    fn a_signing_batch_as_the_desk_stored_it_reads_and_writes_back_the_same() {
        let id = TrackingToken::from_random([7; 16]);
        let verify = TrackingToken::from_random([8; 16]);
        let dossier = DossierId::from_random([9; 16]);
        let sha = Sha256Digest::of(b"raspuns").to_hex();
        let json = format!(
            r#"{{"id":"{id}","signer":"semn","signer_name":"Silviu Semnatar","credential":"c1","certificates":["0a0b","ff"],"algorithm":"rsa","multisign":25,"signing_time":"2026-11-23T10:00:00.123456789Z","origin":"https://ghiseu.example","items":[{{"dossier":"{dossier}","number":"ALF-2026-000001","response":"{sha}","name":"r.pdf","verify":"{verify}","digest":"{sha}","hash":"{sha}","state":"signed","document":"{sha}"}},{{"dossier":"{dossier}","number":"ALF-2026-000002","response":"","name":"","verify":"{verify}","digest":"","hash":"","state":"failed","reason":"Nu există răspuns."}}],"codes_sent":1,"in_flight":{{"part":"p1","response_id":null,"items":[0],"since":"2026-11-23T10:00:01Z","claimed":null}},"answered":["p0/r0"],"parts_started":1,"lost_parts":0}}"#
        );
        let stored: StoredBatch = serde_json::from_str(&json).unwrap();
        let batch = Batch::from_stored(&stored).unwrap();
        assert_eq!(batch.certificates, [vec![0x0a, 0x0b], vec![0xff]]);
        assert_eq!(batch.items[1].response, None);
        assert_eq!(
            batch.items[0].state,
            ItemState::Signed {
                document: Sha256Digest::of(b"raspuns")
            }
        );
        assert_eq!(serde_json::to_string(&batch.to_stored()).unwrap(), json);
        // Stored before the asynchronous fields were kept.
        let old = json.split(r#","in_flight""#).next().unwrap().to_owned() + "}";
        let batch = Batch::from_stored(&serde_json::from_str(&old).unwrap()).unwrap();
        assert_eq!((batch.in_flight, batch.parts_started), (None, 0));
        let bad = json.replace(r#""algorithm":"rsa""#, r#""algorithm":"dsa""#);
        assert!(Batch::from_stored(&serde_json::from_str(&bad).unwrap()).is_err());
    }
}
