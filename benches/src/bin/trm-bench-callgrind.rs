//! The in-process request path — handler → service → SQLite adapter — for
//! counting instructions under callgrind, which do not drift with machine
//! load as timings do.
//!
//! ```text
//! valgrind --tool=callgrind trm-bench-callgrind --url sqlite://t.db --manifest m.json \
//!     --workload get|list --requests 200
//! ```
//!
//! The application is wired exactly as `trm_server::startup` wires it and
//! driven through `actix_web::test::call_service` (no sockets). Each
//! request must answer 200, or the run fails. Instructions per request are
//! the difference between two runs with different `--requests`, divided by
//! the difference in requests: start-up and warm-up cancel out
//! (`bench/harness.py` does this).

use std::sync::Arc;

use actix_web::test;
use anyhow::{bail, ensure};
use trm_api::AppState;
use trm_bench::args::Args;
use trm_bench::manifest::Manifest;
use trm_server::configuration::DatabaseSettings;
use trm_server::store;
use trm_service::{
    DEFAULT_POLL_INTERVAL, EventBus, EventHistoryService, HealthService, IdempotencyService, LogRelay, OverviewService,
    ProjectService, TaskService, UserService, WebhookService,
};

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::from_env()?;
    let manifest_path = args.required("manifest")?;
    let manifest: Manifest = serde_json::from_slice(&std::fs::read(manifest_path)?)?;
    let requests: usize = args.parsed("requests", 100)?;
    let settings = DatabaseSettings {
        url: args.required("url")?.to_owned(),
        user: None,
        password: None,
        timeout_secs: 30.0,
        pool_size: Some(4),
        fetch_size: 500,
        lookup_queries: trm_repository::neo4j::DEFAULT_LOOKUP_QUERIES,
        write_batch: trm_repository::DEFAULT_WRITE_BATCH,
        read_from: "writer".to_owned(),
        walk_cache_mib: trm_repository::neo4j::DEFAULT_WALK_CACHE_BYTES >> 20,
    };
    // Wired as `trm_server::startup` wires it: the store's ports measured,
    // the HTTP metrics recorded, so the count is that of a real request.
    let mut registry = trm_api::metrics::Metrics::registry();
    let store = store::open(&settings).await?.instrumented(&mut registry);
    let bus = Arc::new(EventBus::new(1024));
    let relay = Arc::new(LogRelay::start(store.events.clone(), bus.clone(), DEFAULT_POLL_INTERVAL));
    let state = AppState {
        tasks: Arc::new(TaskService::new(store.tasks.clone()).with_events(relay.clone())),
        projects: Arc::new(ProjectService::new(store.projects.clone(), store.tasks.clone()).with_events(relay.clone())),
        users: Arc::new(UserService::new(store.users.clone()).with_events(relay)),
        overview: Arc::new(OverviewService::new(store.tasks.clone(), store.projects.clone(), store.users.clone())),
        health: Arc::new(HealthService::new(store.health.clone())),
        events: bus,
        history: Arc::new(EventHistoryService::new(store.events.clone())),
        webhooks: Arc::new(WebhookService::new(
            store.webhooks.clone(),
            store.events.clone(),
            Arc::new(trm_service::webhooks::ResolvingDestinations::default()),
        )),
        idempotency: Arc::new(IdempotencyService::new(store.idempotency.clone())),
        metrics: Arc::new(trm_api::metrics::Metrics::new(registry)),
    };
    let app = test::init_service(trm_api::app(state)).await;
    let list_uri =
        format!("/api/v1/tasks/?project_id={}&status={}&limit=100", manifest.list_project, manifest.list_status);
    let workload = args.required("workload")?.to_owned();
    ensure!(!manifest.sample_uids.is_empty(), "the manifest lists no task ids");
    for n in 0..requests {
        let uri = match workload.as_str() {
            "get" => format!("/api/v1/tasks/{}", manifest.sample_uids[n % manifest.sample_uids.len()]),
            "list" => list_uri.clone(),
            other => bail!("unknown workload {other:?}: get or list"),
        };
        let response = test::call_service(&app, test::TestRequest::get().uri(&uri).to_request()).await;
        ensure!(response.status().is_success(), "GET {uri} answered {}", response.status());
        // Read the body, as a client would: serialization is part of the path.
        let body = test::read_body(response).await;
        ensure!(!body.is_empty(), "GET {uri} answered an empty body");
    }
    Ok(())
}
