//! The idempotency port: [`IdempotencyRepository`], the [`Claim`] it answers,
//! the [`StoredResponse`] it keeps and how long it keeps it.

use async_trait::async_trait;
use trm_domain::Timestamp;

use crate::error::StoreError;

/// How long a remembered response answers retries: 24 hours, in
/// microseconds. An older entry counts as absent (and is purged lazily).
pub const IDEMPOTENCY_TTL_MICROS: i64 = 24 * 60 * 60 * 1_000_000;

/// How long a claim may stay in progress: one minute, in microseconds. A
/// claim never completed nor released (its server crashed mid-request) is
/// abandoned after this and may be claimed again, rather than blocking its
/// key for a day. Every store operation times out within seconds, so a
/// request still running after a minute has failed.
pub const IDEMPOTENCY_LEASE_MICROS: i64 = 60 * 1_000_000;

/// The first successful response to a request sent with an
/// `Idempotency-Key`, kept as plain data so the store stays HTTP-agnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// The status code (a 2xx).
    pub status: u16,
    /// The `Location` header, if the response had one.
    pub location: Option<String>,
    /// The `ETag` header, if the response had one.
    pub etag: Option<String>,
    /// The body, as sent (JSON text).
    pub body: String,
}

/// What [`IdempotencyRepository::claim`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key was free (or expired): the caller owns it and must
    /// [`complete`](IdempotencyRepository::complete) or
    /// [`release`](IdempotencyRepository::release) it.
    Claimed,
    /// A request with this key and fingerprint already succeeded: answer
    /// this and do nothing.
    Replay(StoredResponse),
    /// A request with this key and fingerprint is still being processed.
    InProgress,
    /// The key was used with a different request body.
    Mismatch,
}

/// Storage of idempotency keys and the responses they stand for.
///
/// Entries are identified by `(scope, key)` — the route and the client's
/// key — and that pair is unique *in the store itself* (a primary key, a
/// uniqueness constraint), so of two racing claims exactly one is
/// [`Claim::Claimed`], across server instances and restarts.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait IdempotencyRepository: Send + Sync + 'static {
    /// Claims `(scope, key)` for a request whose body hashes to
    /// `fingerprint`, at `now`. An entry older than
    /// [`IDEMPOTENCY_TTL_MICROS`], or still in progress after
    /// [`IDEMPOTENCY_LEASE_MICROS`], counts as absent and is replaced.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn claim(&self, scope: &str, key: &str, fingerprint: &str, now: Timestamp) -> Result<Claim, StoreError>;

    /// Remembers the successful `response` of a claimed key, so that later
    /// claims with the same fingerprint replay it.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn complete(&self, scope: &str, key: &str, response: &StoredResponse) -> Result<(), StoreError>;

    /// Forgets a claimed key whose request failed, so a retry runs afresh;
    /// a completed entry is left alone.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn release(&self, scope: &str, key: &str) -> Result<(), StoreError>;
}
