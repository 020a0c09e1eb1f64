//! Checkpointing the write-ahead log on a thread of its own.
//!
//! In WAL mode every commit appends its pages to the log, and a checkpoint
//! copies them back into the database file and syncs it. SQLite runs that
//! checkpoint in the committing connection, once the log holds 1,000
//! pages: here the one writer thread, which every write of the store waits
//! for. Measured under a create load, the writer spent about a third of its
//! time in checkpoints (the copies, and the `fsync` only checkpoints do with
//! `synchronous = NORMAL`), and creates ran twice as fast until the log grew
//! too long to read quickly when it skipped them.
//!
//! So the writer tells the [`Checkpointer`] after each commit, and its
//! thread, on a connection of its own, runs a `PASSIVE` checkpoint — one
//! that never waits for, nor blocks, the writer or a reader — at most every
//! [`SPACING`]. Its copies are done off the writer's thread; the writer
//! still checkpoints by itself once the log reaches [`WRITER_CHECKPOINT_PAGES`]
//! (SQLite's own mechanism, kept as a bound): by then nearly every page is
//! copied already, and that checkpoint, complete as the writer runs it
//! between two transactions, is what lets the next transaction start the
//! log over from its beginning — a checkpoint running beside a busy writer
//! rarely catches the log's very end, so the log would grow without it.

use std::sync::mpsc;
use std::time::Duration;

use anyhow::Context as _;
use rusqlite::Connection;

/// The shortest time between two background checkpoints: commits meanwhile
/// share the next one (each costs a sync of the database file). The
/// shorter it is, the less copying is left for the writer's own
/// checkpoint: at a million tasks, 10 ms rather than 50 cut `post`'s p99
/// from ~105 to ~80 ms with the writer's bound at 16,000 pages, and keeps
/// the bound of 32,000 from costing p99 (102–120 ms; 123–136 at 50 ms).
/// See `docs/benchmarks.md`.
const SPACING: Duration = Duration::from_millis(10);

/// How long the log grows, in pages, before the writer checkpoints by
/// itself (SQLite's `wal_autocheckpoint`, 1,000 by default): 128 MB of
/// 4 KiB pages. Well beyond what the background thread leaves between two
/// of its checkpoints. Each of the writer's own checkpoints syncs the log
/// and the database file, and the writer waits for both: under a create
/// load, `perf` found it blocked in `fsync` for a quarter of its time at
/// 4,000 pages (a checkpoint every ~0.2 s), and 16,000 created 15–19% more
/// tasks a second (`bench/sqlite-ab`, `docs/benchmarks.md`); with bulk
/// creates at a million tasks (a thousand-task commit writes ~1,800
/// pages) the writer still spent 15% of its time in its own checkpoints at
/// 16,000, and 32,000 (with the background thread every 10 ms) created
/// 6–34% more. A longer log costs readers more lookups in its index (one
/// hash table per 4,096 pages); reads under writes (`mix`) measured the
/// same. 64,000 measured faster still, with a longer stall when the
/// checkpoint comes (p99 +50%) and a log file of 256 MB.
pub(super) const WRITER_CHECKPOINT_PAGES: u32 = 32_000;

/// Wakes the checkpoint thread; the thread ends when this is dropped.
pub(super) struct Checkpointer {
    due: mpsc::SyncSender<()>,
}

impl Checkpointer {
    /// Starts the thread on `conn`, a read-write connection to the database
    /// the writer commits to.
    pub(super) fn start(conn: Connection) -> anyhow::Result<Self> {
        // One pending wake-up is enough: it covers every commit before it.
        let (due, wakes) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("trm-sqlite-checkpoint".to_owned())
            .spawn(move || serve(&conn, &wakes))
            .context("cannot start the SQLite checkpoint thread")?;
        Ok(Self { due })
    }

    /// Tells the thread the writer committed; never blocks the writer.
    pub(super) fn committed(&self) {
        let _ = self.due.try_send(());
    }
}

fn serve(conn: &Connection, wakes: &mpsc::Receiver<()>) {
    while wakes.recv().is_ok() {
        // Its row (busy, pages in the log, pages copied) is not needed: a
        // busy answer only means the writer was checkpointing itself.
        if let Err(error) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(%error, "a background checkpoint of the SQLite log failed; the writer's own bounds the log");
        }
        std::thread::sleep(SPACING);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commit_gets_its_pages_copied_into_the_database_file_by_the_checkpoint_thread() {
        let dir = super::super::tests::TempDatabase::new();
        let path = dir.0.join("store.db");
        let writer = Connection::open(&path).unwrap();
        let _: String = writer.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0)).unwrap();
        writer.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
        let checkpointer = Checkpointer::start(Connection::open(&path).unwrap()).unwrap();
        let file_len = || std::fs::metadata(&path).unwrap().len();
        let before = file_len();
        writer.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
        assert_eq!(file_len(), before, "a commit alone goes to the log only");
        checkpointer.committed();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while file_len() == before {
            assert!(std::time::Instant::now() < deadline, "the thread never copied the commit's pages");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
