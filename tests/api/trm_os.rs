//! What TRM-OS's clients send, end to end against the real server and
//! store: `name` for a task's or a project's `title` (on create and on
//! PATCH; both at once is a 422 at `["body","name"]`), and date-times
//! without an offset — Python's `datetime.now().isoformat()` — read as UTC.
//! What is stored and answered is the contract's: `title`, and RFC 3339 UTC
//! with `Z` and microseconds.

use serde_json::{Value, json};
use trm_tests::spawn_app;

#[tokio::test]
async fn a_task_created_and_renamed_with_name_is_stored_and_answered_with_title() {
    let app = spawn_app().await;
    let created = app.post("/api/v1/tasks/", &json!({"name": "Write the docs", "status": "In Progress"})).await;
    assert_eq!(created.status(), 201);
    let task: Value = created.json().await.unwrap();
    assert_eq!(task["title"], "Write the docs");
    assert!(task.get("name").is_none(), "{task}");
    let path = format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap());

    let patched = app.patch(&path, &json!({"name": "Rewrite the docs"})).await;
    assert_eq!(patched.status(), 200);
    assert_eq!(patched.json::<Value>().await.unwrap()["version"], 2);

    let stored: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(stored["title"], "Rewrite the docs");
}

#[tokio::test]
async fn a_project_created_and_renamed_with_name_is_stored_and_answered_with_title() {
    let app = spawn_app().await;
    let created = app.post("/api/v1/projects/", &json!({"name": "Launch"})).await;
    assert_eq!(created.status(), 201);
    let project: Value = created.json().await.unwrap();
    assert_eq!(project["title"], "Launch");
    let path = format!("/api/v1/projects/{}", project["uid"].as_str().unwrap());

    assert_eq!(app.patch(&path, &json!({"name": "Relaunch"})).await.status(), 200);
    let stored: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(stored["title"], "Relaunch");
}

#[tokio::test]
async fn name_and_title_in_one_body_is_a_422_at_body_name_and_nothing_changes() {
    let app = spawn_app().await;
    // A tag of this test's own: on Neo4j other tests' tasks are listed too.
    let tag = format!("alias-{}", uuid::Uuid::new_v4().simple());
    let task = app.create_task(json!({"title": "Kept", "tags": [tag]})).await;
    let project = app.create_project("Kept").await;
    let task_path = format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap());
    let project_path = format!("/api/v1/projects/{}", project["uid"].as_str().unwrap());
    let both = json!({"title": "One", "name": "Other"});
    let task_with_both = json!({"title": "One", "name": "Other", "tags": [tag]});

    for response in [
        app.post("/api/v1/tasks/", &task_with_both).await,
        app.patch(&task_path, &both).await,
        app.post("/api/v1/projects/", &both).await,
        app.patch(&project_path, &both).await,
    ] {
        let url = response.url().clone();
        assert_eq!(response.status(), 422, "{url}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["detail"][0]["loc"], json!(["body", "name"]), "{url}: {body}");
        assert_eq!(body["detail"][0]["type"], "value_error", "{url}: {body}");
    }
    assert_eq!(app.get(&task_path).await.json::<Value>().await.unwrap()["version"], 1);
    assert_eq!(app.get(&project_path).await.json::<Value>().await.unwrap()["version"], 1);
    let titles: Vec<Value> =
        app.list_all(&format!("/api/v1/tasks/?tag={tag}")).await.into_iter().map(|t| t["title"].clone()).collect();
    assert_eq!(titles, [json!("Kept")], "the refused create created nothing");
}

#[tokio::test]
async fn dates_without_an_offset_are_stored_as_utc_and_answered_with_z_and_microseconds() {
    let app = spawn_app().await;
    let task = app
        .create_task(json!({
            "title": "Python sent this",
            "start_date": "2026-11-26T10:00:00",
            "due_date": "2026-11-27T09:30:15.123456",
        }))
        .await;
    assert_eq!(task["start_date"], "2026-11-26T10:00:00.000000Z");
    assert_eq!(task["due_date"], "2026-11-27T09:30:15.123456Z");
    let path = format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap());

    let patched = app.patch(&path, &json!({"due_date": "2026-12-01"})).await;
    assert_eq!(patched.status(), 200);
    let stored: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(stored["start_date"], "2026-11-26T10:00:00.000000Z");
    assert_eq!(stored["due_date"], "2026-12-01T00:00:00.000000Z", "a date alone is midnight UTC");
}

#[tokio::test]
async fn a_date_without_an_offset_that_does_not_exist_is_a_422() {
    let app = spawn_app().await;
    let response = app.post("/api/v1/tasks/", &json!({"title": "x", "due_date": "2026-02-30T10:00:00"})).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["detail"][0]["loc"], json!(["body", "due_date"]));
    assert_eq!(body["detail"][0]["type"], "datetime_parsing");
}
