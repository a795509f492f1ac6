//! Asynchronous signing (`operationMode` "A"): the service answers at once
//! and POSTs the signatures to the callback, which completes the part.
//!
//! `send` records the part as in flight *before* asking the service (a
//! result arriving before the service's answer still finds it), then sends
//! `signatures/signHash` with the callback URL and `clientData`
//! `{tenant}/{batch}/{part}`. [`apply`] claims an authenticated result once
//! (its `responseID` joins the batch's `answered`, so a replay changes
//! nothing), issues the part's documents as the batch's signer, and lands
//! the part: documents it did not settle are failed, never left waiting for
//! a result that will not come again.
//!
//! The route (`POST /api/v1/signing/callback`, the desk's) checks the result's
//! HMAC under `csc_callback_secret` (`ghiseu_platform::csc::verify_callback`)
//! before anything here runs. A part whose result never comes, or whose
//! claimed result was being applied by a request that died, is given up when
//! the batch is next read (core's `signing::part_lost`: 15 minutes without a
//! result, 2 minutes after a claim): the batch stops waiting and says so, the
//! documents still pending can be signed with a new code, and a late result
//! then changes nothing.

use chrono::{DateTime, Utc};
use ghiseu_core::signing::{Batch, InFlight, Item, ItemState};
use ghiseu_core::{TenantSlug, TrackingToken, Username};
use ghiseu_platform::csc::{self, Sad};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::repo;
use ghiseu_platform::session::random_bytes;

use super::issue::{SignedPart, finish_part};
use super::service::{Failure, Service, SignError, service_error};
use super::stored::{read, save, update};

/// Sends `part` of the batch to be signed asynchronously, answered at
/// `callback`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn send(
    service: &Service<'_>,
    tenant: &TenantSlug,
    key: &str,
    batch: &Batch,
    part: &[(usize, Item)],
    sad: &Sad,
    hashes: &[[u8; 32]],
    callback: &str,
    now: DateTime<Utc>,
) -> Result<(), SignError> {
    let name = TrackingToken::from_random(random_bytes()?).to_string();
    let items: Vec<usize> = part.iter().map(|(i, _)| *i).collect();
    save(key, |b| {
        b.in_flight = Some(InFlight {
            part: name.clone(),
            response_id: None,
            items: items.clone(),
            since: Some(now),
            claimed: None,
        });
    })?;
    let client_data = format!("{tenant}/{}/{name}", batch.id);
    let answer = service
        .client
        .sign_hash_async(
            &batch.credential,
            sad,
            hashes,
            batch.algorithm,
            callback,
            &client_data,
        )
        .await;
    match answer {
        Ok(response_id) => {
            save(key, |b| {
                if let Some(f) = b.in_flight.as_mut().filter(|f| f.part == name) {
                    f.response_id = Some(response_id.clone());
                }
            })?;
            Ok(())
        }
        Err(e) => {
            save(key, |b| b.land(&name))?;
            Err(service_error(e))
        }
    }
}

/// Applies an authenticated asynchronous result on `now`; whether it
/// changed anything. A result for no batch is [`crate::Error::NotFound`].
pub async fn apply(
    service: &Service<'_>,
    result: &csc::Callback,
    now: DateTime<Utc>,
) -> Result<bool, SignError> {
    let mut fields = result.client_data.splitn(3, '/');
    let (Some(tenant), Some(id), Some(part_name)) = (fields.next(), fields.next(), fields.next())
    else {
        return Err(crate::Error::NotFound.into());
    };
    let slug = TenantSlug::parse(tenant).map_err(|_| crate::Error::NotFound)?;
    let token = TrackingToken::parse(id).map_err(|_| crate::Error::NotFound)?;
    let scope = TenantScope::new(&slug);
    let (key, batch) = read(service.store, &scope, &token)
        .await?
        .ok_or(crate::Error::NotFound)?;
    let response_id = &result.response_id;
    let Some(flight) = batch
        .in_flight
        .clone()
        .filter(|f| f.part == part_name && !batch.answered(response_id))
    else {
        return Ok(false);
    };
    // Claim the result before applying it, so a replay arriving meanwhile
    // changes nothing; `in_flight` stays until the part is applied, so the
    // page keeps waiting for it.
    let claimed = update(&key, |b| {
        b.claim_result(&flight.part, response_id, now).then_some(())
    })?;
    if claimed.is_none() {
        return Ok(false);
    }
    let part: Vec<(usize, Item)> = flight
        .items
        .iter()
        .filter_map(|i| batch.items.get(*i).map(|it| (*i, it.clone())))
        .collect();
    let outcome = match &result.error {
        Some(error) => Err(Failure::Refused(error.clone())),
        None => {
            let signed = SignedPart {
                batch: &batch,
                key: &key,
                items: &part,
                signatures: &result.signatures,
            };
            as_signer(service, &slug, signed, now).await.map_err(|e| {
                eprintln!("signing: applying an asynchronous result: {e:?}");
                Failure::NotApplied
            })
        }
    };
    // Documents the part did not settle (a refusal, or a failure midway)
    // are failed, never left waiting for a result that will not come again.
    let failed: Vec<(usize, ItemState)> = match outcome {
        Ok(()) => Vec::new(),
        Err(failure) => {
            let reason = (service.words)(&failure);
            part.iter()
                .map(|(i, _)| {
                    (
                        *i,
                        ItemState::Failed {
                            reason: reason.clone(),
                        },
                    )
                })
                .collect()
        }
    };
    save(&key, |b| {
        b.record(&failed);
        b.land(&flight.part);
    })?;
    Ok(true)
}

/// Applies an asynchronous part's signatures as the batch's signer, if they
/// are still an active official.
async fn as_signer(
    service: &Service<'_>,
    slug: &TenantSlug,
    part: SignedPart<'_>,
    now: DateTime<Utc>,
) -> Result<(), SignError> {
    let scope = TenantScope::new(slug);
    let tenant = repo::get_tenant(service.store, slug)
        .await?
        .ok_or(crate::Error::NotFound)?;
    let username: &Username = &part.batch.signer;
    let actor = repo::official(service.store, &scope, username)
        .await?
        .and_then(|o| o.actor())
        .ok_or(SignError::NotASigner)?;
    // Prepared again from the batch (its signing time, its digests).
    finish_part(
        service,
        &actor,
        &tenant,
        part,
        Vec::new(),
        ghiseu_core::Lang::Ro,
        now,
    )
    .await
}
