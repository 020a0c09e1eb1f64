//! The SystemEventBus: publishing domain events after committed writes.
//!
//! Use cases publish through the [`EventPublisher`] port, which is
//! synchronous and must never block: an event is published *after* the
//! store committed, and a slow or failing subscriber must not fail or slow
//! the request that caused it.
//!
//! [`EventBus`] is the in-process publisher: a bounded broadcast channel fans
//! each event out to every subscriber (a subscriber that falls behind loses
//! the oldest events and is told how many — writers never wait for it), and a
//! bounded history, newest first, serves `GET /api/v1/events/history` and
//! SSE clients resuming with `Last-Event-ID`.
//!
//! ```
//! use trm_domain::{DomainEvent, EntityKind, EventKind, EventMetadata};
//! use trm_service::{EventBus, EventPublisher, Received};
//!
//! # #[tokio::main] async fn main() {
//! let bus = EventBus::new(1024, 1000);
//! let mut subscription = bus.subscribe();
//! bus.publish(DomainEvent::new(EntityKind::Task, EventKind::Created, uuid::Uuid::nil(), serde_json::json!({}), EventMetadata::default()));
//! match subscription.next().await {
//!     Some(Received::Event(event)) => assert_eq!(event.event_type, "task.created"),
//!     other => panic!("unexpected {other:?}"),
//! }
//! # }
//! ```

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;
use tokio::sync::{broadcast, watch};
use trm_domain::{DomainEvent, EntityKind, EventKind, EventMetadata};
use uuid::Uuid;

/// Where use cases send events. Implementations MUST return promptly and
/// never fail the caller: delivery problems are theirs to log.
#[cfg_attr(feature = "mocks", mockall::automock)]
pub trait EventPublisher: Send + Sync + 'static {
    /// Publishes one event.
    fn publish(&self, event: DomainEvent);
}

/// A publisher that drops every event, for programs that do not listen.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoEvents;

impl EventPublisher for NoEvents {
    fn publish(&self, _event: DomainEvent) {}
}

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Runs `work` with `request_id` as the id of the request it serves, so the
/// events it causes carry it in their metadata.
pub async fn with_request_id<F: Future>(request_id: String, work: F) -> F::Output {
    REQUEST_ID.scope(request_id, work).await
}

/// The metadata of an event caused now: the current request's id, if any.
#[must_use]
pub fn current_metadata() -> EventMetadata {
    EventMetadata { request_id: REQUEST_ID.try_with(Clone::clone).ok() }
}

/// Builds the event of `kind` about an entity, with the current metadata.
pub(crate) fn event_about<T: Serialize>(entity: EntityKind, kind: EventKind, id: Uuid, value: &T) -> DomainEvent {
    // Entities serialize infallibly (plain data, string keys); a failure
    // would still publish the event, with null data, rather than lose it.
    let data = serde_json::to_value(value).unwrap_or_else(|error| {
        tracing::error!(%error, "cannot serialize an event's data");
        serde_json::Value::Null
    });
    DomainEvent::new(entity, kind, id, data, current_metadata())
}

/// What a subscriber receives.
#[derive(Debug, Clone)]
pub enum Received {
    /// The next event.
    Event(Arc<DomainEvent>),
    /// The subscriber fell behind and this many events were dropped for it.
    Missed(u64),
}

/// A live feed of events published after it was created.
#[derive(Debug)]
pub struct Subscription {
    receiver: broadcast::Receiver<Arc<DomainEvent>>,
    closed: watch::Receiver<bool>,
}

impl Subscription {
    /// The next event; `None` once the bus is gone or [closed](EventBus::close).
    pub async fn next(&mut self) -> Option<Received> {
        tokio::select! {
            biased;
            // Closing wins over events still queued: at shutdown a stream
            // ends now, and a client resumes with `Last-Event-ID` elsewhere.
            _ = self.closed.wait_for(|closed| *closed) => None,
            received = self.receiver.recv() => match received {
                Ok(event) => Some(Received::Event(event)),
                Err(broadcast::error::RecvError::Lagged(missed)) => Some(Received::Missed(missed)),
                Err(broadcast::error::RecvError::Closed) => None,
            },
        }
    }
}

/// Which events a history query returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    /// Only events of this type (`task.created`).
    pub event_type: Option<String>,
    /// Only events about this entity.
    pub entity_id: Option<Uuid>,
}

impl HistoryFilter {
    fn matches(&self, event: &DomainEvent) -> bool {
        self.event_type.as_ref().is_none_or(|t| *t == event.event_type)
            && self.entity_id.is_none_or(|id| id == event.entity_id)
    }
}

/// The in-process event bus: live fan-out plus a bounded history.
#[derive(Debug)]
pub struct EventBus {
    sender: broadcast::Sender<Arc<DomainEvent>>,
    /// Newest first. Kept under the same lock as the send, so the history
    /// and the live stream agree on the order.
    history: Mutex<VecDeque<Arc<DomainEvent>>>,
    history_capacity: usize,
    /// Set once by [`EventBus::close`]; every subscription watches it.
    closed: watch::Sender<bool>,
}

impl EventBus {
    /// A bus buffering `channel_capacity` events per lagging subscriber and
    /// remembering the last `history_capacity` events.
    #[must_use]
    pub fn new(channel_capacity: usize, history_capacity: usize) -> Self {
        let (sender, _) = broadcast::channel(channel_capacity.max(1));
        Self {
            sender,
            history: Mutex::new(VecDeque::with_capacity(history_capacity)),
            history_capacity,
            closed: watch::Sender::new(false),
        }
    }

    /// A feed of every event published from now on.
    #[must_use]
    pub fn subscribe(&self) -> Subscription {
        Subscription { receiver: self.sender.subscribe(), closed: self.closed.subscribe() }
    }

    /// Ends every live feed, now and for good: each subscription's `next`
    /// answers `None`, as do those of later subscribers.
    ///
    /// For a graceful shutdown: a server waits for its open connections to
    /// finish, and an event stream never does by itself — without this, every
    /// connected SSE client would hold the shutdown open until its timeout.
    /// The history stays readable.
    pub fn close(&self) {
        self.closed.send_replace(true);
    }

    /// A feed of every event from now on, and the remembered events after
    /// `last_event_id` (oldest first), taken atomically so nothing falls in
    /// between. An id no longer remembered replays the whole history.
    #[must_use]
    pub fn resume_after(&self, last_event_id: Option<Uuid>) -> (Vec<Arc<DomainEvent>>, Subscription) {
        let history = self.history.lock().unwrap_or_else(PoisonError::into_inner);
        let subscription = self.subscribe();
        let missed: Vec<Arc<DomainEvent>> = match last_event_id {
            None => Vec::new(),
            Some(id) => {
                let newer = history.iter().take_while(|event| event.event_id != id);
                newer.cloned().collect::<Vec<_>>().into_iter().rev().collect()
            }
        };
        (missed, subscription)
    }

    /// Up to `limit` remembered events matching `filter`, newest first.
    #[must_use]
    pub fn history(&self, filter: &HistoryFilter, limit: usize) -> Vec<Arc<DomainEvent>> {
        let history = self.history.lock().unwrap_or_else(PoisonError::into_inner);
        history.iter().filter(|event| filter.matches(event)).take(limit).cloned().collect()
    }

    /// How many subscribers are connected (for tests and metrics).
    #[must_use]
    pub fn subscriber_count(&self) -> usize {
        self.sender.receiver_count()
    }
}

impl EventPublisher for EventBus {
    fn publish(&self, event: DomainEvent) {
        let event = Arc::new(event);
        let mut history = self.history.lock().unwrap_or_else(PoisonError::into_inner);
        history.push_front(Arc::clone(&event));
        history.truncate(self.history_capacity);
        // No subscriber is not an error: the event is in the history.
        let _ = self.sender.send(event);
    }
}

impl<P: EventPublisher + ?Sized> EventPublisher for Arc<P> {
    fn publish(&self, event: DomainEvent) {
        (**self).publish(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: EventKind) -> DomainEvent {
        DomainEvent::new(EntityKind::Task, kind, Uuid::new_v4(), serde_json::json!({}), EventMetadata::default())
    }

    #[tokio::test]
    async fn every_subscriber_receives_every_event_in_order() {
        let bus = EventBus::new(16, 16);
        let mut first = bus.subscribe();
        let mut second = bus.subscribe();
        bus.publish(event(EventKind::Created));
        bus.publish(event(EventKind::Deleted));
        for subscription in [&mut first, &mut second] {
            let types: Vec<String> = [subscription.next().await, subscription.next().await]
                .into_iter()
                .map(|received| match received {
                    Some(Received::Event(event)) => event.event_type.clone(),
                    other => panic!("{other:?}"),
                })
                .collect();
            assert_eq!(types, ["task.created", "task.deleted"]);
        }
    }

    #[tokio::test]
    async fn a_slow_subscriber_is_told_what_it_missed_and_never_blocks_publishing() {
        let bus = EventBus::new(2, 100);
        let mut slow = bus.subscribe();
        for _ in 0..5 {
            bus.publish(event(EventKind::Updated));
        }
        assert!(matches!(slow.next().await, Some(Received::Missed(3))));
        assert!(matches!(slow.next().await, Some(Received::Event(_))));
    }

    #[tokio::test]
    async fn closing_the_bus_ends_every_live_feed_even_with_events_queued() {
        let bus = EventBus::new(16, 16);
        let mut waiting = bus.subscribe();
        let mut behind = bus.subscribe();
        let wait = tokio::spawn(async move { waiting.next().await.is_none() });
        tokio::task::yield_now().await; // the single-threaded test runtime runs it until it waits
        bus.publish(event(EventKind::Created));
        bus.close();
        assert!(wait.await.unwrap(), "a subscriber waiting for an event is ended");
        assert!(behind.next().await.is_none(), "a queued event does not keep a feed open");
        assert!(bus.subscribe().next().await.is_none(), "a feed opened after closing ends at once");
        assert_eq!(bus.history(&HistoryFilter::default(), 10).len(), 1, "the history stays");
    }

    #[test]
    fn the_history_is_bounded_and_newest_first() {
        let bus = EventBus::new(4, 3);
        let events: Vec<DomainEvent> = (0..5).map(|_| event(EventKind::Created)).collect();
        let ids: Vec<Uuid> = events.iter().map(|e| e.event_id).collect();
        events.into_iter().for_each(|e| bus.publish(e));
        let remembered: Vec<Uuid> = bus.history(&HistoryFilter::default(), 10).iter().map(|e| e.event_id).collect();
        assert_eq!(remembered, [ids[4], ids[3], ids[2]]);
    }

    #[test]
    fn history_filters_by_type_and_entity() {
        let bus = EventBus::new(4, 10);
        let created = event(EventKind::Created);
        let entity = created.entity_id;
        bus.publish(created);
        bus.publish(event(EventKind::Deleted));
        let by_type = bus.history(&HistoryFilter { event_type: Some("task.deleted".into()), entity_id: None }, 10);
        assert_eq!(by_type.len(), 1);
        let by_entity = bus.history(&HistoryFilter { event_type: None, entity_id: Some(entity) }, 10);
        assert_eq!(by_entity[0].entity_id, entity);
    }

    #[test]
    fn resuming_replays_what_came_after_the_last_seen_event() {
        let bus = EventBus::new(4, 10);
        let events: Vec<DomainEvent> = (0..4).map(|_| event(EventKind::Updated)).collect();
        let ids: Vec<Uuid> = events.iter().map(|e| e.event_id).collect();
        events.into_iter().for_each(|e| bus.publish(e));
        let (missed, _) = bus.resume_after(Some(ids[1]));
        assert_eq!(missed.iter().map(|e| e.event_id).collect::<Vec<_>>(), [ids[2], ids[3]]);
        let (everything, _) = bus.resume_after(Some(Uuid::new_v4()));
        assert_eq!(everything.len(), 4, "an unknown id replays the whole history");
    }

    #[tokio::test]
    async fn events_carry_the_request_id_of_the_request_that_caused_them() {
        let metadata = with_request_id("req-7".into(), async { current_metadata() }).await;
        assert_eq!(metadata.request_id.as_deref(), Some("req-7"));
        assert_eq!(current_metadata().request_id, None);
    }
}
