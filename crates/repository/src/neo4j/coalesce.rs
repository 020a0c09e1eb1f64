//! Concurrent lookups by key, coalesced into shared queries.
//!
//! A Neo4j lookup by id costs far more around the lookup than in it: a pool
//! checkout, a `RUN` and a `PULL`, and Neo4j's own work per query —
//! measured at ~0.6 ms of Neo4j CPU per single-task query on the benchmark
//! machine, most of it not the index seek. A
//! [`Coalescer`] bounds how many lookup queries run at once and makes the
//! lookups that arrive meanwhile share the next one (`UNWIND $uids …`), so
//! under load Neo4j pays the per-query cost once per batch.
//!
//! There is no timer and no window. A lookup that finds fewer than
//! `max_in_flight` queries running starts one at once, so an idle store
//! answers exactly as fast as without coalescing. Only while that many
//! queries are already out do lookups wait, and each query that finishes
//! takes everything that waited (up to `max_batch`) in its next one. The
//! busier the store, the bigger the batches.
//!
//! Each batch runs on a task of its own, not on any caller's future: a
//! caller that gives up (a timeout, a dropped request) cannot cancel the
//! query the others wait for.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use futures::future::BoxFuture;
use tokio::sync::oneshot;

use crate::error::StoreError;

/// Fetches the values of a batch of distinct keys; a key with no value is
/// simply missing from the map.
pub(crate) type FetchBatch<K, V> =
    Arc<dyn Fn(Vec<K>) -> BoxFuture<'static, Result<HashMap<K, V>, StoreError>> + Send + Sync>;

/// Coalesces concurrent lookups into batches (see the module docs).
pub(crate) struct Coalescer<K, V> {
    shared: Arc<Shared<K, V>>,
}

/// What the lookups and the running batches share.
struct Shared<K, V> {
    state: Mutex<State<K, V>>,
    fetch: FetchBatch<K, V>,
    max_in_flight: usize,
    max_batch: usize,
}

/// The lookups waiting for a batch, and how many batch tasks run.
struct State<K, V> {
    waiting: VecDeque<Waiter<K, V>>,
    running: usize,
}

/// One lookup waiting for its answer.
struct Waiter<K, V> {
    key: K,
    answer: oneshot::Sender<Result<Option<V>, StoreError>>,
}

impl<K, V> Coalescer<K, V>
where
    K: Clone + Eq + Hash + Send + 'static,
    V: Clone + Send + 'static,
{
    /// A coalescer running at most `max_in_flight` batches at once, each of
    /// at most `max_batch` keys (both at least 1), through `fetch`.
    pub(crate) fn new(max_in_flight: usize, max_batch: usize, fetch: FetchBatch<K, V>) -> Self {
        let state = State { waiting: VecDeque::new(), running: 0 };
        let shared = Shared {
            state: Mutex::new(state),
            fetch,
            max_in_flight: max_in_flight.max(1),
            max_batch: max_batch.max(1),
        };
        Self { shared: Arc::new(shared) }
    }

    /// The value of `key`, from the next batch that runs.
    ///
    /// # Errors
    /// The batch's error, when its query failed, or
    /// [`StoreError::Unavailable`] when the batch was dropped before it
    /// answered (the runtime it ran on shut down). The caller bounds the
    /// wait with its own timeout.
    pub(crate) async fn get(&self, key: K) -> Result<Option<V>, StoreError> {
        let (answer, answered) = oneshot::channel();
        let start_a_batch = {
            let mut state = self.shared.lock();
            state.waiting.push_back(Waiter { key, answer });
            let idle_slot = state.running < self.shared.max_in_flight;
            if idle_slot {
                state.running += 1;
            }
            idle_slot
        };
        if start_a_batch {
            tokio::spawn(run_batches(Arc::clone(&self.shared)));
        }
        answered.await.unwrap_or_else(|_dropped| {
            Err(StoreError::Unavailable(anyhow::anyhow!("the batched lookup was dropped before it answered")))
        })
    }
}

impl<K, V> Shared<K, V> {
    /// The state; a panic while it was held cannot have left it torn (every
    /// change under the lock is a single push, pop or count), so a poisoned
    /// lock is used as is.
    fn lock(&self) -> MutexGuard<'_, State<K, V>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Up to a batch of the lookups still waited for, or `None` — and one
    /// running batch fewer — when none wait.
    fn next_batch(&self) -> Option<Vec<Waiter<K, V>>> {
        let mut state = self.lock();
        let mut batch = Vec::new();
        while batch.len() < self.max_batch {
            let Some(waiter) = state.waiting.pop_front() else { break };
            // A caller that gave up needs no answer.
            if !waiter.answer.is_closed() {
                batch.push(waiter);
            }
        }
        if batch.is_empty() && state.waiting.is_empty() {
            state.running -= 1;
            return None;
        }
        Some(batch)
    }
}

/// Gives the batch slot back if a batch task ends without doing so itself:
/// it panicked, or its runtime dropped it mid-query. The lookups it carried
/// then fail (their senders are dropped); those still waiting are taken by
/// the next batch any lookup starts.
struct SlotGuard<'a, K, V> {
    shared: &'a Shared<K, V>,
    released: bool,
}

impl<K, V> Drop for SlotGuard<'_, K, V> {
    fn drop(&mut self) {
        if !self.released {
            self.shared.lock().running -= 1;
        }
    }
}

/// One batch task: runs batches until no lookup waits.
async fn run_batches<K, V>(shared: Arc<Shared<K, V>>)
where
    K: Clone + Eq + Hash,
    V: Clone,
{
    let mut slot = SlotGuard { shared: &shared, released: false };
    loop {
        let Some(batch) = shared.next_batch() else {
            slot.released = true;
            return;
        };
        if batch.is_empty() {
            continue;
        }
        match (shared.fetch)(distinct_keys(&batch)).await {
            Ok(found) => {
                for waiter in batch {
                    let value = found.get(&waiter.key).cloned();
                    // The caller may have stopped waiting meanwhile.
                    let _ = waiter.answer.send(Ok(value));
                }
            }
            Err(error) => {
                let error = SharedFailure::from(error);
                for waiter in batch {
                    let _ = waiter.answer.send(Err(error.for_one_caller()));
                }
            }
        }
    }
}

/// The keys of `batch`, each once, in the order first asked for.
fn distinct_keys<K: Clone + Eq + Hash, V>(batch: &[Waiter<K, V>]) -> Vec<K> {
    let mut seen = HashSet::with_capacity(batch.len());
    batch.iter().filter(|waiter| seen.insert(&waiter.key)).map(|waiter| waiter.key.clone()).collect()
}

/// A batch's failure, told to each of its callers: the same kind of error
/// for each (unavailable stays unavailable, so each answers 503), with the
/// same cause chain for the log.
#[derive(Clone)]
pub(crate) struct SharedFailure {
    unavailable: bool,
    cause: Arc<anyhow::Error>,
}

impl From<StoreError> for SharedFailure {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(cause) => Self { unavailable: true, cause: Arc::new(cause) },
            StoreError::Unexpected(cause) => Self { unavailable: false, cause: Arc::new(cause) },
            // A lookup has no answer-like errors; should one appear, it is
            // a bug to log, not an answer to give every caller.
            other => Self { unavailable: false, cause: Arc::new(anyhow::Error::new(other)) },
        }
    }
}

impl SharedFailure {
    /// The failure as one caller's own error.
    pub(crate) fn for_one_caller(&self) -> StoreError {
        let cause = anyhow::Error::new(SharedCause(Arc::clone(&self.cause)));
        if self.unavailable { StoreError::Unavailable(cause) } else { StoreError::Unexpected(cause) }
    }
}

/// One cause shared by every caller of a batch: it reads (and chains) as
/// the original.
#[derive(Debug)]
struct SharedCause(Arc<anyhow::Error>);

impl std::fmt::Display for SharedCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&*self.0, f)
    }
}

impl std::error::Error for SharedCause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        (**self.0).source()
    }
}

#[cfg(test)]
mod tests;
