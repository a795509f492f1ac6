//! The citizen signs a waiting cerere with an OTP (DESIGN §5, signing), then
//! the dossier is registered through the one registration path with the
//! signed cerere as its document.
//!
//! - `GET /portal/sign/{sha256}`: the request waiting for its qualified
//!   signature (by its cerere's hash); without a credential, the purchase.
//! - `POST /portal/sign/{sha256}`: prepares the PAdES signature of the stored
//!   cerere (`ghiseu_pades::prepare`, the prepared PDF kept in the tenant's
//!   files), computes the hash the provider will sign (`signed_attributes` of
//!   the signer's certificate), asks the provider to send a code
//!   (`credentials/sendOTP`), and shows the hash and a code field. Posting
//!   again sends a new code for the same prepared document.
//! - `POST /portal/sign/{sha256}/confirm` (`code`): `credentials/authorize`
//!   of that one hash with the code, `signatures/signHash`,
//!   `ghiseu_pades::finish`, the signed PDF stored content-addressed, then the
//!   registration and the request off the waiting list. A wrong code is
//!   explained and may be typed again; after 5 the provider refuses and the
//!   page offers a new code. A second submit registers nothing twice: the
//!   move from prepared to signed is one leased replace, and only its
//!   winner registers.

use ghiseu_app::Error as AppError;
use ghiseu_app::citizen::{self, AwaitingRequest, Signing};
use ghiseu_app::signing::{self, Credential, FinishError, ToSign};
use ghiseu_core::document_type::FieldName;
use ghiseu_core::form::FormData;
use ghiseu_core::stored::{StoredAttachment, attachment_from_stored, attachment_to_stored};
use ghiseu_core::{Attachment, DocumentTypeCode, Lang, Sha256Digest};
use ghiseu_platform::csc::{self, Client, Config, Refusal};
use ghiseu_platform::http::{Form, form_field as field, see_other};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::s3::S3Client;
use http::StatusCode;
use maud::html;

use crate::ctx::{Ctx, Res};
use crate::pages::form_state;
use crate::texts::{pick, t};

/// Minutes after which a claimed registration that never finished may be
/// taken over (far beyond any request's deadline).
const TAKEOVER_MINUTES: i64 = 10;

/// What a page about signing shows besides the request.
enum View {
    /// The first page: send a code.
    Start,
    /// A code was sent: the hash and the code field (with a problem).
    Code {
        hash: String,
        problem: Option<String>,
    },
    /// The code can no longer work: only "send a new code".
    NewCode(String),
    /// Something the citizen cannot fix now.
    Problem(String),
}

/// The waiting request with cerere `sha`, if it is the signed-in account's.
async fn waiting(
    ctx: &Ctx,
    sha: &str,
) -> ghiseu_platform::Result<Option<(String, AwaitingRequest)>> {
    let Some((_, account)) = &ctx.signed else {
        return Ok(None);
    };
    if Sha256Digest::parse(sha).is_err() {
        return Ok(None);
    }
    let Some(request) = citizen::awaiting_request(&ctx.store, &account.id, sha).await? else {
        return Ok(None);
    };
    let record = format!("{}/{}/{sha}", request.tenant, request.document_type);
    Ok(Some((record, request)))
}

fn page(ctx: &Ctx, status: StatusCode, sha: &str, request: &AwaitingRequest, view: &View) -> Res {
    let lang = ctx.lang;
    Ok(ctx.page(status, t(lang, "sign"), |csrf| {
        html! {
            h1 { (t(lang, "sign")) }
            p { (t(lang, "sign_intro")) }
            p { small { (request.tenant) " · " (request.document_type) " · cerere.pdf" } }
            @match view {
                View::Start => {
                    form method="post" action={ "/portal/sign/" (sha) } {
                        (form_state(csrf, lang))
                        button type="submit" { (t(lang, "send_sign_code")) }
                    }
                }
                View::Code { hash, problem } => {
                    p.notice role="status" { (t(lang, "sign_code_sent")) }
                    dl {
                        dt { (t(lang, "sign_document")) } dd { code { (sha) } }
                        dt { (t(lang, "sign_hash")) } dd { code { (hash) } }
                    }
                    @if let Some(p) = problem {
                        div.error-summary role="alert" { p.error { a href="#code" { (p) } } }
                    }
                    form method="post" action={ "/portal/sign/" (sha) "/confirm" } novalidate {
                        (form_state(csrf, lang))
                        label for="code" { (t(lang, "code")) }
                        @if let Some(p) = problem { p.error id="code-error" { (p) } }
                        input id="code" name="code" inputmode="numeric" autocomplete="one-time-code"
                            aria-invalid=[problem.as_ref().map(|_| "true")]
                            aria-describedby=[problem.as_ref().map(|_| "code-error")];
                        button type="submit" { (t(lang, "sign")) }
                    }
                    form method="post" action={ "/portal/sign/" (sha) } {
                        (form_state(csrf, lang))
                        button type="submit" { (t(lang, "send_new_code")) }
                    }
                }
                View::NewCode(p) => {
                    p.error role="alert" { (p) }
                    form method="post" action={ "/portal/sign/" (sha) } {
                        (form_state(csrf, lang))
                        button type="submit" { (t(lang, "send_new_code")) }
                    }
                }
                View::Problem(p) => { p.error role="alert" { (p) } }
            }
        }
    }))
}

fn not_found() -> Res {
    Ok(ghiseu_platform::http::problem(
        StatusCode::NOT_FOUND,
        "No such request waiting for a signature.",
    ))
}

fn unavailable(lang: Lang) -> String {
    pick(
        lang,
        "Serviciul de semnare nu răspunde acum. Reîncercați peste câteva minute.",
        "Az aláírási szolgáltatás most nem válaszol. Próbálja újra néhány perc múlva.",
        "The signing service does not answer now. Try again in a few minutes.",
    )
}

/// The page saying the signing service does not answer now.
fn unavailable_page(ctx: &Ctx, status: StatusCode, sha: &str, request: &AwaitingRequest) -> Res {
    page(
        ctx,
        status,
        sha,
        request,
        &View::Problem(unavailable(ctx.lang)),
    )
}

/// Where a finished signing sends the citizen.
fn registered(number: &str) -> Res {
    Ok(see_other(&format!("/portal?registered={number}")))
}

/// The account's credential, or the purchase page.
async fn credential(ctx: &Ctx) -> ghiseu_platform::Result<Option<String>> {
    match &ctx.signed {
        Some((_, account)) => citizen::signing_credential(&ctx.store, &account.id).await,
        None => Ok(None),
    }
}

async fn client() -> Option<Client> {
    Config::from_variables()
        .await
        .ok()
        .flatten()
        .map(Client::new)
}

/// `GET /portal/sign/{sha}`.
pub async fn show(ctx: &Ctx, sha: &str) -> Res {
    let Some((_, request)) = waiting(ctx, sha).await? else {
        return not_found();
    };
    if credential(ctx).await?.is_none() {
        return Ok(see_other("/portal/signature"));
    }
    let account = &ctx.signed.as_ref().expect("waiting() needs a session").1;
    if let Some((Signing::Registered { number, .. }, _)) =
        citizen::signing(&ctx.store, &account.id, sha).await?
    {
        return registered(&number);
    }
    page(ctx, StatusCode::OK, sha, &request, &View::Start)
}

/// `POST /portal/sign/{sha}`: prepare (once) and send a code.
pub async fn start(ctx: &Ctx, sha: &str) -> Res {
    let Some((record, request)) = waiting(ctx, sha).await? else {
        return not_found();
    };
    let Some(credential_id) = credential(ctx).await? else {
        return Ok(see_other("/portal/signature"));
    };
    let account = &ctx.signed.as_ref().expect("waiting() needs a session").1;
    let Some(client) = client().await else {
        return unavailable_page(ctx, StatusCode::SERVICE_UNAVAILABLE, sha, &request);
    };
    let state = citizen::signing(&ctx.store, &account.id, sha).await?;
    let hash = match &state {
        Some((Signing::Registered { number, .. }, _)) => return registered(number),
        Some((Signing::Signed { signed, at }, read)) => {
            return in_progress(ctx, sha, &record, &request, signed, *at, read).await;
        }
        // The same prepared document for every new code, while it is the
        // same credential: its hash is what the citizen sees.
        Some((
            Signing::Prepared {
                hash_to_sign,
                credential_id: c,
                ..
            },
            _,
        )) if *c == credential_id => hash_to_sign.clone(),
        _ => match prepare(
            ctx,
            &client,
            &credential_id,
            &request,
            state.as_ref().map(|(_, b)| b.as_slice()),
        )
        .await?
        {
            Ok(hash) => hash,
            Err(problem) => {
                return page(
                    ctx,
                    StatusCode::BAD_GATEWAY,
                    sha,
                    &request,
                    &View::Problem(problem),
                );
            }
        },
    };
    if let Err(e) = client.send_otp(&credential_id).await {
        eprintln!("portal: sendOTP for {credential_id}: {e}");
        return unavailable_page(ctx, StatusCode::BAD_GATEWAY, sha, &request);
    }
    page(
        ctx,
        StatusCode::OK,
        sha,
        &request,
        &View::Code {
            hash,
            problem: None,
        },
    )
}

/// Prepares the cerere for `credential_id` and records it; the hash to sign
/// (hex), or what to tell the citizen.
async fn prepare(
    ctx: &Ctx,
    client: &Client,
    credential_id: &str,
    request: &AwaitingRequest,
    read: Option<&[u8]>,
) -> ghiseu_platform::Result<Result<String, String>> {
    let lang = ctx.lang;
    let account = &ctx.signed.as_ref().expect("a session").1;
    let credential = match Credential::fetch(client, credential_id).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("portal: credentials/info {credential_id}: {e:?}");
            return Ok(Err(unavailable(lang)));
        }
    };
    let (scope, s3) = files(&request.tenant).await?;
    let Some(cerere) = s3
        .get_object(&scope.attachment_object(&digest(&request.cerere.sha256)?))
        .await?
    else {
        return Err(corrupt(&request.cerere.sha256, "the cerere is missing"));
    };
    let mut options = ghiseu_pades::PrepareOptions::new(account.name.as_str(), ctx.now);
    options.reason = Some("Semnătura solicitantului");
    let prepared =
        ghiseu_pades::prepare(&cerere, &options).map_err(|e| corrupt(&request.cerere.sha256, e))?;
    let to_sign = ToSign::new(prepared, credential.signer())
        .map_err(|e| corrupt(&request.cerere.sha256, e))?;
    let hash = to_sign.hash().to_hex();
    let stored = store(
        &s3,
        &scope,
        "cerere-pregatita.pdf",
        to_sign.prepared().bytes().to_vec(),
    )
    .await?;
    let next = Signing::Prepared {
        prepared_sha256: stored.sha256.to_hex(),
        hash_to_sign: hash.clone(),
        credential_id: credential_id.to_owned(),
    };
    if !citizen::move_signing(&account.id, &request.cerere.sha256, read, &next)? {
        // A parallel request prepared it: the citizen sees its hash.
        if let Some((Signing::Prepared { hash_to_sign, .. }, _)) =
            citizen::signing(&ctx.store, &account.id, &request.cerere.sha256).await?
        {
            return Ok(Ok(hash_to_sign));
        }
        return Ok(Err(t(lang, "sign_in_progress").to_owned()));
    }
    Ok(Ok(hash))
}

fn corrupt(what: &str, e: impl ToString) -> ghiseu_platform::Error {
    ghiseu_platform::Error::Corrupt {
        key: format!("signing/{what}"),
        detail: e.to_string(),
    }
}

fn digest(hex: &str) -> ghiseu_platform::Result<Sha256Digest> {
    Sha256Digest::parse(hex).map_err(|e| corrupt(hex, e))
}

async fn files(tenant: &str) -> ghiseu_platform::Result<(TenantScope, S3Client)> {
    let slug = ghiseu_core::TenantSlug::parse(tenant).map_err(|e| corrupt(tenant, e))?;
    Ok((TenantScope::new(&slug), S3Client::from_variables().await?))
}

/// Stores a PDF content-addressed in the tenant's files.
async fn store(
    s3: &S3Client,
    scope: &TenantScope,
    name: &str,
    data: Vec<u8>,
) -> ghiseu_platform::Result<Attachment> {
    match signing::store_pdf(s3, scope, name, name, data).await {
        Ok(a) => Ok(a),
        Err(ghiseu_app::Error::Platform(e)) => Err(e),
        Err(e) => Err(corrupt(name, format!("{e:?}"))),
    }
}

/// How the portal signs: `tsa_url` names the timestamp authority, as the
/// desk's (one pipeline, so a citizen's signature is B-T when the desk's is).
fn signing_config() -> signing::Config {
    signing::Config::new(&spin_sdk::variables::get("tsa_url").unwrap_or_default(), "")
}

/// The citizen's words for the provider's refusal of a code, and whether
/// the same code field may be tried again.
fn refused(lang: Lang, e: &csc::Error) -> Option<(String, bool)> {
    let refusal = e.refusal()?;
    let words = match refusal {
        Refusal::WrongCode {
            attempts_left: Some(n),
        } => match lang {
            Lang::Ro => format!("Codul nu este corect (mai aveți {n} încercări)."),
            Lang::Hu => format!("A kód nem helyes (még {n} próbálkozás)."),
            Lang::En => format!("The code is not right ({n} attempts left)."),
        },
        Refusal::WrongCode {
            attempts_left: None,
        } => t(lang, "code_wrong").to_owned(),
        Refusal::Spent => t(lang, "code_spent").to_owned(),
        Refusal::Locked => t(lang, "code_locked").to_owned(),
        Refusal::Expired => t(lang, "code_expired").to_owned(),
        Refusal::Other => return None,
    };
    Some((words, refusal.may_retry()))
}

/// `POST /portal/sign/{sha}/confirm`.
pub async fn confirm(ctx: &Ctx, sha: &str, form: &Form) -> Res {
    let lang = ctx.lang;
    let Some((record, request)) = waiting(ctx, sha).await? else {
        // Registered meanwhile (a double submit): where the first one went.
        if let Some((_, account)) = &ctx.signed
            && let Some((Signing::Registered { number, .. }, _)) =
                citizen::signing(&ctx.store, &account.id, sha).await?
        {
            return registered(&number);
        }
        return not_found();
    };
    let account = &ctx.signed.as_ref().expect("waiting() needs a session").1;
    let state = citizen::signing(&ctx.store, &account.id, sha).await?;
    let (prepared_sha, hash, credential_id, read) = match state {
        Some((
            Signing::Prepared {
                prepared_sha256,
                hash_to_sign,
                credential_id,
            },
            b,
        )) => (prepared_sha256, hash_to_sign, credential_id, b),
        Some((Signing::Registered { number, .. }, _)) => return registered(&number),
        Some((Signing::Signed { signed, at }, read)) => {
            return in_progress(ctx, sha, &record, &request, &signed, at, &read).await;
        }
        None => return page(ctx, StatusCode::CONFLICT, sha, &request, &View::Start),
    };
    let code_view = |problem: String| View::Code {
        hash: hash.clone(),
        problem: Some(problem),
    };
    let code: String = field(form, "code")
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return page(
            ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            sha,
            &request,
            &code_view(t(lang, "code_format").to_owned()),
        );
    }
    let Some(client) = client().await else {
        return unavailable_page(ctx, StatusCode::SERVICE_UNAVAILABLE, sha, &request);
    };
    let authorized: [u8; 32] = *digest(&hash)?.as_bytes();
    let sad = match client.authorize(&credential_id, &[authorized], &code).await {
        Ok(sad) => sad,
        Err(e) => {
            // A double submit: the first one spent the code and registers.
            if let Some((Signing::Registered { number, .. }, _)) =
                citizen::signing(&ctx.store, &account.id, sha).await?
            {
                return registered(&number);
            }
            return match refused(lang, &e) {
                Some((p, true)) => page(
                    ctx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    sha,
                    &request,
                    &code_view(p),
                ),
                Some((p, false)) => page(ctx, StatusCode::GONE, sha, &request, &View::NewCode(p)),
                None => {
                    eprintln!("portal: authorize {credential_id}: {e}");
                    unavailable_page(ctx, StatusCode::BAD_GATEWAY, sha, &request)
                }
            };
        }
    };
    // The code is spent: what is left is a new code.
    let spent = || {
        page(
            ctx,
            StatusCode::BAD_GATEWAY,
            sha,
            &request,
            &View::NewCode(unavailable(lang)),
        )
    };
    let credential = Credential::fetch(&client, &credential_id).await;
    let signatures = match &credential {
        Ok(c) => {
            client
                .sign_hash(&credential_id, &sad, &[authorized], c.algorithm)
                .await
        }
        Err(_) => Ok(Vec::new()),
    };
    let (credential, signature) = match (credential, signatures) {
        (Ok(c), Ok(mut s)) if s.len() == 1 => (c, s.remove(0)),
        (c, s) => {
            eprintln!(
                "portal: signing {sha} with {credential_id}: {:?} {:?}",
                c.err(),
                s.err()
            );
            return spent();
        }
    };
    let (scope, s3) = files(&request.tenant).await?;
    let Some(prepared) = s3
        .get_object(&scope.attachment_object(&digest(&prepared_sha)?))
        .await?
    else {
        return Err(corrupt(&prepared_sha, "the prepared PDF is missing"));
    };
    let prepared =
        ghiseu_pades::Prepared::from_bytes(prepared).map_err(|e| corrupt(&prepared_sha, e))?;
    let to_sign =
        ToSign::new(prepared, credential.signer()).map_err(|e| corrupt(&prepared_sha, e))?;
    if *to_sign.hash().as_bytes() != authorized {
        return Err(corrupt(
            &prepared_sha,
            "the certificate changed since the code was sent",
        ));
    }
    let signed = match signing::finish(to_sign, &signature, &credential, &signing_config()).await {
        Ok(signed) => signed,
        Err(e @ FinishError::Timestamp(_)) => {
            // The code is spent and the document cannot be signed without
            // its timestamp: a new code signs it again once the TSA answers.
            eprintln!("portal: signing {sha}: {e}");
            return spent();
        }
        Err(FinishError::Signature(e)) => return Err(corrupt(&prepared_sha, e)),
    };
    let signed = store(&s3, &scope, "cerere.pdf", signed).await?;
    finish(
        ctx,
        sha,
        &record,
        &request,
        attachment_to_stored(&signed),
        &read,
    )
    .await
}

/// A registration that another request claimed: wait for it, or take it
/// over when that request can no longer be running.
async fn in_progress(
    ctx: &Ctx,
    sha: &str,
    record: &str,
    request: &AwaitingRequest,
    signed: &StoredAttachment,
    at: chrono::DateTime<chrono::Utc>,
    read: &[u8],
) -> Res {
    if at + chrono::Duration::minutes(TAKEOVER_MINUTES) < ctx.now {
        return finish(ctx, sha, record, request, signed.clone(), read).await;
    }
    page(
        ctx,
        StatusCode::CONFLICT,
        sha,
        request,
        &View::Problem(t(ctx.lang, "sign_in_progress").to_owned()),
    )
}

/// Claims the registration of the signed request (the signing state moves
/// from what was `read` to signed, by leased replace: only one request
/// wins), registers it and takes it off the waiting list.
async fn finish(
    ctx: &Ctx,
    sha: &str,
    record: &str,
    request: &AwaitingRequest,
    signed: StoredAttachment,
    read: &[u8],
) -> Res {
    let account = &ctx.signed.as_ref().expect("a session").1;
    let state = Signing::Signed {
        signed: signed.clone(),
        at: ctx.now,
    };
    if !citizen::move_signing(&account.id, sha, Some(read), &state)? {
        return Ok(see_other("/portal"));
    }
    let signed = attachment_from_stored(&signed).map_err(|e| corrupt(sha, e))?;
    let number = match register(ctx, request, signed, &state).await {
        Ok(d) => d,
        Err(e) => {
            return Err(match e {
                AppError::Platform(p) => p,
                other => corrupt(sha, format!("{other:?}")),
            });
        }
    };
    citizen::remove_awaiting(&account.id, record)?;
    registered(&number)
}

/// Registers the signed request (the signing in `state`, moved to
/// registered afterwards); its number.
async fn register(
    ctx: &Ctx,
    request: &AwaitingRequest,
    signed: Attachment,
    state: &Signing,
) -> Result<String, AppError> {
    let account = &ctx.signed.as_ref().expect("a session").1;
    let Some((tenant, _)) =
        crate::submit::load_type(ctx, &request.tenant, &request.document_type).await?
    else {
        return Err(AppError::NotFound);
    };
    let bad = |e: String| AppError::Platform(corrupt(&request.cerere.sha256, e));
    let mut pairs = Vec::new();
    for (name, value) in &request.form {
        pairs.push((
            FieldName::parse(name).map_err(|e| bad(e.to_string()))?,
            value.clone(),
        ));
    }
    let mut files = vec![signed];
    for a in &request.attachments {
        files.push(attachment_from_stored(a).map_err(|e| bad(e.to_string()))?);
    }
    let code = DocumentTypeCode::parse(&request.document_type).map_err(|e| bad(e.to_string()))?;
    let dossier = crate::submit::register_as_citizen(
        ctx,
        account,
        &tenant,
        code,
        FormData::from_pairs(pairs),
        files,
    )
    .await?;
    let number = dossier.number().to_string();
    let read = serde_json::to_vec(state).map_err(|e| bad(e.to_string()))?;
    citizen::move_signing(
        &account.id,
        &request.cerere.sha256,
        Some(&read),
        &Signing::Registered {
            dossier: dossier.id().to_string(),
            number: number.clone(),
        },
    )?;
    Ok(number)
}
