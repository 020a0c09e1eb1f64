//! Security headers on every response.
//!
//! * `X-Content-Type-Options: nosniff` — browsers trust the declared type
//!   and never run a JSON answer as a script;
//! * `X-Frame-Options: DENY` and CSP `frame-ancestors 'none'` — no page
//!   can frame the API or its documentation (clickjacking);
//! * `Referrer-Policy: no-referrer` — URLs (with their ids and filters)
//!   never leak to other sites;
//! * `Content-Security-Policy` — for the API's JSON, nothing may load at
//!   all (`default-src 'none'`); for the Swagger UI at `/docs`, only what
//!   this server serves: its scripts and styles (the UI sets inline
//!   styles, hence `'unsafe-inline'` for styles only — never for scripts)
//!   and `data:` images (its icons), and it may only call this server.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    CONTENT_SECURITY_POLICY, HeaderValue, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use actix_web::middleware::Next;

/// The policy for everything but the Swagger UI: JSON loads nothing.
pub const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The policy for the Swagger UI: everything from this server only.
pub const DOCS_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Whether a path serves the Swagger UI (its page or assets).
fn is_swagger_ui(path: &str) -> bool {
    path == "/docs" || path.starts_with("/docs/")
}

/// Middleware: adds the security headers to every response, errors
/// included.
///
/// # Errors
/// Passes on whatever the inner service returns.
pub async fn add_security_headers(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let policy = if is_swagger_ui(request.path()) { DOCS_POLICY } else { API_POLICY };
    let mut response = next.call(request).await?;
    let headers = response.headers_mut();
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    Ok(response)
}
