//! Webhooks end to end: a real receiver on loopback verifies every delivery
//! with the Python `standardwebhooks` package — the Standard Webhooks
//! reference implementation, not our code — and the tests check what it
//! received: every event once (after dropping repeated `webhook-id`s), in
//! log order, across a receiver outage, an exhausted schedule and its
//! re-activation, and two server instances sharing one store.
//!
//! The receiver ([`trm_tests::webhooks::Receiver`]) runs from
//! `target/webhooks-venv` (`tests/webhooks/prepare`, which `scripts/test`
//! runs first). The test servers retry after 1 s, three times (see
//! `trm_tests::spawn_app`). On Neo4j every test server works on every
//! subscription in the shared store, so each test follows only the entities
//! it created.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::{Value, json};
use trm_tests::webhooks::Receiver;
use trm_tests::{SharedStore, TestApp, spawn_app, spawn_app_with};

fn types(deliveries: &[Value]) -> Vec<&str> {
    deliveries.iter().map(|delivery| delivery["event_type"].as_str().unwrap()).collect()
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.unwrap()
}

/// The event ids of an entity's history, oldest first.
async fn history_ids(app: &TestApp, path: &str) -> Vec<Value> {
    let history = json_of(app.get(&format!("{path}/history")).await).await;
    history.as_array().unwrap().iter().map(|event| event["event_id"].clone()).collect()
}

#[tokio::test]
async fn every_event_reaches_the_receiver_verified_once_and_in_log_order() {
    let app = spawn_app().await;
    let receiver = Receiver::start();
    let webhook = receiver.subscribe(&app, &[]).await;
    assert!(webhook["secret"].as_str().unwrap().starts_with("whsec_"));

    let project = app.create_project("hooked").await;
    let task = app.create_task(json!({"title": "t", "project_id": project["uid"]})).await;
    let task_path = format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap());
    assert_eq!(app.patch(&task_path, &json!({"status": "done"})).await.status(), 200);
    assert_eq!(app.delete(&task_path).await.status(), 204);

    let ours = [&project["uid"], &task["uid"]];
    let deliveries = receiver.wait_for(&ours, 5, Duration::from_secs(20)).await;
    assert_eq!(
        types(&deliveries),
        ["project.created", "task.created", "task.updated", "task.completed", "task.deleted"]
    );
    let delivered_task_events: Vec<Value> =
        deliveries.iter().filter(|d| d["entity_id"] == task["uid"]).map(|d| d["event_id"].clone()).collect();
    assert_eq!(delivered_task_events, history_ids(&app, &task_path).await, "the log's events, in the log's order");
    assert!(deliveries.iter().all(|d| d["x_trm_event"] == d["event_type"]));
    assert_eq!(receiver.rejected().await, 0, "every delivery verified");

    let log = json_of(app.get(&format!("/api/v1/webhooks/{}/deliveries", webhook["id"].as_str().unwrap())).await).await;
    let delivered: Vec<&Value> = deliveries.iter().map(|d| &d["event_id"]).collect();
    let logged: Vec<&Value> = log.as_array().unwrap().iter().filter(|d| delivered.contains(&&d["event_id"])).collect();
    assert_eq!(logged.len(), 5, "the delivery log lists each delivery: {log}");
    for delivery in logged {
        assert_eq!(delivery["state"], "succeeded", "{delivery}");
        assert_eq!(delivery["attempts"][0]["status_code"], 204, "{delivery}");
    }
    app.delete(&format!("/api/v1/webhooks/{}", webhook["id"].as_str().unwrap())).await;
}

#[tokio::test]
async fn a_subscription_receives_only_its_event_types() {
    let app = spawn_app().await;
    let receiver = Receiver::start();
    let webhook = receiver.subscribe(&app, &["task.deleted"]).await;
    let task = app.create_task(json!({"title": "short-lived"})).await;
    app.delete(&format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap())).await;
    let deliveries = receiver.wait_for(&[&task["uid"]], 1, Duration::from_secs(20)).await;
    assert_eq!(types(&deliveries), ["task.deleted"]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.wait_for(&[&task["uid"]], 2, Duration::ZERO).await.len(), 1, "no task.created");
    app.delete(&format!("/api/v1/webhooks/{}", webhook["id"].as_str().unwrap())).await;
}

#[tokio::test]
async fn deliveries_survive_a_receiver_outage_longer_than_two_retries() {
    let app = spawn_app().await;
    let receiver = Receiver::start();
    let webhook = receiver.subscribe(&app, &["task.created"]).await;
    receiver.set_down(true).await;
    let first = app.create_task(json!({"title": "during the outage"})).await;
    let second = app.create_task(json!({"title": "queued behind it"})).await;
    // The first attempt and two retries (1 s apart) fail.
    tokio::time::sleep(Duration::from_millis(2600)).await;
    assert!(receiver.wait_for(&[&first["uid"], &second["uid"]], 1, Duration::ZERO).await.is_empty());
    receiver.set_down(false).await;
    let deliveries = receiver.wait_for(&[&first["uid"], &second["uid"]], 2, Duration::from_secs(20)).await;
    let order: Vec<&Value> = deliveries.iter().map(|d| &d["entity_id"]).collect();
    assert_eq!(order, [&first["uid"], &second["uid"]], "each once, in log order");

    let id = webhook["id"].as_str().unwrap();
    let log = json_of(app.get(&format!("/api/v1/webhooks/{id}/deliveries")).await).await;
    let of_first = log.as_array().unwrap().iter().find(|d| {
        d["event_type"] == "task.created" && d["state"] == "succeeded" && d["attempts"].as_array().unwrap().len() >= 3
    });
    let of_first = of_first.expect("the first event's delivery took at least three attempts");
    let attempts = of_first["attempts"].as_array().unwrap();
    assert_eq!(attempts[0]["status_code"], 503);
    assert_eq!(attempts.last().unwrap()["status_code"], 204);
    app.delete(&format!("/api/v1/webhooks/{id}")).await;
}

#[tokio::test]
async fn an_exhausted_schedule_disables_the_subscription_and_reactivating_resumes_with_that_event() {
    let app = spawn_app().await;
    let receiver = Receiver::start();
    let webhook = receiver.subscribe(&app, &["task.created"]).await;
    let path = format!("/api/v1/webhooks/{}", webhook["id"].as_str().unwrap());
    receiver.set_down(true).await;
    let failed = app.create_task(json!({"title": "exhausts the schedule"})).await;
    // Four attempts, 1 s apart, then the subscription is disabled.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let disabled = loop {
        let current = json_of(app.get(&path).await).await;
        if current["active"] == false || tokio::time::Instant::now() > deadline {
            break current;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(disabled["active"], false, "{disabled}");
    assert!(disabled["disabled_reason"].as_str().unwrap().contains("failed 4 times"), "{disabled}");
    assert!(disabled.get("secret").is_none(), "the secret is shown only on create");
    let later = app.create_task(json!({"title": "while disabled"})).await;
    receiver.set_down(false).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        receiver.wait_for(&[&failed["uid"], &later["uid"]], 1, Duration::ZERO).await.is_empty(),
        "nothing while disabled"
    );

    let reactivated = json_of(app.patch(&path, &json!({"active": true})).await).await;
    assert_eq!(reactivated["active"], true);
    assert_eq!(reactivated["disabled_reason"], Value::Null);
    let deliveries = receiver.wait_for(&[&failed["uid"], &later["uid"]], 2, Duration::from_secs(20)).await;
    let order: Vec<&Value> = deliveries.iter().map(|d| &d["entity_id"]).collect();
    assert_eq!(order, [&failed["uid"], &later["uid"]], "the event that exhausted the schedule first, then the rest");
    app.delete(&path).await;
}

#[tokio::test]
async fn two_instances_sharing_a_store_deliver_every_event_once() {
    let store = SharedStore::new();
    let (one, two) = (spawn_app_with(&store.settings()).await, spawn_app_with(&store.settings()).await);
    let receiver = Receiver::start();
    let webhook = receiver.subscribe(&one, &["task.created"]).await;
    let mut created = Vec::new();
    for n in 0..20 {
        let app = if n % 2 == 0 { &one } else { &two };
        created.push(app.create_task(json!({"title": format!("task {n}")})).await["uid"].clone());
    }
    let ours: Vec<&Value> = created.iter().collect();
    let deliveries = receiver.wait_for(&ours, 20, Duration::from_secs(30)).await;
    let mut events: Vec<&Value> = deliveries.iter().map(|d| &d["entity_id"]).collect();
    assert_eq!(events.len(), 20, "every event arrived");
    events.dedup();
    assert_eq!(events.len(), 20, "none twice");
    let all = receiver.received().await;
    let ids: Vec<&Value> = all.iter().filter(|d| ours.contains(&&d["entity_id"])).map(|d| &d["webhook_id"]).collect();
    let distinct: HashSet<&&Value> = ids.iter().collect();
    assert_eq!(ids.len(), distinct.len(), "no delivery was made by both instances");
    one.delete(&format!("/api/v1/webhooks/{}", webhook["id"].as_str().unwrap())).await;
}

#[tokio::test]
async fn a_ping_and_a_redelivery_are_signed_deliveries_too() {
    let app = spawn_app().await;
    let receiver = Receiver::start();
    let webhook = receiver.subscribe(&app, &["task.created"]).await;
    let id = webhook["id"].as_str().unwrap();
    let ping = app.post(&format!("/api/v1/webhooks/{id}/ping"), &json!({})).await;
    assert_eq!(ping.status(), 202);
    let ping: Value = ping.json().await.unwrap();
    let entity = json!(id);
    let pinged = receiver.wait_for(&[&entity], 1, Duration::from_secs(20)).await;
    assert_eq!(types(&pinged), ["webhook.ping"]);
    assert_eq!(pinged[0]["webhook_id"], ping["id"]);

    let task = app.create_task(json!({"title": "sent twice"})).await;
    let first = receiver.wait_for(&[&task["uid"]], 1, Duration::from_secs(20)).await;
    let delivery = first[0]["webhook_id"].as_str().unwrap();
    let again = app.post(&format!("/api/v1/webhooks/{id}/deliveries/{delivery}/redeliver"), &json!({})).await;
    assert_eq!(again.status(), 202);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while receiver.received().await.iter().filter(|d| d["webhook_id"] == delivery).count() < 2 {
        assert!(tokio::time::Instant::now() < deadline, "the redelivery arrived");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let missing = uuid::Uuid::new_v4();
    let unknown = app.post(&format!("/api/v1/webhooks/{id}/deliveries/{missing}/redeliver"), &json!({})).await;
    assert_eq!(unknown.status(), 404);
    app.delete(&format!("/api/v1/webhooks/{id}")).await;
}

#[tokio::test]
async fn subscriptions_are_validated_and_managed_like_the_other_resources() {
    let app = spawn_app_with(&[("TRM__WEBHOOKS__ALLOW_PRIVATE_DESTINATIONS", "false")]).await;
    let refused = app.post("/api/v1/webhooks", &json!({"url": "http://127.0.0.1:9/hook"})).await;
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["detail"][0]["loc"], json!(["body", "url"]));
    for (bad, loc) in [
        (json!({"url": "ftp://example.com/x"}), json!(["body", "url"])),
        (json!({}), json!(["body", "url"])),
        (
            json!({"url": "https://93.184.216.34/x", "event_types": ["task.exploded"]}),
            json!(["body", "event_types", 0]),
        ),
        (json!({"url": "https://93.184.216.34/x", "colour": "red"}), json!(["body", "colour"])),
    ] {
        let response = app.post("/api/v1/webhooks", &bad).await;
        assert_eq!(response.status(), 422, "{bad}");
        assert_eq!(json_of(response).await["detail"][0]["loc"], loc, "{bad}");
    }

    let created = app.post("/api/v1/webhooks", &json!({"url": "https://93.184.216.34/x", "description": "d"})).await;
    assert_eq!(created.status(), 201);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let webhook: Value = created.json().await.unwrap();
    let read = json_of(app.get(&location).await).await;
    assert!(read.get("secret").is_none(), "the secret is shown only on create");
    assert_eq!(read["description"], "d");
    let changed =
        json_of(app.patch(&location, &json!({"description": null, "event_types": ["task.created"]})).await).await;
    assert_eq!(changed["description"], Value::Null);
    assert_eq!(changed["event_types"], json!(["task.created"]));
    let listed = json_of(app.get("/api/v1/webhooks").await).await;
    assert!(listed.as_array().unwrap().iter().any(|w| w["id"] == webhook["id"]));
    assert_eq!(app.delete(&location).await.status(), 204);
    assert_eq!(app.get(&location).await.status(), 404);
    assert_eq!(app.get("/api/v1/webhooks/not-an-id").await.status(), 404);
    assert_eq!(app.get(&format!("{location}/deliveries")).await.status(), 404);
}
