//! Reads that wait for the request's bookmark (read-your-writes on a
//! cluster whose reads go to the readers).
//!
//! A follower applies the leader's commits a little later, so an
//! auto-commit read sent to it right after a write may not see the write.
//! When the request holds a bookmark ([`crate::consistency`]) and the read
//! goes to a member that may lag ([`super::routing::Route::reads_may_lag`]),
//! the read runs instead in an explicit read transaction whose `BEGIN`
//! carries the bookmark (`mode: "r"`, `bookmarks: [...]`, the driver patch
//! in `vendor/neo4rs/PATCHES.md`): Neo4j itself holds the `BEGIN` until the
//! member has applied the bookmark. The operation timeout bounds the wait;
//! Neo4j's own, shorter or not, fails it as transient (a 503). A bookmark
//! the server does not recognise is the client's mistake: it is noted in
//! the scope ([`crate::consistency::reject`]) so that the API answers 422.
//! Every other read keeps the one round trip of an auto-commit query.

use neo4rs::{Graph, Operation, Query, Row};

use super::errors::driver_error;
use super::transactions::txn_fetch_all_with;
use crate::consistency;
use crate::error::StoreError;

/// The codes of Neo4j's answer to a bookmark it cannot read or that names
/// another database's state.
const INVALID_BOOKMARK_CODES: [&str; 2] =
    ["Neo.ClientError.Transaction.InvalidBookmark", "Neo.ClientError.Transaction.InvalidBookmarkMixture"];

/// Runs `query` on `member` in a read transaction that starts once the
/// member has applied `bookmarks`, and collects every row.
pub(super) async fn read_after(
    member: &Graph,
    bookmarks: Vec<String>,
    query: Query,
    context: &'static str,
) -> Result<Vec<Row>, StoreError> {
    let mut txn = Box::pin(member.start_txn_as(Operation::Read, Some(bookmarks)))
        .await
        .map_err(bookmark_error("cannot begin a read that waits for a bookmark"))?;
    let rows = txn_fetch_all_with(&mut txn, query, bookmark_error(context)).await?;
    // Nothing to keep: the commit only ends the transaction cleanly.
    txn.commit().await.map_err(driver_error(context))?;
    Ok(rows)
}

/// [`driver_error`], but an unrecognised bookmark is
/// [`StoreError::BookmarkUnknown`] (the client's, not a fault), also noted
/// in the scope for a caller that turned it into another error.
fn bookmark_error(context: &'static str) -> impl Fn(neo4rs::Error) -> StoreError + Copy {
    move |error| {
        if is_invalid_bookmark(&error) {
            consistency::reject();
            return StoreError::BookmarkUnknown;
        }
        driver_error(context)(error)
    }
}

/// Whether Neo4j refused the bookmarks themselves.
fn is_invalid_bookmark(error: &neo4rs::Error) -> bool {
    matches!(error, neo4rs::Error::Neo4j(error) if INVALID_BOOKMARK_CODES.contains(&error.code()))
}
