//! Tests of [`super`].

use std::time::Duration;

use super::*;

/// A writer on a fresh in-memory database with a table of numbers,
/// whose `parent` must name a stored number by the end of each
/// transaction (a deferred foreign key: checked at `COMMIT`).
fn writer(max_batch: usize) -> Writer {
    writer_with(max_batch, None)
}

/// [`writer`], with `before_commit` run at the end of each transaction; a
/// table `commits` is there for it to write to.
fn writer_with(max_batch: usize, before_commit: Option<BeforeCommit>) -> Writer {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "PRAGMA foreign_keys = ON; \
         CREATE TABLE numbers (n INTEGER PRIMARY KEY, \
            parent INTEGER REFERENCES numbers (n) DEFERRABLE INITIALLY DEFERRED); \
         CREATE TABLE commits (numbers_seen INTEGER NOT NULL)",
    )
    .unwrap();
    Writer::start(conn, max_batch, Arc::default(), None, before_commit, None).unwrap()
}

fn insert(n: i64, parent: Option<i64>) -> impl Fn(&Transaction<'_>) -> Result<i64, StoreError> + Send + 'static {
    move |tx| {
        tx.execute("INSERT INTO numbers (n, parent) VALUES (?1, ?2)", rusqlite::params![n, parent])
            .map_err(|error| StoreError::Unexpected(error.into()))?;
        Ok(n)
    }
}

async fn stored(writer: &Writer) -> Vec<i64> {
    writer
        .exclusive(|conn| {
            let mut select = conn.prepare("SELECT n FROM numbers ORDER BY n").unwrap();
            Ok(select.query_map([], |row| row.get(0)).unwrap().map(Result::unwrap).collect())
        })
        .await
        .unwrap()
}

/// Holds the writer thread until the returned sender is dropped, so
/// that the writes sent meanwhile queue up.
async fn hold(writer: &Arc<Writer>) -> (mpsc::Sender<()>, tokio::task::JoinHandle<()>) {
    let (release, held) = mpsc::channel::<()>();
    let (started, running) = oneshot::channel();
    let holder = Arc::clone(writer);
    let handle = tokio::spawn(async move {
        holder
            .exclusive(move |_conn| {
                let _ = started.send(());
                let _ = held.recv();
                Ok(())
            })
            .await
            .unwrap();
    });
    running.await.unwrap();
    (release, handle)
}

/// Queues `rows` (number, parent), one write each and in this order,
/// while the writer is held, then lets it go; their answers in order.
async fn insert_while_held(writer: &Arc<Writer>, rows: &[(i64, Option<i64>)]) -> Vec<Result<i64, StoreError>> {
    let (release, holder) = hold(writer).await;
    let queued: Vec<_> = rows.iter().map(|&(n, parent)| writer.submit(insert(n, parent)).unwrap()).collect();
    drop(release);
    holder.await.unwrap();
    let mut answers = Vec::new();
    for answered in queued {
        answers.push(answered.await.unwrap());
    }
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_queued_while_the_writer_is_busy_share_one_transaction_and_keep_their_own_answers() {
    let writer = Arc::new(writer(64));
    // The fifth (a second 4) fails: the fourth, before it in the batch, took its number.
    let rows: Vec<(i64, Option<i64>)> = [1, 2, 3, 4, 4, 6, 7, 8, 9, 10].into_iter().map(|n| (n, None)).collect();
    let answers = insert_while_held(&writer, &rows).await;

    assert_eq!(writer.counts(), (1, 10), "one transaction carried the ten writes");
    assert_eq!(answers.iter().filter(|answer| answer.is_err()).count(), 1, "{answers:?}");
    assert!(answers[4].is_err(), "{answers:?}");
    assert_eq!(stored(&writer).await, [1, 2, 3, 4, 6, 7, 8, 9, 10]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_shared_commit_fails_every_write_is_run_again_alone() {
    let writer = Arc::new(writer(64));
    // 2 names a parent that never exists: the batch's COMMIT fails on it.
    let answers = insert_while_held(&writer, &[(1, None), (2, Some(99)), (3, Some(1))]).await;

    assert!(answers[0].is_ok() && answers[2].is_ok(), "{answers:?}");
    assert!(answers[1].is_err(), "{answers:?}");
    assert_eq!(writer.counts(), (4, 6), "the shared attempt, then each alone");
    assert_eq!(stored(&writer).await, [1, 3]);
}

/// Records how many numbers the transaction stored when it ends.
fn count_numbers(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute("INSERT INTO commits (numbers_seen) SELECT count(*) FROM numbers", []).map(drop)
}

/// Refuses to commit a transaction that stored the number 13.
fn refuse_thirteen(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let thirteen: i64 = tx.query_row("SELECT count(*) FROM numbers WHERE n = 13", [], |row| row.get(0))?;
    if thirteen > 0 {
        return Err(rusqlite::Error::InvalidQuery);
    }
    Ok(())
}

async fn commits_seen(writer: &Writer) -> Vec<i64> {
    writer
        .exclusive(|conn| {
            let mut select = conn.prepare("SELECT numbers_seen FROM commits").unwrap();
            Ok(select.query_map([], |row| row.get(0)).unwrap().map(Result::unwrap).collect())
        })
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_work_left_for_a_transactions_end_runs_once_after_all_its_writes() {
    let writer = Arc::new(writer_with(64, Some(count_numbers)));
    let rows: Vec<(i64, Option<i64>)> = [1, 2, 3, 3, 5].into_iter().map(|n| (n, None)).collect();
    let answers = insert_while_held(&writer, &rows).await;

    assert_eq!(answers.iter().filter(|answer| answer.is_err()).count(), 1, "{answers:?}");
    assert_eq!(writer.counts(), (1, 5));
    assert_eq!(commits_seen(&writer).await, [4], "once, seeing the four stored");

    writer.write(insert(6, None)).await.unwrap();
    assert_eq!(commits_seen(&writer).await, [4, 5], "a write alone too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_work_at_a_transactions_end_fails_only_the_write_that_caused_it_fails() {
    let writer = Arc::new(writer_with(64, Some(refuse_thirteen)));
    let answers = insert_while_held(&writer, &[(11, None), (13, None), (17, None)]).await;

    assert!(answers[0].is_ok() && answers[2].is_ok(), "{answers:?}");
    assert!(answers[1].is_err(), "{answers:?}");
    assert_eq!(stored(&writer).await, [11, 17]);
}

/// Stores `n`, then fails.
fn insert_then_fail(n: i64) -> impl Fn(&Transaction<'_>) -> Result<i64, StoreError> + Send + 'static {
    move |tx| {
        insert(n, None)(tx)?;
        Err(StoreError::VersionConflict)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_that_fails_after_changing_rows_leaves_none_and_the_others_are_stored() {
    let writer = Arc::new(writer(64));
    let (release, holder) = hold(&writer).await;
    let first = writer.submit(insert(1, None)).unwrap();
    let failing = writer.submit(insert_then_fail(2)).unwrap();
    let last = writer.submit(insert(3, Some(1))).unwrap();
    drop(release);
    holder.await.unwrap();

    assert_eq!(first.await.unwrap().unwrap(), 1);
    assert!(matches!(failing.await.unwrap(), Err(StoreError::VersionConflict)));
    assert_eq!(last.await.unwrap().unwrap(), 3);
    assert_eq!(stored(&writer).await, [1, 3], "nothing of the failed write");
    assert_eq!(writer.counts(), (4, 6), "the shared attempt, then each alone");
}

#[tokio::test]
async fn with_a_batch_of_one_every_write_commits_alone() {
    let writer = Arc::new(writer(1));
    let writes = (1..=5).map(|n| {
        let writer = Arc::clone(&writer);
        async move { writer.write(insert(n, None)).await }
    });
    for answer in futures::future::join_all(writes).await {
        answer.unwrap();
    }
    assert_eq!(writer.counts(), (5, 5));
}

#[tokio::test]
async fn a_write_whose_caller_gave_up_before_it_ran_is_not_run() {
    let writer = Arc::new(writer(64));
    let (release, holder) = hold(&writer).await;
    let abandoned = tokio::time::timeout(Duration::from_millis(50), writer.write(insert(1, None))).await;
    assert!(abandoned.is_err(), "the write cannot have run while the writer was held");
    drop(release);
    holder.await.unwrap();
    writer.write(insert(2, None)).await.unwrap();
    assert_eq!(stored(&writer).await, [2]);
}

/// Upkeep that records each step and finishes every third.
fn counted_upkeep(conn: &Connection) -> rusqlite::Result<bool> {
    conn.execute("INSERT INTO upkeep_steps DEFAULT VALUES", [])?;
    let steps: i64 = conn.query_row("SELECT count(*) FROM upkeep_steps", [], |row| row.get(0))?;
    Ok(steps % 3 != 0)
}

async fn upkeep_steps(writer: &Writer) -> i64 {
    writer
        .exclusive(|conn| Ok(conn.query_row("SELECT count(*) FROM upkeep_steps", [], |row| row.get(0)).unwrap()))
        .await
        .unwrap()
}

/// Waits for `expected` steps, looking less often than the writer's idle
/// time (a look is work for it too).
async fn eventually_steps(writer: &Writer, expected: i64) {
    for _ in 0..20 {
        tokio::time::sleep(IDLE_AFTER * 2).await;
        if upkeep_steps(writer).await == expected {
            return;
        }
    }
    panic!("upkeep did not reach {expected} steps");
}

#[tokio::test]
async fn an_idle_writer_does_its_upkeep_until_done_and_again_after_the_next_write() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE upkeep_steps (step INTEGER PRIMARY KEY); CREATE TABLE numbers (n INTEGER PRIMARY KEY, parent INTEGER)")
        .unwrap();
    let writer = Writer::start(conn, 8, Arc::default(), Some(counted_upkeep), None, None).unwrap();
    eventually_steps(&writer, 3).await;
    tokio::time::sleep(IDLE_AFTER * 2).await;
    assert_eq!(upkeep_steps(&writer).await, 3, "done until a write");

    assert_eq!(writer.write(insert(1, None)).await.unwrap(), 1);
    eventually_steps(&writer, 6).await;
}
