//! The overview over HTTP.

use serde_json::{Value, json};
use trm_tests::spawn_app;

const STATUSES: [&str; 7] = ["backlog", "todo", "in_progress", "in_review", "blocked", "done", "cancelled"];

#[tokio::test]
async fn the_overview_counts_every_status_and_lists_the_newest_tasks_first() {
    let app = spawn_app().await;
    let before: Value = app.get("/api/v1/overview").await.json().await.unwrap();

    let project = app.create_project("overview").await;
    app.post("/api/v1/users/", &json!({"username": format!("ov-{}", &uuid::Uuid::new_v4().simple().to_string()[..10]), "email": "o@example.com"}))
        .await;
    for _ in 0..2 {
        app.create_task(json!({"title": "stuck", "status": "blocked", "project_id": project["uid"]})).await;
    }

    let response = app.get("/api/v1/overview").await;
    assert_eq!(response.status(), 200);
    let after: Value = response.json().await.unwrap();
    let by_status = after["tasks_by_status"].as_object().unwrap();
    let keys: Vec<&str> = by_status.keys().map(String::as_str).collect();
    let mut expected = STATUSES.to_vec();
    expected.sort_unstable();
    assert_eq!(keys, expected, "every status, zeros included");
    let sum: u64 = by_status.values().map(|n| n.as_u64().unwrap()).sum();
    assert_eq!(after["task_count"].as_u64().unwrap(), sum);

    // Other tests may write to a shared store meanwhile: what this test
    // added is the least that changed.
    let grew = |path: &str, by: u64| {
        let at = |v: &Value| v.pointer(path).and_then(Value::as_u64).unwrap();
        assert!(at(&after) >= at(&before) + by, "{path}: {} then {}", at(&before), at(&after));
    };
    grew("/tasks_by_status/blocked", 2);
    grew("/task_count", 2);
    grew("/project_count", 1);
    grew("/user_count", 1);

    let recent = after["recent_tasks"].as_array().unwrap();
    assert_eq!(recent.len() as u64, sum.min(10));
    let created: Vec<&str> = recent.iter().map(|t| t["created_at"].as_str().unwrap()).collect();
    let mut newest_first = created.clone();
    newest_first.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(created, newest_first);
}

#[tokio::test]
async fn the_overview_of_an_empty_store_is_all_zeros() {
    if std::env::var("TRM_E2E_STORE").as_deref() == Ok("neo4j") {
        return; // one shared database: never empty
    }
    let app = spawn_app().await;
    let overview: Value = app.get("/api/v1/overview").await.json().await.unwrap();
    let zeros: serde_json::Map<String, Value> = STATUSES.iter().map(|s| ((*s).to_owned(), json!(0))).collect();
    assert_eq!(
        overview,
        json!({"tasks_by_status": zeros, "task_count": 0, "project_count": 0, "user_count": 0, "recent_tasks": []})
    );
}
