//! `/metrics` of the real server: after real requests, the store's
//! operations are timed and counted (errors by kind), the pool gauges are
//! there, and requests are counted under their route template — on SQLite,
//! and on Neo4j with `TRM_E2E_STORE=neo4j`. Each server has its own
//! registry, so the counts are exact even on a shared Neo4j. Every
//! application metric is named `trm_…`; the build and the standard process
//! metrics are there too.

use serde_json::json;
use trm_tests::spawn_app_with;

/// The `store` label the server under test reports.
fn store() -> &'static str {
    if std::env::var("TRM_E2E_STORE").as_deref() == Ok("neo4j") { "neo4j" } else { "sqlite" }
}

/// The value of the sample written exactly as `series`, if any.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn store_operations_and_the_pool_gauges_appear_after_real_requests() {
    let app = spawn_app_with(&[("TRM__DATABASE__POOL_SIZE", "3")]).await;
    let project = app.create_project("metrics").await;
    let task = app.create_task(json!({"title": "measured", "project_id": project["uid"]})).await;
    let uid = task["uid"].as_str().unwrap();
    assert_eq!(app.get(&format!("/api/v1/tasks/{uid}")).await.status(), 200);
    assert_eq!(app.get(&format!("/api/v1/tasks/{}", uuid::Uuid::new_v4())).await.status(), 404);
    assert_eq!(app.delete(&format!("/api/v1/tasks/{}", uuid::Uuid::new_v4())).await.status(), 404);

    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    let text = response.text().await.unwrap();

    let store = store();
    let calls = |operation: &str| {
        sample(
            &text,
            &format!(r#"trm_store_operation_duration_seconds_count{{store="{store}",operation="{operation}"}}"#),
        )
    };
    assert_eq!(calls("create_project"), Some(1.0), "{text}");
    assert_eq!(calls("create_task"), Some(1.0), "{text}");
    assert_eq!(calls("get_task"), Some(2.0), "{text}");
    assert_eq!(calls("delete_task"), Some(1.0), "{text}");
    let errors = |operation: &str, kind: &str| {
        sample(
            &text,
            &format!(r#"trm_store_operation_errors_total{{store="{store}",operation="{operation}",kind="{kind}"}}"#),
        )
    };
    assert_eq!(errors("delete_task", "not_found"), Some(1.0), "{text}");
    assert_eq!(errors("create_task", "unavailable"), None, "{text}");

    // Every request's operation has finished, so none holds a connection
    // once the server's background readers (the event relay, the webhook
    // dispatcher), which borrow one now and then, are between looks. An
    // in-memory SQLite database is one connection; Neo4j's pool is the
    // configured size.
    let size = if store == "sqlite" { 1.0 } else { 3.0 };
    let in_use = format!(r#"trm_store_pool_connections_in_use{{store="{store}"}}"#);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    let mut held = sample(&text, &in_use);
    while held != Some(0.0) && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        held = sample(&app.get("/metrics").await.text().await.unwrap(), &in_use);
    }
    assert_eq!(held, Some(0.0), "no connection stays held: {text}");
    assert_eq!(sample(&text, &format!(r#"trm_store_pool_size{{store="{store}"}}"#)), Some(size), "{text}");

    let requests = r#"trm_http_requests_total{method="GET",route="/api/v1/tasks/{uid}",status="404"}"#;
    assert_eq!(sample(&text, requests), Some(1.0), "{text}");
    assert!(!text.contains(uid), "a raw path reached a label: {text}");
}

#[tokio::test]
async fn the_build_and_the_standard_process_metrics_are_served_beside_the_trm_ones() {
    let app = spawn_app_with(&[]).await;
    let text = app.get("/metrics").await.text().await.unwrap();

    let build = text.lines().find(|line| line.starts_with("trm_build_info{")).unwrap_or_else(|| panic!("{text}"));
    let version = format!(r#"version="{}""#, env!("CARGO_PKG_VERSION"));
    assert!(build.contains(&version) && build.contains(r#"commit=""#) && build.ends_with("} 1"), "{build}");
    for line in text.lines().filter(|line| !line.starts_with('#')) {
        assert!(line.starts_with("trm_") || line.starts_with("process_"), "an unprefixed metric: {line}");
    }
    if cfg!(target_os = "linux") {
        for name in [
            "process_cpu_seconds_total",
            "process_resident_memory_bytes",
            "process_virtual_memory_bytes",
            "process_open_fds",
            "process_max_fds",
            "process_start_time_seconds",
        ] {
            assert!(sample(&text, name).is_some_and(|value| value >= 0.0), "{name}: {text}");
        }
    }
}
