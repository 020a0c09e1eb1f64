//! The route handlers: read the request, call one use case, shape the answer.
//!
//! Handlers hold no logic of their own beyond HTTP: they never touch a
//! store, and every rule lives in the service or the domain.

pub(crate) mod events;
pub(crate) mod health;
pub(crate) mod metrics;
pub(crate) mod overview;
pub(crate) mod projects;
pub(crate) mod task_graph;
pub(crate) mod tasks;
pub(crate) mod users;
pub(crate) mod webhooks;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use trm_domain::{EntityKind, Page};
use uuid::Uuid;

use crate::conditional::etag;
use crate::error::ApiError;
use crate::paging::next_link;

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
