//! Waking the other server instances over NATS, and publishing committed
//! events to NATS subscribers.
//!
//! Several instances behind a load balancer share one store, and with it
//! one durable event log; each instance's [`LogRelay`] tails that log into
//! its own bus, so every instance's SSE clients see every instance's events
//! whether or not NATS is up — within the relay's poll interval. NATS makes
//! that fast. With `events.nats_url` configured, every instance
//!
//! * wakes its own relay at once when a write of its own committed (its
//!   clients never wait for NATS), and hands a copy of each committed event
//!   to a background task through a bounded channel with `try_send` — when
//!   the channel is full the copy is dropped and a warning logged, so a
//!   slow or absent NATS never slows or fails a request;
//! * the background task publishes the event as JSON on `events.subject`,
//!   with a `Trm-Instance` header naming the publishing instance, for the
//!   other instances and for any other system listening;
//! * a second background task subscribes to the subject and wakes the
//!   local relay for every event another instance published: the relay
//!   then reads the log, so what reaches clients is always what the log
//!   holds, in its order, and an event NATS lost still arrives by polling.
//!
//! The instance id is a fresh UUID per [`NatsRelay`] (one per
//! [`Application`](crate::Application)), so two instances in one process —
//! as in the end-to-end tests — still tell each other apart.
//!
//! The connection never blocks start-up for long: it is made with
//! `retry_on_initial_connect`, so a server started while NATS is down comes
//! up at once, and `async-nats` reconnects (and re-subscribes) by itself
//! whenever the connection drops. Start-up waits at most
//! [`SUBSCRIBE_WAIT`] for the subscription to reach NATS.
//!
//! NATS core pub/sub is at-most-once: a NATS subscriber outside the servers
//! may miss events. The log is the truth — tail it with
//! `GET /api/v1/events/history?after=…`, or subscribe a webhook.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use async_nats::{ConnectOptions, HeaderMap, Message};
use futures::StreamExt as _;
use tokio::sync::mpsc;
use trm_domain::DomainEvent;
use trm_service::{EventPublisher, LogRelay};
use uuid::Uuid;

/// The header naming the instance that published a message.
pub const INSTANCE_HEADER: &str = "Trm-Instance";

/// Events waiting to be published to NATS; beyond this, new ones are
/// dropped (from NATS only: they are in the log) rather than slow a request.
pub const OUTBOX_CAPACITY: usize = 4096;

/// Longest start-up waits for the subscription to be confirmed by NATS.
pub const SUBSCRIBE_WAIT: Duration = Duration::from_secs(2);

/// An [`EventPublisher`] that wakes the local log relay and publishes
/// committed events through NATS.
#[derive(Debug)]
pub struct NatsRelay {
    relay: Arc<LogRelay>,
    outbox: mpsc::Sender<DomainEvent>,
    instance: Uuid,
}

impl NatsRelay {
    /// Connects to NATS at `url` (in the background when it is down),
    /// subscribes to `subject`, and starts the publishing and receiving
    /// tasks; what other instances publish wakes `relay`. Must run inside a
    /// Tokio runtime, which the tasks live on.
    ///
    /// # Errors
    /// When `url` is not a valid NATS URL or the subscription cannot be
    /// requested; an unreachable NATS is not an error.
    pub async fn start(url: &str, subject: &str, relay: Arc<LogRelay>) -> anyhow::Result<Self> {
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
        tokio::spawn(receive(subscriber, instance, Arc::downgrade(&relay)));
        let (outbox, pending) = mpsc::channel(OUTBOX_CAPACITY);
        tokio::spawn(send(client, subject.to_owned(), instance, pending));
        Ok(Self { relay, outbox, instance })
    }

    /// This instance's id, as sent in the [`INSTANCE_HEADER`].
    #[must_use]
    pub const fn instance(&self) -> Uuid {
        self.instance
    }
}

impl EventPublisher for NatsRelay {
    fn committed(&self, events: &[DomainEvent]) {
        self.relay.committed(events);
        for event in events {
            match self.outbox.try_send(event.clone()) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(dropped)) => {
                    tracing::warn!(event_id = %dropped.event_id, "the NATS outbox is full; NATS misses this event");
                }
                Err(mpsc::error::TrySendError::Closed(dropped)) => {
                    tracing::error!(event_id = %dropped.event_id, "the NATS publisher stopped; NATS misses this event");
                }
            }
        }
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

/// Wakes the local relay for every event another instance published,
/// until the relay is gone.
async fn receive(mut subscriber: async_nats::Subscriber, instance: Uuid, relay: std::sync::Weak<LogRelay>) {
    while let Some(message) = subscriber.next().await {
        if foreign_event(&message, instance).is_some() {
            let Some(relay) = relay.upgrade() else { return };
            relay.nudge();
        }
    }
    tracing::warn!("the NATS subscription ended; events from other instances arrive by polling the log");
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
    async fn committed_events_reach_the_local_bus_at_once_while_nats_is_unreachable() {
        let store = Arc::new(trm_repository::sqlite::SqliteStore::in_memory().await.unwrap());
        let bus = Arc::new(trm_service::EventBus::new(16));
        let mut subscription = bus.subscribe();
        // A poll interval far beyond the test: only the wake-up can deliver.
        let relay = Arc::new(LogRelay::start(store.clone(), Arc::clone(&bus), Duration::from_secs(3600)));
        // Nothing listens on port 1: start-up must not hang on it.
        let started = tokio::time::Instant::now();
        let nats = NatsRelay::start("nats://127.0.0.1:1", "trm.test", relay).await.unwrap();
        assert!(started.elapsed() < SUBSCRIBE_WAIT + Duration::from_secs(2), "took {:?}", started.elapsed());
        let project = trm_domain::Project::create(
            trm_domain::NewProject::new(trm_domain::Title::parse("p").unwrap()),
            trm_domain::Timestamp::now(),
        );
        let sent = DomainEvent::about(
            EntityKind::Project,
            EventKind::Created,
            *project.uid.as_uuid(),
            &project,
            EventMetadata::default(),
        );
        trm_repository::ProjectRepository::create_project(&*store, &project, std::slice::from_ref(&sent))
            .await
            .unwrap();
        nats.committed(std::slice::from_ref(&sent));
        match tokio::time::timeout(Duration::from_secs(5), subscription.next()).await.unwrap() {
            Some(trm_service::Received::Event(received)) => assert_eq!(received.event, sent),
            other => panic!("{other:?}"),
        }
    }
}
