//! Tests of [`super`].

use trm_domain::EntityKind;
use trm_repository::MockApiKeyRepository;

use super::*;

fn a_key(scope: KeyScope) -> ApiKey {
    ApiKey::create(KeyName::parse("ci").unwrap(), scope, Timestamp::now())
}

fn service(store: MockApiKeyRepository) -> ApiKeyService {
    ApiKeyService::new(Arc::new(store))
}

#[tokio::test]
async fn an_issued_key_is_stored_as_the_hash_of_the_secret_it_returns() {
    let stored = Arc::new(Mutex::new(None));
    let mut store = MockApiKeyRepository::new();
    let into = stored.clone();
    store.expect_create_key().times(1).returning(move |key, hash| {
        *into.lock().unwrap() = Some((key.clone(), hash.clone()));
        Ok(())
    });
    let issued = service(store).issue_key(KeyName::parse("ci").unwrap(), KeyScope::Write).await.unwrap();
    let (key, hash) = stored.lock().unwrap().clone().unwrap();
    assert_eq!(key, issued.key);
    assert_eq!(hash, issued.secret.hash());
    assert_eq!(issued.key.scope, KeyScope::Write);
    assert!(issued.key.is_active());
}

#[tokio::test]
async fn a_taken_name_is_a_conflict() {
    let mut store = MockApiKeyRepository::new();
    store.expect_create_key().returning(|_, _| Err(StoreError::Duplicate("name")));
    let result = service(store).issue_key(KeyName::parse("ci").unwrap(), KeyScope::Read).await;
    assert!(matches!(result, Err(ServiceError::Conflict(ConflictReason::Taken(Unique::KeyName)))), "{result:?}");
}

#[tokio::test]
async fn text_that_is_not_shaped_like_a_key_never_reaches_the_store() {
    let store = MockApiKeyRepository::new(); // any call would panic
    let service = service(store);
    for junk in ["", "Bearer", "trm_short", &"x".repeat(10_000), "trm_ééééééééééééééééééééé"] {
        assert_eq!(service.authenticate(junk).await.unwrap(), None, "{junk:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_verified_key_is_trusted_from_the_cache_until_its_time_to_live_ends() {
    let key = a_key(KeyScope::Read);
    let secret = Secret::generate().unwrap();
    let mut store = MockApiKeyRepository::new();
    let found = key.clone();
    store.expect_find_active_key().times(2).returning(move |_| Ok(Some(found.clone())));
    let service = service(store);
    assert_eq!(service.authenticate(secret.expose()).await.unwrap(), Some(key.clone()));
    tokio::time::advance(DEFAULT_CACHE_TTL - Duration::from_millis(1)).await;
    assert_eq!(service.authenticate(secret.expose()).await.unwrap(), Some(key.clone()), "from the cache");
    tokio::time::advance(Duration::from_millis(1)).await;
    assert_eq!(service.authenticate(secret.expose()).await.unwrap(), Some(key), "asked the store again");
}

#[tokio::test]
async fn unknown_keys_are_not_cached() {
    let mut store = MockApiKeyRepository::new();
    store.expect_find_active_key().times(2).returning(|_| Ok(None));
    let service = service(store);
    let secret = Secret::generate().unwrap();
    assert_eq!(service.authenticate(secret.expose()).await.unwrap(), None);
    assert_eq!(service.authenticate(secret.expose()).await.unwrap(), None);
}

#[tokio::test]
async fn a_key_revoked_through_the_service_stops_authenticating_at_once() {
    let key = a_key(KeyScope::Write);
    let secret = Secret::generate().unwrap();
    let mut store = MockApiKeyRepository::new();
    let mut sequence = mockall::Sequence::new();
    let found = key.clone();
    store.expect_find_active_key().times(1).in_sequence(&mut sequence).returning(move |_| Ok(Some(found.clone())));
    let revoked = ApiKey { revoked_at: Some(Timestamp::now()), ..key.clone() };
    store.expect_revoke_key().times(1).in_sequence(&mut sequence).returning(move |_, _| Ok(revoked.clone()));
    store.expect_find_active_key().times(1).in_sequence(&mut sequence).returning(|_| Ok(None));
    let service = service(store);
    assert!(service.authenticate(secret.expose()).await.unwrap().is_some());
    service.revoke_key(KeySelector::Id(key.id)).await.unwrap();
    assert_eq!(service.authenticate(secret.expose()).await.unwrap(), None);
}

#[tokio::test]
async fn revoking_no_active_key_is_not_found() {
    let mut store = MockApiKeyRepository::new();
    store.expect_revoke_key().returning(|_, _| Err(StoreError::NotFound(EntityKind::ApiKey)));
    let result = service(store).revoke_key(KeySelector::Name(KeyName::parse("gone").unwrap())).await;
    assert!(matches!(result, Err(ServiceError::NotFound(EntityKind::ApiKey))), "{result:?}");
}

#[tokio::test(start_paused = true)]
async fn whether_keys_exist_is_cached_and_an_issued_key_makes_it_true_at_once() {
    let mut store = MockApiKeyRepository::new();
    store.expect_count_active_keys().times(1).returning(|| Ok(0));
    store.expect_create_key().times(1).returning(|_, _| Ok(()));
    let service = service(store);
    assert!(!service.keys_exist().await.unwrap());
    assert!(!service.keys_exist().await.unwrap(), "from the cache");
    service.issue_key(KeyName::parse("first").unwrap(), KeyScope::Read).await.unwrap();
    assert!(service.keys_exist().await.unwrap());
}

#[tokio::test(start_paused = true)]
async fn an_expired_answer_is_served_at_once_while_the_store_is_asked_again() {
    let counts = Arc::new(Mutex::new(vec![0_u64, 1]));
    let mut store = MockApiKeyRepository::new();
    let next = counts.clone();
    store.expect_count_active_keys().times(2).returning(move || Ok(next.lock().unwrap().remove(0)));
    let service = service(store);
    assert!(!service.keys_exist().await.unwrap());
    tokio::time::advance(DEFAULT_CACHE_TTL * 2).await;
    let asked = Instant::now();
    assert!(!service.keys_exist().await.unwrap(), "the expired answer, without waiting for the store");
    assert_eq!(asked.elapsed(), Duration::ZERO);
    tokio::task::yield_now().await; // the refresh runs
    assert!(service.keys_exist().await.unwrap(), "the refreshed answer");
}

#[tokio::test]
async fn with_no_time_to_live_every_answer_comes_from_the_store() {
    let counts = Arc::new(Mutex::new(vec![0_u64, 1, 0]));
    let mut store = MockApiKeyRepository::new();
    let next = counts.clone();
    store.expect_count_active_keys().times(3).returning(move || Ok(next.lock().unwrap().remove(0)));
    let service = ApiKeyService::new(Arc::new(store)).with_cache_ttl(Duration::ZERO);
    let answers =
        [service.keys_exist().await.unwrap(), service.keys_exist().await.unwrap(), service.keys_exist().await.unwrap()];
    assert_eq!(answers, [false, true, false]);
}

#[tokio::test(start_paused = true)]
async fn a_failed_refresh_keeps_the_last_answer_and_the_next_request_tries_again() {
    let answers = Arc::new(Mutex::new(vec![Ok(1_u64), Err(()), Ok(0)]));
    let mut store = MockApiKeyRepository::new();
    let next = answers.clone();
    store.expect_count_active_keys().times(3).returning(move || {
        next.lock().unwrap().remove(0).map_err(|()| StoreError::Unavailable(anyhow::anyhow!("down")))
    });
    let service = service(store);
    assert!(service.keys_exist().await.unwrap());
    tokio::time::advance(DEFAULT_CACHE_TTL * 2).await;
    assert!(service.keys_exist().await.unwrap());
    tokio::task::yield_now().await; // the refresh fails
    assert!(service.keys_exist().await.unwrap(), "still the last answer; a new refresh starts");
    tokio::task::yield_now().await;
    assert!(!service.keys_exist().await.unwrap(), "the store answered again");
}

#[tokio::test(start_paused = true)]
async fn a_refresh_that_started_before_an_issue_cannot_undo_it() {
    let mut store = MockApiKeyRepository::new();
    store.expect_count_active_keys().times(2).returning(|| Ok(0));
    store.expect_create_key().times(1).returning(|_, _| Ok(()));
    let service = service(store);
    assert!(!service.keys_exist().await.unwrap());
    tokio::time::advance(DEFAULT_CACHE_TTL * 2).await;
    assert!(!service.keys_exist().await.unwrap()); // starts a refresh that will read 0
    service.issue_key(KeyName::parse("first").unwrap(), KeyScope::Read).await.unwrap();
    tokio::task::yield_now().await; // the refresh ends
    assert!(service.keys_exist().await.unwrap(), "the issued key still counts");
}

#[tokio::test]
async fn a_store_that_cannot_answer_is_unavailable_not_an_open_door() {
    let mut store = MockApiKeyRepository::new();
    store.expect_count_active_keys().returning(|| Err(StoreError::Unavailable(anyhow::anyhow!("down"))));
    store.expect_find_active_key().returning(|_| Err(StoreError::Unavailable(anyhow::anyhow!("down"))));
    let service = service(store);
    assert!(matches!(service.keys_exist().await, Err(ServiceError::Unavailable(_))));
    let secret = Secret::generate().unwrap();
    assert!(matches!(service.authenticate(secret.expose()).await, Err(ServiceError::Unavailable(_))));
}

#[test]
fn a_revoke_names_a_key_by_id_when_it_is_a_uuid_and_by_name_otherwise() {
    let id = ApiKeyId::new();
    assert_eq!(key_selector(&id.to_string()), Ok(KeySelector::Id(id)));
    assert_eq!(key_selector("ci"), Ok(KeySelector::Name(KeyName::parse("ci").unwrap())));
    assert!(key_selector("not a name").is_err());
}
