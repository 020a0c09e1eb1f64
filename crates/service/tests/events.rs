//! Which events each use case publishes — and that a failed write publishes
//! none. The repositories are mocked; the publisher records what it is given.

// Test helpers report failure by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use trm_domain::{
    DomainEvent, Email, EntityKind, NewProject, NewTask, NewUser, Priority, Project, Task, TaskId, TaskPatch,
    TaskStatus, Timestamp, Title, User, Username,
};
use trm_repository::{MockProjectRepository, MockTaskRepository, MockUserRepository, StoreError};
use trm_service::{
    EventPublisher, ProjectService, ProjectUseCases, TaskService, TaskUseCases, UserService, UserUseCases,
    with_request_id,
};

/// Remembers every event published, in order.
#[derive(Default)]
struct Recorder(Mutex<Vec<DomainEvent>>);

impl EventPublisher for Recorder {
    fn publish(&self, event: DomainEvent) {
        self.0.lock().unwrap().push(event);
    }
}

impl Recorder {
    fn types(&self) -> Vec<String> {
        self.0.lock().unwrap().iter().map(|e| e.event_type.clone()).collect()
    }
}

fn task(status: TaskStatus) -> Task {
    Task::create(NewTask { status, ..NewTask::new(Title::parse("t").unwrap()) }, Timestamp::now()).unwrap()
}

fn tasks_with(repository: MockTaskRepository) -> (TaskService, Arc<Recorder>) {
    let recorder = Arc::new(Recorder::default());
    (TaskService::new(Arc::new(repository)).with_events(recorder.clone()), recorder)
}

#[tokio::test]
async fn a_created_task_is_published_with_its_data_and_request_id() {
    let mut repository = MockTaskRepository::new();
    repository.expect_create_task().returning(|_| Ok(()));
    let (service, recorder) = tasks_with(repository);
    let created =
        with_request_id("req-1".into(), service.create_task(NewTask::new(Title::parse("t").unwrap()))).await.unwrap();
    let events = recorder.0.lock().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type, "task.created");
    assert_eq!(events[0].entity_id, *created.uid.as_uuid());
    assert_eq!(events[0].data["title"], "t");
    assert_eq!(events[0].metadata.request_id.as_deref(), Some("req-1"));
}

#[tokio::test]
async fn a_write_that_fails_publishes_nothing() {
    let mut repository = MockTaskRepository::new();
    repository.expect_create_task().returning(|_| Err(StoreError::Unavailable(anyhow::anyhow!("down"))));
    repository.expect_delete_task().returning(|_, _| Err(StoreError::NotFound(EntityKind::Task)));
    let stored = task(TaskStatus::Todo);
    repository.expect_get_task().returning(move |_| Ok(Some(stored.clone())));
    repository.expect_update_task().returning(|_| Err(StoreError::VersionConflict));
    let (service, recorder) = tasks_with(repository);
    assert!(service.create_task(NewTask::new(Title::parse("t").unwrap())).await.is_err());
    assert!(service.delete_task(TaskId::new(), None).await.is_err());
    let patch = TaskPatch { priority: Some(Priority::High), ..TaskPatch::default() };
    assert!(service.update_task(TaskId::new(), patch, Some(1)).await.is_err());
    assert!(recorder.types().is_empty());
}

#[tokio::test]
async fn completing_a_task_publishes_updated_then_completed() {
    let stored = task(TaskStatus::InProgress);
    let mut repository = MockTaskRepository::new();
    repository.expect_get_task().returning(move |_| Ok(Some(stored.clone())));
    repository.expect_update_task().returning(|_| Ok(()));
    let (service, recorder) = tasks_with(repository);
    let patch = TaskPatch { status: Some(TaskStatus::Done), ..TaskPatch::default() };
    service.update_task(TaskId::new(), patch, None).await.unwrap();
    assert_eq!(recorder.types(), ["task.updated", "task.completed"]);
}

#[tokio::test]
async fn an_update_of_a_task_already_done_is_not_a_completion() {
    let stored = task(TaskStatus::Done);
    let mut repository = MockTaskRepository::new();
    repository.expect_get_task().returning(move |_| Ok(Some(stored.clone())));
    repository.expect_update_task().returning(|_| Ok(()));
    let (service, recorder) = tasks_with(repository);
    let patch = TaskPatch { priority: Some(Priority::Urgent), ..TaskPatch::default() };
    service.update_task(TaskId::new(), patch, None).await.unwrap();
    assert_eq!(recorder.types(), ["task.updated"]);
}

#[tokio::test]
async fn a_patch_that_changes_nothing_publishes_nothing() {
    let stored = task(TaskStatus::Todo);
    let mut repository = MockTaskRepository::new();
    repository.expect_get_task().returning(move |_| Ok(Some(stored.clone())));
    let (service, recorder) = tasks_with(repository);
    let patch = TaskPatch { status: Some(TaskStatus::Todo), ..TaskPatch::default() };
    service.update_task(TaskId::new(), patch, None).await.unwrap();
    assert!(recorder.types().is_empty());
}

#[tokio::test]
async fn a_deleted_task_is_published_with_only_its_id() {
    let mut repository = MockTaskRepository::new();
    repository.expect_delete_task().returning(|_, _| Ok(()));
    let (service, recorder) = tasks_with(repository);
    let id = TaskId::new();
    service.delete_task(id, None).await.unwrap();
    let events = recorder.0.lock().unwrap();
    assert_eq!(events[0].event_type, "task.deleted");
    assert_eq!(events[0].data, serde_json::json!({ "uid": id }));
}

#[tokio::test]
async fn a_cascade_publishes_each_deleted_task_then_the_project() {
    let deleted = vec![TaskId::new(), TaskId::new()];
    let returned = deleted.clone();
    let mut projects = MockProjectRepository::new();
    projects.expect_delete_project().returning(move |_, _, _| Ok(returned.clone()));
    let recorder = Arc::new(Recorder::default());
    let service =
        ProjectService::new(Arc::new(projects), Arc::new(MockTaskRepository::new())).with_events(recorder.clone());
    let project = Project::create(NewProject::new(Title::parse("p").unwrap()), Timestamp::now());
    service.delete_project(project.uid, true, None).await.unwrap();
    assert_eq!(recorder.types(), ["task.deleted", "task.deleted", "project.deleted"]);
    let events = recorder.0.lock().unwrap();
    assert_eq!(events[0].entity_id, *deleted[0].as_uuid());
    assert_eq!(events[2].entity_id, *project.uid.as_uuid());
}

#[tokio::test]
async fn deleting_a_user_publishes_each_unassigned_task_then_the_user() {
    let unassigned = vec![task(TaskStatus::Todo), task(TaskStatus::Done)];
    let mut users = MockUserRepository::new();
    users.expect_delete_user().returning(move |_, _, _| Ok(unassigned.clone()));
    let recorder = Arc::new(Recorder::default());
    let service = UserService::new(Arc::new(users)).with_events(recorder.clone());
    let user = User::create(
        NewUser::new(Username::parse("ada").unwrap(), Email::parse("ada@example.com").unwrap()),
        Timestamp::now(),
    );
    service.delete_user(user.uid, None).await.unwrap();
    assert_eq!(recorder.types(), ["task.updated", "task.updated", "user.deleted"]);
}

#[tokio::test]
async fn creating_a_project_and_a_user_publishes_their_created_events() {
    let mut projects = MockProjectRepository::new();
    projects.expect_create_project().returning(|_| Ok(()));
    let mut users = MockUserRepository::new();
    users.expect_create_user().returning(|_| Ok(()));
    let recorder = Arc::new(Recorder::default());
    let project_service =
        ProjectService::new(Arc::new(projects), Arc::new(MockTaskRepository::new())).with_events(recorder.clone());
    let user_service = UserService::new(Arc::new(users)).with_events(recorder.clone());
    project_service.create_project(NewProject::new(Title::parse("p").unwrap())).await.unwrap();
    user_service
        .create_user(NewUser::new(Username::parse("bob").unwrap(), Email::parse("bob@example.com").unwrap()))
        .await
        .unwrap();
    assert_eq!(recorder.types(), ["project.created", "user.created"]);
}
