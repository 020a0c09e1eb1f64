//! Domain events over HTTP: the SSE stream and the history.

use std::time::Duration;

use futures::StreamExt as _;
use serde_json::{Value, json};
use trm_tests::{TestApp, spawn_app};

/// An open SSE connection, read frame by frame.
struct EventStream {
    body: std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buffer: String,
}

/// One parsed SSE frame.
#[derive(Debug)]
struct Frame {
    id: String,
    event: String,
    data: Value,
}

impl EventStream {
    async fn open(app: &TestApp, query: &str, last_event_id: Option<&str>) -> Self {
        let mut request = app.client.get(app.url(&format!("/api/v1/events{query}")));
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Self { body: Box::pin(response.bytes_stream()), buffer: String::new() }
    }

    /// The next event frame (comments skipped), or `None` after `wait`.
    async fn next(&mut self, wait: Duration) -> Option<Frame> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut frame = Frame { id: String::new(), event: String::new(), data: Value::Null };
                for line in block.lines() {
                    if let Some(id) = line.strip_prefix("id: ") {
                        frame.id = id.to_owned();
                    } else if let Some(event) = line.strip_prefix("event: ") {
                        frame.event = event.to_owned();
                    } else if let Some(data) = line.strip_prefix("data: ") {
                        frame.data = serde_json::from_str(data).unwrap();
                    }
                }
                if !frame.event.is_empty() {
                    return Some(frame);
                }
                continue;
            }
            let chunk = tokio::time::timeout(wait, self.body.next()).await.ok()??.unwrap();
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }
}

const WAIT: Duration = Duration::from_secs(5);
const QUIET: Duration = Duration::from_millis(300);

#[tokio::test]
async fn a_client_receives_one_event_per_write_in_order_and_none_for_rejected_writes() {
    let app = spawn_app().await;
    let mut stream = EventStream::open(&app, "", None).await;

    let project = app.create_project("evented").await;
    let task = app.create_task(json!({"title": "t", "project_id": project["uid"]})).await;
    let path = format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap());
    assert_eq!(app.post("/api/v1/tasks/", &json!({"title": ""})).await.status(), 422);
    assert_eq!(app.patch(&path, &json!({"status": "done"})).await.status(), 200);
    assert_eq!(app.patch(&path, &json!({"status": "done"})).await.status(), 200); // changes nothing
    assert_eq!(app.delete(&format!("/api/v1/projects/{}", project["uid"].as_str().unwrap())).await.status(), 409);
    assert_eq!(app.delete(&path).await.status(), 204);

    let mut seen = Vec::new();
    for _ in 0..5 {
        let frame = stream.next(WAIT).await.expect("an event");
        assert_eq!(frame.data["event_id"], frame.id);
        assert_eq!(frame.data["event_type"], frame.event);
        seen.push((frame.event, frame.data["entity_id"].clone()));
    }
    let (project_id, task_id) = (project["uid"].clone(), task["uid"].clone());
    assert_eq!(
        seen,
        [
            ("project.created".to_owned(), project_id),
            ("task.created".to_owned(), task_id.clone()),
            ("task.updated".to_owned(), task_id.clone()),
            ("task.completed".to_owned(), task_id.clone()),
            ("task.deleted".to_owned(), task_id),
        ]
    );
    assert!(stream.next(QUIET).await.is_none(), "no event for rejected or no-op writes");
}

#[tokio::test]
async fn events_carry_the_entity_and_the_request_id() {
    let app = spawn_app().await;
    let mut stream = EventStream::open(&app, "?event_type=task.created", None).await;
    let response = app
        .client
        .post(app.url("/api/v1/tasks/"))
        .header("x-request-id", "req-events-1")
        .json(&json!({"title": "traced"}))
        .send()
        .await
        .unwrap();
    let task: Value = response.json().await.unwrap();
    let frame = stream.next(WAIT).await.unwrap();
    assert_eq!(frame.data["data"], task);
    assert_eq!(frame.data["entity_type"], "task");
    assert_eq!(frame.data["metadata"]["request_id"], "req-events-1");
}

#[tokio::test]
async fn the_event_type_filter_passes_only_that_type() {
    let app = spawn_app().await;
    let mut stream = EventStream::open(&app, "?event_type=task.deleted", None).await;
    let task = app.create_task(json!({"title": "short-lived"})).await;
    app.delete(&format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap())).await;
    let frame = stream.next(WAIT).await.unwrap();
    assert_eq!(frame.event, "task.deleted");
    assert!(stream.next(QUIET).await.is_none());
}

#[tokio::test]
async fn a_client_reconnecting_with_last_event_id_gets_what_it_missed() {
    let app = spawn_app().await;
    let mut first = EventStream::open(&app, "", None).await;
    app.create_task(json!({"title": "one"})).await;
    let seen = first.next(WAIT).await.unwrap();
    drop(first);
    let two = app.create_task(json!({"title": "two"})).await;
    let three = app.create_task(json!({"title": "three"})).await;

    let mut resumed = EventStream::open(&app, "", Some(&seen.id)).await;
    assert_eq!(resumed.next(WAIT).await.unwrap().data["entity_id"], two["uid"]);
    assert_eq!(resumed.next(WAIT).await.unwrap().data["entity_id"], three["uid"]);
    let four = app.create_task(json!({"title": "four"})).await;
    assert_eq!(resumed.next(WAIT).await.unwrap().data["entity_id"], four["uid"], "then the live feed");

    let mut unknown = EventStream::open(&app, "", Some("00000000-0000-4000-8000-000000000000")).await;
    let mut replayed = 0;
    while unknown.next(QUIET).await.is_some() {
        replayed += 1;
    }
    assert_eq!(replayed, 4, "an id no longer in the history replays all of it");
}

#[tokio::test]
async fn the_history_is_newest_first_and_filterable() {
    let app = spawn_app().await;
    let first = app.create_task(json!({"title": "first"})).await;
    let second = app.create_task(json!({"title": "second"})).await;
    app.delete(&format!("/api/v1/tasks/{}", first["uid"].as_str().unwrap())).await;

    let all: Value = app.get("/api/v1/events/history").await.json().await.unwrap();
    let types: Vec<&str> = all.as_array().unwrap().iter().map(|e| e["event_type"].as_str().unwrap()).collect();
    assert_eq!(types, ["task.deleted", "task.created", "task.created"]);
    let created: Value = app.get("/api/v1/events/history?event_type=task.created&limit=1").await.json().await.unwrap();
    assert_eq!(created.as_array().unwrap().len(), 1);
    assert_eq!(created[0]["entity_id"], second["uid"]);
    let about_first: Value = app
        .get(&format!("/api/v1/events/history?entity_id={}", first["uid"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(about_first.as_array().unwrap().len(), 2);
    for bad in ["limit=0", "limit=1001", "limit=x", "colour=red"] {
        assert_eq!(app.get(&format!("/api/v1/events/history?{bad}")).await.status(), 422, "{bad}");
    }
}

#[tokio::test]
async fn disconnected_clients_leave_nothing_behind() {
    let app = spawn_app().await;
    let mut streams = Vec::new();
    for _ in 0..50 {
        streams.push(EventStream::open(&app, "", None).await);
    }
    assert_eq!(app.events.subscriber_count(), 50);
    drop(streams);
    // A server learns of a closed connection when it next writes to it: an
    // event, or the keep-alive comment at the latest. Events make it now.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while app.events.subscriber_count() > 0 && tokio::time::Instant::now() < deadline {
        app.create_task(json!({"title": "a write every subscriber hears"})).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.events.subscriber_count(), 0, "every subscription went with its connection");
}
