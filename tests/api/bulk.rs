//! `POST /api/v1/tasks/bulk`: many tasks in one request, all or none.

use serde_json::{Value, json};
use trm_tests::spawn_app;

/// The uids of a JSON array of tasks, in order.
fn uids(tasks: &Value) -> Vec<String> {
    tasks.as_array().unwrap().iter().map(|task| task["uid"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_bulk_create_answers_201_with_every_task_in_request_order_across_projects() {
    let app = spawn_app().await;
    let first = app.create_project("Import A").await;
    let second = app.create_project("Import B").await;
    let items: Vec<Value> = (0..300)
        .map(|n| {
            let project = if n % 2 == 0 { &first["uid"] } else { &second["uid"] };
            json!({"title": format!("Imported {n}"), "project_id": project, "status": "wip", "tags": ["import"]})
        })
        .collect();

    let response = app.post("/api/v1/tasks/bulk", &json!({ "tasks": items })).await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let titles: Vec<&str> = created.as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap()).collect();
    assert_eq!(titles.len(), 300);
    assert!(titles.iter().enumerate().all(|(n, title)| *title == format!("Imported {n}")));
    assert!(created.as_array().unwrap().iter().all(|t| t["status"] == "in_progress" && t["version"] == 1));

    // Stored, and listed oldest first in the request's order.
    let listed = app.list_all(&format!("/api/v1/projects/{}/tasks/?limit=500", first["uid"].as_str().unwrap())).await;
    let expected: Vec<String> = uids(&created).into_iter().step_by(2).collect();
    assert_eq!(uids(&Value::Array(listed)), expected);
}

#[tokio::test]
async fn a_bulk_create_with_bad_items_reports_every_problem_and_writes_nothing() {
    let app = spawn_app().await;
    let project = app.create_project("Half bad").await;
    let missing = "00000000-0000-4000-8000-000000000000";
    let body = json!({"tasks": [
        {"title": "fine", "project_id": project["uid"]},
        {"title": "", "status": "nope"},
        {"title": "orphan", "project_id": missing},
        {"title": "fine too", "project_id": project["uid"], "colour": "red"},
    ]});

    let response = app.post("/api/v1/tasks/bulk", &body).await;
    assert_eq!(response.status(), 422);
    let detail: Value = response.json().await.unwrap();
    let locations: Vec<&Value> = detail["detail"].as_array().unwrap().iter().map(|d| &d["loc"]).collect();
    for expected in [
        json!(["body", "tasks", 1, "title"]),
        json!(["body", "tasks", 1, "status"]),
        json!(["body", "tasks", 3, "colour"]),
    ] {
        assert!(locations.contains(&&expected), "{expected} missing from {locations:?}");
    }
    let tasks = app.list_all(&format!("/api/v1/projects/{}/tasks/", project["uid"].as_str().unwrap())).await;
    assert!(tasks.is_empty(), "nothing is written: {tasks:?}");

    // With the shape fixed, the missing project is reported at its item.
    let body = json!({"tasks": [
        {"title": "fine", "project_id": project["uid"]},
        {"title": "orphan", "project_id": missing},
    ]});
    let response = app.post("/api/v1/tasks/bulk", &body).await;
    assert_eq!(response.status(), 422);
    let detail: Value = response.json().await.unwrap();
    assert_eq!(detail["detail"][0]["loc"], json!(["body", "tasks", 1, "project_id"]));
    let tasks = app.list_all(&format!("/api/v1/projects/{}/tasks/", project["uid"].as_str().unwrap())).await;
    assert!(tasks.is_empty(), "all or none: {tasks:?}");
}

#[tokio::test]
async fn a_bulk_create_over_a_thousand_tasks_is_a_422_naming_the_limit() {
    let app = spawn_app().await;
    let items: Vec<Value> = (0..1001).map(|n| json!({"title": format!("t{n}")})).collect();
    let response = app.post("/api/v1/tasks/bulk", &json!({ "tasks": items })).await;
    assert_eq!(response.status(), 422);
    let detail: Value = response.json().await.unwrap();
    assert_eq!(detail["detail"][0]["loc"], json!(["body", "tasks"]));
    assert_eq!(detail["detail"][0]["type"], "too_long");
    assert!(detail["detail"][0]["msg"].as_str().unwrap().contains("1000"), "{detail}");
}

#[tokio::test]
async fn a_bulk_body_may_pass_one_mebibyte_where_a_single_create_may_not() {
    let app = spawn_app().await;
    let description = "d".repeat(9_000);
    let items: Vec<Value> =
        (0..200).map(|n| json!({"title": format!("big {n}"), "description": description})).collect();
    let body = json!({ "tasks": items });
    assert!(serde_json::to_vec(&body).unwrap().len() > 1024 * 1024);
    assert_eq!(app.post("/api/v1/tasks/bulk", &body).await.status(), 201);

    let single = json!({"title": "too big", "tags": ["x"], "description": "d".repeat(2 * 1024 * 1024)});
    assert_eq!(app.post("/api/v1/tasks/", &single).await.status(), 413);
}

#[tokio::test]
async fn a_retried_bulk_create_with_its_idempotency_key_creates_nothing_more() {
    let app = spawn_app().await;
    let project = app.create_project("Retried import").await;
    let body = json!({"tasks": [
        {"title": "once", "project_id": project["uid"]},
        {"title": "only once", "project_id": project["uid"]},
    ]});
    let send = || {
        app.client
            .post(app.url("/api/v1/tasks/bulk"))
            .header("idempotency-key", format!("bulk-{}", project["uid"].as_str().unwrap()))
            .json(&body)
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let again = send().await.unwrap();
    assert_eq!(again.status(), 201);
    let again: Value = again.json().await.unwrap();
    assert_eq!(uids(&first), uids(&again));
    let tasks = app.list_all(&format!("/api/v1/projects/{}/tasks/", project["uid"].as_str().unwrap())).await;
    assert_eq!(tasks.len(), 2);
}

#[tokio::test]
async fn a_bulk_create_publishes_one_task_created_event_per_task() {
    let app = spawn_app().await;
    let mut events = app.events.subscribe();
    let response = app.post("/api/v1/tasks/bulk", &json!({"tasks": [{"title": "e1"}, {"title": "e2"}]})).await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let ours = uids(&created);
    let mut seen = Vec::new();
    while seen.len() < 2 {
        // The bus carries the whole log, which other tests may share (Neo4j).
        match tokio::time::timeout(std::time::Duration::from_secs(5), events.next()).await.unwrap() {
            Some(trm_service::Received::Event(logged))
                if logged.event.event_type == "task.created" && ours.contains(&logged.event.entity_id.to_string()) =>
            {
                seen.push(logged.event.entity_id.to_string());
            }
            Some(_) => {}
            None => panic!("the event feed ended"),
        }
    }
    assert_eq!(seen, ours, "one event per task, in request order");
}
