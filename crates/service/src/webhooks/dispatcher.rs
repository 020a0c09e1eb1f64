//! The webhook dispatcher: delivers the durable event log to every active
//! subscription, at least once, in log order per subscription.
//!
//! # How
//! Every instance runs one. Whenever the log's end moves (any instance's
//! commit, as the [`LogRelay`](crate::LogRelay) sees it), and each tick for
//! retries that came due, it *claims* the subscriptions nobody
//! holds — a lease in the store ([`WebhookRepository::claim_webhooks`]), so
//! one instance at a time works on a subscription — and works on each, on
//! a task of its own (a slow receiver delays nobody else):
//!
//! 1. its oldest pending delivery, if any; otherwise the next event of the
//!    log after its cursor that it wants, queued as a delivery together
//!    with the cursor's move (one transaction, only under the lease);
//! 2. when that delivery is due, one attempt: `POST` of the event's JSON
//!    with the Standard Webhooks headers, signed with the subscription's
//!    secret, through the [`WebhookSender`] port;
//! 3. a 2xx within the timeout succeeds and the next event follows; any
//!    other outcome is recorded and retried after the next delay of the
//!    schedule (with jitter); when the schedule is exhausted the delivery
//!    fails and the subscription is disabled with the reason — it stops
//!    there, so re-activating it resumes with that very event.
//!
//! The delivery's id is its `webhook-id` on every attempt, so a receiver
//! that sees one twice (a delivery interrupted by `kill -9` is resumed by
//! whichever instance claims the subscription after the lease expires)
//! drops the copy. The lease is released when the work is done, and the
//! work stops well before the lease ends.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use tokio::sync::watch;
use tokio::task::JoinSet;
use trm_domain::{Attempt, Delivery, DeliveryState, EventPosition, RetrySchedule, Timestamp, Webhook, WebhookUrl};
use trm_repository::{EventFilter, EventLog, StoreError, WebhookRepository};
use uuid::Uuid;

use super::destinations::Destinations;

/// What became of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendOutcome {
    /// The receiver's status code, when it answered.
    pub status_code: Option<u16>,
    /// What went wrong otherwise (refused, timed out, …).
    pub error: Option<String>,
}

/// Makes one HTTP request to a receiver: `POST url` with `headers` and
/// `body`, within `timeout`.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait WebhookSender: Send + Sync + 'static {
    /// Sends, and tells what happened; never fails otherwise.
    async fn send(
        &self,
        url: &WebhookUrl,
        headers: Vec<(String, String)>,
        body: String,
        timeout: Duration,
    ) -> SendOutcome;
}

/// How the dispatcher behaves.
#[derive(Debug, Clone)]
pub struct DispatcherSettings {
    /// The delays between attempts.
    pub schedule: RetrySchedule,
    /// How long a receiver has to answer.
    pub timeout: Duration,
    /// How long a claim lasts.
    pub lease: Duration,
    /// The longest wait between two looks for work.
    pub tick: Duration,
    /// The shortest: under a write load the log's end moves with every
    /// commit, and each look costs the store a read; looking at most this
    /// often bounds that cost, and adds at most this to a delivery's delay.
    pub min_interval: Duration,
    /// The most subscriptions worked on at once.
    pub concurrency: u32,
}

impl Default for DispatcherSettings {
    fn default() -> Self {
        Self {
            schedule: RetrySchedule::standard(),
            timeout: Duration::from_secs(10),
            lease: Duration::from_secs(60),
            tick: Duration::from_millis(500),
            min_interval: Duration::from_millis(50),
            concurrency: 32,
        }
    }
}

/// The ports the dispatcher works through.
#[derive(Clone)]
pub struct DispatcherPorts {
    /// Subscriptions, deliveries and leases.
    pub webhooks: Arc<dyn WebhookRepository>,
    /// The event log.
    pub log: Arc<dyn EventLog>,
    /// The HTTP client.
    pub sender: Arc<dyn WebhookSender>,
    /// The destination policy, checked again before every attempt.
    pub destinations: Arc<dyn Destinations>,
}

/// The running dispatcher; stops when dropped.
#[derive(Debug)]
pub struct Dispatcher {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Dispatcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Dispatcher {
    /// Starts dispatching; it looks for work whenever `log_end` moves (see
    /// [`LogRelay::log_end`](crate::LogRelay::log_end)), and every tick for
    /// retries that came due.
    #[must_use]
    pub fn start(
        ports: DispatcherPorts,
        settings: DispatcherSettings,
        log_end: watch::Receiver<EventPosition>,
    ) -> Self {
        let task = tokio::spawn(run(ports, Arc::new(settings), log_end));
        Self { task }
    }
}

fn micros(duration: Duration) -> i64 {
    i64::try_from(duration.as_micros()).unwrap_or(i64::MAX)
}

fn later(at: Timestamp, by: Duration) -> Timestamp {
    Timestamp::from_micros_clamped(at.as_micros().saturating_add(micros(by)))
}

async fn run(ports: DispatcherPorts, settings: Arc<DispatcherSettings>, mut log_end: watch::Receiver<EventPosition>) {
    let owner = Uuid::new_v4();
    let mut working: JoinSet<()> = JoinSet::new();
    loop {
        while working.try_join_next().is_some() {}
        let free = settings.concurrency.saturating_sub(u32::try_from(working.len()).unwrap_or(u32::MAX));
        if free > 0 {
            let now = Timestamp::now();
            match ports.webhooks.claim_webhooks(owner, now, later(now, settings.lease), free).await {
                Ok(claimed) => {
                    for webhook in claimed {
                        let (ports, settings) = (ports.clone(), Arc::clone(&settings));
                        working.spawn(async move {
                            let id = webhook.id;
                            if let Err(error) = work_on(&ports, &settings, owner, webhook).await {
                                tracing::warn!(webhook = %id, error = %anyhow::Error::new(error), "webhook work failed");
                            }
                            if let Err(error) = ports.webhooks.release_webhook(id, owner).await {
                                tracing::debug!(webhook = %id, error = %anyhow::Error::new(error), "cannot release a lease");
                            }
                        });
                    }
                }
                Err(error) => tracing::warn!(error = %anyhow::Error::new(error), "cannot claim webhooks"),
            }
        }
        // A burst of commits wakes once: the watch keeps only the newest end.
        tokio::time::sleep(settings.min_interval).await;
        tokio::select! {
            moved = log_end.changed() => if moved.is_err() { return },
            _ = tokio::time::sleep(settings.tick) => {}
        }
    }
}

/// Works on one claimed subscription until it has nothing due, or the
/// lease is about to end.
async fn work_on(
    ports: &DispatcherPorts,
    settings: &DispatcherSettings,
    owner: Uuid,
    mut webhook: Webhook,
) -> Result<(), StoreError> {
    let started = Instant::now();
    // Stop in time to finish the last attempt (and record it) well within the lease.
    let budget = settings.lease.saturating_sub(settings.timeout + Duration::from_secs(2));
    while started.elapsed() < budget {
        let now = Timestamp::now();
        let delivery = match ports.webhooks.next_delivery(webhook.id).await? {
            Some(delivery) => delivery,
            None => {
                let filter = EventFilter { event_types: webhook.event_types.clone(), ..EventFilter::default() };
                let Some(next) = ports.log.events_after(&filter, webhook.after, 1).await?.pop() else {
                    return Ok(());
                };
                let payload = serde_json::to_string(&next.event).map_err(|error| {
                    StoreError::Unexpected(anyhow::Error::new(error).context("cannot encode an event"))
                })?;
                let delivery = Delivery::new(webhook.id, next.event.event_id, &next.event.event_type, payload, now);
                if !ports.webhooks.enqueue_delivery(&delivery, Some(next.position), owner).await? {
                    return Ok(()); // the lease was lost
                }
                webhook.after = next.position;
                delivery
            }
        };
        if delivery.next_attempt_at.is_some_and(|due| due > now) {
            return Ok(());
        }
        if !attempt(ports, settings, &webhook, &delivery).await? {
            return Ok(());
        }
    }
    Ok(())
}

/// One attempt at `delivery`; whether it succeeded.
async fn attempt(
    ports: &DispatcherPorts,
    settings: &DispatcherSettings,
    webhook: &Webhook,
    delivery: &Delivery,
) -> Result<bool, StoreError> {
    let at = Timestamp::now();
    let timestamp = at.as_micros() / 1_000_000;
    let id = delivery.id.to_string();
    let headers = vec![
        ("webhook-id".to_owned(), id.clone()),
        ("webhook-timestamp".to_owned(), timestamp.to_string()),
        ("webhook-signature".to_owned(), webhook.secret.sign(&id, timestamp, &delivery.payload)),
        ("content-type".to_owned(), "application/json".to_owned()),
        ("x-trm-event".to_owned(), delivery.event_type.clone()),
    ];
    let clock = Instant::now();
    let outcome = match ports.destinations.check(&webhook.url).await {
        Ok(()) => ports.sender.send(&webhook.url, headers, delivery.payload.clone(), settings.timeout).await,
        Err(reason) => SendOutcome { status_code: None, error: Some(reason) },
    };
    let succeeded = outcome.status_code.is_some_and(|code| (200..300).contains(&code));
    let error = match (&outcome.error, outcome.status_code) {
        (Some(error), _) => Some(error.clone()),
        (None, Some(code)) if !succeeded => Some(format!("the receiver answered {code}")),
        _ => None,
    };
    let attempt = Attempt {
        at,
        status_code: outcome.status_code,
        duration_ms: u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX),
        error: error.clone(),
    };
    if succeeded {
        ports.webhooks.record_attempt(delivery.id, &attempt, DeliveryState::Succeeded, None).await?;
        return Ok(true);
    }
    let failed = delivery.attempts.len() + 1;
    let jitter = f64::from(Uuid::new_v4().as_u128() as u32) / f64::from(u32::MAX);
    match settings.schedule.next_delay(failed, jitter) {
        Some(delay) => {
            let due = later(Timestamp::now(), delay);
            ports.webhooks.record_attempt(delivery.id, &attempt, DeliveryState::Pending, Some(due)).await?;
        }
        None => {
            ports.webhooks.record_attempt(delivery.id, &attempt, DeliveryState::Failed, None).await?;
            let reason = format!(
                "delivery {} of {} failed {failed} times; the last: {}",
                delivery.id,
                delivery.event_type,
                error.unwrap_or_default()
            );
            ports.webhooks.disable_webhook(webhook.id, &reason, Timestamp::now()).await?;
            tracing::warn!(webhook = %webhook.id, %reason, "a webhook was disabled");
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests;
