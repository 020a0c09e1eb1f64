//! The repository traits: what the service layer may ask of a store.
//!
//! One file per port, each with the filter and value types it takes and
//! answers (and, under `mocks` or in tests, its mockall mock); all of it is
//! re-exported here, as `crate::ports::X`. The re-exports are globs so that
//! each mock is exported exactly when its `automock` generates it.

mod api_keys;
mod cascade;
mod events;
mod health;
mod idempotency;
mod projects;
mod tasks;
mod users;
mod webhooks;

pub use api_keys::*;
pub use cascade::*;
pub use events::*;
pub use health::*;
pub use idempotency::*;
pub use projects::*;
pub use tasks::*;
pub use users::*;
pub use webhooks::*;
