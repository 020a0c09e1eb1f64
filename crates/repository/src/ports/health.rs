//! The readiness port: [`HealthCheck`].

use async_trait::async_trait;

use crate::error::StoreError;

/// Whether a store can serve requests right now, for readiness probes.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait HealthCheck: Send + Sync + 'static {
    /// Performs the cheapest real round trip to the store.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store does not answer.
    async fn ping(&self) -> Result<(), StoreError>;
}
