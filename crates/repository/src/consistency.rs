//! Read-your-writes across the members of a Neo4j cluster: the request's
//! bookmarks, carried in a task-local scope rather than through every port.
//!
//! Neo4j answers every commit with a *bookmark*, an opaque token naming
//! the state that the commit produced. A transaction begun with bookmarks
//! on any member of the cluster starts only once that member has applied
//! them (or fails after the server's own wait), so a read sent to a
//! follower with the bookmark of a write sees that write.
//!
//! The bookmark belongs to the request, not to any use case: the API reads
//! the one a client sends (`X-TRM-Bookmark`), runs the request in a
//! [`scope`] holding it, and after the handler sends back the bookmark the
//! request's last write recorded. In between, only the Neo4j adapter looks:
//! a read on a lagging member begins its transaction with
//! [`wait_for`]'s bookmarks, and the write runner [`record`]s each commit's.
//! Work that runs on a task of its own (the write runner's transaction, a
//! coalesced batch) does not see the scope — a task-local does not cross
//! `tokio::spawn` — so the adapter reads it before handing off and records
//! the bookmark the other task returns.
//!
//! Outside a scope (background work, SQLite's requests) every function
//! here does nothing: [`wait_for`] is empty and [`record`] is dropped.

use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// The longest bookmark accepted, in characters: Neo4j's are tens of
/// characters; the bound keeps a header from costing more than a header.
pub const MAX_BOOKMARK_LENGTH: usize = 1024;

/// A Neo4j bookmark as the API carries it: 1 to [`MAX_BOOKMARK_LENGTH`]
/// visible ASCII characters, otherwise opaque.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bookmark(String);

/// A value that cannot be a bookmark.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a bookmark is 1 to {MAX_BOOKMARK_LENGTH} visible ASCII characters")]
pub struct MalformedBookmark;

impl Bookmark {
    /// Reads a bookmark, as a client sends it back.
    ///
    /// # Errors
    /// [`MalformedBookmark`] unless `text` is 1 to [`MAX_BOOKMARK_LENGTH`]
    /// visible ASCII characters (no spaces, no control characters).
    pub fn parse(text: &str) -> Result<Self, MalformedBookmark> {
        let fine = !text.is_empty() && text.len() <= MAX_BOOKMARK_LENGTH && text.bytes().all(|b| b.is_ascii_graphic());
        if fine { Ok(Self(text.to_owned())) } else { Err(MalformedBookmark) }
    }

    /// The bookmark as Neo4j wrote it.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What one scope holds.
#[derive(Debug, Default)]
struct Scope {
    /// The bookmarks reads on a lagging member must wait for.
    wait_for: Vec<String>,
    /// The bookmark of the scope's last commit.
    written: Mutex<Option<String>>,
    /// Set when Neo4j did not recognise a bookmark of `wait_for`.
    rejected: AtomicBool,
}

tokio::task_local! {
    static SCOPE: Scope;
}

/// What a [`scope`] gives back besides its work's output.
#[derive(Debug)]
pub struct Scoped<T> {
    /// The work's own output.
    pub output: T,
    /// The bookmark of the last commit made in the scope, if the store
    /// gave one (Neo4j does; SQLite has none).
    pub written: Option<Bookmark>,
    /// Whether Neo4j refused the scope's bookmark as one it does not
    /// know (`Neo.ClientError.Transaction.InvalidBookmark`): the request
    /// failed because of what the client sent, whatever error the work
    /// returned.
    pub rejected: bool,
}

/// Runs `work` in a scope whose reads wait for `wait_for` (when they go to
/// a member that may lag) and whose commits' bookmarks are kept.
pub async fn scope<F: Future>(wait_for: Option<Bookmark>, work: F) -> Scoped<F::Output> {
    let scope = Scope { wait_for: wait_for.into_iter().map(|bookmark| bookmark.0).collect(), ..Scope::default() };
    SCOPE
        .scope(scope, async move {
            let output = work.await;
            // Read out before the scope ends.
            let (written, rejected) =
                SCOPE.with(|scope| (lock(&scope.written).take(), scope.rejected.load(Ordering::SeqCst)));
            Scoped { output, written: written.map(Bookmark), rejected }
        })
        .await
}

/// The bookmarks a read in the current scope must wait for; empty outside
/// a scope or when the request sent none.
#[must_use]
pub fn wait_for() -> Vec<String> {
    SCOPE.try_with(|scope| scope.wait_for.clone()).unwrap_or_default()
}

/// Keeps `bookmark`, a commit's, as the current scope's latest; nothing
/// outside a scope.
pub fn record(bookmark: String) {
    let _ = SCOPE.try_with(|scope| *lock(&scope.written) = Some(bookmark));
}

/// Notes that Neo4j did not recognise the current scope's bookmark.
pub fn reject() {
    let _ = SCOPE.try_with(|scope| scope.rejected.store(true, Ordering::SeqCst));
}

/// The slot; a panic while it was held cannot have left it torn (it is
/// one assignment), so a poisoned lock is used as is.
fn lock(slot: &Mutex<Option<String>>) -> std::sync::MutexGuard<'_, Option<String>> {
    slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests;
