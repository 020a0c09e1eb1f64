//! Sub-tasks over HTTP: `parent_id` on create, bulk create and PATCH, its
//! 422s and the 409 for a loop, the `parent_id` filter and
//! `…/subtasks`, and deleting a task that has sub-tasks.

use serde_json::{Value, json};
use trm_tests::{TestApp, spawn_app};

/// The task's `uid`.
fn uid(task: &Value) -> &str {
    task["uid"].as_str().unwrap()
}

/// A new task under `parent`.
async fn sub_task(app: &TestApp, title: &str, parent: &Value) -> Value {
    app.create_task(json!({"title": title, "parent_id": uid(parent)})).await
}

/// The uids of a list of tasks.
fn uids(tasks: &[Value]) -> Vec<String> {
    tasks.iter().map(|task| uid(task).to_owned()).collect()
}

/// The first problem of a 422.
async fn first_problem(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    body["detail"][0].clone()
}

#[tokio::test]
async fn sub_tasks_are_set_listed_paged_and_detached() {
    let app = spawn_app().await;
    let parent = app.create_task(json!({"title": "Parent"})).await;
    assert_eq!(parent["parent_id"], Value::Null);
    let first = sub_task(&app, "First", &parent).await;
    let second = sub_task(&app, "Second", &parent).await;
    let third = sub_task(&app, "Third", &parent).await;
    let grandchild = sub_task(&app, "Grandchild", &first).await;
    assert_eq!(first["parent_id"], json!(uid(&parent)));

    let parent_path = format!("/api/v1/tasks/{}", uid(&parent));
    let paged = app.list_all(&format!("{parent_path}/subtasks?limit=2")).await;
    assert_eq!(uids(&paged), uids(&[first.clone(), second.clone(), third.clone()]), "direct sub-tasks, paged");
    let filtered = app.list_all(&format!("/api/v1/tasks/?parent_id={}&limit=2", uid(&parent))).await;
    assert_eq!(uids(&filtered), uids(&paged));
    let newest_first = app.list_all(&format!("{parent_path}/subtasks?sort=-created_at")).await;
    assert_eq!(uids(&newest_first), uids(&[third.clone(), second.clone(), first.clone()]));
    let deeper = app.list_all(&format!("/api/v1/tasks/{}/subtasks", uid(&first))).await;
    assert_eq!(uids(&deeper), uids(&[grandchild]));

    let response = app.patch(&format!("/api/v1/tasks/{}", uid(&second)), &json!({"parent_id": null})).await;
    assert_eq!(response.status(), 200);
    let detached: Value = response.json().await.unwrap();
    assert_eq!((detached["parent_id"].clone(), detached["version"].clone()), (Value::Null, json!(2)));
    let paged = app.list_all(&format!("{parent_path}/subtasks")).await;
    assert_eq!(uids(&paged), uids(&[first, third]));

    let ghost = uuid::Uuid::new_v4();
    assert_eq!(app.get(&format!("/api/v1/tasks/{ghost}/subtasks")).await.status(), 404);
    assert_eq!(app.get(&format!("{parent_path}/subtasks?parent_id={ghost}")).await.status(), 422);
}

#[tokio::test]
async fn an_unknown_parent_or_one_nested_too_deep_is_a_422_at_parent_id() {
    let app = spawn_app().await;
    let ghost = uuid::Uuid::new_v4().to_string();
    let problem = first_problem(app.post("/api/v1/tasks/", &json!({"title": "t", "parent_id": ghost})).await).await;
    assert_eq!(problem["loc"], json!(["body", "parent_id"]));
    let problem = first_problem(app.post("/api/v1/tasks/", &json!({"title": "t", "parent_id": "nope"})).await).await;
    assert_eq!(problem["loc"], json!(["body", "parent_id"]));

    let body = json!({"tasks": [{"title": "fine"}, {"title": "orphan", "parent_id": ghost}]});
    let problem = first_problem(app.post("/api/v1/tasks/bulk", &body).await).await;
    assert_eq!(problem["loc"], json!(["body", "tasks", 1, "parent_id"]));

    let mut levels = vec![app.create_task(json!({"title": "Level 1"})).await];
    for level in 2..=10 {
        let next = sub_task(&app, &format!("Level {level}"), levels.last().unwrap()).await;
        levels.push(next);
    }
    let body = json!({"title": "Level 11", "parent_id": uid(&levels[9])});
    let problem = first_problem(app.post("/api/v1/tasks/", &body).await).await;
    assert_eq!(problem["loc"], json!(["body", "parent_id"]));
    assert!(problem["msg"].as_str().unwrap().contains("10 levels"), "{problem}");
}

#[tokio::test]
async fn a_task_under_itself_or_its_own_sub_task_is_a_409_naming_the_loop() {
    let app = spawn_app().await;
    let top = app.create_task(json!({"title": "Top"})).await;
    let middle = sub_task(&app, "Middle", &top).await;
    let bottom = sub_task(&app, "Bottom", &middle).await;
    let path = format!("/api/v1/tasks/{}", uid(&top));

    let response = app.patch(&path, &json!({"parent_id": uid(&bottom)})).await;
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.unwrap();
    let expected = format!("Sub-task cycle: {} → {} → {} → {}", uid(&top), uid(&bottom), uid(&middle), uid(&top));
    assert_eq!(body["detail"], json!(expected));

    let response = app.patch(&path, &json!({"parent_id": uid(&top)})).await;
    assert_eq!(response.status(), 409);
    let read: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!((read["parent_id"].clone(), read["version"].clone()), (Value::Null, json!(1)), "nothing changed");
}

#[tokio::test]
async fn a_task_with_sub_tasks_is_deleted_only_with_cascade_each_with_its_event() {
    let app = spawn_app().await;
    let top = app.create_task(json!({"title": "Top"})).await;
    let child = sub_task(&app, "Child", &top).await;
    let grandchild = sub_task(&app, "Grandchild", &child).await;
    let path = format!("/api/v1/tasks/{}", uid(&top));

    let response = app.delete(&path).await;
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["detail"], "Task still has sub-tasks; delete them first or pass cascade=true");
    assert_eq!(app.delete(&format!("{path}?cascade=maybe")).await.status(), 422);

    assert_eq!(app.delete(&format!("{path}?cascade=true")).await.status(), 204);
    for gone in [&top, &child, &grandchild] {
        assert_eq!(app.get(&format!("/api/v1/tasks/{}", uid(gone))).await.status(), 404);
        let history: Value = app.get(&format!("/api/v1/tasks/{}/history", uid(gone))).await.json().await.unwrap();
        assert_eq!(history.as_array().unwrap().last().unwrap()["event_type"], "task.deleted");
    }
    let deleted: Value =
        app.get("/api/v1/events/history?event_type=task.deleted&limit=500").await.json().await.unwrap();
    let order: Vec<&str> = deleted
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["entity_id"].as_str().unwrap())
        .filter(|id| [uid(&top), uid(&child), uid(&grandchild)].contains(id))
        .collect();
    assert_eq!(order.len(), 3);
    // The log newest first: the parent went last.
    let position = |task: &Value| order.iter().position(|id| *id == uid(task)).unwrap();
    assert!(position(&top) < position(&child) && position(&child) < position(&grandchild), "{order:?}");
}
