//! The health check, and what Neo4j is busy with when a write stalls.

/// The cheapest query Neo4j answers with a row.
pub(in crate::neo4j) const PING: &str = "RETURN 1 AS one";

/// Neo4j's transactions that have run for at least `$min_ms` milliseconds,
/// longest first, at most `$limit`: what a write that ran out of time was
/// up against (`super::super::stalls`). `status` is `Running`, or `Blocked
/// by: [<ids>]` while waiting for another transaction's lock; `query` is
/// empty while the transaction waits for its client between statements.
pub(in crate::neo4j) const LONG_RUNNING_TRANSACTIONS: &str = "\
SHOW TRANSACTIONS YIELD transactionId, currentQuery, status, elapsedTime, waitTime, activeLockCount \
WHERE elapsedTime.milliseconds >= $min_ms \
RETURN transactionId AS id, currentQuery AS query, status, elapsedTime.milliseconds AS elapsed_ms, \
waitTime.milliseconds AS wait_ms, activeLockCount AS locks \
ORDER BY elapsed_ms DESC LIMIT $limit";
