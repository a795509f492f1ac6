//! The signer's batch (DESIGN §5, the flagship): select N documents waiting for
//! signature, click once, type one code, and all N are signed with one
//! authorization of the remote signing service (CSC API v2).
//!
//! 1. `POST /desk/sign/batches` (the queue's form): for every selected dossier
//!    still waiting for signature, the latest response PDF gets a visible
//!    signature with the verification QR code (`ghiseu_pades::prepare`) and
//!    the hash the service must sign; the batch is stored
//!    (`t/{slug}/signing/{id}`) and the service sends the signer one code.
//! 2. `GET /desk/sign/batches/{id}`: the documents and their SHA-256 ("sign
//!    what you see") and the code field.
//! 3. `POST /desk/sign/batches/{id}`: `credentials/authorize` with the hashes
//!    of the pending documents (at most the credential's `multisign`; a larger
//!    batch takes one code per part), `signatures/signHash`, then each
//!    document on its own: embed the CMS, store the signed PDF, record
//!    `signed` + `issued` with a leased replace ([`workflow::sign`]), publish,
//!    tell the citizen, write the verification record. A document changed
//!    after selection fails alone; the others are issued.
//!
//! Preparing is deterministic (the signing time is fixed in the batch), so the
//! prepared PDFs are not stored: completion prepares again and checks that the
//! digest is the one that was authorized.

use chrono::{DateTime, Utc};
use ghiseu_app::signing::{self, Credential, FinishError, ToSign};
use ghiseu_core::workflow::{self, WorkflowError};
use ghiseu_core::{
    Action, Actor, Attachment, Dossier, DossierId, PublicStatus, Sha256Digest, Tenant,
    TrackingToken,
};
use ghiseu_platform::csc::{self, Client, KeyAlgorithm, Refusal};
use ghiseu_platform::http::{self as web, Response};
use ghiseu_platform::issued::{self, Issued};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::{self, InsertOutcome, Step, Store};
use ghiseu_platform::repo::{self, STORE, UpdateOutcome};
use ghiseu_platform::s3::S3Client;
use ghiseu_platform::session::{hex, random_bytes};
use serde::{Deserialize, Serialize};

use crate::service::{DeskError, IntoHtml, notify_citizen, publish};
use crate::{Signed, csrf_ok, pages, redirect};

/// The batch page's CSP: the desk's, plus its own script (`/desk/sign.js`)
/// and the progress poll of the batch's JSON.
const BATCH_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
                         script-src 'self'; connect-src 'self'; form-action 'self'; \
                         frame-ancestors 'none'; base-uri 'none'";

/// The most documents one batch may hold.
pub const MAX_BATCH: usize = 500;

/// One selected document and what became of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Item {
    /// The dossier's id.
    pub dossier: String,
    /// Its registration number (for the list).
    pub number: String,
    /// The response that is signed: SHA-256 (hex) and file name.
    pub response: String,
    /// The response's file name.
    pub name: String,
    /// The verification token written into the document.
    pub verify: String,
    /// The SHA-256 (hex) of the prepared PDF's signed byte ranges.
    pub digest: String,
    /// The hash the signing service signs (hex).
    pub hash: String,
    /// What happened.
    #[serde(flatten)]
    pub state: ItemState,
}

/// An item's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ItemState {
    /// Waiting for the code.
    Pending,
    /// Signed and issued; the signed PDF's SHA-256 (hex).
    Signed {
        /// The signed PDF's digest.
        document: String,
    },
    /// Not signed, and why.
    Failed {
        /// Why (shown to the signer).
        reason: String,
    },
}

/// A signer's batch.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Batch {
    /// Its id.
    pub id: String,
    /// The signer's username.
    pub signer: String,
    /// The signer's name, as shown on the stamp.
    pub signer_name: String,
    /// The CSC credential.
    pub credential: String,
    /// The certificate chain (hex DER), signer first.
    pub certificates: Vec<String>,
    /// The key's algorithm: `ecdsa-p256` or `rsa`.
    pub algorithm: String,
    /// How many signatures one authorization may cover.
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
    #[serde(default)]
    pub in_flight: Option<InFlight>,
    /// The asynchronous results already applied (a replay finds its
    /// `responseID` here and changes nothing): `{part}/{responseID}`.
    #[serde(default)]
    pub answered: Vec<String>,
    /// Parts whose documents began to be issued (with the signatures in
    /// hand, either way of signing): until one has, no pending item can have
    /// been issued, and [`repair`] has nothing to look for.
    #[serde(default)]
    pub parts_started: u32,
    /// Asynchronous parts given up as lost ([`InFlight::lost`]), for the page.
    #[serde(default)]
    pub lost_parts: u32,
}

/// A part of the batch the service signs asynchronously (`operationMode`
/// "A"): its result arrives at `POST /api/v1/signing/callback`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    #[serde(default)]
    pub since: Option<DateTime<Utc>>,
    /// When its result was claimed for applying.
    #[serde(default)]
    pub claimed: Option<DateTime<Utc>>,
}

impl InFlight {
    /// Whether the part will not complete any more (core's
    /// `signing::part_lost`): its result was claimed by a request that died,
    /// or never came. Then the batch stops waiting, the
    /// documents it issued are found by [`repair`], and the rest can be signed
    /// again with a new code (a late result is then not awaited and changes
    /// nothing).
    fn lost(&self, now: DateTime<Utc>) -> bool {
        ghiseu_core::signing::part_lost(self.since, self.claimed, now)
    }
}

impl Batch {
    fn pending(&self) -> impl Iterator<Item = (usize, &Item)> {
        self.items
            .iter()
            .enumerate()
            .filter(|(_, i)| i.state == ItemState::Pending)
    }

    /// How many documents are signed, failed, pending.
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

    /// The pending documents the next code covers.
    pub fn next_part(&self) -> usize {
        self.pending().count().min(self.multisign.max(1) as usize)
    }

    fn key_algorithm(&self) -> Result<KeyAlgorithm, DeskError> {
        match self.algorithm.as_str() {
            "ecdsa-p256" => Ok(KeyAlgorithm::EcdsaP256),
            "rsa" => Ok(KeyAlgorithm::Rsa),
            _ => Err(corrupt("key algorithm")),
        }
    }

    /// The credential as it was when the batch was prepared.
    fn credential(&self) -> Result<Credential, DeskError> {
        let certificates = self
            .certificates
            .iter()
            .map(|h| hex_decode(h).ok_or_else(|| corrupt("certificate")))
            .collect::<Result<Vec<_>, _>>()?;
        if certificates.is_empty() {
            return Err(corrupt("certificate chain"));
        }
        Ok(Credential {
            id: self.credential.clone(),
            certificates,
            algorithm: self.key_algorithm()?,
            multisign: self.multisign,
        })
    }
}

fn corrupt(what: &str) -> DeskError {
    DeskError::Platform(ghiseu_platform::Error::Corrupt {
        key: "signing batch".to_owned(),
        detail: format!("unreadable {what}"),
    })
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn hash32(s: &str) -> Result<[u8; 32], DeskError> {
    Sha256Digest::parse(s)
        .map(|d| *d.as_bytes())
        .map_err(|_| corrupt("hash"))
}

/// The CSC user id of an official: `{tenant}/{username}`.
pub fn csc_user(signed: &Signed) -> String {
    format!("{}/{}", signed.actor.tenant, signed.actor.username)
}

async fn client() -> Result<Client, DeskError> {
    match csc::Config::from_variables().await.map_err(csc_error)? {
        Some(c) => Ok(Client::new(c)),
        None => Err(DeskError::NotAllowed(
            "Semnarea la distanță nu este configurată pe această platformă (csc_url).".to_owned(),
        )),
    }
}

/// What the signer is told when the service refuses the code.
fn refusal(e: &csc::Error) -> Option<String> {
    Some(match e.refusal()? {
        Refusal::WrongCode {
            attempts_left: Some(n),
        } => format!(
            "Codul nu este corect (mai aveți {n} încercări). Verificați SMS-ul și încercați \
             din nou."
        ),
        Refusal::WrongCode {
            attempts_left: None,
        } => "Codul nu este corect. Verificați SMS-ul și încercați din nou.".to_owned(),
        Refusal::Expired => "Codul a expirat. Cereți un cod nou.".to_owned(),
        Refusal::Locked => {
            "Prea multe încercări greșite: codul a fost blocat. Cereți un cod nou.".to_owned()
        }
        Refusal::Spent => "Codul a fost deja folosit. Cereți un cod nou.".to_owned(),
        Refusal::Other => "Furnizorul de semnare a refuzat cererea. Cereți un cod nou.".to_owned(),
    })
}

/// A failure of the signing service that is not the signer's to fix.
fn csc_error(e: csc::Error) -> DeskError {
    eprintln!("desk: signing service: {e}");
    match e {
        csc::Error::Refused { .. } => {
            DeskError::Invalid(vec![("otp".to_owned(), refusal(&e).unwrap_or_default())])
        }
        _ => DeskError::NotAllowed(
            "Furnizorul de semnare nu răspunde. Nimic nu a fost semnat; încercați din nou \
             peste câteva minute."
                .to_owned(),
        ),
    }
}

/// The form of a POST, if it carries the session's CSRF token.
fn checked_form(signed: &Signed, body: &[u8]) -> Result<web::Form, DeskError> {
    let form = web::parse_form(body);
    if csrf_ok(signed, web::form_field(&form, "csrf")) {
        Ok(form)
    } else {
        Err(DeskError::Forbidden(
            "Formularul a expirat; reîncărcați pagina.".to_owned(),
        ))
    }
}

/// The signer's queue: every dossier of the tenant waiting for signature.
pub async fn queue(store: &Store, signed: &Signed, query: &str) -> Result<Response, DeskError> {
    let scope = TenantScope::new(&signed.actor.tenant);
    let rows: Vec<repo::Summary> = repo::open_dossiers(store, &scope)
        .await?
        .into_iter()
        .filter(|s| s.status == "awaiting_signature")
        .collect();
    let all = web::query_param(query, "all").is_some();
    Ok(crate::secure_html(
        http::StatusCode::OK,
        pages::signing_queue(signed, &rows, all),
    ))
}

/// `POST /desk/sign/batches`: prepares the selected documents and sends the code.
pub async fn create(
    store: &Store,
    signed: &Signed,
    origin: &str,
    body: &[u8],
) -> Result<Response, DeskError> {
    let form = checked_form(signed, body)?;
    let mut ids: Vec<DossierId> = Vec::new();
    for (k, v) in &form {
        if k == "d" {
            let id = DossierId::parse(v).map_err(|_| DeskError::NotFound)?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    if ids.is_empty() {
        return Err(DeskError::Invalid(vec![(
            "d".to_owned(),
            "Selectați cel puțin un document.".to_owned(),
        )]));
    }
    if ids.len() > MAX_BATCH {
        return Err(DeskError::Invalid(vec![(
            "d".to_owned(),
            format!("Cel mult {MAX_BATCH} documente într-un lot."),
        )]));
    }
    if ghiseu_core::authorize_signing(&signed.actor).is_err() {
        return Err(DeskError::Forbidden(
            "Doar un semnatar poate semna documente.".to_owned(),
        ));
    }
    let client = client().await?;
    let credential = client
        .credentials_list(&csc_user(signed))
        .await
        .map_err(csc_error)?
        .into_iter()
        .next()
        .ok_or_else(|| {
            DeskError::NotAllowed(
                "Nu aveți un certificat de semnătură calificată la furnizorul de semnare."
                    .to_owned(),
            )
        })?;
    let info = client
        .credential_info(&credential)
        .await
        .map_err(csc_error)?;
    let signer_cert = info
        .certificates
        .first()
        .ok_or_else(|| corrupt("certificate chain"))?
        .clone();
    let scope = TenantScope::new(&signed.actor.tenant);
    let s3 = S3Client::from_variables().await?;
    let mut batch = Batch {
        id: TrackingToken::from_random(random_bytes()?).to_string(),
        signer: signed.actor.username.to_string(),
        signer_name: signed.display_name.clone(),
        credential,
        certificates: info.certificates.iter().map(|c| hex(c)).collect(),
        algorithm: match info.key_algorithm {
            KeyAlgorithm::EcdsaP256 => "ecdsa-p256",
            KeyAlgorithm::Rsa => "rsa",
        }
        .to_owned(),
        multisign: info.multisign.max(1),
        signing_time: Utc::now(),
        origin: origin.to_owned(),
        items: Vec::with_capacity(ids.len()),
        codes_sent: 0,
        in_flight: None,
        answered: Vec::new(),
        parts_started: 0,
        lost_parts: 0,
    };
    for id in ids {
        let Some(current) = repo::get_dossier(store, &scope, &id).await? else {
            return Err(DeskError::NotFound);
        };
        let d = &current.dossier;
        let verify = TrackingToken::from_random(random_bytes()?);
        let mut item = Item {
            dossier: id.to_string(),
            number: d.number().to_string(),
            response: String::new(),
            name: String::new(),
            verify: verify.to_string(),
            digest: String::new(),
            hash: String::new(),
            state: ItemState::Pending,
        };
        match workflow::permitted(d, Action::Sign, &signed.actor) {
            Err(WorkflowError::Denied(ghiseu_core::Denied::OtherTenant)) => {
                return Err(DeskError::NotFound);
            }
            Err(e) => {
                item.state = ItemState::Failed {
                    reason: e.to_string(),
                }
            }
            Ok(()) => {
                let response = d.responses().last().map(|r| (*r).clone());
                match response {
                    None => {
                        item.state = ItemState::Failed {
                            reason: WorkflowError::NoResponse.to_string(),
                        }
                    }
                    Some(r) => {
                        item.response = r.sha256.to_hex();
                        item.name = r.original_name.as_str().to_owned();
                        let pdf = response_bytes(&s3, &scope, &r).await?;
                        match prepare(&batch, &item, &pdf) {
                            Ok(prepared) => {
                                let to_sign = ToSign::new(prepared, &signer_cert)
                                    .map_err(|e| pades_error(&e))?;
                                item.digest = to_sign.digest().to_hex();
                                item.hash = to_sign.hash().to_hex();
                            }
                            Err(e) => {
                                item.state = ItemState::Failed {
                                    reason: format!("Documentul nu poate fi semnat: {e}"),
                                }
                            }
                        }
                    }
                }
            }
        }
        batch.items.push(item);
    }
    let key = scope.signing_batch(&TrackingToken::parse(&batch.id).map_err(|_| corrupt("id"))?);
    if batch.pending().next().is_some() {
        client
            .send_otp(&batch.credential)
            .await
            .map_err(csc_error)?;
        batch.codes_sent = 1;
    }
    match kv::insert_new(STORE, &key, &to_json(&batch)?)? {
        InsertOutcome::Inserted => {}
        InsertOutcome::Exists(_) => return Err(corrupt("batch id (taken)")),
    }
    Ok(redirect(&format!("/desk/sign/batches/{}", batch.id)))
}

fn pades_error(e: &ghiseu_pades::Error) -> DeskError {
    DeskError::NotAllowed(format!("Semnătura nu a putut fi construită: {e}"))
}

fn to_json(batch: &Batch) -> Result<Vec<u8>, DeskError> {
    serde_json::to_vec(batch).map_err(|_| corrupt("batch"))
}

async fn response_bytes(
    s3: &S3Client,
    scope: &TenantScope,
    r: &Attachment,
) -> Result<Vec<u8>, DeskError> {
    s3.get_object(&scope.attachment_object(&r.sha256))
        .await?
        .ok_or_else(|| corrupt("response file (missing from the object store)"))
}

/// The verification link written into the document.
fn verify_url(batch: &Batch, item: &Item) -> String {
    format!("{}/verify/{}", batch.origin, item.verify)
}

fn prepare(
    batch: &Batch,
    item: &Item,
    pdf: &[u8],
) -> Result<ghiseu_pades::Prepared, ghiseu_pades::Error> {
    let url = verify_url(batch, item);
    let signer_line = format!("Semnat electronic de {}", batch.signer_name);
    let number_line = format!("Nr. {}", item.number);
    // The link on two lines keeps the text legible on paper; the QR code holds it whole.
    let base_line = format!("{}/verify/", batch.origin);
    let lines = [
        signer_line.as_str(),
        number_line.as_str(),
        "Verificare:",
        base_line.as_str(),
        item.verify.as_str(),
    ];
    let mut opts = ghiseu_pades::PrepareOptions::new(&batch.signer_name, batch.signing_time);
    opts.reason = Some("Emiterea actului");
    opts.stamp = Some(ghiseu_pades::Stamp {
        verify_url: &url,
        lines: &lines,
    });
    ghiseu_pades::prepare(pdf, &opts)
}

async fn load(
    store: &Store,
    signed: &Signed,
    id: &str,
) -> Result<(String, Vec<u8>, Batch), DeskError> {
    let token = TrackingToken::parse(id).map_err(|_| DeskError::NotFound)?;
    let key = TenantScope::new(&signed.actor.tenant).signing_batch(&token);
    let bytes = store.get(&key).await?.ok_or(DeskError::NotFound)?;
    let batch: Batch = serde_json::from_slice(&bytes).map_err(|_| corrupt("batch"))?;
    if batch.signer != signed.actor.username.as_str() {
        return Err(DeskError::NotFound);
    }
    let batch = give_up_lost_part(&key, batch)?;
    Ok((key, bytes, batch))
}

/// Stops waiting for an asynchronous part that will not complete
/// ([`InFlight::lost`]); the batch as stored afterwards.
fn give_up_lost_part(key: &str, batch: Batch) -> Result<Batch, DeskError> {
    let now = Utc::now();
    let Some(part) = batch.in_flight.as_ref().filter(|f| f.lost(now)) else {
        return Ok(batch);
    };
    let part = part.part.clone();
    // The batch as stored when deciding: the part may have completed meanwhile.
    let mut current = None;
    let released = update(key, |b| {
        let lost = b
            .in_flight
            .as_ref()
            .is_some_and(|f| f.part == part && f.lost(now));
        if lost {
            b.in_flight = None;
            b.lost_parts += 1;
        }
        current = Some(b.clone());
        lost.then_some(())
    })?;
    if released.is_some() {
        eprintln!(
            "desk: signing batch {}: part {part} given up (no result)",
            batch.id
        );
    }
    current.ok_or_else(|| corrupt("batch"))
}

/// `GET /desk/sign/batches/{id}` (and `.json` for the progress poll).
pub async fn show(
    store: &Store,
    signed: &Signed,
    id: &str,
    json: bool,
) -> Result<Response, DeskError> {
    let (key, _, batch) = load(store, signed, id).await?;
    if json {
        return Ok(web::json(http::StatusCode::OK, &batch));
    }
    // The page (not the progress poll, which runs while a part is signed)
    // shows what was issued even if the request that issued it died.
    let batch = repair(store, &signed.tenant, &key, batch).await?;
    Ok(web::secure_html_with(
        http::StatusCode::OK,
        pages::signing_batch(signed, &batch, &[]),
        BATCH_CSP,
    ))
}

/// `POST /desk/sign/batches/{id}/code`: a new code (the last one expired or
/// was mistyped too often).
pub async fn resend(
    store: &Store,
    signed: &Signed,
    id: &str,
    body: &[u8],
) -> Result<Response, DeskError> {
    checked_form(signed, body)?;
    let (key, _, batch) = load(store, signed, id).await?;
    if batch.pending().next().is_none() {
        return Ok(redirect(&format!("/desk/sign/batches/{id}")));
    }
    client()
        .await?
        .send_otp(&batch.credential)
        .await
        .map_err(csc_error)?;
    save(&key, |b| {
        b.codes_sent += 1;
    })?;
    Ok(redirect(&format!("/desk/sign/batches/{id}")))
}

/// Applies `change` to the stored batch with a leased replace.
fn save(key: &str, mut change: impl FnMut(&mut Batch)) -> Result<Batch, DeskError> {
    update(key, |b| {
        change(b);
        Some(b.clone())
    })
    .and_then(|saved| saved.ok_or_else(|| corrupt("batch (not written)")))
}

/// Applies `decide` to the stored batch with a leased replace; `None` from it
/// writes nothing (and is returned).
fn update<R>(
    key: &str,
    mut decide: impl FnMut(&mut Batch) -> Option<R>,
) -> Result<Option<R>, DeskError> {
    let corrupt = |detail: String| ghiseu_platform::Error::Corrupt {
        key: key.to_owned(),
        detail,
    };
    Ok(kv::update(STORE, key, |current| {
        let mut b: Batch = current
            .and_then(|c| serde_json::from_slice(c).ok())
            .ok_or_else(|| corrupt("unreadable signing batch".to_owned()))?;
        Ok(match decide(&mut b) {
            None => Step::Done(None),
            Some(r) => Step::Write(
                serde_json::to_vec(&b).map_err(|e| corrupt(e.to_string()))?,
                Some(r),
            ),
        })
    })?)
}

/// `POST /desk/sign/batches/{id}`: the code; signs the next part of the batch.
pub async fn sign(
    store: &Store,
    signed: &Signed,
    id: &str,
    body: &[u8],
) -> Result<Response, DeskError> {
    let form = checked_form(signed, body)?;
    let (key, _, batch) = load(store, signed, id).await?;
    // Before a code is spent: documents a dead request issued are not signed again.
    let batch = repair(store, &signed.tenant, &key, batch).await?;
    let otp: String = web::form_raw(&form, "otp")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let problem = |m: &str| {
        Ok(web::secure_html_with(
            http::StatusCode::UNPROCESSABLE_ENTITY,
            pages::signing_batch(signed, &batch, &[("otp".to_owned(), m.to_owned())]),
            BATCH_CSP,
        ))
    };
    if otp.is_empty() || otp.len() > 16 || !otp.chars().all(|c| c.is_ascii_alphanumeric()) {
        return problem("Introduceți codul primit prin SMS.");
    }
    let part: Vec<(usize, Item)> = batch
        .pending()
        .take(batch.multisign.max(1) as usize)
        .map(|(i, it)| (i, it.clone()))
        .collect();
    if part.is_empty() {
        return Ok(redirect(&format!("/desk/sign/batches/{id}")));
    }
    let hashes: Vec<[u8; 32]> = part
        .iter()
        .map(|(_, it)| hash32(&it.hash))
        .collect::<Result<_, _>>()?;
    let client = client().await?;
    let sad = match client.authorize(&batch.credential, &hashes, &otp).await {
        Ok(sad) => sad,
        Err(e) => match refusal(&e) {
            Some(m) => return problem(&m),
            None => return Err(csc_error(e)),
        },
    };
    if batch.in_flight.is_some() {
        return Ok(redirect(&format!("/desk/sign/batches/{id}")));
    }
    if let Some(callback) = callback_url().await {
        // Asynchronous: the service answers at once and POSTs the signatures
        // to the callback route, which completes the part.
        let name = TrackingToken::from_random(random_bytes()?).to_string();
        let items: Vec<usize> = part.iter().map(|(i, _)| *i).collect();
        save(&key, |b| {
            b.in_flight = Some(InFlight {
                part: name.clone(),
                response_id: None,
                items: items.clone(),
                since: Some(Utc::now()),
                claimed: None,
            });
        })?;
        let answer = client
            .sign_hash_async(
                &batch.credential,
                &sad,
                &hashes,
                batch.key_algorithm()?,
                &callback,
                &format!("{}/{}/{name}", signed.actor.tenant, batch.id),
            )
            .await;
        match answer {
            Ok(response_id) => {
                save(&key, |b| {
                    if let Some(f) = b.in_flight.as_mut().filter(|f| f.part == name) {
                        f.response_id = Some(response_id.clone());
                    }
                })?;
            }
            Err(e) => {
                save(&key, |b| {
                    if b.in_flight.as_ref().is_some_and(|f| f.part == name) {
                        b.in_flight = None;
                    }
                })?;
                return Err(csc_error(e));
            }
        }
        return Ok(redirect(&format!("/desk/sign/batches/{id}")));
    }
    let signatures = client
        .sign_hash(&batch.credential, &sad, &hashes, batch.key_algorithm()?)
        .await
        .map_err(csc_error)?;
    finish_part(
        store,
        &signed.actor,
        &signed.tenant,
        &batch,
        &key,
        &part,
        &signatures,
    )
    .await?;
    Ok(redirect(&format!("/desk/sign/batches/{id}")))
}

/// The callback URL of asynchronous signing (`csc_callback_url`), if set.
async fn callback_url() -> Option<String> {
    spin_sdk::variables::get("csc_callback_url")
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// Applies the signatures of `part`, saves the results, and asks for the next
/// code if documents remain (the credential's multisign was smaller than the
/// batch).
async fn finish_part(
    store: &Store,
    actor: &Actor,
    tenant: &Tenant,
    batch: &Batch,
    key: &str,
    part: &[(usize, Item)],
    signatures: &[Vec<u8>],
) -> Result<(), DeskError> {
    if signatures.len() != part.len() {
        return Err(DeskError::Platform(ghiseu_platform::Error::Corrupt {
            key: "signatures/signHash".to_owned(),
            detail: format!("{} signatures for {} hashes", signatures.len(), part.len()),
        }));
    }
    let results = complete(store, actor, tenant, batch, key, part, signatures).await?;
    let after = save(key, |b| record_results(b, &results))?;
    if after.pending().next().is_some() {
        client()
            .await?
            .send_otp(&after.credential)
            .await
            .map_err(csc_error)?;
        save(key, |b| b.codes_sent += 1)?;
    }
    Ok(())
}

/// `POST /api/v1/signing/callback`: the signing service's asynchronous
/// result. A bad signature is 401; a result that is not awaited (replayed,
/// or already applied) changes nothing.
pub async fn callback(store: &Store, headers: &http::HeaderMap, body: &[u8]) -> Response {
    let secret = spin_sdk::variables::get("csc_callback_secret").unwrap_or_default();
    if secret.is_empty() {
        return web::problem(
            http::StatusCode::NOT_FOUND,
            "Asynchronous signing is not configured.",
        );
    }
    let result = match csc::verify_callback(&secret, headers, body) {
        Ok(r) => r,
        Err(e) => return web::problem(http::StatusCode::UNAUTHORIZED, e.to_string()),
    };
    match apply_callback(store, &result).await {
        Ok(applied) => web::json(
            http::StatusCode::OK,
            &serde_json::json!({ "applied": applied }),
        ),
        Err(e) => match e {
            DeskError::NotFound => web::problem(
                http::StatusCode::NOT_FOUND,
                "No signing batch awaits this result.",
            ),
            other => {
                eprintln!("desk: applying a signing result: {other:?}");
                let r = other.into_html();
                web::problem(r.status(), "The result could not be applied; retry later.")
            }
        },
    }
}

/// Applies an authenticated asynchronous result; whether it changed anything.
async fn apply_callback(store: &Store, result: &csc::Callback) -> Result<bool, DeskError> {
    let mut fields = result.client_data.splitn(3, '/');
    let (Some(tenant), Some(id), Some(part_name)) = (fields.next(), fields.next(), fields.next())
    else {
        return Err(DeskError::NotFound);
    };
    let slug = ghiseu_core::TenantSlug::parse(tenant).map_err(|_| DeskError::NotFound)?;
    let token = TrackingToken::parse(id).map_err(|_| DeskError::NotFound)?;
    let scope = TenantScope::new(&slug);
    let key = scope.signing_batch(&token);
    let bytes = store.get(&key).await?.ok_or(DeskError::NotFound)?;
    let batch: Batch = serde_json::from_slice(&bytes).map_err(|_| corrupt("batch"))?;
    let Some(flight) = batch.in_flight.clone().filter(|f| {
        f.part == part_name
            && !batch
                .answered
                .iter()
                .any(|a| a.ends_with(&format!("/{}", result.response_id)))
    }) else {
        return Ok(false);
    };
    // Claim the result before applying it (its id joins `answered`), so a
    // replay arriving meanwhile changes nothing; `in_flight` stays until the
    // part is applied, so the page keeps waiting for it.
    let response_id = result.response_id.clone();
    let claimed = update(&key, |b| {
        if b.answered
            .iter()
            .any(|a| a.ends_with(&format!("/{response_id}")))
        {
            return None;
        }
        b.answered.push(format!("{}/{response_id}", flight.part));
        if let Some(f) = b.in_flight.as_mut().filter(|f| f.part == flight.part) {
            f.claimed = Some(Utc::now());
        }
        Some(())
    })?
    .is_some();
    if !claimed {
        return Ok(false);
    }
    let part: Vec<(usize, Item)> = flight
        .items
        .iter()
        .filter_map(|i| batch.items.get(*i).map(|it| (*i, it.clone())))
        .collect();
    let outcome = match &result.error {
        Some(error) => Err(format!("Furnizorul de semnare a refuzat: {error}")),
        None => apply_signatures(store, &slug, &batch, &key, &part, &result.signatures)
            .await
            .map_err(|e| {
                eprintln!("desk: applying a signing result: {e:?}");
                "Semnătura nu a putut fi aplicată; selectați documentul din nou.".to_owned()
            }),
    };
    // Documents the part did not settle (a refusal, or a failure midway) are
    // failed, never left waiting for a result that will not come again.
    let failed: Vec<(usize, ItemState)> = match outcome {
        Ok(()) => Vec::new(),
        Err(reason) => part
            .iter()
            .map(|(i, _)| {
                (
                    *i,
                    ItemState::Failed {
                        reason: reason.clone(),
                    },
                )
            })
            .collect(),
    };
    save(&key, |b| {
        record_results(b, &failed);
        if b.in_flight.as_ref().is_some_and(|f| f.part == flight.part) {
            b.in_flight = None;
        }
    })?;
    Ok(true)
}

/// Applies an asynchronous part's signatures as the batch's signer.
async fn apply_signatures(
    store: &Store,
    slug: &ghiseu_core::TenantSlug,
    batch: &Batch,
    key: &str,
    part: &[(usize, Item)],
    signatures: &[Vec<u8>],
) -> Result<(), DeskError> {
    let scope = TenantScope::new(slug);
    let tenant = repo::get_tenant(store, slug)
        .await?
        .ok_or(DeskError::NotFound)?;
    let username = ghiseu_core::Username::parse(&batch.signer).map_err(|_| corrupt("signer"))?;
    let actor = repo::official(store, &scope, &username)
        .await?
        .and_then(|o| o.actor())
        .ok_or_else(|| DeskError::Forbidden("The signer is no longer active.".to_owned()))?;
    finish_part(store, &actor, &tenant, batch, key, part, signatures).await
}

fn record_results(b: &mut Batch, results: &[(usize, ItemState)]) {
    for (index, state) in results {
        if let Some(item) = b.items.get_mut(*index)
            && item.state == ItemState::Pending
        {
            item.state = state.clone();
        }
    }
}

/// Marks signed the pending items whose document was issued all the same.
///
/// A signing request saves its results every [`PROGRESS_EVERY`] documents; one
/// that dies in between (the host's deadline, a crash) leaves the documents it
/// issued since its last save pending in the batch, although their dossiers
/// are signed and issued and their verification records written. The
/// verification record under the item's own token is the proof (it is written
/// right after the dossier's `signed` + `issued`, and no other item or batch
/// uses that token): such an item becomes signed with that document, and its
/// dossier's public tracking and inbox summary are written again (both are
/// idempotent; the request may have died before them). The citizen's
/// notification is not repeated: whether it went out is not known.
///
/// Only after a part was started (`parts_started`), and not while an
/// asynchronous part is awaited: then its items are pending on purpose.
async fn repair(
    store: &Store,
    tenant: &Tenant,
    key: &str,
    batch: Batch,
) -> Result<Batch, DeskError> {
    if batch.parts_started == 0 || batch.in_flight.is_some() {
        return Ok(batch);
    }
    let scope = TenantScope::new(&tenant.slug);
    let pending: Vec<(usize, &Item)> = batch.pending().collect();
    let tokens = pending
        .iter()
        .map(|(_, item)| TrackingToken::parse(&item.verify).map_err(|_| corrupt("token")))
        .collect::<Result<Vec<_>, _>>()?;
    // One key-value call for every pending item's verification record.
    let records = issued::get_many(&tokens)?;
    let mut found = Vec::new();
    let mut dossiers = Vec::new();
    for ((index, item), record) in pending.into_iter().zip(records) {
        let Some(record) = record.filter(|r| r.dossier == item.dossier) else {
            continue;
        };
        let id = DossierId::parse(&item.dossier).map_err(|_| corrupt("dossier id"))?;
        if let Some(current) = repo::get_dossier(store, &scope, &id).await? {
            publish(store, tenant, &current.dossier).await?;
            dossiers.push(current.dossier);
        }
        found.push((
            index,
            ItemState::Signed {
                document: record.sha256,
            },
        ));
    }
    if found.is_empty() {
        return Ok(batch);
    }
    repo::index_open_many(&scope, &dossiers)?;
    save(key, |b| record_results(b, &found))
}

/// Results are saved every this many documents, for the progress shown while
/// a large batch is signed.
const PROGRESS_EVERY: usize = 20;

/// Embeds each signature, stores and issues each document on its own; the
/// result of every item of `part`.
async fn complete(
    store: &Store,
    actor: &Actor,
    tenant: &Tenant,
    batch: &Batch,
    key: &str,
    part: &[(usize, Item)],
    signatures: &[Vec<u8>],
) -> Result<Vec<(usize, ItemState)>, DeskError> {
    let ctx = Issuing {
        store,
        actor,
        tenant,
        batch,
        scope: TenantScope::new(&actor.tenant),
        s3: S3Client::from_variables().await?,
        credential: batch.credential()?,
        config: signing::Config::new(&spin_sdk::variables::get("tsa_url").unwrap_or_default()),
    };
    // From here on documents may be issued before their results are saved.
    save(key, |b| b.parts_started += 1)?;
    let mut results = Vec::with_capacity(part.len());
    // Issued dossiers whose inbox summaries are still to be updated: one
    // leased replace of the tenant's open list per checkpoint, not per document.
    let mut issued: Vec<Dossier> = Vec::new();
    for ((index, item), signature) in part.iter().zip(signatures) {
        let state = match issue_one(&ctx, item, signature).await {
            Ok((document, dossier)) => {
                issued.push(dossier);
                ItemState::Signed { document }
            }
            Err(ItemError::Failed(reason)) => ItemState::Failed { reason },
            Err(ItemError::Desk(e)) => {
                repo::index_open_many(&ctx.scope, &issued)?;
                return Err(e);
            }
        };
        results.push((*index, state));
        if results.len() % PROGRESS_EVERY == 0 && results.len() < part.len() {
            repo::index_open_many(&ctx.scope, &std::mem::take(&mut issued))?;
            save(key, |b| record_results(b, &results))?;
        }
    }
    repo::index_open_many(&ctx.scope, &issued)?;
    Ok(results)
}

enum ItemError {
    /// This document fails alone.
    Failed(String),
    /// The platform failed: stop (nothing of this item was acknowledged).
    Desk(DeskError),
}

impl From<DeskError> for ItemError {
    fn from(e: DeskError) -> Self {
        Self::Desk(e)
    }
}

impl From<ghiseu_platform::Error> for ItemError {
    fn from(e: ghiseu_platform::Error) -> Self {
        Self::Desk(e.into())
    }
}

impl From<crate::service::IntakeError> for ItemError {
    fn from(e: crate::service::IntakeError) -> Self {
        Self::Desk(e.into())
    }
}

/// What issuing each document of a part needs.
struct Issuing<'a> {
    store: &'a Store,
    actor: &'a Actor,
    tenant: &'a Tenant,
    batch: &'a Batch,
    scope: TenantScope,
    s3: S3Client,
    /// The batch's credential as it was when the batch was prepared.
    credential: Credential,
    /// How to sign (B-T with the timestamp authority, if one is set).
    config: signing::Config,
}

/// Signs, stores and issues one document; its signed PDF's digest and the
/// dossier as written (the caller updates the inbox index for many at once).
async fn issue_one(
    ctx: &Issuing<'_>,
    item: &Item,
    signature: &[u8],
) -> Result<(String, Dossier), ItemError> {
    let Issuing {
        store,
        actor,
        tenant,
        batch,
        ref scope,
        ref s3,
        ref credential,
        ref config,
    } = *ctx;
    let id = DossierId::parse(&item.dossier).map_err(|_| corrupt("dossier id"))?;
    let response = Sha256Digest::parse(&item.response).map_err(|_| corrupt("response"))?;
    let changed = || ItemError::Failed(WorkflowError::ResponseChanged.to_string());
    // The document must still be the one selected before anything is stored.
    let Some(current) = repo::get_dossier(store, scope, &id).await? else {
        return Err(ItemError::Failed("Dosarul nu mai există.".to_owned()));
    };
    let Some(r) = current.dossier.document(&response).cloned() else {
        return Err(changed());
    };
    let pdf = response_bytes(s3, scope, &r).await?;
    let prepared = prepare(batch, item, &pdf).map_err(|e| ItemError::Failed(e.to_string()))?;
    if hex(&prepared.digest()) != item.digest {
        return Err(changed());
    }
    let to_sign =
        ToSign::new(prepared, credential.signer()).map_err(|e| ItemError::Failed(e.to_string()))?;
    // B-T when a timestamp authority is configured: without its timestamp the
    // document fails alone rather than being issued as B-B behind the
    // configuration's back.
    let signed_pdf = signing::finish(to_sign, signature, credential, config)
        .await
        .map_err(|e| match e {
            FinishError::Timestamp(e) => {
                ItemError::Failed(format!("Marca temporală lipsește: {e}"))
            }
            FinishError::Signature(e) => ItemError::Failed(e.to_string()),
        })?;
    let starts_with_response = signed_pdf.starts_with(&pdf);
    let stem = r
        .original_name
        .as_str()
        .trim_end_matches(".pdf")
        .trim_end_matches(".PDF");
    let attachment = signing::store_pdf(
        s3,
        scope,
        &format!("{stem}-semnat.pdf"),
        "act-semnat.pdf",
        signed_pdf,
    )
    .await?;
    let document = attachment.sha256.to_hex();
    let mut current = current;
    for _ in 0..5 {
        let events = workflow::sign(
            &current.dossier,
            response,
            attachment.clone(),
            starts_with_response,
            actor,
            Utc::now(),
        )
        .map_err(|e| ItemError::Failed(e.to_string()))?;
        let mut next: Dossier = current.dossier.clone();
        for e in events {
            next.record(e);
        }
        match repo::update_dossier(scope, &current, &next)? {
            UpdateOutcome::Updated => {
                let token = TrackingToken::parse(&item.verify).map_err(|_| corrupt("token"))?;
                issued::put(
                    &token,
                    &Issued {
                        tenant: actor.tenant.to_string(),
                        dossier: item.dossier.clone(),
                        number: item.number.clone(),
                        document_type: next.document_type().to_string(),
                        sha256: document.clone(),
                        signer: batch.signer_name.clone(),
                        signed_at: batch.signing_time,
                    },
                )?;
                publish(store, tenant, &next).await?;
                let before = PublicStatus::from(current.dossier.status());
                notify_citizen(store, tenant, &next, Some(before)).await;
                return Ok((document, next));
            }
            UpdateOutcome::Conflict => {
                // Someone acted on the dossier meanwhile: decide again on what
                // is stored now (a changed response fails this item alone).
                current = repo::get_dossier(store, scope, &id)
                    .await?
                    .ok_or_else(|| ItemError::Failed("Dosarul nu mai există.".to_owned()))?;
            }
        }
    }
    Err(ItemError::Failed(
        "Dosarul a fost modificat de mai multe ori în timpul semnării.".to_owned(),
    ))
}
