//! `GET /metrics`: every metric of the application, for Prometheus to
//! scrape, in its text exposition format (0.0.4).
//!
//! What is exported is described in [`crate::metrics`] (HTTP) and in
//! `trm_repository::instrumented` (store operations and connections).
//! Scraping reads counters and the pool's counts; it never waits for the
//! store. The route is not gated here: who may scrape is the deployment's
//! (or an authentication layer's) decision.

use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::{HttpRequest, HttpResponse, web};
use prometheus_client::encoding::prometheus_text;

use crate::AppState;
use crate::error::ApiError;
use crate::query::QueryParams;
use crate::schemas::errors::InvalidRequest;

/// The `Content-Type` of `GET /metrics`: the Prometheus text format 0.0.4,
/// the format [`crate::metrics::Metrics::encode`] writes.
pub(crate) const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

/// `GET /metrics`: the metrics as Prometheus text.
///
/// # Errors
/// 422 for query parameters (it takes none); 500 if a metric cannot be
/// encoded (a bug).
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "metrics",
    operation_id = "metrics",
    summary = "Prometheus metrics",
    description = "Every metric of this instance in the Prometheus text exposition format (version 0.0.4). The \
                   application's are named `trm_…`: `trm_http_requests_total{method,route,status}` and \
                   `trm_http_request_duration_seconds{method,route}` (the route *template*, `unmatched` for paths \
                   no route serves; duration up to the response head), \
                   `trm_store_operation_duration_seconds{store,operation}`, \
                   `trm_store_operation_errors_total{store,operation,kind}`, \
                   `trm_store_pool_connections_in_use{store}`, `trm_store_pool_size{store}` and \
                   `trm_build_info{version,commit}`. On Linux, the standard process metrics follow \
                   (`process_cpu_seconds_total`, `process_resident_memory_bytes`, `process_virtual_memory_bytes`, \
                   `process_open_fds`, `process_max_fds`, `process_start_time_seconds`).",
    responses(
        (
            status = 200,
            description = "The metrics, as Prometheus text.",
            content_type = "text/plain; version=0.0.4; charset=utf-8",
            body = String,
        ),
        (status = 422, response = InvalidRequest),
    )
)]
pub(crate) async fn metrics(request: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(request.query_string())?.finish()?;
    let text = state
        .metrics
        .encode()
        .map_err(|error| ApiError::Internal(anyhow::Error::new(error).context("cannot encode the metrics")))?;
    Ok(HttpResponse::Ok()
        .content_type(CONTENT_TYPE)
        .insert_header(CacheControl(vec![CacheDirective::NoStore]))
        .body(text))
}
