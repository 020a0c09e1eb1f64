//! `[database]`: the store's URL, credentials, timeout and pools, and which
//! adapter the URL selects ([`StoreKind`]).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use trm_repository::neo4j::ReadFrom;
use trm_repository::sqlite::SqliteLocation;

/// The store.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://PATH`, `sqlite::memory:`, `bolt://HOST:PORT` or `neo4j://HOST:PORT`.
    pub url: String,
    /// Neo4j user.
    pub user: Option<String>,
    /// Neo4j password.
    pub password: Option<String>,
    /// Longest a store operation may take before the request fails with 503.
    pub timeout_secs: f64,
    /// Connections to Neo4j, or SQLite reader connections; unset, a size
    /// fitted to the store ([`DatabaseSettings::sqlite_readers`],
    /// [`DatabaseSettings::neo4j_connections`]).
    pub pool_size: Option<usize>,
    /// Rows Neo4j streams per round trip.
    pub fetch_size: usize,
    /// Neo4j: the most task lookups by id in flight at once; lookups
    /// beyond wait and share the next query. 0 sends each on its own.
    pub lookup_queries: usize,
    /// Both stores: the most concurrent writes committed in one
    /// transaction (group commit); writes arriving while one commits wait
    /// and share the next. 0 or 1 commits every write alone.
    pub write_batch: usize,
    /// Neo4j cluster (`neo4j://`): which members answer reads, `writer`
    /// (every read sees every acknowledged write) or `readers` (in turn:
    /// spreads the load; a read may lag another request's write).
    pub read_from: String,
    /// Neo4j: MiB of tasks kept between walks of the task graph, so that a
    /// walk from where one began reads only the tasks that changed. 0
    /// reads every walked task every time.
    pub walk_cache_mib: usize,
}

impl DatabaseSettings {
    /// The SQLite reader connections: the configured pool size, else twice
    /// the CPU cores, between 2 and 16. Each reader is a thread with its own
    /// page cache (up to 16 MiB, grown as pages are read), and readers
    /// beyond the cores only queue for them: on 2 cores,
    /// 16 readers peaked at 83 MiB under 256 connections and 4 at 54 MiB,
    /// serving as many requests (`docs/benchmarks.md`).
    #[must_use]
    pub fn sqlite_readers(&self) -> usize {
        self.pool_size.unwrap_or_else(|| {
            let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
            (2 * cores).clamp(2, 16)
        })
    }

    /// The Neo4j connections: the configured pool size, else 16. Requests
    /// wait on the network and on Neo4j, not on this process's cores, so
    /// the pool is sized for overlapping round trips.
    #[must_use]
    pub fn neo4j_connections(&self) -> usize {
        self.pool_size.unwrap_or(16)
    }

    /// Which members of a Neo4j cluster answer reads.
    ///
    /// # Errors
    /// For a spelling other than `writer` or `readers`.
    pub fn read_from(&self) -> anyhow::Result<ReadFrom> {
        ReadFrom::parse(&self.read_from).map_err(|error| anyhow::anyhow!("invalid configuration: database.{error}"))
    }

    /// The operation timeout as a duration (at least a millisecond).
    #[must_use]
    pub fn timeout(&self) -> Duration {
        Duration::from_secs_f64(self.timeout_secs.max(0.001))
    }
}

/// Which adapter a database URL selects, by its scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreKind {
    /// `sqlite://…` or `sqlite::memory:`: the embedded store.
    Sqlite(SqliteLocation),
    /// `bolt://`, `bolt+s://`, `neo4j://`, `neo4j+s://` (and `+ssc`): Neo4j.
    Neo4j,
}

impl StoreKind {
    /// Reads the scheme of a database URL.
    ///
    /// # Errors
    /// For a scheme no adapter speaks, or a SQLite URL without a path.
    pub fn from_url(url: &str) -> anyhow::Result<Self> {
        let scheme = url.split(':').next().unwrap_or_default().to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => SqliteLocation::from_url(url).map(Self::Sqlite).map_err(anyhow::Error::msg),
            "bolt" | "bolt+s" | "bolt+ssc" | "neo4j" | "neo4j+s" | "neo4j+ssc" => Ok(Self::Neo4j),
            _ => anyhow::bail!(
                "`{url}` has an unsupported scheme; use sqlite://PATH, sqlite::memory:, bolt://HOST:PORT or neo4j://HOST:PORT"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::configuration::tests::load_with;

    #[test]
    fn unconfigured_pools_fit_the_store() {
        let settings = load_with(&[]).unwrap();
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        assert_eq!(settings.database.sqlite_readers(), (2 * cores).clamp(2, 16));
        assert_eq!(settings.database.neo4j_connections(), 16);
    }

    #[test]
    fn reads_go_to_the_writer_unless_the_readers_are_asked_for() {
        use trm_repository::neo4j::ReadFrom;
        assert_eq!(load_with(&[]).unwrap().database.read_from().unwrap(), ReadFrom::Writer);
        let readers = load_with(&[("TRM__DATABASE__READ_FROM", "readers")]).unwrap();
        assert_eq!(readers.database.read_from().unwrap(), ReadFrom::Readers);
        let error = format!("{:#}", load_with(&[("TRM__DATABASE__READ_FROM", "followers")]).unwrap_err());
        assert!(error.contains("writer") && error.contains("readers"), "{error}");
    }

    #[test]
    fn a_configured_pool_size_serves_either_store() {
        let settings = load_with(&[("TRM__DATABASE__POOL_SIZE", "7")]).unwrap();
        assert_eq!((settings.database.sqlite_readers(), settings.database.neo4j_connections()), (7, 7));
        let error = format!("{:#}", load_with(&[("TRM__DATABASE__POOL_SIZE", "0")]).unwrap_err());
        assert!(error.contains("database.pool_size"), "{error}");
    }
}
