//! Sub-tasks: `parent_id` stored as an `IS_SUBTASK_OF` edge, the checks a
//! new parent passes (it exists, it is not the task or below it — even when
//! two writes race to close a loop — and the nesting stays within ten
//! levels), the `parent_id` filter, and deleting a task that has sub-tasks.

use trm_domain::{EntityKind, EventMetadata, MAX_SUBTASK_LEVELS, Task, TaskId, Timestamp, graph::sorted_ids};
use trm_repository::{ProjectRepository, StoreError, TaskFilter, TaskRepository};
use uuid::Uuid;

use super::group_commit::all_at_once;
use super::support::{self, Backend, list_all, next_version, plus, task};

/// A task under `parent`, created at `at` (or now).
fn child(title: &str, parent: TaskId, at: Option<Timestamp>) -> Task {
    let mut task = task(title, None);
    task.parent_id = Some(parent);
    if let Some(at) = at {
        task.created_at = at;
        task.updated_at = at;
    }
    task
}

/// Stores `task` and returns it.
async fn stored(store: &impl TaskRepository, task: Task) -> Task {
    store.create_task(&task, &[]).await.unwrap();
    task
}

/// A chain of `levels` tasks, each under the one before; the top first.
async fn chain(store: &impl TaskRepository, levels: usize) -> Vec<Task> {
    let mut chain: Vec<Task> = vec![stored(store, task("Level 1", None)).await];
    for level in 2..=levels {
        let parent = chain[chain.len() - 1].uid;
        chain.push(stored(store, child(&format!("Level {level}"), parent, None)).await);
    }
    chain
}

/// `task` one version on, under `parent`.
fn moved_under(task: &Task, parent: Option<TaskId>) -> Task {
    next_version(task, |next| next.parent_id = parent)
}

pub(crate) async fn a_sub_task_reads_back_with_its_parent_and_lists_under_it<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let start = support::at("2026-04-01T08:00:00Z");
    let parent = stored(store, task("Parent", None)).await;
    let later = stored(store, child("Later", parent.uid, Some(plus(start, 2)))).await;
    let sooner = stored(store, child("Sooner", parent.uid, Some(plus(start, 1)))).await;
    let grandchild = stored(store, child("Grandchild", sooner.uid, None)).await;
    let mut bulk = child("Bulk", parent.uid, Some(plus(start, 3)));
    bulk.blocked_by = sorted_ids([later.uid]);
    store.create_tasks(std::slice::from_ref(&bulk), &[]).await.unwrap();

    assert_eq!(store.get_task(later.uid).await.unwrap().as_ref(), Some(&later));
    assert_eq!(store.get_task(parent.uid).await.unwrap().unwrap().parent_id, None);
    let under = |parent: TaskId| TaskFilter { parent_id: Some(parent), ..TaskFilter::default() };
    assert_eq!(list_all(store, &under(parent.uid), 2).await, [sooner.clone(), later, bulk]);
    assert_eq!(list_all(store, &under(sooner.uid), 2).await, [grandchild]);
    assert!(list_all(store, &under(TaskId::new()), 2).await.is_empty());
}

pub(crate) async fn a_parent_that_does_not_exist_is_refused_and_nothing_is_stored<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let ghost = TaskId::new();
    let orphan = child("Orphan", ghost, None);
    let error = store.create_task(&orphan, &[]).await.unwrap_err();
    assert!(matches!(error, StoreError::MissingReference(EntityKind::Task)), "{error:?}");
    assert_eq!(store.get_task(orphan.uid).await.unwrap(), None);

    let real = stored(store, task("Real", None)).await;
    let items = [child("Fine", real.uid, None), task("Plain", None), child("Orphan", ghost, None)];
    let error = store.create_tasks(&items, &[]).await.unwrap_err();
    assert!(
        matches!(&error, StoreError::MissingReferences(missing) if missing == &[(2, EntityKind::Task)]),
        "{error:?}"
    );
    assert_eq!(store.get_task(items[0].uid).await.unwrap(), None, "all or none");

    let error = store.update_task(&moved_under(&real, Some(ghost)), &[]).await.unwrap_err();
    assert!(matches!(error, StoreError::MissingReference(EntityKind::Task)), "{error:?}");
    assert_eq!(store.get_task(real.uid).await.unwrap().as_ref(), Some(&real));
}

pub(crate) async fn a_task_cannot_go_under_itself_or_its_own_sub_tasks<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let levels = chain(store, 3).await;
    let (top, middle, bottom) = (&levels[0], &levels[1], &levels[2]);

    let error = store.update_task(&moved_under(top, Some(top.uid)), &[]).await.unwrap_err();
    assert!(matches!(&error, StoreError::SubtaskCycle(path) if path == &[top.uid, top.uid]), "{error:?}");
    let error = store.update_task(&moved_under(top, Some(bottom.uid)), &[]).await.unwrap_err();
    let expected = [top.uid, bottom.uid, middle.uid, top.uid];
    assert!(matches!(&error, StoreError::SubtaskCycle(path) if path == &expected), "{error:?}");
    assert_eq!(store.get_task(top.uid).await.unwrap().as_ref(), Some(top), "nothing changed");

    // Moving within the tree, detaching, and an unchanged parent are fine.
    let detached = moved_under(bottom, None);
    store.update_task(&detached, &[]).await.unwrap();
    assert_eq!(store.get_task(bottom.uid).await.unwrap().unwrap().parent_id, None);
    let under_top = moved_under(&detached, Some(top.uid));
    store.update_task(&under_top, &[]).await.unwrap();
    let renamed = next_version(&under_top, |next| next.title = trm_domain::Title::parse("Renamed").unwrap());
    store.update_task(&renamed, &[]).await.unwrap();
    assert_eq!(store.get_task(bottom.uid).await.unwrap().as_ref(), Some(&renamed));
}

pub(crate) async fn sub_tasks_nest_at_most_ten_levels_deep<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let levels = chain(store, MAX_SUBTASK_LEVELS).await;
    let deepest = levels[MAX_SUBTASK_LEVELS - 1].uid;

    let too_deep = child("Eleventh", deepest, None);
    let error = store.create_task(&too_deep, &[]).await.unwrap_err();
    assert!(matches!(&error, StoreError::NestingTooDeep(items) if items == &[0]), "{error:?}");
    let items = [task("Plain", None), child("Eleventh", deepest, None)];
    let error = store.create_tasks(&items, &[]).await.unwrap_err();
    assert!(matches!(&error, StoreError::NestingTooDeep(items) if items == &[1]), "{error:?}");

    // A task with one level below it fits under the eighth level, not the ninth.
    let pair = chain(store, 2).await;
    let ninth = levels[MAX_SUBTASK_LEVELS - 2].uid;
    let error = store.update_task(&moved_under(&pair[0], Some(ninth)), &[]).await.unwrap_err();
    assert!(matches!(&error, StoreError::NestingTooDeep(items) if items == &[0]), "{error:?}");
    let eighth = levels[MAX_SUBTASK_LEVELS - 3].uid;
    store.update_task(&moved_under(&pair[0], Some(eighth)), &[]).await.unwrap();
    let error = store.create_task(&child("Eleventh", pair[1].uid, None), &[]).await.unwrap_err();
    assert!(matches!(error, StoreError::NestingTooDeep(_)), "{error:?}");
}

pub(crate) async fn two_re_parentings_racing_to_close_a_loop_never_both_succeed<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    for round in 0..5 {
        let a = stored(&fixture.store, task(&format!("A{round}"), None)).await;
        let b = stored(&fixture.store, task(&format!("B{round}"), None)).await;
        let writes = [moved_under(&a, Some(b.uid)), moved_under(&b, Some(a.uid))];
        let answers = all_at_once(writes.len(), |n| {
            let store = fixture.store.clone();
            let write = writes[n].clone();
            async move { store.update_task(&write, &[]).await }
        })
        .await;
        assert_eq!(answers.iter().filter(|answer| answer.is_ok()).count(), 1, "round {round}: {answers:?}");
        let lost = answers.iter().find_map(|answer| answer.as_ref().err());
        assert!(matches!(lost, Some(StoreError::SubtaskCycle(_))), "round {round}: {lost:?}");
    }
}

pub(crate) async fn a_task_with_sub_tasks_is_deleted_only_in_a_cascade_children_first<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let start = support::at("2026-04-02T08:00:00Z");
    let top = stored(store, task("Top", None)).await;
    let later = stored(store, child("Later", top.uid, Some(plus(start, 2)))).await;
    let sooner = stored(store, child("Sooner", top.uid, Some(plus(start, 1)))).await;
    let deep = stored(store, child("Deep", sooner.uid, None)).await;
    let outside = stored(store, task("Outside", None)).await;
    let mut waiting = task("Waiting", None);
    waiting.blocked_by = sorted_ids([deep.uid, top.uid, outside.uid]);
    let waiting = stored(store, waiting).await;

    let error = store.delete_task(top.uid, None, false, Timestamp::now(), None).await.unwrap_err();
    assert!(matches!(error, StoreError::HasSubtasks), "{error:?}");
    assert!(store.get_task(deep.uid).await.unwrap().is_some(), "nothing deleted");

    let metadata = EventMetadata { request_id: Some(format!("req-{}", Uuid::new_v4().simple())) };
    let now = support::at("2026-06-01T00:00:00Z");
    let cascade = store.delete_task(top.uid, Some(1), true, now, Some(metadata)).await.unwrap();
    for gone in [&top, &later, &sooner, &deep] {
        assert_eq!(store.get_task(gone.uid).await.unwrap(), None);
    }
    let kept = store.get_task(waiting.uid).await.unwrap().unwrap();
    assert_eq!((kept.version, kept.blocked_by.clone()), (2, vec![outside.uid]), "bumped once");
    assert_eq!(cascade.affected, [kept]);
    let events: Vec<(&str, Uuid)> =
        cascade.events.iter().map(|event| (event.event_type.as_str(), event.entity_id)).collect();
    assert_eq!(
        events,
        [
            ("task.updated", *waiting.uid.as_uuid()),
            ("task.deleted", *deep.uid.as_uuid()),
            ("task.deleted", *sooner.uid.as_uuid()),
            ("task.deleted", *later.uid.as_uuid()),
            ("task.deleted", *top.uid.as_uuid()),
        ]
    );
    // A leaf needs no cascade.
    store.delete_task(outside.uid, None, false, now, None).await.unwrap();
}

pub(crate) async fn a_project_cascade_detaches_its_tasks_sub_tasks_outside_it_one_version_further<B: Backend>(
    backend: &B,
) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = support::stored_project(store).await;
    let parent = stored(store, task("Parent", Some(project))).await;
    let inside = stored(store, child("Inside", parent.uid, None)).await;
    let mut outside = child("Outside", parent.uid, None);
    outside.blocked_by = vec![parent.uid];
    let outside = stored(store, outside).await;
    let metadata = EventMetadata { request_id: Some(format!("req-{}", Uuid::new_v4().simple())) };
    store.update_task(&next_version(&inside, |next| next.project_id = Some(project)), &[]).await.unwrap();

    let cascade = store.delete_project(project, true, None, Some(metadata)).await.unwrap();

    assert_eq!(store.get_task(inside.uid).await.unwrap(), None);
    let kept = store.get_task(outside.uid).await.unwrap().unwrap();
    assert_eq!((kept.parent_id, kept.blocked_by.clone(), kept.version), (None, vec![], 2), "detached, bumped once");
    let updated: Vec<(&str, Uuid)> = cascade
        .events
        .iter()
        .filter(|event| event.event_type == "task.updated")
        .map(|event| (event.event_type.as_str(), event.entity_id))
        .collect();
    assert_eq!(updated, [("task.updated", *outside.uid.as_uuid())]);
    assert_eq!(cascade.events[0].data, serde_json::to_value(&kept).unwrap());
}
