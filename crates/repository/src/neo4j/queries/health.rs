//! The health check.

/// The cheapest query Neo4j answers with a row.
pub(in crate::neo4j) const PING: &str = "RETURN 1 AS one";
