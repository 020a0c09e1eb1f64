//! The request and response bodies of the API.
//!
//! Requests are read field by field into validated domain values
//! ([`trm_domain::NewTask`], [`trm_domain::TaskPatch`], …) before a service
//! sees them; responses are plain serializable structs built from entities,
//! so the wire format is declared here, not inferred from the domain.

pub mod project;
pub mod task;

pub use project::{ProjectResponse, new_project, project_patch};
pub use task::{TaskResponse, new_task, task_patch};
