//! Read-your-writes through `X-TRM-Bookmark`: on Neo4j a write's response
//! carries the bookmark of its commit, and a read sent with it waits for it
//! (here through `neo4j://` with `read_from = readers`, so reads go to the
//! routing table's readers, and the local server is its own reader); on
//! SQLite the header is never sent and a well-formed one is ignored. A
//! value that is no bookmark is a 422 at the header on both.

use serde_json::{Value, json};
use trm_tests::{TestApp, spawn_app, spawn_app_with};

fn on_neo4j() -> bool {
    std::env::var("TRM_E2E_STORE").as_deref() == Ok("neo4j")
}

/// A server whose Neo4j reads go to the readers of a routing table; on
/// SQLite, the usual server.
async fn reading_from_readers() -> TestApp {
    if !on_neo4j() {
        return spawn_app().await;
    }
    let uri = std::env::var("TRM_TEST_NEO4J_URI").expect("TRM_E2E_STORE=neo4j needs TRM_TEST_NEO4J_URI");
    let routed = format!("neo4j://{}", uri.split_once("://").map_or(uri.as_str(), |(_, rest)| rest));
    spawn_app_with(&[("TRM__DATABASE__URL", routed.as_str()), ("TRM__DATABASE__READ_FROM", "readers")]).await
}

fn bookmark_of(response: &reqwest::Response) -> Option<String> {
    response.headers().get("x-trm-bookmark").map(|value| value.to_str().unwrap().to_owned())
}

async fn get_with(app: &TestApp, path: &str, bookmark: &str) -> reqwest::Response {
    app.client.get(app.url(path)).header("X-TRM-Bookmark", bookmark).send().await.unwrap()
}

#[tokio::test]
async fn a_write_answers_a_bookmark_on_neo4j_only_and_a_read_sent_with_it_sees_the_write() {
    let app = reading_from_readers().await;
    let response = app.post("/api/v1/projects/", &json!({"name": "Bookmarked"})).await;
    assert_eq!(response.status(), 201);
    let bookmark = bookmark_of(&response);
    let project: Value = response.json().await.unwrap();
    let task_response =
        app.post("/api/v1/tasks/", &json!({"title": "Read me back", "project_id": project["uid"]})).await;
    assert_eq!(task_response.status(), 201);
    let task_bookmark = bookmark_of(&task_response);
    let task: Value = task_response.json().await.unwrap();
    if !on_neo4j() {
        assert_eq!((bookmark, task_bookmark), (None, None), "SQLite has no bookmarks");
        // One sent anyway is ignored.
        let read = get_with(&app, &format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap()), "FB:anything").await;
        assert_eq!(read.status(), 200);
        return;
    }
    let bookmark = bookmark.expect("a Neo4j write answers its bookmark");
    let task_bookmark = task_bookmark.expect("a group-committed create answers its bookmark too");
    assert_ne!(bookmark, task_bookmark, "each commit has its own");

    let read = get_with(&app, &format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap()), &task_bookmark).await;
    assert_eq!(read.status(), 200);
    assert_eq!(bookmark_of(&read), None, "a read commits nothing");
    let read: Value = read.json().await.unwrap();
    assert_eq!(read["title"], "Read me back");
    assert_eq!(read["project_id"], project["uid"]);

    let tasks =
        get_with(&app, &format!("/api/v1/projects/{}/tasks", project["uid"].as_str().unwrap()), &bookmark).await;
    assert_eq!(tasks.status(), 200);

    let update =
        app.patch(&format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap()), &json!({"status": "done"})).await;
    assert_eq!(update.status(), 200);
    let after_update = bookmark_of(&update).expect("an update answers its bookmark");
    let read = get_with(&app, &format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap()), &after_update).await;
    let read: Value = read.json().await.unwrap();
    assert_eq!(read["status"], "done");
}

#[tokio::test]
async fn a_bookmark_header_that_is_no_bookmark_is_a_422_at_the_header_on_every_store() {
    let app = reading_from_readers().await;
    let response = get_with(&app, "/api/v1/tasks/", "not a bookmark").await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["detail"][0]["loc"], json!(["header", "X-TRM-Bookmark"]));
    assert_eq!(body["detail"][0]["type"], "bookmark_invalid");
}

#[tokio::test]
async fn a_bookmark_neo4j_does_not_recognise_is_a_422_not_a_500() {
    if !on_neo4j() {
        return;
    }
    let app = reading_from_readers().await;
    let response = get_with(&app, "/api/v1/projects/", "FB:not-a-real-bookmark").await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["detail"][0]["loc"], json!(["header", "X-TRM-Bookmark"]));
    assert_eq!(body["detail"][0]["type"], "bookmark_unknown");
}
