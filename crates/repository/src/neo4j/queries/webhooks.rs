//! Webhook subscriptions and their deliveries (see `crate::neo4j::webhooks`
//! for the leases and the locks these statements take).

use neo4rs::Query;
use trm_domain::{Cursor, DeliveryId, Timestamp, WebhookId};
use uuid::Uuid;

use crate::neo4j::values::datetime_param;

/// The columns `webhook_values::webhook_from_row` reads.
const RETURN_WEBHOOK: &str = "RETURN w.id AS id, w.url AS url, w.event_types AS event_types, \
     w.description AS description, w.active AS active, w.disabled_reason AS disabled_reason, \
     w.secret AS secret, w.created_at AS created_at, w.updated_at AS updated_at, w.after AS after";

/// The columns `webhook_values::delivery_from_row` reads.
const RETURN_DELIVERY: &str = "RETURN d.id AS id, d.webhook_id AS webhook_id, d.event_id AS event_id, \
     d.event_type AS event_type, d.payload AS payload, d.state AS state, d.attempts AS attempts, \
     d.next_attempt_at AS next_attempt_at, d.created_at AS created_at";

/// Takes the subscription's write lock; `locked` 0 when there is none.
pub(in crate::neo4j) const LOCK_WEBHOOK: &str =
    "MATCH (w:Webhook {id: $id}) SET w.lock_count = w.lock_count + 1 RETURN count(w) AS locked";

/// Locks up to `$limit` of the claimable subscriptions, picked at random
/// (see `WebhookRepository::claim_webhooks`: a fixed order starves those
/// past the limit) and locked oldest first, the one order every claimer
/// takes locks in; they are checked again, under the locks, by
/// [`CLAIM_LOCKED`].
pub(in crate::neo4j) const LOCK_CLAIMABLE_WEBHOOKS: &str = "MATCH (w:Webhook) WHERE w.active AND (w.lease_until IS NULL OR w.lease_until <= $now) \
     WITH w ORDER BY rand() LIMIT $limit \
     WITH w ORDER BY w.created_at, w.id \
     SET w.lock_count = w.lock_count + 1 RETURN w.id AS id";

/// Whether any subscription is claimable now (a read, without locks).
pub(in crate::neo4j) const ANY_CLAIMABLE_WEBHOOK: &str = "OPTIONAL MATCH (w:Webhook) WHERE w.active AND (w.lease_until IS NULL OR w.lease_until <= $now) \
     WITH w LIMIT 1 RETURN w IS NOT NULL AS claimable";

/// Leases those of the locked subscriptions that are still free.
const CLAIM_LOCKED: &str = "UNWIND $ids AS id MATCH (w:Webhook {id: id}) \
     WHERE w.active AND (w.lease_until IS NULL OR w.lease_until <= $now) \
     SET w.lease_owner = $owner, w.lease_until = $until";

/// Stores a delivery of a subscription, whoever holds its lease.
pub(in crate::neo4j) const ENQUEUE_DELIVERY: &str = "MATCH (w:Webhook {id: $webhook_id}) \
     CREATE (w)-[:HAS_DELIVERY]->(d:WebhookDelivery $props) RETURN count(d) AS stored";

/// Stores a delivery and moves the cursor, if `$owner` holds the lease.
pub(in crate::neo4j) const ENQUEUE_DELIVERY_ADVANCING: &str = "MATCH (w:Webhook {id: $webhook_id}) WHERE w.lease_owner = $owner \
     SET w.after = $after CREATE (w)-[:HAS_DELIVERY]->(d:WebhookDelivery $props) RETURN count(d) AS stored";

/// Stores a new subscription node.
pub(in crate::neo4j) const CREATE_WEBHOOK: &str = "CREATE (w:Webhook $props)";

/// The subscription with this id; no row when there is none.
pub(in crate::neo4j) fn get_webhook(id: WebhookId) -> Query {
    neo4rs::query(&format!("MATCH (w:Webhook {{id: $id}}) {RETURN_WEBHOOK}")).param("id", id.to_string())
}

/// Every subscription, oldest first.
pub(in crate::neo4j) fn list_webhooks() -> Query {
    neo4rs::query(&format!("MATCH (w:Webhook) {RETURN_WEBHOOK} ORDER BY created_at, id"))
}

/// Overwrites a subscription's settings; returns whether it was active
/// before.
pub(in crate::neo4j) const UPDATE_WEBHOOK: &str = "MATCH (w:Webhook {id: $id}) WITH w, w.active AS was_active \
             SET w.url = $url, w.event_types = $event_types, w.description = $description, w.active = $active, \
                 w.disabled_reason = $disabled_reason, w.updated_at = $updated_at \
             RETURN was_active";

/// Makes a subscription's failed deliveries pending again, due at `$at`.
pub(in crate::neo4j) const REACTIVATE_FAILED_DELIVERIES: &str = "MATCH (d:WebhookDelivery) \
             USING INDEX d:WebhookDelivery(webhook_id, state, created_at) \
             WHERE d.webhook_id = $id AND d.state = 'failed' AND d.created_at IS NOT NULL \
             SET d.state = 'pending', d.next_attempt_at = $at";

/// Deletes up to `$limit` of the succeeded deliveries created before
/// `$before`, oldest first, walking the `(state, created_at)` index.
pub(in crate::neo4j) const PRUNE_DELIVERIES: &str = "MATCH (d:WebhookDelivery) \
             USING INDEX d:WebhookDelivery(state, created_at) \
             WHERE d.state = 'succeeded' AND d.created_at < $before \
             WITH d ORDER BY d.state, d.created_at LIMIT $limit \
             DETACH DELETE d RETURN count(*) AS deleted";

/// Deletes up to `$limit` of the deliveries of subscription `$id`.
pub(in crate::neo4j) const DELETE_SOME_DELIVERIES: &str = "MATCH (:Webhook {id: $id})-[:HAS_DELIVERY]->(d:WebhookDelivery) \
             WITH d LIMIT $limit \
             DETACH DELETE d RETURN count(*) AS deleted";

/// Deletes a subscription with its deliveries (those left after
/// [`DELETE_SOME_DELIVERIES`]: the few queued meanwhile); `deleted` 0 when
/// there was none.
pub(in crate::neo4j) const DELETE_WEBHOOK: &str = "MATCH (w:Webhook {id: $id}) \
             OPTIONAL MATCH (w)-[:HAS_DELIVERY]->(d:WebhookDelivery) \
             WITH w, collect(d) AS deliveries \
             FOREACH (d IN deliveries | DETACH DELETE d) \
             DETACH DELETE w RETURN count(*) AS deleted";

/// [`CLAIM_LOCKED`] for `owner` until `until`, returning the subscriptions
/// leased, oldest first; `$ids` is bound by the caller, from the locked
/// candidates.
pub(in crate::neo4j) fn claim_locked_webhooks(now: Timestamp, owner: Uuid, until: Timestamp) -> Query {
    neo4rs::query(&format!("{CLAIM_LOCKED} {RETURN_WEBHOOK} ORDER BY created_at, id"))
        .param("now", datetime_param(now))
        .param("owner", owner.to_string())
        .param("until", datetime_param(until))
}

/// Gives up `$owner`'s lease on the subscription.
pub(in crate::neo4j) const RELEASE_WEBHOOK: &str =
    "MATCH (w:Webhook {id: $id}) WHERE w.lease_owner = $owner REMOVE w.lease_owner, w.lease_until";

/// The subscription's oldest pending delivery; no row when there is none.
///
/// The dispatcher asks before every delivery, and a subscription keeps
/// every delivery it ever had, so this reads one entry of the index of
/// deliveries by subscription and state, in its order (a composite index
/// gives its order only to an `ORDER BY` naming each of its properties);
/// Neo4j would otherwise scan every delivery of every subscription.
pub(in crate::neo4j) fn next_delivery(webhook: WebhookId) -> Query {
    neo4rs::query(&format!(
        "MATCH (d:WebhookDelivery) USING INDEX d:WebhookDelivery(webhook_id, state, created_at) \
         WHERE d.webhook_id = $id AND d.state = 'pending' AND d.created_at IS NOT NULL \
         {RETURN_DELIVERY} ORDER BY d.webhook_id, d.state, d.created_at, d.id LIMIT 1"
    ))
    .param("id", webhook.to_string())
}

/// Appends an attempt to a delivery and sets its state; `recorded` 0 when
/// there is no such delivery. Appending reads the list it writes: Cypher
/// locks first, so concurrent appends keep each other's attempts.
pub(in crate::neo4j) const RECORD_ATTEMPT: &str = "MATCH (d:WebhookDelivery {id: $id}) \
             SET d.attempts = coalesce(d.attempts, []) + $attempt, d.state = $state, d.next_attempt_at = $next \
             RETURN count(d) AS recorded";

/// Turns a subscription off with a reason; `disabled` 0 when there is none.
pub(in crate::neo4j) const DISABLE_WEBHOOK: &str = "MATCH (w:Webhook {id: $id}) SET w.active = false, w.disabled_reason = $reason, w.updated_at = $now \
             RETURN count(w) AS disabled";

/// One page of a subscription's deliveries, newest first, before the
/// cursor when there is one: walked along the `(webhook_id, created_at)`
/// index from the cursor (the bound is written without a top-level `OR`,
/// which Neo4j cannot seek), as [`next_delivery`] explains.
pub(in crate::neo4j) fn list_deliveries(webhook: WebhookId, before: Option<Cursor>, limit: u32) -> Query {
    let bound = if before.is_some() {
        "d.created_at <= $at AND (d.created_at < $at OR d.id < $uid)"
    } else {
        "d.created_at IS NOT NULL"
    };
    let mut query = neo4rs::query(&format!(
        "MATCH (d:WebhookDelivery) USING INDEX d:WebhookDelivery(webhook_id, created_at) \
         WHERE d.webhook_id = $id AND {bound} \
         {RETURN_DELIVERY} ORDER BY d.webhook_id DESC, d.created_at DESC, d.id DESC LIMIT $limit"
    ))
    .param("id", webhook.to_string())
    .param("limit", i64::from(limit));
    if let Some(cursor) = before {
        query = query.param("at", datetime_param(cursor.created_at)).param("uid", cursor.uid.to_string());
    }
    query
}

/// Makes a delivery of the subscription pending again, due `$now`, and
/// returns it; no row when there is no such delivery.
pub(in crate::neo4j) fn redeliver(webhook: WebhookId, delivery: DeliveryId, now: Timestamp) -> Query {
    neo4rs::query(&format!(
        "MATCH (d:WebhookDelivery {{id: $id, webhook_id: $webhook_id}}) \
         SET d.state = 'pending', d.next_attempt_at = $now {RETURN_DELIVERY}"
    ))
    .param("id", delivery.to_string())
    .param("webhook_id", webhook.to_string())
    .param("now", datetime_param(now))
}

#[cfg(test)]
mod tests {
    use trm_domain::{Cursor, Timestamp, WebhookId};
    use uuid::Uuid;

    use super::{list_deliveries, next_delivery};

    #[test]
    fn the_next_pending_delivery_is_one_entry_of_its_index_read_in_order() {
        let text = next_delivery(WebhookId::new()).query().to_owned();
        assert!(text.contains("USING INDEX d:WebhookDelivery(webhook_id, state, created_at)"), "{text}");
        assert!(text.contains("ORDER BY d.webhook_id, d.state, d.created_at, d.id LIMIT 1"), "{text}");
    }

    #[test]
    fn a_page_of_deliveries_walks_its_index_from_the_cursor_without_an_or_neo4j_cannot_seek() {
        let cursor = Cursor::new(Timestamp::now(), Uuid::new_v4());
        for before in [None, Some(cursor)] {
            let query = list_deliveries(WebhookId::new(), before, 10);
            let text = query.query();
            assert!(text.contains("USING INDEX d:WebhookDelivery(webhook_id, created_at)"), "{text}");
            assert!(text.contains("ORDER BY d.webhook_id DESC, d.created_at DESC, d.id DESC"), "{text}");
            assert!(!text.contains("WHERE d.created_at < $at OR"), "{text}");
            assert_eq!(query.has_param_key("uid"), before.is_some());
        }
    }
}
