//! Officials: invitations by one-time link, roles, department, deactivation;
//! and the invitee's page that turns an invitation into an account.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use ghiseu_core::official::{Invite, check_new_password};
use ghiseu_core::{
    DepartmentCode, DisplayName, Email, Lang, Official, Role, Sha256Digest, Username,
};
use ghiseu_platform::http::{
    self as web, Form, Request, Response, form_field as field, form_raw, parse_form, secure_html,
    see_other as redirect,
};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;
use ghiseu_platform::session;
use http::{Method, StatusCode};
use serde::{Deserialize, Serialize};

use crate::ctx::{Admin, check_csrf};
use crate::error::AdminError;
use crate::forms::{form_errors, page_status};
use crate::pages;
use crate::texts::t;

/// An official as the API answers it (never their password hash).
#[derive(Serialize)]
pub struct OfficialDto {
    username: String,
    display_name: String,
    department: Option<String>,
    roles: Vec<&'static str>,
    active: bool,
    email: Option<String>,
    lang: Option<&'static str>,
}

/// The API's view of `list`.
pub fn dtos(list: &[Official]) -> Vec<OfficialDto> {
    list.iter()
        .map(|o| OfficialDto {
            username: o.username.to_string(),
            display_name: o.display_name.to_string(),
            department: o.department.as_ref().map(ToString::to_string),
            roles: o.roles.iter().map(|r| r.code()).collect(),
            active: o.active,
            email: o.email.as_ref().map(|e| e.as_str().to_owned()),
            lang: o.lang.map(Lang::code),
        })
        .collect()
}

/// An invitation as asked for.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteInput {
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub department: Option<String>,
    pub roles: Vec<String>,
    /// Where deadline reminders go (blank: none).
    #[serde(default)]
    pub email: Option<String>,
    /// The reminders' language: `ro`, `hu` or `en` (blank: Romanian).
    #[serde(default)]
    pub lang: Option<String>,
}

/// An issued invitation: the link is shown once and stored nowhere.
#[derive(Serialize)]
pub struct Issued {
    pub username: String,
    pub invite_url: String,
    pub expires_at: DateTime<Utc>,
}

/// Parses a JSON invitation.
pub fn parse_invite_json(body: &[u8]) -> Result<InviteInput, AdminError> {
    serde_json::from_slice(body).map_err(|e| AdminError::invalid("body", e.to_string()))
}

/// Parses role codes: at least one, each known.
fn parse_roles(codes: &[String]) -> Result<BTreeSet<Role>, String> {
    let roles = codes
        .iter()
        .map(|c| Role::from_code(c.trim()).ok_or_else(|| format!("`{c}` is not a role")))
        .collect::<Result<BTreeSet<_>, _>>()?;
    if roles.is_empty() {
        return Err("choose at least one role".to_owned());
    }
    Ok(roles)
}

/// The department `raw` (blank: none), which must be an active one of the tenant.
async fn parse_department(
    store: &Store,
    scope: &TenantScope,
    raw: Option<&str>,
) -> Result<Option<DepartmentCode>, String> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let code = DepartmentCode::parse(raw).map_err(|e| e.to_string())?;
    let known = repo::departments(store, scope)
        .await
        .map_err(|e| e.to_string())?
        .iter()
        .any(|d| d.code == code && d.active);
    if known {
        Ok(Some(code))
    } else {
        Err(format!("`{code}` is not an active department"))
    }
}

/// The reminders' e-mail address and language (blank: none, Romanian), or
/// the field that is wrong and why.
fn parse_contact(
    email: Option<&str>,
    lang: Option<&str>,
) -> Result<(Option<Email>, Option<Lang>), (String, String)> {
    let email = match email.map(str::trim).filter(|e| !e.is_empty()) {
        None => None,
        Some(e) => Some(Email::parse(e).map_err(|_| {
            (
                "email".to_owned(),
                "adresa de e-mail nu este validă".to_owned(),
            )
        })?),
    };
    let lang = match lang.map(str::trim).filter(|l| !l.is_empty()) {
        None => None,
        Some(l) => Some(
            Lang::from_code(l)
                .filter(|x| x.code() == l)
                .ok_or_else(|| {
                    (
                        "lang".to_owned(),
                        format!("limba `{l}` nu este ro, hu sau en"),
                    )
                })?,
        ),
    };
    Ok((email, lang))
}

/// A fresh invitation token (256 random bits, hex) and the hash it is stored under.
pub fn new_token() -> Result<(String, Sha256Digest), AdminError> {
    let token = session::random_secret()?;
    let hash = Sha256Digest::of(token.as_bytes());
    Ok((token, hash))
}

/// The link an invitee opens.
pub fn invite_url(base: &str, token: &str) -> String {
    format!("{base}/admin/invite/{token}")
}

/// Issues an invitation in the administrator's tenant. Its link is on the
/// tenant's configured public address, never the request's Host.
pub async fn invite(
    store: &Store,
    admin: &Admin,
    input: &InviteInput,
) -> Result<Issued, AdminError> {
    let origin = admin.tenant.public_base_url.as_str();
    let mut errors = Vec::new();
    let username = Username::parse(input.username.trim())
        .map_err(|e| errors.push(("username".to_owned(), e.to_string())))
        .ok();
    let display_name = DisplayName::parse(&input.display_name)
        .map_err(|e| errors.push(("display_name".to_owned(), e.to_string())))
        .ok();
    let department = parse_department(store, &admin.scope, input.department.as_deref())
        .await
        .map_err(|e| errors.push(("department".to_owned(), e)))
        .ok();
    let roles = parse_roles(&input.roles)
        .map_err(|e| errors.push(("roles".to_owned(), e)))
        .ok();
    let contact = parse_contact(input.email.as_deref(), input.lang.as_deref())
        .map_err(|e| errors.push(e))
        .ok();
    let (Some(username), Some(display_name), Some(department), Some(roles), Some((email, lang))) =
        (username, display_name, department, roles, contact)
    else {
        return Err(AdminError::Invalid(errors));
    };
    if repo::official(store, &admin.scope, &username)
        .await?
        .is_some()
    {
        return Err(AdminError::Conflict(format!(
            "Utilizatorul `{username}` există deja."
        )));
    }
    let official = Official {
        tenant: admin.tenant.slug.clone(),
        username,
        display_name,
        department,
        roles,
        active: true,
        sessions_from: None,
        email,
        lang,
    };
    let (token, hash) = new_token()?;
    let invite = Invite::new(official, ghiseu_platform::config::now());
    repo::put_invite(&hash, &invite)?;
    Ok(Issued {
        username: invite.official.username.to_string(),
        invite_url: invite_url(origin, &token),
        expires_at: invite.expires_at,
    })
}

/// `GET /admin/officials` (with the errors of a refused form).
pub async fn page(
    store: &Store,
    admin: &Admin,
    errors: &[(String, String)],
) -> Result<Response, AdminError> {
    let officials = repo::officials(store, &admin.scope).await?;
    let departments = repo::departments(store, &admin.scope).await?;
    let status = page_status(errors);
    let second_factor = crate::second_factor::section(store, admin, &officials).await?;
    Ok(secure_html(
        status,
        pages::officials(
            &admin.viewer(),
            &officials,
            &departments,
            errors,
            second_factor,
        ),
    ))
}

fn roles_in(form: &Form) -> Vec<String> {
    form.iter()
        .filter(|(k, _)| k == "role")
        .map(|(_, v)| v.clone())
        .collect()
}

/// `POST /admin/officials/invite`.
pub async fn invite_form(
    store: &Store,
    admin: &Admin,
    form: &Form,
) -> Result<Response, AdminError> {
    check_csrf(admin, form)?;
    let input = InviteInput {
        username: field(form, "username").unwrap_or("").to_owned(),
        display_name: field(form, "display_name").unwrap_or("").to_owned(),
        department: field(form, "department").map(str::to_owned),
        roles: roles_in(form),
        email: field(form, "email").map(str::to_owned),
        lang: field(form, "lang").map(str::to_owned),
    };
    match invite(store, admin, &input).await {
        Ok(issued) => Ok(secure_html(
            StatusCode::CREATED,
            pages::invite_issued(
                &admin.viewer(),
                &issued.username,
                &issued.invite_url,
                issued.expires_at,
            ),
        )),
        Err(e) => {
            let errors = form_errors(admin.lang, e, ("username", "err_user_taken"))?;
            page(store, admin, &errors).await
        }
    }
}

/// `POST /admin/officials/{username}`: roles, department, active.
pub async fn update_form(
    store: &Store,
    admin: &Admin,
    username: &str,
    form: &Form,
) -> Result<Response, AdminError> {
    check_csrf(admin, form)?;
    let missing = || AdminError::NotFound(format!("Utilizatorul `{username}` nu există."));
    let user = Username::parse(username).map_err(|_| missing())?;
    let anchor = format!("roles-{user}");
    let roles = match parse_roles(&roles_in(form)) {
        Ok(r) => r,
        Err(_) => {
            return page(
                store,
                admin,
                &[(anchor, t(admin.lang, "err_roles").to_owned())],
            )
            .await;
        }
    };
    let department = match parse_department(store, &admin.scope, field(form, "department")).await {
        Ok(d) => d,
        Err(_) => {
            let m = t(admin.lang, "err_department").to_owned();
            return page(store, admin, &[(anchor, m)]).await;
        }
    };
    // A form without the reminder fields leaves them as they are.
    let sent = |name: &str| form.iter().any(|(k, _)| k == name);
    let contact = if sent("email") || sent("lang") {
        match parse_contact(field(form, "email"), field(form, "lang")) {
            Ok(c) => Some(c),
            Err((field, _)) => {
                let key = if field == "email" {
                    "err_email"
                } else {
                    "err_invalid"
                };
                let m = format!("{}: {}", t(admin.lang, "reminders"), t(admin.lang, key));
                return page(store, admin, &[(anchor, m)]).await;
            }
        }
    } else {
        None
    };
    let active = field(form, "active").is_some();
    // An administrator cannot lock themselves out of administration.
    if user == admin.official.username && (!active || !roles.contains(&Role::TenantAdmin)) {
        let m = t(admin.lang, "err_self_lockout").to_owned();
        return page(store, admin, &[(anchor, m)]).await;
    }
    let now = ghiseu_platform::config::now();
    repo::update_official(&admin.scope, &user, |o| {
        o.roles = roles.clone();
        o.department = department.clone();
        if let Some((email, lang)) = &contact {
            o.email = email.clone();
            o.lang = *lang;
        }
        // A deactivation ends the official's sessions: reactivated, they
        // sign in again.
        if o.active && !active {
            o.sessions_from = Some(now);
        }
        o.active = active;
    })?
    .ok_or_else(missing)?;
    Ok(redirect(
        &crate::texts::Flash::Official.after("/admin/officials"),
    ))
}

/// The invitation of `token` (64 hex digits), with the hash it is stored under.
async fn load_invite(store: &Store, token: &str) -> Result<(Sha256Digest, Invite), AdminError> {
    let unknown = || AdminError::NotFound("Invitația nu există.".to_owned());
    if token.len() != 64
        || !token
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(unknown());
    }
    let hash = Sha256Digest::of(token.as_bytes());
    let invite = repo::invite(store, &hash).await?.ok_or_else(unknown)?;
    Ok((hash, invite))
}

/// `GET|POST /admin/invite/{token}`: the invitee chooses a password; the
/// official is created (leased insert) and the invitation marked used.
pub async fn invite_page(
    store: &Store,
    method: Method,
    token: &str,
    request: Request,
) -> Result<Response, AdminError> {
    let (hash, invite) = load_invite(store, token).await?;
    let now = ghiseu_platform::config::now();
    invite
        .check(now)
        .map_err(|e| AdminError::Gone(e.to_string()))?;
    let tenant = repo::get_tenant(store, &invite.official.tenant)
        .await?
        .filter(|t| t.active)
        .ok_or_else(|| AdminError::Gone("Instituția nu mai este activă.".to_owned()))?;
    match method {
        Method::GET => Ok(secure_html(
            StatusCode::OK,
            pages::accept_invite(&tenant, &invite, token, &[]),
        )),
        Method::POST => {
            let (_, body) = web::read_request(request, 64 * 1024).await?;
            let form = parse_form(&body);
            let password = form_raw(&form, "password");
            let confirmation = form_raw(&form, "confirmation");
            if let Err(e) = check_new_password(password, confirmation) {
                let errors = [("password".to_owned(), e.to_string())];
                return Ok(secure_html(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    pages::accept_invite(&tenant, &invite, token, &errors),
                ));
            }
            let (official, used) = invite
                .accept(now)
                .map_err(|e| AdminError::Gone(e.to_string()))?;
            let scope = TenantScope::new(&tenant.slug);
            let hash_phc = session::hash_password(password)?;
            // The account is created once (leased insert); the invitation is
            // then spent, so a second acceptance finds the username taken.
            if !repo::create_official(&scope, &official, &hash_phc)? {
                return Err(AdminError::Gone(
                    "Această invitație a fost deja folosită.".to_owned(),
                ));
            }
            repo::swap_invite(&hash, &invite, &used)?;
            Ok(secure_html(
                StatusCode::OK,
                pages::invite_accepted(&tenant, &official),
            ))
        }
        _ => Ok(web::method_not_allowed("GET, POST")),
    }
}
