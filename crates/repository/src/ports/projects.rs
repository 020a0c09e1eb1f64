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
}
/// Storage of projects. Writes store their events as [`TaskRepository`]'s
/// do.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ProjectRepository: Send + Sync + 'static {
    /// Stores a new project and its `events`.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
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
    /// one plus one; check and write are one atomic step.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`] if no such project exists and
    /// [`StoreError::VersionConflict`] if the stored version is not
    /// `project.version - 1`.
    async fn update_project(&self, project: &Project, events: &[DomainEvent]) -> Result<(), StoreError>;

    /// Deletes a project. With `cascade`, its tasks go too, in the same
    /// transaction; the ids of the deleted tasks are returned, oldest first.
    /// With `metadata`, the delete stores `task.deleted` for each of them,
    /// oldest first, then `project.deleted`, each with that metadata, and
    /// returns those events; without (the event log is off), none.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`] if no such project exists,
    /// [`StoreError::HasTasks`] if it has tasks and `cascade` is false, and
    /// [`StoreError::VersionConflict`] if `expected_version` is given and
    /// differs — in each case deleting nothing.
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
