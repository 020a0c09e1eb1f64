//! The webhook deliveries part of the contract: the next pending one,
//! attempts, the list, redelivery, what disabling and re-activating a
//! subscription do to its deliveries, and retention. Deliveries here are pings (queued
//! without moving the cursor), which need no lease, so these tests do not
//! claim; the lease's part is in [`super::webhooks`].

use trm_domain::{Attempt, Cursor, Delivery, DeliveryId, DeliveryState, EntityKind, Timestamp, Webhook, WebhookId};
use trm_repository::{StoreError, WebhookRepository};
use uuid::Uuid;

use super::support::{Backend, plus, unique_window};
use super::webhooks::{delete_all, stored};

/// A pending delivery of a new event to `webhook`, queued at `at`.
pub(crate) fn delivery(webhook: &Webhook, at: Timestamp) -> Delivery {
    let event = Uuid::new_v4();
    Delivery::new(webhook.id, event, "task.created", format!(r#"{{"id":"{event}","n":"é\n"}}"#), at)
}

/// Queues `delivery` as a ping: no lease needed.
async fn enqueue(store: &impl WebhookRepository, delivery: &Delivery) {
    assert!(store.enqueue_delivery(delivery, None, Uuid::new_v4()).await.unwrap());
}

fn attempt(at: Timestamp, status_code: Option<u16>, error: Option<&str>) -> Attempt {
    Attempt { at, status_code, duration_ms: 1234, error: error.map(str::to_owned) }
}

/// The delivery with this id, as the list shows it.
async fn listed(store: &impl WebhookRepository, webhook: WebhookId, id: DeliveryId) -> Delivery {
    let all = store.list_deliveries(webhook, None, 1000).await.unwrap();
    all.into_iter().find(|delivery| delivery.id == id).unwrap()
}

pub(crate) async fn the_next_delivery_is_the_oldest_pending_one<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let [webhook]: [Webhook; 1] = stored(store, 1).await.try_into().unwrap();
    let start = unique_window();
    let (older, newer) = (delivery(&webhook, plus(start, 1)), delivery(&webhook, plus(start, 2)));
    let mut twins = [delivery(&webhook, plus(start, 3)), delivery(&webhook, plus(start, 3))];
    twins.sort_by_key(|twin| *twin.id.as_uuid());
    let none_yet = store.next_delivery(webhook.id).await.unwrap();
    for delivery in [&twins[1], &newer, &twins[0], &older] {
        enqueue(store, delivery).await;
    }
    let mut order = Vec::new();
    while let Some(next) = store.next_delivery(webhook.id).await.unwrap() {
        order.push(next.clone());
        let done = attempt(start, Some(204), None);
        store.record_attempt(next.id, &done, DeliveryState::Succeeded, None).await.unwrap();
        if order.len() > 4 {
            break;
        }
    }
    delete_all(store, &[&webhook]).await;

    assert_eq!(none_yet, None);
    assert_eq!(order, vec![older, newer, twins[0].clone(), twins[1].clone()], "read back exactly, oldest first");
}

pub(crate) async fn attempts_are_appended_in_order_and_set_the_state<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let [webhook]: [Webhook; 1] = stored(store, 1).await.try_into().unwrap();
    let start = unique_window();
    let queued = delivery(&webhook, start);
    enqueue(store, &queued).await;
    let attempts = [
        attempt(plus(start, 10), Some(500), Some("Internal Server Error")),
        attempt(plus(start, 20), None, Some("timed out after 10 s")),
        attempt(plus(start, 30), Some(200), None),
    ];
    let (retry_at, later) = (plus(start, 15), plus(start, 25));
    store.record_attempt(queued.id, &attempts[0], DeliveryState::Pending, Some(retry_at)).await.unwrap();
    let after_one = listed(store, webhook.id, queued.id).await;
    store.record_attempt(queued.id, &attempts[1], DeliveryState::Pending, Some(later)).await.unwrap();
    store.record_attempt(queued.id, &attempts[2], DeliveryState::Succeeded, None).await.unwrap();
    let after_three = listed(store, webhook.id, queued.id).await;
    let unknown = store.record_attempt(DeliveryId::new(), &attempts[0], DeliveryState::Failed, None).await;
    delete_all(store, &[&webhook]).await;

    assert_eq!(after_one.attempts, attempts[..1]);
    assert_eq!((after_one.state, after_one.next_attempt_at), (DeliveryState::Pending, Some(retry_at)));
    let expected =
        Delivery { attempts: attempts.to_vec(), state: DeliveryState::Succeeded, next_attempt_at: None, ..queued };
    assert_eq!(after_three, expected);
    assert!(matches!(unknown, Err(StoreError::NotFound(EntityKind::Delivery))), "{unknown:?}");
}

pub(crate) async fn deliveries_are_listed_newest_first_a_page_at_a_time<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let [webhook, other]: [Webhook; 2] = stored(store, 2).await.try_into().unwrap();
    let start = unique_window();
    // Seven, two of them sharing a timestamp (their ids break the tie).
    let mut deliveries: Vec<Delivery> =
        [1, 2, 3, 3, 4, 5, 6].iter().map(|micros| delivery(&webhook, plus(start, *micros))).collect();
    for delivery in deliveries.iter().rev() {
        enqueue(store, delivery).await;
    }
    enqueue(store, &delivery(&other, plus(start, 7))).await;
    let mut pages = Vec::new();
    let mut before = None;
    for _ in 0..10 {
        let page = store.list_deliveries(webhook.id, before, 3).await.unwrap();
        let Some(last) = page.last() else { break };
        before = Some(Cursor::new(last.created_at, *last.id.as_uuid()));
        pages.push(page);
    }
    delete_all(store, &[&webhook, &other]).await;

    deliveries.sort_by_key(|delivery| std::cmp::Reverse((delivery.created_at, *delivery.id.as_uuid())));
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), vec![3, 3, 1]);
    assert_eq!(pages.concat(), deliveries, "every delivery once, newest first, none of another subscription");
}

pub(crate) async fn a_redelivery_makes_a_finished_delivery_pending_again<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let [webhook, other]: [Webhook; 2] = stored(store, 2).await.try_into().unwrap();
    let start = unique_window();
    let (succeeded, failed) = (delivery(&webhook, start), delivery(&webhook, plus(start, 1)));
    let tried = attempt(plus(start, 5), Some(410), Some("Gone"));
    for (delivery, state) in [(&succeeded, DeliveryState::Succeeded), (&failed, DeliveryState::Failed)] {
        enqueue(store, delivery).await;
        store.record_attempt(delivery.id, &tried, state, None).await.unwrap();
    }
    let now = plus(start, 1_000_000);
    let again = [
        store.redeliver(webhook.id, succeeded.id, now).await.unwrap(),
        store.redeliver(webhook.id, failed.id, now).await.unwrap(),
    ];
    let stored_again = listed(store, webhook.id, failed.id).await;
    let of_another = store.redeliver(other.id, succeeded.id, now).await;
    let unknown = store.redeliver(webhook.id, DeliveryId::new(), now).await;
    delete_all(store, &[&webhook, &other]).await;

    for (again, original) in again.iter().zip([&succeeded, &failed]) {
        let pending = Delivery { attempts: vec![tried.clone()], next_attempt_at: Some(now), ..original.clone() };
        assert_eq!(again, &pending, "pending, due now, its attempts kept");
    }
    assert_eq!(stored_again, again[1]);
    assert!(matches!(of_another, Err(StoreError::NotFound(EntityKind::Delivery))), "{of_another:?}");
    assert!(matches!(unknown, Err(StoreError::NotFound(EntityKind::Delivery))), "{unknown:?}");
}

pub(crate) async fn disabling_a_webhook_marks_it_inactive_with_its_reason<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let [webhook]: [Webhook; 1] = stored(store, 1).await.try_into().unwrap();
    let now = Timestamp::parse("2027-01-01T00:00:00.000009Z").unwrap();
    store.disable_webhook(webhook.id, "the retry schedule ran out", now).await.unwrap();
    let disabled = store.get_webhook(webhook.id).await.unwrap();
    let unknown = store.disable_webhook(WebhookId::new(), "why", now).await;
    delete_all(store, &[&webhook]).await;

    let expected = Webhook {
        active: false,
        disabled_reason: Some("the retry schedule ran out".to_owned()),
        updated_at: now,
        ..webhook
    };
    assert_eq!(disabled, Some(expected));
    assert!(matches!(unknown, Err(StoreError::NotFound(EntityKind::Webhook))), "{unknown:?}");
}

pub(crate) async fn reactivating_a_webhook_makes_its_failed_deliveries_pending_again<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let [webhook]: [Webhook; 1] = stored(store, 1).await.try_into().unwrap();
    let start = unique_window();
    let [failed, succeeded, pending] = [0, 1, 2].map(|micros| delivery(&webhook, plus(start, micros)));
    let tried = attempt(plus(start, 10), Some(503), None);
    for delivery in [&failed, &succeeded, &pending] {
        enqueue(store, delivery).await;
    }
    store.record_attempt(failed.id, &tried, DeliveryState::Failed, None).await.unwrap();
    store.record_attempt(succeeded.id, &tried, DeliveryState::Succeeded, None).await.unwrap();
    store.disable_webhook(webhook.id, "the retry schedule ran out", plus(start, 20)).await.unwrap();
    let reactivated_at = plus(start, 30);
    let reactivated = Webhook { disabled_reason: None, updated_at: reactivated_at, ..webhook.clone() };
    store.update_webhook(&reactivated).await.unwrap();
    let after_reactivation = store.list_deliveries(webhook.id, None, 10).await.unwrap();
    // Failing again while active, then an update that leaves it active.
    store.record_attempt(failed.id, &tried, DeliveryState::Failed, None).await.unwrap();
    store.update_webhook(&Webhook { updated_at: plus(start, 40), ..reactivated.clone() }).await.unwrap();
    let still_failed = listed(store, webhook.id, failed.id).await;
    let stored_webhook = store.get_webhook(webhook.id).await.unwrap();
    delete_all(store, &[&webhook]).await;

    let state = |id: DeliveryId| after_reactivation.iter().find(|d| d.id == id).map(|d| (d.state, d.next_attempt_at));
    assert_eq!(state(failed.id), Some((DeliveryState::Pending, Some(reactivated_at))), "due at the re-activation");
    assert_eq!(state(succeeded.id), Some((DeliveryState::Succeeded, None)));
    assert_eq!(state(pending.id), Some((DeliveryState::Pending, pending.next_attempt_at)), "left as it was");
    assert_eq!(still_failed.state, DeliveryState::Failed, "only a re-activation revives failed deliveries");
    assert_eq!(stored_webhook.map(|w| (w.active, w.disabled_reason)), Some((true, None)));
}

/// The start of a minute in the 19th century that no other test uses: old
/// enough to be pruned, and older than every other test's deliveries (which
/// are from now on, or in [`unique_window`]'s future), so that pruning
/// before it touches no other test's.
fn unique_ancient_window() -> Timestamp {
    let year_1800 = -5_364_662_400_000_000_i64;
    let minutes = i64::try_from(Uuid::new_v4().as_u128() % 50_000_000).unwrap();
    Timestamp::from_micros(year_1800 + minutes * 60_000_000).unwrap()
}

pub(crate) async fn retention_prunes_only_old_succeeded_deliveries_oldest_first_a_batch_at_a_time<B: Backend>(
    backend: &B,
) {
    const MINUTE: i64 = 60_000_000;
    let fixture = backend.open().await;
    let store = &fixture.store;
    let window = unique_ancient_window();
    // Whatever an earlier run left before this window would be pruned
    // with this test's deliveries; it goes first.
    while store.prune_deliveries(window, 1000).await.unwrap() == 1000 {}

    let [webhook]: [Webhook; 1] = stored(store, 1).await.try_into().unwrap();
    let cutoff = plus(window, 10 * MINUTE);
    let at = |minutes: i64| delivery(&webhook, plus(window, minutes * MINUTE));
    // Succeeded at minutes 3, 1, 2 (queued out of order), one after the
    // cutoff; a pending and a failed one older than all of them.
    let succeeded = [at(3), at(1), at(2), at(20)];
    let (pending, failed) = (at(0), at(0));
    let tried = |state| {
        attempt(plus(window, 30 * MINUTE), Some(if state == DeliveryState::Succeeded { 200 } else { 500 }), None)
    };
    for delivery in succeeded.iter().chain([&pending, &failed]) {
        enqueue(store, delivery).await;
    }
    for (delivery, state) in
        succeeded.iter().map(|d| (d, DeliveryState::Succeeded)).chain([(&failed, DeliveryState::Failed)])
    {
        store.record_attempt(delivery.id, &tried(state), state, None).await.unwrap();
    }
    let kept = async || {
        let mut ids: Vec<DeliveryId> =
            store.list_deliveries(webhook.id, None, 100).await.unwrap().into_iter().map(|d| d.id).collect();
        ids.sort_by_key(|id| *id.as_uuid());
        ids
    };
    let ids = |deliveries: &[&Delivery]| {
        let mut ids: Vec<DeliveryId> = deliveries.iter().map(|d| d.id).collect();
        ids.sort_by_key(|id| *id.as_uuid());
        ids
    };

    let first = store.prune_deliveries(cutoff, 2).await.unwrap();
    let after_first = kept().await;
    let second = store.prune_deliveries(cutoff, 2).await.unwrap();
    let third = store.prune_deliveries(cutoff, 2).await.unwrap();
    let after_all = kept().await;
    delete_all(store, &[&webhook]).await;

    assert_eq!(first, 2);
    assert_eq!(after_first, ids(&[&succeeded[0], &succeeded[3], &pending, &failed]), "minutes 1 and 2 went first");
    assert_eq!((second, third), (1, 0));
    assert_eq!(after_all, ids(&[&succeeded[3], &pending, &failed]), "pending, failed and newer ones stay");
}
