//! Projects, and tasks as parts of them.

use serde_json::{Value, json};
use trm_tests::spawn_app;

#[tokio::test]
async fn a_project_can_be_created_read_patched_listed_and_deleted() {
    let app = spawn_app().await;
    let project = app.create_project("Launch").await;
    assert_eq!(project["status"], "active");
    assert_eq!(project["version"], 1);
    let path = format!("/api/v1/projects/{}", project["uid"].as_str().unwrap());

    let patched: Value =
        app.patch(&path, &json!({"status": "on hold", "description": "later"})).await.json().await.unwrap();
    assert_eq!((patched["status"].clone(), patched["version"].clone()), (json!("on_hold"), json!(2)));

    let on_hold = app.list_all("/api/v1/projects?status=OnHold&limit=500").await;
    assert!(on_hold.iter().any(|p| p["uid"] == project["uid"]));
    assert!(on_hold.iter().all(|p| p["status"] == "on_hold"));

    assert_eq!(app.delete(&path).await.status(), 204);
    assert_eq!(app.get(&path).await.status(), 404);
}

#[tokio::test]
async fn a_task_cannot_join_a_project_that_does_not_exist() {
    let app = spawn_app().await;
    let response = app.post("/api/v1/tasks/", &json!({"title": "orphan", "project_id": uuid::Uuid::new_v4()})).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["detail"][0]["loc"], json!(["body", "project_id"]));
}

#[tokio::test]
async fn deleting_a_project_with_tasks_is_a_409_unless_cascading() {
    let app = spawn_app().await;
    let project = app.create_project("Doomed").await;
    let project_id = project["uid"].as_str().unwrap();
    let task = app.create_task(json!({"title": "part", "project_id": project_id})).await;
    let task_path = format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap());

    let refused = app.delete(&format!("/api/v1/projects/{project_id}")).await;
    assert_eq!(refused.status(), 409);
    assert!(refused.json::<Value>().await.unwrap()["detail"].is_string());
    assert_eq!(app.get(&task_path).await.status(), 200, "a refused delete deletes nothing");

    assert_eq!(app.delete(&format!("/api/v1/projects/{project_id}?cascade=true")).await.status(), 204);
    assert_eq!(app.get(&task_path).await.status(), 404, "a cascade takes the tasks too");
}

#[tokio::test]
async fn a_projects_task_list_takes_the_task_filters_and_404s_for_unknown_projects() {
    let app = spawn_app().await;
    let project = app.create_project("Listed").await;
    let project_id = project["uid"].as_str().unwrap();
    let todo = app.create_task(json!({"title": "a", "project_id": project_id})).await;
    app.create_task(json!({"title": "b", "status": "done", "project_id": project_id})).await;
    app.create_task(json!({"title": "elsewhere"})).await;

    for path in [
        format!("/api/v1/projects/{project_id}/tasks/?status=todo"),
        format!("/api/v1/projects/{project_id}/tasks?status=todo"),
    ] {
        let listed: Value = app.get(&path).await.json().await.unwrap();
        let uids: Vec<Value> = listed.as_array().unwrap().iter().map(|t| t["uid"].clone()).collect();
        assert_eq!(uids, [todo["uid"].clone()], "{path}");
    }
    assert_eq!(app.get(&format!("/api/v1/projects/{}/tasks/", uuid::Uuid::new_v4())).await.status(), 404);
    assert_eq!(app.get(&format!("/api/v1/projects/{project_id}/tasks/?project_id={project_id}")).await.status(), 422);
}

#[tokio::test]
async fn moving_a_task_between_projects_follows_the_relationship() {
    let app = spawn_app().await;
    let first = app.create_project("first").await;
    let second = app.create_project("second").await;
    let task = app.create_task(json!({"title": "mover", "project_id": first["uid"]})).await;
    let path = format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap());
    let moved: Value = app.patch(&path, &json!({"project_id": second["uid"]})).await.json().await.unwrap();
    assert_eq!(moved["project_id"], second["uid"]);
    let in_first: Value =
        app.get(&format!("/api/v1/projects/{}/tasks/", first["uid"].as_str().unwrap())).await.json().await.unwrap();
    assert_eq!(in_first, json!([]));
    let cleared: Value = app.patch(&path, &json!({"project_id": null})).await.json().await.unwrap();
    assert_eq!(cleared["project_id"], Value::Null);
}
