//! The API key port: [`ApiKeyRepository`] and the [`KeySelector`] a revoke takes.

use async_trait::async_trait;
use trm_domain::{ApiKey, ApiKeyId, KeyHash, KeyName, Timestamp};

use crate::error::StoreError;

/// Which key a revoke names: its id, or the name of the active key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySelector {
    /// The key with this id.
    Id(ApiKeyId),
    /// The active key with this name (names are unique among active keys).
    Name(KeyName),
}

/// Storage of API keys: their metadata and the SHA-256 of each secret,
/// never the secret itself.
///
/// The hash is unique and indexed — keys are found *by* it — and the name is
/// unique among active keys, both enforced by the store itself (an index, a
/// constraint), so two racing creates cannot both take one name.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait ApiKeyRepository: Send + Sync + 'static {
    /// Stores a new key with the hash of its secret.
    ///
    /// # Errors
    /// MUST return [`StoreError::Duplicate`]`("name")` if an active key has
    /// the same name, and then store nothing.
    async fn create_key(&self, key: &ApiKey, hash: &KeyHash) -> Result<(), StoreError>;

    /// The active key whose secret hashes to `hash`; `None` for an unknown
    /// or revoked key.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn find_active_key(&self, hash: &KeyHash) -> Result<Option<ApiKey>, StoreError>;

    /// Every key, revoked ones included, oldest first (by `created_at`, then
    /// id).
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn list_keys(&self) -> Result<Vec<ApiKey>, StoreError>;

    /// Revokes the active key `which` names, at `now`, and returns it as it
    /// now is. A revoked key stays listed but authenticates nobody.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`]`(ApiKey)` if no *active* key
    /// matches (an unknown or already revoked one), changing nothing.
    async fn revoke_key(&self, which: &KeySelector, now: Timestamp) -> Result<ApiKey, StoreError>;

    /// How many keys are active: none means the API may be open (see the
    /// access rules of the server).
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn count_active_keys(&self) -> Result<u64, StoreError>;
}
