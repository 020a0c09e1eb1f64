//! Domain events over HTTP: the SSE stream, the durable history, and each
//! entity's own history — across server instances sharing one store, which
//! also stands for a restart.
//!
//! On Neo4j every test shares one database and so one event log: tests
//! follow only the events about entities they created themselves.

use std::time::Duration;

use futures::StreamExt as _;
use serde_json::{Value, json};
use trm_tests::{SharedStore, TestApp, spawn_app, spawn_app_with};

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

impl EventStream {
    /// The next event frame about one of `ids`, skipping everyone else's.
    async fn next_about(&mut self, ids: &[&Value], wait: Duration) -> Option<Frame> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let frame = self.next(left).await?;
            if ids.contains(&&frame.data["entity_id"]) {
                return Some(frame);
            }
        }
    }
}

/// Two servers on one store: two instances behind a load balancer, or one
/// server before and after a restart. On Neo4j the store is shared anyway.
/// The store goes when the returned guard is dropped.
async fn two_instances() -> (TestApp, TestApp, SharedStore) {
    let store = SharedStore::new();
    (spawn_app_with(&store.settings()).await, spawn_app_with(&store.settings()).await, store)
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.unwrap()
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
        let frame = stream.next_about(&[&project["uid"], &task["uid"]], WAIT).await.expect("an event");
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
    assert!(
        stream.next_about(&[&project["uid"], &task["uid"]], QUIET).await.is_none(),
        "no event for rejected or no-op writes"
    );
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
    let frame = stream.next_about(&[&task["uid"]], WAIT).await.unwrap();
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
    let frame = stream.next_about(&[&task["uid"]], WAIT).await.unwrap();
    assert_eq!(frame.event, "task.deleted");
    assert!(stream.next_about(&[&task["uid"]], QUIET).await.is_none());
}

#[tokio::test]
async fn a_client_reconnecting_with_last_event_id_gets_what_it_missed() {
    let app = spawn_app().await;
    let mut first = EventStream::open(&app, "", None).await;
    let one = app.create_task(json!({"title": "one"})).await;
    let seen = first.next_about(&[&one["uid"]], WAIT).await.unwrap();
    drop(first);
    let two = app.create_task(json!({"title": "two"})).await;
    let three = app.create_task(json!({"title": "three"})).await;

    let mut resumed = EventStream::open(&app, "", Some(&seen.id)).await;
    let ours = [&one["uid"], &two["uid"], &three["uid"]];
    assert_eq!(resumed.next_about(&ours, WAIT).await.unwrap().data["entity_id"], two["uid"]);
    assert_eq!(resumed.next_about(&ours, WAIT).await.unwrap().data["entity_id"], three["uid"]);
    let four = app.create_task(json!({"title": "four"})).await;
    assert_eq!(
        resumed.next_about(&[&four["uid"], &two["uid"], &three["uid"]], WAIT).await.unwrap().data["entity_id"],
        four["uid"],
        "then the live feed, nothing twice"
    );

    // An id the log does not hold (pruned, say) replays every retained event.
    let mut unknown = EventStream::open(&app, "", Some("00000000-0000-4000-8000-000000000000")).await;
    let everything = [&one["uid"], &two["uid"], &three["uid"], &four["uid"]];
    for expected in everything {
        assert_eq!(
            &unknown.next_about(&everything, Duration::from_secs(30)).await.unwrap().data["entity_id"],
            expected
        );
    }
}

#[tokio::test]
async fn the_history_is_newest_first_and_filterable() {
    let app = spawn_app().await;
    let first = app.create_task(json!({"title": "first"})).await;
    let second = app.create_task(json!({"title": "second"})).await;
    app.delete(&format!("/api/v1/tasks/{}", first["uid"].as_str().unwrap())).await;

    let about =
        |task: &Value, more: &str| format!("/api/v1/events/history?entity_id={}{more}", task["uid"].as_str().unwrap());
    let of_first = json_of(app.get(&about(&first, "")).await).await;
    let types: Vec<&str> = of_first.as_array().unwrap().iter().map(|e| e["event_type"].as_str().unwrap()).collect();
    assert_eq!(types, ["task.deleted", "task.created"], "newest first");
    let created = json_of(app.get(&about(&second, "&event_type=task.created&entity_type=task")).await).await;
    assert_eq!(created.as_array().unwrap().len(), 1);
    assert_eq!(created[0]["data"], second);
    let as_project = json_of(app.get(&about(&second, "&entity_type=project")).await).await;
    assert_eq!(as_project, json!([]));
    for bad in ["limit=0", "limit=1001", "limit=x", "colour=red", "entity_type=planet", "cursor=zzz", "after=nope"] {
        assert_eq!(app.get(&format!("/api/v1/events/history?{bad}")).await.status(), 422, "{bad}");
    }
}

#[tokio::test]
async fn the_history_pages_newest_first_and_tails_oldest_first_after_an_event() {
    let app = spawn_app().await;
    let task = app.create_task(json!({"title": "busy"})).await;
    let path = format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap());
    for title in ["busier", "busiest", "calmer", "calm"] {
        assert_eq!(app.patch(&path, &json!({"title": title})).await.status(), 200);
    }
    // Newest first, two at a time, following the Link header.
    let mut next = Some(format!("/api/v1/events/history?entity_id={}&limit=2", task["uid"].as_str().unwrap()));
    let mut newest_first = Vec::new();
    while let Some(path) = next.take() {
        let response = app.get(&path).await;
        next = response.headers().get("link").map(|link| {
            let link = link.to_str().unwrap();
            link[link.find('<').unwrap() + 1..link.find('>').unwrap()].to_owned()
        });
        let page = json_of(response).await;
        newest_first.extend(page.as_array().unwrap().iter().map(|e| e["event_id"].clone()));
    }
    assert_eq!(newest_first.len(), 5, "one create and four updates");
    // Tailing after the oldest: the other four, oldest first.
    let oldest = newest_first.last().unwrap().as_str().unwrap();
    let tail = json_of(
        app.get(&format!("/api/v1/events/history?after={oldest}&entity_id={}", task["uid"].as_str().unwrap())).await,
    )
    .await;
    let tail: Vec<Value> = tail.as_array().unwrap().iter().map(|e| e["event_id"].clone()).collect();
    let mut expected = newest_first[..4].to_vec();
    expected.reverse();
    assert_eq!(tail, expected);
}

#[tokio::test]
async fn an_entitys_history_is_oldest_first_outlives_it_and_is_404_for_an_id_without_events() {
    let app = spawn_app().await;
    let project = app.create_project("with a past").await;
    let task = app.create_task(json!({"title": "t", "project_id": project["uid"]})).await;
    let task_path = format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap());
    assert_eq!(app.patch(&task_path, &json!({"status": "done"})).await.status(), 200);
    let project_path = format!("/api/v1/projects/{}", project["uid"].as_str().unwrap());
    assert_eq!(app.delete(&format!("{project_path}?cascade=true")).await.status(), 204);
    assert_eq!(app.get(&task_path).await.status(), 404, "the task is gone");

    let history = json_of(app.get(&format!("{task_path}/history")).await).await;
    let types: Vec<&str> = history.as_array().unwrap().iter().map(|e| e["event_type"].as_str().unwrap()).collect();
    assert_eq!(types, ["task.created", "task.updated", "task.completed", "task.deleted"]);
    let project_history = json_of(app.get(&format!("{project_path}/history")).await).await;
    let types: Vec<&str> =
        project_history.as_array().unwrap().iter().map(|e| e["event_type"].as_str().unwrap()).collect();
    assert_eq!(types, ["project.created", "project.deleted"]);
    let user = json_of(
        app.post(
            "/api/v1/users/",
            &json!({"username": format!("h{}", uuid::Uuid::new_v4().simple()), "email": "h@example.com"}),
        )
        .await,
    )
    .await;
    let user_history =
        json_of(app.get(&format!("/api/v1/users/{}/history", user["uid"].as_str().unwrap())).await).await;
    assert_eq!(user_history[0]["event_type"], "user.created");

    let never = uuid::Uuid::new_v4();
    for kind in ["tasks", "projects", "users"] {
        assert_eq!(app.get(&format!("/api/v1/{kind}/{never}/history")).await.status(), 404, "{kind}");
        assert_eq!(app.get(&format!("/api/v1/{kind}/not-an-id/history")).await.status(), 404, "{kind}");
    }
    assert_eq!(app.get(&format!("{task_path}/history?cursor=zzz")).await.status(), 422);
}

#[tokio::test]
async fn another_instance_serves_the_history_and_resumes_a_stream_from_the_shared_log() {
    let (writer, reader, _store) = two_instances().await;
    let one = writer.create_task(json!({"title": "one"})).await;
    let two = writer.create_task(json!({"title": "two"})).await;
    let three = writer.create_task(json!({"title": "three"})).await;
    let history =
        json_of(reader.get(&format!("/api/v1/events/history?entity_id={}", two["uid"].as_str().unwrap())).await).await;
    assert_eq!(history[0]["event_type"], "task.created", "the reader never saw the write, yet has its event");
    let first_event =
        json_of(reader.get(&format!("/api/v1/events/history?entity_id={}", one["uid"].as_str().unwrap())).await).await
            [0]["event_id"]
            .as_str()
            .unwrap()
            .to_owned();
    let mut resumed = EventStream::open(&reader, "", Some(&first_event)).await;
    let ours = [&one["uid"], &two["uid"], &three["uid"]];
    assert_eq!(resumed.next_about(&ours, WAIT).await.unwrap().data["entity_id"], two["uid"]);
    assert_eq!(resumed.next_about(&ours, WAIT).await.unwrap().data["entity_id"], three["uid"]);
}

#[tokio::test]
async fn a_stream_on_one_instance_receives_the_writes_of_another_without_nats() {
    let (writer, reader, _store) = two_instances().await;
    let mut stream = EventStream::open(&reader, "", None).await;
    tokio::time::sleep(Duration::from_millis(200)).await; // the reader's relay has found the end of the log
    let task = writer.create_task(json!({"title": "written elsewhere"})).await;
    let frame = stream.next_about(&[&task["uid"]], Duration::from_secs(2)).await.expect("within two seconds");
    assert_eq!(frame.event, "task.created");
}

#[tokio::test]
async fn disconnected_clients_leave_nothing_behind() {
    let app = spawn_app().await;
    // The server's own listeners (the webhook dispatcher's wake-up).
    let own = app.events.subscriber_count();
    let mut streams = Vec::new();
    for _ in 0..50 {
        streams.push(EventStream::open(&app, "", None).await);
    }
    assert_eq!(app.events.subscriber_count(), own + 50);
    drop(streams);
    // A server learns of a closed connection when it next writes to it: an
    // event, or the keep-alive comment at the latest. Events make it now.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while app.events.subscriber_count() > own && tokio::time::Instant::now() < deadline {
        app.create_task(json!({"title": "a write every subscriber hears"})).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.events.subscriber_count(), own, "every subscription went with its connection");
}

#[tokio::test]
async fn with_the_event_log_off_writes_succeed_and_leave_no_history() {
    let app = spawn_app_with(&[("TRM__EVENTS__ENABLED", "false")]).await;
    let task = app.create_task(json!({"title": "unrecorded"})).await;
    let path = format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap());
    assert_eq!(app.patch(&path, &json!({"status": "done"})).await.status(), 200);
    assert_eq!(app.get(&format!("{path}/history")).await.status(), 404, "no event was ever stored for it");
    let about = json_of(app.get(&format!("/api/v1/events/history?entity_id={}", task["uid"].as_str().unwrap())).await);
    assert_eq!(about.await, json!([]));
}
