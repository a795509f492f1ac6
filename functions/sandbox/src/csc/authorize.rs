//! `credentials/sendOTP` and `credentials/authorize`: the one-time code and the
//! SAD it buys.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD};
use ghiseu_platform::csc::{self, wire};
use ghiseu_platform::http::{self as web, Response};
use ghiseu_platform::keys::STORE;
use ghiseu_platform::keys::sandbox as keys;
use ghiseu_platform::kv::{self, Step, Store};
use ghiseu_platform::notify::{Channel, Message};
use http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::csc_pki::{self as pki};
use crate::gateway;

use super::aids::record_call;
use super::credentials::{CredentialRecord, credential, multisign};
use super::{
    Failure, MAX_ATTEMPTS, Outcome, SAD_TTL_SECS, bad_request, now_ms, refused, to_json, variable,
};

/// A code as the store keeps it: only its salted hash.
#[derive(Clone, Serialize, Deserialize)]
pub(super) struct OtpRecord {
    pub(super) salt: String,
    pub(super) hash: String,
    pub(super) expires_at_ms: i64,
    pub(super) attempts: u32,
    pub(super) used: bool,
}

pub(super) async fn otp_ttl_ms() -> i64 {
    let secs = variable("csc_otp_ttl_seconds")
        .await
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| *s > 0.0 && *s <= 3600.0)
        .unwrap_or(300.0);
    // Whole milliseconds of a bounded positive number: the cast is exact.
    (secs * 1000.0).round() as i64
}

pub(super) fn otp_hash(salt: &str, code: &str) -> String {
    pki::sha256_hex(&[salt.as_bytes(), b"\0", code.as_bytes()])
}

pub(super) async fn send_otp(store: &Store, r: wire::SendOtpRequest) -> Outcome<Response> {
    let c = credential(store, &r.credential_id).await?;
    if c.seal {
        return Err(bad_request(
            "This credential is a seal, authorized implicitly: it has no code to send.",
        ));
    }
    let lang = match r.lang.as_deref() {
        Some(l) => ghiseu_core::Lang::from_code(l).unwrap_or(ghiseu_core::Lang::Ro),
        None => ghiseu_core::Lang::Ro,
    };
    // Uniform over 0..=999_999: draw again above the largest multiple.
    let code = loop {
        let n = u32::from_le_bytes(pki::random::<4>().map_err(Failure::Internal)?);
        if n < 4_294_000_000 {
            break format!("{:06}", n % 1_000_000);
        }
    };
    let salt = pki::hex(&pki::random::<16>().map_err(Failure::Internal)?);
    let record = OtpRecord {
        hash: otp_hash(&salt, &code),
        salt,
        expires_at_ms: now_ms() + otp_ttl_ms().await,
        attempts: 0,
        used: false,
    };
    // A new code replaces the previous one (and its attempts): a plain write,
    // since nothing of the old record is kept.
    let key = keys::csc_otp(&c.id);
    store.set(&key, &to_json(&key, &record)?).await?;
    let message = Message {
        id: format!(
            "csc-otp-{}",
            pki::hex(&pki::random::<12>().map_err(Failure::Internal)?)
        ),
        channel: Channel::Sms,
        to: c.phone.clone(),
        lang: lang.code().to_owned(),
        subject: String::new(),
        text: match (r.num_signatures, r.description.as_deref()) {
            (Some(n), Some(whom)) => batch_otp_text(lang, &code, n, whom, &c.name),
            _ => otp_text(&code, &c.name),
        },
    };
    gateway::append_outbox(store, message).await?;
    record_call(&c.id, "credentials/sendOTP", 0, &[], "ok")?;
    Ok(web::empty(StatusCode::NO_CONTENT))
}

/// The provider's SMS: the code, what it authorizes and whose certificate
/// signs (as a real provider words it, in Romanian), within two segments
/// (`ghiseu_core::sms`: a long name is shortened, never the code).
fn otp_text(code: &str, holder: &str) -> String {
    ghiseu_core::sms::fit(
        ghiseu_core::notice::SMS_SEGMENTS,
        &[ghiseu_core::sms::Value::shortened_to(holder, 12)],
        |v| {
            format!(
                "Semnare la distanță: codul {code} autorizează semnătura electronică \
                 calificată a titularului {}. Nu îl dați nimănui.",
                v[0]
            )
        },
    )
}

/// The provider's SMS for a signer's batch: the code, how many signatures it
/// authorizes, for whom (the institution the client named, the holder), in
/// the signer's language, within two segments (the institution and the
/// holder are shortened, never the code or the count).
fn batch_otp_text(
    lang: ghiseu_core::Lang,
    code: &str,
    n: u32,
    institution: &str,
    holder: &str,
) -> String {
    let count = match lang {
        ghiseu_core::Lang::Ro => match n {
            1 => "1 document".to_owned(),
            _ if n % 100 >= 20 || (n >= 100 && n.is_multiple_of(100)) => {
                format!("{n} de documente")
            }
            _ => format!("{n} documente"),
        },
        ghiseu_core::Lang::Hu => format!("{n} dokumentum"),
        ghiseu_core::Lang::En if n == 1 => "1 document".to_owned(),
        ghiseu_core::Lang::En => format!("{n} documents"),
    };
    ghiseu_core::sms::fit(
        ghiseu_core::notice::SMS_SEGMENTS,
        &[
            ghiseu_core::sms::Value::shortened_to(institution, 16),
            ghiseu_core::sms::Value::shortened_to(holder, 12),
        ],
        |v| match lang {
            ghiseu_core::Lang::Ro => format!(
                "Codul {code} autorizează semnarea a {count} pentru {}, de către {}. \
                 Nu îl dați nimănui.",
                v[0], v[1]
            ),
            ghiseu_core::Lang::Hu => format!(
                "A {code} kód {count} aláírását engedélyezi: {}, aláíró {}. \
                 Ne adja tovább senkinek.",
                v[0], v[1]
            ),
            ghiseu_core::Lang::En => format!(
                "Code {code} authorizes signing {count} for {}, by {}. Do not share it.",
                v[0], v[1]
            ),
        },
    )
}

pub(super) fn decode_hashes(hashes: &[String]) -> Outcome<Vec<[u8; 32]>> {
    hashes
        .iter()
        .map(|h| {
            B64.decode(h.trim())
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .ok_or_else(|| {
                    bad_request("Invalid parameter hashes: each must be a base64 SHA-256 digest")
                })
        })
        .collect()
}

pub(super) fn check_hash_algorithm(oid: &str) -> Outcome<()> {
    if oid.is_empty() || oid == csc::SHA256_OID {
        Ok(())
    } else {
        Err(bad_request(
            "Invalid parameter hashAlgorithmOID: only SHA-256",
        ))
    }
}

/// The SAD as the store keeps it (under the SHA-256 of the SAD).
#[derive(Serialize, Deserialize)]
pub(super) struct SadRecord {
    pub(super) credential_id: String,
    /// Base64 of the authorized hashes.
    pub(super) hashes: Vec<String>,
    pub(super) expires_at_ms: i64,
    pub(super) used: bool,
}

pub(super) async fn authorize(store: &Store, r: wire::AuthorizeRequest) -> Outcome<Response> {
    let c = credential(store, &r.credential_id).await?;
    let outcome = authorize_checked(store, &c, &r).await;
    let label = match &outcome {
        Ok(_) => "ok",
        Err(Failure::Refused(_, code, _)) => code,
        Err(Failure::Internal(_)) => "server_error",
    };
    record_call(
        &c.id,
        "credentials/authorize",
        r.num_signatures,
        &r.hashes,
        label,
    )?;
    outcome
}

pub(super) async fn authorize_checked(
    store: &Store,
    c: &CredentialRecord,
    r: &wire::AuthorizeRequest,
) -> Outcome<Response> {
    check_hash_algorithm(&r.hash_algorithm_oid)?;
    let hashes = decode_hashes(&r.hashes)?;
    if hashes.is_empty() {
        return Err(bad_request("Missing parameter hashes (SCAL2)"));
    }
    if usize::try_from(r.num_signatures).ok() != Some(hashes.len()) {
        return Err(bad_request(
            "numSignatures does not match the number of hashes",
        ));
    }
    let limit = multisign().await;
    if r.num_signatures > limit {
        return Err(bad_request(format!(
            "Invalid parameter numSignatures: at most {limit} per authorization (multisign)"
        )));
    }
    // A seal is authorized implicitly (the bearer token is the
    // institution's system); a person's credential needs their code.
    if !c.seal {
        let Some(code) = r.otp().map(str::trim).filter(|c| !c.is_empty()) else {
            return Err(bad_request("Missing parameter OTP (authData)"));
        };
        check_otp(&keys::csc_otp(&c.id), code)?;
    }
    let sad = URL_SAFE_NO_PAD.encode(pki::random::<32>().map_err(Failure::Internal)?);
    let record = SadRecord {
        credential_id: c.id.clone(),
        hashes: hashes.iter().map(|h| B64.encode(h)).collect(),
        expires_at_ms: now_ms() + SAD_TTL_SECS * 1000,
        used: false,
    };
    let key = keys::csc_sad(&sad);
    store.set(&key, &to_json(&key, &record)?).await?;
    Ok(web::json(
        StatusCode::OK,
        &wire::AuthorizeResponse {
            sad,
            expires_in: Some(u32::try_from(SAD_TTL_SECS).unwrap_or(300)),
        },
    ))
}

/// Spends the OTP at `key` if `code` is right; counts a wrong attempt
/// otherwise. One leased replace on the bytes read decides, so of two
/// requests with the right code only one wins.
pub(super) fn check_otp(key: &str, code: &str) -> Outcome<()> {
    let now = now_ms();
    kv::update(STORE, key, |current| {
        let Some(bytes) = current else {
            return Ok(Step::Done(Err(refused(
                StatusCode::BAD_REQUEST,
                "invalid_otp",
                "No code was sent for this credential: ask for one (sendOTP).",
            ))));
        };
        let mut otp: OtpRecord = match serde_json::from_slice(bytes) {
            Ok(o) => o,
            Err(e) => return Ok(Step::Done(Err(Failure::Internal(format!("{key}: {e}"))))),
        };
        if otp.used {
            return Ok(Step::Done(Err(refused(
                StatusCode::BAD_REQUEST,
                "invalid_otp",
                "This code was already used: ask for a new one.",
            ))));
        }
        if otp.attempts >= MAX_ATTEMPTS {
            return Ok(Step::Done(Err(refused(
                StatusCode::BAD_REQUEST,
                "otp_locked",
                "Too many wrong codes: ask for a new one.",
            ))));
        }
        if now > otp.expires_at_ms {
            return Ok(Step::Done(Err(refused(
                StatusCode::BAD_REQUEST,
                "expired_otp",
                "The code has expired: ask for a new one.",
            ))));
        }
        let right = ghiseu_platform::session::constant_time_eq(
            otp_hash(&otp.salt, code).as_bytes(),
            otp.hash.as_bytes(),
        );
        let verdict = if right {
            otp.used = true;
            Ok(())
        } else {
            otp.attempts += 1;
            Err(refused(
                StatusCode::BAD_REQUEST,
                "invalid_otp",
                format!(
                    "The code is not right ({} attempts left).",
                    MAX_ATTEMPTS - otp.attempts
                ),
            ))
        };
        let new = serde_json::to_vec(&otp).map_err(|e| ghiseu_platform::Error::Corrupt {
            key: key.to_owned(),
            detail: e.to_string(),
        })?;
        Ok(Step::Write(new, verdict))
    })?
}

#[cfg(test)]
mod tests {
    use super::otp_text;
    use ghiseu_core::sms::segments;

    #[test]
    fn the_code_sms_names_its_purpose_and_holder_within_two_segments() {
        let text = otp_text("274290", "Ion Pop");
        assert_eq!(
            text,
            "Semnare la distanță: codul 274290 autorizează semnătura electronică calificată \
             a titularului Ion Pop. Nu îl dați nimănui."
        );
        assert!(segments(&text).1 <= 2);
        // Enrollment allows names of 200 characters: shortened, the code kept.
        for name in [
            "Maria-Magdalena Ionescu-Popescu Szabó-Kovács",
            &"Ăî ".repeat(66),
        ] {
            let text = otp_text("000123", name);
            assert!(segments(&text).1 <= 2, "{text}");
            assert!(text.contains("codul 000123 autorizeaza"), "{text}");
        }
    }
}
