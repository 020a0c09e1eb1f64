//! Every enum spelling of the contract, round-tripping through HTTP.

use serde_json::{Value, json};
use trm_tests::{TestApp, spawn_app};

/// Creates a task with `field: spelling` in a fresh project and returns what
/// the server says the field is.
async fn stored_as(app: &TestApp, project_id: &str, field: &str, spelling: Value) -> Value {
    let task = app.create_task(json!({ "title": "enum check", "project_id": project_id, field: spelling })).await;
    let fetched: Value =
        app.get(&format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap())).await.json().await.unwrap();
    assert_eq!(fetched[field], task[field], "get and create disagree on {field}");
    task[field].clone()
}

#[tokio::test]
async fn every_task_status_spelling_normalizes_to_its_canonical_value() {
    let app = spawn_app().await;
    let project = app.create_project("statuses").await;
    let project_id = project["uid"].as_str().unwrap();
    let cases = [
        ("ToDo", "todo"),
        ("TODO", "todo"),
        ("to do", "todo"),
        ("to-do", "todo"),
        ("InProgress", "in_progress"),
        ("IN_PROGRESS", "in_progress"),
        ("in progress", "in_progress"),
        ("wip", "in_progress"),
        ("doing", "in_progress"),
        ("InReview", "in_review"),
        ("review", "in_review"),
        ("completed", "done"),
        ("complete", "done"),
        ("closed", "done"),
        ("finished", "done"),
        ("canceled", "cancelled"),
        ("pending", "todo"),
        ("open", "todo"),
        ("new", "todo"),
        ("backlog", "backlog"),
        ("blocked", "blocked"),
    ];
    for (spelling, canonical) in cases {
        assert_eq!(stored_as(&app, project_id, "status", json!(spelling)).await, canonical, "{spelling}");
    }
}

#[tokio::test]
async fn every_task_type_priority_and_effort_unit_spelling_normalizes() {
    let app = spawn_app().await;
    let project = app.create_project("types").await;
    let project_id = project["uid"].as_str().unwrap();
    let types = [
        ("Feature", "feature"),
        ("FEATURE", "feature"),
        ("doc", "documentation"),
        ("docs", "documentation"),
        ("enhancement", "improvement"),
        ("defect", "bug"),
        ("chore", "chore"),
        ("research", "research"),
        ("meeting", "meeting"),
    ];
    for (spelling, canonical) in types {
        assert_eq!(stored_as(&app, project_id, "task_type", json!(spelling)).await, canonical, "{spelling}");
    }
    let priorities =
        [(json!(0), 0), (json!(1), 1), (json!(2), 2), (json!("normal"), 0), (json!("high"), 1), (json!("urgent"), 2)];
    for (spelling, level) in priorities {
        assert_eq!(stored_as(&app, project_id, "priority", spelling.clone()).await, level, "{spelling}");
    }
    let units = [
        ("h", "hours"),
        ("hour", "hours"),
        ("hours", "hours"),
        ("d", "days"),
        ("day", "days"),
        ("sp", "story_points"),
        ("points", "story_points"),
        ("story_points", "story_points"),
    ];
    for (spelling, canonical) in units {
        assert_eq!(stored_as(&app, project_id, "effort_unit", json!(spelling)).await, canonical, "{spelling}");
    }
}

#[tokio::test]
async fn project_status_spellings_normalize() {
    let app = spawn_app().await;
    for (spelling, canonical) in
        [("OnHold", "on_hold"), ("on hold", "on_hold"), ("ACTIVE", "active"), ("Archived", "archived")]
    {
        let response = app.post("/api/v1/projects/", &json!({"title": "p", "status": spelling})).await;
        assert_eq!(response.status(), 201);
        assert_eq!(response.json::<Value>().await.unwrap()["status"], canonical, "{spelling}");
    }
}

#[tokio::test]
async fn an_unknown_enum_value_is_a_422_listing_the_accepted_values() {
    let app = spawn_app().await;
    let response = app.post("/api/v1/tasks/", &json!({"title": "x", "status": "someday"})).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["detail"][0]["loc"], json!(["body", "status"]));
    let message = body["detail"][0]["msg"].as_str().unwrap();
    for accepted in ["backlog", "todo", "in_progress", "in_review", "blocked", "done", "cancelled"] {
        assert!(message.contains(accepted), "{message}");
    }
}

#[tokio::test]
async fn enum_filters_are_normalized_too() {
    let app = spawn_app().await;
    let project = app.create_project("filters").await;
    let project_id = project["uid"].as_str().unwrap();
    let task = app.create_task(json!({"title": "doing it", "status": "in_progress", "project_id": project_id})).await;
    for spelling in ["InProgress", "in%20progress", "wip", "IN_PROGRESS"] {
        let listed: Value =
            app.get(&format!("/api/v1/tasks/?project_id={project_id}&status={spelling}")).await.json().await.unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 1, "{spelling}");
        assert_eq!(listed[0]["uid"], task["uid"]);
    }
    let response = app.get("/api/v1/tasks/?status=someday").await;
    assert_eq!(response.status(), 422);
}
