//! The project use cases.

use std::sync::Arc;

use async_trait::async_trait;
use trm_domain::{
    EntityKind, EventKind, NewProject, Page, PageRequest, Project, ProjectId, ProjectPatch, Task, TaskId, Timestamp,
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

    /// Creates a project.
    async fn create_project(&self, new: NewProject) -> Result<Project, ServiceError>;

    /// The project with this id.
    async fn get_project(&self, id: ProjectId) -> Result<Project, ServiceError>;

    /// Applies `patch`; see [`TaskUseCases::update_task`](crate::TaskUseCases::update_task)
    /// for `if_match` and no-op patches.
    async fn update_project(
        &self,
        id: ProjectId,
        patch: ProjectPatch,
        if_match: Option<u64>,
    ) -> Result<Project, ServiceError>;

    /// Deletes a project. One that still has tasks is a
    /// [`ServiceError::Conflict`] ([`ConflictReason::ProjectHasTasks`]) unless `cascade`, which deletes its tasks in
    /// the same transaction; their ids are returned.
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
        self.projects.create_project(&project, &events).await.map_err(ServiceError::from_store)?;
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
            ServiceError::from_store,
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

/// What the store's answers to a project delete mean: tasks still in the
/// project, when the delete was not a cascade, are a conflict with that
/// reason.
fn deleting_a_project(error: StoreError) -> ServiceError {
    match error {
        StoreError::HasTasks => ServiceError::Conflict(ConflictReason::ProjectHasTasks),
        other => ServiceError::from_store(other),
    }
}

#[cfg(test)]
mod tests {
    use trm_domain::{ProjectStatus, Title};
    use trm_repository::{Cascade, MockProjectRepository, MockTaskRepository};

    use super::*;

    fn service(projects: MockProjectRepository, tasks: MockTaskRepository) -> ProjectService {
        ProjectService::new(Arc::new(projects), Arc::new(tasks))
    }

    #[tokio::test]
    async fn without_the_event_log_a_cascade_asks_the_store_for_no_events() {
        let mut projects = MockProjectRepository::new();
        projects
            .expect_delete_project()
            .withf(|_, _, _, metadata| metadata.is_none())
            .times(1)
            .returning(|_, _, _, _| Ok(trm_repository::Cascade { affected: vec![], events: vec![] }));
        let service = service(projects, MockTaskRepository::new()).without_event_log();
        assert!(service.delete_project(ProjectId::new(), true, None).await.unwrap().is_empty());
    }

    fn stored_project() -> Project {
        Project::create(NewProject::new(Title::parse("Launch").unwrap()), Timestamp::now())
    }

    #[tokio::test]
    async fn creating_a_project_stores_it() {
        let mut projects = MockProjectRepository::new();
        projects.expect_create_project().withf(|p, _| p.title.as_str() == "Launch").times(1).returning(|_, _| Ok(()));
        let project = service(projects, MockTaskRepository::new())
            .create_project(NewProject::new(Title::parse("Launch").unwrap()))
            .await
            .unwrap();
        assert_eq!(project.status, ProjectStatus::Active);
    }

    #[tokio::test]
    async fn deleting_a_project_with_tasks_is_a_conflict_naming_the_reason() {
        let mut projects = MockProjectRepository::new();
        projects
            .expect_delete_project()
            .withf(|_, cascade, _, _| !cascade)
            .returning(|_, _, _, _| Err(StoreError::HasTasks));
        let result = service(projects, MockTaskRepository::new()).delete_project(ProjectId::new(), false, None).await;
        assert!(matches!(result, Err(ServiceError::Conflict(ConflictReason::ProjectHasTasks))), "{result:?}");
    }

    #[tokio::test]
    async fn a_cascade_delete_returns_the_deleted_tasks() {
        let deleted = vec![TaskId::new(), TaskId::new()];
        let expected = deleted.clone();
        let mut projects = MockProjectRepository::new();
        projects
            .expect_delete_project()
            .withf(|_, cascade, _, _| *cascade)
            .returning(move |_, _, _, _| Ok(Cascade { affected: deleted.clone(), events: vec![] }));
        let result = service(projects, MockTaskRepository::new()).delete_project(ProjectId::new(), true, None).await;
        assert_eq!(result.unwrap(), expected);
    }

    #[tokio::test]
    async fn listing_the_tasks_of_an_unknown_project_is_not_found() {
        let mut projects = MockProjectRepository::new();
        projects.expect_get_project().returning(|_| Ok(None));
        let mut tasks = MockTaskRepository::new();
        tasks.expect_list_tasks().never();
        let result = service(projects, tasks)
            .list_project_tasks(ProjectId::new(), TaskFilter::default(), PageRequest::first())
            .await;
        assert!(matches!(result, Err(ServiceError::NotFound(EntityKind::Project))));
    }

    #[tokio::test]
    async fn listing_a_projects_tasks_filters_by_that_project() {
        let project = stored_project();
        let id = project.uid;
        let mut projects = MockProjectRepository::new();
        projects.expect_get_project().returning(move |_| Ok(Some(project.clone())));
        let mut tasks = MockTaskRepository::new();
        tasks
            .expect_list_tasks()
            .withf(move |filter, _| filter.project_id == Some(id))
            .times(1)
            .returning(|_, _| Ok(Page { items: vec![], next: None }));
        let result = service(projects, tasks).list_project_tasks(id, TaskFilter::default(), PageRequest::first()).await;
        assert!(result.is_ok());
    }

    #[tokio::test]
    async fn a_project_update_with_a_stale_if_match_is_refused() {
        let project = stored_project();
        let id = project.uid;
        let mut projects = MockProjectRepository::new();
        projects.expect_get_project().returning(move |_| Ok(Some(project.clone())));
        projects.expect_update_project().never();
        let patch = ProjectPatch { status: Some(ProjectStatus::Archived), ..ProjectPatch::default() };
        let result = service(projects, MockTaskRepository::new()).update_project(id, patch, Some(9)).await;
        assert!(matches!(result, Err(ServiceError::PreconditionFailed)));
    }
}
