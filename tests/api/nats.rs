//! Several instances sharing one store, woken through one NATS: a client
//! on any instance sees every event, exactly once and in order, whichever
//! instance served the write — at once, not at the next poll of the log
//! (the instances here poll only every minute, so only NATS can be quick).
//!
//! Needs a NATS server named by `TRM_TEST_NATS_URL` (`scripts/test` starts
//! one). Without it the tests say loudly that they were skipped — unless
//! `TRM_REQUIRE_NATS=1`, when a skip would hide a gap, so they fail. Each
//! test uses a subject of its own, so tests running in parallel on the one
//! NATS server never hear each other.

use std::time::Duration;

use futures::StreamExt as _;
use serde_json::{Value, json};
use trm_tests::{SharedStore, TestApp, spawn_app_with};

/// The NATS URL to test against, or `None` (after saying so) to skip.
fn nats_url() -> Option<String> {
    match std::env::var("TRM_TEST_NATS_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("TRM_REQUIRE_NATS").as_deref() != Ok("1"),
                "TRM_REQUIRE_NATS=1 but TRM_TEST_NATS_URL is not set"
            );
            eprintln!("\n\n*** SKIPPED: TRM_TEST_NATS_URL not set (the NATS relay tests did not run) ***\n");
            None
        }
    }
}

/// Two instances on one store (a SQLite file, or the shared Neo4j), woken
/// through NATS on a subject no other test uses, polling the log only every
/// minute.
async fn two_instances(url: &str) -> (TestApp, TestApp, SharedStore) {
    let subject = format!("trm.test.{}", uuid::Uuid::new_v4().simple());
    let store = SharedStore::new();
    let mut settings = vec![
        ("TRM__EVENTS__NATS_URL", url),
        ("TRM__EVENTS__SUBJECT", subject.as_str()),
        ("TRM__EVENTS__POLL_INTERVAL_MS", "60000"),
    ];
    settings.extend(store.settings());
    (spawn_app_with(&settings).await, spawn_app_with(&settings).await, store)
}

/// An open SSE connection, read event by event.
struct EventStream {
    body: std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buffer: String,
}

impl EventStream {
    async fn open(app: &TestApp) -> Self {
        let response = app.client.get(app.url("/api/v1/events")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        Self { body: Box::pin(response.bytes_stream()), buffer: String::new() }
    }

    /// The next event's `data:` (comments skipped), or `None` after `wait`.
    async fn next(&mut self, wait: Duration) -> Option<Value> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                if let Some(data) = block.lines().find_map(|line| line.strip_prefix("data: ")) {
                    return Some(serde_json::from_str(data).unwrap());
                }
                continue;
            }
            let chunk = tokio::time::timeout(wait, self.body.next()).await.ok()??.unwrap();
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// The next event about one of `entities`, skipping others' (on Neo4j
    /// every test shares the log), or `None` after `wait`.
    async fn next_about(&mut self, entities: &[&Value], wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let event = self.next(deadline.saturating_duration_since(tokio::time::Instant::now())).await?;
            if entities.contains(&&event["entity_id"]) {
                return Some(event);
            }
        }
    }

    /// The next `count` events about `entities` as `(event_type, entity_id,
    /// event_id)`.
    async fn take(&mut self, entities: &[&Value], count: usize) -> Vec<(String, Value, Value)> {
        let mut seen = Vec::new();
        for _ in 0..count {
            let event = self.next_about(entities, WAIT).await.unwrap_or_else(|| panic!("an event; got only {seen:?}"));
            seen.push((
                event["event_type"].as_str().unwrap().to_owned(),
                event["entity_id"].clone(),
                event["event_id"].clone(),
            ));
        }
        seen
    }
}

const WAIT: Duration = Duration::from_secs(10);
const QUIET: Duration = Duration::from_millis(500);

fn types_and_entities(events: &[(String, Value, Value)]) -> Vec<(String, Value)> {
    events.iter().map(|(event_type, entity, _)| (event_type.clone(), entity.clone())).collect()
}

#[tokio::test]
async fn a_client_on_one_instance_sees_the_writes_of_another_once_each_and_in_order() {
    let Some(url) = nats_url() else { return };
    let (a, b, _store) = two_instances(&url).await;
    let mut on_a = EventStream::open(&a).await;
    let mut on_b = EventStream::open(&b).await;

    let project = a.create_project("relayed").await;
    let task = a.create_task(json!({"title": "relayed", "project_id": project["uid"]})).await;
    let path = format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap());
    assert_eq!(a.patch(&path, &json!({"status": "done"})).await.status(), 200);
    assert_eq!(a.delete(&path).await.status(), 204);
    let (project_id, task_id) = (project["uid"].clone(), task["uid"].clone());
    let expected = [
        ("project.created".to_owned(), project_id),
        ("task.created".to_owned(), task_id.clone()),
        ("task.updated".to_owned(), task_id.clone()),
        ("task.completed".to_owned(), task_id.clone()),
        ("task.deleted".to_owned(), task_id),
    ];

    let ours = [&project["uid"], &task["uid"]];
    let relayed = on_b.take(&ours, expected.len()).await;
    assert_eq!(types_and_entities(&relayed), expected, "B's client hears A's writes in order");
    let own = on_a.take(&ours, expected.len()).await;
    assert_eq!(types_and_entities(&own), expected, "A's client hears A's writes");
    let ids = |events: &[(String, Value, Value)]| events.iter().map(|(_, _, id)| id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&relayed), ids(&own), "the relayed events are the very events A stored");
    assert!(on_a.next_about(&ours, QUIET).await.is_none(), "no echo of A's own events back to A");
    assert!(on_b.next_about(&ours, QUIET).await.is_none(), "each of A's events reaches B once");

    let history: Value = b.get(&format!("{path}/history")).await.json().await.unwrap();
    assert_eq!(history.as_array().unwrap().len(), 4, "B's history holds the task's events");
}

#[tokio::test]
async fn each_instance_hears_its_own_writes_once_and_the_others_too() {
    let Some(url) = nats_url() else { return };
    let (a, b, _store) = two_instances(&url).await;
    let mut on_a = EventStream::open(&a).await;
    let mut on_b = EventStream::open(&b).await;

    let from_a = a.create_task(json!({"title": "from a"})).await;
    assert_eq!(on_b.take(&[&from_a["uid"]], 1).await[0].1, from_a["uid"], "B hears A's write before B writes");
    let from_b = b.create_task(json!({"title": "from b"})).await;

    let ours = [&from_a["uid"], &from_b["uid"]];
    for (name, stream) in [("A", &mut on_a), ("B", &mut on_b)] {
        let rest = if name == "A" { stream.take(&ours, 2).await } else { stream.take(&ours, 1).await };
        let entities: Vec<Value> = rest.iter().map(|(_, entity, _)| entity.clone()).collect();
        let expected =
            if name == "A" { vec![from_a["uid"].clone(), from_b["uid"].clone()] } else { vec![from_b["uid"].clone()] };
        assert_eq!(entities, expected, "{name}'s client");
        assert!(rest.iter().all(|(event_type, _, _)| event_type == "task.created"), "{name}: {rest:?}");
        assert!(stream.next_about(&ours, QUIET).await.is_none(), "{name}'s client hears each event once");
    }
}

/// Where a `nats-server` binary is (`TRM_TEST_NATS_SERVER`, else `PATH`,
/// else Debian's /usr/sbin), or `None` (after saying so) to skip.
fn nats_server_binary() -> Option<std::path::PathBuf> {
    let named = std::env::var_os("TRM_TEST_NATS_SERVER").map(std::path::PathBuf::from);
    let on_path = std::env::var_os("PATH")
        .and_then(|path| std::env::split_paths(&path).map(|dir| dir.join("nats-server")).find(|bin| bin.is_file()));
    let found = named
        .or(on_path)
        .or_else(|| Some("/usr/sbin/nats-server".into()).filter(|bin: &std::path::PathBuf| bin.is_file()));
    if found.is_none() {
        assert!(
            std::env::var("TRM_REQUIRE_NATS").as_deref() != Ok("1"),
            "TRM_REQUIRE_NATS=1 but no nats-server binary was found (TRM_TEST_NATS_SERVER, PATH, /usr/sbin)"
        );
        eprintln!("\n\n*** SKIPPED: no nats-server binary (the NATS outage test did not run) ***\n");
    }
    found
}

/// A NATS server of the test's own, on a port that stays the same when it
/// is stopped and started again (as a restarted NATS behind one address).
struct OwnNats {
    binary: std::path::PathBuf,
    port: u16,
    process: Option<std::process::Child>,
}

impl OwnNats {
    async fn start(binary: std::path::PathBuf) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut nats = Self { binary, port, process: None };
        nats.start_again().await;
        nats
    }

    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    async fn start_again(&mut self) {
        let process = std::process::Command::new(&self.binary)
            .args(["-a", "127.0.0.1", "-p", &self.port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        self.process = Some(process);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.is_err() {
            assert!(tokio::time::Instant::now() < deadline, "nats-server did not listen on {}", self.port);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            let _ = process.kill();
            let _ = process.wait();
        }
    }
}

impl Drop for OwnNats {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::test]
async fn with_nats_gone_and_back_a_client_on_another_instance_gets_every_write_within_two_seconds_once() {
    let Some(_) = nats_url() else { return };
    let Some(binary) = nats_server_binary() else { return };
    let mut nats = OwnNats::start(binary).await;
    let url = nats.url();
    let subject = format!("trm.test.{}", uuid::Uuid::new_v4().simple());
    let store = SharedStore::new();
    // The default poll interval (500 ms): what carries the events while NATS is away.
    let mut settings = vec![("TRM__EVENTS__NATS_URL", url.as_str()), ("TRM__EVENTS__SUBJECT", subject.as_str())];
    settings.extend(store.settings());
    let (a, b) = (spawn_app_with(&settings).await, spawn_app_with(&settings).await);
    let mut on_b = EventStream::open(&b).await;

    let mut ours: Vec<Value> = Vec::new();
    let mut write_through_a_and_see_it_on_b = async |phase: &str, ours: &mut Vec<Value>| {
        let task = a.create_task(json!({"title": phase})).await;
        ours.push(task["uid"].clone());
        let entities: Vec<&Value> = ours.iter().collect();
        let event = on_b.next_about(&entities, Duration::from_secs(2)).await;
        let event = event.unwrap_or_else(|| panic!("{phase}: B's client got A's write within two seconds"));
        assert_eq!(event["entity_id"], task["uid"], "{phase}: the next event B's client gets is the new write's");
    };

    write_through_a_and_see_it_on_b("nats up", &mut ours).await;
    nats.stop();
    for _ in 0..3 {
        write_through_a_and_see_it_on_b("nats down", &mut ours).await;
    }

    nats.start_again().await;
    // A publishes to NATS again once it has reconnected by itself: a
    // subscriber of the test's own hears one of A's events.
    let listener = async_nats::connect(url.as_str()).await.unwrap();
    let mut heard = listener.subscribe(subject.clone()).await.unwrap();
    listener.flush().await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        write_through_a_and_see_it_on_b("nats back", &mut ours).await;
        if tokio::time::timeout(Duration::from_millis(500), heard.next()).await.is_ok_and(|message| message.is_some()) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "A never published to NATS again after it came back");
    }
    write_through_a_and_see_it_on_b("nats back, published", &mut ours).await;

    let entities: Vec<&Value> = ours.iter().collect();
    assert!(on_b.next_about(&entities, QUIET).await.is_none(), "each write reached B's client once");
}
