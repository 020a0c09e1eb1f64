//! The scripted cluster's members: Bolt 4.4, just enough (see the
//! module docs of `super`).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use super::ClusterState;

/// Serves one connection of member `member`: Bolt 4.4, just enough.
pub(super) async fn serve(mut socket: TcpStream, state: Arc<ClusterState>, member: usize) {
    // Each message goes out in three writes: without this, Nagle's
    // algorithm holds them for the client's delayed ACK.
    let _ = socket.set_nodelay(true);
    let mut handshake = [0; 20];
    if socket.read_exact(&mut handshake).await.is_err() {
        return;
    }
    if socket.write_all(&[0, 0, 4, 4]).await.is_err() {
        return;
    }
    let mut failed = false;
    let mut in_transaction = false;
    let mut reading = false;
    let mut pending: Vec<Vec<u8>> = Vec::new();
    while let Some(message) = read_message(&mut socket).await {
        let signature = message.get(1).copied().unwrap_or(0);
        let text = String::from_utf8_lossy(&message).into_owned();
        let responses: Vec<Vec<u8>> = match signature {
            0x02 => return, // GOODBYE
            0x0F => {
                // RESET
                failed = false;
                (in_transaction, reading) = (false, false);
                vec![success(&[])]
            }
            _ if failed => vec![vec![0xB0, 0x7E]], // IGNORED
            0x01 => vec![success(&[])],            // HELLO
            0x11 if contains(&message, &[string("mode"), string("r")].concat()) => {
                // BEGIN of a read: any member
                state.read_begins.lock().unwrap().push((member, message.clone()));
                if contains(&message, &string("bm:unknown")) {
                    failed = true;
                    vec![failure("Neo.ClientError.Transaction.InvalidBookmark", "Not a bookmark: bm:unknown")]
                } else {
                    (in_transaction, reading) = (true, true);
                    vec![success(&[])]
                }
            }
            0x11 => {
                // BEGIN
                if state.leads(member) {
                    in_transaction = true;
                    vec![success(&[])]
                } else {
                    failed = true;
                    state.refusals.fetch_add(1, Ordering::SeqCst);
                    vec![not_a_leader()]
                }
            }
            0x10 if text.contains("getRoutingTable") => {
                state.tables.fetch_add(1, Ordering::SeqCst);
                pending = routing_records(&state);
                vec![success(&[("fields", list(&[string("ttl"), string("role"), string("addresses")]))])]
            }
            0x10 if in_transaction && !reading && !state.leads(member) => {
                failed = true;
                state.refusals.fetch_add(1, Ordering::SeqCst);
                vec![not_a_leader()]
            }
            0x10 => {
                // The probes' reads and writes are answered with a row; the
                // schema set-up that `connect` starts gets empty answers,
                // so that it ends.
                let probe = text.contains("RETURN 1 AS n");
                if probe && !in_transaction {
                    state.reads[member].fetch_add(1, Ordering::SeqCst);
                }
                pending = if probe { vec![record(&[vec![0x01]])] } else { Vec::new() };
                vec![success(&[("fields", list(&[string("n")]))])]
            }
            0x3F | 0x2F => {
                // PULL, DISCARD
                let mut answers = std::mem::take(&mut pending);
                answers.push(success(&[]));
                answers
            }
            0x12 if reading => {
                // COMMIT of a read
                (in_transaction, reading) = (false, false);
                vec![success(&[])]
            }
            0x12 => {
                // COMMIT
                in_transaction = false;
                if state.leads(member) {
                    state.commits[member].fetch_add(1, Ordering::SeqCst);
                    let count: u64 = state.commits.iter().map(|c| c.load(Ordering::SeqCst)).sum();
                    vec![success(&[("bookmark", string(&format!("bm:{count}")))])]
                } else {
                    failed = true;
                    state.refusals.fetch_add(1, Ordering::SeqCst);
                    vec![not_a_leader()]
                }
            }
            0x13 => {
                // ROLLBACK
                (in_transaction, reading) = (false, false);
                vec![success(&[])]
            }
            _ => vec![success(&[])],
        };
        for response in responses {
            if write_message(&mut socket, &response).await.is_err() {
                return;
            }
        }
    }
}

/// Whether `message` holds `part`, byte for byte.
pub(super) fn contains(message: &[u8], part: &[u8]) -> bool {
    message.windows(part.len()).any(|window| window == part)
}

pub(super) fn routing_records(state: &ClusterState) -> Vec<Vec<u8>> {
    let addresses = state.addresses.lock().unwrap().clone();
    let leader = *state.leader.lock().unwrap();
    let address_list =
        |members: Vec<usize>| list(&members.into_iter().map(|m| string(&addresses[m])).collect::<Vec<_>>());
    let ttl = vec![0xC9, 0x01, 0x2C]; // 300
    let writers: Vec<usize> = leader.into_iter().collect();
    let readers: Vec<usize> = (0..3).filter(|m| Some(*m) != leader).collect();
    vec![
        record(&[ttl.clone(), string("WRITE"), address_list(writers)]),
        record(&[ttl.clone(), string("READ"), address_list(readers)]),
        record(&[ttl, string("ROUTE"), address_list((0..3).collect())]),
    ]
}

pub(super) fn not_a_leader() -> Vec<u8> {
    failure("Neo.ClientError.Cluster.NotALeader", "No write operations are allowed on this database.")
}

pub(super) fn string(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = if bytes.len() < 16 {
        vec![0x80 + u8::try_from(bytes.len()).unwrap()]
    } else {
        vec![0xD0, u8::try_from(bytes.len()).unwrap()]
    };
    out.extend_from_slice(bytes);
    out
}

pub(super) fn list(items: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![0x90 + u8::try_from(items.len()).unwrap()];
    for item in items {
        out.extend_from_slice(item);
    }
    out
}

pub(super) fn map(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = vec![0xA0 + u8::try_from(entries.len()).unwrap()];
    for (key, value) in entries {
        out.extend(string(key));
        out.extend_from_slice(value);
    }
    out
}

pub(super) fn success(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = vec![0xB1, 0x70];
    out.extend(map(entries));
    out
}

pub(super) fn record(fields: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![0xB1, 0x71];
    out.extend(list(fields));
    out
}

pub(super) fn failure(code: &str, message: &str) -> Vec<u8> {
    let mut out = vec![0xB1, 0x7F];
    out.extend(map(&[("code", string(code)), ("message", string(message))]));
    out
}

/// One chunked Bolt message; `None` at the end of the stream.
pub(super) async fn read_message(socket: &mut TcpStream) -> Option<Vec<u8>> {
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

pub(super) async fn write_message(socket: &mut TcpStream, message: &[u8]) -> std::io::Result<()> {
    let size = u16::try_from(message.len()).unwrap_or(u16::MAX);
    socket.write_all(&size.to_be_bytes()).await?;
    socket.write_all(message).await?;
    socket.write_all(&[0, 0]).await
}
