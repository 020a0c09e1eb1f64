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

use actix_web::error::JsonPayloadError;
use actix_web::http::header::{self, ContentType};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use trm_domain::{EntityKind, Page};
use uuid::Uuid;

use crate::conditional::etag;
use crate::error::ApiError;
use crate::paging::next_link;
use crate::sliced_body::{SLICE_BYTES, SlicedJson};

/// 200 with a JSON array and, when more follow, a `Link: rel="next"` header.
/// A page larger than a slice goes out in slices ([`SlicedJson`]), so that
/// it does not leave its connection holding a write buffer its size.
pub(crate) fn page_response<T: Serialize>(request: &HttpRequest, page: &Page<T>) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    if let Some(next) = &page.next {
        response.insert_header((header::LINK, next_link(request, next)));
    }
    match serde_json::to_vec(&page.items) {
        Ok(json) if json.len() > SLICE_BYTES => {
            response.insert_header(ContentType::json()).body(SlicedJson::new(Bytes::from(json)))
        }
        Ok(json) => response.insert_header(ContentType::json()).body(json),
        Err(error) => HttpResponse::from_error(JsonPayloadError::Serialize(error)),
    }
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

#[cfg(test)]
mod tests {
    use actix_web::body::{self, BodySize, MessageBody as _};
    use actix_web::test::TestRequest;
    use trm_domain::Page;

    use super::*;

    #[actix_web::test]
    async fn a_page_larger_than_a_slice_is_answered_whole_as_json_with_its_length() {
        let items: Vec<String> = (0..100).map(|i| format!("{i}:{}", "x".repeat(1000))).collect();
        let expected = serde_json::to_vec(&items).unwrap();
        assert!(expected.len() > 2 * SLICE_BYTES, "the page must take several slices");
        let request = TestRequest::get().uri("/api/v1/tasks/").to_http_request();
        let response = page_response(&request, &Page { items: items.clone(), next: None });
        assert_eq!(response.headers().get(header::CONTENT_TYPE).unwrap(), "application/json");
        let body = response.into_body();
        assert_eq!(body.size(), BodySize::Sized(expected.len() as u64));
        assert_eq!(body::to_bytes(body).await.unwrap(), expected);
    }

    #[actix_web::test]
    async fn a_small_page_is_answered_as_json_in_one_piece() {
        let request = TestRequest::get().uri("/api/v1/tasks/").to_http_request();
        let response = page_response(&request, &Page { items: vec!["a", "b"], next: None });
        assert_eq!(response.headers().get(header::CONTENT_TYPE).unwrap(), "application/json");
        assert_eq!(body::to_bytes(response.into_body()).await.unwrap(), r#"["a","b"]"#);
    }
}
