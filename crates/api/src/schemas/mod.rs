//! The request and response bodies of the API, and their OpenAPI schemas.
//!
//! Requests are read field by field into validated domain values
//! ([`trm_domain::NewTask`], [`trm_domain::TaskPatch`],
//! [`trm_domain::NewUser`], …) before a service sees them; responses are
//! plain serializable structs built from entities, so the wire format is
//! declared here, not inferred from the domain.
//!
//! The OpenAPI schemas live next to what they describe: response schemas are
//! derived from the response structs themselves; request bodies and query
//! parameters, which are not read through serde, are described by
//! documentation types ([`TaskCreate`], [`query::TaskListQuery`], …) whose
//! tests check them against the readers; the enums' schemas are generated
//! from the domain's EnumAdapter tables ([`enums`]).

pub mod alias;
pub mod bulk;
pub mod enums;
pub mod errors;
pub mod event;
pub mod health;
pub mod overview;
pub mod project;
pub mod query;
pub mod task;
pub mod user;
pub mod webhook;

pub use bulk::{TaskBulkCreate, new_tasks};
pub use project::{ProjectCreate, ProjectResponse, ProjectUpdate, new_project, project_patch};
pub use task::{TaskCreate, TaskResponse, TaskUpdate, new_task, task_patch};
pub use user::{UserCreate, UserResponse, UserUpdate, new_user, user_patch};
