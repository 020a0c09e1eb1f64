//! Project bodies: the response DTO, the body readers, and the
//! documentation types of the request bodies (see [`super::task`] for why
//! the request schemas are separate types, and how the tests tie them to
//! the readers).

use serde::Serialize;
use serde_json::{Map, Value};
use trm_domain::{Description, NewProject, Project, ProjectId, ProjectPatch, ProjectStatus, Timestamp, Title};
use utoipa::ToSchema;

use super::enums::ProjectStatusSchema;
use crate::body::BodyFields;
use crate::error::ApiError;
use crate::values;

/// A project as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = Project, example = json!({
    "uid": "9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d", "title": "Launch", "description": "Everything for the launch",
    "status": "active", "created_at": "2026-11-26T03:12:45.123456Z", "updated_at": "2026-11-26T03:12:45.123456Z",
    "version": 1
}))]
pub struct ProjectResponse {
    /// Server-generated UUID.
    #[schema(value_type = String, format = Uuid)]
    pub uid: ProjectId,
    /// Trimmed, 1–200 characters.
    #[schema(value_type = String, min_length = 1, max_length = 200)]
    pub title: Title,
    /// Up to 10,000 characters.
    #[schema(value_type = Option<String>, max_length = 10000, required = true)]
    pub description: Option<Description>,
    /// Canonical status.
    #[schema(value_type = ProjectStatusSchema)]
    pub status: ProjectStatus,
    /// Creation time (UTC, microseconds).
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Last change (UTC, microseconds).
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    /// Starts at 1 and grows by one on every update that changes something;
    /// the `ETag` is this number in quotes.
    #[schema(minimum = 1)]
    pub version: u64,
}

/// The body of `POST /api/v1/projects/`: documents what [`new_project`]
/// reads.
#[derive(Debug, Clone, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    description = "A new project. `title` is required, the rest optional; a property not listed here is a 422 \
                   (`extra_forbidden`).",
    example = json!({"title": "Launch", "description": "Everything for the launch", "status": "on_hold"})
)]
pub struct ProjectCreate {
    /// Trimmed; 1–200 characters after trimming.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]",
        examples("Launch")
    )]
    pub title: String,
    /// Up to 10,000 characters.
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    /// Defaults to `active`.
    #[schema(value_type = Option<ProjectStatusSchema>, nullable = false)]
    pub status: Option<ProjectStatusSchema>,
}

/// The body of `PATCH /api/v1/projects/{uid}`: documents what
/// [`project_patch`] reads.
#[derive(Debug, Clone, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    description = "A change to a project: properties present are changed, properties absent are kept, and \
                   `null` clears `description` (`null` for the others is a 422). A property not listed here is \
                   a 422 (`extra_forbidden`).",
    example = json!({"status": "completed", "description": null})
)]
pub struct ProjectUpdate {
    /// Trimmed; 1–200 characters after trimming.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]",
        nullable = false
    )]
    pub title: Option<String>,
    /// Up to 10,000 characters; `null` clears it.
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    /// The new status.
    #[schema(value_type = Option<ProjectStatusSchema>, nullable = false)]
    pub status: Option<ProjectStatusSchema>,
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
