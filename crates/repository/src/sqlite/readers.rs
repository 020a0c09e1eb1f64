//! The reader connections, each on a thread of its own, serving one
//! shared queue of reads.
//!
//! A read is blocking SQLite work, so it must not run on the async
//! runtime's threads. It used to run in the runtime's blocking pool, which
//! starts a thread whenever a task arrives and none is idle, and keeps it
//! for ten seconds: under 256 connections the pool grew to ~50 threads for
//! 4 connections, and every thread that once ran a read kept the stack
//! pages and allocator caches that read touched — ~15 MiB more resident
//! memory, breaking the SQLite server's 64 MiB budget (`docs/benchmarks.md`).
//! Here the threads are exactly the connections: a connection never moves,
//! an idle reader waits on the queue itself, and the next read goes to
//! whichever reader is free.
//!
//! A read whose caller stopped waiting (a timeout) before a reader took it
//! is dropped unrun. Dropping [`Readers`] closes the queue; each thread
//! finishes the reads already queued, then closes its connection.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use anyhow::Context as _;
use rusqlite::Connection;
use tokio::sync::oneshot;

use crate::error::StoreError;
use crate::pool_status::ConnectionCounter;

/// A read waiting for a reader, with its caller's reply inside; it counts
/// the connection as in use while it runs.
type Read = Box<dyn FnOnce(&Connection, &Arc<ConnectionCounter>) + Send>;

/// The handle on the reader threads.
pub(super) struct Readers {
    queue: crossbeam_channel::Sender<Read>,
}

impl Readers {
    /// Starts one thread per connection; `usage` counts the connections
    /// running a read, for the pool gauge.
    pub(super) fn start(connections: Vec<Connection>, usage: &Arc<ConnectionCounter>) -> anyhow::Result<Self> {
        let (queue, reads) = crossbeam_channel::unbounded::<Read>();
        for (n, conn) in connections.into_iter().enumerate() {
            let reads = reads.clone();
            let usage = Arc::clone(usage);
            std::thread::Builder::new()
                .name(format!("trm-sqlite-read-{n}"))
                .spawn(move || {
                    for read in reads {
                        read(&conn, &usage);
                    }
                })
                .context("cannot start a SQLite reader thread")?;
        }
        Ok(Self { queue })
    }

    /// Runs `op` on the next free reader; its outcome.
    pub(super) async fn read<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, answered) = oneshot::channel();
        let read: Read = Box::new(move |conn, usage| {
            if reply.is_closed() {
                return;
            }
            let held = usage.checkout();
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| op(conn)))
                .unwrap_or_else(|_panic| Err(StoreError::Unexpected(anyhow::anyhow!("a SQLite read panicked"))));
            // Given back before the answer, so that a caller who has its
            // answer never sees the connection held.
            drop(held);
            // The caller may have stopped waiting meanwhile.
            let _ = reply.send(result);
        });
        self.queue.send(read).map_err(|_closed| readers_gone())?;
        answered.await.unwrap_or_else(|_dropped| Err(readers_gone()))
    }
}

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
