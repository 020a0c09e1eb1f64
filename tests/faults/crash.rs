//! Crash: `kill -9` the server in the middle of a steady write load; after
//! a restart on the same store, every create it acknowledged is there.
//!
//! Writers keep creating tasks while the process is killed (so some writes
//! are cut off mid-request), keep trying against the dead port for a moment,
//! and stop. A new server process then opens the same store — the SQLite file
//! the first one wrote, or the shared Neo4j — and the audit looks each
//! acknowledged id up, one by one, and checks that nothing stored is
//! half-done.

use std::time::Duration;

use crate::audit::audit;
use crate::scenario::{Scenario, Store, create_project};
use crate::server::ServerProcess;
use crate::writes::WriteLoad;

/// Concurrent writers.
const WRITERS: usize = 8;

/// How long the load runs at least before the kill.
const BEFORE_THE_KILL: Duration = Duration::from_secs(3);

/// Acknowledged creates wanted before the kill (a cold Neo4j is slow at
/// first), so the audit has something to look for.
const ACKNOWLEDGED_BEFORE_THE_KILL: usize = 50;

async fn every_acknowledged_create_survives_a_kill_9(scenario: &Scenario, store: &Store) {
    let mut server = ServerProcess::start(&store.settings(), &scenario.file("server-1.log")).await;
    let project = create_project(&crate::scenario::client(), &server.base, &scenario.tag).await;
    let load = WriteLoad::start(&server.base, WRITERS, &project, &scenario.tag);
    tokio::time::sleep(BEFORE_THE_KILL).await;
    load.wait_for_acknowledged(ACKNOWLEDGED_BEFORE_THE_KILL).await;
    server.kill_9();
    let killed_at = std::time::Instant::now();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let outcomes = load.stop().await;

    let after_the_kill = outcomes.iter().filter(|outcome| outcome.sent > killed_at);
    assert!(after_the_kill.clone().count() > 0, "the load was still running when the server died");
    assert!(after_the_kill.clone().all(|outcome| outcome.status().is_none()), "nothing answers from a killed server");
    for outcome in &outcomes {
        assert!(
            outcome.status().is_none_or(|code| code == 201),
            "before the kill every write succeeds: «{}» got {:?}",
            outcome.title,
            outcome.answer
        );
    }

    let restarted = ServerProcess::start(&store.settings(), &scenario.file("server-2.log")).await;
    let found = audit(&restarted.base, &project, &scenario.tag, &outcomes).await;
    eprintln!("crash ({store:?}): {found:?}");
    assert!(found.acknowledged >= ACKNOWLEDGED_BEFORE_THE_KILL, "the load created tasks before the kill");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a fault scenario: tests/faults/run runs it"]
async fn every_acknowledged_create_survives_a_kill_9_on_sqlite() {
    let scenario = Scenario::new("crash-sqlite");
    every_acknowledged_create_survives_a_kill_9(&scenario, &scenario.sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a fault scenario on Neo4j: tests/faults/run runs it"]
async fn every_acknowledged_create_survives_a_kill_9_on_neo4j() {
    let scenario = Scenario::new("crash-neo4j");
    every_acknowledged_create_survives_a_kill_9(&scenario, &Store::Neo4j).await;
}
