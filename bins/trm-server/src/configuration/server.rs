//! `[server]`: the HTTP listener — address, worker threads, shutdown and
//! keep-alive.

use serde::{Deserialize, Serialize};

/// The HTTP listener.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Address to bind; loopback by default, so nothing is exposed by accident.
    pub host: String,
    /// Port to bind; 0 picks a free one (tests).
    pub port: u16,
    /// HTTP worker threads (event loops); see [`ServerSettings::http_workers`].
    pub workers: Option<usize>,
    /// Seconds in-flight requests get to finish after SIGTERM/SIGINT.
    pub shutdown_timeout_secs: u64,
    /// Seconds an idle keep-alive connection is kept open (0: closed after
    /// each response). Clients that pause between requests longer than this
    /// reconnect; one that sends just as the server closes sees its request
    /// fail at the connection — so it should comfortably exceed the clients'
    /// think time.
    pub keep_alive_secs: u64,
}

impl ServerSettings {
    /// The HTTP event loops: the configured number, else one fewer than
    /// the CPU cores (at least one). A request's store work does not run on
    /// an event loop — SQLite's readers and writer are threads of their
    /// own, and a local Neo4j is another process — so a loop per core only
    /// makes them compete for the cores: on 2 cores one loop served 8–10%
    /// more `get`s than two on Neo4j, at 16, 64 and 256 connections, and
    /// about 7% more on SQLite (`docs/benchmarks.md`).
    #[must_use]
    pub fn http_workers(&self) -> usize {
        self.workers.unwrap_or_else(|| {
            let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
            cores.saturating_sub(1).max(1)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::configuration::tests::load_with;

    #[test]
    fn unconfigured_http_workers_leave_a_core_to_the_store() {
        let settings = load_with(&[]).unwrap();
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        assert_eq!(settings.server.http_workers(), (cores - 1).max(1));
        let configured = load_with(&[("TRM__SERVER__WORKERS", "3")]).unwrap();
        assert_eq!(configured.server.http_workers(), 3);
    }
}
