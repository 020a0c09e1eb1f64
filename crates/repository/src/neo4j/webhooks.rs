//! [`WebhookRepository`] on Neo4j.
//!
//! A subscription is a `(:Webhook)` node — `id`, `url`, `event_types` (a
//! string list), `description`, `active`, `disabled_reason`, `secret`,
//! `created_at`/`updated_at` (`DATETIME`s), `after` (its cursor in the
//! event log) and, while leased, `lease_owner` and `lease_until` — with its
//! deliveries `(:Webhook)-[:HAS_DELIVERY]->(:WebhookDelivery)`. A delivery
//! keeps its subscription's id as `webhook_id` too, for the index that
//! reads a subscription's deliveries in order; its `attempts` are a list of
//! JSON strings, appended to in place.
//!
//! # Leases under read committed
//! A `MATCH … WHERE w.lease_owner = $owner SET …` can read the lease,
//! wait for a concurrent claimer's lock and then write over the claimer's
//! committed lease. So every write that depends on the lease (or on
//! whether the subscription was active) first *locks* the subscription —
//! `SET w.lock_count = w.lock_count + 1`, a direct dependency, for which
//! Cypher locks before it reads (see `super::transactions`) — and checks in
//! a later statement of the same transaction, which reads the committed
//! state and holds it until the commit. A claim locks its candidates in
//! one order (oldest first), so racing claimers queue rather than deadlock,
//! and takes only those still free once locked: of two racing claimers,
//! each subscription goes to one. The contract tests race eight.
//!
//! The Cypher is in `queries::webhooks`.

use async_trait::async_trait;
use neo4rs::{Query, Row, Txn};
use trm_domain::{
    Attempt, Cursor, Delivery, DeliveryId, DeliveryState, EntityKind, EventPosition, Timestamp, Webhook, WebhookId,
};
use uuid::Uuid;

use super::errors::driver_error;
use super::transactions::{fetch_all, txn_fetch_all};
use super::values::{column_bool, column_integer, datetime_param};
use super::webhook_values::{
    attempt_json, column, count, delivery_from_row, delivery_props, optional_datetime, optional_text, webhook_from_row,
    webhook_props,
};
use super::{Neo4jStore, queries};
use crate::error::StoreError;
use crate::ports::WebhookRepository;
use crate::rules::{DELIVERIES_DELETED_A_TRANSACTION, position_value};

/// Locks the subscription (see the module's docs); whether it exists.
async fn lock(txn: &mut Txn, id: &str) -> Result<bool, StoreError> {
    let rows =
        txn_fetch_all(txn, neo4rs::query(queries::LOCK_WEBHOOK).param("id", id), "cannot lock the webhook").await?;
    Ok(rows.first().map(|row| column_integer(row, "locked")).transpose()?.unwrap_or_default() > 0)
}

impl Neo4jStore {
    async fn read_rows<T>(
        &self,
        what: &'static str,
        query: Query,
        from_row: fn(&Row) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let graph = self.graph();
        self.read(what, async move { fetch_all(graph, query, what).await?.iter().map(from_row).collect() }).await
    }
}

#[async_trait]
impl WebhookRepository for Neo4jStore {
    async fn create_webhook(&self, webhook: &Webhook) -> Result<(), StoreError> {
        let query = neo4rs::query(queries::CREATE_WEBHOOK).param("props", webhook_props(webhook));
        self.write("create a webhook", move |txn| {
            let query = query.clone();
            Box::pin(async move { txn.run(query).await.map_err(driver_error("cannot create the webhook")) })
        })
        .await
    }

    async fn get_webhook(&self, id: WebhookId) -> Result<Option<Webhook>, StoreError> {
        let query = queries::get_webhook(id);
        Ok(self.read_rows("read a webhook", query, webhook_from_row).await?.pop())
    }

    async fn list_webhooks(&self) -> Result<Vec<Webhook>, StoreError> {
        let query = queries::list_webhooks();
        self.read_rows("list the webhooks", query, webhook_from_row).await
    }

    async fn update_webhook(&self, webhook: &Webhook) -> Result<(), StoreError> {
        let id = webhook.id.to_string();
        let update = neo4rs::query(queries::UPDATE_WEBHOOK)
            .param("id", id.clone())
            .param("url", webhook.url.as_str())
            .param("event_types", webhook.event_types.clone())
            .param("description", optional_text(webhook.description.as_deref()))
            .param("active", webhook.active)
            .param("disabled_reason", optional_text(webhook.disabled_reason.as_deref()))
            .param("updated_at", datetime_param(webhook.updated_at));
        let reactivate = neo4rs::query(queries::REACTIVATE_FAILED_DELIVERIES)
            .param("id", id.clone())
            .param("at", datetime_param(webhook.updated_at));
        let active = webhook.active;
        self.write("update a webhook", move |txn| {
            let (id, update, reactivate) = (id.clone(), update.clone(), reactivate.clone());
            Box::pin(async move {
                if !lock(txn, &id).await? {
                    return Err(StoreError::NotFound(EntityKind::Webhook));
                }
                let rows = txn_fetch_all(txn, update, "cannot update the webhook").await?;
                // No row: deleted while this update waited for its lock.
                let row = rows.first().ok_or(StoreError::NotFound(EntityKind::Webhook))?;
                let was_active = column_bool(row, "was_active")?;
                if active && !was_active {
                    txn_fetch_all(txn, reactivate, "cannot make the failed deliveries pending").await?;
                }
                Ok(())
            })
        })
        .await
    }

    async fn delete_webhook(&self, id: WebhookId) -> Result<(), StoreError> {
        // Its deliveries first, a batch a transaction (one transaction holds
        // what it deletes in memory); then the subscription.
        let batch = DELIVERIES_DELETED_A_TRANSACTION;
        while self
            .write("delete a webhook's deliveries", move |txn| {
                Box::pin(async move {
                    let query = neo4rs::query(queries::DELETE_SOME_DELIVERIES)
                        .param("id", id.to_string())
                        .param("limit", i64::from(batch));
                    let rows = txn_fetch_all(txn, query, "cannot delete the deliveries").await?;
                    count(&rows, "deleted")
                })
            })
            .await?
            == i64::from(batch)
        {}
        let query = neo4rs::query(queries::DELETE_WEBHOOK).param("id", id.to_string());
        self.write("delete a webhook", move |txn| {
            let query = query.clone();
            Box::pin(async move {
                let rows = txn_fetch_all(txn, query, "cannot delete the webhook").await?;
                if count(&rows, "deleted")? == 0 { Err(StoreError::NotFound(EntityKind::Webhook)) } else { Ok(()) }
            })
        })
        .await
    }

    async fn claim_webhooks(
        &self,
        owner: Uuid,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<Webhook>, StoreError> {
        // A read first: with nothing claimable, no write transaction.
        let graph = self.graph();
        let any = neo4rs::query(queries::ANY_CLAIMABLE_WEBHOOK).param("now", datetime_param(now));
        let claimable = self
            .read("look for claimable webhooks", async move {
                let rows = fetch_all(graph, any, "cannot look for claimable webhooks").await?;
                rows.first().map(|row| column::<bool>(row, "claimable")).transpose().map(|found| found.unwrap_or(false))
            })
            .await?;
        if !claimable {
            return Ok(Vec::new());
        }
        let candidates = neo4rs::query(queries::LOCK_CLAIMABLE_WEBHOOKS)
            .param("now", datetime_param(now))
            .param("limit", i64::from(limit));
        let claim = queries::claim_locked_webhooks(now, owner, lease_until);
        self.write("claim webhooks", move |txn| {
            let (candidates, claim) = (candidates.clone(), claim.clone());
            Box::pin(async move {
                let rows = txn_fetch_all(txn, candidates, "cannot lock the claimable webhooks").await?;
                // A candidate deleted while this claim waited for its lock
                // reads back without an id.
                let ids = rows.iter().map(|row| column::<Option<String>>(row, "id")).collect::<Result<Vec<_>, _>>()?;
                let ids: Vec<String> = ids.into_iter().flatten().collect();
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                let rows = txn_fetch_all(txn, claim.param("ids", ids), "cannot claim webhooks").await?;
                rows.iter().map(webhook_from_row).collect()
            })
        })
        .await
    }

    async fn release_webhook(&self, id: WebhookId, owner: Uuid) -> Result<(), StoreError> {
        let id = id.to_string();
        let release = neo4rs::query(queries::RELEASE_WEBHOOK).param("id", id.clone()).param("owner", owner.to_string());
        self.write("release a webhook", move |txn| {
            let (id, release) = (id.clone(), release.clone());
            Box::pin(async move {
                if lock(txn, &id).await? {
                    txn.run(release).await.map_err(driver_error("cannot release the webhook"))?;
                }
                Ok(())
            })
        })
        .await
    }

    async fn next_delivery(&self, webhook: WebhookId) -> Result<Option<Delivery>, StoreError> {
        let query = queries::next_delivery(webhook);
        Ok(self.read_rows("read the next delivery", query, delivery_from_row).await?.pop())
    }

    async fn enqueue_delivery(
        &self,
        delivery: &Delivery,
        advance_to: Option<EventPosition>,
        owner: Uuid,
    ) -> Result<bool, StoreError> {
        let webhook_id = delivery.webhook_id.to_string();
        let props = delivery_props(delivery)?;
        let query = match advance_to {
            Some(position) => neo4rs::query(queries::ENQUEUE_DELIVERY_ADVANCING)
                .param("owner", owner.to_string())
                .param("after", position_value(position)),
            None => neo4rs::query(queries::ENQUEUE_DELIVERY),
        }
        .param("webhook_id", webhook_id.clone())
        .param("props", props);
        let check_lease = advance_to.is_some();
        self.write("enqueue a delivery", move |txn| {
            let (webhook_id, query) = (webhook_id.clone(), query.clone());
            Box::pin(async move {
                if check_lease && !lock(txn, &webhook_id).await? {
                    return Ok(false);
                }
                let rows = txn_fetch_all(txn, query, "cannot store the delivery").await?;
                Ok(count(&rows, "stored")? > 0)
            })
        })
        .await
    }

    async fn record_attempt(
        &self,
        delivery: DeliveryId,
        attempt: &Attempt,
        state: DeliveryState,
        next_attempt_at: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        // Appending reads the list it writes: Cypher locks first, so
        // concurrent appends keep each other's attempts.
        let query = neo4rs::query(queries::RECORD_ATTEMPT)
            .param("id", delivery.to_string())
            .param("attempt", attempt_json(attempt)?)
            .param("state", state.as_str())
            .param("next", optional_datetime(next_attempt_at));
        self.write("record a delivery attempt", move |txn| {
            let query = query.clone();
            Box::pin(async move {
                let rows = txn_fetch_all(txn, query, "cannot record the attempt").await?;
                if count(&rows, "recorded")? == 0 { Err(StoreError::NotFound(EntityKind::Delivery)) } else { Ok(()) }
            })
        })
        .await
    }

    async fn disable_webhook(&self, id: WebhookId, reason: &str, now: Timestamp) -> Result<(), StoreError> {
        let query = neo4rs::query(queries::DISABLE_WEBHOOK)
            .param("id", id.to_string())
            .param("reason", reason)
            .param("now", datetime_param(now));
        self.write("disable a webhook", move |txn| {
            let query = query.clone();
            Box::pin(async move {
                let rows = txn_fetch_all(txn, query, "cannot disable the webhook").await?;
                if count(&rows, "disabled")? == 0 { Err(StoreError::NotFound(EntityKind::Webhook)) } else { Ok(()) }
            })
        })
        .await
    }

    async fn list_deliveries(
        &self,
        webhook: WebhookId,
        before: Option<Cursor>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        let query = queries::list_deliveries(webhook, before, limit);
        self.read_rows("list the deliveries", query, delivery_from_row).await
    }

    async fn redeliver(
        &self,
        webhook: WebhookId,
        delivery: DeliveryId,
        now: Timestamp,
    ) -> Result<Delivery, StoreError> {
        let query = queries::redeliver(webhook, delivery, now);
        self.write("redeliver a delivery", move |txn| {
            let query = query.clone();
            Box::pin(async move {
                let rows = txn_fetch_all(txn, query, "cannot make the delivery pending again").await?;
                rows.first().map(delivery_from_row).transpose()?.ok_or(StoreError::NotFound(EntityKind::Delivery))
            })
        })
        .await
    }

    async fn prune_deliveries(&self, before: Timestamp, limit: u32) -> Result<u64, StoreError> {
        self.write("prune deliveries", move |txn| {
            Box::pin(async move {
                let query = neo4rs::query(queries::PRUNE_DELIVERIES)
                    .param("before", datetime_param(before))
                    .param("limit", i64::from(limit));
                let rows = txn_fetch_all(txn, query, "cannot prune deliveries").await?;
                let deleted = rows.first().map(|row| column_integer(row, "deleted")).transpose()?.unwrap_or_default();
                Ok(u64::try_from(deleted).unwrap_or_default())
            })
        })
        .await
    }
}
