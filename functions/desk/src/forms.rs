//! The desk's HTML resources: parse the form into typed values, call
//! [`crate::service`], render with [`crate::pages`].

use chrono::Utc;
use ghiseu_core::dossier::OriginalName;
use ghiseu_core::regno::registration_year;
use ghiseu_core::workflow::Command;
use ghiseu_core::{
    CitizenContact, CitizenName, DepartmentCode, DocumentTypeCode, DossierId, Email, InternalNote,
    MediaType, PhoneNumber, PublicNote, Reason, TenantSlug, Username,
};
use ghiseu_platform::http::Response;
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::multipart;
use ghiseu_platform::repo::{self, STORE};
use ghiseu_platform::session::{self, LoginThrottle};
use http::{HeaderMap, HeaderValue, StatusCode, header};

use crate::service::{self, DeskError, Intake, MAX_FILE_BYTES, Scan};
use crate::{
    LOGIN_CSRF_COOKIE, SESSION_COOKIE, Signed, cookie, csrf_ok, pages, redirect, secure_html,
};

type Form = Vec<(String, String)>;

fn parse_form(body: &[u8]) -> Form {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn field<'a>(form: &'a Form, name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.trim().is_empty())
}

fn set_cookie(r: &mut Response, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
}

async fn tenants(store: &Store) -> Result<Vec<(String, String)>, DeskError> {
    let mut out = Vec::new();
    for slug in repo::tenant_slugs(store).await? {
        if let Ok(s) = TenantSlug::parse(&slug)
            && let Some(t) = repo::get_tenant(store, &s).await?
        {
            out.push((slug, t.name.to_string()));
        }
    }
    Ok(out)
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
    let password = form
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
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
    set_cookie(
        &mut r,
        &format!(
            "{SESSION_COOKIE}={}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age={}",
            s.id,
            session::SESSION_TTL.num_seconds()
        ),
    );
    set_cookie(
        &mut r,
        &format!("{LOGIN_CSRF_COOKIE}=; Path=/desk; HttpOnly; Secure; SameSite=Strict; Max-Age=0"),
    );
    Ok(r)
}

fn refuse_csrf() -> DeskError {
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
    set_cookie(
        &mut r,
        &format!("{SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0"),
    );
    Ok(r)
}

/// `GET /desk`.
pub async fn inbox(store: &Store, signed: &Signed) -> Result<Response, DeskError> {
    let scope = TenantScope::new(&signed.tenant.slug);
    let year = registration_year(Utc::now());
    let mut rows = Vec::new();
    for id in repo::recent_dossiers(store, &scope, year, 50).await? {
        if let Some(v) = repo::get_dossier(store, &scope, &id).await? {
            rows.push(v.dossier);
        }
    }
    Ok(secure_html(StatusCode::OK, pages::inbox(signed, &rows)))
}

/// `GET /desk/intake`.
pub async fn intake_page(store: &Store, signed: &Signed) -> Result<Response, DeskError> {
    let scope = TenantScope::new(&signed.tenant.slug);
    let types = repo::document_types(store, &scope).await?;
    Ok(secure_html(
        StatusCode::OK,
        pages::intake(signed, &types, &[], &Form::new()),
    ))
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
            document_type,
            contact,
            scans,
            note,
            public_note: None,
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
    let csrf = parts
        .iter()
        .find(|p| p.name == "csrf")
        .and_then(|p| std::str::from_utf8(&p.data).ok());
    if !csrf_ok(signed, csrf) {
        return Err(refuse_csrf());
    }
    let (parsed, values) = parse_intake(parts);
    let scope = TenantScope::new(&signed.tenant.slug);
    let intake = match parsed {
        Ok(i) => i,
        Err(errors) => {
            let types = repo::document_types(store, &scope).await?;
            return Ok(secure_html(
                StatusCode::UNPROCESSABLE_ENTITY,
                pages::intake(signed, &types, &errors, &values),
            ));
        }
    };
    let dossier =
        service::register(store, &signed.tenant, &signed.actor, intake, Utc::now()).await?;
    Ok(redirect(&format!(
        "/desk/dossiers/{}/receipt",
        dossier.id()
    )))
}

async fn load(
    store: &Store,
    signed: &Signed,
    id: DossierId,
) -> Result<ghiseu_core::Dossier, DeskError> {
    let scope = TenantScope::new(&signed.tenant.slug);
    let dossier = repo::get_dossier(store, &scope, &id)
        .await?
        .ok_or(DeskError::NotFound)?
        .dossier;
    ghiseu_core::authorize(&signed.actor, ghiseu_core::Action::View, &dossier)
        .map_err(|d| DeskError::from(ghiseu_core::WorkflowError::Denied(d)))?;
    Ok(dossier)
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
    let names = service::names(store, &scope).await?;
    let status = if errors.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(secure_html(
        status,
        pages::dossier(
            signed,
            &dossier,
            &departments,
            &officials,
            &names,
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
    let doc_type = repo::document_type(store, &scope, dossier.document_type())
        .await?
        .ok_or(DeskError::NotFound)?;
    let _ = origin;
    Ok(secure_html(
        StatusCode::OK,
        pages::receipt(&signed.tenant, &dossier, &doc_type, a6),
    ))
}

/// Parses the action form into a command.
fn parse_action(form: &Form) -> Result<Command, Vec<(String, String)>> {
    let err = |f: &str, m: &str| vec![(f.to_owned(), m.to_owned())];
    let dept = |name: &str| {
        field(form, name)
            .and_then(|v| DepartmentCode::parse(v).ok())
            .ok_or_else(|| err(name, "Alegeți departamentul."))
    };
    let public_note = |name: &str| match field(form, name) {
        None => Ok(None),
        Some(v) => PublicNote::parse(v)
            .map(Some)
            .map_err(|e| err(name, &format!("Notă: {e}"))),
    };
    match field(form, "action") {
        Some("assign") => {
            let official = match field(form, "official") {
                None => None,
                Some(v) => Some(
                    Username::parse(v).map_err(|_| err("official", "Funcționar necunoscut."))?,
                ),
            };
            Ok(Command::Assign {
                department: dept("department")?,
                official,
            })
        }
        Some("forward") => Ok(Command::Forward {
            to_department: dept("to_department")?,
            note: public_note("forward_note")?,
        }),
        Some("resolve") => Ok(Command::Resolve {
            note: public_note("resolve_note")?,
        }),
        Some("reject") => {
            let reason = field(form, "reason")
                .ok_or_else(|| err("reason", "Scrieți motivul respingerii."))?;
            Ok(Command::Reject {
                reason: Reason::parse(reason).map_err(|e| err("reason", &format!("Motiv: {e}")))?,
            })
        }
        _ => Err(err("action", "Acțiune necunoscută.")),
    }
}

/// `POST /desk/dossiers/{id}/actions`.
pub async fn action(
    store: &Store,
    signed: &Signed,
    id: DossierId,
    body: &[u8],
) -> Result<Response, DeskError> {
    let form = parse_form(body);
    if !csrf_ok(signed, field(&form, "csrf")) {
        return Err(refuse_csrf());
    }
    // Make sure the dossier is visible before saying anything about the form.
    load(store, signed, id).await?;
    let command = match parse_action(&form) {
        Ok(c) => c,
        Err(errors) => return dossier_page(store, signed, id, Some(&errors)).await,
    };
    // An official named in an assignment must be an active member of the
    // department (the workflow leaves this check to the caller).
    if let Command::Assign {
        department,
        official: Some(user),
    } = &command
    {
        let scope = TenantScope::new(&signed.tenant.slug);
        let ok = repo::official(store, &scope, user)
            .await?
            .is_some_and(|o| o.active && o.department.as_ref() == Some(department));
        if !ok {
            let errors = vec![(
                "official".to_owned(),
                "Funcționarul ales nu face parte din departament.".to_owned(),
            )];
            return dossier_page(store, signed, id, Some(&errors)).await;
        }
    }
    if let Command::Assign { department, .. }
    | Command::Forward {
        to_department: department,
        ..
    } = &command
    {
        let scope = TenantScope::new(&signed.tenant.slug);
        if !repo::departments(store, &scope)
            .await?
            .iter()
            .any(|d| &d.code == department && d.active)
        {
            let errors = vec![(
                "department".to_owned(),
                "Departament necunoscut.".to_owned(),
            )];
            return dossier_page(store, signed, id, Some(&errors)).await;
        }
    }
    service::act(
        store,
        &signed.tenant,
        &signed.actor,
        &id,
        field(&form, "route_head"),
        command,
        Utc::now(),
    )
    .await?;
    Ok(redirect(&format!("/desk/dossiers/{id}")))
}
