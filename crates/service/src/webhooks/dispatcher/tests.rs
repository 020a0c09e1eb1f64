//! Tests of [`super`].

use std::sync::Mutex;

use trm_domain::{
    DomainEvent, EntityKind, EventKind, EventMetadata, EventPosition, LoggedEvent, WebhookId, WebhookSecret,
};
use trm_repository::{MockEventLog, MockWebhookRepository};

use super::*;

/// One request as the sender got it: headers and body.
type Sent = (Vec<(String, String)>, String);

/// A sender that answers `status` and remembers what it was sent.
struct Receiver {
    status: Option<u16>,
    sent: Mutex<Vec<Sent>>,
}

#[async_trait]
impl WebhookSender for Receiver {
    async fn send(
        &self,
        _url: &WebhookUrl,
        headers: Vec<(String, String)>,
        body: String,
        _timeout: Duration,
    ) -> SendOutcome {
        self.sent.lock().unwrap().push((headers, body));
        SendOutcome { status_code: self.status, error: self.status.is_none().then(|| "refused".to_owned()) }
    }
}

struct Anywhere;

#[async_trait]
impl Destinations for Anywhere {
    async fn check(&self, _url: &WebhookUrl) -> Result<(), String> {
        Ok(())
    }
}

fn webhook() -> Webhook {
    let now = Timestamp::now();
    Webhook {
        id: WebhookId::new(),
        url: WebhookUrl::parse("http://127.0.0.1:9/hook").unwrap(),
        event_types: Vec::new(),
        description: None,
        active: true,
        disabled_reason: None,
        secret: WebhookSecret::generate().unwrap(),
        created_at: now,
        updated_at: now,
        after: EventPosition(7),
    }
}

fn logged(position: u64) -> LoggedEvent {
    let event = DomainEvent::new(
        EntityKind::Task,
        EventKind::Created,
        Uuid::new_v4(),
        serde_json::json!({"title": "t"}),
        EventMetadata::default(),
    );
    LoggedEvent { position: EventPosition(position), event }
}

fn ports(webhooks: MockWebhookRepository, log: MockEventLog, receiver: Arc<Receiver>) -> DispatcherPorts {
    DispatcherPorts {
        webhooks: Arc::new(webhooks),
        log: Arc::new(log),
        sender: receiver,
        destinations: Arc::new(Anywhere),
    }
}

fn settings(schedule: &[u64]) -> DispatcherSettings {
    DispatcherSettings {
        schedule: RetrySchedule::new(schedule.iter().map(|s| Duration::from_secs(*s)).collect()),
        ..DispatcherSettings::default()
    }
}

#[tokio::test]
async fn the_next_event_is_queued_under_the_lease_and_delivered_signed() {
    let hook = webhook();
    let secret = hook.secret.clone();
    let event = logged(8);
    let mut webhooks = MockWebhookRepository::new();
    // Nothing pending: the next event of the log is queued.
    webhooks.expect_next_delivery().returning(|_| Ok(None));
    webhooks
        .expect_enqueue_delivery()
        .withf(|delivery, advance_to, _| *advance_to == Some(EventPosition(8)) && delivery.attempts.is_empty())
        .times(1)
        .returning(|_, _, _| Ok(true));
    webhooks
        .expect_record_attempt()
        .withf(|_, attempt, state, next| {
            attempt.status_code == Some(204) && *state == DeliveryState::Succeeded && next.is_none()
        })
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    let mut log = MockEventLog::new();
    let returned = event.clone();
    log.expect_events_after()
        .withf(|_, after, limit| *after == EventPosition(7) && *limit == 1)
        .times(1)
        .returning(move |_, _, _| Ok(vec![returned.clone()]));
    log.expect_events_after().withf(|_, after, _| *after == EventPosition(8)).returning(|_, _, _| Ok(Vec::new()));
    let receiver = Arc::new(Receiver { status: Some(204), sent: Mutex::new(Vec::new()) });
    work_on(&ports(webhooks, log, receiver.clone()), &settings(&[1]), Uuid::new_v4(), hook).await.unwrap();

    let sent = receiver.sent.lock().unwrap();
    assert_eq!(sent.len(), 1);
    let (headers, body) = &sent[0];
    let header = |name: &str| headers.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone()).unwrap();
    assert_eq!(serde_json::from_str::<DomainEvent>(body).unwrap(), event.event);
    assert_eq!(header("x-trm-event"), "task.created");
    let timestamp: i64 = header("webhook-timestamp").parse().unwrap();
    assert_eq!(header("webhook-signature"), secret.sign(&header("webhook-id"), timestamp, body));
}

#[tokio::test]
async fn a_failed_attempt_is_retried_later_and_holds_back_the_next_event() {
    let hook = webhook();
    let pending = Delivery::new(hook.id, Uuid::new_v4(), "task.created", "{}".into(), Timestamp::now());
    let mut webhooks = MockWebhookRepository::new();
    webhooks.expect_next_delivery().times(1).returning(move |_| Ok(Some(pending.clone())));
    webhooks
        .expect_record_attempt()
        .withf(|_, attempt, state, next| {
            attempt.status_code == Some(500)
                && *state == DeliveryState::Pending
                && next.is_some_and(|due| due > Timestamp::now())
        })
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    webhooks.expect_disable_webhook().never();
    let log = MockEventLog::new(); // the next event is not read while one is pending
    let receiver = Arc::new(Receiver { status: Some(500), sent: Mutex::new(Vec::new()) });
    work_on(&ports(webhooks, log, receiver), &settings(&[30]), Uuid::new_v4(), hook).await.unwrap();
}

#[tokio::test]
async fn an_exhausted_schedule_fails_the_delivery_and_disables_the_subscription() {
    let hook = webhook();
    let mut pending = Delivery::new(hook.id, Uuid::new_v4(), "task.created", "{}".into(), Timestamp::now());
    pending.attempts.push(Attempt { at: Timestamp::now(), status_code: None, duration_ms: 1, error: None });
    let mut webhooks = MockWebhookRepository::new();
    webhooks.expect_next_delivery().times(1).returning(move |_| Ok(Some(pending.clone())));
    webhooks
        .expect_record_attempt()
        .withf(|_, _, state, next| *state == DeliveryState::Failed && next.is_none())
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    webhooks
        .expect_disable_webhook()
        .withf(|_, reason, _| reason.contains("failed 2 times") && reason.contains("refused"))
        .times(1)
        .returning(|_, _, _| Ok(()));
    let receiver = Arc::new(Receiver { status: None, sent: Mutex::new(Vec::new()) });
    work_on(&ports(webhooks, MockEventLog::new(), receiver), &settings(&[1]), Uuid::new_v4(), hook).await.unwrap();
}

#[tokio::test]
async fn a_delivery_not_yet_due_is_left_for_later() {
    let hook = webhook();
    let mut pending = Delivery::new(hook.id, Uuid::new_v4(), "task.created", "{}".into(), Timestamp::now());
    pending.next_attempt_at = Some(later(Timestamp::now(), Duration::from_secs(600)));
    let mut webhooks = MockWebhookRepository::new();
    webhooks.expect_next_delivery().times(1).returning(move |_| Ok(Some(pending.clone())));
    webhooks.expect_record_attempt().never();
    let receiver = Arc::new(Receiver { status: Some(200), sent: Mutex::new(Vec::new()) });
    work_on(&ports(webhooks, MockEventLog::new(), receiver.clone()), &settings(&[1]), Uuid::new_v4(), hook)
        .await
        .unwrap();
    assert!(receiver.sent.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_lost_lease_queues_nothing_and_sends_nothing() {
    let hook = webhook();
    let mut webhooks = MockWebhookRepository::new();
    webhooks.expect_next_delivery().returning(|_| Ok(None));
    webhooks.expect_enqueue_delivery().times(1).returning(|_, _, _| Ok(false));
    let mut log = MockEventLog::new();
    log.expect_events_after().returning(|_, _, _| Ok(vec![logged(8)]));
    let receiver = Arc::new(Receiver { status: Some(200), sent: Mutex::new(Vec::new()) });
    work_on(&ports(webhooks, log, receiver.clone()), &settings(&[1]), Uuid::new_v4(), hook).await.unwrap();
    assert!(receiver.sent.lock().unwrap().is_empty());
}
