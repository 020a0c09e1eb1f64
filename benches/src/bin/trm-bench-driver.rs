//! The store's ceiling: the Neo4j adapter's own Cypher sent straight
//! through `neo4rs`, from `--connections` concurrent workers sharing one
//! pool sized like the server's, with no HTTP and no domain mapping. It
//! measures itself: operations per second, p50 and p99 over every
//! operation, and failures. One JSON object on stdout.
//!
//! ```text
//! trm-bench-driver --uri bolt://127.0.0.1:7693 --password … --manifest m.json \
//!     --workload get|list --connections 64 --seconds 10 [--pool 16]
//! ```
//!
//! The queries are the adapter's own (`trm_repository::neo4j::queries`),
//! one per operation: exactly what the server asks Neo4j with
//! `TRM__DATABASE__LOOKUP_QUERIES=0`. By default the server lets concurrent
//! lookups share a query, which this ceiling does not; so on `get` under
//! load the server can exceed it (docs/benchmarks.md).
//! Like the adapter it reads through `execute_read` and collects every row
//! of the result, so it pays the same round trips (including the pool's
//! `RESET` on checkout).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use neo4rs::{ConfigBuilder, Graph, Query};
use trm_bench::args::Args;
use trm_bench::latency::Latencies;
use trm_bench::manifest::Manifest;
use trm_domain::{EnumAdapter as _, PageRequest, TaskId, TaskStatus};
use trm_repository::TaskFilter;
use trm_repository::neo4j::queries;

/// Which request a worker sends.
#[derive(Debug, Clone, Copy)]
enum Workload {
    /// A task by id, cycling through the manifest's samples.
    Get,
    /// The first page of the list workload's filter.
    List,
}

/// What one worker saw.
#[derive(Default)]
struct Tally {
    latencies: Latencies,
    errors: u64,
}

/// The adapter's own query for the workload (`trm_repository::neo4j::queries`).
fn query(workload: Workload, requests: &Requests, n: usize) -> Query {
    match workload {
        Workload::Get => queries::get_task(requests.sample_ids[n % requests.sample_ids.len()]),
        Workload::List => queries::list_tasks(&requests.list_filter, PageRequest::new(100, None).unwrap_or_default()),
    }
}

/// What the workers ask for, parsed once from the manifest.
struct Requests {
    sample_ids: Vec<TaskId>,
    list_filter: TaskFilter,
}

impl Requests {
    fn from_manifest(manifest: &Manifest) -> anyhow::Result<Self> {
        let sample_ids = manifest
            .sample_uids
            .iter()
            .map(|uid| uid.parse::<TaskId>().with_context(|| format!("bad sample uid {uid:?} in the manifest")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        if sample_ids.is_empty() {
            bail!("the manifest has no sample uids");
        }
        let list_filter = TaskFilter {
            project_id: Some(manifest.list_project.parse().context("bad list project in the manifest")?),
            statuses: vec![TaskStatus::normalize(&manifest.list_status).context("bad list status in the manifest")?],
            ..TaskFilter::default()
        };
        Ok(Self { sample_ids, list_filter })
    }
}

async fn once(graph: &Graph, query: Query) -> Result<usize, neo4rs::Error> {
    let mut stream = graph.execute_read(query).await?;
    let mut rows = 0;
    while stream.next().await?.is_some() {
        rows += 1;
    }
    Ok(rows)
}

async fn worker(graph: Graph, requests: Arc<Requests>, workload: Workload, first: usize, until: Instant) -> Tally {
    let mut tally = Tally::default();
    let mut n = first;
    while Instant::now() < until {
        let started = Instant::now();
        match once(&graph, query(workload, &requests, n)).await {
            Ok(rows) if rows > 0 => tally.latencies.record(started.elapsed()),
            Ok(_) | Err(_) => tally.errors += 1,
        }
        n += 7;
    }
    tally
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::from_env()?;
    let manifest_path = args.required("manifest")?;
    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(manifest_path).with_context(|| format!("cannot read {manifest_path}"))?)?;
    let workload = match args.required("workload")? {
        "get" => Workload::Get,
        "list" => Workload::List,
        other => bail!("unknown workload {other:?}: get or list"),
    };
    let connections: usize = args.parsed("connections", 16)?;
    let seconds: f64 = args.parsed("seconds", 10.0)?;
    let config = ConfigBuilder::default()
        .uri(args.required("uri")?)
        .user(args.text("user").unwrap_or("neo4j"))
        .password(args.text("password").unwrap_or_default())
        .max_connections(args.parsed("pool", 16)?)
        .fetch_size(500)
        .build()?;
    let graph = Graph::connect(config)?;
    // Warm the pool and the query plans, outside the measurement.
    let requests = Arc::new(Requests::from_manifest(&manifest)?);
    once(&graph, query(workload, &requests, 0)).await.context("the warm-up query failed")?;
    let started = Instant::now();
    let until = started + Duration::from_secs_f64(seconds);
    let workers: Vec<_> = (0..connections)
        .map(|w| tokio::spawn(worker(graph.clone(), Arc::clone(&requests), workload, w * 131, until)))
        .collect();
    let mut all = Tally::default();
    for handle in workers {
        let tally = handle.await.context("a worker panicked")?;
        all.latencies.merge(tally.latencies);
        all.errors += tally.errors;
    }
    let elapsed = started.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let ops_per_s = all.latencies.count() as f64 / elapsed;
    let report = serde_json::json!({
        "requests": all.latencies.count(),
        "seconds": elapsed,
        "rps": ops_per_s,
        "p50_ms": all.latencies.quantile_ms(0.5),
        "p99_ms": all.latencies.quantile_ms(0.99),
        "errors": all.errors,
    });
    let mut out = std::io::stdout().lock();
    std::io::Write::write_all(&mut out, format!("{report}\n").as_bytes())?;
    Ok(())
}
