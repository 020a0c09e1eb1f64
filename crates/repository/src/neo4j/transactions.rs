//! How every operation reaches Neo4j: reads and writes under the operation
//! timeout, each write one transaction, run again when Neo4j calls its
//! failure transient, and never cancelled half-way.
//!
//! # Atomicity and concurrency
//! Every write runs in one explicit transaction (`start_txn`), committed only
//! when every step succeeded and rolled back otherwise, so a missing project
//! or a version conflict leaves nothing behind. Neo4j reads are *read
//! committed*: a `MATCH … WHERE t.version = $expected SET …` can read the old
//! version, wait for a concurrent writer's lock, and then overwrite its
//! change. Writes therefore take the entity's write lock *before* reading its
//! version — `SET t.version = t.version + 1 RETURN t.version - 1`, a direct
//! dependency, for which Cypher locks before it reads ([`locked_version`]) —
//! which makes the version check and the write one atomic step: of two
//! racing updates from the same version exactly one wins (the contract
//! tests race them). The increment matters: a self-assignment
//! `SET t.version = t.version` changes nothing and, measured against Neo4j
//! 5.26, lets both racers through. Deleting a project locks it first, so a
//! task cannot join it between the check for tasks and the delete.
//!
//! # Guarding against the driver's quirks: its queries
//! Read from the source of `neo4rs` 0.9.0-rc.11, not its docs (the reason
//! the version is pinned exactly: `vendor/neo4rs/PATCHES.md`):
//!
//! * Opening a connection bounds the TCP connect, but not the Bolt
//!   handshake that follows, so a peer that accepts and never answers would
//!   hang a checkout.
//! * `Graph::run`/`execute` retry failures the driver deems retryable — I/O
//!   errors included — with exponential backoff for up to 60 seconds.
//! * The pool cannot discard a connection on error. One broken mid-exchange
//!   (e.g. by a cancelled query) goes back to the pool and is only dropped
//!   when a later checkout's health check (drain + `RESET`, up to 5 s)
//!   fails. After a server restart every pooled connection is dead; the
//!   next checkout tries the idle ones in turn, discarding each, then opens
//!   a new one — so recovery needs no action, but costs that first request
//!   a little (measured: under a second). Which checkouts still send that
//!   `RESET` since the patch is told in `vendor/neo4rs/PATCHES.md`.
//!
//! Hence **every** operation — checkout included — runs under
//! `tokio::time::timeout(operation_timeout)` ([`Neo4jStore::read`],
//! [`Neo4jStore::write`]), and its failures are translated by
//! [`super::errors`]. A write that Neo4j fails as *transient* — typically a
//! deadlock it detected between two writers touching the same nodes, e.g. a
//! task joining a project that is being deleted — is run again, a few
//! times, before it counts as unavailable. Writes run on a spawned task
//! that the caller stops waiting for at the timeout, but that itself
//! finishes within a grace period — rolling back, since the caller was told
//! the write failed. Cancelling the transaction half-way instead would
//! leave it open, holding its locks, on a connection parked in the pool
//! until that connection is next checked out.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use neo4rs::{Query, Row, Txn};

use super::errors::{
    COMMIT_FAILED, driver_error, is_transient, refused_before_commit, unavailable_after, write_unavailable_after,
};
use super::stalls::{Phase, WriteProgress};
use super::{Connections, Neo4jStore, causal, values};
use crate::consistency;
use crate::error::StoreError;

impl Neo4jStore {
    /// Runs `work` after making sure the schema exists, failing as
    /// unavailable if the whole does not finish within the timeout.
    ///
    /// For reads: cancelling one at the timeout leaves nothing to clean up.
    pub(super) async fn read<T>(
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
    pub(super) async fn write<T, B>(&self, what: &'static str, body: B) -> Result<T, StoreError>
    where
        T: Send + 'static,
        B: for<'t> Fn(&'t mut Txn) -> BoxFuture<'t, Result<T, StoreError>> + Send + Sync + 'static,
    {
        let inner = Arc::clone(&self.inner);
        let abandoned = Arc::new(AtomicBool::new(false));
        let _abandon_when_dropped = AbandonOnDrop(Arc::clone(&abandoned));
        let progress = Arc::new(WriteProgress::default());
        let grace = inner.timeout.saturating_mul(3);
        let task = tokio::spawn({
            let progress = Arc::clone(&progress);
            async move {
                let outcome = tokio::time::timeout(grace, async {
                    progress.enter(Phase::Schema);
                    inner.ensure_schema().await?;
                    let mut attempt = 1;
                    loop {
                        progress.attempt(attempt);
                        match in_transaction(&inner.graph, &abandoned, &progress, &body).await {
                            // Neo4j asks for a retry (a deadlock between two
                            // writers, say), or a cluster member turned the
                            // write away before its commit (it no longer
                            // leads): the whole transaction is run again, on
                            // the writer of a fresh routing table for the
                            // latter. A commit whose outcome is unknown (the
                            // connection lost during it) is neither: it is
                            // never sent twice.
                            Err(error)
                                if worth_another_attempt(&inner.graph, &error)
                                    && attempt < WRITE_ATTEMPTS
                                    && !abandoned.load(Ordering::SeqCst) =>
                            {
                                tracing::debug!(error = %anyhow::Error::new(error), attempt, "retrying a Neo4j write");
                                progress.enter(Phase::Retrying);
                                tokio::time::sleep(retry_delay(attempt)).await;
                                attempt += 1;
                            }
                            outcome => break outcome,
                        }
                    }
                })
                .await;
                outcome.unwrap_or_else(|_elapsed| Err(write_unavailable_after(what, grace, &progress.describe())))
            }
        });
        match tokio::time::timeout(self.inner.timeout, task).await {
            // The task cannot see the caller's consistency scope: the
            // commit's bookmark is recorded here, on the caller's.
            Ok(Ok(result)) => result.map(|(value, bookmark)| {
                if let Some(bookmark) = bookmark {
                    consistency::record(bookmark);
                }
                value
            }),
            Ok(Err(join_error)) => Err(StoreError::Unexpected(
                anyhow::Error::new(join_error).context(format!("the Neo4j write to {what} panicked")),
            )),
            Err(_elapsed) => {
                let progress = progress.describe();
                let error = write_unavailable_after(what, self.inner.timeout, &progress);
                self.report_stalled_write(what, progress);
                Err(error)
            }
        }
    }

    /// `work` under the operation timeout.
    pub(super) async fn bounded<T>(
        &self,
        what: &'static str,
        work: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        let timeout = self.inner.timeout;
        tokio::time::timeout(timeout, work).await.unwrap_or_else(|_elapsed| Err(unavailable_after(what, timeout)))
    }

    /// The shared connection pool, for the adapters' queries.
    pub(super) fn graph(&self) -> &Connections {
        &self.inner.graph
    }
}

/// How often a write is tried when Neo4j answers "transient, retry".
/// Writers that deadlocked retry together; with the event log every write
/// ends on one lock (`super::events`), so a few more tries, spread by
/// jitter, let each of them through (the writes' timeout still bounds it).
const WRITE_ATTEMPTS: u64 = 8;

/// The wait before retry `attempt` (1-based): 10 ms doubling per attempt,
/// at most 320 ms, times a random factor in [0.5, 1.5) so that writers that
/// deadlocked each other do not meet again at the same instant.
fn retry_delay(attempt: u64) -> Duration {
    let base = 10_u64 << attempt.min(5);
    let jitter = f64::from(uuid::Uuid::new_v4().as_u128() as u16) / f64::from(u16::MAX);
    Duration::from_millis(base).mul_f64(0.5 + jitter)
}

/// Whether a failed write transaction may be run again: Neo4j called the
/// failure transient, or a cluster member turned the write away before it
/// committed. Either way the routing table is refreshed if the failure
/// says it is out of date.
fn worth_another_attempt(graph: &Connections, error: &StoreError) -> bool {
    let stale = graph.route.saw(error);
    is_transient(error) || stale && refused_before_commit(error)
}

/// Runs a read query outside any transaction and collects every row.
///
/// The driver may retry it on a fresh connection; the caller's timeout
/// bounds that. Counted as holding a connection from the start (the
/// checkout is inside the driver's call) until the stream is dropped.
pub(super) async fn fetch_all(
    graph: &Connections,
    query: Query,
    context: &'static str,
) -> Result<Vec<Row>, StoreError> {
    let _held = graph.usage.checkout();
    match read_rows(graph, query.clone(), context).await {
        // A cluster member turned the read away or is gone: once more, on
        // the member of a fresh routing table.
        Err(error) if graph.route.saw(&error) => read_rows(graph, query, context).await.inspect_err(|error| {
            graph.route.saw(error);
        }),
        outcome => outcome,
    }
}

/// [`fetch_all`]'s one attempt, on the member the route names: auto-commit,
/// unless the request holds a bookmark and the member may lag the writer
/// (see [`super::causal`]).
async fn read_rows(graph: &Connections, query: Query, context: &'static str) -> Result<Vec<Row>, StoreError> {
    let member = graph.route.reader().await?;
    if graph.route.reads_may_lag() {
        let bookmarks = consistency::wait_for();
        if !bookmarks.is_empty() {
            // Boxed: the fast path's future stays as small as it was.
            return Box::pin(causal::read_after(&member, bookmarks, query, context)).await;
        }
    }
    // Boxed: the driver's retrying future is tens of kilobytes.
    let mut stream = Box::pin(member.execute_read(query)).await.map_err(driver_error(context))?;
    let mut rows = Vec::new();
    while let Some(row) = stream.next().await.map_err(driver_error(context))? {
        rows.push(row);
    }
    Ok(rows)
}

/// Runs a query inside `txn` and collects every row.
pub(super) async fn txn_fetch_all(txn: &mut Txn, query: Query, context: &'static str) -> Result<Vec<Row>, StoreError> {
    txn_fetch_all_with(txn, query, driver_error(context)).await
}

/// [`txn_fetch_all`] with a chosen translation of driver errors.
pub(super) async fn txn_fetch_all_with(
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
/// time, say) leaves nothing behind either. Answers the commit's bookmark
/// beside the value, when Neo4j gave one.
async fn in_transaction<T>(
    graph: &Connections,
    abandoned: &AtomicBool,
    progress: &WriteProgress,
    body: &impl for<'t> Fn(&'t mut Txn) -> BoxFuture<'t, Result<T, StoreError>>,
) -> Result<(T, Option<String>), StoreError> {
    if abandoned.load(Ordering::SeqCst) {
        return Err(StoreError::Unavailable(anyhow::anyhow!("the caller gave up before the transaction began")));
    }
    // Declared before the transaction, so dropped after it: the count
    // covers the connection until the transaction lets it go.
    let _held = graph.usage.checkout();
    let member = graph.route.writer().await?;
    let mut txn = member.start_txn().await.map_err(driver_error("cannot begin a Neo4j transaction"))?;
    progress.enter(Phase::Running);
    let outcome = match body(&mut txn).await {
        Ok(_) if abandoned.load(Ordering::SeqCst) => {
            Err(StoreError::Unavailable(anyhow::anyhow!("the caller gave up before the commit")))
        }
        outcome => outcome,
    };
    match outcome {
        Ok(value) => {
            progress.enter(Phase::Committing);
            let bookmark = txn.commit().await.map_err(driver_error(COMMIT_FAILED))?;
            Ok((value, bookmark))
        }
        Err(error) => {
            // After a failed statement the server has already rolled back and
            // ignores this; the pool resets the connection before reuse.
            progress.enter(Phase::RollingBack);
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
pub(super) async fn locked_version(
    txn: &mut Txn,
    lock_query: &'static str,
    uid: String,
) -> Result<Option<i64>, StoreError> {
    let rows =
        txn_fetch_all(txn, neo4rs::query(lock_query).param("uid", uid), "cannot lock the node to change").await?;
    rows.first().map(|row| values::column_integer(row, "version")).transpose()
}
