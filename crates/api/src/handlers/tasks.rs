//! `/api/v1/tasks`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use trm_domain::{EntityKind, Page, TaskId};

use super::{entity_response, page_response, path_id, task_filter};
use crate::AppState;
use crate::body::JsonObject;
use crate::conditional::if_match;
use crate::error::ApiError;
use crate::query::QueryParams;
use crate::schemas::{TaskResponse, new_task, task_patch};

/// `GET /api/v1/tasks/`: one page of tasks, filtered.
///
/// # Errors
/// 422 for unknown parameters or bad values; 503 when the store is down.
pub async fn list(request: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut query = QueryParams::parse(request.query_string())?;
    let filter = task_filter(&mut query, true);
    let page = query.take_page();
    query.finish()?;
    let page = match filter {
        Some(filter) => state.tasks.list_tasks(filter, page).await?,
        None => Page { items: Vec::new(), next: None },
    };
    Ok(page_response(&request, &page.map(TaskResponse::from)))
}

/// `POST /api/v1/tasks/`: 201 with the task and its `Location`.
///
/// # Errors
/// 422 for an invalid body (including a project or assignee that does not
/// exist), 413/415 for oversized or non-JSON bodies.
pub async fn create(
    request: HttpRequest,
    state: web::Data<AppState>,
    JsonObject(body): JsonObject,
) -> Result<HttpResponse, ApiError> {
    let query = QueryParams::parse(request.query_string())?;
    let new = new_task(body)?;
    query.finish()?;
    let task = state.tasks.create_task(new).await?;
    let mut response = HttpResponse::Created();
    response.insert_header((header::LOCATION, format!("/api/v1/tasks/{}", task.uid)));
    Ok(entity_response(response, task.version, &TaskResponse::from(task)))
}

/// `GET /api/v1/tasks/{uid}`.
///
/// # Errors
/// 404 for an unknown or malformed id.
pub async fn get(
    request: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(request.query_string())?.finish()?;
    let id = TaskId::from_uuid(path_id(&uid, EntityKind::Task)?);
    let task = state.tasks.get_task(id).await?;
    Ok(entity_response(HttpResponse::Ok(), task.version, &TaskResponse::from(task)))
}

/// `PATCH /api/v1/tasks/{uid}`: changes the fields present.
///
/// # Errors
/// 422 for an invalid body (checked before the id is looked up), 404 for an
/// unknown id, 412 for a stale `If-Match`.
pub async fn update(
    request: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
    JsonObject(body): JsonObject,
) -> Result<HttpResponse, ApiError> {
    let query = QueryParams::parse(request.query_string())?;
    let patch = task_patch(body)?;
    query.finish()?;
    let id = TaskId::from_uuid(path_id(&uid, EntityKind::Task)?);
    let task = state.tasks.update_task(id, patch, if_match(&request)).await?;
    Ok(entity_response(HttpResponse::Ok(), task.version, &TaskResponse::from(task)))
}

/// `DELETE /api/v1/tasks/{uid}`: 204.
///
/// # Errors
/// 404 for an unknown id, 412 for a stale `If-Match`.
pub async fn delete(
    request: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(request.query_string())?.finish()?;
    let id = TaskId::from_uuid(path_id(&uid, EntityKind::Task)?);
    state.tasks.delete_task(id, if_match(&request)).await?;
    Ok(HttpResponse::NoContent().finish())
}
