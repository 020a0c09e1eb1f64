//! `/api/v1/projects`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use trm_domain::{EntityKind, Page, ProjectId, ProjectStatus};
use trm_service::ProjectFilter;

use super::{entity_response, page_response, path_id, task_filter};
use crate::AppState;
use crate::body::JsonObject;
use crate::conditional::if_match;
use crate::error::ApiError;
use crate::query::QueryParams;
use crate::schemas::{ProjectResponse, TaskResponse, new_project, project_patch};

/// `GET /api/v1/projects/`: one page of projects, optionally by status.
///
/// # Errors
/// 422 for unknown parameters or bad values.
pub async fn list(request: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut query = QueryParams::parse(request.query_string())?;
    let filter = ProjectFilter { status: query.take_enum::<ProjectStatus>("status") };
    let page = query.take_page();
    query.finish()?;
    let page = state.projects.list_projects(filter, page).await?;
    Ok(page_response(&request, &page.map(ProjectResponse::from)))
}

/// `POST /api/v1/projects/`: 201 with the project and its `Location`.
///
/// # Errors
/// 422 for an invalid body.
pub async fn create(
    request: HttpRequest,
    state: web::Data<AppState>,
    JsonObject(body): JsonObject,
) -> Result<HttpResponse, ApiError> {
    let query = QueryParams::parse(request.query_string())?;
    let new = new_project(body)?;
    query.finish()?;
    let project = state.projects.create_project(new).await?;
    let mut response = HttpResponse::Created();
    response.insert_header((header::LOCATION, format!("/api/v1/projects/{}", project.uid)));
    Ok(entity_response(response, project.version, &ProjectResponse::from(project)))
}

/// `GET /api/v1/projects/{uid}`.
///
/// # Errors
/// 404 for an unknown or malformed id.
pub async fn get(
    request: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(request.query_string())?.finish()?;
    let id = ProjectId::from_uuid(path_id(&uid, EntityKind::Project)?);
    let project = state.projects.get_project(id).await?;
    Ok(entity_response(HttpResponse::Ok(), project.version, &ProjectResponse::from(project)))
}

/// `PATCH /api/v1/projects/{uid}`.
///
/// # Errors
/// 422 for an invalid body, 404 for an unknown id, 412 for a stale `If-Match`.
pub async fn update(
    request: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
    JsonObject(body): JsonObject,
) -> Result<HttpResponse, ApiError> {
    let query = QueryParams::parse(request.query_string())?;
    let patch = project_patch(body)?;
    query.finish()?;
    let id = ProjectId::from_uuid(path_id(&uid, EntityKind::Project)?);
    let project = state.projects.update_project(id, patch, if_match(&request)).await?;
    Ok(entity_response(HttpResponse::Ok(), project.version, &ProjectResponse::from(project)))
}

/// `DELETE /api/v1/projects/{uid}[?cascade=true]`: 204.
///
/// # Errors
/// 404 for an unknown id, 409 when it still has tasks and `cascade` is not
/// set, 412 for a stale `If-Match`.
pub async fn delete(
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
pub async fn tasks(
    request: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let mut query = QueryParams::parse(request.query_string())?;
    let filter = task_filter(&mut query, false);
    let page = query.take_page();
    query.finish()?;
    let id = ProjectId::from_uuid(path_id(&uid, EntityKind::Project)?);
    let page = match filter {
        Some(filter) => state.projects.list_project_tasks(id, filter, page).await?,
        None => {
            state.projects.get_project(id).await?;
            Page { items: Vec::new(), next: None }
        }
    };
    Ok(page_response(&request, &page.map(TaskResponse::from)))
}
