//! Load: 1,000 concurrent connections for 60 seconds against a mixed
//! workload — no error, no 5xx, and memory that levels off.
//!
//! Each virtual user has its own client, so its own connection, and walks
//! the life of a task: create it; read it, list the scenario's tasks, read
//! the overview and the project's tasks; change it with `If-Match`; read
//! more; delete it — three writes in fourteen requests, pausing between
//! requests (± 20 %, so the users drift apart). The server sees every
//! connection busy again and again while the store stays the same size (what
//! a user creates, it deletes). Users start spread over the first pause, so
//! the requests spread too. The server runs on a SQLite file.
//!
//! What must hold:
//!
//! * every request gets the status its step expects (201, 200, 204): no
//!   transport error, no 5xx, nothing else;
//! * the server really held the connections at once: some sample of its
//!   established TCP connections counts at least as many as there are users;
//! * memory levels off: the server's RSS is sampled every second; the
//!   highest sample of the last third of the run may exceed the highest of
//!   the middle third by at most [`GROWTH_FRACTION`] plus [`GROWTH_SLACK_KIB`]
//!   (the first third is warm-up: caches, buffers, threads). With the
//!   server near 70 MiB, that allows some 15 MiB: a leak of 3 KiB per
//!   request — 20 MiB over a third's 6,500 or so requests — fails it.
//!
//! Tunable for slower or faster machines (the defaults are the issue's):
//! `TRM_FAULTS_LOAD_CONNECTIONS` (1000), `TRM_FAULTS_LOAD_SECS` (60) and
//! `TRM_FAULTS_LOAD_PAUSE_MS` (3000, each user's mean pause between
//! requests: 1,000 users then ask for some 300 requests a second, 70 of them
//! writes — well within what the debug build serves on a busy 2-core machine
//! — and the longest pause, 3.6 s, stays under the clients' 4 s idle limit,
//! so each keeps its one connection).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::scenario::{Scenario, client, create_project};
use crate::server::ServerProcess;

/// The server's keep-alive (`TRM__SERVER__KEEP_ALIVE_SECS`): far beyond the
/// users' pauses. With actix's 5 s, a server starved of CPU can reach a
/// connection's keep-alive deadline before it reads the request that
/// arrived in time, and close the connection under it.
const KEEP_ALIVE_SECS: &str = "30";

/// How much the last third's RSS peak may exceed the middle third's.
const GROWTH_FRACTION: f64 = 0.10;

/// Plus this much (KiB): allocator and thread-pool noise.
const GROWTH_SLACK_KIB: u64 = 8 * 1024;

/// A setting from the environment, or its default.
fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|value| value.parse().ok()).unwrap_or(default)
}

/// What the users saw.
#[derive(Default)]
struct Tally {
    requests: AtomicU64,
    errors: AtomicU64,
    /// The first few errors, for the failure message.
    examples: Mutex<Vec<String>>,
}

impl Tally {
    fn error(&self, what: String) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        let mut examples = self.examples.lock().expect("the error examples");
        if examples.len() < 10 {
            examples.push(what);
        }
    }
}

/// Sends one request and checks its status; its JSON body (`Null` when
/// there is none), or `None` after an error (counted).
async fn step(tally: &Tally, what: &str, request: reqwest::RequestBuilder, expected: u16) -> Option<Value> {
    tally.requests.fetch_add(1, Ordering::Relaxed);
    let sent = Instant::now();
    match request.send().await {
        Ok(response) if response.status().as_u16() == expected => {
            let etag = response.headers().get("etag").and_then(|value| value.to_str().ok()).map(str::to_owned);
            let mut body = if expected == 204 { Value::Null } else { response.json().await.unwrap_or(Value::Null) };
            if let (Some(etag), Some(object)) = (etag, body.as_object_mut()) {
                object.insert("etag".into(), etag.into());
            }
            Some(body)
        }
        Ok(response) => {
            let (status, took) = (response.status(), sent.elapsed());
            tally.error(format!("{what}: {status} after {took:?}: {}", response.text().await.unwrap_or_default()));
            None
        }
        Err(error) => {
            tally.error(format!("{what}: no answer after {:?}: {error:?}", sent.elapsed()));
            None
        }
    }
}

/// A pause of `pause` ± 20 %, so the users drift apart instead of all
/// doing the same step at the same moment.
fn jittered(pause: Duration) -> Duration {
    let random = u32::try_from(uuid::Uuid::new_v4().as_u128() % 400).unwrap_or(200);
    pause * (800 + random) / 1000
}

/// One user's life cycles until `until`.
async fn user(base: String, project: String, tag: String, pause: Duration, until: Instant, tally: Arc<Tally>) {
    let client = client();
    // Pauses; whether the run goes on (users stop at `until`, mid-cycle).
    let rest = async || {
        tokio::time::sleep(jittered(pause)).await;
        Instant::now() < until
    };
    let (tasks, project_tasks, overview) = (
        format!("{base}/api/v1/tasks/"),
        format!("{base}/api/v1/projects/{project}/tasks/?limit=20"),
        format!("{base}/api/v1/overview"),
    );
    let list = format!("{tasks}?tag={tag}&limit=20");
    let mut cycle = 0_u64;
    while Instant::now() < until {
        cycle += 1;
        let body = json!({"title": format!("{tag} cycle {cycle}"), "project_id": project, "tags": [tag]});
        let created = step(&tally, "create", client.post(&tasks).json(&body), 201).await;
        if !rest().await {
            return;
        }
        let Some(uid) = created.as_ref().and_then(|task| task["uid"].as_str()) else { continue };
        let path = format!("{tasks}{uid}");
        let mut etag = "\"1\"".to_owned();
        for (n, read) in [&path, &list, &overview, &path, &project_tasks, &path].into_iter().enumerate() {
            let answer = step(&tally, "read", client.get(read), 200).await;
            if n == 0 {
                etag = answer.as_ref().and_then(|task| task["etag"].as_str()).unwrap_or(&etag).to_owned();
            }
            if !rest().await {
                return;
            }
        }
        let change = client.patch(&path).header("if-match", etag).json(&json!({"status": "in_progress"}));
        step(&tally, "patch", change, 200).await;
        if !rest().await {
            return;
        }
        for read in [&path, &list, &overview, &project_tasks] {
            step(&tally, "read", client.get(read), 200).await;
            if !rest().await {
                return;
            }
        }
        step(&tally, "delete", client.delete(&path), 204).await;
        if !rest().await {
            return;
        }
    }
}

/// Established TCP connections whose local port is `port` (the server's
/// side of each client connection), from /proc/net/tcp and tcp6.
fn established_connections(port: u16) -> usize {
    let local = format!(":{port:04X}");
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|table| std::fs::read_to_string(table).ok())
        .map(|table| {
            table
                .lines()
                .skip(1)
                .filter(|line| {
                    let mut fields = line.split_whitespace().skip(1);
                    let local_address = fields.next().unwrap_or_default();
                    let state = fields.nth(1).unwrap_or_default();
                    local_address.ends_with(&local) && state == "01"
                })
                .count()
        })
        .sum()
}

/// Whether the RSS samples level off (see the module documentation).
fn levels_off(samples: &[u64]) -> Result<(), String> {
    let third = samples.len() / 3;
    if third == 0 {
        return Err(format!("too few RSS samples: {samples:?}"));
    }
    let middle = samples[third..2 * third].iter().max().copied().unwrap_or_default();
    let last = samples[2 * third..].iter().max().copied().unwrap_or_default();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    let allowed = middle + (middle as f64 * GROWTH_FRACTION) as u64 + GROWTH_SLACK_KIB;
    if last <= allowed {
        Ok(())
    } else {
        Err(format!("RSS grew: last third peaked at {last} KiB, middle third at {middle} KiB (allowed {allowed})"))
    }
}

#[test]
fn a_steady_rss_levels_off_and_a_growing_one_does_not() {
    let steady = [90_000, 120_000, 121_000, 122_000, 121_500, 122_500, 121_000, 123_000, 122_000];
    assert_eq!(levels_off(&steady), Ok(()));
    let leaking: Vec<u64> = (0..60).map(|second| 30_000 + second * 1_000).collect();
    assert!(levels_off(&leaking).is_err(), "a megabyte a second is a leak");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a fault scenario: tests/faults/run runs it"]
async fn a_thousand_connections_for_a_minute_get_no_error_and_memory_levels_off() {
    let connections = usize::try_from(setting("TRM_FAULTS_LOAD_CONNECTIONS", 1000)).expect("a connection count");
    let duration = Duration::from_secs(setting("TRM_FAULTS_LOAD_SECS", 60));
    let pause = Duration::from_millis(setting("TRM_FAULTS_LOAD_PAUSE_MS", 3000));
    let scenario = Scenario::new("load");
    let mut settings = scenario.sqlite().settings();
    settings.push(("TRM__SERVER__KEEP_ALIVE_SECS".into(), KEEP_ALIVE_SECS.into()));
    let server = ServerProcess::start(&settings, &scenario.file("server.log")).await;
    let project = create_project(&client(), &server.base, &scenario.tag).await;

    let started = Instant::now();
    let until = started + duration;
    let tally = Arc::new(Tally::default());
    let spread = pause / u32::try_from(connections.max(1)).expect("a connection count");
    let users: Vec<_> = (0..connections)
        .map(|n| {
            let (base, project, tag, tally) =
                (server.base.clone(), project.clone(), scenario.tag.clone(), Arc::clone(&tally));
            let delay = spread * u32::try_from(n).expect("a user number");
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                user(base, project, tag, pause, until, tally).await;
            })
        })
        .collect();

    let (mut rss, mut most_connections) = (Vec::new(), 0);
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_secs(1)).await;
        rss.push(server.rss_kib().expect("the server is running"));
        most_connections = most_connections.max(established_connections(server.port));
    }
    for user in users {
        user.await.expect("a user");
    }

    let (requests, errors) = (tally.requests.load(Ordering::Relaxed), tally.errors.load(Ordering::Relaxed));
    eprintln!(
        "load: {connections} users for {duration:?}: {requests} requests, {errors} errors, \
         at most {most_connections} connections at once, RSS (KiB) {rss:?}"
    );
    assert_eq!(errors, 0, "no request failed; the first ones: {:?}", tally.examples.lock().expect("examples"));
    assert!(most_connections >= connections, "{most_connections} connections at once, not {connections}");
    levels_off(&rss).unwrap_or_else(|problem| panic!("{problem}"));
}
