//! Officials' second factor, as the tenant's administrator sees it: whether
//! the tenant requires it of signers and administrators
//! (`POST /admin/second-factor`), who has it on, and resetting an
//! official's (`POST /admin/officials/{username}/second-factor/reset`,
//! logged), after which they enrol again.

use ghiseu_core::{Official, Username};
use ghiseu_platform::http::{Form, Response, form_field as field, see_other as redirect};
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;
use ghiseu_platform::second_factor as sf;
use maud::{Markup, html};

use crate::ctx::{Admin, check_csrf};
use crate::error::AdminError;
use crate::texts::{Flash, t};

/// The officials page's section: the requirement and who has it on, each
/// with a reset.
pub async fn section(
    store: &Store,
    admin: &Admin,
    officials: &[Official],
) -> Result<Markup, AdminError> {
    let required = sf::required(store, &admin.scope).await?;
    let mut on = Vec::new();
    for o in officials {
        if sf::enabled(store, &admin.scope, &o.username)
            .await?
            .is_some()
        {
            on.push(o);
        }
    }
    let csrf = admin.session.csrf.as_str();
    let lang = admin.lang;
    Ok(html! {
        h2 id="second-factor" { (t(lang, "sf_title")) }
        form method="post" action="/admin/second-factor" {
            input type="hidden" name="csrf" value=(csrf);
            div.checkbox {
                input type="checkbox" id="required" name="required" value="on" checked[required];
                label for="required" { (t(lang, "sf_required")) }
            }
            button type="submit" { (t(lang, "save")) }
        }
        @if on.is_empty() {
            p { (t(lang, "sf_none")) }
        } @else {
            ul id="second-factor-on" {
                @for o in &on {
                    li {
                        (o.display_name.as_str()) " (" (o.username.as_str()) ") "
                        form method="post" action=(format!("/admin/officials/{}/second-factor/reset", o.username)) {
                            input type="hidden" name="csrf" value=(csrf);
                            button type="submit" aria-label=(format!("{} ({})", t(lang, "sf_reset"), o.username)) { (t(lang, "sf_reset")) }
                        }
                    }
                }
            }
        }
    })
}

/// `POST /admin/second-factor`: whether the tenant requires it.
pub fn require_form(admin: &Admin, form: &Form) -> Result<Response, AdminError> {
    check_csrf(admin, form)?;
    let required = field(form, "required").is_some();
    sf::set_required(&admin.scope, required)?;
    eprintln!(
        "admin: second factor {} in {} by {}",
        if required { "required" } else { "optional" },
        admin.tenant.slug,
        admin.official.username
    );
    Ok(redirect(&format!(
        "{}#second-factor",
        Flash::SecondFactor.after("/admin/officials")
    )))
}

/// `POST /admin/officials/{username}/second-factor/reset`: the official's
/// second factor is removed (logged); they enrol again.
pub fn reset_form(admin: &Admin, username: &str, form: &Form) -> Result<Response, AdminError> {
    check_csrf(admin, form)?;
    let missing = || AdminError::NotFound(format!("Utilizatorul `{username}` nu există."));
    let user = Username::parse(username).map_err(|_| missing())?;
    if !sf::remove(&admin.scope, &user)? {
        return Err(AdminError::NotFound(format!(
            "Utilizatorul `{user}` nu are verificarea în doi pași activă."
        )));
    }
    // A reset is for a lost or taken phone: whoever holds a session opened
    // with it signs in again.
    let now = ghiseu_platform::config::now();
    repo::update_official(&admin.scope, &user, |o| o.sessions_from = Some(now))?;
    eprintln!(
        "admin: second factor of {user} in {} reset by {}",
        admin.tenant.slug, admin.official.username
    );
    Ok(redirect(&format!(
        "{}#second-factor",
        Flash::SecondFactor.after("/admin/officials")
    )))
}
