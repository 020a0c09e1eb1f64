//! The patched driver's connection reuse (`vendor/neo4rs/PATCHES.md`): a
//! pooled connection skips the `RESET` of its checkout only when it is
//! known to be READY, and is reset, or replaced, in every other case.
//!
//! First against a scripted Bolt server that records every request it
//! receives, so that the round trips themselves are what is checked; then
//! against the real Neo4j, that a connection handed on after each kind of
//! interrupted exchange serves the next query correctly.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use neo4rs::{ConfigBuilder, Graph, query};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

use super::support;
use Request::{Begin, Commit, Discard, Hello, Pull, Reset, Run};

/// The Bolt requests the scripted server tells apart, by signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Request {
    Hello,
    Goodbye,
    Reset,
    Run,
    Begin,
    Commit,
    Rollback,
    Discard,
    Pull,
    Other(u8),
}

impl Request {
    fn from_signature(signature: u8) -> Self {
        match signature {
            0x01 => Self::Hello,
            0x02 => Self::Goodbye,
            0x0F => Self::Reset,
            0x10 => Self::Run,
            0x11 => Self::Begin,
            0x12 => Self::Commit,
            0x13 => Self::Rollback,
            0x2F => Self::Discard,
            0x3F => Self::Pull,
            other => Self::Other(other),
        }
    }
}

/// What the scripted server received, per connection, in order.
type Transcript = Arc<Mutex<Vec<Vec<Request>>>>;

/// A Bolt 4.4 server that answers just enough for the driver: every query
/// returns one row, except one whose text contains `FAIL`, which fails as a
/// syntax error. A query containing `CLOSE` makes the server close the
/// connection (its writing half) after answering that query's PULL; it
/// still records whatever arrives on it afterwards.
struct ScriptedServer {
    port: u16,
    transcript: Transcript,
}

impl ScriptedServer {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let transcript = Transcript::default();
        let connections = Arc::clone(&transcript);
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else { return };
                let index = {
                    let mut connections = connections.lock().unwrap();
                    connections.push(Vec::new());
                    connections.len() - 1
                };
                tokio::spawn(serve(socket, Arc::clone(&connections), index));
            }
        });
        Self { port, transcript }
    }

    /// A driver with a single connection, so that every query reuses it.
    fn graph(&self) -> Graph {
        let config = ConfigBuilder::default()
            .uri(format!("bolt://127.0.0.1:{}", self.port))
            .user("neo4j")
            .password("scripted")
            .max_connections(1)
            .build()
            .unwrap();
        Graph::connect(config).unwrap()
    }

    /// What the server has received, once it equals `expected` or after
    /// a second: a request the client sent just before giving up on a
    /// connection may still be on its way to the server's task.
    async fn transcript(&self, expected: &[Vec<Request>]) -> Vec<Vec<Request>> {
        for _ in 0..100 {
            if *self.transcript.lock().unwrap() == expected {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.transcript.lock().unwrap().clone()
    }
}

/// Serves one connection: the handshake, then a response per request.
async fn serve(mut socket: TcpStream, transcript: Transcript, index: usize) {
    let mut handshake = [0; 20];
    if socket.read_exact(&mut handshake).await.is_err() {
        return;
    }
    socket.write_all(&[0, 0, 4, 4]).await.unwrap();
    let mut failed = false;
    let mut closing = false;
    let mut closed = false;
    while let Some(message) = read_message(&mut socket).await {
        let request = Request::from_signature(message.get(1).copied().unwrap_or(0));
        transcript.lock().unwrap()[index].push(request);
        if closed {
            continue;
        }
        let text = String::from_utf8_lossy(&message);
        let response: &[&[u8]] = match request {
            Request::Goodbye => return,
            Request::Run if text.contains("FAIL") => {
                failed = true;
                &[FAILURE]
            }
            Request::Run => {
                closing = text.contains("CLOSE");
                &[SUCCESS_WITH_FIELDS]
            }
            Request::Pull | Request::Discard if failed => &[IGNORED],
            Request::Pull => &[RECORD, SUCCESS],
            Request::Reset => {
                failed = false;
                &[SUCCESS]
            }
            _ if failed => &[IGNORED],
            _ => &[SUCCESS],
        };
        for message in response {
            write_message(&mut socket, message).await;
        }
        if closing && request == Request::Pull {
            socket.shutdown().await.unwrap();
            closed = true;
        }
    }
}

/// `SUCCESS {}`.
const SUCCESS: &[u8] = &[0xB1, 0x70, 0xA0];
/// `SUCCESS {fields: ["n"]}`, the answer to a RUN.
const SUCCESS_WITH_FIELDS: &[u8] = &[0xB1, 0x70, 0xA1, 0x86, b'f', b'i', b'e', b'l', b'd', b's', 0x91, 0x81, b'n'];
/// `RECORD [1]`.
const RECORD: &[u8] = &[0xB1, 0x71, 0x91, 0x01];
/// `IGNORED`.
const IGNORED: &[u8] = &[0xB0, 0x7E];
/// `FAILURE {code: "Neo.ClientError.Statement.SyntaxError", message: "x"}`.
const FAILURE: &[u8] = &[
    0xB1, 0x7F, 0xA2, 0x84, b'c', b'o', b'd', b'e', 0xD0, 37, b'N', b'e', b'o', b'.', b'C', b'l', b'i', b'e', b'n',
    b't', b'E', b'r', b'r', b'o', b'r', b'.', b'S', b't', b'a', b't', b'e', b'm', b'e', b'n', b't', b'.', b'S', b'y',
    b'n', b't', b'a', b'x', b'E', b'r', b'r', b'o', b'r', 0x87, b'm', b'e', b's', b's', b'a', b'g', b'e', 0x81, b'x',
];

/// One chunked Bolt message; `None` at the end of the stream.
async fn read_message(socket: &mut TcpStream) -> Option<Vec<u8>> {
    let mut message = Vec::new();
    loop {
        let size = usize::from(socket.read_u16().await.ok()?);
        if size == 0 {
            if message.is_empty() {
                continue;
            }
            return Some(message);
        }
        let start = message.len();
        message.resize(start + size, 0);
        socket.read_exact(&mut message[start..]).await.ok()?;
    }
}

async fn write_message(socket: &mut TcpStream, message: &[u8]) {
    let size = u16::try_from(message.len()).unwrap();
    socket.write_all(&size.to_be_bytes()).await.unwrap();
    socket.write_all(message).await.unwrap();
    socket.write_all(&[0, 0]).await.unwrap();
}

/// Runs `text` as an auto-commit read and reads every row.
async fn read_all(graph: &Graph, text: &str) -> Result<usize, neo4rs::Error> {
    let mut stream = graph.execute_read(query(text)).await?;
    let mut rows = 0;
    while stream.next().await?.is_some() {
        rows += 1;
    }
    Ok(rows)
}

#[tokio::test]
async fn a_connection_whose_read_was_consumed_to_its_end_is_reused_without_a_reset() {
    let server = ScriptedServer::start().await;
    let graph = server.graph();
    for _ in 0..3 {
        assert_eq!(read_all(&graph, "RETURN 1 AS n").await.unwrap(), 1);
    }
    let expected = [vec![Hello, Run, Pull, Run, Pull, Run, Pull]];
    assert_eq!(server.transcript(&expected).await, expected);
}

#[tokio::test]
async fn a_connection_whose_query_failed_is_reset_before_its_next_query() {
    let server = ScriptedServer::start().await;
    let graph = server.graph();
    assert!(read_all(&graph, "FAIL").await.is_err());
    assert_eq!(read_all(&graph, "RETURN 1 AS n").await.unwrap(), 1);
    let expected = [vec![Hello, Run, Pull, Reset, Run, Pull]];
    assert_eq!(server.transcript(&expected).await, expected);
}

#[tokio::test]
async fn a_connection_whose_result_was_left_unread_is_reset_before_its_next_query() {
    let server = ScriptedServer::start().await;
    let graph = server.graph();
    drop(graph.execute_read(query("RETURN 1 AS n")).await.unwrap());
    assert_eq!(read_all(&graph, "RETURN 1 AS n").await.unwrap(), 1);
    let expected = [vec![Hello, Run, Pull, Reset, Run, Pull]];
    assert_eq!(server.transcript(&expected).await, expected);
}

#[tokio::test]
async fn a_connection_that_carried_a_transaction_is_reset_before_its_next_query() {
    let server = ScriptedServer::start().await;
    let graph = server.graph();
    let mut txn = graph.start_txn().await.unwrap();
    txn.run(query("RETURN 1 AS n")).await.unwrap();
    txn.commit().await.unwrap();
    assert_eq!(read_all(&graph, "RETURN 1 AS n").await.unwrap(), 1);
    let expected = [vec![Hello, Begin, Run, Discard, Commit, Reset, Run, Pull]];
    assert_eq!(server.transcript(&expected).await, expected);
}

#[tokio::test]
async fn a_connection_the_server_closed_is_replaced_without_a_query_failing_on_it() {
    let server = ScriptedServer::start().await;
    let graph = server.graph();
    assert_eq!(read_all(&graph, "RETURN 1 AS n // CLOSE").await.unwrap(), 1);
    // Let the driver's runtime see the end of the stream.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(read_all(&graph, "RETURN 1 AS n").await.unwrap(), 1);
    // The closed connection got the RESET that found it closed, no query.
    let expected = [vec![Hello, Run, Pull, Reset], vec![Hello, Run, Pull]];
    assert_eq!(server.transcript(&expected).await, expected);
}

/// The real server, through a driver with one connection, so that each
/// query below runs on the connection the one before it left behind.
fn neo4j_with_one_connection() -> Option<Graph> {
    let backend = support::Neo4j::from_env()?;
    Some(backend.graph_with_connections(1))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neo4j_serves_a_read_after_a_failed_query_on_the_same_connection() {
    let Some(graph) = neo4j_with_one_connection() else { return };
    assert!(read_all(&graph, "RETURN 1 AS n FROM nowhere").await.is_err());
    assert_eq!(read_all(&graph, "UNWIND range(1, 3) AS n RETURN n").await.unwrap(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neo4j_serves_a_read_after_a_result_left_half_read_on_the_same_connection() {
    let Some(graph) = neo4j_with_one_connection() else { return };
    // More rows than one PULL fetches: the server is still streaming.
    let mut stream = graph.execute_read(query("UNWIND range(1, 5000) AS n RETURN n")).await.unwrap();
    assert!(stream.next().await.unwrap().is_some());
    drop(stream);
    assert_eq!(read_all(&graph, "UNWIND range(1, 3) AS n RETURN n").await.unwrap(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neo4j_does_not_carry_an_abandoned_transaction_into_the_next_query() {
    let Some(graph) = neo4j_with_one_connection() else { return };
    let marker = support::unique_tag();
    let mut txn = graph.start_txn().await.unwrap();
    txn.run(query("CREATE (:DriverProbe {marker: $marker})").param("marker", marker.as_str())).await.unwrap();
    drop(txn);
    // Reset before reuse, the transaction was rolled back: its node is gone,
    // and this read is not part of it.
    let mut stream = graph
        .execute_read(query("MATCH (p:DriverProbe {marker: $marker}) RETURN count(p) AS n").param("marker", marker))
        .await
        .unwrap();
    let row = stream.next().await.unwrap().unwrap();
    assert_eq!(row.get::<i64>("n").unwrap(), 0);
    assert!(stream.next().await.unwrap().is_none());
}

/// The bookmark patch (`vendor/neo4rs/PATCHES.md`): a commit answers
/// Neo4j's bookmark, and a read transaction begun with it sees the write.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neo4j_answers_a_commit_with_a_bookmark_that_a_read_transaction_begins_with() {
    let Some(graph) = neo4j_with_one_connection() else { return };
    let marker = support::unique_tag();
    let mut txn = graph.start_txn().await.unwrap();
    txn.run(query("CREATE (:DriverProbe {marker: $marker})").param("marker", marker.as_str())).await.unwrap();
    let bookmark = txn.commit().await.unwrap().expect("Neo4j answers a commit with a bookmark");
    assert!(bookmark.starts_with("FB:"), "{bookmark}");

    let mut read = graph.start_txn_as(neo4rs::Operation::Read, Some(vec![bookmark])).await.unwrap();
    let count = query("MATCH (p:DriverProbe {marker: $marker}) RETURN count(p) AS n").param("marker", marker.as_str());
    let mut stream = read.execute(count).await.unwrap();
    let row = stream.next(read.handle()).await.unwrap().unwrap();
    assert_eq!(row.get::<i64>("n").unwrap(), 1);
    drop(stream);
    // Neo4j answers a read's commit with a bookmark too; the adapter
    // drops it (a read leaves nothing a later read must wait for).
    read.commit().await.unwrap();

    let mut txn = graph.start_txn().await.unwrap();
    txn.run(query("MATCH (p:DriverProbe {marker: $marker}) DELETE p").param("marker", marker)).await.unwrap();
    txn.commit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neo4j_refuses_a_read_transaction_with_a_bookmark_it_does_not_know_as_invalid_bookmark() {
    let Some(graph) = neo4j_with_one_connection() else { return };
    let Err(error) = graph.start_txn_as(neo4rs::Operation::Read, Some(vec!["FB:not-a-bookmark".into()])).await else {
        panic!("Neo4j began a transaction with a made-up bookmark");
    };
    let neo4rs::Error::Neo4j(error) = error else { panic!("not Neo4j's answer: {error:?}") };
    assert_eq!(error.code(), "Neo.ClientError.Transaction.InvalidBookmark");
    // The connection serves the next query.
    assert_eq!(read_all(&graph, "RETURN 1 AS n").await.unwrap(), 1);
}
