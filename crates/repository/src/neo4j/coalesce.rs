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
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use tokio::sync::Semaphore;

    use super::*;

    /// Records every batch it is asked for; each key's value is its double,
    /// odd keys have none. Batches wait for a permit of `gate` when one is
    /// given, so a test can hold them in flight.
    #[derive(Clone, Default)]
    struct Recorder {
        batches: Arc<Mutex<Vec<Vec<u32>>>>,
        gate: Option<Arc<Semaphore>>,
        fail: bool,
        running: Arc<AtomicUsize>,
        peak: Arc<AtomicUsize>,
    }

    impl Recorder {
        fn fetch(&self) -> FetchBatch<u32, u32> {
            let recorder = self.clone();
            Arc::new(move |keys: Vec<u32>| {
                let recorder = recorder.clone();
                Box::pin(async move {
                    recorder.batches.lock().unwrap().push(keys.clone());
                    let running = recorder.running.fetch_add(1, Ordering::SeqCst) + 1;
                    recorder.peak.fetch_max(running, Ordering::SeqCst);
                    if let Some(gate) = &recorder.gate {
                        gate.acquire().await.unwrap().forget();
                    }
                    recorder.running.fetch_sub(1, Ordering::SeqCst);
                    if recorder.fail {
                        return Err(StoreError::Unavailable(anyhow::anyhow!("Neo4j is down")));
                    }
                    Ok(keys.into_iter().filter(|key| key % 2 == 0).map(|key| (key, key * 2)).collect())
                })
            })
        }

        fn batches(&self) -> Vec<Vec<u32>> {
            self.batches.lock().unwrap().clone()
        }
    }

    fn spawn_lookup(
        coalescer: &Arc<Coalescer<u32, u32>>,
        key: u32,
    ) -> tokio::task::JoinHandle<Result<Option<u32>, StoreError>> {
        let coalescer = Arc::clone(coalescer);
        tokio::spawn(async move { coalescer.get(key).await })
    }

    async fn answers(lookups: Vec<tokio::task::JoinHandle<Result<Option<u32>, StoreError>>>) -> Vec<Option<u32>> {
        futures::future::join_all(lookups).await.into_iter().map(|lookup| lookup.unwrap().unwrap()).collect()
    }

    /// Lets the spawned batch tasks run until they block.
    async fn settle() {
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test]
    async fn a_lookup_on_an_idle_coalescer_is_sent_at_once_and_alone() {
        let recorder = Recorder::default();
        let coalescer = Coalescer::new(2, 64, recorder.fetch());

        assert_eq!(coalescer.get(4).await.unwrap(), Some(8));
        assert_eq!(coalescer.get(3).await.unwrap(), None);

        assert_eq!(recorder.batches(), vec![vec![4], vec![3]]);
    }

    #[tokio::test]
    async fn lookups_arriving_while_every_slot_is_busy_share_the_next_query() {
        let gate = Arc::new(Semaphore::new(0));
        let recorder = Recorder { gate: Some(Arc::clone(&gate)), ..Recorder::default() };
        let coalescer = Arc::new(Coalescer::new(1, 64, recorder.fetch()));

        let mut lookups = vec![spawn_lookup(&coalescer, 0)];
        settle().await;
        lookups.extend((1..5u32).map(|key| spawn_lookup(&coalescer, key)));
        settle().await;
        // The first lookup is in flight; the other four wait for it.
        assert_eq!(recorder.batches(), vec![vec![0]]);
        gate.add_permits(2);
        let answers = answers(lookups).await;

        assert_eq!(answers, vec![Some(0), None, Some(4), None, Some(8)]);
        assert_eq!(recorder.batches(), vec![vec![0], vec![1, 2, 3, 4]]);
    }

    #[tokio::test]
    async fn a_batch_never_exceeds_its_size_and_asks_for_a_repeated_key_once() {
        let recorder = Recorder::default();
        let coalescer = Arc::new(Coalescer::new(1, 3, recorder.fetch()));

        let lookups = [10u32, 2, 2, 6, 8, 2].into_iter().map(|key| spawn_lookup(&coalescer, key)).collect();
        let answers = answers(lookups).await;

        assert_eq!(answers, vec![Some(20), Some(4), Some(4), Some(12), Some(16), Some(4)]);
        assert_eq!(recorder.batches(), vec![vec![10, 2], vec![6, 8, 2]]);
    }

    #[tokio::test]
    async fn no_more_batches_run_at_once_than_allowed() {
        let gate = Arc::new(Semaphore::new(0));
        let recorder = Recorder { gate: Some(Arc::clone(&gate)), ..Recorder::default() };
        let coalescer = Arc::new(Coalescer::new(3, 2, recorder.fetch()));

        let lookups = (0..20u32).map(|key| spawn_lookup(&coalescer, key)).collect();
        settle().await;
        assert_eq!(recorder.batches(), vec![vec![0, 1], vec![2, 3], vec![4, 5]]);
        gate.add_permits(100);
        assert_eq!(answers(lookups).await.len(), 20);

        let looked_up: usize = recorder.batches().iter().map(Vec::len).sum();
        assert_eq!(looked_up, 20);
        assert_eq!(recorder.peak.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_failed_query_fails_every_lookup_it_carried_with_the_same_kind() {
        let gate = Arc::new(Semaphore::new(0));
        let recorder = Recorder { gate: Some(Arc::clone(&gate)), fail: true, ..Recorder::default() };
        let coalescer = Arc::new(Coalescer::new(1, 64, recorder.fetch()));

        let lookups: Vec<_> = (0..3u32).map(|key| spawn_lookup(&coalescer, key)).collect();
        settle().await;
        gate.add_permits(10);

        for lookup in lookups {
            let error = lookup.await.unwrap().unwrap_err();
            assert!(matches!(error, StoreError::Unavailable(_)), "{error:?}");
            assert!(format!("{:#}", anyhow::Error::new(error)).contains("Neo4j is down"));
        }
    }

    #[tokio::test]
    async fn a_caller_that_gives_up_leaves_the_others_their_answers() {
        let gate = Arc::new(Semaphore::new(0));
        let recorder = Recorder { gate: Some(Arc::clone(&gate)), ..Recorder::default() };
        let coalescer = Arc::new(Coalescer::new(1, 64, recorder.fetch()));

        let first = spawn_lookup(&coalescer, 2);
        settle().await;
        let impatient = tokio::time::timeout(Duration::from_millis(10), coalescer.get(4)).await;
        assert!(impatient.is_err(), "the lookup should still be waiting");
        let patient = spawn_lookup(&coalescer, 6);
        settle().await;
        gate.add_permits(10);

        assert_eq!(first.await.unwrap().unwrap(), Some(4));
        assert_eq!(patient.await.unwrap().unwrap(), Some(12));
        // The abandoned key was not even asked for.
        assert_eq!(recorder.batches(), vec![vec![2], vec![6]]);
    }

    #[tokio::test]
    async fn a_batch_that_panics_gives_its_slot_back() {
        let calls = Arc::new(AtomicUsize::new(0));
        let fetch: FetchBatch<u32, u32> = {
            let calls = Arc::clone(&calls);
            Arc::new(move |keys: Vec<u32>| {
                let first = calls.fetch_add(1, Ordering::SeqCst) == 0;
                Box::pin(async move {
                    assert!(!first, "the first batch fails hard");
                    Ok(keys.into_iter().map(|key| (key, key)).collect())
                })
            })
        };
        let coalescer = Coalescer::new(1, 64, fetch);

        let error = coalescer.get(1).await.unwrap_err();
        assert!(matches!(error, StoreError::Unavailable(_)), "{error:?}");
        let next = tokio::time::timeout(Duration::from_secs(5), coalescer.get(2)).await;
        assert_eq!(next.expect("the slot was never given back").unwrap(), Some(2));
    }
}
