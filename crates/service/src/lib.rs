//! # TRM use cases
//!
//! The service layer of the TRM task API, and the crate to embed when a Rust
//! program wants TRM's tasks and projects without going through HTTP. It
//! sits between a driving adapter (the HTTP API, or your program) and the
//! storage ports of [`trm_repository`]:
//!
//! * inputs arrive as validated domain values ([`trm_domain::NewTask`],
//!   [`trm_domain::TaskPatch`], …), so enum spellings are already normalized
//!   and titles already checked;
//! * the service applies the rules that need more than one value or the
//!   stored state: due dates not before start dates, `completed_at` following
//!   `done`, `version` growing only on real changes, `If-Match` checks, and
//!   the project-exists check (made atomically by the store, reported here
//!   as a validation error at `project_id`);
//! * errors come back as [`ServiceError`], one variant per answer a caller
//!   acts on; a conflict carries a typed [`ConflictReason`], and what a store
//!   answer means (which field a missing reference is) is decided by the use
//!   case that asked (see the `error` module).
//!
//! The use cases are traits ([`TaskUseCases`], [`ProjectUseCases`],
//! [`HealthUseCases`], [`IdempotencyUseCases`] for `Idempotency-Key` retries
//! of creates, [`AccessUseCases`] for API keys) so callers can test against mocks (feature `mocks`);
//! [`TaskService`], [`ProjectService`] and [`HealthService`] implement them
//! over any store.
//!
//! # Embedding
//!
//! ```
//! use std::sync::Arc;
//!
//! use trm_domain::{NewProject, NewTask, TaskStatus, Title};
//! use trm_repository::sqlite::SqliteStore;
//! use trm_service::{ProjectService, ProjectUseCases, TaskService, TaskUseCases};
//!
//! #[tokio::main]
//! async fn main() -> anyhow::Result<()> {
//!     // The embedded store; use `SqliteStore::open("sqlite://data/trm.db")`
//!     // for one that persists.
//!     let store = Arc::new(SqliteStore::in_memory().await?);
//!     let projects = ProjectService::new(store.clone(), store.clone());
//!     let tasks = TaskService::new(store);
//!
//!     let project = projects.create_project(NewProject::new(Title::parse("Launch")?)).await?;
//!     let task = tasks
//!         .create_task(NewTask {
//!             project_id: Some(project.uid),
//!             status: "In Progress".parse()?, // the EnumAdapter at work
//!             ..NewTask::new(Title::parse("Write the docs")?)
//!         })
//!         .await?;
//!
//!     assert_eq!(task.status, TaskStatus::InProgress);
//!     assert_eq!(tasks.get_task(task.uid).await?, task);
//!     Ok(())
//! }
//! ```

mod access;
mod error;
mod events;
mod health;
mod history;
mod idempotency;
mod optimistic;
mod overview;
mod projects;
mod relay;
mod tasks;
mod users;
pub mod webhooks;

#[cfg(feature = "mocks")]
pub use access::MockAccessUseCases;
pub use access::{AccessUseCases, ApiKeyService, DEFAULT_CACHE_TTL, IssuedKey, key_selector};
pub use error::{ConflictReason, ServiceError, Unique};
#[cfg(feature = "mocks")]
pub use events::MockEventPublisher;
pub use events::{EventBus, EventPublisher, NoEvents, Received, Subscription, current_metadata, with_request_id};
#[cfg(feature = "mocks")]
pub use health::MockHealthUseCases;
pub use health::{HealthService, HealthUseCases};
#[cfg(feature = "mocks")]
pub use history::MockEventUseCases;
pub use history::{EventHistoryService, EventUseCases, PRUNE_BATCH};
#[cfg(feature = "mocks")]
pub use idempotency::MockIdempotencyUseCases;
pub use idempotency::{Claim, IdempotencyService, IdempotencyUseCases, StoredResponse, fingerprint};
#[cfg(feature = "mocks")]
pub use overview::MockOverviewUseCases;
pub use overview::{Overview, OverviewService, OverviewUseCases, RECENT_TASKS};
#[cfg(feature = "mocks")]
pub use projects::MockProjectUseCases;
pub use projects::{ProjectService, ProjectUseCases};
pub use relay::{DEFAULT_POLL_INTERVAL, IDLE_END_READ_INTERVAL, LogRelay};
#[cfg(feature = "mocks")]
pub use tasks::MockTaskUseCases;
pub use tasks::{TaskService, TaskUseCases};
/// The request-scoped read-your-writes context (Neo4j bookmarks): the API
/// wraps each request in its scope; no use case needs to see it.
pub use trm_repository::consistency;
/// The list filters, re-exported so callers need not depend on the
/// repository crate.
pub use trm_repository::{EventFilter, KeySelector, Overdue, ProjectFilter, TaskFilter, UserFilter};
#[cfg(feature = "mocks")]
pub use users::MockUserUseCases;
pub use users::{UserService, UserUseCases};
#[cfg(feature = "mocks")]
pub use webhooks::MockWebhookUseCases;
pub use webhooks::{NewWebhook, WebhookPatch, WebhookService, WebhookUseCases};
