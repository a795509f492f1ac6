//! The platform's operations (bearer `platform_admin_token`, refused entirely
//! when the variable is unset): `POST /api/v1/platform/seed` ([`crate::seed`]),
//! `POST /api/v1/platform/notifications/dispatch[?retry=now]` (delivers the
//! notifications that are due) and `GET /api/v1/platform/metrics` (the
//! outbox's depth for Prometheus) and
//! `POST /api/v1/platform/reminders/digest[?after={slug}&limit={n}]` (queues the
//! officials' daily deadline digests, [`ghiseu_app::reminders`]) and
//! `POST /api/v1/platform/retention/run` (`crate::retention`). Any other
//! `/api/v1/platform/...` path is 404.

use ghiseu_platform::http::{self as web, Problem, Request, Response};
use ghiseu_platform::kv::Store;
use http::{Method, StatusCode};

use crate::seed;

/// Handles `/api/v1/platform/...` except tenants and trust roots.
pub async fn handle(store: &Store, request: Request, path: &str) -> Response {
    if let Err(refused) = web::require_platform_admin(request.headers()).await {
        return refused;
    }
    match path {
        "/api/v1/platform/notifications/dispatch" => dispatch(store, &request).await,
        "/api/v1/platform/metrics" => metrics(store, &request).await,
        "/api/v1/platform/reminders/digest" => reminders(store, &request).await,
        "/api/v1/platform/retention/run" => crate::retention::run(store, &request).await,
        "/api/v1/platform/seed" => seed(store, request).await,
        _ => web::problem(StatusCode::NOT_FOUND, "No such platform resource."),
    }
}

/// `POST /api/v1/platform/notifications/dispatch`.
async fn dispatch(store: &Store, request: &Request) -> Response {
    if request.method() != Method::POST {
        return web::problem(StatusCode::METHOD_NOT_ALLOWED, "Use POST.");
    }
    let retry_now = request
        .uri()
        .query()
        .is_some_and(|q| q.contains("retry=now"));
    let gateway = match ghiseu_platform::notify::Gateway::from_variables().await {
        Ok(gateway) => gateway,
        Err(e) => {
            eprintln!("notifications: {e:?}");
            return web::problem(
                StatusCode::BAD_GATEWAY,
                "The notifications could not be dispatched; they stay queued.",
            );
        }
    };
    let now = ghiseu_platform::config::now();
    match ghiseu_app::dossiers::dispatch_notifications(store, gateway.as_ref(), 50, retry_now, now)
        .await
    {
        Ok(report) => web::json(StatusCode::OK, &report),
        Err(e) => {
            eprintln!("notifications: {e:?}");
            web::problem(
                StatusCode::BAD_GATEWAY,
                "The notifications could not be dispatched; they stay queued.",
            )
        }
    }
}

/// The most tenants one call of the reminders' digest reads (and its
/// default `limit`); the scheduler calls again with `after` while the report
/// names a `next`.
const REMINDER_TENANTS_PER_CALL: usize = 20;

/// `POST /api/v1/platform/reminders/digest[?after={slug}&limit={n}]`.
async fn reminders(store: &Store, request: &Request) -> Response {
    if request.method() != Method::POST {
        return web::problem(StatusCode::METHOD_NOT_ALLOWED, "Use POST.");
    }
    let query = |name: &str| {
        request
            .uri()
            .query()
            .unwrap_or("")
            .split('&')
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
            .map(str::to_owned)
    };
    let Ok(after) = query("after")
        .as_deref()
        .map(ghiseu_core::TenantSlug::parse)
        .transpose()
    else {
        return web::problem(
            StatusCode::BAD_REQUEST,
            "`after` must be a tenant's slug (lowercase letters, digits and hyphens).",
        );
    };
    let limit = match query("limit").map(|l| l.parse::<usize>()) {
        None => REMINDER_TENANTS_PER_CALL,
        Some(Ok(l)) if (1..=REMINDER_TENANTS_PER_CALL).contains(&l) => l,
        Some(_) => {
            return web::problem(
                StatusCode::BAD_REQUEST,
                "`limit` must be a whole number from 1 to 20.",
            );
        }
    };
    // Queued reminders would wait for ever with the gateway switched off.
    match ghiseu_platform::notify::Gateway::from_variables().await {
        Ok(Some(_)) => {}
        Ok(None) => {
            return web::problem(
                StatusCode::CONFLICT,
                "Notifications are switched off (notify_url is empty); no reminder was queued.",
            );
        }
        Err(e) => {
            eprintln!("reminders: {e:?}");
            return web::problem(
                StatusCode::BAD_GATEWAY,
                "The reminders could not be queued.",
            );
        }
    }
    let now = ghiseu_platform::config::now();
    match ghiseu_app::reminders::queue_digests(store, after.as_ref(), limit, now).await {
        Ok(report) => web::json(StatusCode::OK, &report),
        Err(e) => {
            eprintln!("reminders: {e:?}");
            web::problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "The reminders could not be queued; call again, nothing is queued twice.",
            )
        }
    }
}

/// `GET /api/v1/platform/metrics`.
async fn metrics(store: &Store, request: &Request) -> Response {
    if request.method() != Method::GET {
        return web::problem(StatusCode::METHOD_NOT_ALLOWED, "Use GET.");
    }
    match ghiseu_platform::notify::depth(store, ghiseu_platform::config::now()).await {
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
    }
}

/// `POST /api/v1/platform/seed`.
async fn seed(store: &Store, request: Request) -> Response {
    if request.method() != Method::POST {
        return web::problem(StatusCode::METHOD_NOT_ALLOWED, "Use POST.");
    }
    let origin = web::default_base_url(request.headers());
    match web::read_request(request, 1024 * 1024).await {
        Ok((_, body)) => seed::load_json(store, &body, &origin).await,
        Err(e) => Problem::from_error(&e).into_response(),
    }
}
