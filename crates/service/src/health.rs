//! The health use cases: is the process up, and can it serve requests?
//!
//! Liveness needs no use case — a process that answers HTTP is alive, and a
//! liveness probe must never touch the store, or an outage of the store
//! would get every healthy replica restarted. Readiness asks the store for
//! its cheapest real round trip ([`HealthCheck::ping`]) and gives it a short
//! deadline of its own: a probe that hangs for the store's full operation
//! timeout is a probe that times out, and an orchestrator learns nothing
//! from it. Whatever goes wrong — no answer, a late answer, an error of any
//! kind — the answer is [`ServiceError::Unavailable`]: a store that cannot
//! ping is not ready, and the caller should try again later.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use trm_repository::{HealthCheck, StoreError};

use crate::error::ServiceError;

/// What the HTTP layer asks about the service's health; a trait so its
/// tests can substitute a mock (feature `mocks`).
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait HealthUseCases: Send + Sync + 'static {
    /// `Ok` when the store answered a ping within the readiness deadline.
    ///
    /// # Errors
    /// [`ServiceError::Unavailable`] when it did not, for whatever reason.
    async fn check_ready(&self) -> Result<(), ServiceError>;
}

/// Readiness over any store's [`HealthCheck`].
#[derive(Clone)]
pub struct HealthService {
    store: Arc<dyn HealthCheck>,
    timeout: Duration,
}

impl HealthService {
    /// How long a readiness check waits for the store by default: short
    /// enough to stay inside a typical probe timeout, long enough for a
    /// healthy store on a busy machine.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

    /// Readiness of this store, with [`Self::DEFAULT_TIMEOUT`].
    pub fn new(store: Arc<dyn HealthCheck>) -> Self {
        Self { store, timeout: Self::DEFAULT_TIMEOUT }
    }

    /// The same, waiting at most `timeout` for the store's answer.
    #[must_use]
    pub const fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

#[async_trait]
impl HealthUseCases for HealthService {
    #[tracing::instrument(skip(self), err(level = "debug"))]
    async fn check_ready(&self) -> Result<(), ServiceError> {
        match tokio::time::timeout(self.timeout, self.store.ping()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(StoreError::Unavailable(cause))) => Err(ServiceError::Unavailable(cause)),
            Ok(Err(other)) => {
                Err(ServiceError::Unavailable(anyhow::Error::new(other).context("the store failed its ping")))
            }
            Err(_) => Err(ServiceError::Unavailable(anyhow::anyhow!(
                "the store did not answer a ping within {:?}",
                self.timeout
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use trm_repository::MockHealthCheck;

    use super::*;

    fn service(store: MockHealthCheck) -> HealthService {
        HealthService::new(Arc::new(store))
    }

    #[tokio::test]
    async fn a_store_that_answers_its_ping_is_ready() {
        let mut store = MockHealthCheck::new();
        store.expect_ping().times(1).returning(|| Ok(()));
        assert!(service(store).check_ready().await.is_ok());
    }

    #[tokio::test]
    async fn a_store_that_is_unreachable_is_not_ready() {
        let mut store = MockHealthCheck::new();
        store.expect_ping().returning(|| Err(StoreError::Unavailable(anyhow::anyhow!("connection refused"))));
        assert!(matches!(service(store).check_ready().await, Err(ServiceError::Unavailable(_))));
    }

    #[tokio::test]
    async fn any_other_ping_failure_is_also_not_ready_rather_than_a_bug() {
        let mut store = MockHealthCheck::new();
        store.expect_ping().returning(|| Err(StoreError::Unexpected(anyhow::anyhow!("disk I/O error"))));
        assert!(matches!(service(store).check_ready().await, Err(ServiceError::Unavailable(_))));
    }

    /// A store that never answers: the ping future stays pending forever.
    struct SilentStore;

    #[async_trait]
    impl HealthCheck for SilentStore {
        async fn ping(&self) -> Result<(), StoreError> {
            std::future::pending().await
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_store_that_does_not_answer_in_time_is_not_ready_within_the_deadline() {
        let service = HealthService::new(Arc::new(SilentStore)).with_timeout(Duration::from_millis(250));
        let started = tokio::time::Instant::now();
        let result = service.check_ready().await;
        assert!(matches!(result, Err(ServiceError::Unavailable(_))));
        assert_eq!(started.elapsed(), Duration::from_millis(250));
    }
}
