//! [`WebhookRepository`] on SQLite.
//!
//! Subscriptions are rows of `webhooks`, their deliveries rows of
//! `webhook_deliveries` (migration `0006`); `event_types` and a delivery's
//! `attempts` are JSON text. A subscription's lease is two columns,
//! `lease_owner` and `lease_until`.
//!
//! Every check and the write depending on it — is the lease still this
//! owner's? was the subscription inactive? — run in one write transaction,
//! and SQLite has a single writer: a claim's `UPDATE … WHERE id IN (SELECT
//! the free ones)` cannot interleave with another, so of two racing
//! claimers each subscription goes to one.

use async_trait::async_trait;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension as _, Row, Transaction, params_from_iter};
use trm_domain::{
    Attempt, Cursor, Delivery, DeliveryId, DeliveryState, EntityKind, EventPosition, Timestamp, Webhook, WebhookId,
    WebhookSecret, WebhookUrl,
};
use uuid::Uuid;

use super::rows::{optional_timestamp_at, parsed, timestamp_at, uuid_at};
use super::{SqliteStore, unexpected};
use crate::error::StoreError;
use crate::ports::WebhookRepository;
use crate::rules::{DELIVERIES_DELETED_A_TRANSACTION, position_value};

/// The subscription columns, in the order [`webhook_from_row`] reads them.
const WEBHOOK_COLUMNS: &str = "id, url, event_types, description, active, disabled_reason, secret, created_at, \
     updated_at, after_position";

/// The delivery columns, in the order [`delivery_from_row`] reads them.
const DELIVERY_COLUMNS: &str =
    "id, webhook_id, event_id, event_type, payload, state, attempts, next_attempt_at, created_at";

fn webhook_from_row(row: &Row<'_>) -> rusqlite::Result<Webhook> {
    let event_types: String = row.get(2)?;
    let active: i64 = row.get(4)?;
    let secret: String = row.get(6)?;
    let after: i64 = row.get(9)?;
    Ok(Webhook {
        id: WebhookId::from_uuid(uuid_at(row, 0)?),
        url: parsed(1, WebhookUrl::parse(&row.get::<_, String>(1)?))?,
        event_types: parsed(2, serde_json::from_str(&event_types))?,
        description: row.get(3)?,
        active: active != 0,
        disabled_reason: row.get(5)?,
        secret: parsed(6, WebhookSecret::from_stored(&secret).ok_or("not a webhook secret"))?,
        created_at: timestamp_at(row, 7)?,
        updated_at: timestamp_at(row, 8)?,
        after: EventPosition(parsed(9, u64::try_from(after))?),
    })
}

fn delivery_from_row(row: &Row<'_>) -> rusqlite::Result<Delivery> {
    let state: String = row.get(5)?;
    let attempts: String = row.get(6)?;
    Ok(Delivery {
        id: DeliveryId::from_uuid(uuid_at(row, 0)?),
        webhook_id: WebhookId::from_uuid(uuid_at(row, 1)?),
        event_id: uuid_at(row, 2)?,
        event_type: row.get(3)?,
        payload: row.get(4)?,
        state: parsed(5, DeliveryState::parse(&state).ok_or("not a delivery state"))?,
        attempts: parsed(6, serde_json::from_str::<Vec<Attempt>>(&attempts))?,
        next_attempt_at: optional_timestamp_at(row, 7)?,
        created_at: timestamp_at(row, 8)?,
    })
}

fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|error| StoreError::Unexpected(anyhow::Error::new(error).context("cannot encode a webhook value")))
}

/// Whether the subscription is stored, and whether it is active.
fn stored_active(tx: &Transaction<'_>, id: &str) -> Result<Option<bool>, StoreError> {
    tx.prepare_cached("SELECT active FROM webhooks WHERE id = ?1")
        .and_then(|mut select| select.query_row([id], |row| row.get::<_, i64>(0)).optional())
        .map(|active| active.map(|active| active != 0))
        .map_err(unexpected("cannot read the webhook"))
}

/// Stores `delivery` unless its subscription is gone; whether it did.
fn insert_delivery(tx: &Transaction<'_>, delivery: &Delivery, attempts: &str) -> Result<bool, StoreError> {
    let inserted = tx
        .prepare_cached(&format!(
            "INSERT INTO webhook_deliveries ({DELIVERY_COLUMNS}) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE EXISTS (SELECT 1 FROM webhooks WHERE id = ?2)"
        ))
        .and_then(|mut insert| {
            insert.execute(rusqlite::params![
                delivery.id.to_string(),
                delivery.webhook_id.to_string(),
                delivery.event_id.to_string(),
                delivery.event_type,
                delivery.payload,
                delivery.state.as_str(),
                attempts,
                delivery.next_attempt_at.map(|at| at.as_micros()),
                delivery.created_at.as_micros(),
            ])
        })
        .map_err(unexpected("cannot store the delivery"))?;
    Ok(inserted == 1)
}

/// Deletes up to `?2` of the succeeded deliveries created before `?1`,
/// oldest first, along their partial index.
const PRUNE_DELIVERIES: &str = "DELETE FROM webhook_deliveries WHERE id IN \
     (SELECT id FROM webhook_deliveries WHERE state = 'succeeded' AND created_at < ?1 \
      ORDER BY created_at LIMIT ?2)";

#[async_trait]
impl WebhookRepository for SqliteStore {
    async fn create_webhook(&self, webhook: &Webhook) -> Result<(), StoreError> {
        let webhook = webhook.clone();
        let event_types = json(&webhook.event_types)?;
        self.write(move |tx| {
            tx.prepare_cached(&format!(
                "INSERT INTO webhooks ({WEBHOOK_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
            ))
            .and_then(|mut insert| {
                insert.execute(rusqlite::params![
                    webhook.id.to_string(),
                    webhook.url.as_str(),
                    event_types,
                    webhook.description,
                    webhook.active,
                    webhook.disabled_reason,
                    webhook.secret.expose(),
                    webhook.created_at.as_micros(),
                    webhook.updated_at.as_micros(),
                    position_value(webhook.after),
                ])
            })
            .map_err(unexpected("cannot store the webhook"))?;
            Ok(())
        })
        .await
    }

    async fn get_webhook(&self, id: WebhookId) -> Result<Option<Webhook>, StoreError> {
        self.read(move |conn| {
            conn.prepare_cached(&format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = ?1"))
                .and_then(|mut select| select.query_row([id.to_string()], webhook_from_row).optional())
                .map_err(unexpected("cannot read the webhook"))
        })
        .await
    }

    async fn list_webhooks(&self) -> Result<Vec<Webhook>, StoreError> {
        self.read(|conn| {
            conn.prepare_cached(&format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY created_at, id"))
                .and_then(|mut select| select.query_map([], webhook_from_row)?.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(unexpected("cannot list the webhooks"))
        })
        .await
    }

    async fn update_webhook(&self, webhook: &Webhook) -> Result<(), StoreError> {
        let webhook = webhook.clone();
        let event_types = json(&webhook.event_types)?;
        self.write(move |tx| {
            let id = webhook.id.to_string();
            let was_active = stored_active(tx, &id)?.ok_or(StoreError::NotFound(EntityKind::Webhook))?;
            tx.prepare_cached(
                "UPDATE webhooks SET url = ?2, event_types = ?3, description = ?4, active = ?5, \
                 disabled_reason = ?6, updated_at = ?7 WHERE id = ?1",
            )
            .and_then(|mut update| {
                update.execute(rusqlite::params![
                    id,
                    webhook.url.as_str(),
                    event_types,
                    webhook.description,
                    webhook.active,
                    webhook.disabled_reason,
                    webhook.updated_at.as_micros(),
                ])
            })
            .map_err(unexpected("cannot update the webhook"))?;
            if webhook.active && !was_active {
                tx.prepare_cached(
                    "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = ?2 \
                     WHERE webhook_id = ?1 AND state = 'failed'",
                )
                .and_then(|mut update| update.execute(rusqlite::params![id, webhook.updated_at.as_micros()]))
                .map_err(unexpected("cannot make the failed deliveries pending"))?;
            }
            Ok(())
        })
        .await
    }

    async fn delete_webhook(&self, id: WebhookId) -> Result<(), StoreError> {
        // Its deliveries first, a batch a transaction, so that other writes
        // go on between them; the last transaction deletes the subscription
        // and (by cascade) any delivery queued meanwhile.
        let batch = DELIVERIES_DELETED_A_TRANSACTION;
        while self
            .write(move |tx| {
                tx.prepare_cached(
                    "DELETE FROM webhook_deliveries WHERE id IN \
                     (SELECT id FROM webhook_deliveries WHERE webhook_id = ?1 LIMIT ?2)",
                )
                .and_then(|mut delete| delete.execute(rusqlite::params![id.to_string(), batch]))
                .map_err(unexpected("cannot delete the deliveries"))
            })
            .await?
            == usize::try_from(batch).unwrap_or(usize::MAX)
        {}
        self.write(move |tx| {
            let id = id.to_string();
            let deleted = tx
                .prepare_cached("DELETE FROM webhooks WHERE id = ?1")
                .and_then(|mut delete| delete.execute([&id]))
                .map_err(unexpected("cannot delete the webhook"))?;
            if deleted == 0 { Err(StoreError::NotFound(EntityKind::Webhook)) } else { Ok(()) }
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
        let sql = format!(
            "UPDATE webhooks SET lease_owner = ?1, lease_until = ?2 WHERE id IN \
             (SELECT id FROM webhooks WHERE active = 1 AND (lease_until IS NULL OR lease_until <= ?3) \
              ORDER BY random() LIMIT ?4) \
             RETURNING {WEBHOOK_COLUMNS}"
        );
        // A read first: with nothing claimable, the one writer is spared.
        let claimable = self
            .read(move |conn| {
                conn.prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM webhooks WHERE active = 1 AND (lease_until IS NULL OR lease_until <= ?1))",
                )
                .and_then(|mut select| select.query_row([now.as_micros()], |row| row.get::<_, bool>(0)))
                .map_err(unexpected("cannot look for claimable webhooks"))
            })
            .await?;
        if !claimable {
            return Ok(Vec::new());
        }
        let mut claimed: Vec<Webhook> = self
            .write(move |tx| {
                let params = rusqlite::params![owner.to_string(), lease_until.as_micros(), now.as_micros(), limit];
                tx.prepare_cached(&sql)
                    .and_then(|mut update| update.query_map(params, webhook_from_row)?.collect())
                    .map_err(unexpected("cannot claim webhooks"))
            })
            .await?;
        // `RETURNING` promises no order.
        claimed.sort_by_key(|webhook| (webhook.created_at, *webhook.id.as_uuid()));
        Ok(claimed)
    }

    async fn release_webhook(&self, id: WebhookId, owner: Uuid) -> Result<(), StoreError> {
        self.write(move |tx| {
            tx.prepare_cached(
                "UPDATE webhooks SET lease_owner = NULL, lease_until = NULL WHERE id = ?1 AND lease_owner = ?2",
            )
            .and_then(|mut update| update.execute([id.to_string(), owner.to_string()]))
            .map_err(unexpected("cannot release the webhook"))?;
            Ok(())
        })
        .await
    }

    async fn next_delivery(&self, webhook: WebhookId) -> Result<Option<Delivery>, StoreError> {
        self.read(move |conn| {
            conn.prepare_cached(&format!(
                "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = ?1 AND state = 'pending' \
                 ORDER BY created_at, id LIMIT 1"
            ))
            .and_then(|mut select| select.query_row([webhook.to_string()], delivery_from_row).optional())
            .map_err(unexpected("cannot read the next delivery"))
        })
        .await
    }

    async fn enqueue_delivery(
        &self,
        delivery: &Delivery,
        advance_to: Option<EventPosition>,
        owner: Uuid,
    ) -> Result<bool, StoreError> {
        let delivery = delivery.clone();
        let attempts = json(&delivery.attempts)?;
        self.write(move |tx| {
            if let Some(position) = advance_to {
                let advanced = tx
                    .prepare_cached("UPDATE webhooks SET after_position = ?3 WHERE id = ?1 AND lease_owner = ?2")
                    .and_then(|mut update| {
                        update.execute(rusqlite::params![
                            delivery.webhook_id.to_string(),
                            owner.to_string(),
                            position_value(position),
                        ])
                    })
                    .map_err(unexpected("cannot advance the webhook's cursor"))?;
                if advanced == 0 {
                    return Ok(false);
                }
            }
            insert_delivery(tx, &delivery, &attempts)
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
        let attempt = attempt.clone();
        self.write(move |tx| {
            let id = delivery.to_string();
            let stored: String = tx
                .prepare_cached("SELECT attempts FROM webhook_deliveries WHERE id = ?1")
                .and_then(|mut select| select.query_row([&id], |row| row.get(0)).optional())
                .map_err(unexpected("cannot read the delivery"))?
                .ok_or(StoreError::NotFound(EntityKind::Delivery))?;
            let mut attempts: Vec<Attempt> = serde_json::from_str(&stored).map_err(|error| {
                StoreError::Unexpected(anyhow::Error::new(error).context("corrupt stored delivery attempts"))
            })?;
            attempts.push(attempt.clone());
            let attempts = json(&attempts)?;
            tx.prepare_cached(
                "UPDATE webhook_deliveries SET attempts = ?2, state = ?3, next_attempt_at = ?4 WHERE id = ?1",
            )
            .and_then(|mut update| {
                update.execute(rusqlite::params![
                    id,
                    attempts,
                    state.as_str(),
                    next_attempt_at.map(|at| at.as_micros())
                ])
            })
            .map_err(unexpected("cannot record the attempt"))?;
            Ok(())
        })
        .await
    }

    async fn disable_webhook(&self, id: WebhookId, reason: &str, now: Timestamp) -> Result<(), StoreError> {
        let reason = reason.to_owned();
        self.write(move |tx| {
            let disabled = tx
                .prepare_cached("UPDATE webhooks SET active = 0, disabled_reason = ?2, updated_at = ?3 WHERE id = ?1")
                .and_then(|mut update| update.execute(rusqlite::params![id.to_string(), reason, now.as_micros()]))
                .map_err(unexpected("cannot disable the webhook"))?;
            if disabled == 0 { Err(StoreError::NotFound(EntityKind::Webhook)) } else { Ok(()) }
        })
        .await
    }

    async fn list_deliveries(
        &self,
        webhook: WebhookId,
        before: Option<Cursor>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        let mut params = vec![Value::Text(webhook.to_string())];
        let bound = match before {
            Some(cursor) => {
                params.push(Value::Integer(cursor.created_at.as_micros()));
                params.push(Value::Text(cursor.uid.to_string()));
                "AND (created_at < ?2 OR (created_at = ?2 AND id < ?3))"
            }
            None => "",
        };
        params.push(Value::Integer(i64::from(limit)));
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = ?1 {bound} \
             ORDER BY created_at DESC, id DESC LIMIT ?{}",
            params.len()
        );
        self.read(move |conn| {
            conn.prepare_cached(&sql)
                .and_then(|mut select| {
                    select.query_map(params_from_iter(params), delivery_from_row)?.collect::<rusqlite::Result<_>>()
                })
                .map_err(unexpected("cannot list the deliveries"))
        })
        .await
    }

    async fn redeliver(
        &self,
        webhook: WebhookId,
        delivery: DeliveryId,
        now: Timestamp,
    ) -> Result<Delivery, StoreError> {
        let sql = format!(
            "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = ?3 \
             WHERE id = ?1 AND webhook_id = ?2 RETURNING {DELIVERY_COLUMNS}"
        );
        self.write(move |tx| {
            tx.prepare_cached(&sql)
                .and_then(|mut update| {
                    update
                        .query_row(
                            rusqlite::params![delivery.to_string(), webhook.to_string(), now.as_micros()],
                            delivery_from_row,
                        )
                        .optional()
                })
                .map_err(unexpected("cannot make the delivery pending again"))?
                .ok_or(StoreError::NotFound(EntityKind::Delivery))
        })
        .await
    }

    async fn prune_deliveries(&self, before: Timestamp, limit: u32) -> Result<u64, StoreError> {
        self.write(move |tx| {
            let deleted = tx
                .prepare_cached(PRUNE_DELIVERIES)
                .and_then(|mut delete| delete.execute(rusqlite::params![before.as_micros(), i64::from(limit)]))
                .map_err(unexpected("cannot prune deliveries"))?;
            Ok(u64::try_from(deleted).unwrap_or_default())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::super::schema::migrate;
    use super::PRUNE_DELIVERIES;

    #[test]
    fn retention_walks_the_succeeded_deliveries_by_age_without_a_scan() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {PRUNE_DELIVERIES}"))
            .unwrap()
            .query_map(rusqlite::params![0_i64, 10_i64], |row| row.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let plan = plan.join("; ");
        assert!(plan.contains("USING INDEX webhook_deliveries_succeeded_by_age"), "{plan}");
        assert!(!plan.contains("SCAN webhook_deliveries") && !plan.contains("TEMP B-TREE"), "{plan}");
    }
}
