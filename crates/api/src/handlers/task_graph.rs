//! `/api/v1/tasks/{uid}/blockers` and `…/dependents`: walks of the task
//! graph (`(:Task)-[:BLOCKS]->(:Task)`).

use actix_web::{HttpRequest, HttpResponse, web};
use trm_domain::{Direction, EntityKind, FieldErrorKind, TaskId, WalkDepth};

use super::path_id;
use crate::AppState;
use crate::error::ApiError;
use crate::query::QueryParams;
use crate::schemas::errors::{InvalidRequest, TaskNotFound, Unavailable};
use crate::schemas::query::TaskGraphQuery;
use crate::schemas::task::TaskAtDepth;

/// `GET /api/v1/tasks/{uid}/blockers`: what the task waits for.
///
/// # Errors
/// 422 for a depth out of 1–25, 404 for an unknown task.
#[utoipa::path(
    get,
    path = "/api/v1/tasks/{uid}/blockers",
    tag = "tasks",
    operation_id = "list_task_blockers",
    summary = "List a task's blockers",
    description = "The tasks this task waits for — its `blocked_by`, theirs, and so on, up to `depth` edges \
                   away — each once at its smallest depth, ordered by depth, then oldest first (`created_at`, \
                   then `uid`).",
    params(("uid" = String, Path, format = Uuid, description = "The task's id."), TaskGraphQuery),
    responses(
        (status = 200, description = "The blockers, nearest first.", body = Vec<TaskAtDepth>),
        (status = 404, response = TaskNotFound),
        (status = 422, response = InvalidRequest),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn blockers(
    request: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    walk(&request, &state, &uid, Direction::Blockers).await
}

/// `GET /api/v1/tasks/{uid}/dependents`: what waits for the task.
///
/// # Errors
/// 422 for a depth out of 1–25, 404 for an unknown task.
#[utoipa::path(
    get,
    path = "/api/v1/tasks/{uid}/dependents",
    tag = "tasks",
    operation_id = "list_task_dependents",
    summary = "List a task's dependents",
    description = "The tasks waiting for this task — those it blocks, those they block, and so on, up to \
                   `depth` edges away — each once at its smallest depth, ordered by depth, then oldest first \
                   (`created_at`, then `uid`).",
    params(("uid" = String, Path, format = Uuid, description = "The task's id."), TaskGraphQuery),
    responses(
        (status = 200, description = "The dependents, nearest first.", body = Vec<TaskAtDepth>),
        (status = 404, response = TaskNotFound),
        (status = 422, response = InvalidRequest),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn dependents(
    request: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    walk(&request, &state, &uid, Direction::Dependents).await
}

/// Reads `depth` (validated before the id is looked up), then walks.
async fn walk(
    request: &HttpRequest,
    state: &AppState,
    uid: &str,
    direction: Direction,
) -> Result<HttpResponse, ApiError> {
    let mut query = QueryParams::parse(request.query_string())?;
    let depth = take_depth(&mut query);
    query.finish()?;
    let id = TaskId::from_uuid(path_id(uid, EntityKind::Task)?);
    let reached = state.tasks.walk_tasks(id, direction, depth).await?;
    let body: Vec<TaskAtDepth> = reached.into_iter().map(TaskAtDepth::from).collect();
    Ok(HttpResponse::Ok().json(body))
}

/// The `depth` parameter: an integer from 1 to 25, 1 when absent.
fn take_depth(query: &mut QueryParams) -> WalkDepth {
    let Some(text) = query.take("depth") else { return WalkDepth::default() };
    let parsed = text.trim().parse::<i64>().map_err(|_| FieldErrorKind::IntParsing).and_then(WalkDepth::new);
    parsed.unwrap_or_else(|kind| {
        query.reject("depth", kind);
        WalkDepth::default()
    })
}
