//! Relaying domain events between server instances over NATS.
//!
//! Several instances behind a load balancer share one store, but each has
//! its own in-process [`EventBus`]: without a relay, an SSE client connected
//! to instance B never hears of a write served by instance A. With
//! `events.nats_url` configured, every instance
//!
//! * publishes each event into its local bus *immediately* (its own clients
//!   never wait for NATS), and hands a copy to a background task through a
//!   bounded channel with `try_send` — when the channel is full the event is
//!   dropped for the other instances and a warning is logged, so a slow or
//!   absent NATS never slows or fails a request;
//! * the background task publishes the event as JSON on `events.subject`,
//!   with a `Trm-Instance` header naming the publishing instance;
//! * a second background task subscribes to the subject and feeds every
//!   event it receives into the local bus in the order NATS delivers them,
//!   skipping those whose header names this instance (it already published
//!   them locally: no echo duplicates).
//!
//! The instance id is a fresh UUID per [`NatsRelay`] (one per
//! [`Application`](crate::Application)), so two instances in one process —
//! as in the end-to-end tests — still tell each other apart.
//!
//! The connection never blocks start-up for long: it is made with
//! `retry_on_initial_connect`, so a server started while NATS is down comes
//! up at once, and `async-nats` reconnects (and re-subscribes) by itself
//! whenever the connection drops. Start-up waits at most
//! [`SUBSCRIBE_WAIT`] for the subscription to reach NATS, so that once an
//! instance serves, it hears every event published after that.
//!
//! NATS core pub/sub is at-most-once: events published while an instance is
//! disconnected are not replayed to it. That matches the bus's own promise
//! (a lagging SSE client is told it missed events), and the store remains
//! the truth.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use async_nats::{ConnectOptions, HeaderMap, Message};
use futures::StreamExt as _;
use tokio::sync::mpsc;
use trm_domain::DomainEvent;
use trm_service::{EventBus, EventPublisher};
use uuid::Uuid;

/// The header naming the instance that published a message.
pub const INSTANCE_HEADER: &str = "Trm-Instance";

/// Events waiting to be published to NATS; beyond this, new ones are
/// dropped (for the other instances only) rather than slow a request.
pub const OUTBOX_CAPACITY: usize = 4096;

/// Longest start-up waits for the subscription to be confirmed by NATS.
pub const SUBSCRIBE_WAIT: Duration = Duration::from_secs(2);

/// An [`EventPublisher`] that publishes locally and relays through NATS.
#[derive(Debug)]
pub struct NatsRelay {
    bus: Arc<EventBus>,
    outbox: mpsc::Sender<DomainEvent>,
    instance: Uuid,
}

impl NatsRelay {
    /// Connects to NATS at `url` (in the background when it is down),
    /// subscribes to `subject`, and starts the publishing and receiving
    /// tasks; events go to and come from `bus`. Must run inside a Tokio
    /// runtime, which the tasks live on.
    ///
    /// # Errors
    /// When `url` is not a valid NATS URL or the subscription cannot be
    /// requested; an unreachable NATS is not an error.
    pub async fn start(url: &str, subject: &str, bus: Arc<EventBus>) -> anyhow::Result<Self> {
        let instance = Uuid::new_v4();
        let client = ConnectOptions::new()
            .name(format!("trm-server {instance}"))
            .retry_on_initial_connect()
            .event_callback(|event| async move { tracing::info!(%event, "NATS connection") })
            .connect(url)
            .await
            .with_context(|| format!("cannot connect to NATS at {url}"))?;
        let subscriber = client
            .subscribe(subject.to_owned())
            .await
            .with_context(|| format!("cannot subscribe to the NATS subject {subject}"))?;
        match tokio::time::timeout(SUBSCRIBE_WAIT, client.flush()).await {
            Ok(Ok(())) => tracing::info!(%url, %subject, %instance, "relaying events through NATS"),
            Ok(Err(error)) => tracing::warn!(%url, %error, "NATS not reachable yet; relaying once it is"),
            Err(_) => tracing::warn!(%url, "NATS not reachable yet; relaying once it is"),
        }
        tokio::spawn(receive(subscriber, instance, Arc::clone(&bus)));
        let (outbox, pending) = mpsc::channel(OUTBOX_CAPACITY);
        tokio::spawn(send(client, subject.to_owned(), instance, pending));
        Ok(Self { bus, outbox, instance })
    }

    /// This instance's id, as sent in the [`INSTANCE_HEADER`].
    #[must_use]
    pub const fn instance(&self) -> Uuid {
        self.instance
    }
}

impl EventPublisher for NatsRelay {
    fn publish(&self, event: DomainEvent) {
        match self.outbox.try_send(event.clone()) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(dropped)) => {
                tracing::warn!(event_id = %dropped.event_id, "the NATS outbox is full; other instances miss this event");
            }
            Err(mpsc::error::TrySendError::Closed(dropped)) => {
                tracing::error!(event_id = %dropped.event_id, "the NATS publisher stopped; other instances miss this event");
            }
        }
        self.bus.publish(event);
    }
}

/// Publishes each event from the outbox on `subject`, in order, until every
/// sender is gone.
async fn send(client: async_nats::Client, subject: String, instance: Uuid, mut pending: mpsc::Receiver<DomainEvent>) {
    let instance = instance.to_string();
    while let Some(event) = pending.recv().await {
        let payload = match serde_json::to_vec(&event) {
            Ok(payload) => payload,
            Err(error) => {
                tracing::error!(event_id = %event.event_id, %error, "cannot serialize an event for NATS");
                continue;
            }
        };
        let mut headers = HeaderMap::new();
        headers.insert(INSTANCE_HEADER, instance.as_str());
        if let Err(error) = client.publish_with_headers(subject.clone(), headers, payload.into()).await {
            tracing::warn!(event_id = %event.event_id, %error, "cannot publish an event to NATS");
        }
    }
    // Deliver what is buffered before the client goes.
    if let Err(error) = client.flush().await {
        tracing::debug!(%error, "cannot flush NATS on shutdown");
    }
}

/// Feeds events from other instances into `bus`, in delivery order.
async fn receive(mut subscriber: async_nats::Subscriber, instance: Uuid, bus: Arc<EventBus>) {
    while let Some(message) = subscriber.next().await {
        if let Some(event) = foreign_event(&message, instance) {
            bus.publish(event);
        }
    }
    tracing::warn!("the NATS subscription ended; events from other instances no longer arrive");
}

/// The event in `message`, unless this instance published it or it is not
/// an event (logged and skipped: one bad message must not stop the relay).
fn foreign_event(message: &Message, instance: Uuid) -> Option<DomainEvent> {
    let sender = message.headers.as_ref().and_then(|headers| headers.get(INSTANCE_HEADER));
    if sender.is_some_and(|sender| sender.as_str() == instance.to_string()) {
        return None;
    }
    serde_json::from_slice(&message.payload)
        .inspect_err(
            |error| tracing::warn!(subject = %message.subject, %error, "skipping a NATS message that is not an event"),
        )
        .ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use trm_domain::{EntityKind, EventKind, EventMetadata};

    fn event() -> DomainEvent {
        DomainEvent::new(
            EntityKind::Task,
            EventKind::Created,
            Uuid::new_v4(),
            serde_json::json!({}),
            EventMetadata::default(),
        )
    }

    fn message(event: &DomainEvent, from: Option<Uuid>) -> Message {
        let headers = from.map(|from| {
            let mut headers = HeaderMap::new();
            headers.insert(INSTANCE_HEADER, from.to_string().as_str());
            headers
        });
        Message {
            subject: "trm.events".into(),
            reply: None,
            payload: serde_json::to_vec(event).unwrap().into(),
            headers,
            status: None,
            description: None,
            length: 0,
        }
    }

    #[test]
    fn an_event_from_another_instance_is_taken_as_sent() {
        let sent = event();
        assert_eq!(foreign_event(&message(&sent, Some(Uuid::new_v4())), Uuid::new_v4()), Some(sent.clone()));
        assert_eq!(foreign_event(&message(&sent, None), Uuid::new_v4()), Some(sent), "an untagged event is foreign");
    }

    #[test]
    fn an_instance_skips_its_own_events() {
        let me = Uuid::new_v4();
        assert_eq!(foreign_event(&message(&event(), Some(me)), me), None);
    }

    #[test]
    fn a_message_that_is_not_an_event_is_skipped() {
        let mut bad = message(&event(), None);
        bad.payload = "not json".into();
        assert_eq!(foreign_event(&bad, Uuid::new_v4()), None);
    }

    #[tokio::test]
    async fn events_reach_the_local_bus_at_once_while_nats_is_unreachable() {
        let bus = Arc::new(EventBus::new(16, 16));
        let mut subscription = bus.subscribe();
        // Nothing listens on port 1: start-up must not hang on it.
        let started = tokio::time::Instant::now();
        let relay = NatsRelay::start("nats://127.0.0.1:1", "trm.test", Arc::clone(&bus)).await.unwrap();
        assert!(started.elapsed() < SUBSCRIBE_WAIT + Duration::from_secs(2), "took {:?}", started.elapsed());
        let sent = event();
        relay.publish(sent.clone());
        match subscription.next().await {
            Some(trm_service::Received::Event(received)) => assert_eq!(*received, sent),
            other => panic!("{other:?}"),
        }
    }
}
