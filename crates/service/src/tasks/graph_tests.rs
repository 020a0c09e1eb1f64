//! The task graph's use cases against a mocked
//! [`TaskRepository`](trm_repository::TaskRepository): what each store
//! answer about blockers means for the request that caused it.

use trm_domain::{Blockers, Title};
use trm_repository::MockTaskRepository;

use super::*;

fn new_task(title: &str) -> NewTask {
    NewTask::new(Title::parse(title).unwrap())
}

fn service(repository: MockTaskRepository) -> TaskService {
    TaskService::new(Arc::new(repository))
}

fn blockers(ids: &[TaskId]) -> Blockers {
    Blockers::parse("blocked_by", ids).unwrap()
}

/// The paths and kinds of a validation error, rendered.
fn invalid_at(result: Result<impl std::fmt::Debug, ServiceError>) -> Vec<String> {
    let Err(ServiceError::Invalid(errors)) = result else { panic!("expected a validation error, got {result:?}") };
    errors.errors().iter().map(ToString::to_string).collect()
}

#[tokio::test]
async fn a_missing_blocker_is_invalid_at_its_place_in_the_request_not_in_the_sorted_list() {
    let (real, ghost) = (TaskId::new(), TaskId::new());
    let mut repository = MockTaskRepository::new();
    repository.expect_create_task().returning(move |_, _| Err(StoreError::MissingBlockers(vec![(0, ghost)])));
    let new = NewTask { blocked_by: blockers(&[real, ghost, real]), ..new_task("Waiting") };
    assert_eq!(
        invalid_at(service(repository).create_task(new).await),
        ["blocked_by[1]: Value error, Task not found: no task with this id exists"]
    );
}

#[tokio::test]
async fn missing_blockers_of_a_bulk_create_are_invalid_at_each_items_place() {
    let (real, ghost, other) = (TaskId::new(), TaskId::new(), TaskId::new());
    let mut repository = MockTaskRepository::new();
    repository
        .expect_create_tasks()
        .returning(move |_, _| Err(StoreError::MissingBlockers(vec![(0, ghost), (2, other)])));
    let new = vec![
        NewTask { blocked_by: blockers(&[ghost]), ..new_task("a") },
        new_task("b"),
        NewTask { blocked_by: blockers(&[real, other]), ..new_task("c") },
    ];
    let found = invalid_at(service(repository).create_tasks(new).await);
    let paths: Vec<&str> = found.iter().map(|text| text.split(':').next().unwrap_or_default()).collect();
    assert_eq!(paths, ["tasks[0].blocked_by[0]", "tasks[2].blocked_by[1]"]);
}

#[tokio::test]
async fn a_store_naming_a_blocker_the_request_did_not_is_a_bug_not_a_guess() {
    let mut repository = MockTaskRepository::new();
    repository.expect_create_task().returning(|_, _| Err(StoreError::MissingBlockers(vec![(0, TaskId::new())])));
    let result = service(repository).create_task(new_task("Plain")).await;
    assert!(matches!(result, Err(ServiceError::Unexpected(_))), "{result:?}");
}

#[tokio::test]
async fn an_update_closing_a_cycle_is_a_conflict_naming_it() {
    let stored = Task::create(new_task("Stored"), Timestamp::now()).unwrap();
    let id = stored.uid;
    let other = TaskId::new();
    let mut repository = MockTaskRepository::new();
    repository.expect_get_task().returning(move |_| Ok(Some(stored.clone())));
    repository
        .expect_update_task()
        .withf(move |task, _| task.blocked_by == [other] && task.version == 2)
        .returning(move |_, _| Err(StoreError::DependencyCycle(vec![other, id, other])));
    let patch = TaskPatch { blocked_by: Some(blockers(&[other])), ..TaskPatch::default() };
    let result = service(repository).update_task(id, patch, None).await;
    let Err(ServiceError::Conflict(ConflictReason::DependencyCycle(path))) = result else {
        panic!("expected a cycle, got {result:?}")
    };
    assert_eq!(path, [other, id, other]);
}

#[tokio::test]
async fn an_update_naming_a_missing_blocker_is_invalid_at_its_place() {
    let stored = Task::create(new_task("Stored"), Timestamp::now()).unwrap();
    let id = stored.uid;
    let (real, ghost) = (TaskId::new(), TaskId::new());
    let mut repository = MockTaskRepository::new();
    repository.expect_get_task().returning(move |_| Ok(Some(stored.clone())));
    repository.expect_update_task().returning(move |_, _| Err(StoreError::MissingBlockers(vec![(0, ghost)])));
    let patch = TaskPatch { blocked_by: Some(blockers(&[ghost, real])), ..TaskPatch::default() };
    let found = invalid_at(service(repository).update_task(id, patch, None).await);
    assert!(found[0].starts_with("blocked_by[0]: "), "{found:?}");
}

#[tokio::test]
async fn a_task_blocking_itself_never_reaches_the_store() {
    let stored = Task::create(new_task("Stored"), Timestamp::now()).unwrap();
    let id = stored.uid;
    let mut repository = MockTaskRepository::new(); // no update expected
    repository.expect_get_task().returning(move |_| Ok(Some(stored.clone())));
    let patch = TaskPatch { blocked_by: Some(blockers(&[TaskId::new(), id])), ..TaskPatch::default() };
    assert_eq!(
        invalid_at(service(repository).update_task(id, patch, None).await),
        ["blocked_by[1]: Value error, a task cannot block itself"]
    );
}

#[tokio::test]
async fn a_walk_of_an_unknown_task_is_not_found() {
    let mut repository = MockTaskRepository::new();
    repository
        .expect_walk_tasks()
        .withf(|_, direction, depth| *direction == Direction::Dependents && depth.get() == 3)
        .returning(|_, _, _| Err(StoreError::NotFound(EntityKind::Task)));
    let depth = WalkDepth::new(3).unwrap();
    let result = service(repository).walk_tasks(TaskId::new(), Direction::Dependents, depth).await;
    assert!(matches!(result, Err(ServiceError::NotFound(EntityKind::Task))), "{result:?}");
}
