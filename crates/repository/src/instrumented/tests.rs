//! The decorator against the mockall mocks: calls pass through unchanged,
//! and what they did is in the exposition.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use mockall::predicate::eq;
use prometheus_client::encoding::prometheus_text;
use prometheus_client::registry::Registry;
use trm_domain::{EntityKind, NewTask, Task, TaskId, Timestamp, Title};

use super::{Instrumented, StoreMetrics, register_pool};
use crate::error::StoreError;
use crate::pool_status::{PoolStatus, PoolUsage};
use crate::ports::{
    Claim, HealthCheck, IdempotencyRepository, MockHealthCheck, MockIdempotencyRepository, MockTaskRepository,
    TaskRepository,
};

fn a_task() -> Task {
    Task::create(NewTask::new(Title::parse("Measure the store").unwrap()), Timestamp::now()).unwrap()
}

fn exposition(registry: &Registry) -> String {
    let mut text = String::new();
    prometheus_text::encode(&mut text, registry).unwrap();
    text
}

/// The value of the one sample written exactly as `series` (name and
/// labels), if the exposition has it.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn a_call_is_passed_through_and_its_duration_recorded_under_its_operation() {
    let task = a_task();
    let id = task.uid;
    let mut inner = MockTaskRepository::new();
    let stored = task.clone();
    inner.expect_get_task().with(eq(id)).times(1).returning(move |_| Ok(Some(stored.clone())));
    let mut registry = Registry::default();
    let tasks = Instrumented::new(Arc::new(inner), StoreMetrics::register(&mut registry, "sqlite"));

    let found = tasks.get_task(id).await.unwrap();

    assert_eq!(found, Some(task));
    let text = exposition(&registry);
    assert_eq!(
        sample(&text, r#"store_operation_duration_seconds_count{store="sqlite",operation="get_task"}"#),
        Some(1.0),
        "{text}"
    );
    assert!(!text.contains("store_operation_errors_total{"), "a success is no error: {text}");
}

#[tokio::test]
async fn an_error_from_the_inner_port_is_returned_and_counted_with_its_kind() {
    let task = a_task();
    let mut inner = MockTaskRepository::new();
    inner.expect_update_task().times(1).returning(|_, _| Err(StoreError::VersionConflict));
    inner.expect_delete_task().times(2).returning(|_, _, _, _, _| Err(StoreError::NotFound(EntityKind::Task)));
    let mut registry = Registry::default();
    let tasks = Instrumented::new(Arc::new(inner), StoreMetrics::register(&mut registry, "neo4j"));

    assert!(matches!(tasks.update_task(&task, &[]).await, Err(StoreError::VersionConflict)));
    for _ in 0..2 {
        let outcome = tasks.delete_task(TaskId::new(), None, false, Timestamp::now(), None).await;
        assert!(matches!(outcome, Err(StoreError::NotFound(EntityKind::Task))));
    }

    let text = exposition(&registry);
    let errors = |operation: &str, kind: &str| {
        sample(
            &text,
            &format!(r#"store_operation_errors_total{{store="neo4j",operation="{operation}",kind="{kind}"}}"#),
        )
    };
    assert_eq!(errors("update_task", "version_conflict"), Some(1.0), "{text}");
    assert_eq!(errors("delete_task", "not_found"), Some(2.0), "{text}");
    assert_eq!(errors("update_task", "not_found"), None, "{text}");
    assert_eq!(
        sample(&text, r#"store_operation_duration_seconds_count{store="neo4j",operation="delete_task"}"#),
        Some(2.0),
        "failed calls are timed too: {text}"
    );
}

#[tokio::test]
async fn an_unreachable_store_is_counted_as_unavailable() {
    let mut inner = MockHealthCheck::new();
    inner.expect_ping().times(1).returning(|| Err(StoreError::Unavailable(anyhow::anyhow!("connection refused"))));
    let mut registry = Registry::default();
    let health = Instrumented::new(Arc::new(inner), StoreMetrics::register(&mut registry, "neo4j"));

    assert!(matches!(health.ping().await, Err(StoreError::Unavailable(_))));

    let text = exposition(&registry);
    assert_eq!(
        sample(&text, r#"store_operation_errors_total{store="neo4j",operation="ping",kind="unavailable"}"#),
        Some(1.0),
        "{text}"
    );
}

#[tokio::test]
async fn the_idempotency_calls_pass_their_arguments_and_answers_through() {
    let mut inner = MockIdempotencyRepository::new();
    inner
        .expect_claim()
        .withf(|scope, key, fingerprint, _now| scope == "POST /api/v1/tasks/" && key == "k-1" && fingerprint == "f")
        .times(1)
        .returning(|_, _, _, _| Ok(Claim::InProgress));
    inner
        .expect_release()
        .withf(|scope, key| scope == "POST /api/v1/tasks/" && key == "k-1")
        .times(1)
        .returning(|_, _| Ok(()));
    let mut registry = Registry::default();
    let keys = Instrumented::new(Arc::new(inner), StoreMetrics::register(&mut registry, "sqlite"));

    let claim = keys.claim("POST /api/v1/tasks/", "k-1", "f", Timestamp::now()).await.unwrap();
    keys.release("POST /api/v1/tasks/", "k-1").await.unwrap();

    assert_eq!(claim, Claim::InProgress);
    let text = exposition(&registry);
    for operation in ["idempotency_claim", "idempotency_release"] {
        let series = format!(r#"store_operation_duration_seconds_count{{store="sqlite",operation="{operation}"}}"#);
        assert_eq!(sample(&text, &series), Some(1.0), "{text}");
    }
}

#[tokio::test]
async fn a_port_behind_an_arc_of_a_trait_object_can_be_wrapped() {
    let mut inner = MockTaskRepository::new();
    inner.expect_count_tasks_by_status().times(1).returning(|| Ok(Vec::new()));
    let port: Arc<dyn TaskRepository> = Arc::new(inner);
    let mut registry = Registry::default();
    let wrapped: Arc<dyn TaskRepository> =
        Arc::new(Instrumented::new(port, StoreMetrics::register(&mut registry, "x")));

    assert_eq!(wrapped.count_tasks_by_status().await.unwrap(), Vec::new());
    let text = exposition(&registry);
    assert_eq!(
        sample(&text, r#"store_operation_duration_seconds_count{store="x",operation="count_tasks_by_status"}"#),
        Some(1.0),
        "{text}"
    );
}

/// A pool whose usage the test sets.
#[derive(Default)]
struct FakePool {
    in_use: AtomicU64,
}

impl PoolStatus for FakePool {
    fn pool_usage(&self) -> PoolUsage {
        PoolUsage { in_use: self.in_use.load(Ordering::SeqCst), size: 5 }
    }
}

#[test]
fn the_pool_gauges_are_read_afresh_at_every_scrape() {
    let pool = Arc::new(FakePool::default());
    let mut registry = Registry::default();
    register_pool(&mut registry, "sqlite", pool.clone());

    pool.in_use.store(3, Ordering::SeqCst);
    let busy = exposition(&registry);
    pool.in_use.store(0, Ordering::SeqCst);
    let idle = exposition(&registry);

    assert_eq!(sample(&busy, r#"store_pool_connections_in_use{store="sqlite"}"#), Some(3.0), "{busy}");
    assert_eq!(sample(&idle, r#"store_pool_connections_in_use{store="sqlite"}"#), Some(0.0), "{idle}");
    assert_eq!(sample(&idle, r#"store_pool_size{store="sqlite"}"#), Some(5.0), "{idle}");
    assert!(idle.contains("# TYPE store_pool_connections_in_use gauge\n"), "{idle}");
}
