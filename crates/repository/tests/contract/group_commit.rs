//! Writes under concurrency: each keeps its own answer when the store
//! commits concurrent writes together (group commit), and bulk creates are
//! all or nothing. Run with batching on (the default) and off.

use std::collections::HashSet;

use trm_domain::{EntityKind, ProjectId, Task, TaskId, Title, UserId, Username};
use trm_repository::{Claim, IdempotencyRepository, StoreError, TaskRepository, UserRepository};

use super::support::{self, Backend, next_version, stored_project, task};

/// Runs `count` copies of `write` at once, each on a task of its own (so
/// that they meet in the store, not in this test), and collects the answers
/// in order.
pub(crate) async fn all_at_once<T, F, Fut>(count: usize, write: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
{
    let handles: Vec<_> = (0..count).map(|n| tokio::spawn(write(n))).collect();
    let mut answers = Vec::with_capacity(count);
    for handle in handles {
        answers.push(handle.await.unwrap());
    }
    answers
}

pub(crate) async fn concurrent_creates_mixing_valid_and_invalid_each_get_their_own_answer<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let project = stored_project(&fixture.store).await;
    let user = fixture.add_user().await;
    // Every third names a missing project, every fifth a missing user.
    let tasks: Vec<Task> = (0..60)
        .map(|n| {
            let mut task = task(&format!("Batched {n}"), Some(project));
            task.assignee_id = Some(user);
            if n % 3 == 1 {
                task.project_id = Some(ProjectId::new());
            } else if n % 5 == 2 {
                task.assignee_id = Some(UserId::new());
            }
            task
        })
        .collect();
    let answers = all_at_once(tasks.len(), |n| {
        let store = fixture.store.clone();
        let task = tasks[n].clone();
        async move { store.create_task(&task, &[]).await }
    })
    .await;

    for (n, (task, answer)) in tasks.iter().zip(answers).enumerate() {
        let stored = fixture.store.get_task(task.uid).await.unwrap();
        match n {
            n if n % 3 == 1 => {
                assert!(matches!(answer, Err(StoreError::MissingReference(EntityKind::Project))), "{n}: {answer:?}");
                assert_eq!(stored, None, "{n}");
            }
            n if n % 5 == 2 => {
                assert!(matches!(answer, Err(StoreError::MissingReference(EntityKind::User))), "{n}: {answer:?}");
                assert_eq!(stored, None, "{n}");
            }
            n => {
                assert!(answer.is_ok(), "{n}: {answer:?}");
                assert_eq!(stored.as_ref(), Some(task), "{n}");
            }
        }
    }
}

pub(crate) async fn of_many_racing_updates_from_one_version_exactly_one_wins<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let original = task("Raced by many", None);
    fixture.store.create_task(&original, &[]).await.unwrap();
    let answers = all_at_once(24, |n| {
        let store = fixture.store.clone();
        let next = next_version(&original, |t| t.title = Title::parse(&format!("Writer {n}")).unwrap());
        async move { store.update_task(&next, &[]).await.map(|()| next) }
    })
    .await;

    let winners: Vec<&Task> = answers.iter().filter_map(|answer| answer.as_ref().ok()).collect();
    assert_eq!(winners.len(), 1, "{answers:?}");
    assert!(
        answers
            .iter()
            .filter(|answer| answer.is_err())
            .all(|answer| matches!(answer, Err(StoreError::VersionConflict))),
        "{answers:?}"
    );
    let stored = fixture.store.get_task(original.uid).await.unwrap().unwrap();
    assert_eq!(&stored, winners[0]);
}

pub(crate) async fn of_many_racing_creates_of_one_username_exactly_one_wins<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let first = support::user();
    let answers = all_at_once(16, |n| {
        let store = fixture.store.clone();
        let mut user = support::user();
        let spelling =
            if n % 2 == 0 { first.username.as_str().to_uppercase() } else { first.username.as_str().to_owned() };
        user.username = Username::parse(&spelling).unwrap();
        async move { store.create_user(&user, &[]).await }
    })
    .await;

    assert_eq!(answers.iter().filter(|answer| answer.is_ok()).count(), 1, "{answers:?}");
    assert!(
        answers
            .iter()
            .filter(|answer| answer.is_err())
            .all(|answer| matches!(answer, Err(StoreError::Duplicate("username")))),
        "{answers:?}"
    );
}

pub(crate) async fn of_many_racing_claims_of_one_idempotency_key_exactly_one_wins<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let key = format!("key-{}", uuid::Uuid::new_v4());
    let claims = all_at_once(16, |_| {
        let store = fixture.store.clone();
        let key = key.clone();
        async move { store.claim("POST /group-commit", &key, "fp", trm_domain::Timestamp::now()).await.unwrap() }
    })
    .await;
    assert_eq!(claims.iter().filter(|claim| **claim == Claim::Claimed).count(), 1, "{claims:?}");
    assert!(claims.iter().all(|claim| matches!(claim, Claim::Claimed | Claim::InProgress)), "{claims:?}");
}

pub(crate) async fn a_bulk_create_stores_every_task_across_projects<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let first = stored_project(store).await;
    let second = stored_project(store).await;
    let user = fixture.add_user().await;
    let tasks: Vec<Task> = (0..250)
        .map(|n| {
            let mut task = task(&format!("Imported {n}"), Some(if n % 2 == 0 { first } else { second }));
            task.assignee_id = (n % 7 == 0).then_some(user);
            task
        })
        .collect();

    store.create_tasks(&tasks, &[]).await.unwrap();

    for task in &tasks {
        assert_eq!(store.get_task(task.uid).await.unwrap().as_ref(), Some(task));
    }
}

pub(crate) async fn a_bulk_create_naming_missing_references_stores_nothing_and_names_each<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let mut tasks: Vec<Task> = (0..5).map(|n| task(&format!("All or none {n}"), Some(project))).collect();
    tasks[1].project_id = Some(ProjectId::new());
    tasks[3].assignee_id = Some(UserId::new());
    tasks[4].project_id = Some(ProjectId::new());
    tasks[4].assignee_id = Some(UserId::new());

    let error = store.create_tasks(&tasks, &[]).await.unwrap_err();
    let StoreError::MissingReferences(missing) = error else { panic!("expected missing references, got {error:?}") };
    assert_eq!(
        missing,
        [(1, EntityKind::Project), (3, EntityKind::User), (4, EntityKind::Project), (4, EntityKind::User)]
    );
    for task in &tasks {
        assert_eq!(store.get_task(task.uid).await.unwrap(), None, "{}", task.title.as_str());
    }
}

pub(crate) async fn concurrent_bulk_creates_and_single_creates_all_land_once<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let project = stored_project(&fixture.store).await;
    let bulks: Vec<Vec<Task>> =
        (0..4).map(|b| (0..50).map(|n| task(&format!("Bulk {b}.{n}"), Some(project))).collect()).collect();
    let singles: Vec<Task> = (0..40).map(|n| task(&format!("Single {n}"), Some(project))).collect();
    let (bulk_answers, single_answers) = tokio::join!(
        all_at_once(bulks.len(), |n| {
            let store = fixture.store.clone();
            let tasks = bulks[n].clone();
            async move { store.create_tasks(&tasks, &[]).await }
        }),
        all_at_once(singles.len(), |n| {
            let store = fixture.store.clone();
            let task = singles[n].clone();
            async move { store.create_task(&task, &[]).await }
        }),
    );
    assert!(bulk_answers.iter().chain(&single_answers).all(Result::is_ok));
    let expected: HashSet<TaskId> = bulks.iter().flatten().chain(&singles).map(|task| task.uid).collect();
    let listed = support::list_all(&fixture.store, &support::in_project(project), 500).await;
    let listed_ids: HashSet<TaskId> = listed.iter().map(|task| task.uid).collect();
    assert_eq!(listed.len(), expected.len(), "every task listed exactly once");
    assert_eq!(listed_ids, expected);
}
