//! The cluster's routing table (client-side routing, `super::super::routing`).

/// Who writes, who reads and who routes, one row per role, for the default
/// database. Answered by every Neo4j 4.x/5.x server, a single Community
/// one included (which names itself in every role).
pub(in crate::neo4j) const ROUTING_TABLE: &str = "\
CALL dbms.routing.getRoutingTable({}) YIELD ttl, servers \
UNWIND servers AS server \
RETURN ttl, server.role AS role, server.addresses AS addresses";
