//! Fault scenarios: the server keeps every acknowledged write through
//! crashes, store outages, races, heavy load and shutdown (issue #7,
//! "Faults, with nothing lost"), and delivers its webhooks through a crash.
//!
//! Unlike the end-to-end suite, these run the real `trm-server` binary as a
//! child process ([`server`]), because the faults are things done to a
//! process: `kill -9`, SIGTERM, watching its memory. Each scenario is one
//! module; every test is `#[ignore]`d — they take minutes, and the outage
//! stops the shared Neo4j — and `tests/faults/run` runs them one at a time.
//! The Neo4j scenarios use `TRM_TEST_NEO4J_URI` (`…_USER`, `…_PASSWORD`),
//! like the other suites; the outage scenario also needs the Neo4j to be the
//! one `scripts/neo4j` manages, since it stops and starts it.
//!
//! Each scenario prints (to stderr) the counts it checked — acknowledged,
//! refused, stored — so independent runs can be compared.

// Test helpers report failure by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod crash;
mod load;
mod outage;
mod races;
mod scenario;
mod server;
mod shutdown;
mod webhooks;
mod writes;
