//! `/api/v1/projects`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use trm_domain::{EntityKind, Page, Project, ProjectId, ProjectStatus, Task};
use trm_service::{ProjectFilter, TaskFilter};
use uuid::Uuid;

use super::{entity_response, page_response, path_id};
use crate::AppState;
use crate::body::JsonObject;
use crate::conditional::if_match;
use crate::error::ApiError;
use crate::idempotency::{IdempotentRequest, KeyClaim};
use crate::query::{FixedByPath, QueryParams, task_list};
use crate::schemas::errors::{
    IdempotencyInProgress, InvalidRequest, PayloadTooLarge, PreconditionFailed, ProjectCycle, ProjectHasTasks,
    ProjectNotFound, Unavailable, UnsupportedMediaType,
};
use crate::schemas::query::{ProjectDeleteQuery, ProjectListQuery, ProjectTaskListQuery};
use crate::wire::{self, ProjectCreateBody, ProjectUpdateBody};

/// `GET /api/v1/projects/`: one page of projects, optionally by status
/// and parent.
///
/// # Errors
/// 422 for unknown parameters or bad values.
#[utoipa::path(
    get,
    path = "/api/v1/projects/",
    tag = "projects",
    operation_id = "list_projects",
    summary = "List projects",
    description = "One page of the projects, optionally in one status and under one parent (its direct \
                   sub-projects), oldest first (by `created_at`, then `uid`), as a JSON array. When more follow, a \
                   `Link` header names the next page.",
    params(ProjectListQuery),
    responses(
        (status = 200, description = "One page of projects.", body = Vec<Project>, headers(
            ("Link" = String, description = "`<URL with the next cursor>; rel=\"next\"` when another page follows \
                                             (a server-relative URL keeping the filters); absent on the last page."),
        )),
        (status = 422, response = InvalidRequest),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn list(request: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut query = QueryParams::parse(request.query_string())?;
    let status = query.take_enum::<ProjectStatus>("status");
    // Ids match exactly: one that is not an id matches nothing.
    let parent = query.take("parent_id").map(|text| Uuid::parse_str(text.trim()).ok());
    let page = query.take_page();
    query.finish()?;
    let page = match parent {
        Some(None) => Page { items: Vec::new(), next: None },
        parent => {
            let filter = ProjectFilter { status, parent_id: parent.flatten().map(ProjectId::from_uuid) };
            state.projects.list_projects(filter, page).await?
        }
    };
    Ok(page_response(&request, &page))
}

/// `POST /api/v1/projects/`: 201 with the project and its `Location`.
///
/// # Errors
/// 422 for an invalid body.
#[utoipa::path(
    post,
    path = "/api/v1/projects/",
    tag = "projects",
    operation_id = "create_project",
    summary = "Create a project",
    description = "Creates a project at version 1, optionally as a sub-project of `parent_id` (alias \
                   `parent_project_id`), which must exist; projects nest at most 10 levels deep.",
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "Makes the create safe to retry: a retry of the \
            same request with the same key within 24 hours answers the first successful response again (same \
            status, headers and body) and creates nothing. The same key with a different body is a 422 \
            (`idempotency_key_reused`); a failed attempt is not remembered. 1 to 255 visible ASCII characters.",
            max_length = 255, min_length = 1, pattern = "^[!-~]{1,255}$"),
    ),
    request_body(content = ProjectCreateBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Created.", body = Project, headers(
            ("Location" = String, description = "The new project's path, `/api/v1/projects/{uid}`."),
            ("ETag" = String, description = "The project's version in quotes, for `If-Match`."),
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
    let idempotent = IdempotentRequest::read(&request, "POST /api/v1/projects/", &body)?;
    let query = QueryParams::parse(request.query_string())?;
    let new = wire::read::<ProjectCreateBody>(body)?;
    query.finish()?;
    let key = match idempotent.claim(&state).await? {
        KeyClaim::Replay(answer) => return Ok(answer),
        KeyClaim::Fresh(key) => key,
    };
    let created = state.projects.create_project(new).await.map_err(ApiError::from).map(|project| {
        let mut response = HttpResponse::Created();
        response.insert_header((header::LOCATION, format!("/api/v1/projects/{}", project.uid)));
        entity_response(response, project.version, &project)
    });
    key.settle(created).await
}

/// `GET /api/v1/projects/{uid}`.
///
/// # Errors
/// 404 for an unknown or malformed id.
#[utoipa::path(
    get,
    path = "/api/v1/projects/{uid}",
    tag = "projects",
    operation_id = "get_project",
    summary = "Get a project",
    params(("uid" = String, Path, format = Uuid, description = "The project's id.")),
    responses(
        (status = 200, description = "The project.", body = Project, headers(
            ("ETag" = String, description = "The project's version in quotes, for `If-Match`."),
        )),
        (status = 404, response = ProjectNotFound),
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
    let id = ProjectId::from_uuid(path_id(&uid, EntityKind::Project)?);
    let project = state.projects.get_project(id).await?;
    Ok(entity_response(HttpResponse::Ok(), project.version, &project))
}

/// `PATCH /api/v1/projects/{uid}`.
///
/// # Errors
/// 422 for an invalid body, 404 for an unknown id, 412 for a stale `If-Match`.
#[utoipa::path(
    patch,
    path = "/api/v1/projects/{uid}",
    tag = "projects",
    operation_id = "update_project",
    summary = "Change a project",
    description = "Fields present are changed, fields absent are kept, and `null` clears `description` and \
                   `parent_id` (making the project a top-level one). The body is validated before the project is \
                   looked up. A new parent must exist and keep the tree at most 10 levels deep (422 at \
                   `parent_id`); the project itself or one of its sub-projects as its parent is a 409 naming the \
                   loop. A change grows `version` by one; a PATCH that changes nothing keeps it.",
    params(
        ("uid" = String, Path, format = Uuid, description = "The project's id."),
        ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on (`\"3\"`); \
                                                            `*` or none applies it to any version."),
    ),
    request_body(content = ProjectUpdateBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The project after the change.", body = Project, headers(
            ("ETag" = String, description = "The project's version in quotes."),
        )),
        (status = 404, response = ProjectNotFound),
        (status = 409, response = ProjectCycle),
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
    let patch = wire::read::<ProjectUpdateBody>(body)?;
    query.finish()?;
    let id = ProjectId::from_uuid(path_id(&uid, EntityKind::Project)?);
    let project = state.projects.update_project(id, patch, if_match(&request)).await?;
    Ok(entity_response(HttpResponse::Ok(), project.version, &project))
}

/// `DELETE /api/v1/projects/{uid}[?cascade=true]`: 204.
///
/// # Errors
/// 404 for an unknown id, 409 when it still has tasks or sub-projects and
/// `cascade` is not set, 412 for a stale `If-Match`.
#[utoipa::path(
    delete,
    path = "/api/v1/projects/{uid}",
    tag = "projects",
    operation_id = "delete_project",
    summary = "Delete a project",
    description = "Deletes the project. One that still has tasks or sub-projects is a 409, unless \
                   `cascade=true`, which deletes its whole subtree (its sub-projects at every depth) and the tasks \
                   of all of them, in the same transaction. Each task outside that lost a deleted task as a \
                   blocker gets a version bump and a `task.updated` event.",
    params(
        ("uid" = String, Path, format = Uuid, description = "The project's id."),
        ProjectDeleteQuery,
        ("If-Match" = Option<String>, Header, description = "Delete only at this `ETag`."),
    ),
    responses(
        (status = 204, description = "Deleted (with its sub-projects and tasks, when cascading)."),
        (status = 404, response = ProjectNotFound),
        (status = 409, response = ProjectHasTasks),
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
    let id = ProjectId::from_uuid(path_id(&uid, EntityKind::Project)?);
    state.projects.delete_project(id, cascade, if_match(&request)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /api/v1/projects/{uid}/tasks/`: the task list, within one project.
///
/// # Errors
/// 404 for an unknown project, 422 for bad parameters.
#[utoipa::path(
    get,
    path = "/api/v1/projects/{uid}/tasks/",
    tag = "projects",
    operation_id = "list_project_tasks",
    summary = "List a project's tasks",
    description = "The task list (the same filters but `project_id`, the same paging and order), within one \
                   project, or with `include_subprojects=true` within the project and all its sub-projects.",
    params(
        ("uid" = String, Path, format = Uuid, description = "The project's id."),
        ProjectTaskListQuery,
    ),
    responses(
        (status = 200, description = "One page of the project's tasks.", body = Vec<Task>, headers(
            ("Link" = String, description = "`<URL with the next cursor>; rel=\"next\"` when another page follows \
                                             (a server-relative URL keeping the filters); absent on the last page."),
        )),
        (status = 404, response = ProjectNotFound),
        (status = 422, response = InvalidRequest),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn tasks(
    request: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let mut query = QueryParams::parse(request.query_string())?;
    let (filter, page) = task_list(&mut query, FixedByPath::Project);
    let include_subprojects = query.take_bool("include_subprojects").unwrap_or(false);
    query.finish()?;
    let filter = filter.map(|filter| TaskFilter { include_subprojects, ..filter });
    let id = ProjectId::from_uuid(path_id(&uid, EntityKind::Project)?);
    let page = match filter {
        Some(filter) => state.projects.list_project_tasks(id, filter, page).await?,
        None => {
            state.projects.get_project(id).await?;
            Page { items: Vec::new(), next: None }
        }
    };
    Ok(page_response(&request, &page))
}
