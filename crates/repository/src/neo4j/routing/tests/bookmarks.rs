//! Read-your-writes on the scripted cluster: a write's bookmark, and the
//! reads that wait for it on a reader.

use super::*;
use crate::consistency::{self, Bookmark};
use crate::ports::TaskRepository as _;
use trm_domain::TaskId;

/// The read-mode `BEGIN`s the members received, by member.
fn read_begins(cluster: &Cluster) -> Vec<(usize, Vec<u8>)> {
    cluster.state.read_begins.lock().unwrap().clone()
}

/// Whether a `BEGIN` names exactly these bookmarks.
fn names_bookmarks(begin: &[u8], bookmarks: &[&str]) -> bool {
    let expected = [string("bookmarks"), list(&bookmarks.iter().map(|b| string(b)).collect::<Vec<_>>())].concat();
    contains(begin, &expected)
}

#[tokio::test]
async fn a_write_leaves_its_bookmark_and_a_read_with_it_begins_on_a_reader_with_that_bookmark() {
    let cluster = Cluster::start().await;
    let store = cluster.store(ReadFrom::Readers).await;

    let written = consistency::scope(None, write_once(&store)).await;
    written.output.unwrap();
    let bookmark = written.written.expect("the write left a bookmark");
    assert_eq!(bookmark.as_str(), "bm:1", "the writer's answer to COMMIT");

    let read = consistency::scope(Some(bookmark), read_once(&store)).await;
    read.output.unwrap();
    assert!(!read.rejected);
    let begins = read_begins(&cluster);
    assert_eq!(begins.len(), 1, "one read transaction");
    let (member, begin) = &begins[0];
    assert_ne!(*member, 0, "on a reader, not the leader");
    assert!(names_bookmarks(begin, &["bm:1"]), "BEGIN carries bookmarks [\"bm:1\"]: {begin:?}");
    assert_eq!(read.written, None, "a read commits nothing worth a bookmark");

    // Without a bookmark: an auto-commit read, as before.
    let plain = consistency::scope(None, read_once(&store)).await;
    plain.output.unwrap();
    read_once(&store).await.unwrap();
    assert_eq!(read_begins(&cluster).len(), 1, "no BEGIN for reads without a bookmark");
    assert_eq!(cluster.state.reads.each().iter().sum::<u64>(), 2);
    assert_eq!(cluster.state.reads.each()[0], 0);
}

#[tokio::test]
async fn a_task_lookup_with_a_bookmark_leaves_the_coalescer_and_waits_on_a_reader() {
    let cluster = Cluster::start().await;
    let store = cluster.store_with(ReadFrom::Readers, 4).await;
    let bookmark = Bookmark::parse("bm:7").unwrap();
    let found = consistency::scope(Some(bookmark), store.get_task(TaskId::new())).await;
    assert!(found.output.unwrap().is_none(), "the scripted members know no task");
    let begins = read_begins(&cluster);
    assert_eq!(begins.len(), 1, "the lookup ran in a read transaction: {begins:?}");
    assert!(names_bookmarks(&begins[0].1, &["bm:7"]));
    // Without one, the coalescer's auto-commit query.
    assert!(store.get_task(TaskId::new()).await.unwrap().is_none());
    assert_eq!(read_begins(&cluster).len(), 1);
}

#[tokio::test]
async fn with_reads_from_the_writer_a_bookmark_changes_nothing() {
    let cluster = Cluster::start().await;
    let store = cluster.store(ReadFrom::Writer).await;
    let written = consistency::scope(None, write_once(&store)).await;
    let bookmark = written.written.expect("a write on a cluster leaves a bookmark in every mode");
    let read = consistency::scope(Some(bookmark), read_once(&store)).await;
    read.output.unwrap();
    assert!(read_begins(&cluster).is_empty(), "the leader has every write: no wait, no BEGIN");
    assert_eq!(cluster.state.reads.each(), [1, 0, 0]);
}

#[tokio::test]
async fn a_bookmark_the_reader_does_not_know_fails_the_read_and_is_noted_as_rejected() {
    let cluster = Cluster::start().await;
    let store = cluster.store(ReadFrom::Readers).await;
    let unknown = Bookmark::parse("bm:unknown").unwrap();
    let read = consistency::scope(Some(unknown), read_once(&store)).await;
    assert!(read.output.is_err());
    assert!(read.rejected, "the scope tells the API the client's bookmark was refused");
}
