//! `POST /api/v1/platform/seed` (routed by [`crate::platform_ops`]): loads a
//! seed document. Idempotent: tenants and the seed's departments are written again (branding
//! and departments added by administrators are kept); a seed document type
//! that changed becomes a new version, an unchanged one stays as it is (a
//! type's `fields` are written as stored, [`StoredField`], and checked as a
//! stored record is when read);
//! officials that exist keep their password; demo dossiers are registered once
//! (keyed by `seed/{slug}/{key}`) through the same intake path as the desk.

use chrono::{DateTime, Utc};
use ghiseu_app::Error as AppError;
use ghiseu_app::dossiers::{Intake, Registrant, Scan, register, store_file};
use ghiseu_core::dossier::OriginalName;
use ghiseu_core::stored::{
    StoredDeadlineRule, StoredDepartment, StoredDocumentType, StoredField, StoredOfficial,
    StoredPublicContact, StoredTenant, StoredTitles,
};
use ghiseu_core::workflow::Command;
use ghiseu_core::{
    Actor, CitizenContact, CitizenName, Department, DepartmentCode, DocumentType, DocumentTypeCode,
    Dossier, DossierId, Email, InternalNote, MediaType, Official, PhoneNumber, PublicNote, Reason,
    Tenant, TenantSlug, Username,
};
use ghiseu_platform::Outbound;
use ghiseu_platform::http::{self as web, Response};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;
use ghiseu_platform::s3::S3Client;
use ghiseu_platform::session;
use http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::letter;

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
    /// Address, telephone, e-mail and opening hours, shown on the front door.
    #[serde(default)]
    contact: StoredPublicContact,
}

#[derive(Deserialize)]
struct SeedDepartment {
    code: String,
    name: String,
    /// The Hungarian name, if any.
    #[serde(default)]
    name_hu: Option<String>,
    /// The English name, if any.
    #[serde(default)]
    name_en: Option<String>,
}

#[derive(Deserialize)]
struct SeedOfficial {
    username: String,
    display_name: String,
    department: Option<String>,
    roles: Vec<String>,
    password: String,
    /// Where the official's deadline reminders go.
    #[serde(default)]
    email: Option<String>,
    /// The language of the reminders (`ro`, `hu`, `en`).
    #[serde(default)]
    lang: Option<String>,
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
    /// The form, in the stored format ([`StoredField`]).
    #[serde(default)]
    fields: Vec<StoredField>,
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

/// Loads the seed document `body`; `origin` is the public base URL of
/// tenants that name none.
pub async fn load_json(store: &Store, body: &[u8], origin: &str) -> Response {
    let seed: Seed = match serde_json::from_slice(body) {
        Ok(s) => s,
        Err(e) => return bad(format!("The seed document is not valid: {e}")),
    };
    match load(store, seed, origin).await {
        Ok(result) => web::json(StatusCode::OK, &result),
        Err(SeedError::Invalid(m)) => bad(m),
        Err(SeedError::App(e)) => {
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
    App(AppError),
}

impl From<AppError> for SeedError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Invalid(v) => {
                Self::Invalid(v.into_iter().map(|(_, m)| m).collect::<Vec<_>>().join(" "))
            }
            other => Self::App(other),
        }
    }
}

impl From<ghiseu_platform::Error> for SeedError {
    fn from(e: ghiseu_platform::Error) -> Self {
        Self::App(AppError::Platform(e))
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
        let tenant = put_tenant(store, &t, origin).await?;
        let scope = TenantScope::new(&tenant.slug);
        for o in &t.officials {
            put_official(store, &scope, &t.slug, o).await?;
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

/// The seed's tenant as stored (public base URL: `origin` unless named).
fn tenant_of(t: &SeedTenant, origin: &str) -> Result<Tenant, SeedError> {
    Tenant::from_stored(&StoredTenant {
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
        contact: t.contact.clone(),
    })
    .map_err(invalid(&format!("tenant {}", t.slug)))
}

/// The seed's departments and document types.
fn catalogue_of(t: &SeedTenant) -> Result<(Vec<Department>, Vec<DocumentType>), SeedError> {
    let departments = t
        .departments
        .iter()
        .map(|d| {
            Department::from_stored(&StoredDepartment {
                v: 1,
                tenant: t.slug.clone(),
                code: d.code.clone(),
                name: d.name.clone(),
                name_hu: d.name_hu.clone(),
                name_en: d.name_en.clone(),
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
                fields: d.fields.clone(),
            })
            .map_err(invalid(&format!("document type {}", d.code)))
            .and_then(|ty| as_administered(ty, &departments))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((departments, types))
}

/// `ty` as the administrator's API would save it: the same limits (field
/// count, sizes, options, names used once) hold for the seed, and the type is
/// normalised the same way.
fn as_administered(
    ty: DocumentType,
    departments: &[Department],
) -> Result<DocumentType, SeedError> {
    let codes: Vec<DepartmentCode> = departments.iter().map(|d| d.code.clone()).collect();
    ty.to_draft()
        .validate(&ty.tenant, &ty.code, ty.version, &codes)
        .map_err(|errors| {
            let problems: Vec<String> = errors
                .iter()
                .map(|e| format!("{}: {}", e.path, e.message))
                .collect();
            SeedError::Invalid(format!(
                "document type {}: {}",
                ty.code,
                problems.join("; ")
            ))
        })
}

/// Writes the tenant, its departments and document types.
async fn put_tenant(store: &Store, t: &SeedTenant, origin: &str) -> Result<Tenant, SeedError> {
    let tenant = tenant_of(t, origin)?;
    let (departments, types) = catalogue_of(t)?;
    let scope = TenantScope::new(&tenant.slug);
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
    Ok(tenant)
}

/// Writes an official; an existing one keeps their hash (no rehash on a
/// second seed).
async fn put_official(
    store: &Store,
    scope: &TenantScope,
    slug: &str,
    o: &SeedOfficial,
) -> Result<(), SeedError> {
    let official = Official::from_stored(&StoredOfficial {
        v: 1,
        tenant: slug.to_owned(),
        username: o.username.clone(),
        display_name: o.display_name.clone(),
        department: o.department.clone(),
        roles: o.roles.clone(),
        active: true,
        sessions_from: None,
        email: o.email.clone(),
        lang: o.lang.clone(),
    })
    .map_err(invalid(&format!("official {}", o.username)))?;
    let hash = match repo::official_with_hash(store, scope, &official.username).await? {
        Some((_, h)) if session::verify_password(&o.password, &h) => h,
        _ => session::hash_password(&o.password)?,
    };
    repo::put_official(store, scope, &official, &hash).await?;
    Ok(())
}

async fn actor_of(store: &Store, scope: &TenantScope, username: &str) -> Result<Actor, SeedError> {
    let user = Username::parse(username).map_err(invalid("username"))?;
    repo::official(store, scope, &user)
        .await?
        .and_then(|o| o.actor())
        .ok_or_else(|| SeedError::Invalid(format!("unknown official {username}")))
}

/// The demo dossier's intake, as the registry would take it on paper.
fn intake_of(d: &SeedDossier) -> Result<Intake, SeedError> {
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
    Ok(Intake {
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
        paper_pages: None,
    })
}

/// Registers a demo dossier once (keyed by `seed/{slug}/{key}`), then takes
/// its actions.
async fn demo_dossier(
    store: &Store,
    tenant: &Tenant,
    d: SeedDossier,
) -> Result<Dossier, SeedError> {
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
    let intake = intake_of(&d)?;
    let mut dossier = register(
        store,
        &Outbound::from_variables().await?,
        tenant,
        Registrant::Official(&registrar),
        intake,
        ghiseu_platform::config::now(),
    )
    .await?;
    store
        .set(&marker, dossier.id().to_string().as_bytes())
        .await?;
    for a in &d.actions {
        let actor = actor_of(store, &scope, &a.by).await?;
        let command = command_of(a, tenant, &dossier).await?;
        dossier = act(
            store,
            tenant,
            &actor,
            &dossier.id(),
            command,
            ghiseu_platform::config::now(),
        )
        .await?;
    }
    Ok(dossier)
}

/// The command of a demo action on `dossier`.
async fn command_of(
    a: &SeedAction,
    tenant: &Tenant,
    dossier: &Dossier,
) -> Result<Command, SeedError> {
    let dept = |v: &Option<String>| -> Result<DepartmentCode, SeedError> {
        DepartmentCode::parse(v.as_deref().unwrap_or("")).map_err(invalid("department"))
    };
    let note = a
        .note
        .as_deref()
        .map(PublicNote::parse)
        .transpose()
        .map_err(invalid("note"))?;
    Ok(match a.action.as_str() {
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
        "attach_response" => Command::AttachResponse {
            document: response_letter(a, tenant, dossier).await?,
        },
        "reject" => Command::Reject {
            to_citizen: PublicNote::parse(a.reason.as_deref().unwrap_or(""))
                .map_err(invalid("reason"))?,
            internal: None,
        },
        "request_info" => Command::RequestInfo {
            question: Reason::parse(a.question.as_deref().unwrap_or(""))
                .map_err(invalid("question"))?,
        },
        "forward_to_institution" => Command::ForwardToInstitution {
            tenant: TenantSlug::parse(a.tenant.as_deref().unwrap_or(""))
                .map_err(invalid("tenant"))?,
            dossier: DossierId::from_random(session::random_bytes::<16>()?),
            note,
        },
        other => return Err(SeedError::Invalid(format!("unknown action {other}"))),
    })
}

/// The one-page response letter of an `attach_response` action, stored.
async fn response_letter(
    a: &SeedAction,
    tenant: &Tenant,
    dossier: &Dossier,
) -> Result<ghiseu_core::Attachment, SeedError> {
    let text = a.text.as_deref().unwrap_or("");
    if text.trim().is_empty() || text.len() > 4000 {
        return Err(SeedError::Invalid(
            "attach_response needs a text of at most 4000 bytes".to_owned(),
        ));
    }
    let number = dossier.number().to_string();
    let pdf = letter::render(&[tenant.name.as_str(), &format!("Nr. {number}")], text);
    let s3 = S3Client::from_variables().await?;
    let scan = Scan {
        name: OriginalName::parse(&format!("raspuns-{number}.pdf")).map_err(invalid("text"))?,
        media_type: MediaType::Pdf,
        data: pdf,
    };
    Ok(store_file(&s3, &TenantScope::new(&tenant.slug), scan).await?)
}

/// Applies a demo action by `actor`, as the desk does
/// ([`ghiseu_app::dossiers::act`]).
async fn act(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    id: &DossierId,
    command: Command,
    now: DateTime<Utc>,
) -> Result<Dossier, SeedError> {
    let out = Outbound::from_variables().await?;
    Ok(ghiseu_app::dossiers::act(store, &out, tenant, actor, id, None, command, now).await?)
}
