//! `/api/v1/overview`: counts and the newest tasks, gathered concurrently.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::AppState;
use crate::error::ApiError;
use crate::query::QueryParams;
use crate::schemas::errors::{InvalidRequest, Unavailable};
use crate::schemas::overview::OverviewResponse;

/// `GET /api/v1/overview`.
///
/// # Errors
/// 503 when the store (any part of it) is unavailable; 422 for query
/// parameters (it takes none).
#[utoipa::path(
    get,
    path = "/api/v1/overview",
    tag = "overview",
    operation_id = "overview",
    summary = "Overview: counts and the newest tasks",
    description = "Task counts by status (every status, zeros included), the numbers of tasks, projects and \
                   users, and the ten newest tasks, newest first. The parts are read concurrently; if one \
                   fails, the whole request fails.",
    responses(
        (status = 200, description = "The overview.", body = OverviewResponse),
        (status = 422, response = InvalidRequest),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn overview(request: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(request.query_string())?.finish()?;
    let overview = state.overview.overview().await?;
    Ok(HttpResponse::Ok().json(OverviewResponse::from(overview)))
}
