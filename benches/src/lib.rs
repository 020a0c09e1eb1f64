//! # The benchmark suite's Rust parts
//!
//! `bench/run` (see `docs/benchmarks.md`) drives the whole suite; this crate
//! holds what it needs compiled:
//!
//! * [`args`]: the `--key value` command lines of the binaries;
//! * [`dataset`]: the deterministic data every contender is measured on —
//!   the same tasks, projects and ids for both stores, so that a seeded task
//!   can be predicted exactly and checked through the real server;
//! * [`cypher`]: the statements the Neo4j adapter sends for a task lookup
//!   and a page of a project's tasks, for the raw-driver ceiling;
//! * [`latency`]: percentiles of recorded latencies, for the ceilings that
//!   measure themselves;
//! * [`manifest`]: what the seeder tells the harness (ids to request, the
//!   list filter, the expected body of one seeded task).
//!
//! The binaries (`src/bin`) are the seeder, the framework ceiling, the
//! driver ceiling and the callgrind driver; the criterion benches
//! (`benches/`) measure the EnumAdapter and task (de)serialization.

pub mod args;
pub mod cypher;
pub mod dataset;
pub mod latency;
pub mod manifest;
