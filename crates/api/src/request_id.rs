//! `x-request-id`: one id per request, in every log line and every response.
//!
//! A client (or a proxy in front) that sends `x-request-id` gets it echoed,
//! so one id follows a request across systems; otherwise the server makes a
//! UUID. The id is stored in the request's extensions, where the tracing
//! span builder ([`crate::telemetry`]) picks it up, and in the service's
//! task-local request context, where the use cases pick it up for the
//! metadata of the events they publish.

use actix_web::HttpMessage as _;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;

/// The header carrying the id.
pub(crate) const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Longest client-supplied id that is echoed; longer ones are replaced.
const MAX_ECHOED_LENGTH: usize = 128;

/// The id of the request being served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestId(pub String);

fn acceptable(value: &HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?.trim();
    let fine = !text.is_empty()
        && text.len() <= MAX_ECHOED_LENGTH
        && text.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:/+=".contains(c));
    fine.then(|| text.to_owned())
}

/// Middleware: assigns the request id and sets it on the response, errors
/// included.
///
/// # Errors
/// Passes on whatever the inner service returns.
pub(crate) async fn assign_request_id(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = request
        .headers()
        .get(&REQUEST_ID_HEADER)
        .and_then(acceptable)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    request.extensions_mut().insert(RequestId(id.clone()));
    // The use cases read the id from the task-local context to stamp the
    // events this request causes.
    let mut response = trm_service::with_request_id(id.clone(), next.call(request)).await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    Ok(response)
}
