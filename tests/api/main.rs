//! End-to-end tests of the HTTP contract, against the real server.

mod bad_input;
mod enums;
mod paging;
mod projects;
mod seed_flow;
mod tasks;
