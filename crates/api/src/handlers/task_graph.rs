//! `/api/v1/tasks/{uid}/blockers` and `…/dependents`, walks of the task
//! graph (`(:Task)-[:BLOCKS]->(:Task)`), and `…/subtasks`, the task's
//! children (`(:Task)-[:IS_SUBTASK_OF]->(:Task)`).

use actix_web::{HttpRequest, HttpResponse, web};
use trm_domain::{Direction, EntityKind, FieldErrorKind, Page, Task, TaskId, WalkDepth};

use super::{page_response, path_id};
use crate::AppState;
use crate::error::ApiError;
use crate::query::{FixedByPath, QueryParams, task_list};
use crate::schemas::errors::{InvalidRequest, TaskNotFound, Unavailable};
use crate::schemas::query::{SubtaskListQuery, TaskGraphQuery};
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

/// `GET /api/v1/tasks/{uid}/subtasks`: one page of the task's direct
/// sub-tasks.
///
/// # Errors
/// 422 for unknown parameters or bad values, 404 for an unknown task.
#[utoipa::path(
    get,
    path = "/api/v1/tasks/{uid}/subtasks",
    tag = "tasks",
    operation_id = "list_subtasks",
    summary = "List a task's sub-tasks",
    description = "The task list (the same filters but `parent_id`, the same paging and orders), of the tasks \
                   whose `parent_id` is this task: its direct sub-tasks. Theirs are one more call away.",
    params(("uid" = String, Path, format = Uuid, description = "The task's id."), SubtaskListQuery),
    responses(
        (status = 200, description = "One page of the task's sub-tasks.", body = Vec<Task>, headers(
            ("Link" = String, description = "`<URL with the next cursor>; rel=\"next\"` when another page follows \
                                             (a server-relative URL keeping the filters); absent on the last page."),
        )),
        (status = 404, response = TaskNotFound),
        (status = 422, response = InvalidRequest),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn subtasks(
    request: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let mut query = QueryParams::parse(request.query_string())?;
    let (filter, page) = task_list(&mut query, FixedByPath::Parent);
    query.finish()?;
    let id = TaskId::from_uuid(path_id(&uid, EntityKind::Task)?);
    let page = match filter {
        Some(filter) => state.tasks.list_subtasks(id, filter, page).await?,
        None => {
            state.tasks.get_task(id).await?;
            Page { items: Vec::new(), next: None }
        }
    };
    Ok(page_response(&request, &page))
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
