//! End-to-end tests of the HTTP contract, against the real server.

// Test helpers report failure by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth;
mod bad_input;
mod bulk;
mod concurrency;
mod consistency;
mod enums;
mod events;
mod hostile;
mod idempotency;
mod metrics;
mod nats;
mod neo4j_outage;
mod overview;
mod paging;
mod projects;
mod seed_flow;
mod subprojects;
mod subtasks;
mod task_graph;
mod tasks;
mod trm_os;
mod users;
mod webhooks;
