//! Tests of [`super`]: the table, the settings, and a scripted cluster
//! under the store's real read and write paths.
//!
//! The scripted cluster is three Bolt servers sharing one state: who leads.
//! Every member answers the routing-table procedure with the current
//! leader as writer, the others as readers and everyone as router; a
//! member that does not lead refuses `BEGIN`, `RUN` in a transaction and
//! `COMMIT` with `Neo.ClientError.Cluster.NotALeader`, as Neo4j does; a
//! commit on the leader is counted, so the test can audit that every
//! acknowledged write was committed exactly once, and answered with the
//! bookmark `bm:N`, N counting the cluster's commits. A `BEGIN` in read
//! mode (`mode: "r"`) is accepted by any member and recorded, for the
//! bookmark tests (`tests/bookmarks.rs`); one naming the bookmark
//! `bm:unknown` is refused with `InvalidBookmark`. Only the probes' queries
//! (`RETURN 1 AS n`) are answered with a row and counted. The members'
//! Bolt side is in `tests/members.rs`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::net::TcpListener;

use super::*;
use crate::neo4j::transactions::{fetch_all, txn_fetch_all};
use crate::neo4j::{Neo4jOptions, Neo4jStore};

#[test]
fn a_table_sorts_members_by_role_and_lives_for_its_ttl() {
    let now = Instant::now();
    let table = table_of(
        vec![
            (300, "WRITE".to_owned(), vec!["a:7687".to_owned()]),
            (300, "READ".to_owned(), vec!["b:7687".to_owned(), "c:7687".to_owned()]),
            (300, "ROUTE".to_owned(), vec!["a:7687".to_owned(), "b:7687".to_owned()]),
        ],
        now,
    );
    assert_eq!(table.writers, ["a:7687"]);
    assert_eq!(table.readers, ["b:7687", "c:7687"]);
    assert_eq!(table.routers, ["a:7687", "b:7687"]);
    assert_eq!(table.expires, now + Duration::from_secs(300));
    let fleeting = table_of(vec![(0, "WRITE".to_owned(), vec!["a:1".to_owned()])], now);
    assert_eq!(fleeting.expires, now + Duration::from_secs(1));
}

#[test]
fn read_from_accepts_writer_and_readers_only() {
    assert_eq!(ReadFrom::parse("writer"), Ok(ReadFrom::Writer));
    assert_eq!(ReadFrom::parse(" Readers "), Ok(ReadFrom::Readers));
    assert!(ReadFrom::parse("followers").unwrap_err().contains("\"writer\" or \"readers\""));
}

fn settings() -> MemberSettings {
    MemberSettings {
        user: "neo4j".to_owned(),
        password: "scripted".to_owned(),
        pool_size: 4,
        fetch_size: 100,
        timeout: Duration::from_secs(2),
    }
}

#[test]
fn a_routing_uri_seeds_the_router_with_its_address_and_the_default_port() {
    let router = Router::new("neo4j://user:pw@db.example:7000/x", settings(), ReadFrom::Writer).unwrap();
    assert_eq!(router.seeds, ["db.example:7000"]);
    assert_eq!(router.member_scheme, "bolt");
    let secure = Router::new("neo4j+s://abc.databases.neo4j.io", settings(), ReadFrom::Writer).unwrap();
    assert_eq!(secure.seeds, ["abc.databases.neo4j.io:7687"]);
    assert_eq!(secure.member_scheme, "bolt+s");
    assert!(Router::new("bolt://db:7687", settings(), ReadFrom::Writer).is_err());
}

/// What the members of the scripted cluster share.
#[derive(Default)]
struct ClusterState {
    /// The member that leads; `None` during an election.
    leader: std::sync::Mutex<Option<usize>>,
    addresses: std::sync::Mutex<Vec<String>>,
    /// Transactions committed, by member.
    commits: [AtomicU64; 3],
    /// Auto-commit reads answered, by member (routing-table calls apart).
    reads: [AtomicU64; 3],
    /// Routing tables handed out.
    tables: AtomicU64,
    /// Requests refused with `NotALeader`.
    refusals: AtomicU64,
    /// Every `BEGIN` in read mode: the member and the raw message.
    read_begins: std::sync::Mutex<Vec<(usize, Vec<u8>)>>,
}

impl ClusterState {
    fn leads(&self, member: usize) -> bool {
        *self.leader.lock().unwrap() == Some(member)
    }
}

struct Cluster {
    state: Arc<ClusterState>,
    ports: Vec<u16>,
}

impl Cluster {
    async fn start() -> Self {
        let state = Arc::new(ClusterState::default());
        *state.leader.lock().unwrap() = Some(0);
        let mut ports = Vec::new();
        for member in 0..3 {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = listener.local_addr().unwrap().port();
            ports.push(port);
            state.addresses.lock().unwrap().push(format!("127.0.0.1:{port}"));
            let state = Arc::clone(&state);
            tokio::spawn(async move {
                while let Ok((socket, _)) = listener.accept().await {
                    tokio::spawn(serve(socket, Arc::clone(&state), member));
                }
            });
        }
        Self { state, ports }
    }

    async fn store(&self, read_from: ReadFrom) -> Neo4jStore {
        self.store_with(read_from, 0).await
    }

    /// A store on the cluster coalescing task lookups over at most
    /// `lookup_queries` queries (0: not at all).
    async fn store_with(&self, read_from: ReadFrom, lookup_queries: usize) -> Neo4jStore {
        let mut options = Neo4jOptions::new(format!("neo4j://127.0.0.1:{}", self.ports[0]), "neo4j", "scripted");
        options.read_from = read_from;
        options.lookup_queries = lookup_queries;
        options.write_batch = 0;
        options.operation_timeout = Duration::from_secs(5);
        let store = Neo4jStore::connect(options).await.unwrap();
        // The scripted members answer any query with one row of `1`, which
        // is no schema: the set-up (sent to the writer by `connect`) is not
        // what is tested here, and its queries are not counted.
        store.inner.schema_ready.store(true, Ordering::Release);
        for member in 0..3 {
            self.state.reads[member].store(0, Ordering::SeqCst);
            self.state.commits[member].store(0, Ordering::SeqCst);
        }
        store
    }

    fn set_leader(&self, leader: Option<usize>) {
        *self.state.leader.lock().unwrap() = leader;
    }
}

/// One write transaction through the store's write runner.
async fn write_once(store: &Neo4jStore) -> Result<(), StoreError> {
    store
        .write("write a probe", |txn| {
            Box::pin(async move {
                txn_fetch_all(txn, neo4rs::query("CREATE (p:Probe) RETURN 1 AS n"), "cannot write a probe")
                    .await
                    .map(drop)
            })
        })
        .await
}

async fn read_once(store: &Neo4jStore) -> Result<(), StoreError> {
    fetch_all(store.graph(), neo4rs::query("RETURN 1 AS n"), "cannot read a probe").await.map(drop)
}

#[tokio::test]
async fn writes_go_to_the_writer_and_reads_to_the_readers_in_turn() {
    let cluster = Cluster::start().await;
    let store = cluster.store(ReadFrom::Readers).await;
    for _ in 0..10 {
        write_once(&store).await.unwrap();
    }
    for _ in 0..20 {
        read_once(&store).await.unwrap();
    }
    let state = &cluster.state;
    assert_eq!(state.commits.each(), [10, 0, 0]);
    assert_eq!(state.reads.each(), [0, 10, 10]);
}

#[tokio::test]
async fn with_reads_from_the_writer_every_query_goes_to_the_leader() {
    let cluster = Cluster::start().await;
    let store = cluster.store(ReadFrom::Writer).await;
    write_once(&store).await.unwrap();
    for _ in 0..5 {
        read_once(&store).await.unwrap();
    }
    assert_eq!(cluster.state.reads.each(), [5, 0, 0]);
    assert_eq!(cluster.state.commits.each(), [1, 0, 0]);
}

#[tokio::test]
async fn a_leader_switch_under_load_loses_no_acknowledged_write_and_answers_only_503s() {
    let cluster = Cluster::start().await;
    let store = cluster.store(ReadFrom::Readers).await;
    write_once(&store).await.unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(AtomicU64::new(0));
    let unavailable = Arc::new(AtomicU64::new(0));
    let mut writers = Vec::new();
    for _ in 0..8 {
        let (store, stop) = (store.clone(), Arc::clone(&stop));
        let (acknowledged, unavailable) = (Arc::clone(&acknowledged), Arc::clone(&unavailable));
        writers.push(tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                match write_once(&store).await {
                    Ok(()) => acknowledged.fetch_add(1, Ordering::SeqCst),
                    Err(StoreError::Unavailable(_)) => unavailable.fetch_add(1, Ordering::SeqCst),
                    Err(other) => panic!("a write during the switch failed with more than a 503: {other:?}"),
                };
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = acknowledged.load(Ordering::SeqCst);
    // The election: for 200 ms nobody leads, then member 1 does.
    cluster.set_leader(None);
    tokio::time::sleep(Duration::from_millis(200)).await;
    cluster.set_leader(Some(1));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after_switch = acknowledged.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    for writer in writers {
        writer.await.unwrap();
    }
    let state = &cluster.state;
    let commits = state.commits.each();
    let acknowledged = acknowledged.load(Ordering::SeqCst) + 1;
    eprintln!(
        "failover audit: {acknowledged} writes acknowledged, commits by member {commits:?}, \
         {} answered 503, {} requests refused as not the leader, {} routing tables handed out",
        unavailable.load(Ordering::SeqCst),
        state.refusals.load(Ordering::SeqCst),
        state.tables.load(Ordering::SeqCst),
    );
    assert_eq!(commits.iter().sum::<u64>(), acknowledged, "every acknowledged write committed, once");
    assert!(commits[0] > 0 && commits[1] > 0, "writes went to the old leader, then to the new one");
    assert_eq!(commits[2], 0);
    assert!(after_switch > before, "writes carried on after the switch");
    assert_eq!(unavailable.load(Ordering::SeqCst), 0, "the retries rode the 200 ms election out");
    assert!(state.refusals.load(Ordering::SeqCst) > 0, "the old leader turned writes away");
    let Route::Routed(router) = &store.graph().route else { panic!("not routed") };
    assert!(router.tables_fetched() >= 2, "the table was fetched again after the switch");
    read_once(&store).await.unwrap();
}

#[tokio::test]
async fn a_cluster_with_no_router_answering_is_unavailable() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let router = Router::new(&format!("neo4j://127.0.0.1:{port}"), settings(), ReadFrom::Writer).unwrap();
    let route = Route::Routed(Arc::new(router));
    let Err(error) = route.writer().await else { panic!("a writer without any member answering") };
    assert!(matches!(error, StoreError::Unavailable(_)), "{error:?}");
}

mod bookmarks;
mod members;

use members::{contains, list, serve, string};

trait Each {
    fn each(&self) -> [u64; 3];
}

impl Each for [AtomicU64; 3] {
    fn each(&self) -> [u64; 3] {
        [self[0].load(Ordering::SeqCst), self[1].load(Ordering::SeqCst), self[2].load(Ordering::SeqCst)]
    }
}
