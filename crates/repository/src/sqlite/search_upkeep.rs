//! Keeping the search index quick to read.
//!
//! FTS5 writes the words of each transaction as a new segment and merges
//! segments only as they pile up (its `automerge`), so a store written in
//! many transactions, or seeded in one large one, holds a dozen segments
//! or more, and a search looks each of its words up in every one: at a
//! million tasks, a search page read from 22 segments in 1.1 ms and from
//! one in 0.3 ms. So the writer merges them while it is idle (its upkeep),
//! a bounded number of pages at a time, until one segment is left.

use rusqlite::Connection;

/// Pages of merged index a step writes, at most (4 KiB each): a few
/// milliseconds, the most a write arriving meanwhile waits.
const PAGES_PER_STEP: i64 = 256;

/// Merges up to [`PAGES_PER_STEP`] pages of the search index's segments;
/// whether more is left. A negative `merge` merges segments of every level
/// together; a step that changes fewer than two rows found nothing left to
/// merge (FTS5's documented test for it).
pub(super) fn merge_step(conn: &Connection) -> rusqlite::Result<bool> {
    let before = conn.total_changes();
    conn.execute("INSERT INTO task_search (task_search, rank) VALUES ('merge', ?1)", [-PAGES_PER_STEP])?;
    Ok(conn.total_changes() - before >= 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(conn: &Connection) -> i64 {
        conn.query_row("SELECT count(DISTINCT segid) FROM task_search_idx", [], |row| row.get(0)).unwrap()
    }

    #[test]
    fn steps_merge_the_segments_of_many_transactions_into_one_and_then_report_nothing_left() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::schema::migrate(&mut conn).unwrap();
        for n in 0..40 {
            conn.execute(
                "INSERT INTO task_search (rowid, words) VALUES (?1, ?2)",
                rusqlite::params![n, format!("cong viec {n}")],
            )
            .unwrap();
        }
        assert!(segments(&conn) > 1, "one segment per transaction, merged only as they pile up");
        let mut steps = 0;
        while merge_step(&conn).unwrap() {
            steps += 1;
            assert!(steps < 100, "merging ends");
        }
        assert_eq!(segments(&conn), 1);
        assert!(!merge_step(&conn).unwrap(), "nothing left to merge");
        let found: i64 = conn
            .query_row("SELECT count(*) FROM task_search WHERE task_search MATCH 'viec'", [], |row| row.get(0))
            .unwrap();
        assert_eq!(found, 40);
    }
}
