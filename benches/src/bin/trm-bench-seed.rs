//! Seeds a store with the benchmark data set, in bulk, and writes the
//! manifest the harness reads.
//!
//! ```text
//! trm-bench-seed --url sqlite://target/bench/tasks.db --tasks 10000 --manifest m.json
//! trm-bench-seed --url bolt://127.0.0.1:7693 --password … --tasks 1000000 --manifest m.json
//! ```
//!
//! The store is first opened through the server's own `store::open`, which
//! migrates SQLite or creates Neo4j's constraints and indexes; projects are
//! created through the repository port. Tasks — too many for one request
//! each — are written in bulk: SQLite in one transaction of multi-row
//! `INSERT`s, Neo4j in `UNWIND` batches, both with exactly the columns and
//! properties the adapters write (`sqlite::rows::task_values`,
//! `neo4j::values::task_props`), the search words included. Then the
//! seeder reads tasks back *through the port* and checks them against the
//! generator: a lookup, a page of the list workload and a search. A store that already holds the data set is reused
//! (see [`seed_sqlite`] and [`seed_neo4j`]).

use std::path::Path;
use std::time::Instant;

use anyhow::{Context as _, bail, ensure};
use neo4rs::{BoltList, BoltMap, BoltString, BoltType, ConfigBuilder, Graph};
use rusqlite::types::Value;
use trm_bench::args::Args;
use trm_bench::cypher;
use trm_bench::dataset::{self, Dataset, PROJECTS};
use trm_bench::manifest::Manifest;
use trm_domain::{EnumAdapter as _, PageRequest, Task};
use trm_repository::TaskFilter;
use trm_repository::sqlite::search_order;
use trm_server::configuration::DatabaseSettings;
use trm_server::store::{self, Store};

/// Tasks per SQLite `INSERT` (17 parameters each, well under SQLite's
/// 32,766-parameter limit).
const SQLITE_ROWS_PER_INSERT: u64 = 500;

/// Tasks per Neo4j `UNWIND` transaction.
const NEO4J_ROWS_PER_BATCH: u64 = 5_000;

/// The task columns, in the SQLite adapter's order.
const TASK_COLUMNS: &str = "uid, title, description, status, task_type, priority, project_id, assignee_id, \
     effort_estimate, effort_unit, start_date, due_date, completed_at, tags, created_at, updated_at, version, \
     search_id";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::from_env()?;
    let url = args.required("url")?.to_owned();
    let set = Dataset { tasks: args.parsed("tasks", 10_000_u64)? };
    let settings = DatabaseSettings {
        url: url.clone(),
        user: args.text("user").map(str::to_owned),
        password: args.text("password").map(str::to_owned),
        timeout_secs: 60.0,
        pool_size: Some(2),
        fetch_size: 500,
        lookup_queries: trm_repository::neo4j::DEFAULT_LOOKUP_QUERIES,
        write_batch: trm_repository::DEFAULT_WRITE_BATCH,
        read_from: "writer".to_owned(),
        walk_cache_mib: trm_repository::neo4j::DEFAULT_WALK_CACHE_BYTES >> 20,
    };
    let started = Instant::now();
    let opened = if let Some(path) = url.strip_prefix("sqlite://") {
        seed_sqlite(&settings, Path::new(path), set).await?
    } else {
        let opened = store::open(&settings).await?;
        seed_neo4j(&opened, &settings, set).await?;
        opened
    };
    verify(&opened, set).await?;
    let manifest = Manifest::of(set, args.parsed("samples", 1_000_u64)?)?;
    let out = args.required("manifest")?;
    std::fs::write(out, serde_json::to_vec_pretty(&manifest)?).with_context(|| format!("cannot write {out}"))?;
    eprintln!(
        "seeded {} tasks into {} in {:.1} s; read back and checked",
        set.tasks,
        redact(&url),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The URL without credentials, for messages.
fn redact(url: &str) -> &str {
    url.split_once('@').map_or(url, |(_, host)| host)
}

async fn create_projects(opened: &Store) -> anyhow::Result<()> {
    for p in 0..PROJECTS {
        opened.projects.create_project(&Dataset::project(p)?, &[]).await.context("cannot create a project")?;
    }
    Ok(())
}

/// A task as the SQLite adapter's column values.
fn sqlite_values(task: &Task) -> Vec<Value> {
    let text = |s: &str| Value::Text(s.to_owned());
    let optional = |v: Option<Value>| v.unwrap_or(Value::Null);
    let tags: Vec<&str> = task.tags.iter_str().collect();
    vec![
        text(&task.uid.to_string()),
        text(task.title.as_str()),
        optional(task.description.as_ref().map(|d| text(d.as_str()))),
        text(task.status.as_str()),
        optional(task.task_type.map(|t| text(t.as_str()))),
        Value::Integer(i64::from(task.priority.level())),
        optional(task.project_id.map(|p| text(&p.to_string()))),
        optional(task.assignee_id.map(|u| text(&u.to_string()))),
        optional(task.effort_estimate.map(|e| Value::Real(e.value()))),
        text(task.effort_unit.as_str()),
        optional(task.start_date.map(|t| Value::Integer(t.as_micros()))),
        optional(task.due_date.map(|t| Value::Integer(t.as_micros()))),
        optional(task.completed_at.map(|t| Value::Integer(t.as_micros()))),
        Value::Text(serde_json::Value::from(tags).to_string()),
        Value::Integer(task.created_at.as_micros()),
        Value::Integer(task.updated_at.as_micros()),
        Value::Integer(i64::try_from(task.version).unwrap_or(i64::MAX)),
    ]
}

/// `(?,?,…),(?,?,…)…`: `rows` groups of `columns` placeholders.
fn placeholders(rows: u64, columns: usize) -> String {
    let one = format!("({})", vec!["?"; columns].join(","));
    vec![one; usize::try_from(rows).unwrap_or_default()].join(",")
}

/// Reuses a file that holds exactly this data set (after dropping the
/// tasks a previous run's create workloads added: those titled
/// `cypher::CREATED_TITLE`, and any without a project; and every event, as
/// the data set has none), or seeds a new one.
async fn seed_sqlite(settings: &DatabaseSettings, path: &Path, set: Dataset) -> anyhow::Result<Store> {
    if path.exists() {
        let reusable = tokio::task::spawn_blocking({
            let path = path.to_owned();
            move || -> anyhow::Result<bool> {
                let conn = rusqlite::Connection::open(&path)?;
                conn.pragma_update(None, "foreign_keys", "ON")?;
                conn.execute("DELETE FROM tasks WHERE project_id IS NULL OR title = ?1", [cypher::CREATED_TITLE])?;
                // The data set is seeded without events: those stored were
                // logged by an earlier run's writes.
                conn.execute("DELETE FROM events", [])?;
                let seeded: i64 = conn.query_row("SELECT count(*) FROM tasks", [], |row| row.get(0))?;
                Ok(u64::try_from(seeded).ok() == Some(set.tasks))
            }
        })
        .await?
        .unwrap_or(false);
        if reusable {
            let opened = store::open(settings).await?;
            if verify(&opened, set).await.is_ok() {
                eprintln!("{} already holds the data set: reused", path.display());
                return Ok(opened);
            }
        }
        for suffix in ["", "-wal", "-shm"] {
            let file = format!("{}{suffix}", path.display());
            if Path::new(&file).exists() {
                std::fs::remove_file(&file).with_context(|| format!("cannot remove {file}"))?;
            }
        }
    }
    let opened = store::open(settings).await?;
    create_projects(&opened).await?;
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || bulk_insert_sqlite(&path, set)).await??;
    Ok(opened)
}

fn bulk_insert_sqlite(path: &Path, set: Dataset) -> anyhow::Result<()> {
    let mut conn = rusqlite::Connection::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    let tx = conn.transaction()?;
    let mut numbers = SearchNumbers::default();
    let mut start = 0;
    while start < set.tasks {
        let rows = SQLITE_ROWS_PER_INSERT.min(set.tasks - start);
        let tasks = (start..start + rows).map(Dataset::task).collect::<Result<Vec<_>, _>>()?;
        let numbered =
            tasks.iter().map(|task| Ok((task, numbers.next(&tx, task)?))).collect::<anyhow::Result<Vec<_>>>()?;
        let sql = format!("INSERT INTO tasks ({TASK_COLUMNS}) VALUES {}", placeholders(rows, 18));
        let values: Vec<Value> = numbered
            .iter()
            .flat_map(|(task, number)| sqlite_values(task).into_iter().chain([Value::Integer(*number)]))
            .collect();
        tx.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(values)).context("cannot insert tasks")?;
        let tag_rows: Vec<Value> = tasks
            .iter()
            .flat_map(|task| {
                let uid = task.uid.to_string();
                task.tags.iter_str().flat_map(move |tag| [Value::Text(uid.clone()), Value::Text(tag.to_owned())])
            })
            .collect();
        index_words_sqlite(&tx, &numbered)?;
        let tag_count = u64::try_from(tag_rows.len() / 2).unwrap_or_default();
        if tag_count > 0 {
            let sql = format!("INSERT INTO task_tags (task_uid, tag) VALUES {}", placeholders(tag_count, 2));
            tx.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(tag_rows)).context("cannot insert tags")?;
        }
        start += rows;
    }
    tx.commit().context("cannot commit the seed")?;
    conn.execute_batch("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);").context("cannot analyze the seeded store")?;
    Ok(())
}

/// The words a task is searched by (`q`), as the adapters compute them.
fn search_words(task: &Task) -> String {
    let description = task.description.as_ref().map(|description| description.as_str());
    trm_domain::search::index_text(std::iter::once(task.title.as_str()).chain(description).chain(task.tags.iter_str()))
}

/// The search index's numbers the seed gives out (see `search_order`):
/// the last one taken in each creation millisecond, as far as this seed
/// knows, else as the store knows.
#[derive(Default)]
struct SearchNumbers(std::collections::HashMap<i64, i64>);

impl SearchNumbers {
    /// The lowest free number of `task`'s creation millisecond, taken.
    fn next(&mut self, tx: &rusqlite::Transaction<'_>, task: &Task) -> anyhow::Result<i64> {
        let (first, last) = search_order::numbers_for(task.created_at);
        let taken = match self.0.get(&first) {
            Some(&taken) => Some(taken),
            None => tx
                .prepare_cached("SELECT max(search_id) FROM tasks WHERE search_id BETWEEN ?1 AND ?2")?
                .query_row([first, last], |row| row.get(0))?,
        };
        let number = taken.map_or(first, |taken| taken + 1);
        ensure!(number <= last, "more seeded tasks in one millisecond than the search index numbers");
        self.0.insert(first, number);
        Ok(number)
    }
}

/// Puts the tasks' words in the SQLite search index under their numbers,
/// as the adapter does with every write (`task_search` holds a task's
/// words under its number, `task_search_words` knows every word).
fn index_words_sqlite(tx: &rusqlite::Transaction<'_>, tasks: &[(&Task, i64)]) -> anyhow::Result<()> {
    let mut index = tx.prepare_cached("INSERT INTO task_search (rowid, words) VALUES (?1, ?2)")?;
    let mut known = tx.prepare_cached("INSERT OR IGNORE INTO task_search_words (word) VALUES (?1)")?;
    for (task, id) in tasks {
        let words = search_words(task);
        index.execute(rusqlite::params![id, words]).context("cannot index a task's words")?;
        for word in words.split(' ').filter(|word| !word.is_empty()) {
            known.execute([word]).context("cannot record a word of the search index")?;
        }
    }
    Ok(())
}

fn bolt_text(value: &str) -> BoltType {
    BoltType::String(BoltString::from(value))
}

/// A task as the Neo4j adapter's property map, absent values left out
/// (the adapter's `SET t += $props` removes `null`s, so a stored node never
/// holds one).
fn neo4j_props(task: &Task) -> BoltType {
    let mut props: Vec<(&str, BoltType)> = vec![
        ("uid", bolt_text(&task.uid.to_string())),
        ("title", bolt_text(task.title.as_str())),
        ("status", bolt_text(task.status.as_str())),
        ("priority", BoltType::from(i64::from(task.priority.level()))),
        ("effort_unit", bolt_text(task.effort_unit.as_str())),
        ("tags", BoltType::List(BoltList::from(task.tags.iter_str().map(bolt_text).collect::<Vec<_>>()))),
        ("created_at", BoltType::from(*task.created_at.as_datetime())),
        ("updated_at", BoltType::from(*task.updated_at.as_datetime())),
        ("version", BoltType::from(i64::try_from(task.version).unwrap_or(i64::MAX))),
        ("search_text", bolt_text(&search_words(task))),
    ];
    if let Some(description) = &task.description {
        props.push(("description", bolt_text(description.as_str())));
    }
    if let Some(task_type) = task.task_type {
        props.push(("task_type", bolt_text(task_type.as_str())));
    }
    if let Some(effort) = task.effort_estimate {
        props.push(("effort_estimate", BoltType::from(effort.value())));
    }
    for (key, at) in [("start_date", task.start_date), ("due_date", task.due_date), ("completed_at", task.completed_at)]
    {
        if let Some(at) = at {
            props.push((key, BoltType::from(*at.as_datetime())));
        }
    }
    BoltType::Map(props.into_iter().map(|(key, value)| (BoltString::from(key), value)).collect::<BoltMap>())
}

/// Runs a batched statement until it reports that it `deleted` nothing.
async fn delete_in_batches(graph: &Graph, statement: impl Fn() -> neo4rs::Query) -> anyhow::Result<()> {
    loop {
        let mut rows = graph.execute(statement()).await.context("cannot delete from Neo4j")?;
        let deleted: i64 = match rows.next().await? {
            Some(row) => row.get("deleted")?,
            None => 0,
        };
        if deleted == 0 {
            return Ok(());
        }
    }
}

/// Counts the `Task` nodes.
async fn count_tasks(graph: &Graph) -> anyhow::Result<u64> {
    let mut rows = graph.execute(neo4rs::query("MATCH (t:Task) RETURN count(t) AS n")).await?;
    let n: i64 = match rows.next().await? {
        Some(row) => row.get("n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or_default())
}

/// Whether task `i` of the data set is stored exactly as generated.
async fn holds(opened: &Store, i: u64) -> anyhow::Result<bool> {
    let expected = Dataset::task(i)?;
    Ok(opened.tasks.get_task(expected.uid).await?.as_ref() == Some(&expected))
}

/// Seeding a million nodes takes minutes, so what is there is kept when it
/// can be: the tasks earlier create workloads added (the only ones without
/// a project) are dropped, and so is every event (earlier runs logged them), and a store holding the first `k` tasks of the
/// data set is reused (`k` = all) or extended (`k` < all); anything else is
/// wiped and seeded from scratch.
async fn seed_neo4j(opened: &Store, settings: &DatabaseSettings, set: Dataset) -> anyhow::Result<()> {
    // The port's own health check makes sure the schema is in place first.
    opened.health.ping().await.context("Neo4j is not reachable or its schema cannot be created")?;
    let config = ConfigBuilder::default()
        .uri(settings.url.as_str())
        .user(settings.user.as_deref().unwrap_or(store::DEFAULT_NEO4J_USER))
        .password(settings.password.as_deref().unwrap_or_default())
        .max_connections(2)
        .build()?;
    let graph = Graph::connect(config)?;
    let seeded_until = Dataset::task(set.tasks.saturating_sub(1))?.created_at;
    delete_in_batches(&graph, || {
        neo4rs::query(cypher::DELETE_CREATED_BATCH).param("seeded_until", BoltType::from(*seeded_until.as_datetime()))
    })
    .await?;
    delete_in_batches(&graph, || neo4rs::query(cypher::DELETE_EVENTS_BATCH)).await?;
    let stored = count_tasks(&graph).await?;
    let mut start = 0;
    if stored > 0 && stored <= set.tasks && holds(opened, stored - 1).await? && !holds(opened, stored).await? {
        start = stored;
        eprintln!("Neo4j holds the first {stored} tasks of the data set: kept");
    } else {
        delete_in_batches(&graph, || neo4rs::query(cypher::WIPE_TASKS_BATCH)).await?;
        delete_in_batches(&graph, || neo4rs::query(cypher::WIPE_BATCH)).await?;
        create_projects(opened).await?;
    }
    while start < set.tasks {
        let rows = NEO4J_ROWS_PER_BATCH.min(set.tasks - start);
        let batch = (start..start + rows)
            .map(|i| {
                let task = Dataset::task(i)?;
                let project = task.project_id.map(|p| p.to_string()).unwrap_or_default();
                let row: BoltMap = [
                    (BoltString::from("props"), neo4j_props(&task)),
                    (BoltString::from("project_id"), bolt_text(&project)),
                ]
                .into_iter()
                .collect();
                Ok(BoltType::Map(row))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let query = neo4rs::query(&cypher::seed_tasks()).param("rows", BoltType::List(BoltList::from(batch)));
        graph.run(query).await.with_context(|| format!("cannot seed tasks {start}.."))?;
        start += rows;
        if start.is_multiple_of(100_000) {
            eprintln!("{start} tasks in Neo4j");
        }
    }
    Ok(())
}

/// Reads tasks back through the repository port — the adapter's own
/// reading code — and compares them with the generator's.
async fn verify(opened: &Store, set: Dataset) -> anyhow::Result<()> {
    for i in set.sample_indexes(20).into_iter().chain([set.tasks.saturating_sub(1)]) {
        let expected = Dataset::task(i)?;
        let mut stored = opened.tasks.get_task(expected.uid).await.context("cannot read a seeded task back")?;
        if set.in_graph(i) {
            // A reused store holds the graph the harness laid through the
            // API: every field but those the PATCHes changed is checked.
            if let Some(task) = stored.as_mut() {
                task.blocked_by.clone_from(&expected.blocked_by);
                task.version = expected.version;
                task.updated_at = expected.updated_at;
            }
        }
        if stored.as_ref() != Some(&expected) {
            bail!("seeded task {i} reads back as {stored:?}, expected {expected:?}");
        }
    }
    let filter = TaskFilter {
        project_id: Some(Dataset::list_project()),
        statuses: vec![dataset::LIST_STATUS],
        ..TaskFilter::default()
    };
    let page =
        opened.tasks.list_tasks(&filter, PageRequest::new(100, None)?).await.context("cannot list seeded tasks")?;
    let expected_first = Dataset::task(0)?;
    ensure!(page.items.first() == Some(&expected_first), "the list page does not start with task 0");
    let full_pages = set.tasks >= 7 * PROJECTS * 100;
    ensure!(!full_pages || page.items.len() == 100, "the list page holds {} tasks, not 100", page.items.len());
    let title = expected_first.title.as_str();
    let search = TaskFilter {
        search: Some(trm_domain::search::SearchQuery::parse(title).map_err(|kind| anyhow::anyhow!("{kind:?}"))?),
        ..filter
    };
    let found = opened.tasks.list_tasks(&search, PageRequest::new(100, None)?).await.context("cannot search")?;
    ensure!(found.items.contains(&expected_first), "a search for task 0's title {title:?} does not find it");
    Ok(())
}
