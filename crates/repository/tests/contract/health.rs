//! The health part of the contract: a store answers a ping. And, for Neo4j
//! with no server behind it at all, that every operation fails as
//! unavailable, at once when the port is closed and within the operation
//! timeout when the server never answers — it must fail fast, not hang.

use std::time::{Duration, Instant};

use trm_domain::{EventMetadata, PageRequest};
use trm_repository::neo4j::{Neo4jOptions, Neo4jStore};
use trm_repository::{HealthCheck, ProjectRepository, StoreError, TaskFilter, TaskRepository};

use super::support::{Backend, project, task};

pub(crate) async fn a_store_answers_a_ping<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    fixture.store.ping().await.unwrap();
}

/// Options pointing at `address`, with a short timeout.
fn options_for(address: std::net::SocketAddr, timeout: Duration) -> Neo4jOptions {
    let mut options = Neo4jOptions::new(format!("bolt://{address}"), "neo4j", "irrelevant");
    options.operation_timeout = timeout;
    options
}

/// Every operation of a store, each expected to fail as unavailable within
/// `budget`.
async fn assert_every_operation_unavailable(store: &Neo4jStore, budget: Duration) {
    let task = task("Never stored", None);
    let project = project("Never stored");
    let operations: Vec<(&str, futures::future::BoxFuture<'_, Result<(), StoreError>>)> = vec![
        ("ping", Box::pin(store.ping())),
        ("create_task", Box::pin(store.create_task(&task, &[]))),
        ("get_task", Box::pin(async { store.get_task(task.uid).await.map(drop) })),
        (
            "list_tasks",
            Box::pin(async { store.list_tasks(&TaskFilter::default(), PageRequest::first()).await.map(drop) }),
        ),
        ("update_task", Box::pin(store.update_task(&task, &[]))),
        (
            "delete_task",
            Box::pin(async {
                store.delete_task(task.uid, None, false, trm_domain::Timestamp::now(), None).await.map(drop)
            }),
        ),
        ("create_project", Box::pin(store.create_project(&project, &[]))),
        ("get_project", Box::pin(async { store.get_project(project.uid).await.map(drop) })),
        (
            "delete_project",
            Box::pin(async {
                store.delete_project(project.uid, true, None, Some(EventMetadata::default())).await.map(drop)
            }),
        ),
    ];
    // All at once: each must fail on its own within the budget, and the
    // test takes one timeout rather than nine.
    let started = Instant::now();
    let outcomes = futures::future::join_all(operations.into_iter().map(|(name, operation)| async move {
        let outcome = operation.await;
        (name, outcome, started.elapsed())
    }))
    .await;
    for (name, outcome, took) in outcomes {
        assert!(matches!(outcome, Err(StoreError::Unavailable(_))), "{name}: {outcome:?}");
        assert!(took <= budget, "{name} took {took:?}, more than {budget:?}");
    }
}

pub(crate) async fn a_neo4j_store_on_a_closed_port_starts_and_answers_unavailable_at_once() {
    // Bind and release a port: nothing listens there any more.
    let address = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let timeout = Duration::from_secs(2);
    let started = Instant::now();
    let store = Neo4jStore::connect(options_for(address, timeout)).await.unwrap();
    assert!(started.elapsed() <= timeout + Duration::from_millis(500), "connecting must not wait for the server");
    // A refused connection is known at once: well within the timeout.
    assert_every_operation_unavailable(&store, timeout / 2).await;
}

pub(crate) async fn a_neo4j_store_whose_server_never_answers_is_unavailable_within_the_timeout() {
    // A listener that never accepts: the TCP connect succeeds (the kernel
    // queues it) but the Bolt handshake is never answered — the case the
    // driver itself does not bound.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let timeout = Duration::from_millis(800);
    let store = Neo4jStore::connect(options_for(listener.local_addr().unwrap(), timeout)).await.unwrap();
    assert_every_operation_unavailable(&store, timeout + Duration::from_millis(500)).await;
    drop(listener);
}

/// A write waiting for another transaction's lock is listed as blocked by
/// it, and the holder beside it with the locks it holds: what a store logs
/// when a write runs out of time.
pub(crate) async fn neo4j_names_the_transaction_a_stalled_write_waits_for() {
    let Some(backend) = super::support::Neo4j::from_env() else { return };
    let graph = backend.graph();
    let fixture = backend.open().await;
    let store = fixture.store.clone();
    let original = project("Held by another transaction");
    store.create_project(&original, &[]).await.unwrap();

    // Another client locks the project and keeps its transaction open.
    let mut holder = graph.start_txn().await.unwrap();
    let lock = neo4rs::query("MATCH (p:Project {uid: $uid}) SET p.held = true").param("uid", original.uid.to_string());
    holder.run(lock).await.unwrap();
    let marker = format!("stall-probe-{}", original.uid);
    let own_id = neo4rs::query(&format!(
        "SHOW TRANSACTIONS YIELD transactionId, currentQuery \
         WHERE currentQuery CONTAINS '{marker}' RETURN transactionId AS id"
    ));
    let mut rows = holder.execute(own_id).await.unwrap();
    let holder_id: String = rows.next(holder.handle()).await.unwrap().unwrap().get("id").unwrap();
    while rows.next(holder.handle()).await.unwrap().is_some() {}

    let mut changed = original.clone();
    changed.version = 2;
    let update = tokio::spawn({
        let store = store.clone();
        async move { store.update_project(&changed, &[]).await }
    });
    let blocked_by_holder = format!("Blocked by: [{holder_id}]");
    let started = Instant::now();
    let transactions = loop {
        let transactions = store.transactions_running_for(Duration::from_millis(50)).await.unwrap();
        if transactions.iter().any(|transaction| transaction.status == blocked_by_holder) {
            break transactions;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "no transaction blocked by the holder: {transactions:#?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let waiter = transactions.iter().find(|transaction| transaction.status == blocked_by_holder).unwrap();
    assert!(waiter.query.contains("Project"), "the blocked statement: {waiter:#?}");
    let held = transactions.iter().find(|transaction| transaction.id == holder_id);
    let held = held.unwrap_or_else(|| panic!("the holder is not listed: {transactions:#?}"));
    assert!(held.locks >= 1, "the holder's locks: {held:#?}");
    assert!(held.elapsed >= waiter.elapsed, "the holder opened first: {transactions:#?}");

    holder.rollback().await.unwrap();
    update.await.unwrap().unwrap();
    assert_eq!(store.get_project(original.uid).await.unwrap().unwrap().version, 2);
}

/// A write that runs out of time while it waits for another transaction's
/// lock says so: its error names the attempt and the phase it was in.
pub(crate) async fn neo4j_a_write_that_runs_out_of_time_says_where_it_was() {
    let Some(backend) = super::support::Neo4j::from_env() else { return };
    let backend = backend.with_operation_timeout(Duration::from_secs(1));
    let graph = backend.graph();
    let fixture = backend.open().await;
    let store = &fixture.store;
    let original = project("Held past the timeout");
    store.create_project(&original, &[]).await.unwrap();

    let mut holder = graph.start_txn().await.unwrap();
    let lock = neo4rs::query("MATCH (p:Project {uid: $uid}) SET p.held = true").param("uid", original.uid.to_string());
    holder.run(lock).await.unwrap();
    let mut changed = original.clone();
    changed.version = 2;
    let error = store.update_project(&changed, &[]).await.unwrap_err();
    holder.rollback().await.unwrap();

    let StoreError::Unavailable(reason) = error else { panic!("not unavailable: {error:?}") };
    let message = format!("{reason:#}");
    assert!(message.contains("did not update a project within 1s (attempt 1, running its statements)"), "{message}");
}
