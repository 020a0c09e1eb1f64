//! `X-TRM-Bookmark`: read-your-writes when Neo4j reads go to the cluster's
//! readers.
//!
//! Every request runs in a [`trm_service::consistency`] scope. A response
//! to a request that committed a write on Neo4j carries the bookmark of its
//! last commit in `X-TRM-Bookmark` — on every Neo4j deployment, since a
//! client cannot tell how the server is deployed and the header costs
//! nothing. A request that sends one back makes its reads wait, on a member
//! that may lag (`database.read_from = readers`), until that member has
//! applied the bookmark; elsewhere every read already sees every write and
//! a well-formed bookmark is ignored. SQLite has no bookmarks: the header
//! is never sent, and one received is ignored once read.
//!
//! A value that cannot be a bookmark (see [`Bookmark::parse`]) is a 422 at
//! `["header", "X-TRM-Bookmark"]` on every store, before the handler runs;
//! one that Neo4j does not recognise is a 422 there too, whatever the
//! handler made of the store's failure.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use trm_service::consistency::{self, Bookmark, MAX_BOOKMARK_LENGTH};

use crate::error::ApiError;

/// The header, both ways.
pub(crate) const BOOKMARK_HEADER: HeaderName = HeaderName::from_static("x-trm-bookmark");

pub(crate) use crate::error::BOOKMARK_HEADER_NAME;

/// The bookmark a request sent, if any.
///
/// # Errors
/// 422 when the header is there but is not a bookmark.
pub(crate) fn read_header(request: &ServiceRequest) -> Result<Option<Bookmark>, ApiError> {
    let Some(value) = request.headers().get(&BOOKMARK_HEADER) else { return Ok(None) };
    value.to_str().ok().and_then(|text| Bookmark::parse(text.trim()).ok()).map(Some).ok_or_else(|| {
        let msg = format!(
            "X-TRM-Bookmark must be a bookmark from an earlier response: 1 to {MAX_BOOKMARK_LENGTH} visible ASCII \
             characters"
        );
        ApiError::bookmark_header(&msg, "bookmark_invalid")
    })
}

/// Middleware: runs the request in a consistency scope holding the
/// bookmark it sent, and sets the bookmark of its last commit on the
/// response.
///
/// # Errors
/// Passes on whatever the inner service returns.
pub(crate) async fn carry_bookmarks<B: MessageBody>(
    request: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let wait_for = match read_header(&request) {
        Ok(bookmark) => bookmark,
        Err(error) => return Ok(request.error_response(error).map_into_right_body()),
    };
    let scoped = consistency::scope(wait_for, next.call(request)).await;
    let mut response = scoped.output?;
    // Whatever a handler made of the rejection (the store's error reaches
    // most as a 422 already), the request is answered as its bookmark
    // deserves.
    if scoped.rejected {
        return Ok(response.error_response(ApiError::unknown_bookmark()).map_into_right_body());
    }
    if let Some(bookmark) = scoped.written
        && let Ok(value) = HeaderValue::from_str(bookmark.as_str())
    {
        response.headers_mut().insert(BOOKMARK_HEADER, value);
    }
    Ok(response.map_into_left_body())
}

#[cfg(test)]
mod tests;
