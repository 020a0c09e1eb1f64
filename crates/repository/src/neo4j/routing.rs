//! Where a query goes: one server for `bolt://`, the members of a cluster
//! for `neo4j://` and `neo4j+s://` (client-side routing).
//!
//! A cluster answers `dbms.routing.getRoutingTable` with who writes (the
//! leader), who reads (followers, read replicas) and who can be asked for
//! the next table, valid for a `ttl`. The [`Router`] keeps that table,
//! one connection pool per member (a plain `bolt://` pool of the patched
//! driver, so every guard of `vendor/neo4rs/PATCHES.md` holds per member),
//! sends every write transaction to the writer and every read to the
//! writer or, with [`ReadFrom::Readers`], to the readers in turn. The table
//! is fetched again when it expires and as soon as a member answers in a
//! way that says it is out of date: "not the leader", "read-only", "session
//! expired", "service unavailable", or a member that cannot be reached.
//!
//! Why a layer of our own rather than the driver's routing: in `neo4rs`
//! 0.9.0-rc.11 routing exists only behind `unstable-bolt-protocol-impl-v2`,
//! which swaps the whole protocol implementation the adapter and its patch
//! were measured and proven on, and for a `neo4j://` URI without it the
//! driver sends a routing `HELLO` to one address and warns that routing is
//! experimental. The table procedure, pools per address and the choice of
//! member are a few hundred lines over the driver's stable surface; the
//! rest (retrying a refused write on the new leader) is the write runner's,
//! which already runs each attempt in a fresh transaction
//! ([`super::transactions`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use neo4rs::{ConfigBuilder, Graph};

use super::errors::driver_error;
use super::queries;
use crate::error::StoreError;

/// Which members answer reads on a cluster (`database.read_from`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ReadFrom {
    /// The leader answers reads too: every read sees every acknowledged
    /// write, as on a single server. The default.
    #[default]
    Writer,
    /// Followers and read replicas answer reads in turn, which spreads the
    /// load; a read may lag a write that another request just made, unless
    /// its request carries that write's bookmark ([`crate::consistency`]).
    Readers,
}

impl ReadFrom {
    /// Reads the setting's spelling: `writer` or `readers`.
    ///
    /// # Errors
    /// Any other spelling, with the accepted ones.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "writer" => Ok(Self::Writer),
            "readers" => Ok(Self::Readers),
            other => Err(format!("unknown read_from {other:?}: expected \"writer\" or \"readers\"")),
        }
    }
}

/// How a member's pool is configured: the same for every member.
#[derive(Clone)]
pub(super) struct MemberSettings {
    pub(super) user: String,
    pub(super) password: String,
    pub(super) pool_size: usize,
    pub(super) fetch_size: usize,
    pub(super) timeout: Duration,
}

impl MemberSettings {
    /// A pool for the server at `uri` (`bolt://host:port`, `bolt+s://…`).
    /// The pool connects lazily.
    pub(super) fn pool(&self, uri: &str) -> anyhow::Result<Graph> {
        let config = ConfigBuilder::default()
            .uri(uri)
            .user(self.user.as_str())
            .password(self.password.as_str())
            .max_connections(self.pool_size.max(1))
            .fetch_size(self.fetch_size.max(1))
            // Bounds the TCP connect and every single read on a connection.
            .connection_timeout(self.timeout)
            // Despite their names: the pool's wait timeout and recycle
            // timeout (see `connect`'s module docs).
            .max_lifetime(self.timeout)
            .idle_timeout(self.timeout)
            .build()
            .map_err(|error| anyhow::Error::new(error).context("invalid Neo4j configuration"))?;
        Graph::connect(config).map_err(|error| anyhow::Error::new(error).context(format!("cannot use {uri}")))
    }
}

/// The store's way to its server or servers.
#[derive(Clone)]
pub(super) enum Route {
    /// `bolt://`, `bolt+s://`: one server answers everything.
    Direct(Graph),
    /// `neo4j://`, `neo4j+s://`: the members of a routing table.
    Routed(Arc<Router>),
}

impl Route {
    /// The pool a write transaction goes to.
    pub(super) async fn writer(&self) -> Result<Graph, StoreError> {
        match self {
            Self::Direct(graph) => Ok(graph.clone()),
            Self::Routed(router) => router.writer().await,
        }
    }

    /// The pool a read goes to.
    pub(super) async fn reader(&self) -> Result<Graph, StoreError> {
        match self {
            Self::Direct(graph) => Ok(graph.clone()),
            Self::Routed(router) => router.reader().await,
        }
    }

    /// Whether a read may be answered by a member that has not yet applied
    /// the latest commits: only on a cluster whose reads go to the readers.
    /// Only then does a read wait for the request's bookmark.
    pub(super) fn reads_may_lag(&self) -> bool {
        matches!(self, Self::Routed(router) if router.read_from == ReadFrom::Readers)
    }

    /// Takes note of a failure: one that says the routing table is out of
    /// date makes the next query fetch a new one. Returns whether it was
    /// such a failure (always `false` for a single server).
    pub(super) fn saw(&self, error: &StoreError) -> bool {
        match self {
            Self::Direct(_) => false,
            Self::Routed(router) => {
                let stale = is_routing_failure(error);
                if stale {
                    router.forget_table();
                }
                stale
            }
        }
    }
}

/// Whether a failure says the member asked is no longer the one to ask:
/// Neo4j's own answers for that, or a member that cannot be reached.
pub(super) fn is_routing_failure(error: &StoreError) -> bool {
    let StoreError::Unavailable(cause) = error else { return false };
    cause.chain().any(|cause| match cause.downcast_ref::<neo4rs::Error>() {
        Some(neo4rs::Error::Neo4j(error)) => ROUTING_CODES.contains(&error.code()),
        Some(
            neo4rs::Error::IOError { .. }
            | neo4rs::Error::ConnectionError
            | neo4rs::Error::ConnectionTimedOut
            | neo4rs::Error::ServerUnavailableError(_),
        ) => true,
        _ => cause.downcast_ref::<NoWriter>().is_some(),
    })
}

/// The Neo4j codes that mean "ask someone else": refused because this
/// member does not lead (any more) or is read-only, or its copy of the
/// database is not available on it right now.
pub(super) const ROUTING_CODES: [&str; 3] = [
    "Neo.ClientError.Cluster.NotALeader",
    "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase",
    "Neo.TransientError.General.DatabaseUnavailable",
];

/// No member is the writer right now (a leader election is under way).
#[derive(Debug, thiserror::Error)]
#[error("the Neo4j routing table names no writer (a leader election may be under way)")]
struct NoWriter;

/// One routing table: member addresses (`host:port`) by role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Table {
    pub(super) writers: Vec<String>,
    pub(super) readers: Vec<String>,
    pub(super) routers: Vec<String>,
    expires: Instant,
}

/// The members of a cluster, and which of them to ask.
pub(super) struct Router {
    /// The addresses of the URI: asked when no member of the last table
    /// answers.
    seeds: Vec<String>,
    /// `bolt+s` for `neo4j+s`, `bolt+ssc` for `neo4j+ssc`, else `bolt`.
    member_scheme: &'static str,
    settings: MemberSettings,
    read_from: ReadFrom,
    /// One pool per member address, kept across tables.
    pools: Mutex<HashMap<String, Graph>>,
    table: RwLock<Option<Arc<Table>>>,
    /// One fetch of a table at a time; the others wait for it.
    refreshing: tokio::sync::Mutex<()>,
    next_reader: AtomicUsize,
    /// Tables fetched so far, for logs and tests.
    fetched: AtomicU64,
}

impl Router {
    /// Whether `uri` names a cluster to route over (`neo4j`, `neo4j+s`,
    /// `neo4j+ssc`) rather than one server (`bolt`, …).
    pub(super) fn routes(uri: &str) -> bool {
        uri.split_once("://").is_some_and(|(scheme, _)| scheme.starts_with("neo4j"))
    }

    /// A router for `uri` (`neo4j://host[:port]`, `neo4j+s://…`); the first
    /// table is fetched by the first query.
    pub(super) fn new(uri: &str, settings: MemberSettings, read_from: ReadFrom) -> anyhow::Result<Self> {
        let (scheme, rest) = uri.split_once("://").ok_or_else(|| anyhow::anyhow!("no scheme in {uri}"))?;
        let member_scheme = match scheme {
            "neo4j" => "bolt",
            "neo4j+s" => "bolt+s",
            "neo4j+ssc" => "bolt+ssc",
            other => anyhow::bail!("{other}:// is not a routing scheme"),
        };
        let authority = rest.split(['/', '?']).next().unwrap_or_default();
        let authority = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
        anyhow::ensure!(!authority.is_empty(), "no host in the Neo4j URI");
        let seed = if authority.rsplit_once(':').is_some_and(|(_, port)| port.parse::<u16>().is_ok()) {
            authority.to_owned()
        } else {
            format!("{authority}:7687")
        };
        Ok(Self {
            seeds: vec![seed],
            member_scheme,
            settings,
            read_from,
            pools: Mutex::default(),
            table: RwLock::default(),
            refreshing: tokio::sync::Mutex::default(),
            next_reader: AtomicUsize::new(0),
            fetched: AtomicU64::new(0),
        })
    }

    /// How many routing tables have been fetched.
    #[cfg(test)]
    pub(super) fn tables_fetched(&self) -> u64 {
        self.fetched.load(Ordering::Relaxed)
    }

    /// The pool of the writer.
    async fn writer(&self) -> Result<Graph, StoreError> {
        let table = self.current().await?;
        match table.writers.first() {
            Some(writer) => self.pool(writer),
            None => {
                self.forget_table();
                Err(StoreError::Unavailable(anyhow::Error::new(NoWriter)))
            }
        }
    }

    /// The pool of the member that answers the next read.
    async fn reader(&self) -> Result<Graph, StoreError> {
        let table = self.current().await?;
        let readers = match self.read_from {
            ReadFrom::Readers if !table.readers.is_empty() => &table.readers,
            _ => &table.writers,
        };
        if readers.is_empty() {
            self.forget_table();
            return Err(StoreError::Unavailable(anyhow::Error::new(NoWriter)));
        }
        let turn = self.next_reader.fetch_add(1, Ordering::Relaxed) % readers.len();
        self.pool(&readers[turn])
    }

    /// Makes the next query fetch a new table.
    pub(super) fn forget_table(&self) {
        if let Ok(mut table) = self.table.write() {
            *table = None;
        }
    }

    /// The table in force, fetched if there is none or it expired.
    pub(super) async fn current(&self) -> Result<Arc<Table>, StoreError> {
        if let Some(table) = self.valid_table() {
            return Ok(table);
        }
        let _one_at_a_time = self.refreshing.lock().await;
        if let Some(table) = self.valid_table() {
            return Ok(table);
        }
        let previous = self.table.read().ok().and_then(|table| table.clone());
        let mut candidates: Vec<String> = previous.map(|table| table.routers.clone()).unwrap_or_default();
        candidates.extend(self.seeds.iter().cloned());
        candidates.dedup();
        let mut last_error = None;
        for address in candidates {
            match self.fetch_table(&address).await {
                Ok(table) => {
                    let table = Arc::new(table);
                    if let Ok(mut slot) = self.table.write() {
                        *slot = Some(Arc::clone(&table));
                    }
                    let fetched = self.fetched.fetch_add(1, Ordering::Relaxed) + 1;
                    tracing::debug!(
                        from = %address, fetched, writers = ?table.writers, readers = ?table.readers,
                        "fetched a Neo4j routing table"
                    );
                    return Ok(table);
                }
                Err(error) => {
                    tracing::debug!(from = %address, %error, "a Neo4j router did not answer");
                    last_error = Some(error);
                }
            }
        }
        Err(last_error
            .unwrap_or_else(|| StoreError::Unavailable(anyhow::anyhow!("no Neo4j router to ask for a routing table"))))
    }

    fn valid_table(&self) -> Option<Arc<Table>> {
        let table = self.table.read().ok()?.clone()?;
        (table.expires > Instant::now()).then_some(table)
    }

    /// Asks the member at `address` for the routing table.
    async fn fetch_table(&self, address: &str) -> Result<Table, StoreError> {
        let graph = self.pool(address)?;
        let context = "cannot fetch the Neo4j routing table";
        let mut stream =
            Box::pin(graph.execute_read(neo4rs::query(queries::ROUTING_TABLE))).await.map_err(driver_error(context))?;
        let mut rows = Vec::new();
        while let Some(row) = stream.next().await.map_err(driver_error(context))? {
            let ttl: i64 = row.get("ttl").map_err(|error| decoding(context, &error))?;
            let role: String = row.get("role").map_err(|error| decoding(context, &error))?;
            let addresses: Vec<String> = row.get("addresses").map_err(|error| decoding(context, &error))?;
            rows.push((ttl, role, addresses));
        }
        Ok(table_of(rows, Instant::now()))
    }

    /// The pool of the member at `address`, made on first use.
    fn pool(&self, address: &str) -> Result<Graph, StoreError> {
        let mut pools = self
            .pools
            .lock()
            .map_err(|_poisoned| StoreError::Unexpected(anyhow::anyhow!("the Neo4j member pools are poisoned")))?;
        if let Some(graph) = pools.get(address) {
            return Ok(graph.clone());
        }
        let graph = self
            .settings
            .pool(&format!("{}://{address}", self.member_scheme))
            .map_err(|error| StoreError::Unexpected(error.context("cannot make a pool for a Neo4j member")))?;
        pools.insert(address.to_owned(), graph.clone());
        Ok(graph)
    }
}

fn decoding(context: &'static str, error: &impl std::fmt::Display) -> StoreError {
    StoreError::Unexpected(anyhow::anyhow!("{context}: unexpected answer: {error}"))
}

/// A table from the procedure's rows `(ttl, role, addresses)`, valid from
/// `now` for its `ttl` in seconds (at least one second, so that a table
/// with `ttl` 0 is used once rather than fetched before every query).
fn table_of(rows: Vec<(i64, String, Vec<String>)>, now: Instant) -> Table {
    let mut table = Table { writers: Vec::new(), readers: Vec::new(), routers: Vec::new(), expires: now };
    let mut ttl = i64::MAX;
    for (row_ttl, role, addresses) in rows {
        ttl = ttl.min(row_ttl);
        match role.as_str() {
            "WRITE" => table.writers.extend(addresses),
            "READ" => table.readers.extend(addresses),
            "ROUTE" => table.routers.extend(addresses),
            _ => {}
        }
    }
    let seconds = u64::try_from(ttl.clamp(1, 3_600)).unwrap_or(1);
    table.expires = now + Duration::from_secs(seconds);
    table
}

#[cfg(test)]
mod tests;
