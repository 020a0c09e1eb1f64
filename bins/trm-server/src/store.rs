//! Choosing and opening the store named by the database URL, and wrapping
//! its ports in the metrics decorator ([`Store::instrumented`]).

use std::sync::Arc;

use anyhow::Context as _;
use prometheus_client::registry::Registry;
use trm_repository::neo4j::{Neo4jOptions, Neo4jStore};
use trm_repository::sqlite::{SqliteOptions, SqliteStore};
use trm_repository::{
    ApiKeyRepository, EventLog, HealthCheck, IdempotencyRepository, Instrumented, PoolStatus, ProjectRepository,
    StoreMetrics, TaskRepository, UserRepository, WebhookRepository, register_pool,
};

use crate::configuration::{DatabaseSettings, StoreKind};

/// The opened store, seen through each port it serves.
#[derive(Clone)]
pub struct Store {
    /// Task storage.
    pub tasks: Arc<dyn TaskRepository>,
    /// Project storage.
    pub projects: Arc<dyn ProjectRepository>,
    /// User storage.
    pub users: Arc<dyn UserRepository>,
    /// Idempotency keys and the responses they stand for, kept in the
    /// store so retries work across restarts and instances.
    pub idempotency: Arc<dyn IdempotencyRepository>,
    /// API keys (their hashes), shared with the `keys` commands.
    pub api_keys: Arc<dyn ApiKeyRepository>,
    /// The durable event log the writes fill.
    pub events: Arc<dyn EventLog>,
    /// Webhook subscriptions, deliveries and their leases.
    pub webhooks: Arc<dyn WebhookRepository>,
    /// Reachability, for readiness.
    pub health: Arc<dyn HealthCheck>,
    /// How many connections are in use, for the pool gauge.
    pub pool: Arc<dyn PoolStatus>,
    /// Which adapter this is (`sqlite`, `neo4j`): the metrics' `store` label.
    pub name: &'static str,
}

impl Store {
    fn from_adapter<S>(name: &'static str, adapter: S) -> Self
    where
        S: TaskRepository
            + ProjectRepository
            + UserRepository
            + IdempotencyRepository
            + ApiKeyRepository
            + EventLog
            + WebhookRepository
            + HealthCheck
            + PoolStatus,
    {
        let adapter = Arc::new(adapter);
        Self {
            tasks: adapter.clone(),
            projects: adapter.clone(),
            users: adapter.clone(),
            idempotency: adapter.clone(),
            api_keys: adapter.clone(),
            events: adapter.clone(),
            webhooks: adapter.clone(),
            health: adapter.clone(),
            pool: adapter,
            name,
        }
    }

    /// The same store with every port measured: registers the store's
    /// operation and pool metrics in `registry` and wraps each port in the
    /// [`Instrumented`] decorator.
    #[must_use]
    pub fn instrumented(self, registry: &mut Registry) -> Self {
        let metrics = StoreMetrics::register(registry, self.name);
        register_pool(registry, self.name, Arc::clone(&self.pool));
        Self {
            tasks: Arc::new(Instrumented::new(self.tasks, metrics.clone())),
            projects: Arc::new(Instrumented::new(self.projects, metrics.clone())),
            users: Arc::new(Instrumented::new(self.users, metrics.clone())),
            idempotency: Arc::new(Instrumented::new(self.idempotency, metrics.clone())),
            // Not measured: the decorator covers the ports requests use on
            // every call; a key is looked up once per cache period.
            api_keys: self.api_keys,
            events: Arc::new(Instrumented::new(self.events, metrics.clone())),
            webhooks: Arc::new(Instrumented::new(self.webhooks, metrics.clone())),
            health: Arc::new(Instrumented::new(self.health, metrics)),
            pool: self.pool,
            name: self.name,
        }
    }
}

/// The Neo4j user when the settings name none: Neo4j's own default.
pub const DEFAULT_NEO4J_USER: &str = "neo4j";

/// Opens the store the settings name, migrating or preparing its schema.
///
/// For Neo4j the schema is prepared when the server can be reached — now,
/// or on the first operation after it comes up.
///
/// # Errors
/// When the URL is unsupported or unusable, or the embedded database cannot
/// be opened — but not because Neo4j is unreachable.
pub async fn open(settings: &DatabaseSettings) -> anyhow::Result<Store> {
    match StoreKind::from_url(&settings.url)? {
        StoreKind::Sqlite(location) => {
            let options = SqliteOptions {
                readers: settings.sqlite_readers().clamp(1, 64),
                operation_timeout: settings.timeout(),
                write_batch: settings.write_batch,
            };
            let store = SqliteStore::open_with(location, options)
                .await
                .with_context(|| format!("cannot open the embedded store at {}", settings.url))?;
            Ok(Store::from_adapter("sqlite", store))
        }
        StoreKind::Neo4j => {
            let login = Neo4jOptions::new(
                settings.url.clone(),
                settings.user.clone().unwrap_or_else(|| DEFAULT_NEO4J_USER.to_owned()),
                settings.password.clone().unwrap_or_default(),
            );
            let options = Neo4jOptions {
                pool_size: settings.neo4j_connections(),
                fetch_size: settings.fetch_size,
                operation_timeout: settings.timeout(),
                lookup_queries: settings.lookup_queries,
                write_batch: settings.write_batch,
                read_from: settings.read_from()?,
                walk_cache_bytes: settings.walk_cache_mib.saturating_mul(1 << 20),
                ..login
            };
            // Neo4j being down is not an error here: the store connects
            // lazily and the server starts, answering 503 until it is back.
            // The URL is left out of the message: it may carry credentials.
            let store =
                Neo4jStore::connect(options).await.context("cannot use the Neo4j store named by database.url")?;
            Ok(Store::from_adapter("neo4j", store))
        }
    }
}
