//! `Idempotency-Key` on the creates, over HTTP: retries answer the first
//! response and create nothing, also when they race and across servers
//! sharing a store; the key with another body is a 422; a failed attempt is
//! not remembered, and an invalid request never reaches the key's store.

use serde_json::{Value, json};
use trm_tests::{SharedStore, TestApp, spawn_app, spawn_app_with};

/// A key or tag no other test (or earlier run on a shared Neo4j) uses.
fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", &uuid::Uuid::new_v4().simple().to_string()[..12])
}

async fn post_with_key(app: &TestApp, path: &str, key: &str, body: &Value) -> reqwest::Response {
    app.client.post(app.url(path)).header("Idempotency-Key", key).json(body).send().await.unwrap()
}

/// The uids of the tasks carrying `tag`.
async fn tagged(app: &TestApp, tag: &str) -> Vec<Value> {
    let tasks: Value = app.get(&format!("/api/v1/tasks/?tag={tag}&limit=500")).await.json().await.unwrap();
    tasks.as_array().unwrap().iter().map(|task| task["uid"].clone()).collect()
}

#[tokio::test]
async fn a_retry_with_the_same_key_answers_the_first_response_and_creates_nothing() {
    let app = spawn_app().await;
    let (key, tag) = (unique("key"), unique("tag"));
    let body = json!({"title": "Pay the invoice", "tags": [tag]});
    let first = post_with_key(&app, "/api/v1/tasks/", &key, &body).await;
    assert_eq!(first.status(), 201);
    let first_location = first.headers()["location"].clone();
    let first_body: Value = first.json().await.unwrap();
    let retry = post_with_key(&app, "/api/v1/tasks/", &key, &body).await;
    assert_eq!(retry.status(), 201);
    assert_eq!(retry.headers()["location"], first_location);
    assert_eq!(retry.json::<Value>().await.unwrap(), first_body);
    assert_eq!(tagged(&app, &tag).await, vec![first_body["uid"].clone()]);
}

#[tokio::test]
async fn racing_retries_with_one_key_create_one_task_and_all_answer_the_same() {
    let app = spawn_app().await;
    let (key, tag) = (unique("key"), unique("tag"));
    let body = json!({"title": "Pay the invoice", "tags": [tag]});
    let answers = futures::future::join_all((0..10).map(|_| async {
        let response = post_with_key(&app, "/api/v1/tasks/", &key, &body).await;
        (response.status().as_u16(), response.json::<Value>().await.unwrap())
    }))
    .await;
    for answer in &answers {
        assert_eq!(answer, &answers[0], "{answers:?}");
    }
    assert_eq!(answers[0].0, 201);
    assert_eq!(tagged(&app, &tag).await, vec![answers[0].1["uid"].clone()]);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_a_422_at_the_header() {
    let app = spawn_app().await;
    let key = unique("key");
    let first = post_with_key(&app, "/api/v1/projects/", &key, &json!({"title": "Launch"})).await;
    assert_eq!(first.status(), 201);
    let other = post_with_key(&app, "/api/v1/projects/", &key, &json!({"title": "Another launch"})).await;
    assert_eq!(other.status(), 422);
    let detail = &other.json::<Value>().await.unwrap()["detail"][0];
    assert_eq!(detail["loc"], json!(["header", "Idempotency-Key"]));
    assert_eq!(detail["type"], "idempotency_key_reused");
}

#[tokio::test]
async fn a_failed_attempt_is_not_remembered() {
    let app = spawn_app().await;
    let key = unique("key");
    let bad = post_with_key(&app, "/api/v1/users/", &key, &json!({"username": "ab", "email": "a@example.com"})).await;
    assert_eq!(bad.status(), 422);
    let username = unique("ada");
    let good =
        post_with_key(&app, "/api/v1/users/", &key, &json!({"username": username, "email": "a@example.com"})).await;
    assert_eq!(good.status(), 201);
    assert_eq!(good.json::<Value>().await.unwrap()["username"], username.as_str());
}

#[tokio::test]
async fn a_malformed_key_is_a_422_at_the_header() {
    let app = spawn_app().await;
    let response = post_with_key(&app, "/api/v1/tasks/", &"k".repeat(256), &json!({"title": "x"})).await;
    assert_eq!(response.status(), 422);
    assert_eq!(response.json::<Value>().await.unwrap()["detail"][0]["loc"], json!(["header", "Idempotency-Key"]));
}

#[tokio::test]
async fn a_retry_sent_to_another_server_sharing_the_store_is_answered_from_the_store() {
    // Two servers on one database file stand for a restart, or for two
    // instances behind a load balancer; Neo4j is shared anyway.
    let store = SharedStore::new();
    let (one, two) = (spawn_app_with(&store.settings()).await, spawn_app_with(&store.settings()).await);
    let (key, tag) = (unique("key"), unique("tag"));
    let body = json!({"title": "Pay the invoice", "tags": [tag]});
    let first: Value = post_with_key(&one, "/api/v1/tasks/", &key, &body).await.json().await.unwrap();
    let retry = post_with_key(&two, "/api/v1/tasks/", &key, &body).await;
    assert_eq!(retry.status(), 201);
    assert_eq!(retry.json::<Value>().await.unwrap(), first);
    assert_eq!(tagged(&two, &tag).await, vec![first["uid"].clone()]);
}

#[tokio::test]
async fn an_invalid_body_sent_with_a_key_stores_nothing_so_the_key_then_creates() {
    let app = spawn_app().await;
    for (path, invalid, valid) in [
        ("/api/v1/tasks/", json!({"title": " ", "status": "someday"}), json!({"title": "Pay the invoice"})),
        ("/api/v1/tasks/bulk", json!({"tasks": [{"title": ""}]}), json!({"tasks": [{"title": "Pay the invoice"}]})),
        ("/api/v1/projects/", json!({"name": 5}), json!({"name": "Launch"})),
    ] {
        let key = unique("key");
        let refused = post_with_key(&app, path, &key, &invalid).await;
        assert_eq!(refused.status(), 422, "{path}");
        let detail = &refused.json::<Value>().await.unwrap()["detail"][0];
        assert_eq!(detail["loc"][0], "body", "{path}: the body is what is wrong");
        // Had the 422 been claimed and remembered, the same key with
        // another body would be refused as reused.
        let created = post_with_key(&app, path, &key, &valid).await;
        assert_eq!(created.status(), 201, "{path}: {}", created.text().await.unwrap());
    }
}
