//! Cross-origin requests (CORS): closed unless origins are configured.
//!
//! With no allowed origins the middleware is not installed at all: no
//! response carries `Access-Control-Allow-Origin`, so browsers keep pages
//! of other origins from reading any answer (the API's clients are
//! programs, which CORS does not concern). With origins configured,
//! `actix-cors` answers preflights for exactly those origins, with the
//! methods and headers this API uses and the response headers clients need
//! to read (`ETag`, `Location`, `Link`, `Retry-After`, `x-request-id`).
//!
//! A preflight it refuses is a 400 whose body `actix-cors` writes as plain
//! text; [`errors_as_json`] rewrites it in the contract's `{"detail": …}`.

use actix_cors::{Cors, CorsError};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName};
use actix_web::http::{Method, Uri};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError as _};

use crate::error::ApiError;

/// Origins allowed to call the API from a browser; checked when read, so
/// that a bad one stops start-up instead of a worker.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedOrigins(Vec<String>);

impl AllowedOrigins {
    /// Reads origins such as `https://app.example.com` or
    /// `http://localhost:3000`; blank entries are ignored.
    ///
    /// # Errors
    /// A message naming the first entry that is not a bare `http(s)` origin
    /// (a wildcard, a path, a missing scheme or host).
    pub fn parse<S: AsRef<str>>(origins: &[S]) -> Result<Self, String> {
        let mut checked = Vec::new();
        for origin in origins.iter().map(|origin| origin.as_ref().trim()).filter(|origin| !origin.is_empty()) {
            let uri: Uri = origin.parse().map_err(|_| format!("`{origin}` is not an origin"))?;
            let bare = matches!(uri.scheme_str(), Some("http" | "https"))
                && uri.host().is_some_and(|host| !host.is_empty() && host != "*")
                && uri.path_and_query().is_none_or(|path| path.as_str().is_empty() || path.as_str() == "/")
                && !origin.ends_with('/');
            if !bare {
                return Err(format!(
                    "`{origin}` is not an origin: write scheme://host[:port], such as https://app.example.com"
                ));
            }
            checked.push(origin.to_owned());
        }
        Ok(Self(checked))
    }

    /// Whether no origin is allowed: CORS stays closed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The origins.
    #[must_use]
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

/// How long browsers may cache a preflight's answer, in seconds.
const PREFLIGHT_MAX_AGE: usize = 600;

/// The CORS middleware for these origins.
pub fn middleware(origins: &AllowedOrigins) -> Cors {
    let cors = Cors::default()
        .allowed_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static("last-event-id"),
            crate::request_id::REQUEST_ID_HEADER,
            crate::consistency::BOOKMARK_HEADER,
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::LINK,
            header::RETRY_AFTER,
            crate::request_id::REQUEST_ID_HEADER,
            crate::consistency::BOOKMARK_HEADER,
        ])
        .max_age(PREFLIGHT_MAX_AGE);
    origins.0.iter().fold(cors, |cors, origin| cors.allowed_origin(origin))
}

/// Middleware around [`middleware`]: a request it refused gets the
/// contract's error body instead of `actix-cors`'s plain text.
///
/// # Errors
/// Passes on whatever the inner service returns.
pub async fn errors_as_json<B: MessageBody>(
    request: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let response = next.call(request).await?;
    let refused = response.response().error().and_then(|error| error.as_error::<CorsError>()).map(ToString::to_string);
    Ok(match refused {
        None => response.map_into_left_body(),
        Some(reason) => {
            let (request, refused) = response.into_parts();
            let mut answer: HttpResponse = ApiError::CorsRefused(reason).error_response();
            // Keep what actix-cors added (`Vary: Origin`).
            for (name, value) in refused.headers() {
                if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                    answer.headers_mut().insert(name.clone(), value.clone());
                }
            }
            ServiceResponse::new(request, answer).map_into_right_body()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_http_origins_are_allowed_and_blanks_ignored() {
        let origins = AllowedOrigins::parse(&["https://app.example.com", " http://localhost:3000 ", ""]).unwrap();
        assert_eq!(origins.as_slice(), ["https://app.example.com", "http://localhost:3000"]);
        assert!(AllowedOrigins::parse::<&str>(&[]).unwrap().is_empty());
    }

    #[test]
    fn wildcards_paths_and_other_schemes_are_refused() {
        for bad in [
            "*",
            "https://*",
            "app.example.com",
            "https://app.example.com/path",
            "https://app.example.com/",
            "ftp://x.org",
            "not an origin",
        ] {
            assert!(AllowedOrigins::parse(&[bad]).is_err(), "{bad}");
        }
    }
}
