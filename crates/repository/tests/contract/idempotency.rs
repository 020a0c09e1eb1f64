//! The idempotency part of the contract: a key is claimed once, replays the
//! response it completed with, tells a different body apart, can be claimed
//! again after a release, its expiry or an abandoned claim's lease, and is
//! scoped by route; of racing claims exactly one wins.

use trm_domain::Timestamp;
use trm_repository::{Claim, IDEMPOTENCY_LEASE_MICROS, IDEMPOTENCY_TTL_MICROS, IdempotencyRepository, StoredResponse};

use super::support::Backend;

/// A key no other test (or earlier run against the same server) uses.
fn idempotency_key() -> String {
    format!("key-{}", uuid::Uuid::new_v4())
}

/// A response as the API would remember it.
fn stored_response() -> StoredResponse {
    StoredResponse {
        status: 201,
        location: Some("/api/v1/tasks/3f0b6c9e-0000-4000-8000-000000000000".to_owned()),
        etag: Some("\"1\"".to_owned()),
        body: r#"{"uid":"3f0b6c9e-0000-4000-8000-000000000000"}"#.to_owned(),
    }
}

const SCOPE: &str = "POST /api/v1/tasks/";

pub(crate) async fn an_idempotency_key_is_claimed_once_and_replays_its_response<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let key = idempotency_key();
    let now = Timestamp::now();
    assert_eq!(store.claim(SCOPE, &key, "fp-a", now).await.unwrap(), Claim::Claimed);
    assert_eq!(store.claim(SCOPE, &key, "fp-a", now).await.unwrap(), Claim::InProgress);
    store.complete(SCOPE, &key, &stored_response()).await.unwrap();
    assert_eq!(store.claim(SCOPE, &key, "fp-a", Timestamp::now()).await.unwrap(), Claim::Replay(stored_response()));
    // A completed entry is not forgotten by a stray release.
    store.release(SCOPE, &key).await.unwrap();
    assert_eq!(store.claim(SCOPE, &key, "fp-a", Timestamp::now()).await.unwrap(), Claim::Replay(stored_response()));
}

pub(crate) async fn an_idempotency_key_with_another_fingerprint_is_a_mismatch<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let key = idempotency_key();
    assert_eq!(store.claim(SCOPE, &key, "fp-a", Timestamp::now()).await.unwrap(), Claim::Claimed);
    assert_eq!(store.claim(SCOPE, &key, "fp-b", Timestamp::now()).await.unwrap(), Claim::Mismatch);
    store.complete(SCOPE, &key, &stored_response()).await.unwrap();
    assert_eq!(store.claim(SCOPE, &key, "fp-b", Timestamp::now()).await.unwrap(), Claim::Mismatch);
}

pub(crate) async fn a_released_idempotency_key_can_be_claimed_again<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let key = idempotency_key();
    assert_eq!(store.claim(SCOPE, &key, "fp-a", Timestamp::now()).await.unwrap(), Claim::Claimed);
    store.release(SCOPE, &key).await.unwrap();
    // Even with another body: a failed attempt is not remembered.
    assert_eq!(store.claim(SCOPE, &key, "fp-b", Timestamp::now()).await.unwrap(), Claim::Claimed);
}

pub(crate) async fn an_expired_idempotency_key_can_be_claimed_again<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let key = idempotency_key();
    let now = Timestamp::now();
    let long_ago = Timestamp::from_micros(now.as_micros() - IDEMPOTENCY_TTL_MICROS - 3_600_000_000).unwrap();
    assert_eq!(store.claim(SCOPE, &key, "fp-a", long_ago).await.unwrap(), Claim::Claimed);
    store.complete(SCOPE, &key, &stored_response()).await.unwrap();
    assert_eq!(store.claim(SCOPE, &key, "fp-b", now).await.unwrap(), Claim::Claimed);
    assert_eq!(store.claim(SCOPE, &key, "fp-b", now).await.unwrap(), Claim::InProgress);
}

pub(crate) async fn idempotency_keys_are_scoped_by_route<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let key = idempotency_key();
    assert_eq!(store.claim(SCOPE, &key, "fp-a", Timestamp::now()).await.unwrap(), Claim::Claimed);
    assert_eq!(store.claim("POST /api/v1/projects/", &key, "fp-b", Timestamp::now()).await.unwrap(), Claim::Claimed);
}

pub(crate) async fn of_racing_claims_of_one_idempotency_key_exactly_one_wins<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    for round in 0..4 {
        let key = idempotency_key();
        let claims = futures::future::join_all((0..6).map(|_| {
            let store = fixture.store.clone();
            let key = key.clone();
            tokio::spawn(async move { store.claim(SCOPE, &key, "fp-a", Timestamp::now()).await })
        }))
        .await;
        let claims: Vec<Claim> = claims.into_iter().map(|joined| joined.unwrap().unwrap()).collect();
        let winners = claims.iter().filter(|claim| **claim == Claim::Claimed).count();
        assert_eq!(winners, 1, "round {round}: {claims:?}");
        assert!(claims.iter().all(|claim| matches!(claim, Claim::Claimed | Claim::InProgress)), "{claims:?}");
    }
}

pub(crate) async fn an_abandoned_idempotency_claim_can_be_claimed_again<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let key = idempotency_key();
    let now = Timestamp::now();
    let before_the_lease = Timestamp::from_micros(now.as_micros() - IDEMPOTENCY_LEASE_MICROS - 1_000_000).unwrap();
    assert_eq!(store.claim(SCOPE, &key, "fp-a", before_the_lease).await.unwrap(), Claim::Claimed);
    assert_eq!(store.claim(SCOPE, &key, "fp-a", now).await.unwrap(), Claim::Claimed);
    // A completed entry outlives the lease.
    store.complete(SCOPE, &key, &stored_response()).await.unwrap();
    let later = Timestamp::from_micros(now.as_micros() + 2 * IDEMPOTENCY_LEASE_MICROS).unwrap();
    assert_eq!(store.claim(SCOPE, &key, "fp-a", later).await.unwrap(), Claim::Replay(stored_response()));
}
