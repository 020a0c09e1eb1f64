//! The project port: [`ProjectRepository`] and its [`ProjectFilter`].

use async_trait::async_trait;
use trm_domain::{DomainEvent, EventMetadata, Page, PageRequest, Project, ProjectId, ProjectStatus, TaskId};

use super::Cascade;
#[cfg(doc)]
use super::TaskRepository;
use crate::error::StoreError;

/// Which projects a list returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectFilter {
    /// Only projects in this status.
    pub status: Option<ProjectStatus>,
    /// Only the direct sub-projects of this project (`IS_SUBPROJECT_OF`).
    pub parent_id: Option<ProjectId>,
}
/// Storage of projects. Writes store their events as [`TaskRepository`]'s
/// do.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ProjectRepository: Send + Sync + 'static {
    /// Stores a new project, its parent relationship and its `events`.
    ///
    /// # Errors
    /// MUST return [`StoreError::MissingReference`] (`Project`) if
    /// `project.parent_id` names nothing stored, and
    /// [`StoreError::ProjectTooDeep`] if under that parent it would be
    /// deeper than [`trm_domain::MAX_PROJECT_LEVELS`] — then storing
    /// nothing. Both checks and the write are one atomic step.
    async fn create_project(&self, project: &Project, events: &[DomainEvent]) -> Result<(), StoreError>;

    /// The project with this id, if any.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn get_project(&self, id: ProjectId) -> Result<Option<Project>, StoreError>;

    /// One page of the projects matching `filter`, in keyset order.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn list_projects(&self, filter: &ProjectFilter, page: PageRequest) -> Result<Page<Project>, StoreError>;

    /// Replaces a stored project by `project`, whose `version` is the stored
    /// one plus one, with its parent relationship; check and write are one
    /// atomic step.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`] if no such project exists,
    /// [`StoreError::VersionConflict`] if the stored version is not
    /// `project.version - 1`, [`StoreError::MissingReference`] (`Project`)
    /// if `project.parent_id` names nothing stored,
    /// [`StoreError::ProjectCycle`] if the parent is the project itself or
    /// one of its sub-projects (at any depth), and
    /// [`StoreError::ProjectTooDeep`] if the project's subtree under its
    /// parent would be deeper than [`trm_domain::MAX_PROJECT_LEVELS`] — in
    /// each case changing nothing. The checks and the write are one atomic
    /// step: two concurrent re-parentings can never close a cycle, nor nest
    /// too deep, between them.
    async fn update_project(&self, project: &Project, events: &[DomainEvent]) -> Result<(), StoreError>;

    /// Deletes a project. With `cascade`, its sub-projects (at every depth)
    /// and the tasks of all of them go too, in the same transaction; the ids
    /// of the deleted tasks are returned, oldest first.
    ///
    /// Each surviving task that a deleted task blocked loses that blocker
    /// and so changes: one version further, `updated_at` at least the
    /// store's clock at the delete. With `metadata`, the delete stores
    /// `task.updated` for each of those (as it now is, oldest first), then
    /// `task.deleted` for each deleted task, oldest first, then
    /// `project.deleted` for each deleted project, sub-projects before
    /// their parents ([`DomainEvent::project_deleted`]), each with that
    /// metadata, and returns those events; without (the event log is off),
    /// none.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`] if no such project exists,
    /// [`StoreError::VersionConflict`] if `expected_version` is given and
    /// differs, and, when `cascade` is false, [`StoreError::HasTasks`] if
    /// it has tasks, else [`StoreError::HasSubprojects`] if it has
    /// sub-projects — in each case deleting nothing.
    async fn delete_project(
        &self,
        id: ProjectId,
        cascade: bool,
        expected_version: Option<u64>,
        metadata: Option<EventMetadata>,
    ) -> Result<Cascade<TaskId>, StoreError>;

    /// How many projects exist.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn count_projects(&self) -> Result<u64, StoreError>;
}
