//! Webhooks: subscriptions managed over the API, and the dispatcher that
//! delivers the durable event log to them.
//!
//! * [`WebhookService`] — the use cases: create (the secret is shown once),
//!   list, read, change, delete, the delivery log, redeliver, ping.
//! * [`Destinations`] — whether a URL may be called: `http`/`https` only,
//!   and no host resolving to a loopback, private or link-local address
//!   unless allowed ([`ResolvingDestinations`]).
//! * [`dispatcher`] — the background worker: at least once, in log order
//!   per subscription, retried on a schedule, under a lease in the store so
//!   that one instance at a time works on a subscription.

pub mod destinations;
pub mod dispatcher;

use std::sync::Arc;

use async_trait::async_trait;
use trm_domain::{
    Cursor, Delivery, DeliveryId, DomainEvent, EntityKind, EventMetadata, FieldError, FieldErrorKind, FieldPath,
    Timestamp, ValidationErrors, Webhook, WebhookId, WebhookSecret, WebhookUrl,
};
use trm_repository::{EventLog, WebhookRepository};

pub use self::destinations::{Destinations, ResolvingDestinations};
use crate::error::ServiceError;
use crate::history::PRUNE_BATCH;

/// The event types a subscription may name.
pub const EVENT_TYPES: [&str; 10] = [
    "task.created",
    "task.updated",
    "task.completed",
    "task.deleted",
    "project.created",
    "project.updated",
    "project.deleted",
    "user.created",
    "user.updated",
    "user.deleted",
];

/// The event type of a ping.
pub const PING: &str = "webhook.ping";

/// A new subscription, as its owner asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebhook {
    /// Where deliveries go.
    pub url: WebhookUrl,
    /// The event types it receives; empty: all.
    pub event_types: Vec<String>,
    /// What it is for.
    pub description: Option<String>,
}

/// A change to a subscription: `None` keeps a field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookPatch {
    /// A new destination.
    pub url: Option<WebhookUrl>,
    /// New event types (empty: all).
    pub event_types: Option<Vec<String>>,
    /// A new description; `Some(None)` clears it.
    pub description: Option<Option<String>>,
    /// Disable (`false`) or re-activate (`true`).
    pub active: Option<bool>,
}

/// What can be done with webhooks. The HTTP layer depends on this trait, so
/// its tests can substitute a mock (feature `mocks`).
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait WebhookUseCases: Send + Sync + 'static {
    /// Subscribes; the answer carries the secret, the only time it is shown.
    async fn create_webhook(&self, new: NewWebhook) -> Result<Webhook, ServiceError>;
    /// Every subscription, oldest first.
    async fn list_webhooks(&self) -> Result<Vec<Webhook>, ServiceError>;
    /// One subscription.
    async fn get_webhook(&self, id: WebhookId) -> Result<Webhook, ServiceError>;
    /// Changes a subscription; re-activating resumes with the delivery that
    /// exhausted its schedule.
    async fn update_webhook(&self, id: WebhookId, patch: WebhookPatch) -> Result<Webhook, ServiceError>;
    /// Unsubscribes, forgetting the delivery log.
    async fn delete_webhook(&self, id: WebhookId) -> Result<(), ServiceError>;
    /// Up to `limit` deliveries, newest first, before `before`.
    async fn deliveries(
        &self,
        id: WebhookId,
        before: Option<Cursor>,
        limit: u32,
    ) -> Result<Vec<Delivery>, ServiceError>;
    /// Sends a delivery again (as a new attempt of the same delivery).
    async fn redeliver(&self, id: WebhookId, delivery: DeliveryId) -> Result<Delivery, ServiceError>;
    /// Queues a `webhook.ping` delivery.
    async fn ping(&self, id: WebhookId) -> Result<Delivery, ServiceError>;
    /// Deletes the succeeded deliveries created before `cutoff`, a bounded
    /// batch at a time, and returns how many: the delivery log's retention,
    /// which follows the event log's. Pending and failed ones are kept.
    async fn prune_deliveries_before(&self, cutoff: Timestamp) -> Result<u64, ServiceError>;
}

/// The webhook use cases over a store.
#[derive(Clone)]
pub struct WebhookService {
    webhooks: Arc<dyn WebhookRepository>,
    log: Arc<dyn EventLog>,
    destinations: Arc<dyn Destinations>,
}

impl WebhookService {
    /// The use cases over these ports.
    pub fn new(
        webhooks: Arc<dyn WebhookRepository>,
        log: Arc<dyn EventLog>,
        destinations: Arc<dyn Destinations>,
    ) -> Self {
        Self { webhooks, log, destinations }
    }

    /// Refuses unknown event types and unreachable or forbidden URLs, each
    /// problem at its place in the body.
    async fn check(&self, url: Option<&WebhookUrl>, event_types: Option<&[String]>) -> Result<(), ServiceError> {
        let mut errors = ValidationErrors::new();
        if let Some(url) = url
            && let Err(reason) = self.destinations.check(url).await
        {
            errors.push(FieldError::new("url", FieldErrorKind::Invalid(reason)));
        }
        for (index, event_type) in event_types.unwrap_or_default().iter().enumerate() {
            if !EVENT_TYPES.contains(&event_type.as_str()) {
                let path = FieldPath::field("event_types").index(index);
                errors.push(FieldError::at(path, FieldErrorKind::Enum(EVENT_TYPES.map(str::to_owned).to_vec())));
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(ServiceError::Invalid(errors)) }
    }
}

#[async_trait]
impl WebhookUseCases for WebhookService {
    async fn create_webhook(&self, new: NewWebhook) -> Result<Webhook, ServiceError> {
        self.check(Some(&new.url), Some(&new.event_types)).await?;
        let secret = WebhookSecret::generate()
            .map_err(|_| ServiceError::Unexpected(anyhow::anyhow!("the operating system gave no randomness")))?;
        let now = Timestamp::now();
        // It receives what is committed after its creation.
        let after = self.log.last_position().await.map_err(ServiceError::from_store)?;
        let webhook = Webhook {
            id: WebhookId::new(),
            url: new.url,
            event_types: new.event_types,
            description: new.description,
            active: true,
            disabled_reason: None,
            secret,
            created_at: now,
            updated_at: now,
            after,
        };
        self.webhooks.create_webhook(&webhook).await.map_err(ServiceError::from_store)?;
        Ok(webhook)
    }

    async fn list_webhooks(&self) -> Result<Vec<Webhook>, ServiceError> {
        self.webhooks.list_webhooks().await.map_err(ServiceError::from_store)
    }

    async fn get_webhook(&self, id: WebhookId) -> Result<Webhook, ServiceError> {
        self.webhooks
            .get_webhook(id)
            .await
            .map_err(ServiceError::from_store)?
            .ok_or(ServiceError::NotFound(EntityKind::Webhook))
    }

    async fn update_webhook(&self, id: WebhookId, patch: WebhookPatch) -> Result<Webhook, ServiceError> {
        self.check(patch.url.as_ref(), patch.event_types.as_deref()).await?;
        let mut webhook = self.get_webhook(id).await?;
        if let Some(url) = patch.url {
            webhook.url = url;
        }
        if let Some(event_types) = patch.event_types {
            webhook.event_types = event_types;
        }
        if let Some(description) = patch.description {
            webhook.description = description;
        }
        if let Some(active) = patch.active {
            if active && !webhook.active {
                webhook.disabled_reason = None;
            }
            webhook.active = active;
        }
        webhook.updated_at = Timestamp::now();
        self.webhooks.update_webhook(&webhook).await.map_err(ServiceError::from_store)?;
        Ok(webhook)
    }

    async fn delete_webhook(&self, id: WebhookId) -> Result<(), ServiceError> {
        self.webhooks.delete_webhook(id).await.map_err(ServiceError::from_store)
    }

    async fn deliveries(
        &self,
        id: WebhookId,
        before: Option<Cursor>,
        limit: u32,
    ) -> Result<Vec<Delivery>, ServiceError> {
        self.get_webhook(id).await?;
        self.webhooks.list_deliveries(id, before, limit).await.map_err(ServiceError::from_store)
    }

    async fn redeliver(&self, id: WebhookId, delivery: DeliveryId) -> Result<Delivery, ServiceError> {
        self.get_webhook(id).await?;
        self.webhooks.redeliver(id, delivery, Timestamp::now()).await.map_err(ServiceError::from_store)
    }

    async fn ping(&self, id: WebhookId) -> Result<Delivery, ServiceError> {
        let webhook = self.get_webhook(id).await?;
        let now = Timestamp::now();
        let event = DomainEvent {
            event_id: uuid::Uuid::new_v4(),
            event_type: PING.to_owned(),
            timestamp: now,
            entity_type: EntityKind::Webhook.key().to_owned(),
            entity_id: *webhook.id.as_uuid(),
            data: serde_json::json!({ "webhook_id": webhook.id }),
            metadata: EventMetadata { request_id: crate::events::current_metadata().request_id },
        };
        let payload = serde_json::to_string(&event)
            .map_err(|error| ServiceError::Unexpected(anyhow::Error::new(error).context("cannot encode a ping")))?;
        let delivery = Delivery::new(webhook.id, event.event_id, PING, payload, now);
        // Queued without a lease: a ping moves no cursor.
        self.webhooks.enqueue_delivery(&delivery, None, uuid::Uuid::nil()).await.map_err(ServiceError::from_store)?;
        Ok(delivery)
    }

    async fn prune_deliveries_before(&self, cutoff: Timestamp) -> Result<u64, ServiceError> {
        let mut total = 0;
        loop {
            let deleted =
                self.webhooks.prune_deliveries(cutoff, PRUNE_BATCH).await.map_err(ServiceError::from_store)?;
            total += deleted;
            if deleted < u64::from(PRUNE_BATCH) {
                return Ok(total);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use trm_repository::{MockEventLog, MockWebhookRepository, StoreError};

    use super::*;

    fn service(webhooks: MockWebhookRepository) -> WebhookService {
        WebhookService::new(
            Arc::new(webhooks),
            Arc::new(MockEventLog::new()),
            Arc::new(ResolvingDestinations { allow_private: true }),
        )
    }

    #[tokio::test]
    async fn the_delivery_log_is_pruned_in_bounded_batches_until_one_comes_back_short() {
        let cutoff = Timestamp::now();
        let mut webhooks = MockWebhookRepository::new();
        let mut sequence = mockall::Sequence::new();
        for deleted in [u64::from(PRUNE_BATCH), 3] {
            webhooks
                .expect_prune_deliveries()
                .withf(move |before, limit| *before == cutoff && *limit == PRUNE_BATCH)
                .times(1)
                .in_sequence(&mut sequence)
                .returning(move |_, _| Ok(deleted));
        }
        let total = service(webhooks).prune_deliveries_before(cutoff).await.unwrap();
        assert_eq!(total, u64::from(PRUNE_BATCH) + 3);
    }

    #[tokio::test]
    async fn a_store_failing_while_pruning_deliveries_is_reported() {
        let mut webhooks = MockWebhookRepository::new();
        webhooks
            .expect_prune_deliveries()
            .returning(|_, _| Err(StoreError::Unavailable(anyhow::anyhow!("the store is down"))));
        let result = service(webhooks).prune_deliveries_before(Timestamp::now()).await;
        assert!(matches!(result, Err(ServiceError::Unavailable(_))), "{result:?}");
    }
}
