//! Races: many clients at once, each on its own connection.
//!
//! * [`RACERS`] clients PATCH one task with the same `If-Match`: exactly one
//!   wins (200), every other one gets 412, and the task holds the winner's
//!   change at version 2.
//! * [`RACERS`] clients create a task with one `Idempotency-Key`: exactly one
//!   task exists afterwards, and every client gets the same 201. A client
//!   told 409 "still being processed" (a retry waits only 2 s for the first
//!   request — on a cold Neo4j that can take longer) or 503 (the attempt
//!   that ran the create timed out, so the key was released for the next)
//!   retries, as clients are told to, and must then get that same 201; those
//!   answers are counted.
//!
//! Each client opens its connection before the race starts, so the requests
//! themselves race, not the TCP handshakes. Run on a SQLite file and on
//! Neo4j.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::future::join_all;
use serde_json::{Value, json};

use crate::audit::list_all;
use crate::scenario::{Scenario, Store, client};
use crate::server::ServerProcess;

/// How many clients race.
const RACERS: usize = 50;

/// How often a client retries a create answered 409 "still being processed"
/// or 503.
const MAX_RETRIES: usize = 50;

/// One client per racer, each with an open connection to `server`.
async fn connected_clients(server: &ServerProcess) -> Vec<reqwest::Client> {
    let clients: Vec<_> = (0..RACERS).map(|_| client()).collect();
    for answer in join_all(clients.iter().map(|client| client.get(server.url("/livez")).send())).await {
        assert_eq!(answer.expect("/livez is answered").status(), 200);
    }
    clients
}

async fn of_many_patches_with_one_if_match_exactly_one_wins(name: &str, store: fn(&Scenario) -> Store) {
    let scenario = Scenario::new(name);
    let server = ServerProcess::start(&store(&scenario).settings(), &scenario.file("server.log")).await;
    let setup = client();
    let created = setup.post(server.url("/api/v1/tasks/")).json(&json!({"title": scenario.tag})).send().await;
    let task: Value = created.expect("the create is answered").json().await.expect("a task");
    let path = format!("/api/v1/tasks/{}", task["uid"].as_str().expect("a uid"));
    let current = setup.get(server.url(&path)).send().await.expect("the task is answered");
    let etag = current.headers()["etag"].to_str().expect("an ETag").to_owned();

    let clients = connected_clients(&server).await;
    let racers = clients.iter().enumerate().map(|(n, client)| {
        let request =
            client.patch(server.url(&path)).header("if-match", &etag).json(&json!({"title": format!("racer {n}")}));
        async move { (n, request.send().await.expect("the PATCH is answered").status().as_u16()) }
    });
    let statuses = join_all(racers).await;
    let winners: Vec<usize> = statuses.iter().filter(|(_, status)| *status == 200).map(|(n, _)| *n).collect();
    assert_eq!(winners.len(), 1, "exactly one PATCH wins: {statuses:?}");
    assert!(statuses.iter().all(|(_, status)| *status == 200 || *status == 412), "the others get 412: {statuses:?}");

    let after: Value = setup.get(server.url(&path)).send().await.expect("answered").json().await.expect("a task");
    assert_eq!(after["version"], 2, "exactly one change was applied");
    assert_eq!(after["title"], format!("racer {}", winners[0]), "the winner's change");
    eprintln!("races ({name}): of {RACERS} PATCHes with one If-Match, 1 won (200), {} got 412", RACERS - 1);
}

async fn racing_creates_with_one_idempotency_key_create_one_task(name: &str, store: fn(&Scenario) -> Store) {
    let scenario = Scenario::new(name);
    let server = ServerProcess::start(&store(&scenario).settings(), &scenario.file("server.log")).await;
    let body = json!({"title": "paid once", "tags": [scenario.tag]});
    let clients = connected_clients(&server).await;
    let retried = AtomicUsize::new(0);
    let creates = clients.iter().map(|client| {
        let (body, retried, key, url) = (&body, &retried, &scenario.tag, server.url("/api/v1/tasks/"));
        async move {
            for _ in 0..MAX_RETRIES {
                let response = client.post(&url).header("Idempotency-Key", key).json(body).send().await;
                let response = response.expect("the create is answered");
                let answer = (response.status().as_u16(), response.json::<Value>().await.expect("a JSON body"));
                if answer.0 != 409 && answer.0 != 503 {
                    return answer;
                }
                retried.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            panic!("still in progress after {MAX_RETRIES} tries");
        }
    });
    let answers = join_all(creates).await;
    for answer in &answers {
        assert_eq!(answer, &answers[0], "every client gets the first create's answer");
    }
    assert_eq!(answers[0].0, 201, "{:?}", answers[0]);
    let retried = retried.load(Ordering::Relaxed);

    let stored = list_all(&client(), &server.base, &format!("/api/v1/tasks/?tag={}", scenario.tag)).await;
    let uids: Vec<&Value> = stored.iter().map(|task| &task["uid"]).collect();
    assert_eq!(uids, vec![&answers[0].1["uid"]], "exactly one task was created");
    eprintln!(
        "races ({name}): {RACERS} creates with one Idempotency-Key, all answered the same 201 \
         ({retried} retries after a 409 \"still being processed\" or a 503), 1 task stored"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a fault scenario: tests/faults/run runs it"]
async fn of_many_patches_with_one_if_match_exactly_one_wins_on_sqlite() {
    of_many_patches_with_one_if_match_exactly_one_wins("if-match-sqlite", Scenario::sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a fault scenario on Neo4j: tests/faults/run runs it"]
async fn of_many_patches_with_one_if_match_exactly_one_wins_on_neo4j() {
    of_many_patches_with_one_if_match_exactly_one_wins("if-match-neo4j", |_| Store::Neo4j).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a fault scenario: tests/faults/run runs it"]
async fn racing_creates_with_one_idempotency_key_create_one_task_on_sqlite() {
    racing_creates_with_one_idempotency_key_create_one_task("idempotency-sqlite", Scenario::sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a fault scenario on Neo4j: tests/faults/run runs it"]
async fn racing_creates_with_one_idempotency_key_create_one_task_on_neo4j() {
    racing_creates_with_one_idempotency_key_create_one_task("idempotency-neo4j", |_| Store::Neo4j).await;
}
