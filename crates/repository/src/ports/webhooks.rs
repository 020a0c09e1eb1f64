//! The webhook port: [`WebhookRepository`], subscriptions, their deliveries and leases.

use async_trait::async_trait;
use trm_domain::{Attempt, Cursor, Delivery, DeliveryId, DeliveryState, EventPosition, Timestamp, Webhook, WebhookId};
use uuid::Uuid;

use crate::error::StoreError;

/// Storage of webhook subscriptions, their deliveries, and the leases by
/// which one server instance at a time works on a subscription.
///
/// A subscription is worked on by whoever holds its lease: that instance
/// queues its next event ([`enqueue_delivery`](Self::enqueue_delivery),
/// which moves the subscription's cursor) and makes the attempts. A lease
/// that is not released (its holder was killed) expires, and another
/// instance takes the subscription over, resuming its pending delivery.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait WebhookRepository: Send + Sync + 'static {
    /// Stores a new subscription.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn create_webhook(&self, webhook: &Webhook) -> Result<(), StoreError>;

    /// The subscription with this id, if any.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn get_webhook(&self, id: WebhookId) -> Result<Option<Webhook>, StoreError>;

    /// Every subscription, oldest first (by `created_at`, then id).
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn list_webhooks(&self) -> Result<Vec<Webhook>, StoreError>;

    /// Replaces what an owner may change — `url`, `event_types`,
    /// `description`, `active`, `disabled_reason`, `updated_at` — leaving
    /// the secret, the cursor and the lease alone. When it re-activates a
    /// subscription (stored inactive, `webhook.active` true), every failed
    /// delivery of it becomes pending again, due at `webhook.updated_at`.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`]`(Webhook)` if no such
    /// subscription exists.
    async fn update_webhook(&self, webhook: &Webhook) -> Result<(), StoreError>;

    /// Deletes a subscription and its deliveries.
    ///
    /// A busy subscription keeps millions of deliveries, more than one
    /// transaction should hold: implementations delete them a batch a
    /// transaction, then the subscription with whatever was queued
    /// meanwhile. A failure halfway leaves the subscription with fewer
    /// deliveries (its oldest gone); deleting it again finishes the job.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`]`(Webhook)` if no such
    /// subscription exists.
    async fn delete_webhook(&self, id: WebhookId) -> Result<(), StoreError>;

    /// Leases up to `limit` *active* subscriptions whose lease is free or
    /// expired (`lease_until` at or before `now`) to `owner` until
    /// `lease_until`, atomically — of two racing claimers, each
    /// subscription goes to one — and returns them as they now are.
    ///
    /// When more than `limit` are claimable, it MUST NOT prefer the same
    /// ones every time (both stores pick at random): the dispatcher works
    /// on a bounded number at once and claims again as soon as they are
    /// released, so a fixed order (oldest first, say) would starve every
    /// subscription past the first `limit`, idle ones in front included.
    ///
    /// The dispatcher asks after every commit, so when nothing is claimable
    /// (no subscription at all, the usual case) an implementation SHOULD
    /// find that out with a read and not take a write transaction.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn claim_webhooks(
        &self,
        owner: Uuid,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<Webhook>, StoreError>;

    /// Frees the subscription's lease if `owner` holds it; otherwise does
    /// nothing.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn release_webhook(&self, id: WebhookId, owner: Uuid) -> Result<(), StoreError>;

    /// The subscription's oldest pending delivery (by `created_at`, then
    /// id), if any.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn next_delivery(&self, webhook: WebhookId) -> Result<Option<Delivery>, StoreError>;

    /// Stores a new delivery and, with `advance_to`, moves the
    /// subscription's cursor (`after`) there, in one transaction. With
    /// `advance_to`, only while `owner` holds the subscription's lease:
    /// returns whether it did, and stores nothing if not. Without (a ping),
    /// the delivery is stored whoever holds the lease, and `true` returned.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn enqueue_delivery(
        &self,
        delivery: &Delivery,
        advance_to: Option<EventPosition>,
        owner: Uuid,
    ) -> Result<bool, StoreError>;

    /// Appends `attempt` to a delivery and sets its state and next due time.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`]`(Delivery)` if no such delivery
    /// exists.
    async fn record_attempt(
        &self,
        delivery: DeliveryId,
        attempt: &Attempt,
        state: DeliveryState,
        next_attempt_at: Option<Timestamp>,
    ) -> Result<(), StoreError>;

    /// Marks the subscription inactive with `reason`, at `now`.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`]`(Webhook)` if no such
    /// subscription exists.
    async fn disable_webhook(&self, id: WebhookId, reason: &str, now: Timestamp) -> Result<(), StoreError>;

    /// Up to `limit` of the subscription's deliveries, newest first (by
    /// `created_at`, then id, descending), those before `before` when given.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn list_deliveries(
        &self,
        webhook: WebhookId,
        before: Option<Cursor>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError>;

    /// Makes one of the subscription's deliveries pending again, due at
    /// `now`, and returns it as it now is.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`]`(Delivery)` if the subscription
    /// has no such delivery.
    async fn redeliver(&self, webhook: WebhookId, delivery: DeliveryId, now: Timestamp)
    -> Result<Delivery, StoreError>;

    /// Deletes up to `limit` of the *succeeded* deliveries created before
    /// `before`, oldest first, and returns how many it deleted. Retention
    /// calls it in batches, as it prunes the event log: a subscription
    /// keeps a delivery for every event it was sent, and nothing else ever
    /// deletes one but the subscription's own deletion.
    ///
    /// It MUST NOT delete a pending delivery (it is still due) or a failed
    /// one (the record of why its subscription was disabled, which
    /// re-activation makes pending again). A batch SHOULD cost about
    /// `limit` deliveries however many the store holds.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn prune_deliveries(&self, before: Timestamp, limit: u32) -> Result<u64, StoreError>;
}
