//! The embedded store: SQLite, the zero-setup default.
//!
//! # Why rusqlite on threads of its own, not sqlx
//! SQLite is an in-process C library: every "async" SQLite driver ends up
//! running the C calls on some other thread. Here that is explicit: each
//! connection lives on a thread of its own — the writer (`writer`) and
//! each reader (`readers`) — fed by a queue, and async code only awaits
//! the answer. `rusqlite` gives direct access to SQLite's
//! prepared-statement cache and transaction modes, without sqlx's
//! query-builder layer. The runtime's worker threads never touch the disk.
//!
//! # Concurrency
//! SQLite allows one writer at a time. The store therefore keeps exactly one
//! writer connection, on a thread of its own that takes writes from a queue
//! — writers wait without blocking threads, and never meet `SQLITE_BUSY`
//! from each other — and a small pool of reader connections. Writes that
//! queue while a transaction commits share the next one (group commit),
//! and each keeps its own outcome (see `writer`). In WAL mode readers see the last committed state
//! while a write is in progress. An in-memory database (for tests) is a
//! single connection doing both jobs.
//!
//! # Atomicity
//! Every write, even a single row, runs in an `IMMEDIATE` transaction: a
//! check (does the project exist? is the version the expected one?) and the
//! write that depends on it are one step, and a failure rolls back all of it.

mod api_keys;
mod checkpointer;
mod event_data;
mod events;
mod idempotency;
mod pool;
mod project_tree;
mod projects;
mod readers;
mod rows;
mod schema;
pub mod search_order;
mod search_pending;
mod search_upkeep;
mod search_walk;
mod search_words;
mod subtasks;
mod task_graph;
mod task_list;
mod tasks;
mod users;
mod webhooks;
mod writer;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use async_trait::async_trait;
use rusqlite::Connection;

use crate::error::StoreError;
use crate::pool_status::{PoolStatus, PoolUsage};
use crate::ports::HealthCheck;
use pool::ConnectionPool;

/// Where an embedded database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqliteLocation {
    /// A file, created (with its directory) if missing; survives restarts.
    File(PathBuf),
    /// Private to this store and gone when it is dropped; for tests.
    Memory,
}

impl SqliteLocation {
    /// Reads a database URL: `sqlite://data/trm.db` (relative),
    /// `sqlite:///var/lib/trm.db` (absolute), or `sqlite::memory:`.
    ///
    /// # Errors
    /// A message naming the problem when the URL is not a SQLite URL or has
    /// no path.
    pub fn from_url(url: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("sqlite:")
            .ok_or_else(|| format!("`{url}` is not a SQLite URL (expected sqlite://PATH or sqlite::memory:)"))?;
        if rest == ":memory:" || rest == "//:memory:" {
            return Ok(Self::Memory);
        }
        let path = rest.strip_prefix("//").unwrap_or(rest);
        let path = path.split('?').next().unwrap_or_default();
        if path.is_empty() {
            return Err(format!("`{url}` names no database file (expected sqlite://PATH)"));
        }
        Ok(Self::File(PathBuf::from(path)))
    }
}

/// Tuning of the embedded store.
#[derive(Debug, Clone)]
pub struct SqliteOptions {
    /// Reader connections besides the writer (file databases only).
    pub readers: usize,
    /// The longest any operation may take, waiting included, before it
    /// fails as unavailable.
    pub operation_timeout: Duration,
    /// The most concurrent writes committed in one transaction (group
    /// commit; see the module docs). 0 or 1 commits every write alone.
    pub write_batch: usize,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self { readers: 4, operation_timeout: Duration::from_secs(5), write_batch: crate::DEFAULT_WRITE_BATCH }
    }
}

/// The embedded SQLite store; implements every repository trait.
///
/// Cloning is cheap and shares the connections.
#[derive(Clone)]
pub struct SqliteStore {
    pool: Arc<ConnectionPool>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at a `sqlite:` URL with
    /// default options, and brings its schema up to date.
    ///
    /// # Errors
    /// When the URL is malformed or the database cannot be opened or migrated.
    pub async fn open(url: &str) -> anyhow::Result<Self> {
        let location = SqliteLocation::from_url(url).map_err(anyhow::Error::msg)?;
        Self::open_with(location, SqliteOptions::default()).await
    }

    /// A fresh private in-memory database, for tests and experiments.
    ///
    /// # Errors
    /// When SQLite cannot allocate the database.
    pub async fn in_memory() -> anyhow::Result<Self> {
        Self::open_with(SqliteLocation::Memory, SqliteOptions::default()).await
    }

    /// Opens a database at `location` with `options`, migrating its schema.
    ///
    /// # Errors
    /// When the database cannot be opened or migrated.
    pub async fn open_with(location: SqliteLocation, options: SqliteOptions) -> anyhow::Result<Self> {
        let pool = tokio::task::spawn_blocking(move || ConnectionPool::open(&location, &options))
            .await
            .context("the task opening the SQLite database panicked")??;
        Ok(Self { pool: Arc::new(pool) })
    }

    /// Runs `op` on a reader connection, off the async runtime.
    async fn read<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.pool.read(op).await
    }

    /// Runs `op` inside an immediate transaction on the writer connection;
    /// commits when it returns `Ok`, rolls back its changes otherwise. The
    /// transaction may be shared with concurrent writes (group commit), so
    /// `op` may run again, alone, if the shared one fails: hence `Fn`.
    async fn write<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Fn(&rusqlite::Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        self.pool.write(op).await
    }
}

#[async_trait]
impl HealthCheck for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.read(|conn| {
            conn.query_row("SELECT 1", [], |_| Ok(())).context("SELECT 1 failed").map_err(StoreError::Unavailable)
        })
        .await
    }
}

impl PoolStatus for SqliteStore {
    fn pool_usage(&self) -> PoolUsage {
        self.pool.usage()
    }
}

/// `SELECT COUNT(*)` of a table, on a reader.
async fn count_rows(store: &SqliteStore, sql: &'static str) -> Result<u64, StoreError> {
    store
        .read(move |conn| {
            let count: i64 = conn.query_row(sql, [], |row| row.get(0)).map_err(unexpected("cannot count rows"))?;
            Ok(u64::try_from(count).unwrap_or_default())
        })
        .await
}

/// Wraps a SQLite error with what was being done, as an unexpected failure.
pub(crate) fn unexpected(context: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |error| match error {
        rusqlite::Error::SqliteFailure(code, _)
            if matches!(code.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) =>
        {
            StoreError::Unavailable(anyhow::Error::new(error).context(context))
        }
        other => StoreError::Unexpected(anyhow::Error::new(other).context(context)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_files_or_memory() {
        assert_eq!(SqliteLocation::from_url("sqlite::memory:"), Ok(SqliteLocation::Memory));
        assert_eq!(SqliteLocation::from_url("sqlite://data/trm.db"), Ok(SqliteLocation::File("data/trm.db".into())));
        assert_eq!(
            SqliteLocation::from_url("sqlite:///var/lib/trm.db"),
            Ok(SqliteLocation::File("/var/lib/trm.db".into()))
        );
        assert!(SqliteLocation::from_url("bolt://localhost").is_err());
        assert!(SqliteLocation::from_url("sqlite://").is_err());
    }

    /// A file database in a fresh temporary directory, removed on drop.
    pub(super) struct TempDatabase(pub(super) PathBuf);

    impl TempDatabase {
        /// A fresh directory under the system's temporary one.
        pub(super) fn new() -> Self {
            let dir = std::env::temp_dir().join(format!("trm-sqlite-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }
    }

    impl Drop for TempDatabase {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[tokio::test]
    async fn the_pool_counts_the_connection_an_operation_holds_and_its_release() {
        let dir = TempDatabase::new();
        let options = SqliteOptions { readers: 3, ..SqliteOptions::default() };
        let store = SqliteStore::open_with(SqliteLocation::File(dir.0.join("trm.db")), options).await.unwrap();
        assert_eq!(store.pool_usage(), PoolUsage { in_use: 0, size: 4 });

        let observer = store.clone();
        let during_read = store.read(move |_conn| Ok(observer.pool_usage())).await.unwrap();
        assert_eq!(during_read, PoolUsage { in_use: 1, size: 4 });
        let observer = store.clone();
        let during_write = store.write(move |_tx| Ok(observer.pool_usage())).await.unwrap();
        assert_eq!(during_write, PoolUsage { in_use: 1, size: 4 });

        assert_eq!(store.pool_usage().in_use, 0);
    }

    #[tokio::test]
    async fn a_file_stores_commits_reach_the_database_file_without_the_writer_checkpointing() {
        let dir = TempDatabase::new();
        let path = dir.0.join("trm.db");
        let store = SqliteStore::open_with(SqliteLocation::File(path.clone()), SqliteOptions::default()).await.unwrap();
        let file_len = || std::fs::metadata(&path).unwrap().len();
        let before = file_len();
        store
            .write(|tx| {
                tx.execute_batch("CREATE TABLE scratch (x); INSERT INTO scratch VALUES (randomblob(100000));")
                    .map_err(unexpected("scratch"))
            })
            .await
            .unwrap();
        // The writer alone would leave these pages in the log (it
        // checkpoints only past thousands of pages): the thread copies them.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while file_len() == before {
            assert!(std::time::Instant::now() < deadline, "the commit never reached the database file");
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    #[tokio::test]
    async fn the_writer_keeps_its_statement_journals_in_memory() {
        let dir = TempDatabase::new();
        let store = SqliteStore::open_with(SqliteLocation::File(dir.0.join("trm.db")), SqliteOptions::default());
        let store = store.await.unwrap();
        let temp_store: i64 = store
            .write(|tx| tx.pragma_query_value(None, "temp_store", |row| row.get(0)).map_err(unexpected("pragma")))
            .await
            .unwrap();
        assert_eq!(temp_store, 2, "MEMORY");
    }

    #[tokio::test]
    async fn an_in_memory_database_is_one_connection() {
        let store = SqliteStore::in_memory().await.unwrap();
        let observer = store.clone();
        let during_read = store.read(move |_conn| Ok(observer.pool_usage())).await.unwrap();
        assert_eq!(during_read, PoolUsage { in_use: 1, size: 1 });
        assert_eq!(store.pool_usage(), PoolUsage { in_use: 0, size: 1 });
    }
}
