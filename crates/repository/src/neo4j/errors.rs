//! Driver errors translated into [`StoreError`]: what means "Neo4j cannot
//! serve right now" — a timeout, an I/O or connection error, a transient
//! Neo4j error, a refused login — is [`StoreError::Unavailable`] (the API
//! answers 503 and the client may retry); any other driver error is a bug
//! or bad data, [`StoreError::Unexpected`] with its context. Transient
//! failures, and a node deleted under a transaction that had matched it
//! ([`ConcurrentChange`]), are also what the write runner retries
//! ([`super::transactions`]).

use std::time::Duration;

use neo4rs::{Neo4jClientErrorKind, Neo4jErrorKind};

use crate::error::StoreError;

/// Whether Neo4j itself classified the failure as transient — a deadlock
/// detected between two transactions, a lock that could not be had — so
/// that running the transaction again may well succeed.
pub(super) fn is_transient(error: &StoreError) -> bool {
    let StoreError::Unavailable(cause) = error else { return false };
    cause.downcast_ref::<ConcurrentChange>().is_some()
        || matches!(
            cause.downcast_ref::<neo4rs::Error>(),
            Some(neo4rs::Error::Neo4j(e)) if e.kind() == Neo4jErrorKind::Transient
        )
}

/// The context of a failed `COMMIT`: after it, whether the write landed
/// is unknown unless Neo4j itself answered.
pub(super) const COMMIT_FAILED: &str = "cannot commit a Neo4j transaction";

/// Whether a write that failed is known not to have happened, so that it
/// may be sent again elsewhere: Neo4j refused it (this member does not
/// lead, is read-only, or the database is not available here) at any step,
/// commit included, or the member could not be reached or was lost
/// *before* the commit (an open transaction dies with its connection).
pub(super) fn refused_before_commit(error: &StoreError) -> bool {
    let StoreError::Unavailable(cause) = error else { return false };
    let refused = cause.chain().any(|cause| {
        matches!(cause.downcast_ref::<neo4rs::Error>(),
            Some(neo4rs::Error::Neo4j(error)) if super::routing::ROUTING_CODES.contains(&error.code()))
    });
    let at_commit = cause.chain().any(|cause| cause.to_string() == COMMIT_FAILED);
    refused || !at_commit
}

/// Marks a failure caused by another transaction changing what this one
/// had just read — a node it matched was deleted before it could be used —
/// so that running the transaction again sees the new state.
#[derive(Debug)]
pub(crate) struct ConcurrentChange(pub(crate) &'static str);

impl std::fmt::Display for ConcurrentChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (changed concurrently)", self.0)
    }
}

/// Like [`driver_error`], but Neo4j's "the node you matched is gone"
/// (`EntityNotFound`, a concurrent delete) becomes a retryable
/// [`ConcurrentChange`].
pub(crate) fn driver_error_or_concurrent_delete(context: &'static str) -> impl Fn(neo4rs::Error) -> StoreError + Copy {
    move |error| match &error {
        neo4rs::Error::Neo4j(neo4j) if neo4j.code() == "Neo.ClientError.Statement.EntityNotFound" => {
            StoreError::Unavailable(anyhow::Error::new(error).context(ConcurrentChange(context)))
        }
        _ => driver_error(context)(error),
    }
}

/// The error for an operation that ran out of time.
pub(super) fn unavailable_after(what: &'static str, timeout: Duration) -> StoreError {
    StoreError::Unavailable(anyhow::anyhow!("Neo4j did not {what} within {timeout:?}"))
}

/// The error for a write that ran out of time, saying where it was
/// (`progress`: "attempt 1, waiting for its COMMIT").
pub(super) fn write_unavailable_after(what: &'static str, timeout: Duration, progress: &str) -> StoreError {
    StoreError::Unavailable(anyhow::anyhow!("Neo4j did not {what} within {timeout:?} ({progress})"))
}

/// Whether a driver error means "Neo4j cannot serve right now" (503, retry
/// later) rather than a bug or bad data.
fn is_unavailable(error: &neo4rs::Error) -> bool {
    use neo4rs::Error as E;
    match error {
        E::IOError { .. }
        | E::ConnectionError
        | E::ConnectionTimedOut
        | E::IncompleteBoltExchange
        | E::ServerUnavailableError(_)
        // Neo4j ignored the request: the connection had failed or been
        // interrupted before it (Neo4j shutting down mid-transaction, say).
        | E::RequestIgnoredError
        | E::Ignored(_)
        // A refused login: nothing works until the credentials do.
        | E::AuthenticationError(_) => true,
        E::Neo4j(error) => {
            let code = error.code();
            matches!(
                error.kind(),
                Neo4jErrorKind::Transient
                    | Neo4jErrorKind::Client(
                        Neo4jClientErrorKind::Security(_)
                            | Neo4jClientErrorKind::SessionExpired
                            | Neo4jClientErrorKind::TransactionTerminated
                    )
            ) || code == "Neo.ClientError.Transaction.LockClientStopped"
                // A cluster member that is not the one to ask (see
                // `super::routing`): ask the right one, or later.
                || super::routing::ROUTING_CODES.contains(&code)
                // The driver's code for an IGNORED reply to a pipelined
                // message (see above), seen while Neo4j stops.
                || code == "Neo.ServerError.Ignored"
        }
        _ => false,
    }
}

/// Translates a driver error, keeping what was being done as context.
pub(crate) fn driver_error(context: &'static str) -> impl Fn(neo4rs::Error) -> StoreError + Copy {
    move |error| {
        if is_unavailable(&error) {
            StoreError::Unavailable(anyhow::Error::new(error).context(context))
        } else {
            StoreError::Unexpected(anyhow::Error::new(error).context(context))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_trouble_is_unavailable_and_bugs_are_unexpected() {
        let io = neo4rs::Error::IOError { detail: std::io::Error::from(std::io::ErrorKind::ConnectionRefused) };
        assert!(matches!(driver_error("x")(io), StoreError::Unavailable(_)));
        assert!(matches!(driver_error("x")(neo4rs::Error::ConnectionTimedOut), StoreError::Unavailable(_)));
        assert!(matches!(driver_error("x")(neo4rs::Error::RequestIgnoredError), StoreError::Unavailable(_)));
        assert!(matches!(driver_error("x")(neo4rs::Error::Ignored("BEGIN")), StoreError::Unavailable(_)));
        assert!(matches!(driver_error("x")(neo4rs::Error::ConversionError), StoreError::Unexpected(_)));
    }
}
