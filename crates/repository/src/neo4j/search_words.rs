//! The full-text index, kept off the write path.
//!
//! # Why
//! Neo4j applies a transaction's changes to a full-text index inside its
//! commit and reopens the index's Lucene reader for the next read: a new
//! Lucene segment per write transaction, and merges of those segments. On
//! the benchmark machine that was most of Neo4j's CPU per create — creates
//! ran at a third of their rate without the index (`docs/benchmarks.md`,
//! "The full-text index off the write path"). Making the index eventually
//! consistent (its own option) recovered a fraction, and searches would no
//! longer find what was just written.
//!
//! # How
//! A write does not touch the indexed property. It stores the task's
//! folded words in `pending_search_text` and labels the task
//! `SearchPending` (an update whose words the index already holds does
//! neither). [`SearchIndexer`], shortly after writes and every
//! [`SWEEP_EVERY`], copies the pending words into `search_text` — the
//! property the index reads — in batches, one transaction each: one Lucene
//! refresh per batch instead of one per write transaction. It ends a task's
//! wait (removes the label) only [`SETTLE`] later, in a later transaction.
//!
//! A search reads both (`queries::SEARCHED_TASKS`): the waiting tasks by
//! their pending words, scanning a label that holds only the last moments'
//! writes, and the others through the index. So a search finds a task the
//! moment its write is acknowledged, as before, and a waiting task's stale
//! indexed words never match. Why the wait ends later: Neo4j reads a
//! statement's nodes as they are when it reaches them, and the index as it
//! was when it asked it. Were the label removed in the transaction that
//! gives the index the words, a search could ask the index just before
//! that commit and reach the task just after it, finding it on neither
//! side. With the label removed [`SETTLE`] after, a search would have to
//! run that long to miss it.
//!
//! A bulk create is the exception: it writes its tasks' words straight
//! into `search_text` (with `search_time`), unlabelled. Its transaction of
//! up to 1,000 tasks is one refresh of the index, as a batch of the
//! indexer is, and its tasks are new: they have no older words a search
//! could find them by, and a search, reading the index as of one moment,
//! finds all of them or — running while they commit — none.
//!
//! A server stopped with tasks waiting leaves them labelled: any instance's
//! sweep indexes them, and searches find them meanwhile.

use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::sync::Notify;

use super::errors::driver_error_or_concurrent_delete;
use super::transactions::{fetch_all, txn_fetch_all_with};
use super::values::{column_bool, column_integer};
use super::{Inner, Neo4jStore, queries};
use crate::error::StoreError;

/// How long the indexer lets writes gather after the first one wakes it:
/// the longer, the fewer (and larger) index transactions, and the more
/// waiting tasks each search scans meanwhile.
const GATHER: Duration = Duration::from_millis(100);

/// How long after the index got a task's words the task stops waiting (see
/// the module's documentation).
const SETTLE: Duration = Duration::from_secs(1);

/// How often the indexer looks for waiting tasks without being woken: for
/// those another instance left when it stopped.
pub(super) const SWEEP_EVERY: Duration = Duration::from_secs(30);

/// The most tasks one index transaction handles.
const BATCH: i64 = 1000;

/// The store's background indexer: woken after writes that leave tasks
/// pending, it indexes them until none is left.
pub(super) struct SearchIndexer {
    wake: Arc<Notify>,
}

impl SearchIndexer {
    /// Starts the indexer of `store` on the current runtime. It holds the
    /// store weakly and ends once the store is dropped.
    pub(super) fn start(store: Weak<Inner>) -> Self {
        let wake = Arc::new(Notify::new());
        tokio::spawn(run(store, Arc::clone(&wake)));
        Self { wake }
    }

    /// Tells the indexer that a write left tasks pending. A wake while it
    /// is indexing is kept, so it looks again when it is done.
    pub(super) fn wake(&self) {
        self.wake.notify_one();
    }
}

/// The indexer's loop: wait to be woken (or for the sweep), let writes
/// gather, index; while tasks wait, come back every [`SETTLE`] to end
/// their wait.
async fn run(store: Weak<Inner>, wake: Arc<Notify>) {
    let mut waiting = false;
    loop {
        let pause = if waiting { SETTLE } else { SWEEP_EVERY };
        if tokio::time::timeout(pause, wake.notified()).await.is_ok() {
            tokio::time::sleep(GATHER).await;
        }
        let Some(inner) = store.upgrade() else { return };
        let store = Neo4jStore { inner };
        waiting = match store.index_search_words(SETTLE).await {
            Ok(progress) => progress.still_waiting,
            // Neo4j away: the next wake or sweep tries again, and searches
            // find the waiting tasks meanwhile.
            Err(StoreError::Unavailable(error)) => {
                tracing::debug!(error = format!("{error:#}"), "cannot index the waiting task words yet");
                false
            }
            Err(error) => {
                tracing::warn!(
                    error = format!("{:#}", anyhow::Error::new(error)),
                    "cannot index the waiting task words"
                );
                false
            }
        };
    }
}

/// What one pass of the indexer did.
#[derive(Debug, Clone, Copy, Default)]
struct Progress {
    /// Tasks whose words it gave the index.
    indexed: i64,
    /// Whether it left a task waiting that it had given the index words
    /// too recently to end its wait.
    still_waiting: bool,
}

impl Neo4jStore {
    /// Gives the full-text index the words of every task waiting for it and
    /// ends the wait of those it got them at least `settle` ago; returns
    /// what it did. The batches done stay done if a later one fails.
    async fn index_search_words(&self, settle: Duration) -> Result<Progress, StoreError> {
        let settle_ms = i64::try_from(settle.as_millis()).unwrap_or(i64::MAX);
        while self.search_words_step(queries::SETTLE_INDEXED_WORDS, Some(("settle_ms", settle_ms)), "settled").await?
            == BATCH
        {}
        let mut progress = Progress::default();
        loop {
            let indexed = self.search_words_step(queries::INDEX_PENDING_WORDS, None, "indexed").await?;
            progress.indexed += indexed;
            if indexed < BATCH {
                break;
            }
        }
        progress.still_waiting = progress.indexed > 0 || settle_ms > 0 && self.any_search_words_waiting().await?;
        Ok(progress)
    }

    /// One batch of `statement`, with `$batch` and `param`; the count it
    /// returns as `column`.
    async fn search_words_step(
        &self,
        statement: &'static str,
        param: Option<(&'static str, i64)>,
        column: &'static str,
    ) -> Result<i64, StoreError> {
        self.write("index the words of new and changed tasks", move |txn| {
            Box::pin(async move {
                let query = neo4rs::query(statement).param("batch", BATCH);
                let query = match param {
                    Some((name, value)) => query.param(name, value),
                    None => query,
                };
                // A task deleted between the batch's match and its lock
                // fails the batch; the write runs it again without it.
                let translate = driver_error_or_concurrent_delete("cannot index the waiting task words");
                let rows = txn_fetch_all_with(txn, query, translate).await?;
                rows.first().map_or(Ok(0), |row| column_integer(row, column))
            })
        })
        .await
    }

    /// Whether any task waits for the index.
    async fn any_search_words_waiting(&self) -> Result<bool, StoreError> {
        let graph = self.graph();
        self.read("look for waiting task words", async move {
            let rows = fetch_all(
                graph,
                neo4rs::query(queries::ANY_SEARCH_WORDS_WAITING),
                "cannot look for waiting task words",
            )
            .await?;
            Ok(rows.first().map(|row| column_bool(row, "waiting")).transpose()?.unwrap_or(false))
        })
        .await
    }

    /// Gives the full-text index the words of every task waiting for it and
    /// ends every wait, now, and returns how many tasks' words it indexed.
    /// The background indexer does the same shortly after writes (ending a
    /// wait a second after the index got the words); searches give the same
    /// answers before and after. For tools and tests that want the index
    /// complete at a given moment.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when Neo4j cannot be reached in time;
    /// the batches already done stay done.
    pub async fn index_pending_search_words(&self) -> Result<u64, StoreError> {
        let progress = self.index_search_words(Duration::ZERO).await?;
        // What was indexed just now stops waiting too.
        self.index_search_words(Duration::ZERO).await?;
        Ok(u64::try_from(progress.indexed).unwrap_or_default())
    }

    /// Wakes the background indexer after a write that may have left tasks
    /// waiting.
    pub(super) fn words_pending(&self) {
        self.inner.search_indexer.wake();
    }
}
