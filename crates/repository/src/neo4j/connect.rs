//! How the store reaches Neo4j: the options, and [`Neo4jStore::connect`].
//!
//! # Starting without Neo4j
//! The server must start, answer 503 and recover by itself while Neo4j is
//! down. So `connect` only builds the driver's connection pool, which
//! connects lazily, and *tries* the schema set-up; every operation first
//! makes sure the schema is in place (see [`super::schema`]). Only options
//! that can never work (a malformed URI, an unsupported scheme) fail it.
//!
//! A `neo4j://` URI names a cluster, reached through its routing table
//! (`super::routing`); any other scheme is one server, one pool.
//!
//! # Guarding against the driver's quirks: its pool
//! Read from the source of `neo4rs` 0.9.0-rc.11, not its docs (the reason
//! the version is pinned exactly: `vendor/neo4rs/PATCHES.md`):
//!
//! * `ConfigBuilder::max_lifetime` does **not** limit a connection's life: it
//!   becomes the pool's *wait* timeout; without it, a checkout from an
//!   exhausted pool waits forever. `idle_timeout` likewise becomes the
//!   *recycle* timeout. Both are set to the operation timeout, knowing that.
//! * `connection_timeout` bounds the TCP connect and every single read on a
//!   connection — not the Bolt handshake after a connect, which the
//!   timeout around every operation bounds instead ([`super::transactions`]).

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use tokio::sync::Mutex;

use super::queries::AnchoredListPlan;
use super::routing::{MemberSettings, ReadFrom, Route, Router};
use super::search_words::SearchIndexer;
use super::{Connections, Inner, Neo4jStore, stalls, task_creates, tasks, walk_cache};

/// How to reach Neo4j and how hard to use it.
#[derive(Clone)]
pub struct Neo4jOptions {
    /// `bolt://host:7687` or `bolt+s://…` for one server; `neo4j://…` or
    /// `neo4j+s://…` for a cluster (or Aura), reached through its routing
    /// table (see `routing`): writes to the writer, reads per
    /// [`Neo4jOptions::read_from`].
    pub uri: String,
    /// The user to log in as.
    pub user: String,
    /// Their password.
    pub password: String,
    /// The most connections kept open at once.
    pub pool_size: usize,
    /// Rows fetched per round trip while reading a result.
    pub fetch_size: usize,
    /// The longest any operation may take — waiting for a connection
    /// included — before it fails as unavailable.
    pub operation_timeout: Duration,
    /// The most queries looking tasks up by id that run at once. Lookups
    /// beyond wait for one to finish and share the next (see
    /// `coalesce`); 0 sends every lookup as a query of its own.
    pub lookup_queries: usize,
    /// The most task creates committed in one transaction (group commit):
    /// creates arriving while [`WRITE_TRANSACTIONS`] transactions commit
    /// wait and share the next. 0 or 1 sends every create on its own.
    pub write_batch: usize,
    /// How task lists by project or assignee reach their tasks. The default
    /// chooses per query; forcing one plan is for tests and for diagnosing
    /// a slow list (see [`super::queries::list_tasks`]).
    pub list_plan: AnchoredListPlan,
    /// On a `neo4j://` cluster, which members answer reads.
    pub read_from: ReadFrom,
    /// The most bytes of tasks kept between walks of the task graph, so
    /// that a walk from where one began reads only the tasks that changed
    /// (see `walk_cache`); 0 reads every walked task every time.
    pub walk_cache_bytes: usize,
}

/// The default [`Neo4jOptions::lookup_queries`]. Fewer queries in flight
/// make larger batches and cheaper lookups: on the benchmark machine 2
/// served 10–19% more than 4 at 16 and 64 connections, and 1 less than 2.
/// A farther Neo4j does not need more: its lookups wait longer, so each
/// query carries more of them. A Neo4j with many idle cores may; raise it
/// there.
pub const DEFAULT_LOOKUP_QUERIES: usize = 2;

/// The default [`Neo4jOptions::walk_cache_bytes`], 32 MiB: about 60,000
/// tasks of a typical size, sixty walks over a thousand-task dependency
/// tree.
pub const DEFAULT_WALK_CACHE_BYTES: usize = 32 << 20;

/// The most tasks one coalesced lookup query asks for.
const LOOKUP_BATCH: usize = 128;

/// How many batched create transactions run at once: two, so that one
/// batch gathers while the other commits, as lookups do.
pub const WRITE_TRANSACTIONS: usize = 2;

impl Neo4jOptions {
    /// Options for this server and login, with default tuning: 16
    /// connections, 500 rows per fetch, a 5 second timeout, at most
    /// [`DEFAULT_LOOKUP_QUERIES`] lookup queries at once, and
    /// [`DEFAULT_WALK_CACHE_BYTES`] of tasks kept between walks.
    #[must_use]
    pub fn new(uri: impl Into<String>, user: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            uri: uri.into(),
            user: user.into(),
            password: password.into(),
            pool_size: 16,
            fetch_size: 500,
            operation_timeout: Duration::from_secs(5),
            lookup_queries: DEFAULT_LOOKUP_QUERIES,
            write_batch: crate::DEFAULT_WRITE_BATCH,
            list_plan: AnchoredListPlan::Cheapest,
            read_from: ReadFrom::default(),
            walk_cache_bytes: DEFAULT_WALK_CACHE_BYTES,
        }
    }
}

impl std::fmt::Debug for Neo4jOptions {
    /// Everything but the password, which must never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Neo4jOptions")
            .field("uri", &self.uri)
            .field("user", &self.user)
            .field("password", &"***")
            .field("pool_size", &self.pool_size)
            .field("fetch_size", &self.fetch_size)
            .field("operation_timeout", &self.operation_timeout)
            .field("lookup_queries", &self.lookup_queries)
            .field("write_batch", &self.write_batch)
            .field("list_plan", &self.list_plan)
            .field("read_from", &self.read_from)
            .field("walk_cache_bytes", &self.walk_cache_bytes)
            .finish()
    }
}

impl Neo4jStore {
    /// Prepares a store for the server in `options` and tries to set its
    /// schema up.
    ///
    /// An unreachable server is not an error: the pool connects lazily, the
    /// failure is logged, and the schema is set up by the first operation
    /// that finds the server back.
    ///
    /// # Errors
    /// When the options are unusable (a malformed URI, an unsupported
    /// scheme, TLS that cannot be configured).
    pub async fn connect(options: Neo4jOptions) -> anyhow::Result<Self> {
        let timeout = options.operation_timeout.max(Duration::from_millis(1));
        let settings = MemberSettings {
            user: options.user.clone(),
            password: options.password.clone(),
            pool_size: options.pool_size,
            fetch_size: options.fetch_size,
            timeout,
        };
        let uri = redacted(&options.uri);
        let route = if Router::routes(&options.uri) {
            let router = Router::new(&options.uri, settings, options.read_from)
                .map_err(|error| error.context(format!("cannot use the Neo4j URI {uri}")))?;
            Route::Routed(Arc::new(router))
        } else {
            Route::Direct(
                settings
                    .pool(&options.uri)
                    .map_err(|error| error.context(format!("cannot use the Neo4j URI {uri}")))?,
            )
        };
        let size = u64::try_from(options.pool_size.max(1)).unwrap_or(u64::MAX);
        let graph = Connections { route, usage: Arc::default(), size };
        let inner = Arc::new_cyclic(|store| Inner {
            graph: graph.clone(),
            schema_ready: AtomicBool::new(false),
            schema_task: Mutex::new(None),
            timeout,
            list_plan: options.list_plan,
            task_lookups: (options.lookup_queries > 0)
                .then(|| tasks::lookups(&graph, timeout, options.lookup_queries, LOOKUP_BATCH)),
            task_creates: (options.write_batch > 1)
                .then(|| task_creates::creates(store.clone(), WRITE_TRANSACTIONS, options.write_batch)),
            search_indexer: SearchIndexer::start(store.clone()),
            walk_cache: walk_cache::WalkCache::new(options.walk_cache_bytes),
            stall_reports: stalls::StallReports::default(),
        });
        let store = Self { inner };
        match store.bounded("set the schema up", store.inner.ensure_schema()).await {
            Ok(()) => tracing::info!(%uri, "connected to Neo4j; schema in place"),
            Err(error) => tracing::warn!(
                %uri,
                error = format!("{:#}", anyhow::Error::new(error)),
                "Neo4j is not usable yet; every operation will retry until it is"
            ),
        }
        Ok(store)
    }
}

/// The URI with any `user:password@` part masked, for messages and logs.
fn redacted(uri: &str) -> String {
    let Some((scheme, rest)) = uri.split_once("://") else { return uri.to_owned() };
    let authority = rest.split('/').next().unwrap_or_default();
    match authority.rfind('@') {
        Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
        None => uri.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_a_uri_never_reach_a_message() {
        assert_eq!(redacted("bolt://neo4j:secret@db.local:7687/x"), "bolt://***@db.local:7687/x");
        assert_eq!(redacted("bolt://db.local:7687"), "bolt://db.local:7687");
        assert_eq!(redacted("db.local"), "db.local");
    }

    #[test]
    fn the_options_never_print_the_password() {
        let options = Neo4jOptions::new("bolt://localhost:7687", "neo4j", "hunter2");
        assert!(!format!("{options:?}").contains("hunter2"));
    }
}
