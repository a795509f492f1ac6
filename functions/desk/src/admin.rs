//! The platform admin API: `POST /api/v1/platform/seed`, bearer
//! `platform_admin_token` (refused entirely when the variable is unset).
//! Idempotent: tenants and the seed's departments are written again (branding
//! and departments added by administrators are kept); a seed document type
//! that changed becomes a new version, an unchanged one stays as it is;
//! officials that exist keep their password; demo dossiers are registered once
//! (keyed by `seed/{slug}/{key}`) through the same intake path as the desk.

use chrono::Utc;
use ghiseu_core::stored::{
    StoredDeadlineRule, StoredDepartment, StoredDocumentType, StoredOfficial, StoredTenant,
    StoredTitles,
};
use ghiseu_core::workflow::Command;
use ghiseu_core::{
    CitizenContact, CitizenName, Department, DepartmentCode, DocumentType, DocumentTypeCode,
    DossierId, Email, InternalNote, Official, PhoneNumber, PublicNote, Reason, Tenant, Username,
};
use ghiseu_platform::http::Request;
use ghiseu_platform::http::{self as web, Problem, Response};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;
use ghiseu_platform::session;
use http::{Method, StatusCode};
use serde::{Deserialize, Serialize};

use crate::service::{self, DeskError, Intake};

#[derive(Deserialize)]
struct Seed {
    tenants: Vec<SeedTenant>,
}

#[derive(Deserialize)]
struct SeedTenant {
    slug: String,
    name: String,
    kind: String,
    registration_prefix: String,
    #[serde(default)]
    languages: Vec<String>,
    public_base_url: Option<String>,
    departments: Vec<SeedDepartment>,
    officials: Vec<SeedOfficial>,
    document_types: Vec<SeedDocumentType>,
    #[serde(default)]
    demo_dossiers: Vec<SeedDossier>,
}

#[derive(Deserialize)]
struct SeedDepartment {
    code: String,
    name: String,
}

#[derive(Deserialize)]
struct SeedOfficial {
    username: String,
    display_name: String,
    department: Option<String>,
    roles: Vec<String>,
    password: String,
}

#[derive(Deserialize)]
struct SeedDocumentType {
    code: String,
    titles: StoredTitles,
    deadline: StoredDeadlineRule,
    first_department: String,
    #[serde(default = "none")]
    signature: String,
    #[serde(default)]
    fee_bani: u64,
    #[serde(default = "ten")]
    retention_years: u16,
}

fn none() -> String {
    "none".to_owned()
}

const fn ten() -> u16 {
    10
}

#[derive(Deserialize)]
struct SeedDossier {
    key: String,
    document_type: String,
    registrar: String,
    #[serde(default)]
    citizen_name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    actions: Vec<SeedAction>,
}

#[derive(Deserialize)]
struct SeedAction {
    by: String,
    action: String,
    department: Option<String>,
    official: Option<String>,
    note: Option<String>,
    reason: Option<String>,
    /// The receiving institution, for `forward_to_institution`.
    #[serde(default)]
    tenant: Option<String>,
    /// The question, for `request_info`.
    #[serde(default)]
    question: Option<String>,
    /// The response letter's text, for `attach_response` (rendered as a
    /// one-page PDF).
    #[serde(default)]
    text: Option<String>,
}

#[derive(Serialize)]
struct Login {
    institution: String,
    username: String,
    password: String,
    roles: Vec<String>,
}

#[derive(Serialize)]
struct DemoDossier {
    /// The seed's key (e.g. `petitie-forwarded-1`).
    key: String,
    institution: String,
    registration_number: String,
    status: String,
    tracking_url: String,
}

#[derive(Serialize)]
struct SeedResult {
    tenants: Vec<String>,
    logins: Vec<Login>,
    dossiers: Vec<DemoDossier>,
}

fn bad(detail: impl Into<String>) -> Response {
    web::problem(StatusCode::UNPROCESSABLE_ENTITY, detail)
}

/// Handles `/api/v1/platform/...`.
pub async fn handle(store: &Store, request: Request, path: &str) -> Response {
    if let Err(refused) = web::require_platform_admin(request.headers()).await {
        return refused;
    }
    if path == "/api/v1/platform/notifications/dispatch" {
        if request.method() != Method::POST {
            return web::problem(StatusCode::METHOD_NOT_ALLOWED, "Use POST.");
        }
        let retry_now = request
            .uri()
            .query()
            .is_some_and(|q| q.contains("retry=now"));
        return match service::dispatch_notifications(store, 50, retry_now).await {
            Ok(report) => web::json(StatusCode::OK, &report),
            Err(e) => {
                eprintln!("notifications: {e:?}");
                web::problem(
                    StatusCode::BAD_GATEWAY,
                    "The notifications could not be dispatched; they stay queued.",
                )
            }
        };
    }
    if path == "/api/v1/platform/metrics" {
        if request.method() != Method::GET {
            return web::problem(StatusCode::METHOD_NOT_ALLOWED, "Use GET.");
        }
        return match ghiseu_platform::notify::depth(store, Utc::now()).await {
            Ok(depth) => web::bytes(
                StatusCode::OK,
                "text/plain; version=0.0.4; charset=utf-8",
                format!(
                    "# HELP ghiseu_outbox_pending Notifications not delivered yet.\n\
                     # TYPE ghiseu_outbox_pending gauge\nghiseu_outbox_pending {}\n\
                     # HELP ghiseu_outbox_due Notifications due for delivery now.\n\
                     # TYPE ghiseu_outbox_due gauge\nghiseu_outbox_due {}\n\
                     # HELP ghiseu_outbox_oldest_due_seconds How long the oldest due notification has waited.\n\
                     # TYPE ghiseu_outbox_oldest_due_seconds gauge\nghiseu_outbox_oldest_due_seconds {}\n",
                    depth.pending, depth.due, depth.oldest_due_seconds
                ),
            ),
            Err(e) => {
                eprintln!("metrics: {e:?}");
                web::problem(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The outbox could not be read.",
                )
            }
        };
    }
    if path != "/api/v1/platform/seed" {
        return web::problem(StatusCode::NOT_FOUND, "No such platform resource.");
    }
    if request.method() != Method::POST {
        return web::problem(StatusCode::METHOD_NOT_ALLOWED, "Use POST.");
    }
    let origin = crate::origin(request.headers());
    let (_, body) = match web::read_request(request, 1024 * 1024).await {
        Ok(b) => b,
        Err(e) => return Problem::from_error(&e).into_response(),
    };
    let seed: Seed = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => return bad(format!("The seed document is not valid: {e}")),
    };
    match load(store, seed, &origin).await {
        Ok(result) => web::json(StatusCode::OK, &result),
        Err(SeedError::Invalid(m)) => bad(m),
        Err(SeedError::Desk(e)) => {
            eprintln!("seed: {e:?}");
            web::problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The seed could not be loaded completely; retrying is safe.",
            )
        }
    }
}

enum SeedError {
    Invalid(String),
    Desk(DeskError),
}

impl From<DeskError> for SeedError {
    fn from(e: DeskError) -> Self {
        match e {
            DeskError::Invalid(v) => {
                Self::Invalid(v.into_iter().map(|(_, m)| m).collect::<Vec<_>>().join(" "))
            }
            other => Self::Desk(other),
        }
    }
}

impl From<ghiseu_platform::Error> for SeedError {
    fn from(e: ghiseu_platform::Error) -> Self {
        Self::Desk(DeskError::Platform(e))
    }
}

fn invalid<E: std::fmt::Display>(what: &str) -> impl Fn(E) -> SeedError + '_ {
    move |e| SeedError::Invalid(format!("{what}: {e}"))
}

async fn load(store: &Store, seed: Seed, origin: &str) -> Result<SeedResult, SeedError> {
    let mut result = SeedResult {
        tenants: Vec::new(),
        logins: Vec::new(),
        dossiers: Vec::new(),
    };
    for t in seed.tenants {
        let tenant = Tenant::from_stored(&StoredTenant {
            v: 1,
            slug: t.slug.clone(),
            name: t.name.clone(),
            kind: t.kind.clone(),
            registration_prefix: t.registration_prefix.clone(),
            languages: if t.languages.is_empty() {
                vec!["ro".into()]
            } else {
                t.languages.clone()
            },
            public_base_url: t
                .public_base_url
                .clone()
                .unwrap_or_else(|| origin.to_owned()),
            active: true,
            branding: Default::default(),
        })
        .map_err(invalid(&format!("tenant {}", t.slug)))?;
        let scope = TenantScope::new(&tenant.slug);
        let departments = t
            .departments
            .iter()
            .map(|d| {
                Department::from_stored(&StoredDepartment {
                    v: 1,
                    tenant: t.slug.clone(),
                    code: d.code.clone(),
                    name: d.name.clone(),
                    active: true,
                })
                .map_err(invalid(&format!("department {}", d.code)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let types = t
            .document_types
            .iter()
            .map(|d| {
                DocumentType::from_stored(&StoredDocumentType {
                    v: 1,
                    tenant: t.slug.clone(),
                    code: d.code.clone(),
                    version: 1,
                    titles: d.titles.clone(),
                    deadline: d.deadline,
                    first_department: d.first_department.clone(),
                    signature: d.signature.clone(),
                    fee_bani: d.fee_bani,
                    retention_years: d.retention_years,
                    fields: vec![],
                })
                .map_err(invalid(&format!("document type {}", d.code)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        // A second seed keeps what administrators changed since: the branding,
        // departments the seed does not name, and earlier type versions (a
        // changed seed type becomes a new version).
        let existing = repo::get_tenant(store, &tenant.slug).await?;
        let tenant = Tenant {
            branding: existing.map(|t| t.branding).unwrap_or_default(),
            ..tenant
        };
        let mut all_departments: Vec<Department> = repo::departments(store, &scope)
            .await?
            .into_iter()
            .filter(|d| !departments.iter().any(|s| s.code == d.code))
            .collect();
        all_departments.extend(departments);
        repo::put_tenant(store, &tenant).await?;
        repo::put_departments(store, &scope, &all_departments).await?;
        repo::put_document_types(store, &scope, &types).await?;
        for o in &t.officials {
            let official = Official::from_stored(&StoredOfficial {
                v: 1,
                tenant: t.slug.clone(),
                username: o.username.clone(),
                display_name: o.display_name.clone(),
                department: o.department.clone(),
                roles: o.roles.clone(),
                active: true,
            })
            .map_err(invalid(&format!("official {}", o.username)))?;
            // Existing officials keep their hash: no rehash on a second seed.
            let hash = match repo::official_with_hash(store, &scope, &official.username).await? {
                Some((_, h)) if session::verify_password(&o.password, &h) => h,
                _ => session::hash_password(&o.password)?,
            };
            repo::put_official(store, &scope, &official, &hash).await?;
            result.logins.push(Login {
                institution: t.slug.clone(),
                username: o.username.clone(),
                password: o.password.clone(),
                roles: o.roles.clone(),
            });
        }
        for d in t.demo_dossiers {
            let key = d.key.clone();
            let dossier = demo_dossier(store, &tenant, d).await?;
            result.dossiers.push(DemoDossier {
                key: key.clone(),
                institution: t.slug.clone(),
                registration_number: dossier.number().to_string(),
                status: dossier.status().code().to_owned(),
                tracking_url: format!("{origin}/track/{}", dossier.token()),
            });
        }
        result.tenants.push(t.slug);
    }
    Ok(result)
}

async fn actor_of(
    store: &Store,
    scope: &TenantScope,
    username: &str,
) -> Result<ghiseu_core::Actor, SeedError> {
    let user = Username::parse(username).map_err(invalid("username"))?;
    repo::official(store, scope, &user)
        .await?
        .and_then(|o| o.actor())
        .ok_or_else(|| SeedError::Invalid(format!("unknown official {username}")))
}

async fn demo_dossier(
    store: &Store,
    tenant: &Tenant,
    d: SeedDossier,
) -> Result<ghiseu_core::Dossier, SeedError> {
    let scope = TenantScope::new(&tenant.slug);
    let marker = format!("seed/{}/{}", tenant.slug, d.key);
    if let Some(id) = store.get(&marker).await?
        && let Some(id) = std::str::from_utf8(&id)
            .ok()
            .and_then(|s| DossierId::parse(s).ok())
        && let Some(v) = repo::get_dossier(store, &scope, &id).await?
    {
        return Ok(v.dossier);
    }
    let registrar = actor_of(store, &scope, &d.registrar).await?;
    let contact = CitizenContact {
        name: d
            .citizen_name
            .as_deref()
            .map(CitizenName::parse)
            .transpose()
            .map_err(invalid("citizen_name"))?,
        email: d
            .email
            .as_deref()
            .map(Email::parse)
            .transpose()
            .map_err(invalid("email"))?,
        phone: d
            .phone
            .as_deref()
            .map(PhoneNumber::parse)
            .transpose()
            .map_err(invalid("phone"))?,
        cnp: None,
        lang: None,
    };
    let intake = Intake {
        channel: ghiseu_core::Channel::Paper,
        stored: Vec::new(),
        document_type: DocumentTypeCode::parse(&d.document_type)
            .map_err(invalid("document_type"))?,
        contact,
        scans: vec![],
        note: d
            .note
            .as_deref()
            .map(InternalNote::parse)
            .transpose()
            .map_err(invalid("note"))?,
        public_note: Some(PublicNote::parse("Depus la registratură").map_err(invalid("note"))?),
        form: Default::default(),
    };
    let mut dossier = service::register(
        store,
        tenant,
        service::Registrant::Official(&registrar),
        intake,
        Utc::now(),
    )
    .await
    .map_err(DeskError::from)?;
    store
        .set(&marker, dossier.id().to_string().as_bytes())
        .await?;
    for a in d.actions {
        let actor = actor_of(store, &scope, &a.by).await?;
        let dept = |v: &Option<String>| -> Result<DepartmentCode, SeedError> {
            DepartmentCode::parse(v.as_deref().unwrap_or("")).map_err(invalid("department"))
        };
        let note = a
            .note
            .as_deref()
            .map(PublicNote::parse)
            .transpose()
            .map_err(invalid("note"))?;
        let command = match a.action.as_str() {
            "assign" => Command::Assign {
                department: dept(&a.department)?,
                official: a
                    .official
                    .as_deref()
                    .map(Username::parse)
                    .transpose()
                    .map_err(invalid("official"))?,
            },
            "forward" => Command::Forward {
                to_department: dept(&a.department)?,
                note,
            },
            "resolve" => Command::Resolve { note },
            "send_for_signature" => Command::SendForSignature,
            "attach_response" => {
                let text = a.text.as_deref().unwrap_or("");
                if text.trim().is_empty() || text.len() > 4000 {
                    return Err(SeedError::Invalid(
                        "attach_response needs a text of at most 4000 bytes".to_owned(),
                    ));
                }
                let number = dossier.number().to_string();
                let pdf =
                    crate::letter::render(&[tenant.name.as_str(), &format!("Nr. {number}")], text);
                let s3 = ghiseu_platform::s3::S3Client::from_variables()
                    .await
                    .map_err(|e| SeedError::Desk(e.into()))?;
                let document = service::store_file(
                    &s3,
                    &scope,
                    service::Scan {
                        name: ghiseu_core::dossier::OriginalName::parse(&format!(
                            "raspuns-{number}.pdf"
                        ))
                        .map_err(invalid("text"))?,
                        media_type: ghiseu_core::MediaType::Pdf,
                        data: pdf,
                    },
                )
                .await
                .map_err(|e| SeedError::Desk(e.into()))?;
                Command::AttachResponse { document }
            }
            "reject" => Command::Reject {
                reason: Reason::parse(a.reason.as_deref().unwrap_or(""))
                    .map_err(invalid("reason"))?,
            },
            "request_info" => Command::RequestInfo {
                question: Reason::parse(a.question.as_deref().unwrap_or(""))
                    .map_err(invalid("question"))?,
            },
            "forward_to_institution" => Command::ForwardToInstitution {
                tenant: ghiseu_core::TenantSlug::parse(a.tenant.as_deref().unwrap_or(""))
                    .map_err(invalid("tenant"))?,
                dossier: DossierId::from_random(
                    session::random_bytes::<16>().map_err(|e| SeedError::Desk(e.into()))?,
                ),
                note,
            },
            other => return Err(SeedError::Invalid(format!("unknown action {other}"))),
        };
        dossier = service::act(
            store,
            tenant,
            &actor,
            &dossier.id(),
            None,
            command,
            Utc::now(),
        )
        .await?;
    }
    Ok(dossier)
}
