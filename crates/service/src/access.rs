//! Access control: issuing, verifying, listing and revoking API keys.
//!
//! [`ApiKeyService`] is the only code that sees a key's plaintext: it
//! generates the secret, hands it out once ([`IssuedKey`]) and keeps only
//! its hash in the store; afterwards a presented key is hashed and looked
//! up by that hash.
//!
//! # The cache, and how late a revoke takes effect
//! The HTTP layer asks two things on every request: "does any key exist?"
//! (no key at all may mean an open API) and "whose key is this?". Asking the
//! store each time would double the round trips of every request, so both
//! answers are cached for a short time to live ([`DEFAULT_CACHE_TTL`], 5 s).
//! Only *successful* verifications are cached — a wrong key is looked up
//! every time, which rate limiting bounds — and the cache is bounded.
//!
//! The price: a key revoked elsewhere (by `trm-server keys revoke`, another
//! process, or another instance) still authenticates for up to the time to
//! live on a server that verified it just before; and a first key created
//! elsewhere switches authentication on within that time. A revoke through
//! *this* service drops the key from its own cache at once.
//!
//! Once known, "does any key exist?" is never asked on a request's own time:
//! past its time to live the cached answer is still used while a background
//! task asks the store again. Otherwise a request arriving as the answer
//! expires would wait for that query *and* its own store operation — twice
//! the store timeout during an outage. A failed refresh keeps the old answer
//! and the next request tries again; an issue or revoke through this service
//! wins over a refresh that started before it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;
use trm_domain::{ApiKey, ApiKeyId, KeyHash, KeyName, KeyScope, Secret, Timestamp};
use trm_repository::{ApiKeyRepository, KeySelector, StoreError};

use crate::error::{ConflictReason, ServiceError, Unique};

/// A key just created: the only time its secret is known to the system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedKey {
    /// The key's metadata, as stored.
    pub key: ApiKey,
    /// The plaintext, to be shown once and never again.
    pub secret: Secret,
}

/// Reads what `keys revoke` was given: an id when it is a UUID, else a name.
///
/// # Errors
/// [`trm_domain::AccessError::InvalidName`] for a text that is neither an id
/// nor a valid name.
pub fn key_selector(text: &str) -> Result<KeySelector, trm_domain::AccessError> {
    match ApiKeyId::parse(text.trim()) {
        Some(id) => Ok(KeySelector::Id(id)),
        None => KeyName::parse(text).map(KeySelector::Name),
    }
}

/// What the API and the `keys` commands ask about access; a trait so the
/// HTTP layer's tests can substitute a mock (feature `mocks`).
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait AccessUseCases: Send + Sync + 'static {
    /// Creates a key and returns it with its secret, which nothing stores.
    ///
    /// # Errors
    /// [`ServiceError::Conflict`] ([`ConflictReason::Taken`]) when an active key has that name;
    /// [`ServiceError::Unexpected`] when no randomness is to be had.
    async fn issue_key(&self, name: KeyName, scope: KeyScope) -> Result<IssuedKey, ServiceError>;

    /// The active key `presented` is, or `None` for anything else: junk, an
    /// unknown key, a revoked one.
    ///
    /// # Errors
    /// Only [`ServiceError::Unavailable`] or [`ServiceError::Unexpected`],
    /// when the store cannot answer.
    async fn authenticate(&self, presented: &str) -> Result<Option<ApiKey>, ServiceError>;

    /// Whether at least one active key exists.
    ///
    /// # Errors
    /// Only [`ServiceError::Unavailable`] or [`ServiceError::Unexpected`].
    async fn keys_exist(&self) -> Result<bool, ServiceError>;

    /// Every key, revoked ones included, oldest first.
    ///
    /// # Errors
    /// Only [`ServiceError::Unavailable`] or [`ServiceError::Unexpected`].
    async fn list_keys(&self) -> Result<Vec<ApiKey>, ServiceError>;

    /// Revokes the active key `which` names, and returns it as it now is.
    ///
    /// # Errors
    /// [`ServiceError::NotFound`] when no active key matches.
    async fn revoke_key(&self, which: KeySelector) -> Result<ApiKey, ServiceError>;
}

/// How long a verified key and the "any key exists" answer are trusted
/// without asking the store again (see the [module docs](self)).
pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(5);

/// Verified keys kept at most; beyond, the cache starts afresh.
const MAX_CACHED_KEYS: usize = 10_000;

/// What the service remembers between requests.
#[derive(Default)]
struct Cache {
    /// The last answer to "any key exists?", and when it was read.
    keys_exist: Option<(bool, Instant)>,
    /// Bumped by every issue and revoke here, so that a background refresh
    /// that started before one cannot overwrite what it set.
    keys_exist_generation: u64,
    /// A background refresh of `keys_exist` is under way.
    refreshing_keys_exist: bool,
    /// Keys verified recently, by hash.
    verified: HashMap<KeyHash, (ApiKey, Instant)>,
}

/// The access use cases over any [`ApiKeyRepository`].
pub struct ApiKeyService {
    store: Arc<dyn ApiKeyRepository>,
    ttl: Duration,
    cache: Arc<Mutex<Cache>>,
}

impl ApiKeyService {
    /// Access over this store, caching for [`DEFAULT_CACHE_TTL`].
    pub fn new(store: Arc<dyn ApiKeyRepository>) -> Self {
        Self { store, ttl: DEFAULT_CACHE_TTL, cache: Arc::default() }
    }

    /// The same, trusting cached answers for `ttl` (zero: never cache).
    #[must_use]
    pub fn with_cache_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// The cache; a panic while it was held cannot leave it inconsistent
    /// (every update is one assignment), so a poisoned lock is used as is.
    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn fresh(&self, at: Instant) -> bool {
        at.elapsed() < self.ttl
    }

    /// Asks the store again whether keys exist, on a task of its own, unless
    /// such a task is already running.
    fn refresh_keys_exist_in_background(&self) {
        let generation = {
            let mut cache = self.cache();
            if cache.refreshing_keys_exist {
                return;
            }
            cache.refreshing_keys_exist = true;
            cache.keys_exist_generation
        };
        let store = Arc::clone(&self.store);
        let cache = Arc::clone(&self.cache);
        tokio::spawn(async move {
            let counted = store.count_active_keys().await;
            let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
            cache.refreshing_keys_exist = false;
            match counted {
                Ok(count) if cache.keys_exist_generation == generation => {
                    cache.keys_exist = Some((count > 0, Instant::now()));
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(
                    error = format!("{:#}", anyhow::Error::new(error)),
                    "cannot refresh whether API keys exist; keeping the last answer"
                ),
            }
        });
    }
}

#[async_trait]
impl AccessUseCases for ApiKeyService {
    #[tracing::instrument(skip(self), fields(name = %name), err(level = "debug"))]
    async fn issue_key(&self, name: KeyName, scope: KeyScope) -> Result<IssuedKey, ServiceError> {
        let secret = Secret::generate()
            .map_err(|_| ServiceError::Unexpected(anyhow::anyhow!("the operating system supplied no randomness")))?;
        let key = ApiKey::create(name, scope, Timestamp::now());
        self.store.create_key(&key, &secret.hash()).await.map_err(issuing_a_key)?;
        let mut cache = self.cache();
        cache.keys_exist = Some((true, Instant::now()));
        cache.keys_exist_generation += 1;
        drop(cache);
        tracing::info!(key_id = %key.id, scope = %key.scope, "issued an API key");
        Ok(IssuedKey { key, secret })
    }

    async fn authenticate(&self, presented: &str) -> Result<Option<ApiKey>, ServiceError> {
        let Some(secret) = Secret::presented(presented) else { return Ok(None) };
        let hash = secret.hash();
        if let Some((key, at)) = self.cache().verified.get(&hash)
            && self.fresh(*at)
        {
            return Ok(Some(key.clone()));
        }
        let found = self.store.find_active_key(&hash).await.map_err(ServiceError::from_store)?;
        let mut cache = self.cache();
        match &found {
            Some(key) if !self.ttl.is_zero() => {
                if cache.verified.len() >= MAX_CACHED_KEYS {
                    cache.verified.clear();
                }
                cache.verified.insert(hash, (key.clone(), Instant::now()));
            }
            _ => {
                cache.verified.remove(&hash);
            }
        }
        Ok(found)
    }

    async fn keys_exist(&self) -> Result<bool, ServiceError> {
        if self.ttl.is_zero() {
            return Ok(self.store.count_active_keys().await.map_err(ServiceError::from_store)? > 0);
        }
        let cached = self.cache().keys_exist;
        match cached {
            Some((exist, at)) if self.fresh(at) => Ok(exist),
            Some((exist, _stale)) => {
                self.refresh_keys_exist_in_background();
                Ok(exist)
            }
            None => {
                let generation = self.cache().keys_exist_generation;
                let exist = self.store.count_active_keys().await.map_err(ServiceError::from_store)? > 0;
                let mut cache = self.cache();
                if cache.keys_exist_generation == generation {
                    cache.keys_exist = Some((exist, Instant::now()));
                }
                Ok(exist)
            }
        }
    }

    async fn list_keys(&self) -> Result<Vec<ApiKey>, ServiceError> {
        self.store.list_keys().await.map_err(ServiceError::from_store)
    }

    #[tracing::instrument(skip(self), err(level = "debug"))]
    async fn revoke_key(&self, which: KeySelector) -> Result<ApiKey, ServiceError> {
        let revoked = self.store.revoke_key(&which, Timestamp::now()).await.map_err(ServiceError::from_store)?;
        let mut cache = self.cache();
        cache.verified.retain(|_, (key, _)| key.id != revoked.id);
        cache.keys_exist = None;
        cache.keys_exist_generation += 1;
        tracing::info!(key_id = %revoked.id, "revoked an API key");
        Ok(revoked)
    }
}

/// What the store's answers to storing a new key mean: a duplicate is its
/// name, which no two active keys share.
fn issuing_a_key(error: StoreError) -> ServiceError {
    match error {
        StoreError::Duplicate("name") => ServiceError::Conflict(ConflictReason::Taken(Unique::KeyName)),
        other => ServiceError::from_store(other),
    }
}

#[cfg(test)]
mod tests;
