//! What a Neo4j re-plan costs a request, and whether the adapter's queries
//! avoid it. Neo4j discards a cached plan once the statistics it was made
//! with (a label's node count) have diverged far enough, and the next
//! request of that query waits while it is planned again. The adapter's
//! task queries start with `CYPHER replan=skip`, which keeps the cached
//! plan; this tool sends each of them as the adapter does ("kept") and with
//! that prefix removed ("replanned", Neo4j's default), on one connection:
//!
//! 1. each query a few times, so both variants are planned and warm;
//! 2. adds `--factor` × as many probe tasks as the store holds (so the
//!    `Task` count diverges by more than Neo4j's threshold), waits past
//!    Neo4j's minimum re-plan interval, and times each query's first run
//!    and the median of the runs after it;
//! 3. deletes the probe tasks (a divergence again), waits, and times again.
//!
//! One JSON object per query, variant and phase on stdout. The probes are
//! `Task` nodes with uids `bench-probe-…` and no relationships; they are
//! deleted before the tool exits, also when a step fails. Meant for the
//! 10,000-task store (`bench/run` seeds it): at a million the probes would
//! be millions.
//!
//! ```text
//! trm-bench-replan --uri bolt://127.0.0.1:7693 --password … --manifest m.json \
//!     [--factor 4] [--wait 12] [--runs 5]
//! ```

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use neo4rs::{ConfigBuilder, Graph, Query};
use trm_bench::args::Args;
use trm_bench::manifest::Manifest;
use trm_domain::{EnumAdapter as _, PageRequest, TaskId, TaskStatus};
use trm_repository::TaskFilter;
use trm_repository::neo4j::queries;

/// The prefix the adapter's task queries carry.
const KEEP_PLAN: &str = "CYPHER replan=skip ";

/// Probe tasks created (and deleted) per transaction.
const PROBE_BATCH: i64 = 5_000;

/// One of the adapter's queries, as sent and without its prefix.
struct Measured {
    name: &'static str,
    kept: Query,
    replanned: Query,
}

impl Measured {
    fn new(name: &'static str, kept: Query) -> anyhow::Result<Self> {
        let Some(plain) = kept.query().strip_prefix(KEEP_PLAN) else {
            bail!("the adapter's {name} query does not start with {KEEP_PLAN:?}: {}", kept.query());
        };
        let replanned = Query::new(plain.to_owned()).with_params(kept.get_params().clone());
        Ok(Self { name, kept, replanned })
    }

    fn variants(&self) -> [(&'static str, &Query); 2] {
        [("kept", &self.kept), ("replanned", &self.replanned)]
    }
}

/// The adapter's task reads, with the manifest's ids and list filter.
fn measured(manifest: &Manifest) -> anyhow::Result<Vec<Measured>> {
    let ids = manifest
        .sample_uids
        .iter()
        .take(8)
        .map(|uid| uid.parse::<TaskId>().with_context(|| format!("bad sample uid {uid:?} in the manifest")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let Some(&first) = ids.first() else { bail!("the manifest has no sample uids") };
    let filter = TaskFilter {
        project_id: Some(manifest.list_project.parse().context("bad list project in the manifest")?),
        statuses: vec![TaskStatus::normalize(&manifest.list_status).context("bad list status in the manifest")?],
        ..TaskFilter::default()
    };
    let page = PageRequest::new(100, None).unwrap_or_default();
    Ok(vec![
        Measured::new("get", queries::get_task(first))?,
        Measured::new("get-batch", queries::get_tasks(&ids))?,
        Measured::new("list", queries::list_tasks(&filter, page))?,
    ])
}

/// Runs a query to its end; its latency.
async fn timed(graph: &Graph, query: &Query) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let mut stream = graph.execute_read(query.clone()).await.context("a measured query failed")?;
    while stream.next().await.context("reading a measured query's rows failed")?.is_some() {}
    Ok(started.elapsed())
}

fn ms(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1e6).round() / 1e3
}

/// Times every variant of every query: the first run, then the median of
/// `runs` more. One JSON object each.
async fn measure(
    graph: &Graph,
    queries: &[Measured],
    phase: &str,
    runs: usize,
) -> anyhow::Result<Vec<serde_json::Value>> {
    let mut lines = Vec::new();
    for query in queries {
        for (variant, text) in query.variants() {
            let first = timed(graph, text).await?;
            let mut rest = Vec::with_capacity(runs);
            for _ in 0..runs {
                rest.push(timed(graph, text).await?);
            }
            rest.sort_unstable();
            let median = rest.get(rest.len() / 2).copied().unwrap_or(first);
            lines.push(serde_json::json!({
                "query": query.name, "variant": variant, "phase": phase,
                "first_ms": ms(first), "median_ms": ms(median),
            }));
        }
    }
    Ok(lines)
}

fn print(lines: &[serde_json::Value]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    for line in lines {
        std::io::Write::write_all(&mut out, format!("{line}\n").as_bytes())?;
    }
    Ok(())
}

async fn task_count(graph: &Graph) -> anyhow::Result<i64> {
    let mut rows = graph.execute(neo4rs::query("MATCH (t:Task) RETURN count(t) AS n")).await?;
    let row = rows.next().await?.context("count returned no row")?;
    Ok(row.get::<i64>("n")?)
}

async fn add_probes(graph: &Graph, count: i64) -> anyhow::Result<()> {
    let mut from = 0;
    while from < count {
        let to = (from + PROBE_BATCH).min(count);
        let query = neo4rs::query(
            "UNWIND range($from, $to - 1) AS i \
             CREATE (:Task {uid: 'bench-probe-' + toString(i), title: 'probe', status: 'todo', \
                            created_at: datetime(), bench_probe: true})",
        )
        .param("from", from)
        .param("to", to);
        graph.run(query).await.context("creating probe tasks failed")?;
        from = to;
    }
    Ok(())
}

async fn delete_probes(graph: &Graph) -> anyhow::Result<()> {
    loop {
        let query = neo4rs::query(
            "MATCH (t:Task) WHERE t.uid STARTS WITH 'bench-probe-' \
             WITH t LIMIT $batch DETACH DELETE t RETURN count(*) AS n",
        )
        .param("batch", PROBE_BATCH);
        let mut rows = graph.execute(query).await.context("deleting probe tasks failed")?;
        let deleted = match rows.next().await? {
            Some(row) => row.get::<i64>("n")?,
            None => 0,
        };
        if deleted == 0 {
            return Ok(());
        }
    }
}

async fn run(graph: &Graph, args: &Args, queries: &[Measured]) -> anyhow::Result<()> {
    let factor: i64 = args.parsed("factor", 4)?;
    let wait = Duration::from_secs_f64(args.parsed("wait", 12.0)?);
    let runs: usize = args.parsed("runs", 5)?;
    for _ in 0..3 {
        measure(graph, queries, "warm-up", runs).await?;
    }
    print(&measure(graph, queries, "warm", runs).await?)?;
    let base = task_count(graph).await?;
    add_probes(graph, base * factor).await?;
    eprintln!("added {} probe tasks to {base}; waiting {wait:?}", base * factor);
    tokio::time::sleep(wait).await;
    print(&measure(graph, queries, "after growth", runs).await?)?;
    delete_probes(graph).await?;
    eprintln!("deleted the probe tasks; waiting {wait:?}");
    tokio::time::sleep(wait).await;
    print(&measure(graph, queries, "after shrinking", runs).await?)?;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::from_env()?;
    let manifest_path = args.required("manifest")?;
    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(manifest_path).with_context(|| format!("cannot read {manifest_path}"))?)?;
    let config = ConfigBuilder::default()
        .uri(args.required("uri")?)
        .user(args.text("user").unwrap_or("neo4j"))
        .password(args.text("password").unwrap_or_default())
        .max_connections(1)
        .build()?;
    let graph = Graph::connect(config)?;
    let queries = measured(&manifest)?;
    delete_probes(&graph).await.context("removing the probes of an earlier run")?;
    let outcome = run(&graph, &args, &queries).await;
    let cleanup = delete_probes(&graph).await;
    outcome?;
    cleanup
}
