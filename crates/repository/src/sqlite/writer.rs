//! The writer connection on a thread of its own, committing concurrent
//! writes together (group commit).
//!
//! SQLite has one writer at a time, and what a write costs is mostly the
//! transaction around it: `BEGIN IMMEDIATE`, the pages it changes appended
//! to the WAL, `COMMIT`. A task insert touches the same few pages (the
//! table's last leaf, the ends of its indexes) as the insert before it, so
//! sixty-four inserts in one transaction append those pages once, not
//! sixty-four times.
//!
//! So the writer thread takes every write that queued while it was busy —
//! up to `max_batch` — and runs them in one transaction, one after another:
//!
//! * a write that fails (a missing project, a stale version, a taken
//!   username) fails before it changes anything — it checks, then writes;
//!   a failed statement undoes itself — so its caller gets its own answer
//!   and the others go on. The writer does not take that on trust: it
//!   compares SQLite's count of changed rows before and after each write,
//!   and a write that failed after changing rows fails the shared
//!   transaction (below), since only its rollback undoes them. A savepoint
//!   per write would undo just that write, but costs every write a copy of
//!   each page it is the first to change (17% of the writer's time,
//!   measured);
//! * each write sees the ones before it in the batch, as if they had
//!   committed just before it, so two racing updates of one version still
//!   meet a conflict, and two racing creates of one username a duplicate;
//! * every caller is answered only after the shared `COMMIT` returned, so
//!   a success is durable when it is reported;
//! * work a write can leave for the end of its transaction (the search
//!   index's words: see `search_pending`) is done once, after the last
//!   write and before the `COMMIT` ([`BeforeCommit`]);
//! * if the shared transaction itself fails, nobody is answered from it:
//!   every write of the batch is run again alone, in order, and answered
//!   from that.
//!
//! There is no timer: a write arriving at an idle writer starts at once,
//! alone. Only writes that arrive while a batch is committing wait, and
//! they all share the next one, so batches grow with the load. A write whose
//! caller stopped waiting before it started (a timeout) is dropped unrun.
//!
//! Once the queue has been empty for [`IDLE_AFTER`], the writer does the
//! store's upkeep (an [`Upkeep`]: merging the search index's segments), one
//! bounded step at a time, until it is done or a write arrives; a write
//! waits for at most the step under way. Upkeep is owed again after the
//! next commit.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Context as _;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::sync::oneshot;

use super::checkpointer::Checkpointer;
use crate::error::StoreError;
use crate::pool_status::ConnectionCounter;

/// A write waiting for the writer thread, type-erased so that writes of
/// any result type share one queue.
trait PendingWrite: Send {
    /// Whether its caller stopped waiting: then it is not run at all.
    fn abandoned(&self) -> bool;

    /// Runs the write inside `tx`, keeping its outcome; whether it
    /// succeeded (and its changes are to be kept).
    fn run(&mut self, tx: &Transaction<'_>) -> bool;

    /// Answers the caller with its outcome — or with `commit_failure`, when
    /// the write succeeded but its transaction did not commit.
    fn answer(self: Box<Self>, commit_failure: Option<StoreError>);
}

/// A write and the caller waiting for its outcome.
struct Write<T, F> {
    op: F,
    outcome: Option<Result<T, StoreError>>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<T, F> PendingWrite for Write<T, F>
where
    T: Send,
    F: Fn(&Transaction<'_>) -> Result<T, StoreError> + Send,
{
    fn abandoned(&self) -> bool {
        self.reply.is_closed()
    }

    fn run(&mut self, tx: &Transaction<'_>) -> bool {
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| (self.op)(tx)))
            .unwrap_or_else(|_panic| Err(StoreError::Unexpected(anyhow::anyhow!("a SQLite write panicked"))));
        let succeeded = outcome.is_ok();
        self.outcome = Some(outcome);
        succeeded
    }

    fn answer(self: Box<Self>, commit_failure: Option<StoreError>) {
        let result = match (self.outcome, commit_failure) {
            (Some(Err(own)), _) => Err(own),
            (_, Some(failure)) => Err(failure),
            (Some(Ok(value)), None) => Ok(value),
            (None, None) => Err(StoreError::Unexpected(anyhow::anyhow!("a SQLite write was answered unrun"))),
        };
        // The caller may have stopped waiting meanwhile.
        let _ = self.reply.send(result);
    }
}

/// What the writer thread is asked to do.
enum Work {
    /// A write, to share a transaction with the others queued with it.
    Write(Box<dyn PendingWrite>),
    /// Anything else that needs the writer connection alone (the reads of
    /// an in-memory database, which has no other connection); returns the
    /// answer to its caller, to be sent once the connection is released.
    Exclusive(Box<dyn FnOnce(&mut Connection) -> Reply + Send>),
}

/// An answer to send once the connection is no longer counted as in use,
/// so that a caller who has its answer never sees it held.
type Reply = Box<dyn FnOnce() + Send>;

/// The handle on the writer thread; dropping it (and so the queue) ends
/// the thread, which closes the connection.
pub(super) struct Writer {
    inbox: mpsc::Sender<Work>,
    #[cfg(test)]
    counts: Arc<Counts>,
}

/// How many transactions the writer began for writes, and how many writes
/// ran in them: their ratio is the mean batch.
#[derive(Debug, Default)]
pub(super) struct Counts {
    transactions: AtomicU64,
    writes: AtomicU64,
}

impl Counts {
    /// `(transactions, writes)` so far.
    #[cfg(test)]
    fn get(&self) -> (u64, u64) {
        (self.transactions.load(Ordering::Relaxed), self.writes.load(Ordering::Relaxed))
    }

    fn record(&self, writes: usize) {
        self.transactions.fetch_add(1, Ordering::Relaxed);
        self.writes.fetch_add(u64::try_from(writes).unwrap_or(u64::MAX), Ordering::Relaxed);
    }
}

impl Writer {
    /// Starts the writer thread on `conn`, sharing at most `max_batch`
    /// writes per transaction (1 or 0: every write commits alone), doing
    /// `upkeep` while idle.
    pub(super) fn start(
        conn: Connection,
        max_batch: usize,
        usage: Arc<ConnectionCounter>,
        upkeep: Option<Upkeep>,
        before_commit: Option<BeforeCommit>,
        checkpointer: Option<Checkpointer>,
    ) -> anyhow::Result<Self> {
        let (inbox, queue) = mpsc::channel();
        let max_batch = max_batch.max(1);
        let counts = Arc::<Counts>::default();
        let thread =
            Thread { queue, max_batch, usage, counts: Arc::clone(&counts), upkeep, before_commit, checkpointer };

        std::thread::Builder::new()
            .name("trm-sqlite-writer".to_owned())
            .spawn(move || thread.serve(conn))
            .context("cannot start the SQLite writer thread")?;
        Ok(Self {
            inbox,
            #[cfg(test)]
            counts,
        })
    }

    /// The transactions and writes so far.
    #[cfg(test)]
    fn counts(&self) -> (u64, u64) {
        self.counts.get()
    }

    /// Runs `op` in a transaction on the writer, possibly shared with other
    /// writes (see the module docs); its outcome once the transaction has
    /// committed, or rolled back for `op`'s own failure.
    ///
    /// `op` is `Fn`: should the shared transaction fail, it runs again alone.
    pub(super) async fn write<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Fn(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let answered = self.submit(op)?;
        answered.await.unwrap_or_else(|_dropped| Err(writer_gone()))
    }

    /// Queues `op` at once, in the order of the calls; its outcome arrives
    /// on the receiver.
    fn submit<T, F>(&self, op: F) -> Result<oneshot::Receiver<Result<T, StoreError>>, StoreError>
    where
        T: Send + 'static,
        F: Fn(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, answered) = oneshot::channel();
        self.send(Work::Write(Box::new(Write { op, outcome: None, reply })))?;
        Ok(answered)
    }

    /// Runs `op` on the writer connection, outside any batch.
    pub(super) async fn exclusive<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, answered) = oneshot::channel();
        self.send(Work::Exclusive(Box::new(move |conn| {
            if reply.is_closed() {
                return Box::new(|| ());
            }
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| op(conn)))
                .unwrap_or_else(|_panic| Err(StoreError::Unexpected(anyhow::anyhow!("a SQLite operation panicked"))));
            Box::new(move || {
                let _ = reply.send(result);
            })
        })))?;
        answered.await.unwrap_or_else(|_dropped| Err(writer_gone()))
    }

    fn send(&self, work: Work) -> Result<(), StoreError> {
        self.inbox.send(work).map_err(|_closed| writer_gone())
    }
}

/// One step of upkeep on the writer's connection; `true` while there is
/// more to do.
pub(super) type Upkeep = fn(&Connection) -> rusqlite::Result<bool>;

/// Work the writes of a transaction leave for its end, done once after
/// the last of them and before the commit (the search index's words: see
/// `search_pending`). Its failure fails the transaction.
pub(super) type BeforeCommit = fn(&Transaction<'_>) -> rusqlite::Result<()>;

/// How long the queue stays empty before the writer does upkeep: long
/// enough that a burst of writes is over, short enough that an idle store
/// is tidy soon after it.
const IDLE_AFTER: Duration = Duration::from_millis(250);

fn writer_gone() -> StoreError {
    StoreError::Unexpected(anyhow::anyhow!("the SQLite writer thread has stopped"))
}

/// Why a shared transaction was given up.
enum SharedFailure {
    /// SQLite failed it: the commit, or the work before it.
    Sqlite(rusqlite::Error),
    /// A write failed after changing rows, which only rolling the whole
    /// transaction back undoes.
    WriteFailedAfterChanging,
}

impl From<rusqlite::Error> for SharedFailure {
    fn from(error: rusqlite::Error) -> Self {
        Self::Sqlite(error)
    }
}

/// A write that ran, and the failure of the commit it ran in, if any.
type Answer = (Box<dyn PendingWrite>, Option<StoreError>);

/// Where the writer is with its upkeep.
#[derive(Clone, Copy)]
enum UpkeepState {
    /// Due once the queue has been empty for [`IDLE_AFTER`].
    Owed,
    /// Begun: the next step follows as soon as the queue is empty.
    Running,
    /// Nothing to do until the next write.
    Done,
}

/// The writer thread's own state.
struct Thread {
    queue: mpsc::Receiver<Work>,
    max_batch: usize,
    usage: Arc<ConnectionCounter>,
    counts: Arc<Counts>,
    upkeep: Option<Upkeep>,
    before_commit: Option<BeforeCommit>,
    /// Told of each commit, to checkpoint the log off this thread (a file
    /// store's; none in memory).
    checkpointer: Option<Checkpointer>,
}

impl Thread {
    /// Serves the queue until every handle is dropped.
    fn serve(self, mut conn: Connection) {
        let mut next = None;
        // A store just opened may need upkeep from its past.
        let mut upkeep = if self.upkeep.is_some() { UpkeepState::Owed } else { UpkeepState::Done };
        loop {
            let work = match (next.take(), upkeep) {
                (Some(work), _) => work,
                (None, UpkeepState::Owed) => match self.queue.recv_timeout(IDLE_AFTER) {
                    Ok(work) => work,
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        upkeep = self.upkeep_step(&conn);
                        continue;
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                },
                (None, UpkeepState::Running) => match self.queue.try_recv() {
                    Ok(work) => work,
                    Err(mpsc::TryRecvError::Empty) => {
                        upkeep = self.upkeep_step(&conn);
                        continue;
                    }
                    Err(mpsc::TryRecvError::Disconnected) => return,
                },
                (None, UpkeepState::Done) => match self.queue.recv() {
                    Ok(work) => work,
                    Err(mpsc::RecvError) => return,
                },
            };
            match work {
                Work::Exclusive(op) => {
                    let held = self.usage.checkout();
                    let reply = op(&mut conn);
                    drop(held);
                    reply();
                }
                Work::Write(first) => {
                    let mut batch = vec![first];
                    while batch.len() < self.max_batch {
                        match self.queue.try_recv() {
                            Ok(Work::Write(write)) => batch.push(write),
                            Ok(other) => {
                                next = Some(other);
                                break;
                            }
                            Err(_) => break,
                        }
                    }
                    batch.retain(|write| !write.abandoned());
                    if !batch.is_empty() && self.upkeep.is_some() {
                        upkeep = UpkeepState::Owed;
                    }
                    if !batch.is_empty() {
                        let held = self.usage.checkout();
                        let answers = self.commit_together(&mut conn, batch);
                        drop(held);
                        if let Some(checkpointer) = &self.checkpointer {
                            checkpointer.committed();
                        }
                        for (write, commit_failure) in answers {
                            write.answer(commit_failure);
                        }
                    }
                }
            }
        }
    }

    /// One step of upkeep, and what is left. A failed step is logged and
    /// owed again only after the next write.
    fn upkeep_step(&self, conn: &Connection) -> UpkeepState {
        let Some(upkeep) = self.upkeep else { return UpkeepState::Done };
        let held = self.usage.checkout();
        let step = upkeep(conn);
        drop(held);
        match step {
            Ok(true) => UpkeepState::Running,
            Ok(false) => UpkeepState::Done,
            Err(error) => {
                tracing::warn!(%error, "the SQLite store's upkeep failed; it is tried again after the next write");
                UpkeepState::Done
            }
        }
    }

    /// Runs `batch` in one transaction; if the transaction fails as a
    /// whole, or a write fails after changing rows, runs each write again
    /// alone. Returns
    /// each write with what its answer needs: its commit's failure, if any.
    fn commit_together(&self, conn: &mut Connection, mut batch: Vec<Box<dyn PendingWrite>>) -> Vec<Answer> {
        if batch.len() == 1 {
            return batch.pop().map(|write| self.commit_alone(conn, write)).into_iter().collect();
        }
        self.counts.record(batch.len());
        let shared = (|| -> Result<(), SharedFailure> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for write in &mut batch {
                let before = tx.total_changes();
                if !write.run(&tx) && tx.total_changes() != before {
                    return Err(SharedFailure::WriteFailedAfterChanging);
                }
            }
            self.before_commit(&tx)?;
            Ok(tx.commit()?)
        })();
        match shared {
            Ok(()) => batch.into_iter().map(|write| (write, None)).collect(),
            Err(SharedFailure::WriteFailedAfterChanging) => {
                // Only the transaction's rollback undoes what that write
                // changed; the others' outcomes may rest on it.
                tracing::debug!(writes = batch.len(), "a batched write failed after changing rows; retrying alone");
                batch.into_iter().map(|write| self.commit_alone(conn, write)).collect()
            }
            Err(SharedFailure::Sqlite(error)) => {
                // Nothing of the batch was committed (the transaction rolled
                // back as it was dropped); its outcomes may rest on writes
                // that are now undone, so every write runs again, alone.
                tracing::warn!(%error, writes = batch.len(), "a shared SQLite transaction failed; retrying its writes alone");
                batch.into_iter().map(|write| self.commit_alone(conn, write)).collect()
            }
        }
    }

    fn before_commit(&self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
        self.before_commit.map_or(Ok(()), |before_commit| before_commit(tx))
    }

    /// Runs one write in a transaction of its own.
    fn commit_alone(&self, conn: &mut Connection, mut write: Box<dyn PendingWrite>) -> Answer {
        self.counts.record(1);
        let committed = (|| -> rusqlite::Result<()> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if write.run(&tx) {
                self.before_commit(&tx)?;
                tx.commit()?;
            }
            // Otherwise dropping `tx` rolls the failed write back.
            Ok(())
        })();
        (write, committed.err().map(super::unexpected("cannot commit a SQLite write")))
    }
}

#[cfg(test)]
mod tests;
