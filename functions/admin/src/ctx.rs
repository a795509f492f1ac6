//! Who administers on this request: the signed-in tenant administrator
//! ([`Admin`], read from the desk's session cookie) and the CSRF check of
//! their forms.

use ghiseu_core::{Lang, Official, Role, Tenant, TenantSlug, Username};
use ghiseu_platform::http::{Form, cookie, form_field as field};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;
use ghiseu_platform::session::{self, Session};
use http::HeaderMap;

use crate::error::AdminError;
use crate::pages::Viewer;
use crate::texts::Flash;

/// The desk's session cookie: one sign-in serves the desk and the admin pages.
const SESSION_COOKIE: &str = "ghiseu_desk";

/// A signed-in tenant administrator on this request.
pub struct Admin {
    pub session: Session,
    pub official: Official,
    pub tenant: Tenant,
    pub scope: TenantScope,
    /// The pages' language (`?lang=`, the remembered choice, the browser's).
    pub lang: Lang,
    /// The confirmation this page shows, after a save's redirect.
    pub flash: Option<Flash>,
    /// The page's path (for the language links).
    pub path: String,
}

impl Admin {
    /// Whether `given` is this session's CSRF token.
    pub fn csrf_ok(&self, given: Option<&str>) -> bool {
        given.is_some_and(|g| session::constant_time_eq(g.as_bytes(), self.session.csrf.as_bytes()))
    }

    /// What the pages show of the administrator.
    pub fn viewer(&self) -> Viewer<'_> {
        Viewer {
            tenant: &self.tenant,
            display_name: self.official.display_name.as_str(),
            csrf: &self.session.csrf,
            lang: self.lang,
            flash: self.flash,
            path: &self.path,
        }
    }
}

/// The administrator of this request: a live session of an active official
/// of an active tenant, with the role `tenant_admin` in that tenant. Everything
/// an administrator touches is in [`Admin::scope`], their own tenant's keys.
pub async fn admin(store: &Store, headers: &HeaderMap) -> Result<Admin, AdminError> {
    let id = cookie(headers, SESSION_COOKIE).ok_or(AdminError::Unauthenticated)?;
    let session = session::load(store, id, ghiseu_platform::config::now())
        .await?
        .ok_or(AdminError::Unauthenticated)?;
    let (Ok(slug), Ok(username)) = (
        TenantSlug::parse(&session.tenant),
        Username::parse(&session.username),
    ) else {
        return Err(AdminError::Unauthenticated);
    };
    let scope = TenantScope::new(&slug);
    let (Some(tenant), Some(official)) = (
        repo::get_tenant(store, &slug).await?,
        repo::official(store, &scope, &username).await?,
    ) else {
        return Err(AdminError::Unauthenticated);
    };
    let Some(actor) = official.actor().filter(|_| tenant.active) else {
        return Err(AdminError::Unauthenticated);
    };
    if !actor.roles.contains(&Role::TenantAdmin) {
        return Err(AdminError::Forbidden(
            "Doar administratorul instituției are acces aici.".to_owned(),
        ));
    }
    Ok(Admin {
        session,
        official,
        tenant,
        scope,
        lang: Lang::Ro,
        flash: None,
        path: String::new(),
    })
}

/// Refuses a form whose CSRF token is not the session's.
pub fn check_csrf(admin: &Admin, form: &Form) -> Result<(), AdminError> {
    if admin.csrf_ok(field(form, "csrf")) {
        Ok(())
    } else {
        Err(AdminError::Forbidden(
            "Formularul nu este valid (CSRF). Reîncărcați pagina.".to_owned(),
        ))
    }
}
