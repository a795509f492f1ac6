//! The signer's batch at the desk (DESIGN §5, the flagship): the queue, the
//! batch page, the code. The use cases are `ghiseu_app::signing::batch`;
//! this file parses the forms, reads the configuration and the clock, and
//! words and renders the outcome.
//!
//! - `GET /desk/sign`: the one signing queue, every dossier of the tenant
//!   waiting for signature, filtered by type and department (the inbox's
//!   "to sign" view redirects here).
//! - `POST /desk/sign/batches` (`d` per selected dossier): prepares them and
//!   has the service send one code.
//! - `GET /desk/sign/batches/{id}` (and `.json`, the progress poll): the
//!   documents and their SHA-256 ("sign what you see"), the code field.
//! - `POST /desk/sign/batches/{id}` (`otp`): signs the next part.
//! - `GET /desk/sign/batches/{id}/documents/{n}`: the PDF document `n` will
//!   sign, for the batch's signer only.
//! - `POST /desk/sign/batches/{id}/code`: a new code.
//! - `POST /api/v1/signing/callback`: the service's asynchronous result.

use ghiseu_app::signing::batch::{self, Signed as Outcome};
use ghiseu_app::signing::issue;
use ghiseu_app::signing::service::{Failure, Service, SignError, Signer};
use ghiseu_app::signing::{self, callback};
use ghiseu_core::signing::{Batch, MAX_BATCH};
use ghiseu_core::{DossierId, DossierStatus, Lang};
use ghiseu_platform::Outbound;
use ghiseu_platform::csc::{self, Client, Refusal};
use ghiseu_platform::http::{self as web, Response, secure_html, see_other};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;

use crate::error::DeskError;
use crate::pages;
use crate::session::{Signed, csrf_ok};

/// The batch page's CSP: the desk's, plus its own script (`static/desk-sign.js`,
/// served by the static component)
/// and the progress poll of the batch's JSON.
const BATCH_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
                         script-src 'self'; connect-src 'self'; form-action 'self'; \
                         frame-ancestors 'none'; base-uri 'none'";

/// The desk's signing configuration: the service, the timestamp authority,
/// the asynchronous callback.
pub(crate) async fn client() -> Result<Client, DeskError> {
    let config = csc::Config::from_variables()
        .await
        .map_err(|e| desk_error(SignError::Unavailable(e)))?;
    match config {
        Some(c) => Ok(Client::new(c)),
        None => Err(DeskError::NotAllowed(
            "Semnarea la distanță nu este configurată pe această platformă (csc_url).".to_owned(),
        )),
    }
}

pub(crate) fn config() -> signing::Config {
    let var = |name: &str| ghiseu_platform::config::variable_or_empty(name);
    signing::Config::new(&var("tsa_url"), &var("csc_callback_url"))
}

/// Why a document was not signed, as the signer reads it on the batch page.
fn words(failure: &Failure) -> String {
    match failure {
        Failure::Workflow(e) => e.to_string(),
        Failure::DossierGone => "Dosarul nu mai există.".to_owned(),
        Failure::Unpreparable(e) => format!("Documentul nu poate fi semnat: {e}"),
        Failure::Signature(e) => e.clone(),
        Failure::NoTimestamp(e) => format!("Marca temporală lipsește: {e}"),
        Failure::Refused(e) => format!("Furnizorul de semnare a refuzat: {e}"),
        Failure::NotApplied => {
            "Semnătura nu a putut fi aplicată; selectați documentul din nou.".to_owned()
        }
        Failure::KeptChanging => {
            "Dosarul a fost modificat de mai multe ori în timpul semnării.".to_owned()
        }
    }
}

/// What the signer is told when the service refuses the code.
fn refusal(refusal: Refusal) -> String {
    match refusal {
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
    }
}

/// The desk's error of a batch step that did not happen.
fn desk_error(e: SignError) -> DeskError {
    match e {
        SignError::NothingSelected => DeskError::Invalid(vec![(
            "d".to_owned(),
            "Selectați cel puțin un document.".to_owned(),
        )]),
        SignError::TooMany => DeskError::Invalid(vec![(
            "d".to_owned(),
            format!("Cel mult {MAX_BATCH} documente într-un lot."),
        )]),
        SignError::NotASigner => {
            DeskError::Forbidden("Doar un semnatar poate semna documente.".to_owned())
        }
        SignError::NoCredential => DeskError::NotAllowed(
            "Nu aveți un certificat de semnătură calificată la furnizorul de semnare.".to_owned(),
        ),
        SignError::Code(r) => DeskError::Invalid(vec![("otp".to_owned(), refusal(r))]),
        SignError::Unavailable(e) => {
            eprintln!("desk: signing service: {e}");
            DeskError::NotAllowed(
                "Furnizorul de semnare nu răspunde. Nimic nu a fost semnat; încercați din nou \
                 peste câteva minute."
                    .to_owned(),
            )
        }
        SignError::Unpreparable(e) => {
            DeskError::NotAllowed(format!("Semnătura nu a putut fi construită: {e}"))
        }
        SignError::App(e) => e,
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

fn signer(signed: &Signed, lang: Lang) -> Signer<'_> {
    Signer {
        actor: &signed.actor,
        name: &signed.display_name,
        institution: signed.tenant.name.as_str(),
        lang,
    }
}

fn to_batch(id: &str) -> Response {
    see_other(&format!("/desk/sign/batches/{id}"))
}

fn batch_page(
    status: http::StatusCode,
    lang: Lang,
    signed: &Signed,
    batch: &Batch,
    errors: &[(String, String)],
) -> Response {
    let stored = batch.to_stored();
    web::secure_html_with(
        status,
        pages::signing_batch(
            lang,
            signed,
            crate::batch_view::page(batch, &stored),
            errors,
        ),
        BATCH_CSP,
    )
}

/// `GET /desk/sign` (`document_type`, `department`, `all`): the one signing
/// queue (the inbox's "to sign" view leads here): every dossier of the
/// tenant waiting for signature, by deadline, with its subject, petitioner
/// and type title, filtered by type and by department.
pub async fn queue(
    store: &Store,
    signed: &Signed,
    lang: Lang,
    query: &str,
) -> Result<Response, DeskError> {
    let scope = TenantScope::new(&signed.actor.tenant);
    let q = web::parse_form(query.as_bytes());
    let filter = pages::QueueFilter {
        document_type: web::form_field(&q, "document_type")
            .filter(|v| !v.is_empty())
            .map(str::to_owned),
        department: web::form_field(&q, "department")
            .filter(|v| !v.is_empty())
            .map(str::to_owned),
    };
    let mut waiting: Vec<repo::Summary> = repo::open_dossiers(store, &scope)
        .await?
        .into_iter()
        .filter(|s| s.status == DossierStatus::AwaitingSignature.code())
        .filter(|s| {
            filter
                .document_type
                .as_deref()
                .is_none_or(|t| s.document_type == t)
        })
        .filter(|s| {
            filter
                .department
                .as_deref()
                .is_none_or(|d| s.department == d)
        })
        .collect();
    waiting.sort_by(|a, b| a.deadline.cmp(&b.deadline).then(a.number.cmp(&b.number)));
    let departments = repo::departments(store, &scope).await?;
    let types = repo::document_types(store, &scope).await?;
    let rows = queue_rows(store, &scope, lang, &waiting, &types, &departments).await?;
    let type_options: Vec<(String, String)> = types
        .iter()
        .map(|t| {
            (
                t.code.as_str().to_owned(),
                t.titles.get(lang).as_str().to_owned(),
            )
        })
        .collect();
    let department_options: Vec<(String, String)> = departments
        .iter()
        .map(|d| {
            (
                d.code.as_str().to_owned(),
                d.name.get(lang).as_str().to_owned(),
            )
        })
        .collect();
    let all = web::query_param(query, "all").is_some();
    Ok(secure_html(
        http::StatusCode::OK,
        pages::signing_queue(
            lang,
            signed,
            &pages::Queue {
                rows: &rows,
                filter: &filter,
                types: &type_options,
                departments: &department_options,
                all,
            },
        ),
    ))
}

/// The queue's rows for the summaries `waiting`: names of types and
/// departments in `lang`, the subject and petitioner from each dossier.
async fn queue_rows(
    store: &Store,
    scope: &TenantScope,
    lang: Lang,
    waiting: &[repo::Summary],
    types: &[ghiseu_core::DocumentType],
    departments: &[ghiseu_core::Department],
) -> Result<Vec<pages::QueueRow>, DeskError> {
    let mut rows = Vec::with_capacity(waiting.len());
    for s in waiting {
        let id = DossierId::parse(&s.id).map_err(|_| DeskError::NotFound)?;
        // The subject and the petitioner are not in the inbox summary: read
        // from the dossier (the queue holds the few dossiers waiting for
        // signature, not the whole inbox).
        let (subject, petitioner) = match repo::get_dossier(store, scope, &id).await? {
            Some(v) => (
                subject_of(v.dossier.form()),
                v.dossier
                    .contact()
                    .name
                    .as_ref()
                    .map(|n| n.as_str().to_owned()),
            ),
            None => (None, None),
        };
        let type_title = types
            .iter()
            .find(|t| t.code.as_str() == s.document_type)
            .map_or_else(
                || s.document_type.clone(),
                |t| t.titles.get(lang).as_str().to_owned(),
            );
        let department = departments
            .iter()
            .find(|d| d.code.as_str() == s.department)
            .map_or_else(
                || s.department.clone(),
                |d| d.name.get(lang).as_str().to_owned(),
            );
        rows.push(pages::QueueRow {
            id: s.id.clone(),
            number: s.number.clone(),
            subject,
            petitioner,
            type_title,
            department,
            deadline: s.deadline,
        });
    }
    Ok(rows)
}

/// What a queue row calls the dossier's subject: the form's subject field
/// (`subiect`, `subject`, `obiect`), else its first value that is not a
/// number, shortened to 80 characters.
fn subject_of(form: &ghiseu_core::form::FormData) -> Option<String> {
    let named = ["subiect", "subject", "obiect"]
        .iter()
        .find_map(|n| form.get(n).filter(|v| !v.trim().is_empty()));
    let value = named.or_else(|| {
        form.pairs().iter().map(|(_, v)| v.as_str()).find(|v| {
            !v.trim().is_empty() && !v.chars().all(|c| c.is_ascii_digit() || c.is_whitespace())
        })
    })?;
    let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(if value.chars().count() > 80 {
        format!("{}…", value.chars().take(79).collect::<String>())
    } else {
        value
    })
}

/// `POST /desk/sign/batches`: prepares the selected documents and sends the code.
pub async fn create(
    store: &Store,
    signed: &Signed,
    lang: Lang,
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
    let setup = Setup::new().await?;
    let id = batch::create(
        &setup.service(store),
        signer(signed, lang),
        origin,
        &ids,
        ghiseu_platform::config::now(),
    )
    .await
    .map_err(desk_error)?;
    Ok(to_batch(&id.to_string()))
}

/// What the batch's use cases need: the stores, the signing service, the
/// configuration, the desk's words.
struct Setup {
    out: Outbound,
    client: Client,
    config: signing::Config,
}

impl Setup {
    async fn new() -> Result<Self, DeskError> {
        Ok(Self {
            out: Outbound::from_variables().await?,
            client: client().await?,
            config: config(),
        })
    }

    fn service<'a>(&'a self, store: &'a Store) -> Service<'a> {
        Service {
            store,
            out: &self.out,
            client: &self.client,
            config: &self.config,
            words,
        }
    }
}

/// `GET /desk/sign/batches/{id}` (and `.json` for the progress poll).
pub async fn show(
    store: &Store,
    signed: &Signed,
    lang: Lang,
    id: &str,
    json: bool,
) -> Result<Response, DeskError> {
    let (key, batch) =
        batch::load(store, &signed.actor, id, ghiseu_platform::config::now()).await?;
    if json {
        return Ok(web::json(http::StatusCode::OK, &batch.to_stored()));
    }
    // The page (not the progress poll, which runs while a part is signed)
    // shows what was issued even if the request that issued it died.
    let batch = issue::repair(store, &signed.tenant, &key, batch).await?;
    Ok(batch_page(http::StatusCode::OK, lang, signed, &batch, &[]))
}

/// `GET /desk/sign/batches/{id}/documents/{n}`: the response document `n`
/// (from 1, as the batch page numbers them) will sign, inline, for the
/// batch's signer only: another official's request is not found.
pub async fn document(
    store: &Store,
    signed: &Signed,
    id: &str,
    n: &str,
) -> Result<Response, DeskError> {
    let index = n
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .ok_or(DeskError::NotFound)?;
    let out = Outbound::from_variables().await?;
    let (file, dossier, bytes) = batch::document(
        store,
        &out,
        &signed.actor,
        id,
        index,
        ghiseu_platform::config::now(),
    )
    .await?;
    let name = file.original_name.as_str().to_owned();
    let opened = ghiseu_core::access::Opened::File {
        sha256: file.sha256,
        name: name.clone(),
    };
    crate::access::opened(store, signed, &dossier, opened).await?;
    Ok(crate::inline_file::inline_file(
        "application/pdf",
        &name,
        bytes,
        "private, no-store",
    ))
}

/// `POST /desk/sign/batches/{id}/code`: a new code.
pub async fn resend(
    store: &Store,
    signed: &Signed,
    lang: Lang,
    id: &str,
    body: &[u8],
) -> Result<Response, DeskError> {
    checked_form(signed, body)?;
    let setup = Setup::new().await?;
    batch::resend(
        &setup.service(store),
        signer(signed, lang),
        id,
        ghiseu_platform::config::now(),
    )
    .await
    .map_err(desk_error)?;
    Ok(to_batch(id))
}

/// `POST /desk/sign/batches/{id}`: the code; signs the next part of the batch.
pub async fn sign(
    store: &Store,
    signed: &Signed,
    lang: Lang,
    id: &str,
    body: &[u8],
) -> Result<Response, DeskError> {
    let form = checked_form(signed, body)?;
    let otp: String = web::form_raw(&form, "otp")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if otp.is_empty() || otp.len() > 16 || !otp.chars().all(|c| c.is_ascii_alphanumeric()) {
        let (key, batch) =
            batch::load(store, &signed.actor, id, ghiseu_platform::config::now()).await?;
        let batch = issue::repair(store, &signed.tenant, &key, batch).await?;
        let problem = [(
            "otp".to_owned(),
            "Introduceți codul primit prin SMS.".to_owned(),
        )];
        return Ok(batch_page(
            http::StatusCode::UNPROCESSABLE_ENTITY,
            lang,
            signed,
            &batch,
            &problem,
        ));
    }
    let setup = Setup::new().await?;
    match batch::sign(
        &setup.service(store),
        signer(signed, lang),
        &signed.tenant,
        id,
        &otp,
        ghiseu_platform::config::now(),
    )
    .await
    {
        Ok(Outcome::Done) => Ok(to_batch(id)),
        Ok(Outcome::Refused(r, batch)) => Ok(batch_page(
            http::StatusCode::UNPROCESSABLE_ENTITY,
            lang,
            signed,
            &batch,
            &[("otp".to_owned(), refusal(r))],
        )),
        Err(e) => Err(desk_error(e)),
    }
}

/// `POST /api/v1/signing/callback`: the signing service's asynchronous
/// result. A bad signature is 401; a result that is not awaited (replayed,
/// or already applied) changes nothing.
pub async fn callback(store: &Store, headers: &http::HeaderMap, body: &[u8]) -> Response {
    let secret = ghiseu_platform::config::variable_or_empty("csc_callback_secret");
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
    let setup = match Setup::new().await {
        Ok(s) => s,
        Err(e) => {
            let r = crate::error::IntoHtml::into_html(e);
            return web::problem(r.status(), "Remote signing is not configured.");
        }
    };
    match callback::apply(
        &setup.service(store),
        &result,
        ghiseu_platform::config::now(),
    )
    .await
    {
        Ok(applied) => web::json(
            http::StatusCode::OK,
            &serde_json::json!({ "applied": applied }),
        ),
        Err(SignError::App(DeskError::NotFound)) => web::problem(
            http::StatusCode::NOT_FOUND,
            "No signing batch awaits this result.",
        ),
        Err(other) => {
            eprintln!("desk: applying a signing result: {other:?}");
            let r = crate::error::IntoHtml::into_html(desk_error(other));
            web::problem(r.status(), "The result could not be applied; retry later.")
        }
    }
}
