//! The webhook part of the contract: subscriptions and their leases (the
//! deliveries are in [`super::webhook_deliveries`]).
//!
//! On Neo4j every test shares one database, so a test only looks at the
//! subscriptions it made, and deletes them *before* it asserts anything: a
//! failing test leaves no active subscription behind for a server on that
//! database to work on. A claim takes *every* free subscription, other
//! tests' too, so the tests that claim run one at a time ([`claiming`]),
//! claim with a limit larger than any test's share, and give back at once
//! what is not theirs.

use std::collections::HashSet;

use futures::future::join_all;
use tokio::sync::{Mutex, MutexGuard};
use trm_domain::{Delivery, EntityKind, EventPosition, Timestamp, Webhook, WebhookId, WebhookSecret, WebhookUrl};
use trm_repository::{StoreError, WebhookRepository};
use uuid::Uuid;

use super::group_commit::all_at_once;
use super::support::{Backend, plus};

/// A limit above every subscription a test run can leave free.
pub(crate) const ALL: u32 = 100_000;

/// A lease's length in these tests: a minute, in microseconds.
const MINUTE: i64 = 60_000_000;

/// An active subscription created at `at`, with every field set.
pub(crate) fn webhook(at: Timestamp) -> Webhook {
    Webhook {
        id: WebhookId::new(),
        // `.invalid` never resolves: nothing is ever sent there.
        url: WebhookUrl::parse("https://hooks.invalid/contract?x=1").unwrap(),
        event_types: vec!["task.created".to_owned(), "task.deleted".to_owned()],
        description: Some("  the contract's, verbatim \n".to_owned()),
        active: true,
        disabled_reason: None,
        secret: WebhookSecret::generate().unwrap(),
        created_at: at,
        updated_at: at,
        after: EventPosition(42),
    }
}

/// Stores `count` new active subscriptions; returns them.
pub(crate) async fn stored(store: &impl WebhookRepository, count: usize) -> Vec<Webhook> {
    let mut webhooks = Vec::new();
    for _ in 0..count {
        let webhook = webhook(Timestamp::now());
        store.create_webhook(&webhook).await.unwrap();
        webhooks.push(webhook);
    }
    webhooks
}

/// Deletes the test's subscriptions (some may be gone already).
pub(crate) async fn delete_all(store: &impl WebhookRepository, webhooks: &[&Webhook]) {
    for webhook in webhooks {
        let _ = store.delete_webhook(webhook.id).await;
    }
}

/// Makes the tests that claim wait for each other on a shared database.
static CLAIMS: Mutex<()> = Mutex::const_new(());

async fn claiming<B: Backend>(backend: &B) -> Option<MutexGuard<'static, ()>> {
    if backend.is_private() { None } else { Some(CLAIMS.lock().await) }
}

/// The subscriptions among `mine` that a claim by `owner` leased; the
/// others it leased are released again.
async fn claim(
    store: &impl WebhookRepository,
    owner: Uuid,
    now: Timestamp,
    limit: u32,
    mine: &[&Webhook],
) -> Vec<Webhook> {
    let claimed = store.claim_webhooks(owner, now, plus(now, MINUTE), limit).await.unwrap();
    let (ours, others): (Vec<Webhook>, Vec<Webhook>) =
        claimed.into_iter().partition(|webhook| mine.iter().any(|m| m.id == webhook.id));
    for other in others {
        store.release_webhook(other.id, owner).await.unwrap();
    }
    ours
}

fn ids(webhooks: &[Webhook]) -> Vec<WebhookId> {
    webhooks.iter().map(|webhook| webhook.id).collect()
}

pub(crate) async fn a_webhook_reads_back_with_its_secret_event_types_and_cursor<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let older = webhook(Timestamp::parse("2026-03-01T10:00:00.000001Z").unwrap());
    let newer = Webhook {
        event_types: Vec::new(),
        description: None,
        active: false,
        disabled_reason: Some("the retry schedule ran out".to_owned()),
        after: EventPosition::START,
        ..webhook(Timestamp::parse("2026-03-01T10:00:00.000002Z").unwrap())
    };
    for webhook in [&newer, &older] {
        store.create_webhook(webhook).await.unwrap();
    }
    let got = (store.get_webhook(older.id).await.unwrap(), store.get_webhook(newer.id).await.unwrap());
    let listed = store.list_webhooks().await.unwrap();
    let unknown = store.get_webhook(WebhookId::new()).await.unwrap();
    delete_all(store, &[&older, &newer]).await;

    assert_eq!(got, (Some(older.clone()), Some(newer.clone())), "read back exactly, secret included");
    let mine: Vec<&Webhook> = listed.iter().filter(|w| w.id == older.id || w.id == newer.id).collect();
    assert_eq!(mine, vec![&older, &newer], "oldest first");
    assert_eq!(unknown, None);
}

pub(crate) async fn an_update_replaces_only_what_an_owner_may_change<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let original = webhook(Timestamp::parse("2026-03-01T10:00:00Z").unwrap());
    store.create_webhook(&original).await.unwrap();
    let changed = Webhook {
        url: WebhookUrl::parse("http://other.invalid:8080/hook").unwrap(),
        event_types: vec!["project.updated".to_owned()],
        description: None,
        active: false,
        disabled_reason: Some("paused".to_owned()),
        updated_at: Timestamp::parse("2026-03-02T10:00:00.000003Z").unwrap(),
        // Not the owner's to change: kept as stored.
        secret: WebhookSecret::generate().unwrap(),
        after: EventPosition(7),
        ..original.clone()
    };
    store.update_webhook(&changed).await.unwrap();
    let stored = store.get_webhook(original.id).await.unwrap();
    let missing = store.update_webhook(&webhook(Timestamp::now())).await;
    delete_all(store, &[&original]).await;

    let expected = Webhook { secret: original.secret.clone(), after: original.after, ..changed };
    assert_eq!(stored, Some(expected));
    assert!(matches!(missing, Err(StoreError::NotFound(EntityKind::Webhook))), "{missing:?}");
}

/// A busy subscription's deliveries are more than one transaction deletes
/// (a thousand): all go, and no other subscription's.
pub(crate) async fn deleting_a_webhook_deletes_all_its_deliveries_and_only_its<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let [webhook, other]: [Webhook; 2] = stored(store, 2).await.try_into().unwrap();
    let deliveries: Vec<Delivery> =
        (0..2_100).map(|_| super::webhook_deliveries::delivery(&webhook, Timestamp::now())).collect();
    for some in deliveries.chunks(100) {
        let queued = join_all(some.iter().map(|delivery| store.enqueue_delivery(delivery, None, Uuid::new_v4()))).await;
        assert!(queued.into_iter().all(|queued| queued.unwrap()));
    }
    let delivery = &deliveries[0];
    let others = super::webhook_deliveries::delivery(&other, Timestamp::now());
    assert!(store.enqueue_delivery(&others, None, Uuid::new_v4()).await.unwrap());
    let deleted = store.delete_webhook(webhook.id).await;
    let again = store.delete_webhook(webhook.id).await;
    let others_kept = store.list_deliveries(other.id, None, 10).await.unwrap();
    delete_all(store, &[&other]).await;

    assert!(deleted.is_ok(), "{deleted:?}");
    assert!(matches!(again, Err(StoreError::NotFound(EntityKind::Webhook))), "{again:?}");
    assert_eq!(store.get_webhook(webhook.id).await.unwrap(), None);
    assert_eq!(store.next_delivery(webhook.id).await.unwrap(), None);
    assert!(store.list_deliveries(webhook.id, None, 10).await.unwrap().is_empty());
    let redelivered = store.redeliver(webhook.id, delivery.id, Timestamp::now()).await;
    assert!(matches!(redelivered, Err(StoreError::NotFound(EntityKind::Delivery))), "{redelivered:?}");
    assert_eq!(others_kept.iter().map(|delivery| delivery.id).collect::<Vec<_>>(), [others.id]);
}

pub(crate) async fn a_claim_leases_only_active_webhooks_and_none_already_leased_until_it_expires<B: Backend>(
    backend: &B,
) {
    let _claiming = claiming(backend).await;
    let fixture = backend.open().await;
    let store = &fixture.store;
    let [active, inactive]: [Webhook; 2] = stored(store, 2).await.try_into().unwrap();
    store.disable_webhook(inactive.id, "off", inactive.updated_at).await.unwrap();
    let mine = [&active, &inactive];
    let (first, second, third) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let t0 = Timestamp::now();
    let by_first = claim(store, first, t0, ALL, &mine).await;
    let while_leased = claim(store, second, plus(t0, MINUTE - 1), ALL, &mine).await;
    // An update leaves the lease alone.
    store.update_webhook(&Webhook { description: None, ..active.clone() }).await.unwrap();
    let after_update = claim(store, second, plus(t0, MINUTE - 1), ALL, &mine).await;
    let at_expiry = claim(store, third, plus(t0, MINUTE), ALL, &mine).await;
    delete_all(store, &mine).await;

    assert_eq!(by_first, vec![active.clone()], "returned as it is, the inactive one left alone");
    assert!(while_leased.is_empty(), "{while_leased:?}");
    assert!(after_update.is_empty(), "{after_update:?}");
    assert_eq!(ids(&at_expiry), vec![active.id], "a lease ending at `now` has expired");
}

pub(crate) async fn racing_claimers_lease_disjoint_webhooks_that_together_are_all_of_them<B: Backend>(backend: &B) {
    let _claiming = claiming(backend).await;
    let fixture = backend.open().await;
    let store = &fixture.store;
    let webhooks = stored(store, 20).await;
    let mine: HashSet<WebhookId> = webhooks.iter().map(|webhook| webhook.id).collect();
    let owners: Vec<Uuid> = (0..8).map(|_| Uuid::new_v4()).collect();
    let now = Timestamp::now();
    // Each claims a few at a time until none is left: many small claims
    // meet in the store.
    let claims = all_at_once(owners.len(), |n| {
        let (store, owner) = (store.clone(), owners[n]);
        async move {
            let mut claimed = Vec::new();
            loop {
                let batch = store.claim_webhooks(owner, now, plus(now, MINUTE), 3).await.unwrap();
                if batch.is_empty() {
                    return claimed;
                }
                claimed.extend(batch.into_iter().map(|webhook| webhook.id));
            }
        }
    })
    .await;
    for (owner, claimed) in owners.iter().zip(&claims) {
        for id in claimed.iter().filter(|id| !mine.contains(id)) {
            store.release_webhook(*id, *owner).await.unwrap();
        }
    }
    delete_all(store, &webhooks.iter().collect::<Vec<_>>()).await;

    let ours: Vec<WebhookId> = claims.iter().flatten().filter(|id| mine.contains(id)).copied().collect();
    let distinct: HashSet<WebhookId> = ours.iter().copied().collect();
    assert_eq!(ours.len(), distinct.len(), "no subscription went to two claimers");
    assert_eq!(distinct, mine, "every subscription went to one");
}

pub(crate) async fn claims_smaller_than_the_claimable_reach_every_webhook_in_turn<B: Backend>(backend: &B) {
    let _claiming = claiming(backend).await;
    let fixture = backend.open().await;
    let store = &fixture.store;
    let webhooks = stored(store, 6).await;
    let mine: HashSet<WebhookId> = webhooks.iter().map(|webhook| webhook.id).collect();
    let owner = Uuid::new_v4();
    let now = Timestamp::now();
    // A third of what is claimable (other tests' free subscriptions
    // included, on a shared database) at a time, each claim given back at
    // once, as the dispatcher does with subscriptions that have no work:
    // the newest, made last, must not wait behind the others for ever.
    let claimable = store.claim_webhooks(owner, now, plus(now, MINUTE), ALL).await.unwrap();
    for webhook in &claimable {
        store.release_webhook(webhook.id, owner).await.unwrap();
    }
    let limit = u32::try_from(claimable.len() / 3).unwrap().max(1);
    let mut reached = HashSet::new();
    for _ in 0..60 {
        for webhook in store.claim_webhooks(owner, now, plus(now, MINUTE), limit).await.unwrap() {
            store.release_webhook(webhook.id, owner).await.unwrap();
            reached.insert(webhook.id);
        }
    }
    delete_all(store, &webhooks.iter().collect::<Vec<_>>()).await;

    assert!(claimable.len() >= mine.len(), "every one of the test's subscriptions is claimable");
    let missed: Vec<&WebhookId> = mine.difference(&reached).collect();
    assert!(missed.is_empty(), "never claimed in 60 claims of {limit}: {missed:?}");
}

pub(crate) async fn only_the_lease_holder_can_release_its_lease<B: Backend>(backend: &B) {
    let _claiming = claiming(backend).await;
    let fixture = backend.open().await;
    let store = &fixture.store;
    let [webhook]: [Webhook; 1] = stored(store, 1).await.try_into().unwrap();
    let mine = [&webhook];
    let (holder, other) = (Uuid::new_v4(), Uuid::new_v4());
    let now = Timestamp::now();
    let held = claim(store, holder, now, ALL, &mine).await;
    store.release_webhook(webhook.id, other).await.unwrap();
    let after_foreign_release = claim(store, other, now, ALL, &mine).await;
    store.release_webhook(webhook.id, holder).await.unwrap();
    let after_release = claim(store, other, now, ALL, &mine).await;
    delete_all(store, &mine).await;

    assert_eq!(ids(&held), vec![webhook.id]);
    assert!(after_foreign_release.is_empty(), "another owner's release frees nothing");
    assert_eq!(ids(&after_release), vec![webhook.id], "the holder's release frees it at once");
}

pub(crate) async fn only_the_lease_holder_advances_the_cursor_while_a_ping_needs_no_lease<B: Backend>(backend: &B) {
    let _claiming = claiming(backend).await;
    let fixture = backend.open().await;
    let store = &fixture.store;
    let [webhook]: [Webhook; 1] = stored(store, 1).await.try_into().unwrap();
    let mine = [&webhook];
    let (holder, other, successor) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let now = Timestamp::now();
    let delivery = |micros| super::webhook_deliveries::delivery(&webhook, plus(now, micros));
    let (unleased, foreign, held, ping, stale) = (delivery(1), delivery(2), delivery(3), delivery(4), delivery(5));

    let before_claim = store.enqueue_delivery(&unleased, Some(EventPosition(50)), holder).await.unwrap();
    claim(store, holder, now, ALL, &mine).await;
    let by_other = store.enqueue_delivery(&foreign, Some(EventPosition(60)), other).await.unwrap();
    let by_holder = store.enqueue_delivery(&held, Some(EventPosition(70)), holder).await.unwrap();
    let after_holder = store.get_webhook(webhook.id).await.unwrap().unwrap().after;
    let ping_by_other = store.enqueue_delivery(&ping, None, other).await.unwrap();
    let taken_over = claim(store, successor, plus(now, MINUTE), ALL, &mine).await;
    let by_former_holder = store.enqueue_delivery(&stale, Some(EventPosition(80)), holder).await.unwrap();
    let finally = store.get_webhook(webhook.id).await.unwrap().unwrap();
    let listed = store.list_deliveries(webhook.id, None, 10).await.unwrap();
    delete_all(store, &mine).await;

    assert!(!before_claim && !by_other && by_holder && ping_by_other && !by_former_holder);
    assert_eq!(after_holder, EventPosition(70));
    assert_eq!(taken_over[0].after, EventPosition(70), "the successor resumes from the cursor");
    assert_eq!(finally.after, EventPosition(70), "a former holder moves it no more");
    let listed: Vec<_> = listed.iter().map(|delivery| delivery.id).collect();
    assert_eq!(listed, vec![ping.id, held.id], "the refused ones stored nothing");
}
