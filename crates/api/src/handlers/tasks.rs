//! `/api/v1/tasks`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use trm_domain::{EntityKind, Page, Task, TaskId};

use super::{entity_response, page_response, path_id};
use crate::AppState;
use crate::body::{BulkJsonObject, JsonObject};
use crate::conditional::if_match;
use crate::error::ApiError;
use crate::idempotency::{IdempotentRequest, KeyClaim};
use crate::query::{FixedByPath, QueryParams, task_list};
use crate::schemas::errors::{
    DependencyCycle, IdempotencyInProgress, InvalidRequest, PayloadTooLarge, PreconditionFailed, TaskHasSubtasks,
    TaskNotFound, Unavailable, UnsupportedMediaType,
};
use crate::schemas::query::{TaskDeleteQuery, TaskListQuery};
use crate::wire::{self, TaskBulkCreateBody, TaskCreateBody, TaskUpdateBody};

/// `GET /api/v1/tasks/`: one page of tasks, filtered.
///
/// # Errors
/// 422 for unknown parameters or bad values; 503 when the store is down.
#[utoipa::path(
    get,
    path = "/api/v1/tasks/",
    tag = "tasks",
    operation_id = "list_tasks",
    summary = "List tasks",
    description = "One page of the tasks matching every filter given, oldest first (by `created_at`, then \
                   `uid`), as a JSON array. When more follow, a `Link` header names the next page.",
    params(TaskListQuery),
    responses(
        (status = 200, description = "One page of tasks.", body = Vec<Task>, headers(
            ("Link" = String, description = "`<URL with the next cursor>; rel=\"next\"` when another page follows \
                                             (a server-relative URL keeping the filters); absent on the last page."),
        )),
        (status = 422, response = InvalidRequest),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn list(request: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut query = QueryParams::parse(request.query_string())?;
    let (filter, page) = task_list(&mut query, FixedByPath::Nothing);
    query.finish()?;
    let page = match filter {
        Some(filter) => state.tasks.list_tasks(filter, page).await?,
        None => Page { items: Vec::new(), next: None },
    };
    Ok(page_response(&request, &page))
}

/// `POST /api/v1/tasks/`: 201 with the task and its `Location`.
///
/// # Errors
/// 422 for an invalid body (including a project or assignee that does not
/// exist), 413/415 for oversized or non-JSON bodies.
#[utoipa::path(
    post,
    path = "/api/v1/tasks/",
    tag = "tasks",
    operation_id = "create_task",
    summary = "Create a task",
    description = "Creates a task at version 1. Every field but `title` is optional; a `project_id` or \
                   `assignee_id` must name an existing project or user, and each of `blocked_by` an existing \
                   task.",
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "Makes the create safe to retry: a retry of the \
            same request with the same key within 24 hours answers the first successful response again (same \
            status, headers and body) and creates nothing. The same key with a different body is a 422 \
            (`idempotency_key_reused`); a failed attempt is not remembered. 1 to 255 visible ASCII characters.",
            max_length = 255, min_length = 1, pattern = "^[!-~]{1,255}$"),
    ),
    request_body(content = TaskCreateBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Created.", body = Task, headers(
            ("Location" = String, description = "The new task's path, `/api/v1/tasks/{uid}`."),
            ("ETag" = String, description = "The task's version in quotes, for `If-Match`."),
        )),
        (status = 409, response = IdempotencyInProgress),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidRequest),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn create(
    request: HttpRequest,
    state: web::Data<AppState>,
    JsonObject(body): JsonObject,
) -> Result<HttpResponse, ApiError> {
    let idempotent = IdempotentRequest::read(&request, "POST /api/v1/tasks/", &body)?;
    let query = QueryParams::parse(request.query_string())?;
    let new = wire::read::<TaskCreateBody>(body)?;
    query.finish()?;
    let key = match idempotent.claim(&state).await? {
        KeyClaim::Replay(answer) => return Ok(answer),
        KeyClaim::Fresh(key) => key,
    };
    let created = state.tasks.create_task(new).await.map_err(ApiError::from).map(|task| {
        let mut response = HttpResponse::Created();
        response.insert_header((header::LOCATION, format!("/api/v1/tasks/{}", task.uid)));
        entity_response(response, task.version, &task)
    });
    key.settle(created).await
}

/// `POST /api/v1/tasks/bulk`: 201 with the created tasks, in request order.
///
/// The body is validated as a whole before anything else — an
/// `Idempotency-Key` is claimed only for a valid request — and written in
/// one transaction.
///
/// # Errors
/// 422 listing every problem of every item (nothing is written), 413 past
/// [`crate::body::MAX_BULK_BODY_BYTES`], 415 for a non-JSON body.
#[utoipa::path(
    post,
    path = "/api/v1/tasks/bulk",
    tag = "tasks",
    operation_id = "create_tasks",
    summary = "Create many tasks at once",
    description = "Creates 1 to 1,000 tasks in one transaction, all or none, for imports. Each item is a body as                    for `POST /api/v1/tasks/`, and items may name different projects. A 422 lists every problem                    of every item at `[\"body\", \"tasks\", i, …]` and writes nothing. Each created task                    publishes its own `task.created` event. The body may be up to 56,000 KiB (the one route                    allowed past 1 MiB).",
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "Makes the bulk create safe to retry, as for             `POST /api/v1/tasks/`: a retry with the same key and body within 24 hours answers the first             successful response again and creates nothing.",
            max_length = 255, min_length = 1, pattern = "^[!-~]{1,255}$"),
    ),
    request_body(content = TaskBulkCreateBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Created, in request order.", body = Vec<Task>),
        (status = 409, response = IdempotencyInProgress),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidRequest),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn create_many(
    request: HttpRequest,
    state: web::Data<AppState>,
    BulkJsonObject(body): BulkJsonObject,
) -> Result<HttpResponse, ApiError> {
    let idempotent = IdempotentRequest::read(&request, "POST /api/v1/tasks/bulk", &body)?;
    let query = QueryParams::parse(request.query_string())?;
    let new = wire::read::<TaskBulkCreateBody>(body)?;
    query.finish()?;
    let key = match idempotent.claim(&state).await? {
        KeyClaim::Replay(answer) => return Ok(answer),
        KeyClaim::Fresh(key) => key,
    };
    let created =
        state.tasks.create_tasks(new).await.map_err(ApiError::from).map(|tasks| HttpResponse::Created().json(tasks));
    key.settle(created).await
}

/// `GET /api/v1/tasks/{uid}`.
///
/// # Errors
/// 404 for an unknown or malformed id.
#[utoipa::path(
    get,
    path = "/api/v1/tasks/{uid}",
    tag = "tasks",
    operation_id = "get_task",
    summary = "Get a task",
    params(("uid" = String, Path, format = Uuid, description = "The task's id.")),
    responses(
        (status = 200, description = "The task.", body = Task, headers(
            ("ETag" = String, description = "The task's version in quotes, for `If-Match`."),
        )),
        (status = 404, response = TaskNotFound),
        (status = 422, response = InvalidRequest),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn get(
    request: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(request.query_string())?.finish()?;
    let id = TaskId::from_uuid(path_id(&uid, EntityKind::Task)?);
    let task = state.tasks.get_task(id).await?;
    Ok(entity_response(HttpResponse::Ok(), task.version, &task))
}

/// `PATCH /api/v1/tasks/{uid}`: changes the fields present.
///
/// # Errors
/// 422 for an invalid body (checked before the id is looked up), 404 for an
/// unknown id, 412 for a stale `If-Match`.
#[utoipa::path(
    patch,
    path = "/api/v1/tasks/{uid}",
    tag = "tasks",
    operation_id = "update_task",
    summary = "Change a task",
    description = "Fields present are changed, fields absent are kept, and `null` clears a nullable field. The \
                   body is validated before the task is looked up. A change grows `version` by one; a PATCH that \
                   changes nothing keeps it. `blocked_by` replaces the task's blockers: each must name another \
                   task (422), and one that already waits for this task would close a cycle (409).",
    params(
        ("uid" = String, Path, format = Uuid, description = "The task's id."),
        ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on (`\"3\"`); \
                                                            `*` or none applies it to any version."),
    ),
    request_body(content = TaskUpdateBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The task after the change.", body = Task, headers(
            ("ETag" = String, description = "The task's version in quotes."),
        )),
        (status = 404, response = TaskNotFound),
        (status = 409, response = DependencyCycle),
        (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidRequest),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn update(
    request: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
    JsonObject(body): JsonObject,
) -> Result<HttpResponse, ApiError> {
    let query = QueryParams::parse(request.query_string())?;
    let patch = wire::read::<TaskUpdateBody>(body)?;
    query.finish()?;
    let id = TaskId::from_uuid(path_id(&uid, EntityKind::Task)?);
    let task = state.tasks.update_task(id, patch, if_match(&request)).await?;
    Ok(entity_response(HttpResponse::Ok(), task.version, &task))
}

/// `DELETE /api/v1/tasks/{uid}`: 204.
///
/// # Errors
/// 404 for an unknown id, 412 for a stale `If-Match`.
#[utoipa::path(
    delete,
    path = "/api/v1/tasks/{uid}",
    tag = "tasks",
    operation_id = "delete_task",
    summary = "Delete a task",
    description = "Deletes the task and its relationships. A task with sub-tasks is a 409, unless \
                   `cascade=true`, which deletes its sub-tasks too, at every depth (a `task.deleted` event for \
                   each, sub-tasks before their parent). Each surviving task a deleted one blocked loses it from \
                   `blocked_by`, one version further, with a `task.updated` event.",
    params(
        ("uid" = String, Path, format = Uuid, description = "The task's id."),
        ("If-Match" = Option<String>, Header, description = "Delete only at this `ETag`."),
        TaskDeleteQuery,
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, response = TaskNotFound),
        (status = 409, response = TaskHasSubtasks),
        (status = 412, response = PreconditionFailed),
        (status = 422, response = InvalidRequest),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn delete(
    request: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let mut query = QueryParams::parse(request.query_string())?;
    let cascade = query.take_bool("cascade").unwrap_or(false);
    query.finish()?;
    let id = TaskId::from_uuid(path_id(&uid, EntityKind::Task)?);
    state.tasks.delete_task(id, cascade, if_match(&request)).await?;
    Ok(HttpResponse::NoContent().finish())
}
