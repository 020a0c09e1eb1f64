//! The log relay: what reaches live subscribers is read back from the
//! durable event log, never handed over by the write itself.
//!
//! One task per process tails the log — [`EventLog::events_after`] the last
//! position it published — and hands each event to the [`EventBus`], in
//! the log's order. It reads when a write of this process committed (the
//! use cases tell it through [`EventPublisher::committed`]), when another
//! instance says it wrote (the NATS relay's [`LogRelay::nudge`]), and at
//! least every poll interval, which is how the events of every other
//! instance sharing the store arrive even with NATS down. Because the log
//! is gap-free in position order, tailing it from the last position seen
//! delivers every committed event once, in order, whoever wrote it.
//!
//! While no one is subscribed, a wake-up only reads where the log ends
//! (one cheap read), not the events, and at most once per
//! [`IDLE_END_READ_INTERVAL`]: under a write load with no live listener,
//! the relay costs the store a few reads a second, not one per commit (on
//! Neo4j a read transaction costs the server about as much CPU as a
//! create's event; measured in `docs/benchmarks.md`). The price is that a
//! subscriber arriving then may first receive events committed up to that
//! interval before it subscribed; the SSE stream, which promises what is
//! committed after it opens, reads where the log ends itself and skips them.
//!
//! A failed read (the store is down) is logged and retried at the next
//! wake-up from the same position: nothing is skipped.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use trm_domain::{DomainEvent, EventPosition};
use trm_repository::{EventFilter, EventLog};

use crate::events::{EventBus, EventPublisher};

/// How many events one read of the log takes.
const PAGE: u32 = 500;

/// The default longest wait between two reads of the log.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_millis(500);

/// The shortest time between two reads of where the log ends while nobody
/// is subscribed: commits arriving faster share one read. Short enough
/// that webhook delivery, which waits on [`LogRelay::log_end`], hardly
/// notices it (the dispatcher looks at most every 50 ms anyway).
pub const IDLE_END_READ_INTERVAL: Duration = Duration::from_millis(50);

/// Tails the event log into the bus; stops when dropped.
#[derive(Debug)]
pub struct LogRelay {
    wake: Arc<Notify>,
    end: watch::Receiver<EventPosition>,
    task: JoinHandle<()>,
}

impl LogRelay {
    /// Starts tailing `log` into `bus` from the newest event now stored, so
    /// subscribers receive what is committed from here on. Must be called
    /// within a Tokio runtime.
    #[must_use]
    pub fn start(log: Arc<dyn EventLog>, bus: Arc<EventBus>, poll_interval: Duration) -> Self {
        let wake = Arc::new(Notify::new());
        let (end_sender, end) = watch::channel(EventPosition::START);
        let task = tokio::spawn(tail(log, bus, Arc::clone(&wake), end_sender, poll_interval));
        Self { wake, end, task }
    }

    /// Where the log ends, as far as the relay has seen: it moves on when
    /// any instance's events are committed (and read or noticed here), so
    /// background work on the log — webhook delivery — waits on it instead
    /// of subscribing to every event. It starts at [`EventPosition::START`]
    /// until the relay has found the end.
    #[must_use]
    pub fn log_end(&self) -> watch::Receiver<EventPosition> {
        self.end.clone()
    }

    /// Reads the log now (a write somewhere committed events).
    pub fn nudge(&self) {
        // A stored permit: a nudge during a read is not lost.
        self.wake.notify_one();
    }
}

impl Drop for LogRelay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl EventPublisher for LogRelay {
    fn committed(&self, events: &[DomainEvent]) {
        if !events.is_empty() {
            self.nudge();
        }
    }
}

/// The relay's loop: find where the log ends, then publish everything
/// after it as it is committed.
async fn tail(
    log: Arc<dyn EventLog>,
    bus: Arc<EventBus>,
    wake: Arc<Notify>,
    end: watch::Sender<EventPosition>,
    poll_interval: Duration,
) {
    let mut after: Option<EventPosition> = None;
    while !bus.is_closed() {
        if let Some(seen) = after {
            advance(&end, seen);
        }
        let caught_up = match after {
            None => match log.last_position().await {
                Ok(last) => {
                    after = Some(last);
                    false
                }
                Err(error) => {
                    tracing::warn!(error = %anyhow::Error::new(error), "cannot find the end of the event log");
                    true
                }
            },
            // Nobody listens: keep up with where the log ends, without
            // reading (and decoding) events that nobody would receive. The
            // end is read *before* the subscribers are counted, so a
            // subscriber that arrives meanwhile still gets every event
            // committed after that read.
            Some(from) if bus.subscriber_count() == 0 => match log.last_position().await {
                Ok(last) if bus.subscriber_count() == 0 => {
                    after = Some(last.max(from));
                    advance(&end, last.max(from));
                    // Commits meanwhile leave a stored nudge: the next read
                    // covers them all. A subscriber arriving meanwhile waits
                    // no longer than this for its first event.
                    tokio::time::sleep(IDLE_END_READ_INTERVAL).await;
                    true
                }
                Ok(_) => false,
                Err(error) => {
                    tracing::warn!(error = %anyhow::Error::new(error), "cannot find the end of the event log");
                    true
                }
            },
            Some(from) => match log.events_after(&EventFilter::default(), from, PAGE).await {
                Ok(events) => {
                    let full = events.len() == PAGE as usize;
                    for event in events {
                        after = Some(event.position);
                        bus.publish(event);
                    }
                    !full
                }
                Err(error) => {
                    tracing::warn!(error = %anyhow::Error::new(error), "cannot read the event log");
                    true
                }
            },
        };
        if caught_up {
            // Whichever comes first: a nudge, or the poll interval.
            let _ = tokio::time::timeout(poll_interval, wake.notified()).await;
        }
    }
}

/// Moves the known end of the log on to `seen` (never back), waking
/// whoever waits on it only when it moved.
fn advance(end: &watch::Sender<EventPosition>, seen: EventPosition) {
    end.send_if_modified(|known| {
        let moved = seen > *known;
        *known = (*known).max(seen);
        moved
    });
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use trm_domain::{EntityKind, EventKind, EventMetadata, LoggedEvent};
    use trm_repository::MockEventLog;
    use uuid::Uuid;

    use super::*;
    use crate::events::Received;

    fn logged(position: u64) -> LoggedEvent {
        let event = DomainEvent::new(
            EntityKind::Task,
            EventKind::Created,
            Uuid::new_v4(),
            serde_json::json!({}),
            EventMetadata::default(),
        );
        LoggedEvent { position: EventPosition(position), event }
    }

    /// A log holding `stored` beyond position 10, where the relay starts.
    fn log_with(stored: Arc<Mutex<Vec<LoggedEvent>>>) -> MockEventLog {
        let mut log = MockEventLog::new();
        log.expect_last_position().returning(|| Ok(EventPosition(10)));
        log.expect_events_after().returning(move |_, after, limit| {
            let events = stored.lock().unwrap();
            Ok(events.iter().filter(|e| e.position > after).take(limit as usize).cloned().collect())
        });
        log
    }

    #[tokio::test]
    async fn committed_events_reach_subscribers_from_the_log_in_log_order() {
        let stored = Arc::new(Mutex::new(Vec::new()));
        let bus = Arc::new(EventBus::new(16));
        let mut subscription = bus.subscribe();
        let relay = LogRelay::start(Arc::new(log_with(Arc::clone(&stored))), Arc::clone(&bus), Duration::from_secs(60));
        tokio::time::sleep(Duration::from_millis(20)).await; // it finds the end of the log
        stored.lock().unwrap().extend([logged(11), logged(13)]);
        relay.committed(&[logged(11).event]);
        for expected in [11, 13] {
            match tokio::time::timeout(Duration::from_secs(5), subscription.next()).await.unwrap() {
                Some(Received::Event(event)) => assert_eq!(event.position, EventPosition(expected)),
                other => panic!("{other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn events_written_elsewhere_arrive_within_the_poll_interval_without_a_nudge() {
        let stored = Arc::new(Mutex::new(Vec::new()));
        let bus = Arc::new(EventBus::new(16));
        let mut subscription = bus.subscribe();
        let _relay =
            LogRelay::start(Arc::new(log_with(Arc::clone(&stored))), Arc::clone(&bus), Duration::from_millis(50));
        tokio::time::sleep(Duration::from_millis(20)).await;
        stored.lock().unwrap().push(logged(12));
        match tokio::time::timeout(Duration::from_secs(5), subscription.next()).await.unwrap() {
            Some(Received::Event(event)) => assert_eq!(event.position, EventPosition(12)),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn with_nobody_subscribed_the_relay_reads_where_the_log_ends_not_the_events() {
        let stored = Arc::new(Mutex::new(Vec::new()));
        let reads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut log = MockEventLog::new();
        let end = Arc::clone(&stored);
        log.expect_last_position()
            .returning(move || Ok(end.lock().unwrap().last().map_or(EventPosition(10), |e: &LoggedEvent| e.position)));
        let (events, counted) = (Arc::clone(&stored), Arc::clone(&reads));
        log.expect_events_after().returning(move |_, after, limit| {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let events = events.lock().unwrap();
            Ok(events.iter().filter(|e| e.position > after).take(limit as usize).cloned().collect())
        });
        let bus = Arc::new(EventBus::new(16));
        let relay = LogRelay::start(Arc::new(log), Arc::clone(&bus), Duration::from_secs(60));
        tokio::time::sleep(IDLE_END_READ_INTERVAL * 2).await;
        for position in 11..=12 {
            stored.lock().unwrap().push(logged(position));
            relay.nudge();
            tokio::time::sleep(IDLE_END_READ_INTERVAL * 2).await;
        }
        assert_eq!(reads.load(std::sync::atomic::Ordering::SeqCst), 0, "no events were read for nobody");

        let mut subscription = bus.subscribe();
        stored.lock().unwrap().push(logged(13));
        relay.nudge();
        match tokio::time::timeout(Duration::from_secs(5), subscription.next()).await.unwrap() {
            Some(Received::Event(event)) => assert_eq!(event.position, EventPosition(13), "only what came after"),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn while_nobody_listens_a_burst_of_commits_shares_one_read_of_where_the_log_ends() {
        let reads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = Arc::clone(&reads);
        let mut log = MockEventLog::new();
        log.expect_last_position().returning(move || {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(EventPosition(10))
        });
        let bus = Arc::new(EventBus::new(16));
        let relay = LogRelay::start(Arc::new(log), Arc::clone(&bus), Duration::from_secs(60));
        tokio::time::sleep(IDLE_END_READ_INTERVAL * 2).await;
        let before = reads.load(std::sync::atomic::Ordering::SeqCst);
        for _ in 0..100 {
            relay.nudge();
            tokio::task::yield_now().await;
        }
        tokio::time::sleep(IDLE_END_READ_INTERVAL * 3).await;
        let burst = reads.load(std::sync::atomic::Ordering::SeqCst) - before;
        // The first commit's read, then one for all that came while it paused.
        assert!((1..=2).contains(&burst), "{burst} reads for 100 commits");
    }

    #[tokio::test]
    async fn events_committed_before_the_relay_started_are_not_replayed_live() {
        let stored = Arc::new(Mutex::new(vec![logged(9), logged(10)]));
        let bus = Arc::new(EventBus::new(16));
        let mut subscription = bus.subscribe();
        let relay = LogRelay::start(Arc::new(log_with(Arc::clone(&stored))), Arc::clone(&bus), Duration::from_secs(60));
        tokio::time::sleep(Duration::from_millis(20)).await;
        stored.lock().unwrap().push(logged(11));
        relay.nudge();
        match tokio::time::timeout(Duration::from_secs(5), subscription.next()).await.unwrap() {
            Some(Received::Event(event)) => assert_eq!(event.position, EventPosition(11)),
            other => panic!("{other:?}"),
        }
    }
}
