//! The SystemEventBus: domain events from the durable log to live
//! subscribers.
//!
//! Events are written by the stores, in the same transaction as the change
//! they describe (the outbox: see [`trm_repository::EventLog`]). Use cases
//! tell an [`EventPublisher`] *after* the commit which events they stored;
//! it never fails or slows the request. What reaches subscribers is read
//! back from the log by the [`LogRelay`](crate::LogRelay) — only what was
//! committed, in the log's one order, with each event's position.
//!
//! [`EventBus`] is the in-process fan-out: a bounded broadcast channel
//! hands each logged event to every subscriber (a subscriber that falls
//! behind loses the oldest and is told how many — writers never wait for
//! it — and can catch up from the log by position).
//!
//! ```
//! use trm_domain::{DomainEvent, EntityKind, EventKind, EventMetadata, EventPosition, LoggedEvent};
//! use trm_service::{EventBus, Received};
//!
//! # #[tokio::main] async fn main() {
//! let bus = EventBus::new(1024);
//! let mut subscription = bus.subscribe();
//! let event = DomainEvent::new(EntityKind::Task, EventKind::Created, uuid::Uuid::nil(), serde_json::json!({}), EventMetadata::default());
//! bus.publish(LoggedEvent { position: EventPosition(1), event });
//! match subscription.next().await {
//!     Some(Received::Event(logged)) => assert_eq!(logged.event.event_type, "task.created"),
//!     other => panic!("unexpected {other:?}"),
//! }
//! # }
//! ```

use std::future::Future;
use std::sync::Arc;

use serde::Serialize;
use tokio::sync::{broadcast, watch};
use trm_domain::{DomainEvent, EntityKind, EventKind, EventMetadata, LoggedEvent};
use uuid::Uuid;

/// Told which events a use case's write stored, once the store committed
/// them. Implementations MUST return promptly and never fail the caller:
/// the events are durable already, and delivery is the log readers' job.
#[cfg_attr(feature = "mocks", mockall::automock)]
pub trait EventPublisher: Send + Sync + 'static {
    /// `events` were committed to the log by this process.
    fn committed(&self, events: &[DomainEvent]);
}

/// A publisher that ignores every commit, for programs that do not listen.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoEvents;

impl EventPublisher for NoEvents {
    fn committed(&self, _events: &[DomainEvent]) {}
}

impl<P: EventPublisher + ?Sized> EventPublisher for Arc<P> {
    fn committed(&self, events: &[DomainEvent]) {
        (**self).committed(events);
    }
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
    DomainEvent::about(entity, kind, id, value, current_metadata())
}

/// The events `build` makes when the event log is on; none when it is off
/// (nothing is built, so nothing is serialized).
pub(crate) fn logged(log_events: bool, build: impl FnOnce() -> Vec<DomainEvent>) -> Vec<DomainEvent> {
    if log_events { build() } else { Vec::new() }
}

/// What a subscriber receives.
#[derive(Debug, Clone)]
pub enum Received {
    /// The next event, with its position in the log.
    Event(Arc<LoggedEvent>),
    /// The subscriber fell behind and this many events were dropped for it.
    Missed(u64),
}

/// A live feed of events published after it was created.
#[derive(Debug)]
pub struct Subscription {
    receiver: broadcast::Receiver<Arc<LoggedEvent>>,
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

/// The in-process fan-out of logged events to live subscribers.
#[derive(Debug)]
pub struct EventBus {
    sender: broadcast::Sender<Arc<LoggedEvent>>,
    /// Set once by [`EventBus::close`]; every subscription watches it.
    closed: watch::Sender<bool>,
}

impl EventBus {
    /// A bus buffering `channel_capacity` events per lagging subscriber.
    #[must_use]
    pub fn new(channel_capacity: usize) -> Self {
        let (sender, _) = broadcast::channel(channel_capacity.max(1));
        Self { sender, closed: watch::Sender::new(false) }
    }

    /// A feed of every event published from now on.
    #[must_use]
    pub fn subscribe(&self) -> Subscription {
        Subscription { receiver: self.sender.subscribe(), closed: self.closed.subscribe() }
    }

    /// Hands a logged event to every subscriber. The [`LogRelay`](crate::LogRelay)
    /// calls it in log order.
    pub fn publish(&self, event: LoggedEvent) {
        // No subscriber is not an error: the event is in the log.
        let _ = self.sender.send(Arc::new(event));
    }

    /// Ends every live feed, now and for good: each subscription's `next`
    /// answers `None`, as do those of later subscribers.
    ///
    /// For a graceful shutdown: a server waits for its open connections to
    /// finish, and an event stream never does by itself — without this, every
    /// connected SSE client would hold the shutdown open until its timeout.
    pub fn close(&self) {
        self.closed.send_replace(true);
    }

    /// Whether [`close`](Self::close) was called.
    #[must_use]
    pub fn is_closed(&self) -> bool {
        *self.closed.borrow()
    }

    /// How many subscribers are connected (for tests and metrics).
    #[must_use]
    pub fn subscriber_count(&self) -> usize {
        self.sender.receiver_count()
    }
}

#[cfg(test)]
mod tests {
    use trm_domain::EventPosition;

    use super::*;

    fn logged(position: u64, kind: EventKind) -> LoggedEvent {
        let event =
            DomainEvent::new(EntityKind::Task, kind, Uuid::new_v4(), serde_json::json!({}), EventMetadata::default());
        LoggedEvent { position: EventPosition(position), event }
    }

    #[tokio::test]
    async fn every_subscriber_receives_every_event_in_order() {
        let bus = EventBus::new(16);
        let mut first = bus.subscribe();
        let mut second = bus.subscribe();
        bus.publish(logged(1, EventKind::Created));
        bus.publish(logged(2, EventKind::Deleted));
        for subscription in [&mut first, &mut second] {
            let types: Vec<String> = [subscription.next().await, subscription.next().await]
                .into_iter()
                .map(|received| match received {
                    Some(Received::Event(logged)) => logged.event.event_type.clone(),
                    other => panic!("{other:?}"),
                })
                .collect();
            assert_eq!(types, ["task.created", "task.deleted"]);
        }
    }

    #[tokio::test]
    async fn a_slow_subscriber_is_told_what_it_missed_and_never_blocks_publishing() {
        let bus = EventBus::new(2);
        let mut slow = bus.subscribe();
        for position in 1..=5 {
            bus.publish(logged(position, EventKind::Updated));
        }
        assert!(matches!(slow.next().await, Some(Received::Missed(3))));
        assert!(matches!(slow.next().await, Some(Received::Event(_))));
    }

    #[tokio::test]
    async fn closing_the_bus_ends_every_live_feed_even_with_events_queued() {
        let bus = EventBus::new(16);
        let mut waiting = bus.subscribe();
        let mut behind = bus.subscribe();
        let wait = tokio::spawn(async move { waiting.next().await.is_none() });
        tokio::task::yield_now().await; // the single-threaded test runtime runs it until it waits
        bus.publish(logged(1, EventKind::Created));
        bus.close();
        assert!(wait.await.unwrap(), "a subscriber waiting for an event is ended");
        assert!(behind.next().await.is_none(), "a queued event does not keep a feed open");
        assert!(bus.subscribe().next().await.is_none(), "a feed opened after closing ends at once");
        assert!(bus.is_closed());
    }

    #[tokio::test]
    async fn events_carry_the_request_id_of_the_request_that_caused_them() {
        let metadata = with_request_id("req-7".into(), async { current_metadata() }).await;
        assert_eq!(metadata.request_id.as_deref(), Some("req-7"));
        assert_eq!(current_metadata().request_id, None);
    }
}
