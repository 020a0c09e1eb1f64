//! The task use cases against a mocked [`TaskRepository`](trm_repository::TaskRepository).

use std::sync::Mutex;

use mockall::predicate::eq;
use trm_domain::{Priority, ProjectId, TaskStatus, Title, UserId};

use crate::ConflictReason;
use trm_repository::MockTaskRepository;
use uuid::Uuid;

use super::*;

fn new_task(title: &str) -> NewTask {
    NewTask::new(Title::parse(title).unwrap())
}

fn stored_task() -> Task {
    Task::create(new_task("Stored"), Timestamp::now()).unwrap()
}

fn service(repository: MockTaskRepository) -> TaskService {
    TaskService::new(Arc::new(repository))
}

#[tokio::test]
async fn without_the_event_log_writes_store_no_events_and_commit_none() {
    let mut repository = MockTaskRepository::new();
    repository.expect_create_task().withf(|_, events| events.is_empty()).times(1).returning(|_, _| Ok(()));
    repository
        .expect_delete_task()
        .withf(|_, _, _, _, metadata| metadata.is_none())
        .times(1)
        .returning(|_, _, _, _, _| Ok(trm_repository::Cascade { affected: Vec::new(), events: Vec::new() }));
    let mut publisher = crate::events::MockEventPublisher::new();
    publisher.expect_committed().withf(|events| events.is_empty()).returning(|_| ());
    let service = service(repository).with_events(Arc::new(publisher)).without_event_log();
    let task = service.create_task(new_task("quiet")).await.unwrap();
    service.delete_task(task.uid, false, None).await.unwrap();
}

#[tokio::test]
async fn creating_a_task_stores_it_at_version_one() {
    let mut repository = MockTaskRepository::new();
    repository
        .expect_create_task()
        .withf(|task, _| task.title.as_str() == "Write docs" && task.version == 1)
        .times(1)
        .returning(|_, _| Ok(()));
    let task = service(repository).create_task(new_task("Write docs")).await.unwrap();
    assert_eq!(task.status, TaskStatus::Todo);
}

#[tokio::test]
async fn creating_a_task_in_a_missing_project_is_invalid_at_project_id() {
    let mut repository = MockTaskRepository::new();
    repository.expect_create_task().returning(|_, _| Err(StoreError::MissingReference(EntityKind::Project)));
    let new = NewTask { project_id: Some(ProjectId::new()), ..new_task("Orphan") };
    let Err(ServiceError::Invalid(errors)) = service(repository).create_task(new).await else {
        panic!("expected a validation error");
    };
    assert_eq!(errors.errors()[0].path, trm_domain::FieldPath::field("project_id"));
    assert_eq!(errors.errors()[0].kind, FieldErrorKind::UnknownReference(EntityKind::Project));
}

#[tokio::test]
async fn creating_a_task_due_before_it_starts_never_reaches_the_store() {
    let repository = MockTaskRepository::new(); // any call would fail the test
    let new = NewTask {
        start_date: Some(Timestamp::parse("2026-02-02").unwrap()),
        due_date: Some(Timestamp::parse("2026-02-01").unwrap()),
        ..new_task("Backwards")
    };
    assert!(matches!(service(repository).create_task(new).await, Err(ServiceError::Invalid(_))));
}

/// Remembers each batch of events the publisher is told were committed.
#[derive(Default)]
struct Committed(Mutex<Vec<Vec<DomainEvent>>>);

impl EventPublisher for Committed {
    fn committed(&self, events: &[DomainEvent]) {
        self.0.lock().unwrap().push(events.to_vec());
    }
}

#[tokio::test]
async fn a_bulk_create_stores_one_task_created_per_task_in_request_order_and_commits_exactly_those() {
    let written = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&written);
    let mut repository = MockTaskRepository::new();
    repository
        .expect_create_tasks()
        .withf(|tasks, events| {
            tasks.len() == 3
                && tasks[0].title.as_str() == "a"
                && tasks[2].title.as_str() == "c"
                && tasks.windows(2).all(|pair| pair[0].created_at < pair[1].created_at)
                && events.len() == tasks.len()
                && tasks.iter().zip(events).all(|(task, event)| {
                    event.event_type == "task.created"
                        && event.entity_id == *task.uid.as_uuid()
                        && event.data == serde_json::to_value(task).unwrap()
                        && event.metadata.request_id.as_deref() == Some("bulk-1")
                })
        })
        .times(1)
        .returning(move |_, events| {
            log.lock().unwrap().push(events.to_vec());
            Ok(())
        });
    let committed = Arc::new(Committed::default());
    let service = service(repository).with_events(committed.clone());
    let new = vec![new_task("a"), new_task("b"), new_task("c")];
    let created = crate::with_request_id("bulk-1".into(), service.create_tasks(new)).await.unwrap();
    let titles: Vec<&str> = created.iter().map(|task| task.title.as_str()).collect();
    assert_eq!(titles, ["a", "b", "c"]);
    let committed = committed.0.lock().unwrap().clone();
    assert_eq!(committed, *written.lock().unwrap(), "the publisher is told exactly what was stored, once");
    let ids: Vec<Uuid> = committed[0].iter().map(|event| event.entity_id).collect();
    let expected: Vec<Uuid> = created.iter().map(|task| *task.uid.as_uuid()).collect();
    assert_eq!(ids, expected);
}

#[tokio::test]
async fn a_bulk_create_the_store_refuses_commits_nothing() {
    let mut repository = MockTaskRepository::new();
    repository.expect_create_tasks().times(1).returning(|_, _| Err(StoreError::Unavailable(anyhow::anyhow!("down"))));
    let committed = Arc::new(Committed::default());
    let service = service(repository).with_events(committed.clone());
    assert!(service.create_tasks(vec![new_task("a")]).await.is_err());
    assert!(committed.0.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_bulk_create_reports_every_invalid_item_and_stores_nothing() {
    let repository = MockTaskRepository::new(); // any call would fail the test
    let backwards = NewTask {
        start_date: Some(Timestamp::parse("2026-02-02").unwrap()),
        due_date: Some(Timestamp::parse("2026-02-01").unwrap()),
        ..new_task("Backwards")
    };
    let Err(ServiceError::Invalid(errors)) =
        service(repository).create_tasks(vec![new_task("fine"), backwards.clone(), backwards]).await
    else {
        panic!("expected a validation error");
    };
    let paths: Vec<String> = errors.errors().iter().map(|error| error.to_string()).collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(paths[0].starts_with("tasks[1].due_date"), "{paths:?}");
    assert!(paths[1].starts_with("tasks[2].due_date"), "{paths:?}");
}

#[tokio::test]
async fn a_bulk_create_naming_missing_projects_and_users_is_invalid_at_each_item() {
    let mut repository = MockTaskRepository::new();
    repository
        .expect_create_tasks()
        .returning(|_, _| Err(StoreError::MissingReferences(vec![(0, EntityKind::Project), (2, EntityKind::User)])));
    let Err(ServiceError::Invalid(errors)) =
        service(repository).create_tasks(vec![new_task("a"), new_task("b"), new_task("c")]).await
    else {
        panic!("expected a validation error");
    };
    let paths: Vec<String> = errors.errors().iter().map(|error| error.to_string()).collect();
    assert!(paths[0].starts_with("tasks[0].project_id"), "{paths:?}");
    assert!(paths[1].starts_with("tasks[2].assignee_id"), "{paths:?}");
}

#[tokio::test]
async fn an_empty_or_oversized_bulk_create_is_invalid_at_tasks() {
    for count in [0, trm_domain::MAX_TASKS_PER_BULK + 1] {
        let repository = MockTaskRepository::new();
        let new = vec![new_task("x"); count];
        let Err(ServiceError::Invalid(errors)) = service(repository).create_tasks(new).await else {
            panic!("expected a validation error for {count} items");
        };
        assert_eq!(errors.errors()[0].path, FieldPath::field("tasks"));
    }
}

#[tokio::test]
async fn getting_a_missing_task_is_not_found() {
    let mut repository = MockTaskRepository::new();
    repository.expect_get_task().returning(|_| Ok(None));
    let result = service(repository).get_task(TaskId::new()).await;
    assert!(matches!(result, Err(ServiceError::NotFound(EntityKind::Task))));
}

#[tokio::test]
async fn an_unavailable_store_is_reported_as_unavailable() {
    let mut repository = MockTaskRepository::new();
    repository.expect_get_task().returning(|_| Err(StoreError::Unavailable(anyhow::anyhow!("down"))));
    let result = service(repository).get_task(TaskId::new()).await;
    assert!(matches!(result, Err(ServiceError::Unavailable(_))));
}

#[tokio::test]
async fn an_update_writes_the_next_version() {
    let stored = stored_task();
    let id = stored.uid;
    let mut repository = MockTaskRepository::new();
    repository.expect_get_task().with(eq(id)).returning(move |_| Ok(Some(stored.clone())));
    repository
        .expect_update_task()
        .withf(|task, _| task.version == 2 && task.priority == Priority::High)
        .times(1)
        .returning(|_, _| Ok(()));
    let patch = TaskPatch { priority: Some(Priority::High), ..TaskPatch::default() };
    let updated = service(repository).update_task(id, patch, None).await.unwrap();
    assert_eq!(updated.version, 2);
}

#[tokio::test]
async fn an_update_that_changes_nothing_writes_nothing() {
    let stored = stored_task();
    let id = stored.uid;
    let mut repository = MockTaskRepository::new();
    repository.expect_get_task().returning(move |_| Ok(Some(stored.clone())));
    repository.expect_update_task().never();
    let patch = TaskPatch { status: Some(TaskStatus::Todo), ..TaskPatch::default() };
    let same = service(repository).update_task(id, patch, None).await.unwrap();
    assert_eq!(same.version, 1);
}

#[tokio::test]
async fn an_update_with_a_stale_if_match_is_refused_without_writing() {
    let stored = stored_task();
    let id = stored.uid;
    let mut repository = MockTaskRepository::new();
    repository.expect_get_task().returning(move |_| Ok(Some(stored.clone())));
    repository.expect_update_task().never();
    let patch = TaskPatch { priority: Some(Priority::Urgent), ..TaskPatch::default() };
    let result = service(repository).update_task(id, patch, Some(7)).await;
    assert!(matches!(result, Err(ServiceError::PreconditionFailed)));
}

#[tokio::test]
async fn an_update_that_loses_a_race_with_if_match_is_a_failed_precondition() {
    let stored = stored_task();
    let id = stored.uid;
    let mut repository = MockTaskRepository::new();
    repository.expect_get_task().returning(move |_| Ok(Some(stored.clone())));
    repository.expect_update_task().times(1).returning(|_, _| Err(StoreError::VersionConflict));
    let patch = TaskPatch { priority: Some(Priority::Urgent), ..TaskPatch::default() };
    let result = service(repository).update_task(id, patch, Some(1)).await;
    assert!(matches!(result, Err(ServiceError::PreconditionFailed)));
}

#[tokio::test]
async fn an_update_that_loses_a_race_without_if_match_is_retried_on_fresh_data() {
    let stored = stored_task();
    let id = stored.uid;
    let mut repository = MockTaskRepository::new();
    repository.expect_get_task().times(2).returning(move |_| Ok(Some(stored.clone())));
    let mut seq = mockall::Sequence::new();
    repository.expect_update_task().times(1).in_sequence(&mut seq).returning(|_, _| Err(StoreError::VersionConflict));
    repository.expect_update_task().times(1).in_sequence(&mut seq).returning(|_, _| Ok(()));
    let patch = TaskPatch { priority: Some(Priority::Urgent), ..TaskPatch::default() };
    assert!(service(repository).update_task(id, patch, None).await.is_ok());
}

#[tokio::test]
async fn a_missing_assignee_is_reported_at_assignee_id() {
    let mut repository = MockTaskRepository::new();
    repository.expect_create_task().returning(|_, _| Err(StoreError::MissingReference(EntityKind::User)));
    let new = NewTask { assignee_id: Some(UserId::new()), ..new_task("Unowned") };
    let Err(ServiceError::Invalid(errors)) = service(repository).create_task(new).await else {
        panic!("expected a validation error");
    };
    assert_eq!(errors.errors().len(), 1);
    assert_eq!(errors.errors()[0].path, FieldPath::field("assignee_id"));
    assert_eq!(errors.errors()[0].kind, FieldErrorKind::UnknownReference(EntityKind::User));
}

#[tokio::test]
async fn an_update_naming_a_missing_assignee_is_reported_at_assignee_id() {
    let stored = stored_task();
    let id = stored.uid;
    let mut repository = MockTaskRepository::new();
    repository.expect_get_task().returning(move |_| Ok(Some(stored.clone())));
    repository.expect_update_task().times(1).returning(|_, _| Err(StoreError::MissingReference(EntityKind::User)));
    let patch = TaskPatch { assignee_id: Some(Some(UserId::new())), ..TaskPatch::default() };
    let Err(ServiceError::Invalid(errors)) = service(repository).update_task(id, patch, None).await else {
        panic!("expected a validation error");
    };
    assert_eq!(errors.errors()[0].path, FieldPath::field("assignee_id"));
}

#[tokio::test]
async fn a_missing_project_in_a_bulk_create_is_reported_at_its_item() {
    let mut repository = MockTaskRepository::new();
    repository
        .expect_create_tasks()
        .returning(|_, _| Err(StoreError::MissingReferences(vec![(1, EntityKind::Project)])));
    let Err(ServiceError::Invalid(errors)) = service(repository).create_tasks(vec![new_task("a"), new_task("b")]).await
    else {
        panic!("expected a validation error");
    };
    assert_eq!(errors.errors().len(), 1);
    assert_eq!(errors.errors()[0].path, FieldPath::field("project_id").within(&bulk_item_path(1)));
    assert_eq!(errors.errors()[0].kind, FieldErrorKind::UnknownReference(EntityKind::Project));
}

#[tokio::test]
async fn a_reference_no_task_field_holds_is_a_bug_not_a_guessed_field() {
    let mut repository = MockTaskRepository::new();
    repository.expect_create_task().returning(|_, _| Err(StoreError::MissingReference(EntityKind::Webhook)));
    repository
        .expect_create_tasks()
        .returning(|_, _| Err(StoreError::MissingReferences(vec![(0, EntityKind::Webhook)])));
    let service = service(repository);
    let single = service.create_task(new_task("a")).await;
    assert!(matches!(single, Err(ServiceError::Unexpected(_))), "{single:?}");
    let bulk = service.create_tasks(vec![new_task("a")]).await;
    assert!(matches!(bulk, Err(ServiceError::Unexpected(_))), "{bulk:?}");
}

#[tokio::test]
async fn an_update_that_keeps_losing_races_is_a_conflict_naming_the_reason() {
    let stored = stored_task();
    let id = stored.uid;
    let mut repository = MockTaskRepository::new();
    repository.expect_get_task().returning(move |_| Ok(Some(stored.clone())));
    repository.expect_update_task().returning(|_, _| Err(StoreError::VersionConflict));
    let patch = TaskPatch { priority: Some(Priority::Urgent), ..TaskPatch::default() };
    let result = service(repository).update_task(id, patch, None).await;
    assert!(
        matches!(result, Err(ServiceError::Conflict(ConflictReason::ChangedConcurrently(EntityKind::Task)))),
        "{result:?}"
    );
}

#[tokio::test]
async fn deleting_a_missing_task_is_not_found() {
    let mut repository = MockTaskRepository::new();
    repository.expect_delete_task().returning(|_, _, _, _, _| Err(StoreError::NotFound(EntityKind::Task)));
    let result = service(repository).delete_task(TaskId::new(), false, None).await;
    assert!(matches!(result, Err(ServiceError::NotFound(EntityKind::Task))));
}

#[test]
fn listing_passes_the_filter_and_page_through() {
    let mut repository = MockTaskRepository::new();
    let filter = TaskFilter { statuses: vec![TaskStatus::Blocked], ..TaskFilter::default() };
    let expected = filter.clone();
    repository
        .expect_list_tasks()
        .withf(move |f, page| *f == expected && page.limit() == 5)
        .returning(|_, _| Ok(Page { items: vec![], next: None }));
    let page = tokio_test::block_on(service(repository).list_tasks(filter, PageRequest::new(5, None).unwrap()));
    assert!(page.unwrap().items.is_empty());
}
