//! A write's search words wait in a temporary table of the writer's and
//! reach the full-text index once per transaction, just before it commits.
//!
//! FTS5 keeps the terms of its writes in memory and flushes them to a new
//! segment of the index whenever a savepoint begins or ends — and SQLite
//! opens one around every later statement of the transaction that may need
//! undoing (an insert into a table with triggers or foreign keys, as a task
//! is). So a batch of sixty-four creates, each writing its words, wrote
//! sixty-four one-task segments and merged them (`perf`: 16–19% of the
//! writer thread's time). Now a write records its task's number and words
//! in `temp.task_search_pending`, which is transactional like any table —
//! a rolled-back write takes its row with it — and [`flush`] writes every
//! row into the index just before the commit, after the last statement
//! that could flush: one segment per transaction.
//!
//! The table lives in the writer connection's temporary schema (in memory:
//! the writer's `temp_store`), so its rows never reach the log. A task
//! created and deleted in the same transaction leaves a row whose number no
//! longer names it; [`flush`] indexes only rows whose number a stored task
//! still has (`tasks.search_id`).

use rusqlite::{Connection, Transaction};

use super::unexpected;
use crate::error::StoreError;

/// Creates the writer connection's table of pending words, if missing.
///
/// `fresh` marks a number given by this transaction, which holds no words
/// in the index to drop.
pub(super) fn prepare(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS task_search_pending (
             uid   TEXT    NOT NULL PRIMARY KEY,
             id    INTEGER NOT NULL,
             words TEXT    NOT NULL,
             fresh INTEGER NOT NULL
         )",
    )
}

/// Records `words` as the words of task `uid`, number `id` in the index,
/// in place of any recorded earlier in the transaction; `fresh` if the
/// number was given just now.
pub(super) fn record(tx: &Transaction<'_>, uid: &str, id: i64, words: &str, fresh: bool) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO temp.task_search_pending (uid, id, words, fresh) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (uid) DO UPDATE SET id = excluded.id, words = excluded.words, fresh = fresh AND excluded.fresh",
    )
    .and_then(|mut pending| pending.execute(rusqlite::params![uid, id, words, fresh]))
    .map(drop)
    .map_err(unexpected("cannot record the task's words for the search index"))
}

/// The pending rows whose number still names their task, by number.
/// `CROSS JOIN` keeps the few pending rows the outer loop: SQLite knows
/// nothing of a temporary table's size, and would otherwise read every
/// numbered task to probe the pending rows. Each task is found by its
/// number, the table's key (`+` keeps SQLite off the `uid` index).
const STILL_NUMBERED: &str = "SELECT p.id, p.words, p.fresh FROM temp.task_search_pending p \
     CROSS JOIN main.tasks t ON t.search_id = p.id AND +t.uid = p.uid ORDER BY p.id";

/// Writes the transaction's pending words into the index, each in place
/// of the words its task had there, and empties the table.
///
/// Row by row: FTS5 cannot use a `rowid IN (…)` of a subquery, and would
/// read the whole index for it.
pub(super) fn flush(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let pending: Vec<(i64, String, bool)> = tx
        .prepare_cached(STILL_NUMBERED)?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut forget = tx.prepare_cached("DELETE FROM main.task_search WHERE rowid = ?1")?;
    let mut index = tx.prepare_cached("INSERT INTO main.task_search (rowid, words) VALUES (?1, ?2)")?;
    for (id, words, fresh) in &pending {
        if !fresh {
            forget.execute([id])?;
        }
        index.execute(rusqlite::params![id, words])?;
    }
    tx.prepare_cached("DELETE FROM temp.task_search_pending")?.execute([])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use rusqlite::params_from_iter;
    use trm_domain::{NewTask, Task, Timestamp, Title};

    use super::super::rows::{TASK_COLUMN_COUNT, TASK_COLUMNS, placeholders, task_values};
    use super::super::schema::migrate;
    use super::super::tasks::index_task_words;
    use super::*;

    fn migrated() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        prepare(&conn).unwrap();
        conn
    }

    fn new_task(title: &str) -> Task {
        Task::create(NewTask::new(Title::parse(title).unwrap()), Timestamp::now()).unwrap()
    }

    /// Stores `task` with its words as one write of a shared transaction,
    /// in a savepoint so that it can be undone alone if `keep` is false.
    fn write(tx: &Transaction<'_>, task: &Task, keep: bool) {
        tx.execute_batch("SAVEPOINT write").unwrap();
        // A task written again keeps its row, and with it its number.
        let sql = format!(
            "INSERT INTO tasks ({TASK_COLUMNS}) VALUES ({}) ON CONFLICT (uid) DO UPDATE SET title = excluded.title",
            placeholders(TASK_COLUMN_COUNT)
        );
        tx.execute(&sql, params_from_iter(task_values(task))).unwrap();
        index_task_words(tx, task).unwrap();
        let end = if keep { "RELEASE write" } else { "ROLLBACK TO write; RELEASE write" };
        tx.execute_batch(end).unwrap();
    }

    /// The uids of the tasks whose words match `word`.
    fn found(conn: &Connection, word: &str) -> Vec<String> {
        let mut select = conn
            .prepare(
                "SELECT t.uid FROM task_search JOIN tasks t ON t.search_id = task_search.rowid \
                 WHERE task_search MATCH ?1 ORDER BY task_search.rowid",
            )
            .unwrap();
        select.query_map([format!("\"{word}\"")], |row| row.get(0)).unwrap().map(Result::unwrap).collect()
    }

    fn segments(conn: &Connection) -> i64 {
        conn.query_row("SELECT count(DISTINCT segid) FROM task_search_idx", [], |row| row.get(0)).unwrap()
    }

    fn pending(conn: &Connection) -> i64 {
        conn.query_row("SELECT count(*) FROM temp.task_search_pending", [], |row| row.get(0)).unwrap()
    }

    #[test]
    fn the_words_of_a_transactions_writes_reach_the_index_as_one_segment_when_flushed() {
        let mut conn = migrated();
        let tasks: Vec<Task> = (0..10).map(|n| new_task(&format!("Chung {n}"))).collect();
        let tx = conn.transaction().unwrap();
        for task in &tasks {
            write(&tx, task, true);
        }
        flush(&tx).unwrap();
        tx.commit().unwrap();

        let uids: Vec<String> = tasks.iter().map(|task| task.uid.to_string()).collect();
        assert_eq!(found(&conn, "chung"), uids);
        assert_eq!(segments(&conn), 1, "one segment for the transaction, not one per write");
        assert_eq!(pending(&conn), 0);
    }

    #[test]
    fn a_flush_reads_only_the_pending_rows_and_each_ones_number() {
        let conn = migrated();
        let mut explain = conn.prepare(&format!("EXPLAIN QUERY PLAN {STILL_NUMBERED}")).unwrap();
        let plan: Vec<String> = explain.query_map([], |row| row.get(3)).unwrap().map(Result::unwrap).collect();
        assert!(plan[0].starts_with("SCAN p"), "{plan:?}");
        assert!(plan[1].starts_with("SEARCH t USING INTEGER PRIMARY KEY"), "{plan:?}");
    }

    #[test]
    fn a_write_rolled_back_to_its_savepoint_leaves_no_words() {
        let mut conn = migrated();
        let (kept, undone) = (new_task("Giu lai"), new_task("Bo di"));
        let tx = conn.transaction().unwrap();
        write(&tx, &kept, true);
        write(&tx, &undone, false);
        flush(&tx).unwrap();
        tx.commit().unwrap();

        assert_eq!(found(&conn, "giu"), [kept.uid.to_string()]);
        assert!(found(&conn, "bo").is_empty());
    }

    #[test]
    fn a_task_written_twice_in_one_transaction_is_found_by_its_last_words_only() {
        let mut conn = migrated();
        let original = new_task("Truoc");
        let tx = conn.transaction().unwrap();
        write(&tx, &original, true);
        flush(&tx).unwrap();
        tx.commit().unwrap();

        let mut renamed = original.clone();
        renamed.title = Title::parse("Giua").unwrap();
        let mut again = original.clone();
        again.title = Title::parse("Sau").unwrap();
        let tx = conn.transaction().unwrap();
        write(&tx, &renamed, true);
        write(&tx, &again, true);
        flush(&tx).unwrap();
        tx.commit().unwrap();

        assert!(found(&conn, "truoc").is_empty(), "the committed words are replaced");
        assert!(found(&conn, "giua").is_empty(), "the words in between never land");
        assert_eq!(found(&conn, "sau"), [original.uid.to_string()]);
    }

    #[test]
    fn a_task_created_and_deleted_in_one_transaction_leaves_no_words() {
        let mut conn = migrated();
        let (gone, stays) = (new_task("Thoang qua"), new_task("Thoang o lai"));
        let tx = conn.transaction().unwrap();
        write(&tx, &gone, true);
        tx.execute("DELETE FROM tasks WHERE uid = ?1", [gone.uid.to_string()]).unwrap();
        write(&tx, &stays, true);
        flush(&tx).unwrap();
        tx.commit().unwrap();

        assert_eq!(found(&conn, "thoang"), [stays.uid.to_string()]);
        assert_eq!(pending(&conn), 0);

        let tx = conn.transaction().unwrap();
        let lone = new_task("Mot minh");
        write(&tx, &lone, true);
        tx.execute("DELETE FROM tasks WHERE uid = ?1", [lone.uid.to_string()]).unwrap();
        flush(&tx).unwrap();
        tx.commit().unwrap();
        assert_eq!(pending(&conn), 0, "nothing left for the next transaction");
    }
}
