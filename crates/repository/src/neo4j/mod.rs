//! The graph store: Neo4j over Bolt, through `neo4rs`; implements the task,
//! project and user repositories and the health check.
//!
//! # Schema
//! Tasks, projects and users are nodes labelled `Task`, `Project` and `User`
//! whose properties are the entities' snake_case field names: `uid` a
//! string, timestamps native `DATETIME` values in UTC (microseconds, so they
//! round-trip exactly and keyset paging can compare them), `tags` a string
//! list, enums their canonical strings, `priority` and `version` integers.
//! A task's project and assignee are *relationships* —
//! `(:Task)-[:IS_PART_OF_PROJECT]->(:Project)` and
//! `(:Task)-[:ASSIGNED_TO]->(:User)` — never `project_id`/`assignee_id`
//! properties; reads follow them back into the entity's fields. Uniqueness
//! constraints and range indexes (see [`schema`]) are created idempotently.
//!
//! # Starting without Neo4j
//! The server must start, answer 503 and recover by itself while Neo4j is
//! down. So [`Neo4jStore::connect`] only builds the connection pool (which
//! connects lazily) and *tries* the schema set-up; every operation first
//! makes sure the schema is in place. The set-up runs once, on a task of its
//! own behind an async mutex: an operation that times out stops waiting for
//! it but does not cancel it (a cold server can take seconds to create the
//! rules, longer than one request may wait), the next operation waits for
//! the same task, and after a failure the next operation starts a new one.
//!
//! # Atomicity and concurrency
//! Every write runs in one explicit transaction (`start_txn`), committed only
//! when every step succeeded and rolled back otherwise, so a missing project
//! or a version conflict leaves nothing behind. Neo4j reads are *read
//! committed*: a `MATCH … WHERE t.version = $expected SET …` can read the old
//! version, wait for a concurrent writer's lock, and then overwrite its
//! change. Writes therefore take the entity's write lock *before* reading its
//! version — `SET t.version = t.version + 1 RETURN t.version - 1`, a direct
//! dependency, for which Cypher locks before it reads — which makes the
//! version check and the write one atomic step: of two racing updates from
//! the same version exactly one wins (the contract tests race them). The
//! increment matters: a self-assignment `SET t.version = t.version` changes
//! nothing and, measured against Neo4j 5.26, lets both racers through.
//! Deleting a project locks it first, so a task cannot join it between the
//! check for tasks and the delete.
//!
//! # Lookups under load
//! Task lookups by id are coalesced: at most [`Neo4jOptions::lookup_queries`]
//! run at once, and lookups arriving meanwhile share the next query (one
//! `UNWIND` over their ids). A lookup on an idle store goes out at once and
//! alone. See `coalesce` for the mechanism and `docs/architecture.md` for
//! the measurements behind it.
//!
//! # Plans that do not go stale
//! The task queries name the index each seek uses (or walk from a node
//! already found), so their plans do not depend on the graph's statistics,
//! and they start with `CYPHER replan=skip`: when a growing graph moves the
//! statistics, Neo4j keeps their cached plans instead of making the next
//! request wait while it plans the query again (~0.5 s for a task list on
//! the benchmark machine). See `values::keep_plan`.
//!
//! # Connections in use
//! The driver does not expose its pool's status, so every use of the pool
//! goes through `Connections`, which counts the operations holding (or
//! checking out) a connection; [`PoolStatus`] reports
//! the count for the `store_pool_connections_in_use` gauge.
//!
//! # Only parameters
//! Query text is assembled from fixed fragments only; every value that comes
//! from a request travels as a Bolt parameter (`$uid`, `$props`, …), so no
//! input can change what a query does.
//!
//! # Why `neo4rs` 0.9.0-rc.11, pinned exactly, and patched
//! Verified against a real Neo4j 5.26 Community server (5.26.30): it
//! negotiates Bolt 4.4, which 5.26 still speaks, and its pool health-checks
//! every connection on checkout (drain pending responses, then `RESET`),
//! which is what lets a store outlive a Neo4j restart without being
//! recreated. It is built from `vendor/neo4rs`, patched to skip that
//! `RESET` — a round trip before every query — on a connection known to be
//! READY whose peer has sent nothing and not closed it: one whose last
//! query was an auto-commit read consumed to its end, as every task lookup
//! is (`vendor/neo4rs/PATCHES.md`; the driver tests of the contract suite). It is a release candidate, and the guards below rest on
//! details of its internals read from its source (which builder option
//! sets which pool timeout, what is retried, what is not bounded); another
//! candidate may change any of them silently. Hence `=`: move the pin
//! deliberately, re-reading these notes and re-running the contract tests
//! against a server.
//!
//! # Guarding against the driver's quirks
//! Read from its source, not its docs:
//!
//! * `ConfigBuilder::max_lifetime` does **not** limit a connection's life: it
//!   becomes the pool's *wait* timeout; without it, a checkout from an
//!   exhausted pool waits forever. `idle_timeout` likewise becomes the
//!   *recycle* timeout. Both are set to the operation timeout, knowing that.
//! * Opening a connection bounds the TCP connect by `connection_timeout`, but
//!   not the Bolt handshake that follows, so a peer that accepts and never
//!   answers would hang a checkout.
//! * `Graph::run`/`execute` retry failures the driver deems retryable — I/O
//!   errors included — with exponential backoff for up to 60 seconds.
//! * The pool cannot discard a connection on error. One broken mid-exchange
//!   (e.g. by a cancelled query) goes back to the pool and is only dropped
//!   when a later checkout's health check (drain + `RESET`, up to 5 s)
//!   fails. After a server restart every pooled connection is dead; the
//!   next checkout tries the idle ones in turn, discarding each, then opens
//!   a new one — so recovery needs no action, but costs that first request
//!   a little (measured: under a second). With the patch, a connection
//!   whose last query ended cleanly skips the `RESET` unless its socket
//!   shows the server's end of stream; one the server closed is caught by
//!   that look and replaced, with no query failing on it.
//! * It speaks Bolt 4.x only, where a `DATETIME` travels in the legacy
//!   structure (local seconds plus offset); with the zero offset written
//!   here that is exact, nanoseconds included.
//!
//! Hence **every** operation — checkout included — runs under
//! `tokio::time::timeout(operation_timeout)`, and a timeout, an I/O or
//! connection error, a transient Neo4j error or a refused login is
//! [`StoreError::Unavailable`] (the API answers 503 and the client may
//! retry); any other driver error is [`StoreError::Unexpected`] with context.
//! A write that Neo4j fails as *transient* — typically a deadlock it detected
//! between two writers touching the same nodes, e.g. a task joining a project
//! that is being deleted — is run again, a few times, before it counts as
//! unavailable.
//! Writes run on a spawned task that the caller stops waiting for at the
//! timeout, but that itself finishes within a grace period — rolling back,
//! since the caller was told the write failed. Cancelling the transaction
//! half-way instead would leave it open, holding its locks, on a connection
//! parked in the pool until that connection is next checked out.

mod api_keys;
mod coalesce;
mod idempotency;
mod projects;
pub mod queries;
mod schema;
mod tasks;
mod users;
mod values;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use futures::future::BoxFuture;
use neo4rs::{ConfigBuilder, Graph, Neo4jClientErrorKind, Neo4jErrorKind, Query, Row, Txn};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use self::coalesce::Coalescer;
pub use self::queries::AnchoredListPlan;
use crate::error::StoreError;
use crate::pool_status::{ConnectionCounter, PoolStatus, PoolUsage};
use crate::ports::HealthCheck;
use trm_domain::TaskId;

/// How to reach Neo4j and how hard to use it.
#[derive(Clone)]
pub struct Neo4jOptions {
    /// `bolt://host:7687`, `bolt+s://…`, `neo4j://…` (a single server: the
    /// driver's routing support is experimental and not enabled).
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
    /// a slow list (see [`queries::list_tasks`]).
    pub list_plan: AnchoredListPlan,
}

/// The default [`Neo4jOptions::lookup_queries`]. Fewer queries in flight
/// make larger batches and cheaper lookups: on the benchmark machine 2
/// served 10–19% more than 4 at 16 and 64 connections, and 1 less than 2.
/// A farther Neo4j does not need more: its lookups wait longer, so each
/// query carries more of them. A Neo4j with many idle cores may; raise it
/// there.
pub const DEFAULT_LOOKUP_QUERIES: usize = 2;

/// The most tasks one coalesced lookup query asks for.
const LOOKUP_BATCH: usize = 128;

/// How many batched create transactions run at once: two, so that one
/// batch gathers while the other commits, as lookups do.
pub const WRITE_TRANSACTIONS: usize = 2;

impl Neo4jOptions {
    /// Options for this server and login, with default tuning: 16
    /// connections, 500 rows per fetch, a 5 second timeout, at most
    /// [`DEFAULT_LOOKUP_QUERIES`] lookup queries at once.
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
            .finish()
    }
}

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
    graph: Graph,
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
    task_creates: Option<Coalescer<tasks::PendingCreate, tasks::Created>>,
}

impl std::fmt::Debug for Neo4jStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Neo4jStore").field("timeout", &self.inner.timeout).finish_non_exhaustive()
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
        let config = ConfigBuilder::default()
            .uri(options.uri.as_str())
            .user(options.user.as_str())
            .password(options.password.as_str())
            .max_connections(options.pool_size.max(1))
            .fetch_size(options.fetch_size.max(1))
            // Bounds the TCP connect and every single read on a connection.
            .connection_timeout(timeout)
            // Despite their names: the pool's wait timeout and recycle
            // timeout (see the module docs).
            .max_lifetime(timeout)
            .idle_timeout(timeout)
            .build()
            .map_err(|error| anyhow::Error::new(error).context("invalid Neo4j configuration"))?;
        let uri = redacted(&options.uri);
        let graph = Graph::connect(config)
            .map_err(|error| anyhow::Error::new(error).context(format!("cannot use the Neo4j URI {uri}")))?;
        let size = u64::try_from(options.pool_size.max(1)).unwrap_or(u64::MAX);
        let graph = Connections { graph, usage: Arc::default(), size };
        let inner = Arc::new_cyclic(|store| Inner {
            graph: graph.clone(),
            schema_ready: AtomicBool::new(false),
            schema_task: Mutex::new(None),
            timeout,
            list_plan: options.list_plan,
            task_lookups: (options.lookup_queries > 0)
                .then(|| tasks::lookups(&graph, timeout, options.lookup_queries, LOOKUP_BATCH)),
            task_creates: (options.write_batch > 1)
                .then(|| tasks::creates(store.clone(), WRITE_TRANSACTIONS, options.write_batch)),
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

    /// Runs `work` after making sure the schema exists, failing as
    /// unavailable if the whole does not finish within the timeout.
    ///
    /// For reads: cancelling one at the timeout leaves nothing to clean up.
    async fn read<T>(
        &self,
        what: &'static str,
        work: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        let inner = &self.inner;
        self.bounded(what, async move {
            inner.ensure_schema().await?;
            work.await
        })
        .await
    }

    /// Runs `body` as one transaction on its own task, answering within the
    /// timeout.
    ///
    /// The caller stops waiting at the timeout (or when it is dropped), but
    /// the task carries on — for at most a grace period — and then *rolls
    /// back* instead of committing, so the write neither happens after the
    /// caller was told it failed nor leaves a transaction holding locks on a
    /// pooled connection. Only a commit already sent when the caller gave up
    /// can still land: that is the one unknowable outcome of any timeout.
    async fn write<T, B>(&self, what: &'static str, body: B) -> Result<T, StoreError>
    where
        T: Send + 'static,
        B: for<'t> Fn(&'t mut Txn) -> BoxFuture<'t, Result<T, StoreError>> + Send + Sync + 'static,
    {
        let inner = Arc::clone(&self.inner);
        let abandoned = Arc::new(AtomicBool::new(false));
        let _abandon_when_dropped = AbandonOnDrop(Arc::clone(&abandoned));
        let grace = inner.timeout.saturating_mul(3);
        let task = tokio::spawn(async move {
            let outcome = tokio::time::timeout(grace, async {
                inner.ensure_schema().await?;
                let mut attempt = 1;
                loop {
                    match in_transaction(&inner.graph, &abandoned, &body).await {
                        // Neo4j asks for a retry (a deadlock between two
                        // writers, say): the whole transaction is run again.
                        Err(error)
                            if is_transient(&error)
                                && attempt < WRITE_ATTEMPTS
                                && !abandoned.load(Ordering::SeqCst) =>
                        {
                            tracing::debug!(error = %anyhow::Error::new(error), attempt, "retrying a Neo4j write");
                            tokio::time::sleep(Duration::from_millis(20 * attempt)).await;
                            attempt += 1;
                        }
                        outcome => break outcome,
                    }
                }
            })
            .await;
            outcome.unwrap_or_else(|_elapsed| Err(unavailable_after(what, grace)))
        });
        match tokio::time::timeout(self.inner.timeout, task).await {
            Ok(Ok(result)) => result,
            Ok(Err(join_error)) => Err(StoreError::Unexpected(
                anyhow::Error::new(join_error).context(format!("the Neo4j write to {what} panicked")),
            )),
            Err(_elapsed) => Err(unavailable_after(what, self.inner.timeout)),
        }
    }

    /// `work` under the operation timeout.
    async fn bounded<T>(
        &self,
        what: &'static str,
        work: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        let timeout = self.inner.timeout;
        tokio::time::timeout(timeout, work).await.unwrap_or_else(|_elapsed| Err(unavailable_after(what, timeout)))
    }

    /// The shared connection pool, for the adapters' queries.
    fn graph(&self) -> &Connections {
        &self.inner.graph
    }
}

impl Inner {
    /// Creates the constraints and indexes unless a previous call did, or
    /// waits for the set-up already under way.
    async fn ensure_schema(&self) -> Result<(), StoreError> {
        if self.schema_ready.load(Ordering::Acquire) {
            return Ok(());
        }
        let mut running = self.schema_task.lock().await;
        if self.schema_ready.load(Ordering::Acquire) {
            return Ok(());
        }
        let task = running.get_or_insert_with(|| {
            let graph = self.graph.clone();
            tokio::spawn(async move {
                let _held = graph.usage.checkout();
                tokio::time::timeout(SCHEMA_TIMEOUT, schema::create(&graph.graph))
                    .await
                    .unwrap_or_else(|_elapsed| Err(unavailable_after("set the schema up", SCHEMA_TIMEOUT)))
            })
        });
        // Awaited by reference: if this caller gives up, the task stays in
        // the slot for the next one.
        let outcome = task.await;
        *running = None;
        match outcome {
            Ok(Ok(())) => {
                self.schema_ready.store(true, Ordering::Release);
                Ok(())
            }
            Ok(Err(error)) => Err(error),
            Err(join_error) => {
                Err(StoreError::Unexpected(anyhow::Error::new(join_error).context("the Neo4j schema set-up panicked")))
            }
        }
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
            let rows = fetch_all(graph, neo4rs::query("RETURN 1 AS one"), "cannot ping Neo4j").await?;
            if rows.is_empty() {
                return Err(StoreError::Unavailable(anyhow::anyhow!("Neo4j answered a ping with no row")));
            }
            Ok(())
        })
        .await
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

/// How often a write is tried when Neo4j answers "transient, retry".
const WRITE_ATTEMPTS: u64 = 4;

/// Whether Neo4j itself classified the failure as transient — a deadlock
/// detected between two transactions, a lock that could not be had — so
/// that running the transaction again may well succeed.
fn is_transient(error: &StoreError) -> bool {
    let StoreError::Unavailable(cause) = error else { return false };
    cause.downcast_ref::<ConcurrentChange>().is_some()
        || matches!(
            cause.downcast_ref::<neo4rs::Error>(),
            Some(neo4rs::Error::Neo4j(e)) if e.kind() == Neo4jErrorKind::Transient
        )
}

/// Marks a failure caused by another transaction changing what this one
/// had just read — a node it matched was deleted before it could be used —
/// so that running the transaction again sees the new state.
#[derive(Debug)]
pub(crate) struct ConcurrentChange(pub(crate) &'static str);

impl std::fmt::Display for ConcurrentChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (changed concurrently)", self.0)
    }
}

/// Like [`driver_error`], but Neo4j's "the node you matched is gone"
/// (`EntityNotFound`, a concurrent delete) becomes a retryable
/// [`ConcurrentChange`].
pub(crate) fn driver_error_or_concurrent_delete(context: &'static str) -> impl Fn(neo4rs::Error) -> StoreError + Copy {
    move |error| match &error {
        neo4rs::Error::Neo4j(neo4j) if neo4j.code() == "Neo.ClientError.Statement.EntityNotFound" => {
            StoreError::Unavailable(anyhow::Error::new(error).context(ConcurrentChange(context)))
        }
        _ => driver_error(context)(error),
    }
}

/// The longest one schema set-up attempt may take; it runs on its own task,
/// so this bounds the attempt, not any request.
const SCHEMA_TIMEOUT: Duration = Duration::from_secs(120);

/// The error for an operation that ran out of time.
fn unavailable_after(what: &'static str, timeout: Duration) -> StoreError {
    StoreError::Unavailable(anyhow::anyhow!("Neo4j did not {what} within {timeout:?}"))
}

/// Whether a driver error means "Neo4j cannot serve right now" (503, retry
/// later) rather than a bug or bad data.
fn is_unavailable(error: &neo4rs::Error) -> bool {
    use neo4rs::Error as E;
    match error {
        E::IOError { .. }
        | E::ConnectionError
        | E::ConnectionTimedOut
        | E::IncompleteBoltExchange
        | E::ServerUnavailableError(_)
        // Neo4j ignored the request: the connection had failed or been
        // interrupted before it (Neo4j shutting down mid-transaction, say).
        | E::RequestIgnoredError
        | E::Ignored(_)
        // A refused login: nothing works until the credentials do.
        | E::AuthenticationError(_) => true,
        E::Neo4j(error) => {
            let code = error.code();
            matches!(
                error.kind(),
                Neo4jErrorKind::Transient
                    | Neo4jErrorKind::Client(
                        Neo4jClientErrorKind::Security(_)
                            | Neo4jClientErrorKind::SessionExpired
                            | Neo4jClientErrorKind::TransactionTerminated
                    )
            ) || code == "Neo.ClientError.Transaction.LockClientStopped"
                // The driver's code for an IGNORED reply to a pipelined
                // message (see above), seen while Neo4j stops.
                || code == "Neo.ServerError.Ignored"
        }
        _ => false,
    }
}

/// Translates a driver error, keeping what was being done as context.
pub(crate) fn driver_error(context: &'static str) -> impl Fn(neo4rs::Error) -> StoreError + Copy {
    move |error| {
        if is_unavailable(&error) {
            StoreError::Unavailable(anyhow::Error::new(error).context(context))
        } else {
            StoreError::Unexpected(anyhow::Error::new(error).context(context))
        }
    }
}

/// Runs a read query outside any transaction and collects every row.
///
/// The driver may retry it on a fresh connection; the caller's timeout
/// bounds that. Counted as holding a connection from the start (the
/// checkout is inside the driver's call) until the stream is dropped.
async fn fetch_all(graph: &Connections, query: Query, context: &'static str) -> Result<Vec<Row>, StoreError> {
    let _held = graph.usage.checkout();
    // Boxed: the driver's retrying future is tens of kilobytes.
    let mut stream = Box::pin(graph.graph.execute_read(query)).await.map_err(driver_error(context))?;
    let mut rows = Vec::new();
    while let Some(row) = stream.next().await.map_err(driver_error(context))? {
        rows.push(row);
    }
    Ok(rows)
}

/// Runs a query inside `txn` and collects every row.
async fn txn_fetch_all(txn: &mut Txn, query: Query, context: &'static str) -> Result<Vec<Row>, StoreError> {
    txn_fetch_all_with(txn, query, driver_error(context)).await
}

/// [`txn_fetch_all`] with a chosen translation of driver errors.
async fn txn_fetch_all_with(
    txn: &mut Txn,
    query: Query,
    translate: impl Fn(neo4rs::Error) -> StoreError + Copy,
) -> Result<Vec<Row>, StoreError> {
    let mut stream = txn.execute(query).await.map_err(translate)?;
    let mut rows = Vec::new();
    while let Some(row) = stream.next(txn.handle()).await.map_err(translate)? {
        rows.push(row);
    }
    Ok(rows)
}

/// Marks a write as given up by its caller when dropped: when the caller
/// stops waiting, whether at the timeout or because it was itself dropped.
struct AbandonOnDrop(Arc<AtomicBool>);

impl Drop for AbandonOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Runs `body` in one explicit transaction: commits when it returns `Ok`
/// and the caller still waits, rolls back otherwise — on an answer such as
/// a version conflict, on a failure, or when `abandoned` — so that nothing
/// of a failed write remains. A failed commit (a deadlock found at commit
/// time, say) leaves nothing behind either.
async fn in_transaction<T>(
    graph: &Connections,
    abandoned: &AtomicBool,
    body: &impl for<'t> Fn(&'t mut Txn) -> BoxFuture<'t, Result<T, StoreError>>,
) -> Result<T, StoreError> {
    if abandoned.load(Ordering::SeqCst) {
        return Err(StoreError::Unavailable(anyhow::anyhow!("the caller gave up before the transaction began")));
    }
    // Declared before the transaction, so dropped after it: the count
    // covers the connection until the transaction lets it go.
    let _held = graph.usage.checkout();
    let mut txn = graph.graph.start_txn().await.map_err(driver_error("cannot begin a Neo4j transaction"))?;
    let outcome = match body(&mut txn).await {
        Ok(_) if abandoned.load(Ordering::SeqCst) => {
            Err(StoreError::Unavailable(anyhow::anyhow!("the caller gave up before the commit")))
        }
        outcome => outcome,
    };
    match outcome {
        Ok(value) => {
            txn.commit().await.map_err(driver_error("cannot commit a Neo4j transaction"))?;
            Ok(value)
        }
        Err(error) => {
            // After a failed statement the server has already rolled back and
            // ignores this; the pool resets the connection before reuse.
            if let Err(rollback) = txn.rollback().await {
                tracing::debug!(error = %rollback, "rolling back a Neo4j transaction failed");
            }
            Err(error)
        }
    }
}

/// The version stored on the node with this uid, read under the node's
/// write lock so that it cannot change before the transaction ends; `None`
/// when there is no such node.
///
/// `lock_query` is one of the fixed `LOCK_*` statements of the adapters.
async fn locked_version(txn: &mut Txn, lock_query: &'static str, uid: String) -> Result<Option<i64>, StoreError> {
    let rows =
        txn_fetch_all(txn, neo4rs::query(lock_query).param("uid", uid), "cannot lock the node to change").await?;
    rows.first().map(|row| values::column_integer(row, "version")).transpose()
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

    #[test]
    fn connection_trouble_is_unavailable_and_bugs_are_unexpected() {
        let io = neo4rs::Error::IOError { detail: std::io::Error::from(std::io::ErrorKind::ConnectionRefused) };
        assert!(matches!(driver_error("x")(io), StoreError::Unavailable(_)));
        assert!(matches!(driver_error("x")(neo4rs::Error::ConnectionTimedOut), StoreError::Unavailable(_)));
        assert!(matches!(driver_error("x")(neo4rs::Error::RequestIgnoredError), StoreError::Unavailable(_)));
        assert!(matches!(driver_error("x")(neo4rs::Error::Ignored("BEGIN")), StoreError::Unavailable(_)));
        assert!(matches!(driver_error("x")(neo4rs::Error::ConversionError), StoreError::Unexpected(_)));
    }
}
