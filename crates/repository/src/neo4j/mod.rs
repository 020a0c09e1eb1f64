//! The graph store: Neo4j over Bolt, through `neo4rs`; implements every
//! port of this crate.
//!
//! Tasks, projects and users are nodes labelled `Task`, `Project` and `User`
//! whose properties are the entities' snake_case field names: `uid` a
//! string, timestamps native `DATETIME` values in UTC (microseconds, so they
//! round-trip exactly and keyset paging can compare them), `tags` a string
//! list, enums their canonical strings, `priority` and `version` integers.
//! A task's project and assignee are *relationships* —
//! `(:Task)-[:IS_PART_OF_PROJECT]->(:Project)` and
//! `(:Task)-[:ASSIGNED_TO]->(:User)` — never `project_id`/`assignee_id`
//! properties; reads follow them back into the entity's fields.
//!
//! The rooms:
//!
//! * `connect` — the options, and [`Neo4jStore::connect`], which builds
//!   the pool without waiting for the server: the store starts, answers
//!   unavailable and recovers by itself while Neo4j is down.
//! * `schema` — the constraints and indexes, set up once, by the first
//!   operation that needs them.
//! * `transactions` — every operation under the timeout; each write one
//!   transaction that locks before it reads a version, retried when Neo4j
//!   calls its failure transient, never cancelled half-way.
//! * `errors` — which driver errors mean "unavailable" (503) and which
//!   are bugs.
//! * `routing` — where a query goes: the one server of a `bolt://` URI,
//!   or, for `neo4j://`, the writer or a reader of the cluster's routing
//!   table, refreshed when it expires or a member turns a query away.
//!   `causal` — a read on a reader that waits for the request's bookmark
//!   (read-your-writes, [`crate::consistency`]).
//! * [`queries`] — every Cypher text, one file per port or concern, and
//!   nowhere else: request values travel only as Bolt parameters. `values`
//!   — Bolt values to and from domain values.
//! * `tasks`, `projects`, `users`, `idempotency`, `api_keys`, `events`,
//!   `webhooks` — the ports; `coalesce` — lookups and creates sharing
//!   queries under load; `search_words` — the full-text index, updated
//!   in the background rather than by every write; `stalls` — what Neo4j
//!   was busy with when a write ran out of time, logged.
//!
//! The decisions behind the list plans, coalescing, group commit and plans
//! kept across statistics changes, with their measurements, are in
//! `docs/architecture.md`. The driver is `neo4rs` 0.9.0-rc.11, pinned with
//! `=` and built patched from `vendor/neo4rs`: why that release, why
//! exactly, and what the patch changes are in `vendor/neo4rs/PATCHES.md`.

mod api_keys;
mod causal;
mod coalesce;
mod connect;
mod errors;
mod events;
mod idempotency;
mod projects;
pub mod queries;
mod routing;
mod schema;
mod search_walk;
mod search_words;
mod stalls;
mod subtasks;
mod task_creates;
mod task_graph;
mod tasks;
mod transactions;
mod users;
mod values;
mod walk_cache;
mod webhook_values;
mod webhooks;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use async_trait::async_trait;
use neo4rs::Row;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use self::coalesce::Coalescer;
pub use self::connect::{DEFAULT_LOOKUP_QUERIES, DEFAULT_WALK_CACHE_BYTES, Neo4jOptions, WRITE_TRANSACTIONS};
pub use self::queries::AnchoredListPlan;
pub use self::routing::ReadFrom;
use self::routing::Route;
pub use self::stalls::RunningTransaction;
use self::transactions::fetch_all;
use crate::error::StoreError;
use crate::pool_status::{ConnectionCounter, PoolStatus, PoolUsage};
use crate::ports::HealthCheck;
use trm_domain::TaskId;

/// The Neo4j store; implements every repository trait.
///
/// Cloning is cheap and shares the connection pool.
#[derive(Clone)]
pub struct Neo4jStore {
    inner: Arc<Inner>,
}

/// The driver's connection pool and a count of the connections this
/// adapter's operations hold: `neo4rs` does not tell how busy its pool is
/// (see [`crate::pool_status`]), so every use of the pool goes through here
/// and is counted.
#[derive(Clone)]
struct Connections {
    /// One server's pool, or the members of a cluster.
    route: Route,
    usage: Arc<ConnectionCounter>,
    /// The pool's maximum.
    size: u64,
}

/// What clones of a store share.
struct Inner {
    graph: Connections,
    /// Set once the constraints and indexes are known to exist.
    schema_ready: AtomicBool,
    /// The set-up in progress, if any; emptied when it ends, so that after
    /// a failure the next operation starts a fresh attempt.
    schema_task: Mutex<Option<JoinHandle<Result<(), StoreError>>>>,
    timeout: Duration,
    list_plan: AnchoredListPlan,
    /// Coalesces concurrent task lookups; `None` when turned off.
    task_lookups: Option<Coalescer<TaskId, Arc<Row>>>,
    /// Commits concurrent task creates together; `None` when turned off.
    task_creates: Option<Coalescer<task_creates::PendingCreate, task_creates::Created>>,
    /// Moves the words of written tasks into the full-text index, off the
    /// write path.
    search_indexer: search_words::SearchIndexer,
    /// Tasks kept between walks of the task graph; `None` when turned off.
    walk_cache: Option<walk_cache::WalkCache>,
    /// When a stalled write was last reported.
    stall_reports: stalls::StallReports,
}

impl std::fmt::Debug for Neo4jStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Neo4jStore").field("timeout", &self.inner.timeout).finish_non_exhaustive()
    }
}

impl PoolStatus for Neo4jStore {
    fn pool_usage(&self) -> PoolUsage {
        let connections = self.graph();
        PoolUsage { in_use: connections.usage.in_use(), size: connections.size }
    }
}

#[async_trait]
impl HealthCheck for Neo4jStore {
    async fn ping(&self) -> Result<(), StoreError> {
        let graph = self.graph();
        // The schema counts: until it is in place no operation can succeed.
        self.read("answer a ping", async move {
            let rows = fetch_all(graph, neo4rs::query(queries::PING), "cannot ping Neo4j").await?;
            if rows.is_empty() {
                return Err(StoreError::Unavailable(anyhow::anyhow!("Neo4j answered a ping with no row")));
            }
            Ok(())
        })
        .await
    }
}
