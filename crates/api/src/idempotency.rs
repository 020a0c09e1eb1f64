//! `Idempotency-Key` on the creates (`POST` of tasks, projects and users).
//!
//! A create sent with an `Idempotency-Key` header runs at most once per key
//! (and route) within 24 hours: a retry of the same request answers the
//! first successful response again — status, `Location`, `ETag` and body —
//! and creates nothing, even when retries race. The key with a different
//! body is a 422 (`idempotency_key_reused` at `["header",
//! "Idempotency-Key"]`); a retry that finds the first request still running
//! waits up to two seconds for it, then answers 409. A failed attempt
//! (any non-2xx answer) is forgotten, so a corrected retry runs afresh.
//!
//! A handler reads top to bottom: [`IdempotentRequest::read`] checks the
//! header and fingerprints the request, the path, query and body are read
//! into valid domain values (so a 422 never touches the store), then
//! [`IdempotentRequest::claim`] answers a [`KeyClaim`]: a replay to return
//! as it is, or a [`HeldKey`] the handler holds while it does the work and
//! then settles with its answer ([`HeldKey::settle`]: remembered when it
//! succeeded, released when it failed).
//!
//! The bookkeeping — claim, wait, remember, release — lives in the service
//! ([`trm_service::IdempotencyUseCases`]) over the store, so it holds across
//! restarts and server instances; this module only reads the header, hashes
//! the request and turns HTTP responses into plain data and back. A request
//! abandoned half-way (the client disconnected) releases its key from a
//! drop guard; should even that be lost (a crash), the store treats the
//! claim as abandoned after a minute.

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Map, Value};
use trm_service::{Claim, IdempotencyUseCases, StoredResponse, fingerprint};

use crate::AppState;
use crate::error::{ApiError, ValidationDetail};

/// The request header carrying the client's key.
pub(crate) const HEADER: &str = "Idempotency-Key";

/// The longest key accepted, in characters.
pub const MAX_KEY_LENGTH: usize = 255;

/// The 409 detail when the first request with a key is still running.
pub(crate) const IN_PROGRESS: &str = "A request with this Idempotency-Key is still being processed";

/// A create request as far as idempotency is concerned: its key (if the
/// client sent one) and the fingerprint of what it asks for.
#[derive(Debug)]
pub(crate) struct IdempotentRequest {
    scope: &'static str,
    key: Option<(String, String)>,
}

/// A 422 about the header.
fn header_error(msg: &str, kind: &str) -> ApiError {
    ApiError::Invalid(vec![ValidationDetail {
        loc: vec![Value::from("header"), Value::from(HEADER)],
        msg: msg.to_owned(),
        kind: kind.to_owned(),
    }])
}

impl IdempotentRequest {
    /// Reads the key of a request to `scope` (the route, e.g.
    /// `POST /api/v1/tasks/`) with this JSON `body`.
    ///
    /// # Errors
    /// 422 at `["header", "Idempotency-Key"]` unless the key is 1 to 255
    /// visible ASCII characters.
    pub(crate) fn read(
        request: &HttpRequest,
        scope: &'static str,
        body: &Map<String, Value>,
    ) -> Result<Self, ApiError> {
        let Some(value) = request.headers().get(HEADER) else { return Ok(Self { scope, key: None }) };
        let key = value
            .to_str()
            .ok()
            .filter(|key| !key.is_empty() && key.len() <= MAX_KEY_LENGTH && key.bytes().all(|b| b.is_ascii_graphic()))
            .ok_or_else(|| {
                header_error("Idempotency-Key must be 1 to 255 visible ASCII characters", "idempotency_key_invalid")
            })?;
        let request_fingerprint = fingerprint(&serde_json::json!({
            "query": request.query_string(),
            "body": Value::Object(body.clone()),
        }));
        Ok(Self { scope, key: Some((key.to_owned(), request_fingerprint)) })
    }

    /// Claims the key, once the request is known to be valid: whether an
    /// earlier request with it decides the answer ([`KeyClaim::Replay`]),
    /// or this one runs ([`KeyClaim::Fresh`], holding the key until its
    /// answer is settled). Without a key the request simply runs.
    ///
    /// # Errors
    /// 422 for a key reused with another request, 409 while the first
    /// request is still running (after waiting up to two seconds for it),
    /// 503 when the store is down.
    pub(crate) async fn claim(self, state: &AppState) -> Result<KeyClaim, ApiError> {
        let Some((key, request_fingerprint)) = self.key else { return Ok(KeyClaim::Fresh(HeldKey { held: None })) };
        let keys = Arc::clone(&state.idempotency);
        match keys.begin(self.scope, &key, &request_fingerprint).await? {
            Claim::Replay(stored) => Ok(KeyClaim::Replay(replay(&stored))),
            Claim::InProgress => Err(ApiError::Conflict(IN_PROGRESS.to_owned())),
            Claim::Mismatch => Err(header_error(
                "This Idempotency-Key was already used with a different request",
                "idempotency_key_reused",
            )),
            Claim::Claimed => {
                Ok(KeyClaim::Fresh(HeldKey { held: Some(ReleaseOnDrop { keys: Some(keys), scope: self.scope, key }) }))
            }
        }
    }
}

/// What claiming a key decided.
#[derive(Debug)]
pub(crate) enum KeyClaim {
    /// An earlier request with this key succeeded: answer what it answered,
    /// and do nothing else.
    Replay(HttpResponse),
    /// This request runs: do the work, then settle its answer with the key.
    Fresh(HeldKey),
}

/// A key this request holds (or no key at all) until its answer is
/// settled by [`HeldKey::settle`]. Dropped unsettled (the client went away
/// half-way), it releases the key.
#[derive(Debug)]
#[must_use = "a held key is settled with the answer"]
pub(crate) struct HeldKey {
    held: Option<ReleaseOnDrop>,
}

impl HeldKey {
    /// Settles the answer of the request: a success is remembered for
    /// retries and answered; a failure releases the key, so a corrected
    /// retry runs afresh, and is answered as it is.
    ///
    /// # Errors
    /// The failure `answer` is; 500 when a success cannot be remembered
    /// because it has a streaming body.
    pub(crate) async fn settle(self, answer: Result<HttpResponse, ApiError>) -> Result<HttpResponse, ApiError> {
        let Some(mut held) = self.held else { return answer };
        let Some(keys) = held.keys.take() else { return answer };
        let (scope, key) = (held.scope, std::mem::take(&mut held.key));
        let response = match answer {
            Ok(response) if response.status().is_success() => response,
            failed => {
                if let Err(error) = keys.abandon(scope, &key).await {
                    tracing::warn!(error = %anyhow::Error::new(error), "cannot release an idempotency key");
                }
                return failed;
            }
        };
        let (stored, response) = remember(response).await?;
        if let Err(error) = keys.finish(scope, &key, stored).await {
            // The entity exists: answer it. The claim lapses after its lease.
            tracing::warn!(error = %anyhow::Error::new(error), "cannot remember an idempotent response");
        }
        Ok(response)
    }
}

/// The response as plain data, and the response itself rebuilt.
async fn remember(response: HttpResponse) -> Result<(StoredResponse, HttpResponse), ApiError> {
    let status = response.status();
    let text = |name: header::HeaderName| {
        response.headers().get(name).and_then(|value| value.to_str().ok()).map(str::to_owned)
    };
    let (location, etag) = (text(header::LOCATION), text(header::ETAG));
    let bytes = response
        .into_body()
        .try_into_bytes()
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("a create answered with a streaming body")))?;
    let body = String::from_utf8(bytes.to_vec())
        .map_err(|error| ApiError::Internal(anyhow::Error::new(error).context("a create answered non-UTF-8")))?;
    let stored = StoredResponse { status: status.as_u16(), location, etag, body };
    let rebuilt = replay(&stored);
    Ok((stored, rebuilt))
}

/// The HTTP response a stored one stands for.
fn replay(stored: &StoredResponse) -> HttpResponse {
    let mut response = HttpResponse::build(StatusCode::from_u16(stored.status).unwrap_or(StatusCode::CREATED));
    if let Some(location) = &stored.location {
        response.insert_header((header::LOCATION, location.as_str()));
    }
    if let Some(etag) = &stored.etag {
        response.insert_header((header::ETAG, etag.as_str()));
    }
    response.content_type("application/json").body(stored.body.clone())
}

/// Releases a claimed key when the request is dropped half-way (the client
/// went away), so the key does not wait for its lease to lapse.
struct ReleaseOnDrop {
    keys: Option<Arc<dyn IdempotencyUseCases>>,
    scope: &'static str,
    key: String,
}

impl std::fmt::Debug for ReleaseOnDrop {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("ReleaseOnDrop").field("scope", &self.scope).field("key", &self.key).finish()
    }
}

impl Drop for ReleaseOnDrop {
    fn drop(&mut self) {
        if let Some(keys) = self.keys.take() {
            let (scope, key) = (self.scope, std::mem::take(&mut self.key));
            actix_web::rt::spawn(async move {
                if let Err(error) = keys.abandon(scope, &key).await {
                    tracing::warn!(error = %anyhow::Error::new(error), "cannot release an abandoned idempotency key");
                }
            });
        }
    }
}
