//! The desk's HTML resources: parse the form into typed values, call
//! [`crate::service`], render with [`crate::pages`].

use chrono::Utc;
use ghiseu_core::dossier::OriginalName;
use ghiseu_core::inbox::{InboxDue, InboxStatus, InboxView};
use ghiseu_core::regno::registration_year;
use ghiseu_core::{
    CitizenContact, CitizenName, DocumentTypeCode, DossierId, DossierStatus, Email, InternalNote,
    MediaType, PhoneNumber, PublicNames, RegistrationNumber, TenantSlug, Username,
};
use ghiseu_platform::http::Response;
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::multipart;
use ghiseu_platform::repo::{self, STORE};
use ghiseu_platform::session::{self, LoginThrottle};
use http::{HeaderMap, StatusCode, header};

use crate::service::{self, DeskError, Intake, MAX_FILE_BYTES, Scan};
use crate::{
    LOGIN_CSRF_COOKIE, SESSION_COOKIE, Signed, cookie, csrf_ok, pages, redirect, secure_html,
};

pub(crate) use ghiseu_platform::http::{
    Form, form_field as field, form_raw, parse_form, set_cookie,
};

async fn tenants(store: &Store) -> Result<Vec<(String, String)>, DeskError> {
    Ok(repo::tenants(store)
        .await?
        .into_iter()
        .map(|t| (t.slug.to_string(), t.name.to_string()))
        .collect())
}

async fn login_form(
    store: &Store,
    status: StatusCode,
    errors: &[(String, String)],
    institution: &str,
    username: &str,
) -> Result<Response, DeskError> {
    let csrf = session::random_secret()?;
    let html = pages::login(&tenants(store).await?, &csrf, errors, institution, username);
    let mut r = secure_html(status, html);
    set_cookie(
        &mut r,
        &format!("{LOGIN_CSRF_COOKIE}={csrf}; Path=/desk; HttpOnly; Secure; SameSite=Strict"),
    );
    Ok(r)
}

/// `GET /desk/login`.
pub async fn login_page(store: &Store) -> Result<Response, DeskError> {
    login_form(store, StatusCode::OK, &[], "", "").await
}

/// `POST /desk/login`.
pub async fn login(store: &Store, headers: &HeaderMap, body: &[u8]) -> Result<Response, DeskError> {
    let form = parse_form(body);
    let institution = field(&form, "institution").unwrap_or("").to_owned();
    let username = field(&form, "username").unwrap_or("").trim().to_owned();
    let password = form_raw(&form, "password");
    let csrf_valid = match (cookie(headers, LOGIN_CSRF_COOKIE), field(&form, "csrf")) {
        (Some(c), Some(f)) => session::constant_time_eq(c.as_bytes(), f.as_bytes()),
        _ => false,
    };
    if !csrf_valid {
        return login_form(
            store,
            StatusCode::FORBIDDEN,
            &[(
                "username".into(),
                "Formularul a expirat. Reîncercați autentificarea.".into(),
            )],
            &institution,
            &username,
        )
        .await;
    }
    let mut errors = Vec::new();
    if institution.is_empty() {
        errors.push(("institution".into(), "Alegeți instituția.".into()));
    }
    if username.is_empty() {
        errors.push((
            "username".into(),
            "Introduceți numele de utilizator.".into(),
        ));
    }
    if password.is_empty() {
        errors.push(("password".into(), "Introduceți parola.".into()));
    }
    if !errors.is_empty() {
        return login_form(
            store,
            StatusCode::UNPROCESSABLE_ENTITY,
            &errors,
            &institution,
            &username,
        )
        .await;
    }
    let now = Utc::now();
    let throttle = LoginThrottle::new(&institution, &username, &crate::client(headers), now);
    let failed = || {
        vec![(
            "username".to_owned(),
            "Instituția, numele de utilizator sau parola nu sunt corecte.".to_owned(),
        )]
    };
    if throttle.is_blocked(store).await? {
        let errors = vec![(
            "username".to_owned(),
            "Prea multe încercări eșuate. Reîncercați peste 15 minute.".to_owned(),
        )];
        return login_form(
            store,
            StatusCode::TOO_MANY_REQUESTS,
            &errors,
            &institution,
            &username,
        )
        .await;
    }
    let found = match (TenantSlug::parse(&institution), Username::parse(&username)) {
        (Ok(slug), Ok(user)) => {
            repo::official_with_hash(store, &TenantScope::new(&slug), &user).await?
        }
        _ => None,
    };
    let ok = match &found {
        Some((official, hash)) => {
            session::verify_password(password, hash) && official.actor().is_some()
        }
        // Spend the same argon2 work for an unknown account, so the answer's
        // timing does not tell which usernames exist.
        None => {
            let _ = session::verify_password(password, session::DUMMY_HASH);
            false
        }
    };
    let Some((official, _)) = found.filter(|_| ok) else {
        throttle.record_failure(STORE)?;
        return login_form(
            store,
            StatusCode::UNAUTHORIZED,
            &failed(),
            &institution,
            &username,
        )
        .await;
    };
    let s = session::create(
        store,
        official.tenant.as_str(),
        official.username.as_str(),
        now,
    )
    .await?;
    let mut r = redirect("/desk");
    set_cookie(&mut r, &session::cookie(SESSION_COOKIE, &s));
    set_cookie(
        &mut r,
        &format!("{LOGIN_CSRF_COOKIE}=; Path=/desk; HttpOnly; Secure; SameSite=Strict; Max-Age=0"),
    );
    Ok(r)
}

pub(crate) fn refuse_csrf() -> DeskError {
    DeskError::Forbidden("Formularul nu este valid (CSRF). Reîncărcați pagina.".to_owned())
}

/// `POST /desk/logout`.
pub async fn logout(store: &Store, signed: &Signed, body: &[u8]) -> Result<Response, DeskError> {
    let form = parse_form(body);
    if !csrf_ok(signed, field(&form, "csrf")) {
        return Err(refuse_csrf());
    }
    session::destroy(store, &signed.session.id).await?;
    let mut r = redirect("/desk/login");
    set_cookie(&mut r, &session::removed_cookie(SESSION_COOKIE));
    Ok(r)
}

/// What an inbox shows: whose dossiers, and which of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxFilter {
    /// Whose dossiers (`view=`).
    pub view: InboxView,
    /// A department code (for `view=department`; default: the official's).
    pub department: Option<String>,
    /// An internal status (`status=`).
    pub status: Option<InboxStatus>,
    /// A document type code.
    pub document_type: Option<String>,
    /// `overdue` or `week` (`due=`).
    pub due: Option<InboxDue>,
}

impl InboxFilter {
    /// Reads the query string; the default view depends on the role.
    pub fn parse(query: &str, signed: &Signed) -> Self {
        let q = parse_form(query.as_bytes());
        let get = |k: &str| field(&q, k);
        Self {
            view: get("view")
                .and_then(InboxView::parse)
                .unwrap_or_else(|| InboxView::default_for(&signed.actor)),
            department: get("department").map(str::to_owned),
            status: get("status").map(InboxStatus::parse),
            document_type: get("document_type").map(str::to_owned),
            due: get("due").and_then(InboxDue::parse),
        }
    }

    /// Whether `s` belongs in this inbox on `today`.
    pub fn keeps(&self, s: &repo::Summary, signed: &Signed, today: chrono::NaiveDate) -> bool {
        let own_department = signed.actor.department.as_ref().map(|d| d.as_str());
        let ok_view = match self.view {
            InboxView::Mine => s.official.as_deref() == Some(signed.actor.username.as_str()),
            InboxView::Department => {
                let dep = self.department.as_deref().or(own_department);
                dep.is_some_and(|d| s.department == d)
            }
            InboxView::Signature => s.status == DossierStatus::AwaitingSignature.code(),
            InboxView::All | InboxView::Registry => {
                self.department.as_deref().is_none_or(|d| s.department == d)
            }
        };
        let days_left = ghiseu_core::deadline::days_left(s.deadline, today);
        ok_view
            && self.status.is_none_or(|st| st.keeps(&s.status))
            && self
                .document_type
                .as_deref()
                .is_none_or(|t| s.document_type == t)
            && self.due.is_none_or(|d| d.keeps(days_left))
    }
}

/// `GET /desk`: the inbox, open dossiers sorted by deadline; `view=registry`
/// lists the year's newest registrations instead (open or not).
pub async fn inbox(store: &Store, signed: &Signed, query: &str) -> Result<Response, DeskError> {
    let scope = TenantScope::new(&signed.tenant.slug);
    let filter = InboxFilter::parse(query, signed);
    let now = Utc::now();
    let today = ghiseu_core::calendar::local_date(now);
    // Numbers of the registry view taken without a dossier recorded.
    let mut unused = Vec::new();
    let mut rows: Vec<repo::Summary> = if filter.view == InboxView::Registry {
        let year = registration_year(now);
        let mut rows = Vec::new();
        for (seq, id) in repo::recent_registrations(store, &scope, year, 100).await? {
            let found = match id {
                Some(id) => repo::get_dossier(store, &scope, &id).await?,
                None => None,
            };
            match found {
                Some(v) => rows.push(repo::Summary::of(&v.dossier)),
                None => unused.extend(
                    RegistrationNumber::new(signed.tenant.registration_prefix.clone(), year, seq)
                        .ok()
                        .map(|n| n.to_string()),
                ),
            }
        }
        rows
    } else {
        repo::open_dossiers(store, &scope).await?
    };
    rows.retain(|s| filter.keeps(s, signed, today));
    if filter.view != InboxView::Registry {
        rows.sort_by(|a, b| a.deadline.cmp(&b.deadline).then(a.number.cmp(&b.number)));
    }
    let departments = repo::departments(store, &scope).await?;
    let types = repo::document_types(store, &scope).await?;
    let names = PublicNames::of(&departments, &repo::officials(store, &scope).await?);
    Ok(secure_html(
        StatusCode::OK,
        pages::inbox(
            signed,
            &filter,
            pages::Listing {
                rows: &rows,
                unused: &unused,
            },
            &departments,
            &types,
            &names,
            today,
        ),
    ))
}

/// `GET /desk/intake`.
/// `?document_type=` preselects a type and shows its form fields.
pub async fn intake_page(
    store: &Store,
    signed: &Signed,
    query: &str,
) -> Result<Response, DeskError> {
    let scope = TenantScope::new(&signed.tenant.slug);
    let types = repo::document_types(store, &scope).await?;
    let values: Form = parse_form(query.as_bytes())
        .into_iter()
        .filter(|(k, _)| k == "document_type")
        .collect();
    Ok(secure_html(
        StatusCode::OK,
        pages::intake(signed, &types, &[], &values),
    ))
}

/// The form data of the chosen type: on paper, what the registrar copies is
/// optional, but every value given is checked (input names `f_{field}`).
fn intake_form(
    types: &[ghiseu_core::DocumentType],
    values: &Form,
) -> Result<ghiseu_core::form::FormData, Vec<(String, String)>> {
    let Some(t) = field(values, "document_type")
        .and_then(|c| types.iter().find(|t| t.code.as_str() == c.trim()))
    else {
        return Ok(Default::default());
    };
    ghiseu_core::form::validate(t, |n| field(values, &format!("f_{n}")), false).map_err(|errs| {
        errs.into_iter()
            .map(|(name, e)| {
                let label = t
                    .fields
                    .iter()
                    .find(|f| f.name == name)
                    .map_or(name.as_str(), |f| f.label.ro.as_str());
                (format!("f_{}", name.as_str()), format!("{label}: {e}"))
            })
            .collect()
    })
}

/// Parses the intake form; every problem is reported at once.
fn parse_intake(parts: Vec<multipart::Part>) -> (Result<Intake, Vec<(String, String)>>, Form) {
    let mut values = Form::new();
    let mut scans = Vec::new();
    let mut errors = Vec::new();
    for part in parts {
        if part.name == "scan" {
            let Some(filename) = part.filename.filter(|f| !f.is_empty()) else {
                continue;
            };
            if part.data.is_empty() {
                continue;
            }
            let Ok(name) = OriginalName::parse(&filename) else {
                errors.push(("scan".into(), "Numele fișierului nu este valid.".into()));
                continue;
            };
            if part.data.len() > MAX_FILE_BYTES {
                errors.push((
                    "scan".into(),
                    format!("{filename}: fișierul depășește 10 MB."),
                ));
                continue;
            }
            match MediaType::sniff(&part.data) {
                Some(media_type) => scans.push(Scan {
                    name,
                    media_type,
                    data: part.data,
                }),
                None => errors.push((
                    "scan".into(),
                    format!("{filename}: doar PDF, JPEG sau PNG sunt acceptate."),
                )),
            }
        } else if let Ok(v) = String::from_utf8(part.data) {
            values.push((part.name, v));
        } else {
            errors.push((part.name, "Textul nu este valid (UTF-8).".into()));
        }
    }
    let text = |name: &str| field(&values, name).map(str::trim);
    let doc_type = match text("document_type").map(DocumentTypeCode::parse) {
        Some(Ok(c)) => Some(c),
        _ => {
            errors.push(("document_type".into(), "Alegeți tipul documentului.".into()));
            None
        }
    };
    let mut contact = CitizenContact::default();
    if let Some(v) = text("email") {
        match Email::parse(v) {
            Ok(e) => contact.email = Some(e),
            Err(e) => errors.push(("email".into(), format!("E-mail: {e}"))),
        }
    }
    if let Some(v) = text("phone") {
        match PhoneNumber::parse(v) {
            Ok(p) => contact.phone = Some(p),
            Err(e) => errors.push(("phone".into(), format!("Telefon: {e}"))),
        }
    }
    if let Some(v) = text("name") {
        match CitizenName::parse(v) {
            Ok(n) => contact.name = Some(n),
            Err(e) => errors.push(("name".into(), format!("Nume: {e}"))),
        }
    }
    let note = match text("note").map(InternalNote::parse) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(e)) => {
            errors.push(("note".into(), format!("Notă: {e}")));
            None
        }
    };
    if scans.is_empty() && !errors.iter().any(|(f, _)| f == "scan") {
        errors.push((
            "scan".into(),
            "Atașați cel puțin o pagină scanată (PDF, JPEG sau PNG).".into(),
        ));
    }
    let result = match doc_type {
        Some(document_type) if errors.is_empty() => Ok(Intake {
            channel: ghiseu_core::Channel::Paper,
            stored: Vec::new(),
            document_type,
            contact,
            scans,
            note,
            public_note: None,
            form: Default::default(),
        }),
        _ => Err(errors),
    };
    (result, values)
}

/// `POST /desk/intake` (multipart).
pub async fn intake(
    store: &Store,
    signed: &Signed,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, DeskError> {
    let boundary = crate::header_str(headers, header::CONTENT_TYPE.as_str())
        .and_then(multipart::boundary)
        .ok_or_else(|| {
            DeskError::Invalid(vec![("scan".into(), "Formular multipart așteptat.".into())])
        })?;
    let parts = multipart::parse(body, &boundary, 64)
        .map_err(|e| DeskError::Invalid(vec![("scan".into(), format!("Formular invalid: {e}"))]))?;
    if !csrf_ok(signed, multipart::text(&parts, "csrf")) {
        return Err(refuse_csrf());
    }
    let (parsed, values) = parse_intake(parts);
    let scope = TenantScope::new(&signed.tenant.slug);
    let types = repo::document_types(store, &scope).await?;
    let intake = match (parsed, intake_form(&types, &values)) {
        (Ok(mut i), Ok(form)) => {
            i.form = form;
            i
        }
        (parsed, form) => {
            let mut errors = parsed.err().unwrap_or_default();
            errors.extend(form.err().unwrap_or_default());
            return Ok(secure_html(
                StatusCode::UNPROCESSABLE_ENTITY,
                pages::intake(signed, &types, &errors, &values),
            ));
        }
    };
    let dossier = service::register(
        store,
        &signed.tenant,
        service::Registrant::Official(&signed.actor),
        intake,
        Utc::now(),
    )
    .await?;
    Ok(redirect(&format!(
        "/desk/dossiers/{}/receipt",
        dossier.id()
    )))
}

pub(crate) async fn load(
    store: &Store,
    signed: &Signed,
    id: DossierId,
) -> Result<ghiseu_core::Dossier, DeskError> {
    Ok(load_versioned(store, signed, id).await?.dossier)
}

/// The dossier `id` of the official's tenant as stored (for a
/// leased replace), if the official may see it.
pub(crate) async fn load_versioned(
    store: &Store,
    signed: &Signed,
    id: DossierId,
) -> Result<repo::Versioned, DeskError> {
    let scope = TenantScope::new(&signed.tenant.slug);
    let current = repo::get_dossier(store, &scope, &id)
        .await?
        .ok_or(DeskError::NotFound)?;
    ghiseu_core::authorize(&signed.actor, ghiseu_core::Action::View, &current.dossier)
        .map_err(|d| DeskError::from(ghiseu_core::WorkflowError::Denied(d)))?;
    Ok(current)
}

/// `GET /desk/dossiers/{id}`.
pub async fn dossier_page(
    store: &Store,
    signed: &Signed,
    id: DossierId,
    errors: Option<&[(String, String)]>,
) -> Result<Response, DeskError> {
    let dossier = load(store, signed, id).await?;
    let scope = TenantScope::new(&signed.tenant.slug);
    let departments = repo::departments(store, &scope).await?;
    let officials = repo::officials(store, &scope).await?;
    let names = PublicNames::of(&departments, &officials);
    let institutions: Vec<(String, String)> = repo::tenants(store)
        .await?
        .into_iter()
        .filter(|t| t.active && t.slug != signed.tenant.slug)
        .map(|t| (t.slug.to_string(), t.name.to_string()))
        .collect();
    let forwarded = match dossier.forwarded_to() {
        Some((tenant, to)) => {
            let there = TenantScope::new(tenant);
            let mut receiving = repo::get_dossier(store, &there, to).await?;
            if receiving.is_none() {
                // A forwarding interrupted before the receiving dossier
                // existed is completed here (idempotent).
                service::complete_forwarding(store, &dossier).await?;
                receiving = repo::get_dossier(store, &there, to).await?;
            }
            receiving.map(|v| (tenant.to_string(), v.dossier.number().to_string()))
        }
        None => None,
    };
    let doc_type = repo::document_type_version(
        store,
        &scope,
        dossier.document_type(),
        dossier.document_type_version(),
    )
    .await?;
    let status = if errors.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let today = ghiseu_core::calendar::local_date(Utc::now());
    Ok(secure_html(
        status,
        pages::dossier(
            signed,
            &pages::DossierPage {
                d: &dossier,
                doc_type: doc_type.as_ref(),
                departments: &departments,
                officials: &officials,
                names: &names,
                institutions: &institutions,
                forwarded,
                today,
            },
            errors.unwrap_or(&[]),
        ),
    ))
}

/// `GET /desk/dossiers/{id}/receipt`.
pub async fn receipt(
    store: &Store,
    signed: &Signed,
    id: DossierId,
    a6: bool,
    origin: &str,
) -> Result<Response, DeskError> {
    let dossier = load(store, signed, id).await?;
    let scope = TenantScope::new(&signed.tenant.slug);
    let doc_type = repo::document_type_version(
        store,
        &scope,
        dossier.document_type(),
        dossier.document_type_version(),
    )
    .await?
    .ok_or(DeskError::NotFound)?;
    let _ = origin;
    Ok(secure_html(
        StatusCode::OK,
        pages::receipt(&signed.tenant, &dossier, &doc_type, a6),
    ))
}
