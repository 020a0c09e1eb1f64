//! The outbox contract at the service level: every use case hands its
//! repository write exactly the events that describe it, then tells the
//! publisher those same events — only once the write succeeded, and never
//! for a write that failed or did not happen.
//!
//! The repositories are mocked: each write's events are checked where it is
//! called (`withf`) and recorded in a [`Journal`], which is also the
//! publisher, so one ordered record shows what was stored and what was
//! committed, and in which order.

// Test helpers report failure by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use serde::Serialize;
use trm_domain::{
    DomainEvent, Email, EntityKind, EventMetadata, NewProject, NewTask, NewUser, Priority, Project, ProjectId,
    ProjectPatch, ProjectStatus, Task, TaskId, TaskPatch, TaskStatus, Timestamp, Title, User, UserId, UserPatch,
    Username,
};
use trm_repository::{Cascade, MockProjectRepository, MockTaskRepository, MockUserRepository, StoreError};
use trm_service::{
    EventPublisher, ProjectService, ProjectUseCases, ServiceError, TaskService, TaskUseCases, UserService,
    UserUseCases, with_request_id,
};
use uuid::Uuid;

/// One thing that happened to a batch of events.
#[derive(Debug, Clone, PartialEq)]
enum Entry {
    /// A repository write was given these events and succeeded.
    Stored(Vec<DomainEvent>),
    /// A repository write was given these events and failed.
    Refused(Vec<DomainEvent>),
    /// The publisher was told these events were committed.
    Committed(Vec<DomainEvent>),
}

/// What the mocked repositories stored and what the publisher was told, in
/// order.
#[derive(Default)]
struct Journal(Mutex<Vec<Entry>>);

impl Journal {
    /// Records a write of `events` that succeeds.
    fn store(&self, events: &[DomainEvent]) -> Result<(), StoreError> {
        self.0.lock().unwrap().push(Entry::Stored(events.to_vec()));
        Ok(())
    }

    /// Records a write of `events` that fails with `error`.
    fn refuse<T>(&self, events: &[DomainEvent], error: StoreError) -> Result<T, StoreError> {
        self.0.lock().unwrap().push(Entry::Refused(events.to_vec()));
        Err(error)
    }

    fn entries(&self) -> Vec<Entry> {
        self.0.lock().unwrap().clone()
    }

    /// The events of the one write that happened, after checking that the
    /// publisher was told exactly them, once, after the write — and
    /// nothing else happened.
    fn stored_then_committed(&self) -> Vec<DomainEvent> {
        let entries = self.entries();
        let [Entry::Stored(stored), Entry::Committed(committed)] = entries.as_slice() else {
            panic!("expected one write and then its commit, got {entries:#?}");
        };
        assert_eq!(committed, stored, "the publisher is told exactly the events the write stored");
        stored.clone()
    }

    /// Checks that the publisher was told nothing.
    fn assert_nothing_committed(&self) {
        let entries = self.entries();
        assert!(
            entries.iter().all(|entry| !matches!(entry, Entry::Committed(_))),
            "a write that failed or did not happen commits nothing: {entries:#?}"
        );
    }
}

impl EventPublisher for Journal {
    fn committed(&self, events: &[DomainEvent]) {
        self.0.lock().unwrap().push(Entry::Committed(events.to_vec()));
    }
}

fn types(events: &[DomainEvent]) -> Vec<&str> {
    events.iter().map(|event| event.event_type.as_str()).collect()
}

/// Whether `event` is about `id` with `value` as its data and was caused by
/// the request `request_id`.
fn describes<T: Serialize>(event: &DomainEvent, id: Uuid, value: &T, request_id: &str) -> bool {
    event.entity_id == id
        && event.data == serde_json::to_value(value).unwrap()
        && event.metadata.request_id.as_deref() == Some(request_id)
}

fn unavailable() -> StoreError {
    StoreError::Unavailable(anyhow::anyhow!("down"))
}

fn title(text: &str) -> Title {
    Title::parse(text).unwrap()
}

fn task(status: TaskStatus) -> Task {
    Task::create(NewTask { status, ..NewTask::new(title("t")) }, Timestamp::now()).unwrap()
}

fn new_user(name: &str) -> NewUser {
    NewUser::new(Username::parse(name).unwrap(), Email::parse("someone@example.com").unwrap())
}

fn tasks_into(repository: MockTaskRepository, journal: &Arc<Journal>) -> TaskService {
    TaskService::new(Arc::new(repository)).with_events(journal.clone())
}

fn projects_into(projects: MockProjectRepository, journal: &Arc<Journal>) -> ProjectService {
    ProjectService::new(Arc::new(projects), Arc::new(MockTaskRepository::new())).with_events(journal.clone())
}

fn users_into(users: MockUserRepository, journal: &Arc<Journal>) -> UserService {
    UserService::new(Arc::new(users)).with_events(journal.clone())
}

// Tasks.

#[tokio::test]
async fn creating_a_task_stores_one_task_created_with_the_task_and_the_request_id_then_commits_it() {
    let journal = Arc::new(Journal::default());
    let mut repository = MockTaskRepository::new();
    let log = journal.clone();
    repository
        .expect_create_task()
        .withf(|task, events| {
            types(events) == ["task.created"]
                && events[0].entity_type == "task"
                && describes(&events[0], *task.uid.as_uuid(), task, "req-1")
        })
        .times(1)
        .returning(move |_, events| log.store(events));
    let service = tasks_into(repository, &journal);
    let created = with_request_id("req-1".into(), service.create_task(NewTask::new(title("t")))).await.unwrap();
    let events = journal.stored_then_committed();
    assert_eq!(events[0].entity_id, *created.uid.as_uuid());
    assert_eq!(events[0].data["title"], "t");
}

#[tokio::test]
async fn completing_a_task_stores_task_updated_then_task_completed_with_the_new_task_then_commits_them() {
    let stored = task(TaskStatus::InProgress);
    let id = stored.uid;
    let journal = Arc::new(Journal::default());
    let mut repository = MockTaskRepository::new();
    repository.expect_get_task().returning(move |_| Ok(Some(stored.clone())));
    let log = journal.clone();
    repository
        .expect_update_task()
        .withf(|task, events| {
            task.status == TaskStatus::Done
                && types(events) == ["task.updated", "task.completed"]
                && events.iter().all(|event| describes(event, *task.uid.as_uuid(), task, "req-2"))
        })
        .times(1)
        .returning(move |_, events| log.store(events));
    let service = tasks_into(repository, &journal);
    let patch = TaskPatch { status: Some(TaskStatus::Done), ..TaskPatch::default() };
    let updated = with_request_id("req-2".into(), service.update_task(id, patch, None)).await.unwrap();
    let events = journal.stored_then_committed();
    assert_eq!(events[1].data["version"], updated.version);
}

#[tokio::test]
async fn updating_a_task_already_done_stores_only_task_updated() {
    let stored = task(TaskStatus::Done);
    let id = stored.uid;
    let journal = Arc::new(Journal::default());
    let mut repository = MockTaskRepository::new();
    repository.expect_get_task().returning(move |_| Ok(Some(stored.clone())));
    let log = journal.clone();
    repository
        .expect_update_task()
        .withf(|task, events| {
            types(events) == ["task.updated"] && describes(&events[0], *task.uid.as_uuid(), task, "req-3")
        })
        .times(1)
        .returning(move |_, events| log.store(events));
    let service = tasks_into(repository, &journal);
    let patch = TaskPatch { priority: Some(Priority::Urgent), ..TaskPatch::default() };
    with_request_id("req-3".into(), service.update_task(id, patch, None)).await.unwrap();
    journal.stored_then_committed();
}

#[tokio::test]
async fn a_patch_that_changes_nothing_writes_nothing_and_commits_nothing() {
    let stored = task(TaskStatus::Todo);
    let mut repository = MockTaskRepository::new();
    repository.expect_get_task().returning(move |_| Ok(Some(stored.clone())));
    repository.expect_update_task().never();
    let journal = Arc::new(Journal::default());
    let service = tasks_into(repository, &journal);
    let patch = TaskPatch { status: Some(TaskStatus::Todo), ..TaskPatch::default() };
    let same = service.update_task(TaskId::new(), patch, None).await.unwrap();
    assert_eq!(same.version, 1);
    assert_eq!(journal.entries(), []);
}

#[tokio::test]
async fn an_update_retried_after_losing_a_race_commits_only_the_events_of_the_write_that_succeeded() {
    let stored = task(TaskStatus::Todo);
    let journal = Arc::new(Journal::default());
    let mut repository = MockTaskRepository::new();
    repository.expect_get_task().times(2).returning(move |_| Ok(Some(stored.clone())));
    let mut sequence = mockall::Sequence::new();
    let log = journal.clone();
    repository
        .expect_update_task()
        .times(1)
        .in_sequence(&mut sequence)
        .returning(move |_, events| log.refuse(events, StoreError::VersionConflict));
    let log = journal.clone();
    repository.expect_update_task().times(1).in_sequence(&mut sequence).returning(move |_, events| log.store(events));
    let service = tasks_into(repository, &journal);
    let patch = TaskPatch { priority: Some(Priority::High), ..TaskPatch::default() };
    service.update_task(TaskId::new(), patch, None).await.unwrap();
    let entries = journal.entries();
    let [Entry::Refused(lost), Entry::Stored(stored), Entry::Committed(committed)] = entries.as_slice() else {
        panic!("expected a lost write, a successful one and its commit, got {entries:#?}");
    };
    assert_eq!(committed, stored);
    assert_eq!((types(lost), types(stored)), (vec!["task.updated"], vec!["task.updated"]));
    assert_ne!(lost[0].event_id, stored[0].event_id, "the retry describes its own write");
}

#[tokio::test]
async fn deleting_a_task_commits_what_the_store_logged_the_unblocked_tasks_then_the_delete() {
    let id = TaskId::new();
    let unblocked = vec![task(TaskStatus::Todo)];
    let returned = unblocked.clone();
    let journal = Arc::new(Journal::default());
    let mut repository = MockTaskRepository::new();
    let log = journal.clone();
    repository
        .expect_delete_task()
        .withf(move |deleted, if_match, _, _, metadata| {
            *deleted == id
                && *if_match == Some(3)
                && metadata.as_ref().is_some_and(|m| m.request_id.as_deref() == Some("req-4"))
        })
        .times(1)
        .returning(move |task, _, _, _, metadata| {
            let events = DomainEvent::task_deleted(*task.as_uuid(), &returned, metadata.as_ref().unwrap());
            log.store(&events)?;
            Ok(Cascade { affected: returned.clone(), events })
        });
    let service = tasks_into(repository, &journal);
    let affected = with_request_id("req-4".into(), service.delete_task(id, false, Some(3))).await.unwrap();
    assert_eq!(affected, unblocked);
    let events = journal.stored_then_committed();
    assert_eq!(types(&events), ["task.updated", "task.deleted"]);
    assert_eq!(events[1].data, serde_json::json!({ "uid": id }));
}

#[tokio::test]
async fn a_task_write_that_fails_commits_nothing() {
    let stored = task(TaskStatus::Todo);
    let journal = Arc::new(Journal::default());
    let mut repository = MockTaskRepository::new();
    repository.expect_get_task().returning(move |_| Ok(Some(stored.clone())));
    let log = journal.clone();
    repository.expect_create_task().times(1).returning(move |_, events| log.refuse(events, unavailable()));
    let log = journal.clone();
    repository
        .expect_create_tasks()
        .times(1)
        .returning(move |_, events| log.refuse(events, StoreError::MissingReferences(vec![(1, EntityKind::Project)])));
    let log = journal.clone();
    repository
        .expect_update_task()
        .times(1)
        .returning(move |_, events| log.refuse(events, StoreError::VersionConflict));
    let log = journal.clone();
    repository
        .expect_delete_task()
        .times(1)
        .returning(move |_, _, _, _, _| log.refuse(&[], StoreError::NotFound(EntityKind::Task)));
    let service = tasks_into(repository, &journal);
    assert!(matches!(service.create_task(NewTask::new(title("t"))).await, Err(ServiceError::Unavailable(_))));
    let bulk = vec![NewTask::new(title("a")), NewTask::new(title("b"))];
    assert!(matches!(service.create_tasks(bulk).await, Err(ServiceError::Invalid(_))));
    let patch = TaskPatch { priority: Some(Priority::High), ..TaskPatch::default() };
    assert!(matches!(service.update_task(TaskId::new(), patch, Some(1)).await, Err(ServiceError::PreconditionFailed)));
    assert!(matches!(service.delete_task(TaskId::new(), false, None).await, Err(ServiceError::NotFound(_))));
    assert_eq!(journal.entries().len(), 4, "each write was attempted once");
    journal.assert_nothing_committed();
}

// Projects.

#[tokio::test]
async fn creating_a_project_stores_one_project_created_with_the_project_then_commits_it() {
    let journal = Arc::new(Journal::default());
    let mut projects = MockProjectRepository::new();
    let log = journal.clone();
    projects
        .expect_create_project()
        .withf(|project, events| {
            types(events) == ["project.created"]
                && events[0].entity_type == "project"
                && describes(&events[0], *project.uid.as_uuid(), project, "req-5")
        })
        .times(1)
        .returning(move |_, events| log.store(events));
    let service = projects_into(projects, &journal);
    let created = with_request_id("req-5".into(), service.create_project(NewProject::new(title("p")))).await.unwrap();
    assert_eq!(journal.stored_then_committed()[0].entity_id, *created.uid.as_uuid());
}

#[tokio::test]
async fn updating_a_project_stores_one_project_updated_with_the_new_project_then_commits_it() {
    let stored = Project::create(NewProject::new(title("p")), Timestamp::now());
    let id = stored.uid;
    let journal = Arc::new(Journal::default());
    let mut projects = MockProjectRepository::new();
    projects.expect_get_project().returning(move |_| Ok(Some(stored.clone())));
    let log = journal.clone();
    projects
        .expect_update_project()
        .withf(|project, events| {
            project.status == ProjectStatus::Archived
                && types(events) == ["project.updated"]
                && describes(&events[0], *project.uid.as_uuid(), project, "req-6")
        })
        .times(1)
        .returning(move |_, events| log.store(events));
    let service = projects_into(projects, &journal);
    let patch = ProjectPatch { status: Some(ProjectStatus::Archived), ..ProjectPatch::default() };
    with_request_id("req-6".into(), service.update_project(id, patch, None)).await.unwrap();
    journal.stored_then_committed();
}

#[tokio::test]
async fn a_cascade_delete_passes_the_request_metadata_and_commits_exactly_the_events_the_repository_stored() {
    let id = ProjectId::new();
    let deleted = vec![TaskId::new(), TaskId::new()];
    let returned = deleted.clone();
    let journal = Arc::new(Journal::default());
    let mut projects = MockProjectRepository::new();
    let log = journal.clone();
    projects
        .expect_delete_project()
        .withf(move |project, cascade, if_match, metadata| {
            *project == id
                && *cascade
                && if_match.is_none()
                && metadata.as_ref().is_some_and(|m| m.request_id.as_deref() == Some("req-7"))
        })
        .times(1)
        .returning(move |project, _, _, metadata| {
            let events =
                DomainEvent::project_deleted(&[*project.as_uuid()], &returned, &[], metadata.as_ref().unwrap());
            log.store(&events)?;
            Ok(Cascade { affected: returned.clone(), events })
        });
    let service = projects_into(projects, &journal);
    let affected = with_request_id("req-7".into(), service.delete_project(id, true, None)).await.unwrap();
    assert_eq!(affected, deleted);
    let events = journal.stored_then_committed();
    assert_eq!(types(&events), ["task.deleted", "task.deleted", "project.deleted"]);
}

#[tokio::test]
async fn a_project_write_that_fails_commits_nothing() {
    let stored = Project::create(NewProject::new(title("p")), Timestamp::now());
    let journal = Arc::new(Journal::default());
    let mut projects = MockProjectRepository::new();
    projects.expect_get_project().returning(move |_| Ok(Some(stored.clone())));
    let log = journal.clone();
    projects.expect_create_project().times(1).returning(move |_, events| log.refuse(events, unavailable()));
    let log = journal.clone();
    projects
        .expect_update_project()
        .times(1)
        .returning(move |_, events| log.refuse(events, StoreError::VersionConflict));
    projects.expect_delete_project().times(1).returning(|_, _, _, _| Err(StoreError::HasTasks));
    let service = projects_into(projects, &journal);
    assert!(service.create_project(NewProject::new(title("p"))).await.is_err());
    let patch = ProjectPatch { status: Some(ProjectStatus::Archived), ..ProjectPatch::default() };
    assert!(matches!(
        service.update_project(ProjectId::new(), patch, Some(1)).await,
        Err(ServiceError::PreconditionFailed)
    ));
    assert!(matches!(service.delete_project(ProjectId::new(), false, None).await, Err(ServiceError::Conflict(_))));
    journal.assert_nothing_committed();
}

// Users.

#[tokio::test]
async fn creating_a_user_stores_one_user_created_with_the_user_then_commits_it() {
    let journal = Arc::new(Journal::default());
    let mut users = MockUserRepository::new();
    let log = journal.clone();
    users
        .expect_create_user()
        .withf(|user, events| {
            types(events) == ["user.created"]
                && events[0].entity_type == "user"
                && describes(&events[0], *user.uid.as_uuid(), user, "req-8")
        })
        .times(1)
        .returning(move |_, events| log.store(events));
    let service = users_into(users, &journal);
    let created = with_request_id("req-8".into(), service.create_user(new_user("ada"))).await.unwrap();
    assert_eq!(journal.stored_then_committed()[0].entity_id, *created.uid.as_uuid());
}

#[tokio::test]
async fn updating_a_user_stores_one_user_updated_with_the_new_user_then_commits_it() {
    let stored = User::create(new_user("ada"), Timestamp::now());
    let id = stored.uid;
    let journal = Arc::new(Journal::default());
    let mut users = MockUserRepository::new();
    users.expect_get_user().returning(move |_| Ok(Some(stored.clone())));
    let log = journal.clone();
    users
        .expect_update_user()
        .withf(|user, events| {
            !user.is_active
                && types(events) == ["user.updated"]
                && describes(&events[0], *user.uid.as_uuid(), user, "req-9")
        })
        .times(1)
        .returning(move |_, events| log.store(events));
    let service = users_into(users, &journal);
    let patch = UserPatch { is_active: Some(false), ..UserPatch::default() };
    with_request_id("req-9".into(), service.update_user(id, patch, None)).await.unwrap();
    journal.stored_then_committed();
}

#[tokio::test]
async fn deleting_a_user_passes_the_request_metadata_and_commits_exactly_the_events_the_repository_stored() {
    let id = UserId::new();
    let unassigned = vec![task(TaskStatus::Todo), task(TaskStatus::Done)];
    let returned = unassigned.clone();
    let journal = Arc::new(Journal::default());
    let mut users = MockUserRepository::new();
    let log = journal.clone();
    users
        .expect_delete_user()
        .withf(move |user, if_match, _, metadata| {
            *user == id
                && *if_match == Some(2)
                && metadata.as_ref().is_some_and(|m| m.request_id.as_deref() == Some("req-10"))
        })
        .times(1)
        .returning(move |user, _, _, metadata| {
            let events = DomainEvent::user_deleted(*user.as_uuid(), &returned, metadata.as_ref().unwrap());
            log.store(&events)?;
            Ok(Cascade { affected: returned.clone(), events })
        });
    let service = users_into(users, &journal);
    let affected = with_request_id("req-10".into(), service.delete_user(id, Some(2))).await.unwrap();
    assert_eq!(affected, unassigned);
    let events = journal.stored_then_committed();
    assert_eq!(types(&events), ["task.updated", "task.updated", "user.deleted"]);
}

#[tokio::test]
async fn a_user_write_that_fails_commits_nothing() {
    let stored = User::create(new_user("ada"), Timestamp::now());
    let journal = Arc::new(Journal::default());
    let mut users = MockUserRepository::new();
    users.expect_get_user().returning(move |_| Ok(Some(stored.clone())));
    let log = journal.clone();
    users
        .expect_create_user()
        .times(1)
        .returning(move |_, events| log.refuse(events, StoreError::Duplicate("username")));
    let log = journal.clone();
    users.expect_update_user().times(1).returning(move |_, events| log.refuse(events, unavailable()));
    users.expect_delete_user().times(1).returning(|_, _, _, _| Err(StoreError::NotFound(EntityKind::User)));
    let service = users_into(users, &journal);
    assert!(matches!(service.create_user(new_user("ada")).await, Err(ServiceError::Conflict(_))));
    let patch = UserPatch { is_active: Some(false), ..UserPatch::default() };
    assert!(matches!(service.update_user(UserId::new(), patch, None).await, Err(ServiceError::Unavailable(_))));
    assert!(matches!(service.delete_user(UserId::new(), None).await, Err(ServiceError::NotFound(_))));
    journal.assert_nothing_committed();
}

/// The metadata a cascade is given is the request's; without a request it
/// is empty rather than missing.
#[tokio::test]
async fn a_cascade_outside_any_request_passes_empty_metadata() {
    let journal = Arc::new(Journal::default());
    let mut projects = MockProjectRepository::new();
    projects
        .expect_delete_project()
        .withf(|_, _, _, metadata| *metadata == Some(EventMetadata::default()))
        .times(1)
        .returning(|project, _, _, metadata| {
            let events = DomainEvent::project_deleted(&[*project.as_uuid()], &[], &[], metadata.as_ref().unwrap());
            Ok(Cascade { affected: vec![], events })
        });
    let service = projects_into(projects, &journal);
    assert!(service.delete_project(ProjectId::new(), false, None).await.unwrap().is_empty());
    let entries = journal.entries();
    let [Entry::Committed(events)] = entries.as_slice() else { panic!("{entries:#?}") };
    assert_eq!(types(events), ["project.deleted"]);
}
