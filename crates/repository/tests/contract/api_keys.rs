//! The API key part of the contract.
//!
//! Neo4j is one shared, persisted database, and an *active* key left in it
//! would switch authentication on for every later server on that database
//! (the end-to-end suite on Neo4j among them). So each test revokes every
//! key it created *before* it asserts anything: a failing test still
//! leaves no active key behind.

use trm_domain::{ApiKey, EntityKind, KeyName, KeyScope, Secret, Timestamp};
use trm_repository::{ApiKeyRepository, KeySelector, StoreError};
use uuid::Uuid;

use super::support::Backend;

/// A name no other test (or earlier run) uses.
fn unique_name() -> KeyName {
    KeyName::parse(&format!("k-{}", Uuid::new_v4().simple())).unwrap()
}

/// Stores a new active key named `name`; returns it with its secret.
async fn create(store: &impl ApiKeyRepository, name: &KeyName, scope: KeyScope) -> (ApiKey, Secret) {
    let key = ApiKey::create(name.clone(), scope, Timestamp::now());
    let secret = Secret::generate().unwrap();
    store.create_key(&key, &secret.hash()).await.unwrap();
    (key, secret)
}

pub(crate) async fn an_api_key_is_found_by_its_hash_until_revoked<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let (key, secret) = create(store, &unique_name(), KeyScope::Read).await;
    let found = store.find_active_key(&secret.hash()).await.unwrap();
    let counted = store.count_active_keys().await.unwrap();
    let revoked = store.revoke_key(&KeySelector::Id(key.id), Timestamp::now()).await.unwrap();
    let after_revoke = store.find_active_key(&secret.hash()).await.unwrap();
    let unknown = store.find_active_key(&Secret::generate().unwrap().hash()).await.unwrap();

    assert_eq!(found, Some(key.clone()));
    assert!(counted >= 1);
    assert_eq!(revoked.id, key.id);
    assert!(revoked.revoked_at.is_some());
    assert_eq!(after_revoke, None, "a revoked key authenticates nobody");
    assert_eq!(unknown, None);
}

pub(crate) async fn an_active_key_name_is_unique_but_a_revoked_name_can_be_reused<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let name = unique_name();
    let (first, _) = create(store, &name, KeyScope::Write).await;
    let twin = ApiKey::create(name.clone(), KeyScope::Read, Timestamp::now());
    let duplicate = store.create_key(&twin, &Secret::generate().unwrap().hash()).await;
    store.revoke_key(&KeySelector::Name(name.clone()), Timestamp::now()).await.unwrap();
    let replacement = ApiKey::create(name.clone(), KeyScope::Read, Timestamp::now());
    let reused = store.create_key(&replacement, &Secret::generate().unwrap().hash()).await;
    let revoked_replacement = store.revoke_key(&KeySelector::Name(name), Timestamp::now()).await;

    assert!(matches!(duplicate, Err(StoreError::Duplicate("name"))), "{duplicate:?}");
    assert!(reused.is_ok(), "{reused:?}");
    assert_eq!(revoked_replacement.unwrap().id, replacement.id, "the name names the active key");
    let listed = store.list_keys().await.unwrap();
    assert!(listed.iter().any(|key| key.id == first.id && key.revoked_at.is_some()));
    assert!(!listed.iter().any(|key| key.id == twin.id), "the duplicate was not stored");
}

pub(crate) async fn revoking_an_unknown_or_revoked_key_is_not_found<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let (key, _) = create(store, &unique_name(), KeyScope::Read).await;
    let first = store.revoke_key(&KeySelector::Id(key.id), Timestamp::now()).await;
    let again = store.revoke_key(&KeySelector::Id(key.id), Timestamp::now()).await;
    let by_name = store.revoke_key(&KeySelector::Name(key.name.clone()), Timestamp::now()).await;
    let unknown = store.revoke_key(&KeySelector::Name(unique_name()), Timestamp::now()).await;

    let first = first.unwrap();
    assert!(matches!(again, Err(StoreError::NotFound(EntityKind::ApiKey))), "{again:?}");
    assert!(matches!(by_name, Err(StoreError::NotFound(EntityKind::ApiKey))), "{by_name:?}");
    assert!(matches!(unknown, Err(StoreError::NotFound(EntityKind::ApiKey))), "{unknown:?}");
    let listed = store.list_keys().await.unwrap();
    let stored = listed.iter().find(|listed| listed.id == key.id).unwrap();
    assert_eq!(stored.revoked_at, first.revoked_at, "a second revoke changes nothing");
}

pub(crate) async fn keys_are_listed_oldest_first_with_every_field<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let older =
        ApiKey::create(unique_name(), KeyScope::Write, Timestamp::parse("2026-01-01T00:00:00.000001Z").unwrap());
    let newer = ApiKey::create(unique_name(), KeyScope::Read, Timestamp::parse("2026-01-02T00:00:00.000002Z").unwrap());
    for key in [&newer, &older] {
        store.create_key(key, &Secret::generate().unwrap().hash()).await.unwrap();
    }
    let listed_active = store.list_keys().await.unwrap();
    let revoked_at = Timestamp::parse("2026-01-03T00:00:00.000003Z").unwrap();
    for key in [&older, &newer] {
        store.revoke_key(&KeySelector::Id(key.id), revoked_at).await.unwrap();
    }
    let listed_revoked = store.list_keys().await.unwrap();

    let mine: Vec<&ApiKey> = listed_active.iter().filter(|key| key.id == older.id || key.id == newer.id).collect();
    assert_eq!(mine, vec![&older, &newer], "oldest first, read back exactly");
    let position = |id| listed_revoked.iter().position(|key: &ApiKey| key.id == id).unwrap();
    assert!(position(older.id) < position(newer.id));
    assert!(
        listed_revoked
            .iter()
            .filter(|key| key.id == older.id || key.id == newer.id)
            .all(|key| key.revoked_at == Some(revoked_at))
    );
}

pub(crate) async fn the_active_key_count_follows_creates_and_revokes<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let before = store.count_active_keys().await.unwrap();
    let (key, _) = create(store, &unique_name(), KeyScope::Read).await;
    let with_key = store.count_active_keys().await.unwrap();
    store.revoke_key(&KeySelector::Id(key.id), Timestamp::now()).await.unwrap();
    let after = store.count_active_keys().await.unwrap();

    assert!(with_key >= 1);
    if backend.is_private() {
        // Only a store no other test writes to has exact counts.
        assert_eq!((before, with_key, after), (0, 1, 0));
    }
}
