//! What held a Neo4j write up, told when one runs out of time.
//!
//! # Why
//! A write that does not finish within the operation timeout answers 503,
//! and the reason is on Neo4j's side: a lock another transaction holds
//! (another instance's write, the search indexer's batch, a transaction an
//! operator left open), a commit waiting for the disk, or no connection to
//! be had. The 503 does not say which, and once the write has given up the
//! evidence is gone. So when a write runs out of time the store asks Neo4j,
//! there and then, which of its transactions have been running for a while,
//! and logs them beside the pool's usage: a blocked transaction names its
//! blocker (`Blocked by: [...]`), one with an empty query and locks held is
//! waiting for its client between statements, and no long transaction at
//! all with the pool full means the write never got a connection.
//!
//! At most one report per [`REPORT_EVERY`]: during an outage every write
//! times out, and one report says what all of them would. Every timed-out
//! write also says, in its own error, where it was ([`WriteProgress`]):
//! waiting for a connection, running its statements, committing.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::errors::driver_error;
use super::values::{column_integer, column_string};
use super::{Neo4jStore, queries};
use crate::error::StoreError;
use crate::pool_status::PoolStatus as _;

/// The least time between two reports.
const REPORT_EVERY: Duration = Duration::from_secs(10);

/// The most transactions one report lists.
const REPORTED_TRANSACTIONS: i64 = 10;

/// The longest a report's query text is logged: enough to tell the
/// statement, not a whole batch's parameters-free text of kilobytes.
const QUERY_CHARS: usize = 300;

/// One of Neo4j's transactions, as `SHOW TRANSACTIONS` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningTransaction {
    /// Neo4j's id, e.g. `neo4j-transaction-42`: what another transaction's
    /// `Blocked by: [...]` names.
    pub id: String,
    /// `Running`, `Blocked by: [<ids>]` while it waits for their locks,
    /// `Closing`, or `Terminated with reason: …`.
    pub status: String,
    /// How long it has been open.
    pub elapsed: Duration,
    /// How much of that it spent waiting for locks.
    pub waiting: Duration,
    /// How many locks it holds.
    pub locks: u64,
    /// The statement it runs; empty while it waits for its client.
    pub query: String,
}

impl Neo4jStore {
    /// Neo4j's transactions open for at least `at_least`, longest first (at
    /// most ten), on the member that takes this store's writes: what a
    /// stalled write is up against.
    ///
    /// # Errors
    /// Unavailable when Neo4j cannot be asked within the operation timeout.
    pub async fn transactions_running_for(&self, at_least: Duration) -> Result<Vec<RunningTransaction>, StoreError> {
        let graph = self.graph();
        let min_ms = i64::try_from(at_least.as_millis()).unwrap_or(i64::MAX);
        self.bounded("list its running transactions", async move {
            let _held = graph.usage.checkout();
            let member = graph.route.writer().await?;
            let query = neo4rs::query(queries::LONG_RUNNING_TRANSACTIONS)
                .param("min_ms", min_ms)
                .param("limit", REPORTED_TRANSACTIONS);
            let context = "cannot list Neo4j's transactions";
            // Boxed: the driver's retrying future is tens of kilobytes.
            let mut stream = Box::pin(member.execute(query)).await.map_err(driver_error(context))?;
            let mut transactions = Vec::new();
            while let Some(row) = stream.next().await.map_err(driver_error(context))? {
                transactions.push(RunningTransaction {
                    id: column_string(&row, "id")?,
                    status: column_string(&row, "status")?,
                    elapsed: millis(column_integer(&row, "elapsed_ms")?),
                    waiting: millis(column_integer(&row, "wait_ms")?),
                    locks: u64::try_from(column_integer(&row, "locks")?).unwrap_or_default(),
                    query: column_string(&row, "query")?,
                });
            }
            Ok(transactions)
        })
        .await
    }

    /// Logs, in the background, what Neo4j was busy with when the write to
    /// `what` ran out of time at `progress` ([`WriteProgress::describe`]),
    /// unless a report was made less than [`REPORT_EVERY`] ago.
    pub(super) fn report_stalled_write(&self, what: &'static str, progress: String) {
        if !self.inner.stall_reports.due(Instant::now()) {
            return;
        }
        let store = self.clone();
        // Outside the request's span: the report outlives the request, whose
        // own line already says which write gave up.
        tokio::spawn(async move { store.log_stall(what, &progress).await });
    }

    async fn log_stall(&self, what: &'static str, progress: &str) {
        let usage = self.pool_usage();
        let (in_use, pool_size) = (usage.in_use, usage.size);
        let threshold = (self.inner.timeout / 2).min(Duration::from_secs(1));
        match self.transactions_running_for(threshold).await {
            Ok(transactions) if transactions.is_empty() => tracing::warn!(
                operation = what,
                progress,
                connections_in_use = in_use,
                pool_size,
                "a Neo4j write ran out of time, and no Neo4j transaction has been open for {threshold:?}: \
                 it waited for a connection or for Neo4j itself"
            ),
            Ok(transactions) => {
                tracing::warn!(
                    operation = what,
                    progress,
                    connections_in_use = in_use,
                    pool_size,
                    "a Neo4j write ran out of time; the Neo4j transactions open for {threshold:?} or more follow"
                );
                for transaction in transactions {
                    let query = shortened(&transaction.query);
                    tracing::warn!(
                        operation = what,
                        transaction = %transaction.id,
                        status = transaction.status.as_str(),
                        elapsed_ms = transaction.elapsed.as_millis(),
                        lock_wait_ms = transaction.waiting.as_millis(),
                        locks = transaction.locks,
                        query = query.as_str(),
                        "a Neo4j transaction open when a write ran out of time"
                    );
                }
            }
            Err(error) => tracing::warn!(
                operation = what,
                progress,
                connections_in_use = in_use,
                pool_size,
                error = format!("{:#}", anyhow::Error::new(error)),
                "a Neo4j write ran out of time, and Neo4j's transactions could not be listed"
            ),
        }
    }
}

/// Where a write is, for the error of one that runs out of time: the
/// phase of its current attempt, and which attempt that is.
#[derive(Debug, Default)]
pub(super) struct WriteProgress {
    phase: AtomicU8,
    attempt: AtomicU64,
}

/// A phase of a write ([`WriteProgress`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Phase {
    /// Making sure the constraints and indexes exist.
    Schema = 0,
    /// Checking a connection out of the pool (its health check included)
    /// and beginning the transaction.
    Beginning,
    /// Running the transaction's statements.
    Running,
    /// Waiting for Neo4j to answer the commit.
    Committing,
    /// Rolling back after an answer or a failure.
    RollingBack,
    /// Waiting before running the transaction again (Neo4j called its
    /// failure transient).
    Retrying,
}

impl Phase {
    const ALL: [Self; 6] =
        [Self::Schema, Self::Beginning, Self::Running, Self::Committing, Self::RollingBack, Self::Retrying];

    fn describe(self) -> &'static str {
        match self {
            Self::Schema => "setting the schema up",
            Self::Beginning => "waiting for a connection and its BEGIN",
            Self::Running => "running its statements",
            Self::Committing => "waiting for its COMMIT",
            Self::RollingBack => "rolling back",
            Self::Retrying => "waiting to run again after a transient failure",
        }
    }
}

impl WriteProgress {
    /// The write's current attempt has reached `phase`.
    pub(super) fn enter(&self, phase: Phase) {
        self.phase.store(phase as u8, Ordering::Relaxed);
    }

    /// The write begins its `attempt`-th transaction (1-based).
    pub(super) fn attempt(&self, attempt: u64) {
        self.attempt.store(attempt, Ordering::Relaxed);
        self.enter(Phase::Beginning);
    }

    /// Where the write is, for an error message: "attempt 2, running its
    /// statements".
    pub(super) fn describe(&self) -> String {
        let phase = self.phase.load(Ordering::Relaxed);
        let phase = Phase::ALL.into_iter().find(|known| *known as u8 == phase).unwrap_or(Phase::Schema);
        match self.attempt.load(Ordering::Relaxed) {
            0 => phase.describe().to_owned(),
            attempt => format!("attempt {attempt}, {}", phase.describe()),
        }
    }
}

/// When the last report was made: reports are spaced [`REPORT_EVERY`]
/// apart.
#[derive(Debug, Default)]
pub(super) struct StallReports {
    last: Mutex<Option<Instant>>,
}

impl StallReports {
    /// Whether a report may be made at `now`; if so, it counts as made.
    fn due(&self, now: Instant) -> bool {
        let mut last = self.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match *last {
            Some(previous) if now.saturating_duration_since(previous) < REPORT_EVERY => false,
            _ => {
                *last = Some(now);
                true
            }
        }
    }
}

fn millis(value: i64) -> Duration {
    Duration::from_millis(u64::try_from(value).unwrap_or_default())
}

/// `query` cut to [`QUERY_CHARS`] characters, on one line.
fn shortened(query: &str) -> String {
    let line = query.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(QUERY_CHARS) {
        Some((end, _)) => format!("{}…", &line[..end]),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stall_is_reported_at_most_once_in_the_spacing() {
        let reports = StallReports::default();
        let start = Instant::now();
        assert!(reports.due(start));
        assert!(!reports.due(start + Duration::from_secs(1)));
        assert!(!reports.due(start + REPORT_EVERY - Duration::from_millis(1)));
        assert!(reports.due(start + REPORT_EVERY));
        assert!(!reports.due(start + REPORT_EVERY + Duration::from_secs(1)));
    }

    #[test]
    fn a_write_tells_its_attempt_and_phase() {
        let progress = WriteProgress::default();
        assert_eq!(progress.describe(), "setting the schema up");
        progress.attempt(1);
        assert_eq!(progress.describe(), "attempt 1, waiting for a connection and its BEGIN");
        progress.enter(Phase::Running);
        assert_eq!(progress.describe(), "attempt 1, running its statements");
        progress.enter(Phase::Retrying);
        progress.attempt(2);
        progress.enter(Phase::Committing);
        assert_eq!(progress.describe(), "attempt 2, waiting for its COMMIT");
        for phase in Phase::ALL {
            progress.enter(phase);
            assert!(progress.describe().ends_with(phase.describe()));
        }
    }

    #[test]
    fn a_long_query_is_logged_on_one_line_and_cut() {
        assert_eq!(shortened("MATCH (t:Task)\n  RETURN t"), "MATCH (t:Task) RETURN t");
        let long = "x".repeat(QUERY_CHARS + 5);
        let cut = shortened(&long);
        assert_eq!(cut.chars().count(), QUERY_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(shortened(""), "");
    }
}
