//! The project use cases.

use std::sync::Arc;

use async_trait::async_trait;
use trm_domain::{
    EntityKind, EventKind, FieldError, FieldErrorKind, MAX_PROJECT_LEVELS, NewProject, Page, PageRequest, Project,
    ProjectId, ProjectPatch, Task, TaskId, Timestamp,
};
use trm_repository::{ProjectFilter, ProjectRepository, StoreError, TaskFilter, TaskRepository};

use crate::error::{ConflictReason, ServiceError};
use crate::events::{EventPublisher, NoEvents, current_metadata, event_about, logged};
use crate::optimistic;

/// What can be done with projects; the HTTP layer depends on this trait.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait ProjectUseCases: Send + Sync + 'static {
    /// One page of the projects matching `filter`, oldest first.
    async fn list_projects(&self, filter: ProjectFilter, page: PageRequest) -> Result<Page<Project>, ServiceError>;

    /// Creates a project. A `parent_id` naming no project, or under which
    /// the project would nest deeper than [`MAX_PROJECT_LEVELS`], is
    /// [`ServiceError::Invalid`] at `parent_id`.
    async fn create_project(&self, new: NewProject) -> Result<Project, ServiceError>;

    /// The project with this id.
    async fn get_project(&self, id: ProjectId) -> Result<Project, ServiceError>;

    /// Applies `patch`; see [`TaskUseCases::update_task`](crate::TaskUseCases::update_task)
    /// for `if_match` and no-op patches. A new parent is checked as on
    /// create, and one that is the project itself or one of its
    /// sub-projects is a [`ServiceError::Conflict`]
    /// ([`ConflictReason::ProjectCycle`]).
    async fn update_project(
        &self,
        id: ProjectId,
        patch: ProjectPatch,
        if_match: Option<u64>,
    ) -> Result<Project, ServiceError>;

    /// Deletes a project. One that still has tasks, or sub-projects, is a
    /// [`ServiceError::Conflict`] ([`ConflictReason::ProjectHasTasks`],
    /// [`ConflictReason::ProjectHasSubprojects`]) unless `cascade`, which
    /// deletes its sub-projects (at every depth) and the tasks of all of
    /// them in the same transaction; the ids of those tasks are returned.
    async fn delete_project(
        &self,
        id: ProjectId,
        cascade: bool,
        if_match: Option<u64>,
    ) -> Result<Vec<TaskId>, ServiceError>;

    /// One page of the project's tasks matching `filter` (whose `project_id`
    /// is replaced by `id`); [`ServiceError::NotFound`] for an unknown project.
    async fn list_project_tasks(
        &self,
        id: ProjectId,
        filter: TaskFilter,
        page: PageRequest,
    ) -> Result<Page<Task>, ServiceError>;
}

/// The project use cases over the project and task repositories.
#[derive(Clone)]
pub struct ProjectService {
    projects: Arc<dyn ProjectRepository>,
    tasks: Arc<dyn TaskRepository>,
    events: Arc<dyn EventPublisher>,
    /// Whether writes store their events (the event log is on).
    log_events: bool,
}

impl ProjectService {
    /// The use cases over these stores (usually one store serving both),
    /// publishing no events.
    pub fn new(projects: Arc<dyn ProjectRepository>, tasks: Arc<dyn TaskRepository>) -> Self {
        Self { projects, tasks, events: Arc::new(NoEvents), log_events: true }
    }

    /// The same use cases, publishing an event after every committed write.
    #[must_use]
    pub fn with_events(self, events: Arc<dyn EventPublisher>) -> Self {
        Self { events, ..self }
    }

    /// The same use cases storing no events at all (the setting
    /// `events.enabled = false`): writes pass none to the store, and
    /// nothing is streamed, kept or delivered.
    #[must_use]
    pub fn without_event_log(self) -> Self {
        Self { log_events: false, ..self }
    }
}

#[async_trait]
impl ProjectUseCases for ProjectService {
    #[tracing::instrument(skip(self), err(level = "debug"))]
    async fn list_projects(&self, filter: ProjectFilter, page: PageRequest) -> Result<Page<Project>, ServiceError> {
        self.projects.list_projects(&filter, page).await.map_err(ServiceError::from_store)
    }

    #[tracing::instrument(skip_all, fields(title = %new.title), err(level = "debug"))]
    async fn create_project(&self, new: NewProject) -> Result<Project, ServiceError> {
        let project = Project::create(new, Timestamp::now());
        let events = logged(self.log_events, || {
            vec![event_about(EntityKind::Project, EventKind::Created, *project.uid.as_uuid(), &project)]
        });
        self.projects.create_project(&project, &events).await.map_err(writing_a_project)?;
        self.events.committed(&events);
        Ok(project)
    }

    #[tracing::instrument(skip(self), err(level = "debug"))]
    async fn get_project(&self, id: ProjectId) -> Result<Project, ServiceError> {
        self.projects
            .get_project(id)
            .await
            .map_err(ServiceError::from_store)?
            .ok_or(ServiceError::NotFound(EntityKind::Project))
    }

    #[tracing::instrument(skip(self, patch), err(level = "debug"))]
    async fn update_project(
        &self,
        id: ProjectId,
        patch: ProjectPatch,
        if_match: Option<u64>,
    ) -> Result<Project, ServiceError> {
        let updated = optimistic::update(
            EntityKind::Project,
            if_match,
            || self.get_project(id),
            |current| Ok(current.patched(patch.clone(), Timestamp::now())),
            writing_a_project,
            |_before, next| {
                let events = logged(self.log_events, || {
                    vec![event_about(EntityKind::Project, EventKind::Updated, *next.uid.as_uuid(), &next)]
                });
                async move {
                    self.projects.update_project(&next, &events).await?;
                    self.events.committed(&events);
                    Ok(next)
                }
            },
        )
        .await?;
        Ok(updated.after.unwrap_or(updated.before))
    }

    #[tracing::instrument(skip(self), err(level = "debug"))]
    async fn delete_project(
        &self,
        id: ProjectId,
        cascade: bool,
        if_match: Option<u64>,
    ) -> Result<Vec<TaskId>, ServiceError> {
        let metadata = self.log_events.then(current_metadata);
        let deleted =
            self.projects.delete_project(id, cascade, if_match, metadata).await.map_err(deleting_a_project)?;
        self.events.committed(&deleted.events);
        Ok(deleted.affected)
    }

    #[tracing::instrument(skip(self), err(level = "debug"))]
    async fn list_project_tasks(
        &self,
        id: ProjectId,
        filter: TaskFilter,
        page: PageRequest,
    ) -> Result<Page<Task>, ServiceError> {
        self.get_project(id).await?;
        let filter = TaskFilter { project_id: Some(id), ..filter };
        self.tasks.list_tasks(&filter, page).await.map_err(ServiceError::from_store)
    }
}

/// What the store's answers to a project delete mean: tasks or
/// sub-projects still in the project, when the delete was not a cascade,
/// are a conflict with that reason.
fn deleting_a_project(error: StoreError) -> ServiceError {
    match error {
        StoreError::HasTasks => ServiceError::Conflict(ConflictReason::ProjectHasTasks),
        StoreError::HasSubprojects => ServiceError::Conflict(ConflictReason::ProjectHasSubprojects),
        other => ServiceError::from_store(other),
    }
}

/// What the store's answers to writing a project (a create or an update)
/// mean: a missing project is the request's `parent_id`, as is a parent
/// under which it would nest too deep; a loop is a conflict naming it.
fn writing_a_project(error: StoreError) -> ServiceError {
    let at_parent = |kind| ServiceError::Invalid(FieldError::new("parent_id", kind).into());
    match error {
        StoreError::MissingReference(EntityKind::Project) => {
            at_parent(FieldErrorKind::UnknownReference(EntityKind::Project))
        }
        StoreError::ProjectTooDeep => at_parent(FieldErrorKind::Invalid(format!(
            "projects nest at most {MAX_PROJECT_LEVELS} levels deep, the top-level project included"
        ))),
        StoreError::ProjectCycle(path) => ServiceError::Conflict(ConflictReason::ProjectCycle(path)),
        other => ServiceError::from_store(other),
    }
}

#[cfg(test)]
mod tests;
