//! `/api/v1/platform/tenants[/{slug}]`: the platform administrator creates and
//! lists municipalities. Bearer `platform_admin_token`, compared in constant
//! time (as the desk's seed); an empty token refuses everything.

use chrono::Utc;
use ghiseu_core::official::Invite;
use ghiseu_core::tenant::PublicBaseUrl;
use ghiseu_core::{
    Department, DepartmentCode, DisplayName, Lang, Official, RegistrationPrefix, Role, Tenant,
    TenantKind, TenantSlug, Titles, Username,
};
use ghiseu_platform::http::{self as web, Request, Response};
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo::{self, CreateTenant};
use http::{HeaderValue, Method, StatusCode, header};
use serde::{Deserialize, Serialize};

use crate::error::AdminError;
use crate::officials::{invite_url, new_token};

/// A municipality as asked for.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewTenant {
    slug: String,
    name: String,
    kind: String,
    registration_prefix: String,
    #[serde(default)]
    languages: Vec<String>,
    #[serde(default)]
    public_base_url: Option<String>,
    admin: NewAdmin,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAdmin {
    username: String,
    display_name: String,
}

#[derive(Serialize)]
struct TenantDto {
    slug: String,
    name: String,
    kind: &'static str,
    registration_prefix: String,
    languages: Vec<&'static str>,
    public_base_url: String,
    active: bool,
}

impl TenantDto {
    fn of(t: &Tenant) -> Self {
        Self {
            slug: t.slug.to_string(),
            name: t.name.to_string(),
            kind: t.kind.code(),
            registration_prefix: t.registration_prefix.to_string(),
            languages: t.languages.iter().map(|l| l.code()).collect(),
            public_base_url: t.public_base_url.as_str().to_owned(),
            active: t.active,
        }
    }
}

#[derive(Serialize)]
struct CreatedDto {
    #[serde(flatten)]
    tenant: TenantDto,
    admin_username: String,
    /// The one-time link of the first administrator; stored nowhere.
    admin_invite_url: String,
    admin_invite_expires_at: chrono::DateTime<Utc>,
}

/// Handles `/api/v1/platform/tenants[/{slug}]`.
pub async fn handle(store: &Store, request: Request, path: &str) -> Response {
    if let Err(refused) = web::require_platform_admin(request.headers()).await {
        return refused;
    }
    let method = request.method().clone();
    let rest = path
        .trim_end_matches('/')
        .trim_start_matches("/api/v1/platform/tenants");
    let result = match (method, rest) {
        (Method::GET, "") => list(store).await,
        (Method::POST, "") => create(store, request).await,
        (_, "") => Ok(web::method_not_allowed("GET, POST")),
        (Method::GET, slug) => one(store, slug.trim_start_matches('/')).await,
        (_, _) => Ok(web::method_not_allowed("GET")),
    };
    result.unwrap_or_else(AdminError::into_problem)
}

async fn list(store: &Store) -> Result<Response, AdminError> {
    let all: Vec<TenantDto> = repo::tenants(store)
        .await?
        .iter()
        .map(TenantDto::of)
        .collect();
    Ok(web::json(StatusCode::OK, &all))
}

async fn one(store: &Store, slug: &str) -> Result<Response, AdminError> {
    let missing = || AdminError::NotFound(format!("No tenant `{slug}`."));
    let slug = TenantSlug::parse(slug).map_err(|_| missing())?;
    let t = repo::get_tenant(store, &slug)
        .await?
        .filter(|t| t.active)
        .ok_or_else(missing)?;
    Ok(web::json(StatusCode::OK, &TenantDto::of(&t)))
}

/// Every problem of the request at once, or the tenant and its first admin.
fn parse(input: &NewTenant, origin: &str) -> Result<(Tenant, Official), AdminError> {
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut check = |path: &str, r: Result<(), String>| {
        if let Err(m) = r {
            errors.push((path.to_owned(), m));
        }
    };
    let slug = TenantSlug::parse(input.slug.trim());
    check(
        "slug",
        slug.as_ref().map(|_| ()).map_err(ToString::to_string),
    );
    let name = DisplayName::parse(&input.name);
    check(
        "name",
        name.as_ref().map(|_| ()).map_err(ToString::to_string),
    );
    let kind = TenantKind::from_code(input.kind.trim());
    check(
        "kind",
        kind.map(|_| ())
            .ok_or_else(|| "one of county_council, municipality, town, commune".to_owned()),
    );
    let prefix = RegistrationPrefix::parse(input.registration_prefix.trim());
    check(
        "registration_prefix",
        prefix.as_ref().map(|_| ()).map_err(ToString::to_string),
    );
    let mut languages = Vec::new();
    for (i, l) in input.languages.iter().enumerate() {
        match Lang::from_code(l.trim()) {
            Some(l) => languages.push(l),
            None => check(
                &format!("languages[{i}]"),
                Err(format!("`{l}` is not one of ro, hu, en")),
            ),
        }
    }
    let base = PublicBaseUrl::parse(input.public_base_url.as_deref().unwrap_or(origin));
    check(
        "public_base_url",
        base.as_ref().map(|_| ()).map_err(ToString::to_string),
    );
    let username = Username::parse(input.admin.username.trim());
    check(
        "admin.username",
        username.as_ref().map(|_| ()).map_err(ToString::to_string),
    );
    let display_name = DisplayName::parse(&input.admin.display_name);
    check(
        "admin.display_name",
        display_name
            .as_ref()
            .map(|_| ())
            .map_err(ToString::to_string),
    );
    match (slug, name, kind, prefix, base, username, display_name) {
        (Ok(slug), Ok(name), Some(kind), Ok(prefix), Ok(base), Ok(username), Ok(display_name))
            if errors.is_empty() =>
        {
            let tenant = Tenant {
                slug: slug.clone(),
                name,
                kind,
                registration_prefix: prefix,
                languages: Tenant::normalise_languages(&languages),
                public_base_url: base,
                active: true,
                branding: Default::default(),
                contact: Default::default(),
            };
            let admin = Official {
                tenant: slug,
                username,
                display_name,
                department: None,
                roles: [Role::TenantAdmin].into(),
                active: true,
                sessions_from: None,
                email: None,
                lang: None,
            };
            Ok((tenant, admin))
        }
        _ => Err(AdminError::Invalid(errors)),
    }
}

/// The name of a new tenant's registry, in every language.
fn registry_name() -> Result<Titles, ghiseu_core::text::TextError> {
    Ok(Titles {
        ro: DisplayName::parse("Registratura")?,
        hu: Some(DisplayName::parse("Iktató")?),
        en: Some(DisplayName::parse("Registry")?),
    })
}

async fn create(store: &Store, request: Request) -> Result<Response, AdminError> {
    let origin = web::default_base_url(request.headers());
    let (_, body) = web::read_request(request, 64 * 1024).await?;
    let input: NewTenant =
        serde_json::from_slice(&body).map_err(|e| AdminError::invalid("body", e.to_string()))?;
    let (tenant, admin) = parse(&input, &origin)?;
    let registry = Department {
        tenant: tenant.slug.clone(),
        code: DepartmentCode::parse("registratura")
            .map_err(|e| AdminError::invalid("slug", e.to_string()))?,
        name: registry_name().map_err(|e| AdminError::invalid("name", e.to_string()))?,
        active: true,
    };
    let (token, hash) = new_token()?;
    let invite = Invite::new(admin, ghiseu_platform::config::now());
    match repo::create_tenant(store, &tenant, &[registry], &hash, &invite).await? {
        CreateTenant::Created => {}
        CreateTenant::SlugTaken => {
            return Err(AdminError::Conflict(format!(
                "The slug `{}` is already used.",
                tenant.slug
            )));
        }
        CreateTenant::PrefixTaken => {
            return Err(AdminError::Conflict(format!(
                "The registration prefix `{}` is already used by another institution.",
                tenant.registration_prefix
            )));
        }
    }
    let created = CreatedDto {
        tenant: TenantDto::of(&tenant),
        admin_username: invite.official.username.to_string(),
        admin_invite_url: invite_url(tenant.public_base_url.as_str(), &token),
        admin_invite_expires_at: invite.expires_at,
    };
    let mut r = web::json(StatusCode::CREATED, &created);
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/platform/tenants/{}", tenant.slug)) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}
