//! The Neo4j store (Bolt, through `neo4rs`). Implemented in a later step.
