//! Users and assignment, over HTTP.

use serde_json::{Value, json};
use trm_tests::{TestApp, spawn_app};

/// A username no other test (or earlier run on a shared Neo4j) has used.
fn unique(name: &str) -> String {
    format!("{name}-{}", &uuid::Uuid::new_v4().simple().to_string()[..12])
}

async fn create_user(app: &TestApp, username: &str) -> Value {
    let response = app.post("/api/v1/users/", &json!({"username": username, "email": "someone@example.com"})).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_user_is_created_with_defaults_and_can_be_read_patched_and_listed() {
    let app = spawn_app().await;
    let name = unique("ada");
    let user = create_user(&app, &name).await;
    assert_eq!(user["username"], name.as_str());
    assert_eq!(user["is_active"], true);
    assert_eq!(user["full_name"], Value::Null);
    assert_eq!(user["version"], 1);
    let path = format!("/api/v1/users/{}", user["uid"].as_str().unwrap());
    assert_eq!(app.get(&path).await.json::<Value>().await.unwrap(), user);

    let patched: Value =
        app.patch(&path, &json!({"full_name": "Ada Lovelace", "is_active": false})).await.json().await.unwrap();
    assert_eq!((patched["full_name"].clone(), patched["version"].clone()), (json!("Ada Lovelace"), json!(2)));
    let inactive = app.list_all("/api/v1/users/?is_active=false&limit=500").await;
    assert!(inactive.iter().any(|u| u["uid"] == user["uid"]));
    assert!(inactive.iter().all(|u| u["is_active"] == false));
}

#[tokio::test]
async fn a_username_is_unique_regardless_of_case() {
    let app = spawn_app().await;
    let name = unique("grace");
    create_user(&app, &name).await;
    let duplicate =
        app.post("/api/v1/users/", &json!({"username": name.to_uppercase(), "email": "g@example.com"})).await;
    assert_eq!(duplicate.status(), 409);
    assert!(duplicate.json::<Value>().await.unwrap()["detail"].is_string());
}

#[tokio::test]
async fn invalid_users_are_422s_at_the_right_field() {
    let app = spawn_app().await;
    let cases = [
        (json!({"email": "a@example.com"}), "username"),
        (json!({"username": "ab", "email": "a@example.com"}), "username"),
        (json!({"username": "has space", "email": "a@example.com"}), "username"),
        (json!({"username": "fine_name"}), "email"),
        (json!({"username": "fine_name", "email": "not-an-address"}), "email"),
        (json!({"username": "fine_name", "email": "a@example.com", "is_active": "yes"}), "is_active"),
    ];
    for (body, field) in cases {
        let response = app.post("/api/v1/users/", &body).await;
        assert_eq!(response.status(), 422, "{body}");
        let detail = response.json::<Value>().await.unwrap()["detail"].clone();
        assert_eq!(detail[0]["loc"], json!(["body", field]), "{body}");
    }
}

#[tokio::test]
async fn tasks_are_assigned_filtered_by_assignee_and_unassigned_when_the_user_goes() {
    let app = spawn_app().await;
    let user = create_user(&app, &unique("linus")).await;
    let user_id = user["uid"].as_str().unwrap();
    let task = app.create_task(json!({"title": "assigned", "assignee_id": user_id})).await;
    assert_eq!(task["assignee_id"], user_id);
    app.create_task(json!({"title": "not assigned"})).await;

    let assigned: Value = app.get(&format!("/api/v1/tasks/?assignee_id={user_id}")).await.json().await.unwrap();
    let uids: Vec<Value> = assigned.as_array().unwrap().iter().map(|t| t["uid"].clone()).collect();
    assert_eq!(uids, [task["uid"].clone()]);

    assert_eq!(app.delete(&format!("/api/v1/users/{user_id}")).await.status(), 204);
    let task_path = format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap());
    let response = app.get(&task_path).await;
    assert_eq!(response.headers()["etag"], "\"2\"", "unassigning changes the task's version and so its ETag");
    let after: Value = response.json().await.unwrap();
    assert_eq!(after["assignee_id"], Value::Null);
    assert_eq!(after["version"], 2);
    assert_eq!(app.get(&format!("/api/v1/users/{user_id}")).await.status(), 404);

    // The store may be shared with other tests writing at the same time, so
    // the log is read through each entity's history, never its newest end.
    let task_history: Value = app.get(&format!("{task_path}/history")).await.json().await.unwrap();
    assert_eq!(event_types(&task_history), ["task.created", "task.updated"]);
    let unassigned = task_history[1]["event_id"].as_str().unwrap();
    let user_events_after_unassigning: Value =
        app.get(&format!("/api/v1/events/history?after={unassigned}&entity_id={user_id}")).await.json().await.unwrap();
    assert_eq!(
        event_types(&user_events_after_unassigning),
        ["user.deleted"],
        "the task is unassigned before the user goes"
    );
}

fn event_types(events: &Value) -> Vec<&str> {
    events.as_array().unwrap().iter().map(|e| e["event_type"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn a_task_cannot_be_assigned_to_a_user_that_does_not_exist() {
    let app = spawn_app().await;
    let response = app.post("/api/v1/tasks/", &json!({"title": "t", "assignee_id": uuid::Uuid::new_v4()})).await;
    assert_eq!(response.status(), 422);
    assert_eq!(response.json::<Value>().await.unwrap()["detail"][0]["loc"], json!(["body", "assignee_id"]));
}
