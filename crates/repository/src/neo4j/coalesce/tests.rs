//! Tests of [`super`].

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
