//! `/livez` and `/readyz`: the probes an orchestrator polls.
//!
//! Liveness never touches the store: a store outage must make replicas
//! unready (so traffic goes elsewhere), never get them restarted, which
//! would not bring the store back. Readiness asks the health use case,
//! which pings the store under a short deadline of its own, so a probe
//! answers quickly even when the store hangs. Neither is cached: each
//! probe sees the state of the moment.

use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::AppState;
use crate::error::ApiError;
use crate::query::QueryParams;
use crate::schemas::errors::{InvalidRequest, Unavailable};
use crate::schemas::health::{Liveness, Readiness};

/// Probe answers must not be cached by anything in between.
fn no_store() -> CacheControl {
    CacheControl(vec![CacheDirective::NoStore])
}

/// `GET /livez`: 200 while the process can answer at all.
///
/// # Errors
/// 422 for query parameters (it takes none).
#[utoipa::path(
    get,
    path = "/livez",
    tag = "health",
    operation_id = "livez",
    summary = "Liveness: the process is up",
    description = "Answers 200 whenever the process can answer at all. It never touches the store, so a store \
                   outage makes the service unready (`/readyz`) but never gets it restarted.",
    responses(
        (status = 200, description = "The process is up.", body = Liveness),
        (status = 422, response = InvalidRequest),
    )
)]
pub(crate) async fn livez(request: HttpRequest) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(request.query_string())?.finish()?;
    Ok(HttpResponse::Ok().insert_header(no_store()).json(Liveness::OK))
}

/// `GET /readyz`: 200 when the store answers a ping in time, else 503.
///
/// # Errors
/// 503 with `Retry-After` when the store is unreachable or slow; 422 for
/// query parameters (it takes none).
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "health",
    operation_id = "readyz",
    summary = "Readiness: the store is reachable",
    description = "Answers 200 when the store answers a ping within a short deadline (2 s, or the store's \
                   timeout if shorter), and 503 otherwise — quickly, even when the store hangs.",
    responses(
        (status = 200, description = "The store answered in time: requests can be served.", body = Readiness),
        (status = 422, response = InvalidRequest),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn readyz(request: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(request.query_string())?.finish()?;
    state.health.check_ready().await?;
    Ok(HttpResponse::Ok().insert_header(no_store()).json(Readiness::READY))
}
