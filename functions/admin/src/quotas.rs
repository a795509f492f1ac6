//! `/admin/quotas`: the institution's submission quotas (how many online
//! submissions it accepts from one account and from one address, per hour
//! and per day), which the portal counts each submission against.

use ghiseu_core::quota::{Limit, SubmissionQuota};
use ghiseu_platform::http::{Form, Response, form_field, secure_html, see_other};
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;

use crate::ctx::{Admin, check_csrf};
use crate::error::AdminError;
use crate::forms::page_status;
use crate::pages;
use crate::texts::{Flash, t};

/// `GET /admin/quotas`.
pub async fn page(store: &Store, admin: &Admin) -> Result<Response, AdminError> {
    let quota = repo::submission_quota(store, &admin.scope).await?;
    let values: Vec<(Limit, String)> = Limit::ALL
        .iter()
        .map(|&l| (l, quota.get(l).to_string()))
        .collect();
    Ok(secure_html(
        page_status(&[]),
        pages::quotas(&admin.viewer(), &values, &[]),
    ))
}

/// `POST /admin/quotas` (`account_hour`, `account_day`, `address_hour`,
/// `address_day`): saved when every limit is a whole number from 1 to
/// 100000; otherwise the form again with each refused limit named, and
/// nothing saved.
pub async fn save_form(store: &Store, admin: &Admin, form: &Form) -> Result<Response, AdminError> {
    check_csrf(admin, form)?;
    match SubmissionQuota::parse(|code| form_field(form, code).map(str::to_owned)) {
        Ok(quota) => {
            repo::put_submission_quota(store, &admin.scope, &quota).await?;
            Ok(see_other(&Flash::Quotas.after("/admin/quotas")))
        }
        Err(refused) => {
            let errors: Vec<(String, String)> = refused
                .iter()
                .map(|e| (e.0.code().to_owned(), t(admin.lang, "err_quota").to_owned()))
                .collect();
            let values: Vec<(Limit, String)> = Limit::ALL
                .iter()
                .map(|&l| (l, form_field(form, l.code()).unwrap_or_default().to_owned()))
                .collect();
            Ok(secure_html(
                page_status(&errors),
                pages::quotas(&admin.viewer(), &values, &errors),
            ))
        }
    }
}
