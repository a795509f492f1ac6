//! Branding: the header name, accent colour and logo of a tenant; the form and
//! the public logo and theme stylesheet (`/branding/{slug}/...`).

use ghiseu_core::tenant::{AccentColour, Branding, Logo, LogoError};
use ghiseu_core::{DisplayName, TenantSlug};
use ghiseu_platform::http::{
    self as web, Response, header_str, secure_html, see_other as redirect,
};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::s3::S3Client;
use ghiseu_platform::{multipart, repo};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};

use crate::ctx::Admin;
use crate::error::AdminError;
use crate::forms::page_status;
use crate::pages;
use crate::texts::{Flash, t};

/// `GET /admin/branding`.
pub fn page(admin: &Admin, errors: &[(String, String)]) -> Response {
    let status = page_status(errors);
    secure_html(status, pages::branding(&admin.viewer(), errors))
}

/// `POST /admin/branding` (multipart: `display_name`, `accent`, `logo`, `remove_logo`).
pub async fn save_form(
    admin: &Admin,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, AdminError> {
    let boundary = header_str(headers, header::CONTENT_TYPE.as_str())
        .and_then(multipart::boundary)
        .ok_or_else(|| AdminError::invalid("logo", "Formular multipart așteptat."))?;
    let parts = multipart::parse(body, &boundary, 16)
        .map_err(|e| AdminError::invalid("logo", format!("Formular invalid: {e}")))?;
    let text = |name: &str| {
        multipart::text(&parts, name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    if !admin.csrf_ok(text("csrf")) {
        return Err(AdminError::Forbidden(
            "Formularul nu este valid (CSRF). Reîncărcați pagina.".to_owned(),
        ));
    }
    let mut errors = Vec::new();
    let display_name = match text("display_name").map(DisplayName::parse) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(e)) => {
            errors.push((
                "display_name".to_owned(),
                crate::explain::message(admin.lang, "display_name", &e.to_string()),
            ));
            None
        }
    };
    let accent = match text("accent").map(AccentColour::parse) {
        None => None,
        Some(Ok(c)) => Some(c),
        Some(Err(_)) => {
            errors.push(("accent".to_owned(), t(admin.lang, "err_colour").to_owned()));
            None
        }
    };
    let upload = parts
        .iter()
        .find(|p| p.name == "logo" && !p.data.is_empty())
        .map(|p| p.data.as_slice());
    let logo = match upload.map(|d| (Logo::check(d), d)) {
        None => None,
        Some((Ok(l), data)) => Some((l, data)),
        Some((Err(e), _)) => {
            let key = match e {
                LogoError::Type => "err_logo_type",
                LogoError::TooLarge => "err_logo_size",
            };
            errors.push(("logo".to_owned(), t(admin.lang, key).to_owned()));
            None
        }
    };
    if !errors.is_empty() {
        return Ok(page(admin, &errors));
    }
    // The image is stored (content-addressed) before the tenant points at it.
    if let Some((l, data)) = &logo {
        let s3 = S3Client::from_variables().await?;
        s3.put_object(
            &admin.scope.logo_object(&l.sha256),
            data.to_vec(),
            l.media_type.mime(),
        )
        .await?;
    }
    let remove = text("remove_logo").is_some();
    let logo = logo.map(|(l, _)| l);
    repo::update_tenant(&admin.tenant.slug, |t| {
        t.branding = Branding {
            display_name: display_name.clone(),
            accent: accent.clone(),
            logo: match (&logo, remove) {
                (Some(l), _) => Some(l.clone()),
                (None, true) => None,
                (None, false) => t.branding.logo.clone(),
            },
        };
    })?
    .ok_or_else(|| AdminError::NotFound("Instituția nu există.".to_owned()))?;
    Ok(redirect(&Flash::Branding.after("/admin/branding")))
}

/// The stylesheet of a tenant's accent colour, linked by every page of the
/// institution (its front-door page, its citizens' tracking pages, the desk
/// and the administration): it sets `--brand`, which the platform's one
/// stylesheet uses only where contrast does not depend on it (the header's
/// stripe, the edge of cards), so any colour stays readable.
pub fn theme_css(accent: Option<&AccentColour>) -> String {
    let colour = accent.map_or("#0b4f9c", AccentColour::as_str);
    format!(":root{{--brand:{colour}}}")
}

/// `GET /branding/{slug}/logo` and `GET /branding/{slug}/theme.css`: public.
pub async fn public(store: &Store, method: &Method, path: &str) -> Result<Response, AdminError> {
    if !matches!(*method, Method::GET | Method::HEAD) {
        return Ok(web::method_not_allowed("GET, HEAD"));
    }
    let missing = || AdminError::NotFound("No such branding resource.".to_owned());
    let mut segs = path.trim_start_matches("/branding/").split('/');
    let (Some(slug), Some(what), None) = (segs.next(), segs.next(), segs.next()) else {
        return Err(missing());
    };
    let slug = TenantSlug::parse(slug).map_err(|_| missing())?;
    let tenant = repo::get_tenant(store, &slug)
        .await?
        .filter(|t| t.active)
        .ok_or_else(missing)?;
    let mut r = match what {
        "theme.css" => web::bytes(
            StatusCode::OK,
            "text/css; charset=utf-8",
            theme_css(tenant.branding.accent.as_ref()),
        ),
        "logo" => {
            let logo = tenant.branding.logo.as_ref().ok_or_else(missing)?;
            let s3 = S3Client::from_variables().await?;
            let key = TenantScope::new(&slug).logo_object(&logo.sha256);
            let data = s3.get_object(&key).await?.ok_or_else(missing)?;
            let mut r = web::bytes(StatusCode::OK, logo.media_type.mime(), data);
            if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", logo.sha256.to_hex())) {
                r.headers_mut().insert(header::ETAG, v);
            }
            r
        }
        _ => return Err(missing()),
    };
    let h = r.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(r)
}
