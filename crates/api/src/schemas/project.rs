//! Project bodies.

use serde::Serialize;
use serde_json::{Map, Value};
use trm_domain::{Description, NewProject, Project, ProjectId, ProjectPatch, ProjectStatus, Timestamp, Title};

use crate::body::BodyFields;
use crate::error::ApiError;
use crate::values;

/// A project as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectResponse {
    /// Server-generated UUID.
    pub uid: ProjectId,
    /// Trimmed, 1–200 characters.
    pub title: Title,
    /// Up to 10,000 characters.
    pub description: Option<Description>,
    /// Canonical status.
    pub status: ProjectStatus,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
    /// Grows by one on every change; the ETag.
    pub version: u64,
}

impl From<Project> for ProjectResponse {
    fn from(project: Project) -> Self {
        Self {
            uid: project.uid,
            title: project.title,
            description: project.description,
            status: project.status,
            created_at: project.created_at,
            updated_at: project.updated_at,
            version: project.version,
        }
    }
}

/// Reads a create body into a [`NewProject`].
///
/// # Errors
/// A 422 listing every problem.
pub fn new_project(body: Map<String, Value>) -> Result<NewProject, ApiError> {
    let mut fields = BodyFields::new(body);
    let title = fields.required("title", values::title);
    let description = fields.nullable("description", values::description).flatten();
    let status = fields.optional("status", values::enumerated::<ProjectStatus>);
    let new =
        title.map(|title| NewProject { description, status: status.unwrap_or_default(), ..NewProject::new(title) });
    fields.finish(new)
}

/// Reads a PATCH body into a [`ProjectPatch`].
///
/// # Errors
/// A 422 listing every problem.
pub fn project_patch(body: Map<String, Value>) -> Result<ProjectPatch, ApiError> {
    let mut fields = BodyFields::new(body);
    let patch = ProjectPatch {
        title: fields.optional("title", values::title),
        description: fields.nullable("description", values::description),
        status: fields.optional("status", values::enumerated::<ProjectStatus>),
    };
    fields.finish(Some(patch))
}
