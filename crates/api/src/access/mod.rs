//! Access control at the HTTP edge: API keys, rate limiting, CORS and
//! security headers.
//!
//! # Who may call what
//! [`guard`] runs before every route and sorts paths into areas:
//!
//! | area | paths | rule |
//! | --- | --- | --- |
//! | probes | `/livez`, `/readyz` | always open, never limited: orchestrators call them |
//! | documentation | `/docs`, `/openapi.json`, `/metrics` | as the API unless `public_docs` |
//! | API | `/api/v1/…` and every other path | a key when keys are required |
//!
//! Everything that is not a probe or the documentation is guarded — unknown
//! paths too — so no spelling of a path can slip past: the areas are read
//! from the path as the router matches it (percent-decoded), not as sent.
//! Keys are required when at least one active key exists, or always when
//! the server is told so (`auth.required = true`); with no key at all (and
//! not told otherwise) the API is open, which is safe only on loopback —
//! the server refuses other addresses in that state. A request that needs
//! a key and has none, a malformed one, an unknown or a revoked one is a
//! 401 with `WWW-Authenticate: Bearer`; a read key (`GET`) on a write
//! (`POST`, `PATCH`, `DELETE`) is a 403. Both in the contract's
//! `{"detail": …}` shape. If the store cannot say whether a key is valid,
//! the answer is 503, never an open door.
//!
//! # Rate limiting
//! When configured, every request but the probes takes one token from its
//! client's bucket ([`rate_limit`]): the key's when it presented a valid
//! one, the client address's otherwise. An empty bucket is a 429 with
//! `Retry-After`.
//!
//! # Threat model, briefly
//! Keys are 256-bit random secrets stored only as SHA-256 hashes, so a
//! leaked database reveals no usable key; they travel in a header (never a
//! URL, which ends up in logs), and TLS is the deployment's job (a reverse
//! proxy). Revocation takes effect within the service's cache lifetime
//! (seconds). The guard never trusts `X-Forwarded-For`.
//!
//! The middlewares are assembled by [`crate::app_with`]; the OpenAPI
//! document's bearer scheme is in [`openapi`].

pub mod bearer;
pub mod cors;
pub mod headers;
pub mod openapi;
pub mod rate_limit;

use std::sync::Arc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;
use trm_domain::{ApiKey, KeyScope};
use trm_service::AccessUseCases;

use self::bearer::Credentials;
use self::cors::AllowedOrigins;
use self::rate_limit::{RateLimit, RateLimiter};
use crate::error::ApiError;

/// The access rules of one server: which keys exist, whether they are
/// required, how fast clients may go, which origins may call from a
/// browser.
#[derive(Clone, Default)]
pub struct AccessControl {
    keys: Option<Arc<dyn AccessUseCases>>,
    always_required: bool,
    private_docs: bool,
    limiter: Option<Arc<RateLimiter>>,
    origins: AllowedOrigins,
}

impl std::fmt::Debug for AccessControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessControl")
            .field("keys", &self.keys.is_some())
            .field("always_required", &self.always_required)
            .field("private_docs", &self.private_docs)
            .field("limiter", &self.limiter)
            .field("origins", &self.origins)
            .finish()
    }
}

impl AccessControl {
    /// No access control at all: no keys, no limits, CORS closed — what an
    /// embedded or test app without a key store gets.
    #[must_use]
    pub fn open() -> Self {
        Self::default()
    }

    /// Keys from `keys` are required whenever at least one exists.
    #[must_use]
    pub fn with_keys(keys: Arc<dyn AccessUseCases>) -> Self {
        Self { keys: Some(keys), ..Self::default() }
    }

    /// Requires a key even while none exists (`auth.required = true`): a
    /// server that must never be open, even before its first key.
    #[must_use]
    pub const fn always_required(mut self, always: bool) -> Self {
        self.always_required = always;
        self
    }

    /// Whether `/docs`, `/openapi.json` and `/metrics` stay open while the
    /// API requires keys (`auth.public_docs`, the default).
    #[must_use]
    pub const fn public_docs(mut self, public: bool) -> Self {
        self.private_docs = !public;
        self
    }

    /// Limits every client to `limit`; `None` switches limiting off.
    #[must_use]
    pub fn rate_limited(mut self, limit: Option<RateLimit>) -> Self {
        self.limiter = limit.map(|limit| Arc::new(RateLimiter::new(limit)));
        self
    }

    /// Lets browsers on these origins call the API.
    #[must_use]
    pub fn allow_origins(mut self, origins: AllowedOrigins) -> Self {
        self.origins = origins;
        self
    }

    /// The origins CORS allows.
    #[must_use]
    pub const fn origins(&self) -> &AllowedOrigins {
        &self.origins
    }

    /// Whether `/api/v1` requests need a key right now: keys are managed
    /// here and either required always or at least one exists. The served
    /// OpenAPI document follows it.
    ///
    /// # Errors
    /// 503 when the key store cannot tell.
    pub async fn api_requires_keys(&self) -> Result<bool, ApiError> {
        match &self.keys {
            Some(keys) => Ok(self.always_required || keys.keys_exist().await?),
            None => Ok(false),
        }
    }

    /// Decides whether `request` may proceed.
    async fn check(&self, request: &ServiceRequest) -> Result<(), ApiError> {
        let area = Area::of(request.match_info().as_str());
        if area == Area::Probe {
            return Ok(());
        }
        let protected = area == Area::Api || self.private_docs;
        let keys = self.keys.as_ref().filter(|_| protected);
        let required = match keys {
            Some(keys) => self.always_required || keys.keys_exist().await?,
            None => false,
        };
        let credentials = bearer::credentials(request.headers());
        let principal = match (keys.filter(|_| required), credentials) {
            (Some(keys), Credentials::Bearer(token)) => keys.authenticate(token).await?,
            _ => None,
        };
        if let Some(limiter) = &self.limiter {
            limiter.check(&client(request, principal.as_ref())).map_err(ApiError::TooManyRequests)?;
        }
        if !required {
            return Ok(());
        }
        let Some(principal) = principal else {
            return Err(ApiError::Unauthorized(match credentials {
                Credentials::Absent => "Not authenticated",
                Credentials::Malformed | Credentials::Bearer(_) => "Invalid API key",
            }));
        };
        if !principal.scope.allows(needed_scope(request.method(), request.path())) {
            return Err(ApiError::Forbidden);
        }
        Ok(())
    }
}

/// Which part of the application a path belongs to, for access rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Area {
    /// Liveness and readiness probes.
    Probe,
    /// The documentation and metrics.
    Docs,
    /// The API under `/api/v1`, and any path no other area claims.
    Api,
}

impl Area {
    fn of(path: &str) -> Self {
        match path {
            "/livez" | "/readyz" => Self::Probe,
            "/openapi.json" | "/docs" | "/metrics" => Self::Docs,
            _ if path.starts_with("/docs/") => Self::Docs,
            _ => Self::Api,
        }
    }
}

/// What a request needs: reading for `GET` (and `HEAD`/`OPTIONS`, which
/// change nothing), writing for everything else — and writing for anything
/// under `/api/v1/webhooks`, reads included: managing webhooks means
/// deciding where the server sends data.
fn needed_scope(method: &Method, path: &str) -> KeyScope {
    let reads = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    if reads && !path.starts_with("/api/v1/webhooks") { KeyScope::Read } else { KeyScope::Write }
}

/// The bucket a request counts against: its key, or its peer address.
fn client(request: &ServiceRequest, principal: Option<&ApiKey>) -> String {
    match (principal, request.peer_addr()) {
        (Some(key), _) => format!("key:{}", key.id),
        (None, Some(peer)) => format!("ip:{}", peer.ip()),
        (None, None) => "ip:unknown".to_owned(),
    }
}

/// Middleware: answers 401, 403 or 429 instead of calling the route when
/// [`AccessControl`] says so (see the [module docs](self)).
///
/// # Errors
/// Passes on whatever the inner service returns.
pub async fn guard<B: MessageBody>(
    access: web::Data<AccessControl>,
    request: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    match access.check(&request).await {
        Ok(()) => next.call(request).await.map(ServiceResponse::map_into_left_body),
        Err(refusal) => Ok(request.error_response(refusal).map_into_right_body()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_fall_into_their_areas() {
        assert_eq!(Area::of("/livez"), Area::Probe);
        assert_eq!(Area::of("/readyz"), Area::Probe);
        assert_eq!(Area::of("/api/v1/tasks/"), Area::Api);
        assert_eq!(Area::of("/api/v1"), Area::Api);
        assert_eq!(Area::of("/api/v1x"), Area::Api);
        assert_eq!(Area::of("/anything/else"), Area::Api);
        assert_eq!(Area::of("/docs"), Area::Docs);
        assert_eq!(Area::of("/docs/swagger-ui.css"), Area::Docs);
        assert_eq!(Area::of("/openapi.json"), Area::Docs);
        assert_eq!(Area::of("/metrics"), Area::Docs);
        assert_eq!(Area::of("/livez/x"), Area::Api);
    }

    #[test]
    fn only_reads_are_allowed_to_read_keys() {
        assert_eq!(needed_scope(&Method::GET, "/api/v1/tasks/"), KeyScope::Read);
        assert_eq!(needed_scope(&Method::GET, "/api/v1/webhooks"), KeyScope::Write, "webhooks need a write key");
        for method in [Method::POST, Method::PATCH, Method::DELETE, Method::PUT] {
            assert_eq!(needed_scope(&method, "/api/v1/tasks/"), KeyScope::Write, "{method}");
        }
    }
}
