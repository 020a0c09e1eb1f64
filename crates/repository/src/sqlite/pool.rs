//! One writer connection and a pool of readers, used from async code.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use rusqlite::{Connection, OpenFlags};

use super::checkpointer::{self, Checkpointer};
use super::readers::Readers;
use super::schema;
use super::writer::Writer;
use super::{SqliteLocation, SqliteOptions};
use crate::error::StoreError;
use crate::pool_status::{ConnectionCounter, PoolUsage};

/// The connections of one database.
pub(super) struct ConnectionPool {
    /// The only connection that writes, on a thread of its own that
    /// commits concurrent writes together (see `writer`).
    writer: Writer,
    /// The reader connections on their threads; none for an in-memory
    /// database, whose reads then go through the writer.
    readers: Option<Readers>,
    timeout: Duration,
    /// Connections held by operations, for the pool gauge.
    usage: Arc<ConnectionCounter>,
    /// The writer and the readers.
    size: u64,
}

/// Each connection's page cache, at most (KiB; SQLite's default is 2,000).
/// A search page at a million tasks reads a few hundred pages scattered
/// over the file (its matches, their index numbers, the task rows); with
/// the default cache every request read many of them again from the OS,
/// which cost a third of its time. Grown only as pages are read.
const PAGE_CACHE_KIB: i64 = 16 * 1024;

/// Keeps the writer's sub-journals in memory.
///
/// To undo one statement that fails halfway (one with triggers or foreign
/// keys, say) SQLite copies every page it is the first to change into a
/// sub-journal. With the default `temp_store` the sub-journal spills to a
/// temporary file past 64 KiB: when group commit still ran each write in
/// a savepoint, whose journal this is too, `perf` put 40% of the writer
/// thread's time in those copies' `pwrite`s. In memory they are `memcpy`s,
/// held until the statement ends — at most the pages one statement
/// changes.
///
/// Its temporary schema holds the words waiting for the search index (see
/// `search_pending`).
fn configure_writer(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    super::search_pending::prepare(conn)
}

fn configure(conn: &Connection, timeout: Duration) -> rusqlite::Result<()> {
    conn.busy_timeout(timeout)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.set_prepared_statement_cache_capacity(64);
    conn.pragma_update(None, "cache_size", -PAGE_CACHE_KIB)?;
    Ok(())
}

impl ConnectionPool {
    /// Opens the database, applies migrations, and opens the readers.
    pub(super) fn open(location: &SqliteLocation, options: &SqliteOptions) -> anyhow::Result<Self> {
        let timeout = options.operation_timeout;
        let (writer, readers, checkpointer) = match location {
            SqliteLocation::Memory => {
                let conn = Connection::open_in_memory().context("cannot open an in-memory SQLite database")?;
                configure(&conn, timeout)?;
                configure_writer(&conn)?;
                (conn, Vec::new(), None)
            }
            SqliteLocation::File(path) => {
                if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("cannot create the database directory {}", dir.display()))?;
                }
                let writer = Connection::open(path)
                    .with_context(|| format!("cannot open the SQLite database {}", path.display()))?;
                configure(&writer, timeout)?;
                configure_writer(&writer)?;
                let mode: String = writer
                    .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
                    .context("cannot switch the database to WAL mode")?;
                anyhow::ensure!(mode.eq_ignore_ascii_case("wal"), "the database refused WAL mode (got {mode})");
                let readers = (0..options.readers.max(1))
                    .map(|_| {
                        let reader = Connection::open_with_flags(
                            path,
                            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                        )?;
                        configure(&reader, timeout)?;
                        Ok(reader)
                    })
                    .collect::<rusqlite::Result<Vec<_>>>()
                    .context("cannot open reader connections")?;
                // The writer checkpoints by itself only as a bound: the
                // checkpoint thread does it (see `checkpointer`).
                writer
                    .pragma_update(None, "wal_autocheckpoint", checkpointer::WRITER_CHECKPOINT_PAGES)
                    .context("cannot set the writer's checkpoint bound")?;
                let checkpoints = Connection::open(path)
                    .with_context(|| format!("cannot open the SQLite database {}", path.display()))?;
                configure(&checkpoints, timeout)?;
                (writer, readers, Some(Checkpointer::start(checkpoints)?))
            }
        };
        let mut writer = writer;
        schema::migrate(&mut writer).context("cannot migrate the database schema")?;
        let size = u64::try_from(readers.len() + 1).unwrap_or(u64::MAX);
        let usage = Arc::<ConnectionCounter>::default();
        let readers = if readers.is_empty() { None } else { Some(Readers::start(readers, &usage)?) };
        Ok(Self {
            writer: Writer::start(
                writer,
                options.write_batch,
                Arc::clone(&usage),
                Some(super::search_upkeep::merge_step),
                Some(super::search_pending::flush),
                checkpointer,
            )?,
            readers,
            timeout,
            usage,
            size,
        })
    }

    /// How many connections operations hold now, of how many.
    pub(super) fn usage(&self) -> PoolUsage {
        PoolUsage { in_use: self.usage.in_use(), size: self.size }
    }

    /// Runs `op` on a reader connection, on the reader's own thread.
    pub(super) async fn read<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        match &self.readers {
            Some(readers) => self.bounded(readers.read(op)).await,
            None => self.with_writer(move |conn| op(conn)).await,
        }
    }

    /// Runs `op` inside an immediate transaction on the writer connection,
    /// possibly shared with concurrent writes (group commit, see `writer`).
    pub(super) async fn write<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Fn(&rusqlite::Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        self.bounded(self.writer.write(op)).await
    }

    /// Runs `op` on the writer connection alone.
    async fn with_writer<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.bounded(self.writer.exclusive(op)).await
    }

    /// Fails an operation that outlives the configured timeout. The blocking
    /// call itself cannot be interrupted, but the caller is answered in time.
    async fn bounded<T>(&self, work: impl Future<Output = Result<T, StoreError>>) -> Result<T, StoreError> {
        tokio::time::timeout(self.timeout, work).await.unwrap_or_else(|_elapsed| {
            Err(StoreError::Unavailable(anyhow::anyhow!("SQLite did not answer within {:?}", self.timeout)))
        })
    }
}
