//! Project responses (the request bodies are in [`crate::wire`]).

use serde::Serialize;
use trm_domain::{Description, Project, ProjectId, ProjectStatus, Timestamp, Title};
use utoipa::ToSchema;

use super::enums::ProjectStatusSchema;

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
