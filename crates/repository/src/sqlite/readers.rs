//! The reader connections, each on a thread of its own, serving one
//! shared queue of reads.
//!
//! A read is blocking SQLite work, so it must not run on the async
//! runtime's threads. It used to run in the runtime's blocking pool, which
//! starts a thread whenever a task arrives and none is idle: a reader was
//! given back inside the task, before its thread was idle again, so under
//! load the pool started threads all the time (~50 alive for 4
//! connections at 256 HTTP connections), and a `get` cost the server twice
//! the CPU it costs now (`docs/benchmarks.md`, "SQLite reads on the
//! readers' own threads").
//!
//! Here the threads are exactly the connections, and a connection never
//! moves. Reads queue in one FIFO; a new read wakes the reader that went
//! idle last (its connection's cache and its thread are the warmest, and
//! under light load the others stay asleep), and a reader that finishes
//! takes the next queued read without sleeping.
//!
//! Readers run ahead of their callers by a bounded number of answers
//! ([`UNREAD_ANSWERS_PER_READER`] each): an answer counts from when a
//! reader takes its read until the caller has it (or has stopped waiting
//! for it), and while that many are out, queued reads wait. Without the
//! bound, when the HTTP loop was the slower side the readers kept taking
//! reads whose answers then waited for it — at 256 connections of task
//! lists, a page of 100 tasks for most connections at once, 20 MiB and more
//! of a server meant to run in 64 (`docs/benchmarks.md`). Held back, the
//! readers leave their cores to the loop that was behind.
//!
//! A read whose caller stopped waiting (a timeout) before a reader took it
//! is dropped unrun. Dropping [`Readers`] closes the queue; each thread
//! finishes the reads already queued, then closes its connection.

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use anyhow::Context as _;
use rusqlite::Connection;
use tokio::sync::oneshot;

use crate::error::StoreError;
use crate::pool_status::ConnectionCounter;

/// A read waiting for a reader, with its caller's reply inside; it counts
/// the connection as in use while it runs, and its answer as unread
/// ([`Unread`]) until the caller has it.
type Read = Box<dyn FnOnce(&Connection, &Arc<ConnectionCounter>, Unread) + Send>;

/// How many answers each reader may have taken a read for that their
/// callers do not have yet: the one it works on and a few waiting for their
/// callers (enough for a lookup's short answers to flow without a wait).
const UNREAD_ANSWERS_PER_READER: usize = 16;

/// The handle on the reader threads.
pub(super) struct Readers {
    shared: Arc<Shared>,
}

/// What the callers and the reader threads share.
struct Shared {
    state: Mutex<State>,
    /// One per reader, each waited on by its reader alone (with `state`'s
    /// lock), so that a read wakes the reader chosen for it and no other.
    wake: Vec<Condvar>,
    /// Answers taken and not yet had by their callers ([`Unread`]): counted
    /// outside the lock, so that having an answer takes the lock only when
    /// readers may be waiting for it.
    unread: AtomicUsize,
    /// The most `unread` may be before queued reads wait.
    max_unread: usize,
}

struct State {
    /// Reads no reader has taken yet, oldest first.
    queue: VecDeque<Read>,
    /// The idle readers, the one idle the shortest time last: a read goes
    /// to it, whose connection's cache and thread are the warmest, and
    /// under light load the others stay asleep.
    idle: Vec<usize>,
    /// Whether each reader waits to be woken (and so is in `idle`): a
    /// wait that returns without it cleared is spurious.
    waiting: Vec<bool>,
    /// Set when the handle is dropped: readers finish the queue and stop.
    closed: bool,
}

impl State {
    /// Wakes the reader idle the shortest time, if a read is queued.
    fn wake_one(&mut self, wake: &[Condvar]) {
        if self.queue.is_empty() {
            return;
        }
        if let Some(reader) = self.idle.pop() {
            self.waiting[reader] = false;
            wake[reader].notify_one();
        }
    }

    /// Wakes every idle reader (each finds the queue empty, or takes a
    /// read, or goes idle again).
    fn wake_all(&mut self, wake: &[Condvar]) {
        for reader in std::mem::take(&mut self.idle) {
            self.waiting[reader] = false;
            wake[reader].notify_one();
        }
    }
}

/// One unread answer: counted while a reader works on its read and while
/// the answer waits for its caller; dropped with the answer — once the
/// caller has it, or once the caller has gone — it lets the next read go.
struct Unread(Arc<Shared>);

impl Drop for Unread {
    fn drop(&mut self) {
        // Readers held back by a full count are woken together once half
        // the count is had, not one by one: a wake per answer would cost
        // the caller's thread a system call per read.
        if self.0.unread.fetch_sub(1, Ordering::SeqCst) == self.0.max_unread / 2 + 1 {
            let mut state = self.0.lock();
            if !state.queue.is_empty() {
                state.wake_all(&self.0.wake);
            }
        }
    }
}

impl Readers {
    /// Starts one thread per connection; `usage` counts the connections
    /// running a read, for the pool gauge.
    pub(super) fn start(connections: Vec<Connection>, usage: &Arc<ConnectionCounter>) -> anyhow::Result<Self> {
        let count = connections.len();
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                idle: Vec::with_capacity(count),
                waiting: vec![false; count],
                closed: false,
            }),
            wake: (0..count).map(|_| Condvar::new()).collect(),
            unread: AtomicUsize::new(0),
            max_unread: count.max(1) * UNREAD_ANSWERS_PER_READER,
        });
        for (n, conn) in connections.into_iter().enumerate() {
            let shared = Arc::clone(&shared);
            let usage = Arc::clone(usage);
            std::thread::Builder::new()
                .name(format!("trm-sqlite-read-{n}"))
                .spawn(move || {
                    while let Some(read) = shared.next_read(n) {
                        read(&conn, &usage, Unread(Arc::clone(&shared)));
                    }
                })
                .context("cannot start a SQLite reader thread")?;
        }
        Ok(Self { shared })
    }

    /// Runs `op` on the next free reader; its outcome.
    pub(super) async fn read<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, answered) = oneshot::channel();
        let read: Read = Box::new(move |conn, usage, unread| {
            if reply.is_closed() {
                return;
            }
            let held = usage.checkout();
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| op(conn)))
                .unwrap_or_else(|_panic| Err(StoreError::Unexpected(anyhow::anyhow!("a SQLite read panicked"))));
            // Given back before the answer, so that a caller who has its
            // answer never sees the connection held.
            drop(held);
            // The caller may have stopped waiting meanwhile (then the
            // answer, and its count, are dropped here).
            let _ = reply.send((result, unread));
        });
        self.shared.submit(read);
        match answered.await {
            Ok((result, _unread)) => result,
            Err(_dropped) => Err(readers_gone()),
        }
    }
}

impl Drop for Readers {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.closed = true;
        state.wake_all(&self.shared.wake);
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A read runs outside the lock, so nothing panics holding it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `read` and wakes the reader idle the shortest time, if any
    /// and if not too many answers are unread; otherwise the first reader
    /// to finish (or the answer that ends a full count) takes it.
    fn submit(&self, read: Read) {
        let mut state = self.lock();
        state.queue.push_back(read);
        if self.unread.load(Ordering::SeqCst) < self.max_unread {
            state.wake_one(&self.wake);
        }
    }

    /// The oldest queued read, unless as many answers as allowed are
    /// unread; counted as unread from here.
    fn take(&self, state: &mut State) -> Option<Read> {
        if self.unread.load(Ordering::SeqCst) >= self.max_unread {
            return None;
        }
        let read = state.queue.pop_front()?;
        self.unread.fetch_add(1, Ordering::SeqCst);
        Some(read)
    }

    /// The next read for reader `n`, waiting while there is none; `None`
    /// once the handle is dropped and the queue is empty.
    ///
    /// Under load the next read comes within microseconds, and parking and
    /// waking a thread costs more than that (a `futex` each way, and a
    /// switch): a reader that finds the queue empty first looks again a few
    /// times, spinning and then yielding its core, and only then goes idle
    /// — as `crossbeam`'s channels do; without it `get` at 64 connections
    /// served a third fewer requests.
    fn next_read(&self, n: usize) -> Option<Read> {
        let mut state = self.lock();
        let mut looks = 0_u32;
        loop {
            if let Some(read) = self.take(&mut state) {
                return Some(read);
            }
            if state.closed && state.queue.is_empty() {
                // Readers idle for want of an unread answer's place stop too.
                state.wake_all(&self.wake);
                return None;
            }
            if looks < LOOKS_BEFORE_IDLE {
                drop(state);
                if looks < SPINNING_LOOKS {
                    (0..1_u32 << looks).for_each(|_| std::hint::spin_loop());
                } else {
                    std::thread::yield_now();
                }
                looks += 1;
                state = self.lock();
                continue;
            }
            looks = 0;
            state.idle.push(n);
            state.waiting[n] = true;
            while state.waiting[n] {
                state = self.wake[n].wait(state).unwrap_or_else(PoisonError::into_inner);
            }
        }
    }
}

/// How often a reader looks for a read before going idle: first spinning
/// (`2^look` spins, so ~130 in all), then yielding its core four times.
const SPINNING_LOOKS: u32 = 7;
const LOOKS_BEFORE_IDLE: u32 = SPINNING_LOOKS + 4;

fn readers_gone() -> StoreError {
    StoreError::Unexpected(anyhow::anyhow!("the SQLite reader threads have stopped"))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn readers(count: usize) -> (Readers, Arc<ConnectionCounter>) {
        let usage = Arc::<ConnectionCounter>::default();
        let connections = (0..count).map(|_| Connection::open_in_memory().expect("open")).collect();
        (Readers::start(connections, &usage).expect("start"), usage)
    }

    fn thread_name() -> String {
        std::thread::current().name().unwrap_or_default().to_owned()
    }

    #[tokio::test]
    async fn reads_run_on_the_readers_own_threads_and_nowhere_else() {
        let (readers, _usage) = readers(2);
        let mut names = std::collections::BTreeSet::new();
        for _ in 0..50 {
            names.insert(readers.read(|_conn| Ok(thread_name())).await.expect("read"));
        }
        assert!(!names.is_empty());
        assert!(names.iter().all(|name| name == "trm-sqlite-read-0" || name == "trm-sqlite-read-1"), "{names:?}");
    }

    /// Waits until all `count` readers are idle: a reader that has just
    /// answered looks for more reads a while first, longer on a busy
    /// machine, and a read arriving meanwhile may be taken by it or by
    /// the reader woken for it.
    async fn until_every_reader_is_idle(readers: &Readers, count: usize) {
        let started = std::time::Instant::now();
        while readers.shared.lock().idle.len() < count {
            assert!(started.elapsed() < Duration::from_secs(10), "the readers never all went idle");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    #[tokio::test]
    async fn a_lone_callers_reads_go_to_the_reader_that_went_idle_last() {
        let (readers, _usage) = readers(3);
        let mut names = std::collections::BTreeSet::new();
        for _ in 0..10 {
            until_every_reader_is_idle(&readers, 3).await;
            names.insert(readers.read(|_conn| Ok(thread_name())).await.expect("read"));
        }
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_reads_are_served_by_every_reader_at_once() {
        let (readers, usage) = readers(3);
        let readers = Arc::new(readers);
        let barrier = Arc::new(std::sync::Barrier::new(3));
        let reads: Vec<_> = (0..3)
            .map(|_| {
                let readers = Arc::clone(&readers);
                let barrier = Arc::clone(&barrier);
                tokio::spawn(async move {
                    readers
                        .read(move |_conn| {
                            // Only passes once all three reads run at the
                            // same time, each on its own reader.
                            barrier.wait();
                            Ok(thread_name())
                        })
                        .await
                })
            })
            .collect();
        let mut names = Vec::new();
        for read in reads {
            names.push(read.await.expect("join").expect("read"));
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 3, "{names:?}");
        assert_eq!(usage.in_use(), 0, "every connection is given back");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn readers_take_no_more_reads_than_their_callers_have_answers_for() {
        use std::future::Future;
        use std::pin::Pin;

        let (readers, _usage) = readers(1);
        let most = UNREAD_ANSWERS_PER_READER;
        let taken = Arc::new(AtomicUsize::new(0));
        type PendingRead<'a> = Pin<Box<dyn Future<Output = Result<(), StoreError>> + Send + 'a>>;
        let mut reads: Vec<PendingRead<'_>> = (0..most + 3)
            .map(|_| {
                let taken = Arc::clone(&taken);
                Box::pin(readers.read(move |_conn| {
                    taken.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                })) as PendingRead<'_>
            })
            .collect();
        // Queue them all without taking any answer.
        for read in &mut reads {
            assert!(futures::poll!(read.as_mut()).is_pending());
        }
        let settle = || tokio::time::sleep(Duration::from_millis(50));
        settle().await;
        assert_eq!(taken.load(Ordering::SeqCst), most, "the reader ran ahead");
        // The reader waits until half the answers are had...
        for _ in 0..most / 2 - 1 {
            reads.remove(0).await.expect("read");
        }
        settle().await;
        assert_eq!(taken.load(Ordering::SeqCst), most);
        // ...a caller that stops waiting has given its place up too.
        drop(reads.remove(0));
        settle().await;
        assert_eq!(taken.load(Ordering::SeqCst), most + 3);
        for read in reads {
            read.await.expect("read");
        }
        readers.read(|_conn| Ok(())).await.expect("the readers serve on");
    }

    #[tokio::test]
    async fn a_panicking_read_is_an_error_and_its_reader_serves_on() {
        let (readers, _usage) = readers(1);
        let panicked = readers.read(|_conn| -> Result<(), StoreError> { panic!("boom") }).await;
        assert!(matches!(panicked, Err(StoreError::Unexpected(_))), "{panicked:?}");
        let answer: i64 = readers
            .read(|conn| {
                conn.query_row("SELECT 41 + 1", [], |row| row.get(0))
                    .map_err(|error| StoreError::Unexpected(error.into()))
            })
            .await
            .expect("read");
        assert_eq!(answer, 42);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_read_whose_caller_stopped_waiting_is_not_run() {
        let (readers, _usage) = readers(1);
        let readers = Arc::new(readers);
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let (started, running) = oneshot::channel::<()>();
        let busy = {
            let readers = Arc::clone(&readers);
            tokio::spawn(async move {
                readers
                    .read(move |_conn| {
                        let _ = started.send(());
                        let _ = wait.recv();
                        Ok(())
                    })
                    .await
            })
        };
        running.await.expect("the first read started");
        let ran = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let abandoned = {
            let ran = Arc::clone(&ran);
            tokio::time::timeout(
                Duration::from_millis(50),
                readers.read(move |_conn| {
                    ran.store(true, std::sync::atomic::Ordering::SeqCst);
                    Ok(())
                }),
            )
            .await
        };
        assert!(abandoned.is_err(), "the only reader was busy");
        release.send(()).expect("release");
        busy.await.expect("join").expect("read");
        // A read queued after the abandoned one is served after it: by then
        // the abandoned one was taken from the queue and skipped.
        readers.read(|_conn| Ok(())).await.expect("read");
        assert!(!ran.load(std::sync::atomic::Ordering::SeqCst), "an abandoned read ran");
    }
}
