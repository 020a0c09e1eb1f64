//! Idempotent creates: the `Idempotency-Key` use cases.
//!
//! A client that retries a create — after a timeout, a dropped connection —
//! sends the same `Idempotency-Key`; the first successful response is then
//! answered again and nothing new is created. The driving adapter (the HTTP
//! API) calls [`IdempotencyUseCases::begin`] before the create and, after
//! it, [`finish`](IdempotencyUseCases::finish) with the response on success
//! or [`abandon`](IdempotencyUseCases::abandon) on failure, so a failed
//! attempt is not remembered.
//!
//! # Why in the store
//! The response is kept by the store behind the [`IdempotencyRepository`]
//! port, not in process memory: a retry must work after a restart and when
//! a load balancer sends it to another instance. The store also makes the
//! claim of a key unique (a primary key, a uniqueness constraint), so of
//! racing retries exactly one runs the create.
//!
//! # Racing retries
//! A retry that finds its key still in progress waits for the first request
//! — polling for up to [`IdempotencyService::DEFAULT_WAIT`] — and replays
//! its answer; if that takes longer, [`Claim::InProgress`] tells the caller
//! to answer "still being processed". If the first attempt fails meanwhile,
//! the waiting retry claims the key and runs the create itself.
//!
//! # HTTP-agnostic
//! The remembered response is plain data ([`StoredResponse`]: a status, the
//! `Location` and `ETag` values, a body), and [`fingerprint`] hashes a JSON
//! body in canonical form (object keys sorted), so `{"a":1,"b":2}` and
//! `{"b":2, "a":1}` are the same request.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;
use trm_domain::Timestamp;
use trm_repository::IdempotencyRepository;
pub use trm_repository::{Claim, StoredResponse};

use crate::error::ServiceError;

/// What the idempotent creates ask of the store; the HTTP layer depends on
/// this trait.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait IdempotencyUseCases: Send + Sync + 'static {
    /// Claims `key` for a request to `scope` (the route) whose body has this
    /// `fingerprint`. [`Claim::Claimed`]: run the request, then `finish` or
    /// `abandon`. [`Claim::Replay`]: answer the stored response.
    /// [`Claim::Mismatch`]: the key was used with another body.
    /// [`Claim::InProgress`]: another request with the key is still running
    /// after waiting for it.
    async fn begin(&self, scope: &str, key: &str, fingerprint: &str) -> Result<Claim, ServiceError>;

    /// Remembers the successful response of a claimed key.
    async fn finish(&self, scope: &str, key: &str, response: StoredResponse) -> Result<(), ServiceError>;

    /// Forgets a claimed key whose request failed.
    async fn abandon(&self, scope: &str, key: &str) -> Result<(), ServiceError>;
}

/// The idempotency use cases over an [`IdempotencyRepository`].
#[derive(Clone)]
pub struct IdempotencyService {
    keys: Arc<dyn IdempotencyRepository>,
    wait: Duration,
}

impl IdempotencyService {
    /// How long a retry waits for a racing first request before answering
    /// that it is still in progress.
    pub const DEFAULT_WAIT: Duration = Duration::from_secs(2);

    /// The pause between two looks at a key in progress.
    const POLL_INTERVAL: Duration = Duration::from_millis(100);

    /// The use cases over this store.
    pub fn new(keys: Arc<dyn IdempotencyRepository>) -> Self {
        Self { keys, wait: Self::DEFAULT_WAIT }
    }

    /// The same, waiting at most `wait` for a request in progress.
    #[must_use]
    pub fn with_wait(self, wait: Duration) -> Self {
        Self { wait, ..self }
    }
}

#[async_trait]
impl IdempotencyUseCases for IdempotencyService {
    #[tracing::instrument(skip(self, fingerprint), err(level = "debug"))]
    async fn begin(&self, scope: &str, key: &str, fingerprint: &str) -> Result<Claim, ServiceError> {
        let deadline = tokio::time::Instant::now() + self.wait;
        loop {
            let claim =
                self.keys.claim(scope, key, fingerprint, Timestamp::now()).await.map_err(ServiceError::from_store)?;
            if claim != Claim::InProgress || tokio::time::Instant::now() + Self::POLL_INTERVAL > deadline {
                return Ok(claim);
            }
            tokio::time::sleep(Self::POLL_INTERVAL).await;
        }
    }

    #[tracing::instrument(skip(self, response), err(level = "debug"))]
    async fn finish(&self, scope: &str, key: &str, response: StoredResponse) -> Result<(), ServiceError> {
        self.keys.complete(scope, key, &response).await.map_err(ServiceError::from_store)
    }

    #[tracing::instrument(skip(self), err(level = "debug"))]
    async fn abandon(&self, scope: &str, key: &str) -> Result<(), ServiceError> {
        self.keys.release(scope, key).await.map_err(ServiceError::from_store)
    }
}

/// A stable fingerprint of a JSON request body: FNV-1a (128 bits, in hex)
/// of its canonical text, object keys sorted at every depth.
///
/// Stable across processes and versions (it is stored and compared by other
/// instances), which rules out std's `DefaultHasher`. It need not resist
/// forgery: it only tells apart two bodies one client sent with one key.
#[must_use]
pub fn fingerprint(body: &Value) -> String {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    let mut canonical = String::new();
    write_canonical(body, &mut canonical);
    let hash = canonical.bytes().fold(OFFSET, |hash, byte| (hash ^ u128::from(byte)).wrapping_mul(PRIME));
    format!("{hash:032x}")
}

/// Appends `value` as JSON with object keys in sorted order.
fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_unstable_by_key(|(key, _)| *key);
            out.push('{');
            for (index, (key, value)) in entries.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                out.push_str(&Value::from(key.as_str()).to_string());
                out.push(':');
                write_canonical(value, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use mockall::predicate::eq;
    use serde_json::json;
    use trm_repository::MockIdempotencyRepository;

    use super::*;

    #[test]
    fn the_fingerprint_ignores_key_order_but_not_values() {
        let a = fingerprint(&json!({"title": "x", "tags": ["a", "b"], "n": {"p": 1, "q": 2}}));
        let b = fingerprint(&json!({"n": {"q": 2, "p": 1}, "tags": ["a", "b"], "title": "x"}));
        assert_eq!(a, b);
        assert_ne!(a, fingerprint(&json!({"title": "y", "tags": ["a", "b"], "n": {"p": 1, "q": 2}})));
        assert_ne!(a, fingerprint(&json!({"title": "x", "tags": ["b", "a"], "n": {"p": 1, "q": 2}})));
        assert_eq!(a.len(), 32);
    }

    #[tokio::test(start_paused = true)]
    async fn a_retry_waits_for_the_first_request_and_replays_it() {
        let mut keys = MockIdempotencyRepository::new();
        let mut calls = 0;
        keys.expect_claim().times(3).returning(move |_, _, _, _| {
            calls += 1;
            Ok(if calls < 3 {
                Claim::InProgress
            } else {
                Claim::Replay(StoredResponse { status: 201, location: None, etag: None, body: "{}".to_owned() })
            })
        });
        let service = IdempotencyService::new(Arc::new(keys));
        assert!(matches!(service.begin("POST /x", "k", "f").await, Ok(Claim::Replay(_))));
    }

    #[tokio::test(start_paused = true)]
    async fn a_retry_gives_up_waiting_after_the_deadline() {
        let mut keys = MockIdempotencyRepository::new();
        keys.expect_claim().returning(|_, _, _, _| Ok(Claim::InProgress));
        let service = IdempotencyService::new(Arc::new(keys)).with_wait(Duration::from_millis(500));
        let started = tokio::time::Instant::now();
        assert!(matches!(service.begin("POST /x", "k", "f").await, Ok(Claim::InProgress)));
        assert!(started.elapsed() <= Duration::from_millis(600));
    }

    #[tokio::test]
    async fn abandoning_releases_the_key() {
        let mut keys = MockIdempotencyRepository::new();
        keys.expect_release().with(eq("POST /x"), eq("k")).times(1).returning(|_, _| Ok(()));
        IdempotencyService::new(Arc::new(keys)).abandon("POST /x", "k").await.unwrap();
    }
}
