//! How busy a store's connections are: the source of the
//! `store_pool_connections_in_use` and `store_pool_size` gauges.
//!
//! Each adapter counts the connections its own operations hold, with a
//! [`ConnectionCounter`] whose [`Checkout`] guard is taken when an operation
//! gets a connection and dropped when the connection is given back — also
//! when the caller stopped waiting (a timeout) and the work finishes later,
//! because the guard travels with the connection, not with the caller.
//!
//! * SQLite: the writer connection while its mutex is held, and each reader
//!   connection while it is out of the idle list.
//! * Neo4j: `neo4rs` 0.9.0-rc.11 does not expose its pool's status (its
//!   `deadpool` pool is private to `Graph`), so the adapter counts its
//!   operations holding a connection: a transaction from its start to its
//!   end, a read from the query's start (waiting for a checkout included) to
//!   its last row, the schema set-up while it runs. Connections the driver
//!   keeps idle are not "in use".
//!
//! Reading the numbers is two atomic loads: scraping never waits for a
//! connection or for any lock an operation holds.

#[cfg(any(feature = "neo4j", feature = "sqlite", test))]
use std::sync::Arc;
#[cfg(any(feature = "neo4j", feature = "sqlite", test))]
use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of a store's connections.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolUsage {
    /// Connections held by operations right now.
    pub in_use: u64,
    /// The most connections the store uses at once (SQLite: the writer and
    /// its readers, all opened at start; Neo4j: the pool's maximum, opened
    /// as needed).
    pub size: u64,
}

/// A store that can tell how many of its connections are in use, so the
/// server can export it without knowing which store it runs on.
pub trait PoolStatus: Send + Sync + 'static {
    /// The usage at this moment; never waits.
    fn pool_usage(&self) -> PoolUsage;
}

/// Counts the connections an adapter's operations hold (for Neo4j, whose
/// driver keeps its pool to itself).
#[cfg(any(feature = "neo4j", feature = "sqlite", test))]
#[derive(Debug, Default)]
pub(crate) struct ConnectionCounter {
    in_use: AtomicU64,
}

#[cfg(any(feature = "neo4j", feature = "sqlite", test))]
impl ConnectionCounter {
    /// Counts one more connection in use until the guard is dropped; the
    /// guard must live exactly as long as the connection is held.
    pub(crate) fn checkout(self: &Arc<Self>) -> Checkout {
        self.in_use.fetch_add(1, Ordering::Relaxed);
        Checkout(Arc::clone(self))
    }

    /// Connections held right now.
    pub(crate) fn in_use(&self) -> u64 {
        self.in_use.load(Ordering::Relaxed)
    }
}

/// One connection counted as in use, until dropped.
#[cfg(any(feature = "neo4j", feature = "sqlite", test))]
#[derive(Debug)]
pub(crate) struct Checkout(Arc<ConnectionCounter>);

#[cfg(any(feature = "neo4j", feature = "sqlite", test))]
impl Drop for Checkout {
    fn drop(&mut self) {
        self.0.in_use.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_counts_as_in_use_while_its_checkout_lives() {
        let counter = Arc::new(ConnectionCounter::default());
        let first = counter.checkout();
        let second = counter.checkout();
        assert_eq!(counter.in_use(), 2);
        drop(first);
        assert_eq!(counter.in_use(), 1);
        drop(second);
        assert_eq!(counter.in_use(), 0);
    }
}
