//! The store's ceiling: the Neo4j adapter's own Cypher sent straight
//! through `neo4rs`, from `--connections` concurrent workers sharing one
//! pool sized like the server's, with no HTTP and no domain mapping. It
//! measures itself: operations per second, p50 and p99 over every
//! operation, and failures. One JSON object on stdout.
//!
//! ```text
//! trm-bench-driver --uri bolt://127.0.0.1:7693 --password … --manifest m.json \
//!     --workload get|list|post --connections 64 --seconds 10 [--pool 16]
//! ```
//!
//! The queries are the adapter's own (`trm_repository::neo4j::queries`),
//! one per operation: exactly what the server asks Neo4j with
//! `TRM__DATABASE__LOOKUP_QUERIES=0`. By default the server lets concurrent
//! lookups share a query, which this ceiling does not; so on `get` under
//! load the server can exceed it (docs/benchmarks.md).
//! Like the adapter it reads through `execute_read` and collects every row
//! of the result, so it pays the same round trips (including the pool's
//! `RESET` on checkout, where the patched driver still sends it).
//!
//! `post` is the write ceiling: each worker creates a freshly generated
//! task (`Task::create`, the HTTP workload's fields, in the manifest's list
//! project) and waits for it to commit. The creates are sent as the
//! adapter sends them with group commit on (`TRM__DATABASE__WRITE_BATCH`,
//! default 64): concurrent creates coalesced into one
//! [`queries::create_tasks`] statement of up to 64 tasks, inside an
//! explicit transaction (`BEGIN`, the statement, `COMMIT`), at most 2
//! transactions in flight, no timer — a create arriving while both
//! transactions run waits for the next, alone on an idle store. So
//! `server-neo4j post ÷ driver post` is the share of a create the server's
//! HTTP path, validation and events leave.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use neo4rs::{ConfigBuilder, Graph, Query};
use tokio::sync::{Mutex, mpsc, oneshot};
use trm_bench::args::Args;
use trm_bench::cypher;
use trm_bench::latency::Latencies;
use trm_bench::manifest::Manifest;
use trm_domain::{
    EnumAdapter as _, NewTask, PageRequest, Priority, ProjectId, Task, TaskId, TaskStatus, TaskType, Timestamp, Title,
};
use trm_repository::TaskFilter;
use trm_repository::neo4j::queries;

/// The most creates one statement carries: the adapter's default
/// `TRM__DATABASE__WRITE_BATCH`.
const WRITE_BATCH: usize = 64;
/// The most create transactions in flight at once, as in the adapter.
const WRITE_TRANSACTIONS: usize = 2;

/// What the workers do.
#[derive(Debug, Clone, Copy)]
enum Workload {
    /// One read query per operation.
    Read(Read),
    /// A new task per operation, created through the coalesced create
    /// transactions ([`Creates`]).
    Post,
}

/// Which read a worker sends.
#[derive(Debug, Clone, Copy)]
enum Read {
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

impl Tally {
    fn add(&mut self, other: Self) {
        self.latencies.merge(other.latencies);
        self.errors += other.errors;
    }
}

/// The adapter's own query for the read (`trm_repository::neo4j::queries`).
fn query(read: Read, requests: &Requests, n: usize) -> Query {
    match read {
        Read::Get => queries::get_task(requests.sample_ids[n % requests.sample_ids.len()]),
        Read::List => queries::list_tasks(&requests.list_filter, PageRequest::new(100, None).unwrap_or_default()),
    }
}

/// What the workers ask for, parsed once from the manifest.
struct Requests {
    sample_ids: Vec<TaskId>,
    list_filter: TaskFilter,
    project: ProjectId,
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
        let project: ProjectId = manifest.list_project.parse().context("bad list project in the manifest")?;
        let list_filter = TaskFilter {
            project_id: Some(project),
            statuses: vec![TaskStatus::normalize(&manifest.list_status).context("bad list status in the manifest")?],
            ..TaskFilter::default()
        };
        Ok(Self { sample_ids, list_filter, project })
    }

    /// A fresh task, as the HTTP `post` workload's body asks for one
    /// (`bench/lua/workload.lua`): title, status `todo`, priority 1, type
    /// `chore`, in the manifest's list project.
    fn new_task(&self) -> anyhow::Result<Task> {
        let title = Title::parse(cypher::CREATED_TITLE).map_err(|error| anyhow!("bad title: {error}"))?;
        let new = NewTask {
            status: TaskStatus::Todo,
            priority: Priority::High,
            task_type: Some(TaskType::Chore),
            project_id: Some(self.project),
            ..NewTask::new(title)
        };
        Ok(Task::create(new, Timestamp::now())?)
    }
}

/// One create waiting for its transaction.
struct PendingCreate {
    task: Task,
    done: oneshot::Sender<bool>,
}

/// The coalesced create transactions (see the module docs): workers queue
/// their creates here; [`WRITE_TRANSACTIONS`] committers each take what
/// waits (up to [`WRITE_BATCH`]) into one transaction, and again, so a
/// create waits only while both are busy.
struct Creates {
    queue: mpsc::UnboundedSender<PendingCreate>,
    statements: Arc<std::sync::atomic::AtomicU64>,
}

impl Creates {
    fn start(graph: &Graph) -> Self {
        let (queue, waiting) = mpsc::unbounded_channel();
        let waiting = Arc::new(Mutex::new(waiting));
        let statements = Arc::new(std::sync::atomic::AtomicU64::new(0));
        for _ in 0..WRITE_TRANSACTIONS {
            tokio::spawn(commit_batches(graph.clone(), Arc::clone(&waiting), Arc::clone(&statements)));
        }
        Self { queue, statements }
    }

    /// Creates `task`; true once it is committed.
    async fn create(&self, task: Task) -> bool {
        let (done, committed) = oneshot::channel();
        if self.queue.send(PendingCreate { task, done }).is_err() {
            return false;
        }
        committed.await.unwrap_or(false)
    }

    fn statements(&self) -> u64 {
        self.statements.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// One committer: takes the next create (waiting for one if none waits)
/// and every other waiting one up to a batch, commits them together, and
/// tells each whether it was stored.
async fn commit_batches(
    graph: Graph,
    waiting: Arc<Mutex<mpsc::UnboundedReceiver<PendingCreate>>>,
    statements: Arc<std::sync::atomic::AtomicU64>,
) {
    loop {
        let batch = {
            let mut waiting = waiting.lock().await;
            let Some(first) = waiting.recv().await else { return };
            let mut batch = vec![first];
            while batch.len() < WRITE_BATCH {
                match waiting.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
            batch
        };
        let tasks: Vec<Task> = batch.iter().map(|pending| pending.task.clone()).collect();
        let stored = create_batch(&graph, &tasks).await.is_ok_and(|created| created == tasks.len());
        statements.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        for pending in batch {
            // A worker past its deadline may have stopped waiting.
            let _ = pending.done.send(stored);
        }
    }
}

/// `BEGIN`, the adapter's create statement for `tasks`, `COMMIT`, as the
/// adapter sends a batch; how many tasks were created (a row whose project
/// was not found created nothing).
async fn create_batch(graph: &Graph, tasks: &[Task]) -> anyhow::Result<usize> {
    let mut txn = graph.start_txn().await?;
    let mut stream = txn.execute(queries::create_tasks(tasks)).await?;
    let mut created = 0;
    while let Some(row) = stream.next(txn.handle()).await? {
        if row.get::<bool>("project_found")? && row.get::<bool>("assignee_found")? {
            created += 1;
        }
    }
    txn.commit().await?;
    Ok(created)
}

async fn create_worker(creates: Arc<Creates>, requests: Arc<Requests>, until: Instant) -> anyhow::Result<Tally> {
    let mut tally = Tally::default();
    while Instant::now() < until {
        let task = requests.new_task()?;
        let started = Instant::now();
        if creates.create(task).await {
            tally.latencies.record(started.elapsed());
        } else {
            tally.errors += 1;
        }
    }
    Ok(tally)
}

async fn once(graph: &Graph, query: Query) -> Result<usize, neo4rs::Error> {
    let mut stream = graph.execute_read(query).await?;
    let mut rows = 0;
    while stream.next().await?.is_some() {
        rows += 1;
    }
    Ok(rows)
}

async fn worker(graph: Graph, requests: Arc<Requests>, read: Read, first: usize, until: Instant) -> Tally {
    let mut tally = Tally::default();
    let mut n = first;
    while Instant::now() < until {
        let started = Instant::now();
        match once(&graph, query(read, &requests, n)).await {
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
        "get" => Workload::Read(Read::Get),
        "list" => Workload::Read(Read::List),
        "post" => Workload::Post,
        other => bail!("unknown workload {other:?}: get, list or post"),
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
    let mut all = Tally::default();
    let mut statements = None;
    let started;
    match workload {
        Workload::Read(read) => {
            once(&graph, query(read, &requests, 0)).await.context("the warm-up query failed")?;
            started = Instant::now();
            let until = started + Duration::from_secs_f64(seconds);
            let workers: Vec<_> = (0..connections)
                .map(|w| tokio::spawn(worker(graph.clone(), Arc::clone(&requests), read, w * 131, until)))
                .collect();
            for handle in workers {
                all.add(handle.await.context("a worker panicked")?);
            }
        }
        Workload::Post => {
            let creates = Arc::new(Creates::start(&graph));
            if !creates.create(requests.new_task()?).await {
                bail!("the warm-up create failed");
            }
            let before = creates.statements();
            started = Instant::now();
            let until = started + Duration::from_secs_f64(seconds);
            let workers: Vec<_> = (0..connections)
                .map(|_| tokio::spawn(create_worker(Arc::clone(&creates), Arc::clone(&requests), until)))
                .collect();
            for handle in workers {
                all.add(handle.await.context("a worker panicked")??);
            }
            // Statements sent while measuring: the mean batch is the
            // creates ÷ this.
            statements = Some(creates.statements() - before);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let ops_per_s = all.latencies.count() as f64 / elapsed;
    let mut report = serde_json::json!({
        "requests": all.latencies.count(),
        "seconds": elapsed,
        "rps": ops_per_s,
        "p50_ms": all.latencies.quantile_ms(0.5),
        "p99_ms": all.latencies.quantile_ms(0.99),
        "errors": all.errors,
    });
    if let Some(statements) = statements {
        report["statements"] = serde_json::json!(statements);
    }
    let mut out = std::io::stdout().lock();
    std::io::Write::write_all(&mut out, format!("{report}\n").as_bytes())?;
    Ok(())
}
