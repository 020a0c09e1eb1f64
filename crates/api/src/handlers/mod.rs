//! The route handlers: read the request, call one use case, shape the answer.
//!
//! Handlers hold no logic of their own beyond HTTP: they never touch a
//! store, and every rule lives in the service or the domain.

pub mod events;
pub mod health;
pub mod metrics;
pub mod overview;
pub mod projects;
pub mod tasks;
pub mod users;
pub mod webhooks;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use trm_domain::search::SearchQuery;
use trm_domain::{EntityKind, Page, Tag, TaskStatus, TaskType};
use trm_service::TaskFilter;
use uuid::Uuid;

use crate::conditional::etag;
use crate::error::ApiError;
use crate::paging::next_link;
use crate::query::QueryParams;

/// 200 with a JSON array and, when more follow, a `Link: rel="next"` header.
pub(crate) fn page_response<T: Serialize>(request: &HttpRequest, page: &Page<T>) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    if let Some(next) = &page.next {
        response.insert_header((header::LINK, next_link(request, next)));
    }
    response.json(&page.items)
}

/// 200 (or `status`) with one entity and its ETag.
pub(crate) fn entity_response<T: Serialize>(
    mut response: actix_web::HttpResponseBuilder,
    version: u64,
    body: &T,
) -> HttpResponse {
    response.insert_header((header::ETAG, etag(version))).json(body)
}

/// Reads a path id. Text that is not a UUID cannot name any entity: 404.
pub(crate) fn path_id(text: &str, kind: EntityKind) -> Result<Uuid, ApiError> {
    Uuid::parse_str(text).map_err(|_| ApiError::NotFound(kind))
}

/// An id filter: `None` when absent; `Some(None)` when it is not a UUID and
/// therefore matches nothing (ids match exactly).
#[allow(clippy::option_option)]
fn id_filter(query: &mut QueryParams, name: &str) -> Option<Option<Uuid>> {
    query.take(name).map(|text| Uuid::parse_str(text.trim()).ok())
}

/// Reads the task list's filters. `None` means the filter can match nothing
/// (a malformed id), so the answer is an empty list without a store call.
/// Public for the fuzz targets (`fuzz/`), which feed it arbitrary queries.
pub fn task_filter(query: &mut QueryParams, with_project: bool) -> Option<TaskFilter> {
    let project = if with_project { id_filter(query, "project_id") } else { None };
    let assignee = id_filter(query, "assignee_id");
    let statuses = query.take_enums::<TaskStatus>("status");
    let task_type = query.take_enum::<TaskType>("task_type");
    let tag = query.take("tag");
    let tag = match tag.map(|text| Tag::parse(&text)) {
        None => None,
        Some(Ok(tag)) => Some(tag),
        Some(Err(_)) => return None, // no stored tag is blank or over-long
    };
    let search = query.take("q").and_then(|text| match SearchQuery::parse(&text) {
        Ok(search) => Some(search),
        Err(kind) => {
            query.reject("q", kind);
            None
        }
    });
    Some(TaskFilter {
        project_id: match project {
            None => None,
            Some(Some(id)) => Some(id.into()),
            Some(None) => return None,
        },
        assignee_id: match assignee {
            None => None,
            Some(Some(id)) => Some(id.into()),
            Some(None) => return None,
        },
        statuses,
        task_type,
        tag,
        search,
    })
}
