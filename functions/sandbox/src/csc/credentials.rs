//! Enrollment (not CSC; in the verified identity of an identification, see
//! `identity.rs`, or in a signer's name) and CSC v2's `credentials/list` and `credentials/info`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use ghiseu_platform::csc::{self, wire};
use ghiseu_platform::http::Request;
use ghiseu_platform::http::{self as web, Response};
use ghiseu_platform::keys::STORE;
use ghiseu_platform::keys::sandbox as keys;
use ghiseu_platform::kv::{self, InsertOutcome, Store};
use http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::csc_pki::{self as pki, Subject};

use super::identity;
use super::signers::ca;
use super::{
    Failure, Outcome, authenticate, bad_request, from_json, parse, read, refused, sealer, to_json,
    variable,
};

// ---------------------------------------------------------------------------
// Enrollment.

#[derive(Serialize, Deserialize)]
pub(super) struct CredentialRecord {
    pub(super) id: String,
    pub(super) user_id: String,
    pub(super) name: String,
    pub(super) phone: String,
    pub(super) email: Option<String>,
    /// The verified names and `PNORO-{CNP}` (an enrollment after an
    /// identification), in the certificate's subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) surname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) serial_number: Option<String>,
    /// The identification the subject comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) identification_id: Option<String>,
    /// An institution's electronic seal (a legal person's certificate,
    /// authorized implicitly by the client's own credentials: SCAL1, no code).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) seal: bool,
    /// Base64 DER of the signer certificate.
    pub(super) cert: String,
    /// Base64 DER of the CA certificate that issued it.
    pub(super) ca: String,
    /// Base64 sealed private key.
    pub(super) key: String,
    pub(super) created_at: DateTime<Utc>,
}

#[derive(Deserialize)]
pub(super) struct Enrollment {
    pub(super) user_id: String,
    /// The name of a signer the institution identified (no identification).
    #[serde(default)]
    pub(super) name: String,
    /// A verified identification of this user (a citizen).
    #[serde(default)]
    pub(super) identification_id: Option<String>,
    /// Where codes go; none for a seal.
    #[serde(default)]
    pub(super) phone: String,
    #[serde(default)]
    pub(super) email: Option<String>,
    /// An institution's electronic seal named `name`.
    #[serde(default)]
    pub(super) seal: bool,
}

/// Whom the certificate of `e` names: the identity its identification
/// verified, or the name given for an institution's signer.
async fn subject(store: &Store, e: &Enrollment) -> Outcome<(Subject, Option<String>)> {
    let Some(id) = &e.identification_id else {
        let mut subject = Subject::named(e.name.trim());
        if e.seal {
            subject.organization = Some(e.name.trim().to_owned());
        }
        return Ok((subject, None));
    };
    let not_verified = || {
        refused(
            StatusCode::CONFLICT,
            "invalid_request",
            "The identification is not a verified identification of this user.",
        )
    };
    let ident = identity::load(store, id)
        .await?
        .filter(|i| i.user_id == e.user_id)
        .ok_or_else(not_verified)?;
    let (Some(name), Some(evidence)) = (ident.verified(), ident.evidence.as_ref()) else {
        return Err(not_verified());
    };
    let subject = Subject {
        common_name: name.full(),
        serial_number: Some(format!("PNORO-{}", evidence.cnp)),
        given_name: Some(name.given_name),
        surname: Some(name.surname),
        organization: None,
    };
    Ok((subject, Some(ident.id)))
}

/// `POST /api/v1/sandbox/csc/credentials`.
pub(super) async fn enroll(store: &Store, request: Request) -> Outcome<Response> {
    let (parts, body) = read(request).await?;
    authenticate(&parts.headers).await?;
    let e: Enrollment = parse(&body)?;
    let fits = |s: &str| !s.trim().is_empty() && s.len() <= 200 && !s.chars().any(char::is_control);
    let named = e
        .identification_id
        .as_deref()
        .map_or(e.name.as_str(), |i| i);
    if !fits(&e.user_id) || !fits(named) || !(e.seal || fits(&e.phone)) {
        return Err(bad_request(
            "user_id, phone (except for a seal) and either identification_id or name \
             are required (at most 200 characters each).",
        ));
    }
    if e.seal && e.identification_id.is_some() {
        return Err(bad_request(
            "A seal names an institution: give its name, not an identification.",
        ));
    }
    let (subject, identification_id) = subject(store, &e).await?;
    let answer = |status, id: &str| web::json(status, &serde_json::json!({ "credential_id": id }));
    if let Some(id) = store.get(&keys::csc_user(&e.user_id)).await? {
        return Ok(answer(StatusCode::OK, &String::from_utf8_lossy(&id)));
    }
    let sealer = sealer().await?;
    let (ca_key, ca_cert) = ca(store, &sealer).await?;
    let id = format!(
        "cred-{}",
        pki::hex(&pki::random::<16>().map_err(Failure::Internal)?)
    );
    let key = pki::new_key().map_err(Failure::Internal)?;
    let cert =
        pki::issue(&ca_key, &subject, &key, pki::Usage::Signing).map_err(Failure::Internal)?;
    let record = CredentialRecord {
        id: id.clone(),
        user_id: e.user_id.clone(),
        name: subject.common_name.clone(),
        phone: e.phone.trim().to_owned(),
        email: e.email.filter(|m| !m.trim().is_empty()),
        given_name: subject.given_name.clone(),
        surname: subject.surname.clone(),
        serial_number: subject.serial_number.clone(),
        identification_id,
        seal: e.seal,
        cert: B64.encode(&cert),
        ca: B64.encode(&ca_cert),
        key: B64.encode(sealer.seal(&id, &key).map_err(Failure::Internal)?),
        created_at: ghiseu_platform::config::now(),
    };
    // The credential first, then the claim of the user: a loser of the race
    // leaves an unreachable record behind (deleted below), never a claim
    // without its credential.
    store
        .set(&keys::csc_credential(&id), &to_json(&id, &record)?)
        .await?;
    let (status, id) = match kv::insert_new(STORE, &keys::csc_user(&e.user_id), id.as_bytes())? {
        InsertOutcome::Inserted => (StatusCode::CREATED, id),
        InsertOutcome::Exists(existing) => {
            store.delete(&keys::csc_credential(&id)).await?;
            (
                StatusCode::OK,
                String::from_utf8_lossy(&existing).into_owned(),
            )
        }
    };
    if let Some(identification) = &record.identification_id {
        identity::record_credential(identification, &id)?;
    }
    Ok(answer(status, &id))
}

pub(super) async fn credential(store: &Store, id: &str) -> Outcome<CredentialRecord> {
    match store.get(&keys::csc_credential(id)).await? {
        Some(b) => from_json(&keys::csc_credential(id), &b),
        None => Err(bad_request("Invalid parameter credentialID")),
    }
}

pub(super) async fn list(store: &Store, r: wire::ListRequest) -> Outcome<Response> {
    let ids: Vec<String> = store
        .get(&keys::csc_user(&r.user_id))
        .await?
        .map(|id| String::from_utf8_lossy(&id).into_owned())
        .into_iter()
        .collect();
    Ok(web::json(
        StatusCode::OK,
        &wire::ListResponse {
            credential_ids: ids,
        },
    ))
}

pub(super) async fn multisign() -> u32 {
    variable("csc_multisign")
        .await
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|n| *n >= 1)
        .unwrap_or(500)
}

pub(super) async fn credential_info(store: &Store, r: wire::InfoRequest) -> Outcome<Response> {
    let c = credential(store, &r.credential_id).await?;
    let cert = B64
        .decode(&c.cert)
        .map_err(|e| Failure::Internal(e.to_string()))?;
    let facts = pki::facts(&cert).map_err(Failure::Internal)?;
    let certificates = match r.certificates.as_deref().unwrap_or("single") {
        "none" => Vec::new(),
        "single" => vec![c.cert.clone()],
        "chain" => vec![c.cert.clone(), c.ca.clone()],
        _ => return Err(bad_request("Invalid parameter certificates")),
    };
    Ok(web::json(
        StatusCode::OK,
        &wire::CredentialInfoResponse {
            description: Some(
                if c.seal {
                    "Sandbox electronic seal"
                } else {
                    "Sandbox signing credential"
                }
                .to_owned(),
            ),
            key: wire::KeyInfo {
                status: "enabled".to_owned(),
                algo: vec![
                    csc::EC_PUBLIC_KEY_OID.to_owned(),
                    csc::ECDSA_SHA256_OID.to_owned(),
                ],
                len: 256,
                curve: Some(csc::P256_CURVE_OID.to_owned()),
            },
            cert: wire::CertInfo {
                status: "valid".to_owned(),
                certificates,
                issuer_dn: Some(pki::CA_DN.to_owned()),
                serial_number: Some(facts.serial_hex),
                subject_dn: Some(
                    Subject {
                        common_name: c.name.clone(),
                        given_name: c.given_name.clone(),
                        surname: c.surname.clone(),
                        serial_number: c.serial_number.clone(),
                        organization: c.seal.then(|| c.name.clone()),
                    }
                    .dn(),
                ),
                valid_from: Some(facts.valid_from),
                valid_to: Some(facts.valid_to),
            },
            auth: (!c.seal).then(|| wire::AuthInfo {
                mode: "explicit".to_owned(),
                expression: Some("OTP".to_owned()),
                objects: vec![wire::AuthObject {
                    kind: "OTP".to_owned(),
                    id: "OTP".to_owned(),
                    format: "N".to_owned(),
                    label: "Codul de semnare".to_owned(),
                    description: "Codul de 6 cifre primit prin SMS".to_owned(),
                }],
            }),
            // A seal is used by the institution's own system, which the
            // bearer token already authenticates: no code, no binding (SCAL1).
            auth_mode: Some(if c.seal { "implicit" } else { "explicit" }.to_owned()),
            scal: Some(if c.seal { "1" } else { "2" }.to_owned()),
            multisign: multisign().await,
            lang: Some("ro".to_owned()),
        },
    ))
}
