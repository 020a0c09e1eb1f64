//! The acceptance flow of the seed document, against the real server.

use serde_json::{Value, json};
use trm_tests::spawn_app;

#[tokio::test]
async fn the_seed_documents_task_flow_works_end_to_end() {
    let app = spawn_app().await;
    let project = app.create_project("Seed project").await;
    let project_id = project["uid"].as_str().unwrap();

    let task = json!({
        "title": "Test Task",
        "description": "This is a test task",
        "status": "todo",
        "project_id": project_id,
    });
    let response = app.post("/api/v1/tasks/", &task).await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let uid = created["uid"].as_str().expect("a uid");
    assert_eq!(created["title"], "Test Task");
    assert_eq!(created["status"], "todo");
    assert_eq!(created["project_id"], project_id);

    let listed: Value =
        app.get(&format!("/api/v1/tasks/?project_id={project_id}&status=todo")).await.json().await.unwrap();
    let uids: Vec<&str> = listed.as_array().unwrap().iter().map(|t| t["uid"].as_str().unwrap()).collect();
    assert_eq!(uids, [uid]);

    assert_eq!(app.delete(&format!("/api/v1/tasks/{uid}")).await.status(), 204);
    let gone = app.get(&format!("/api/v1/tasks/{uid}")).await;
    assert_eq!(gone.status(), 404);
    assert_eq!(gone.json::<Value>().await.unwrap(), json!({"detail": "Task not found"}));
}
