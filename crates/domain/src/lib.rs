//! # The TRM task domain
//!
//! This crate is the innermost layer of the TRM task API: the vocabulary every
//! other layer speaks, and nothing else. It owns
//!
//! * the **entities** — [`Task`], [`Project`], [`User`] — and their typed ids, so a
//!   project id can never be passed where a task id is expected;
//! * the **enums** with the [`EnumAdapter`](enums::EnumAdapter): every spelling a
//!   client may send (`"In Progress"`, `"wip"`, `"IN_PROGRESS"`) normalizes to
//!   one canonical value, and a value that matches nothing is an error listing
//!   what is accepted — never silently mapped to a default;
//! * the **validated values** ([`Title`], [`Tags`], [`EffortEstimate`], …):
//!   once a value of such a type exists it is valid, so the service and the
//!   stores never re-check it;
//! * the **paging** vocabulary ([`PageRequest`], [`Page`], [`Cursor`]) shared by
//!   both stores, so they page identically;
//! * the **API keys** ([`ApiKey`], [`KeyScope`], [`Secret`]): the key format,
//!   the hash stores keep instead of the key, and a plaintext type that
//!   never prints itself;
//! * the **task list orders** ([`TaskSort`]), with where a cursor stands
//!   in each, so both stores sort and page alike;
//! * **search** ([`search`]): text folded as Vietnamese users type it (no
//!   case, no diacritics, `đ` as `d`), so both stores index and match the
//!   same words;
//! * the **validation errors** ([`FieldError`]) whose shape the HTTP layer turns
//!   into FastAPI's `422` body.
//!
//! With the `openapi` feature the entities and enums also describe their
//! JSON shape as OpenAPI schemas ([`openapi`]), derived beside the
//! `Serialize` that writes it, so the HTTP layer returns these types as they
//! are and its document cannot drift from what it sends.
//!
//! It performs no I/O and knows no framework: it compiles and tests in
//! milliseconds, and every rule in it is a plain function that a unit or
//! property test can exercise.

pub mod access;
pub mod entity;
pub mod enums;
pub mod error;
pub mod event;
pub mod graph;
pub mod ids;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod paging;
pub mod position;
pub mod project;
pub mod search;
pub mod sort;
pub mod task;
pub mod time;
pub mod user;
pub mod values;
pub mod webhook;

pub use access::{AccessError, ApiKey, KeyHash, KeyName, KeyScope, Secret};
pub use entity::EntityKind;
pub use enums::{EffortUnit, EnumAdapter, Priority, ProjectStatus, TaskStatus, TaskType};
pub use error::{FieldError, FieldErrorKind, FieldPath, ValidationErrors};
pub use event::{DomainEvent, EventKind, EventMetadata, EventPosition, LoggedEvent};
pub use graph::{Blockers, Cycle, Direction, MAX_SUBTASK_LEVELS, MAX_WALK_DEPTH, WalkDepth};
pub use ids::{ApiKeyId, ProjectId, TaskId, UserId};
pub use paging::{Cursor, Page, PageRequest, SortedPosition};
pub use project::{MAX_PROJECT_LEVELS, NewProject, Project, ProjectPatch};
pub use sort::{SortField, TaskSort};
pub use task::{MAX_TASKS_PER_BULK, NewTask, Task, TaskPatch, bulk_item_path};
pub use time::Timestamp;
pub use user::{Email, FullName, NewUser, User, UserPatch, Username};
pub use values::{Description, EffortEstimate, NOT_BLANK_PATTERN, Tag, Tags, Title};
pub use webhook::{
    Attempt, Delivery, DeliveryId, DeliveryState, RetrySchedule, Webhook, WebhookId, WebhookSecret, WebhookUrl,
};
