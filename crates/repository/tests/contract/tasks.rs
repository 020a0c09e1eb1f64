//! The task part of the contract: creating, reading, updating and deleting
//! tasks with their project and assignee relationships, the filters and
//! keyset paging of lists, the overview's reads (recent tasks, counts), and
//! — on Neo4j only — the graph shape the store writes.

use std::collections::HashSet;

use trm_domain::{
    Cursor, EntityKind, EventMetadata, PageRequest, ProjectId, Tag, Tags, Task, TaskId, TaskStatus, TaskType,
    Timestamp, Title,
};
use trm_repository::{Overdue, ProjectRepository, StoreError, TaskFilter, TaskRepository, UserRepository};

use super::support::{
    self, Backend, at, full_task, ids, in_project, list_all, next_version, page, plus, stored_project, tagged, task,
    unique_tag, unique_window,
};

pub(crate) async fn a_created_task_reads_back_with_every_field<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let user = fixture.add_user().await;
    let task = full_task(project, user, &unique_tag());
    store.create_task(&task, &[]).await.unwrap();

    let read = store.get_task(task.uid).await.unwrap().unwrap();
    assert_eq!(read, task);
    // The details equality could hide behind a lenient PartialEq:
    assert_eq!(read.created_at.to_string(), "2026-11-26T03:12:45.000001Z");
    assert_eq!(read.start_date.unwrap().to_string(), "2026-11-26T03:12:45.123456Z");
    assert_eq!(read.due_date.unwrap().to_string(), "2026-12-01T23:59:59.999999Z");
    assert_eq!(read.completed_at, Some(task.created_at));
    let tags: Vec<&str> = read.tags.iter_str().collect();
    assert_eq!(tags, task.tags.iter_str().collect::<Vec<_>>(), "tags keep their order");
    assert_eq!(read.project_id, Some(project));
    assert_eq!(read.assignee_id, Some(user));
}

pub(crate) async fn a_task_with_only_required_fields_reads_back_with_none_fields<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let task = task("Bare", None);
    fixture.store.create_task(&task, &[]).await.unwrap();

    let read = fixture.store.get_task(task.uid).await.unwrap().unwrap();
    assert_eq!(read, task);
    assert_eq!(read.description, None);
    assert_eq!(read.task_type, None);
    assert_eq!(read.project_id, None);
    assert_eq!(read.assignee_id, None);
    assert_eq!(read.effort_estimate, None);
    assert_eq!((read.start_date, read.due_date, read.completed_at), (None, None, None));
    assert!(read.tags.is_empty());
    assert_eq!(read.version, 1);
}

pub(crate) async fn an_unknown_task_is_none<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    assert_eq!(fixture.store.get_task(TaskId::new()).await.unwrap(), None);
}

pub(crate) async fn concurrent_lookups_each_get_their_own_task<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let user = fixture.add_user().await;
    let mut stored = Vec::new();
    for n in 0..12 {
        let task = if n % 3 == 0 { full_task(project, user, &unique_tag()) } else { task("Lookup", Some(project)) };
        store.create_task(&task, &[]).await.unwrap();
        stored.push(task);
    }
    let unknown: Vec<TaskId> = (0..4).map(|_| TaskId::new()).collect();

    // Far more lookups than connections, every id asked for several times,
    // all in flight at once: a store that shares queries between them must
    // still give each its own answer.
    let asked: Vec<(TaskId, Option<&Task>)> = (0..240)
        .map(|n| match n % 4 {
            3 => (unknown[n % unknown.len()], None),
            _ => {
                let task = &stored[(n * 7) % stored.len()];
                (task.uid, Some(task))
            }
        })
        .collect();
    let answers = futures::future::join_all(asked.iter().map(|(id, _)| store.get_task(*id))).await;

    for ((id, expected), answer) in asked.iter().zip(answers) {
        assert_eq!(answer.unwrap().as_ref(), *expected, "the lookup of {id}");
    }
}

pub(crate) async fn a_task_naming_an_unknown_project_is_not_stored<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let tag = unique_tag();
    let mut task = task("Orphan", Some(ProjectId::new()));
    task.tags = Tags::parse("tags", &[tag.as_str()]).unwrap();

    let error = fixture.store.create_task(&task, &[]).await.unwrap_err();
    assert!(matches!(error, StoreError::MissingReference(EntityKind::Project)), "{error:?}");
    assert_eq!(fixture.store.get_task(task.uid).await.unwrap(), None);
    assert!(list_all(&fixture.store, &tagged(&tag), 10).await.is_empty());
}

pub(crate) async fn a_task_naming_an_unknown_assignee_is_not_stored<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let project = stored_project(&fixture.store).await;
    let mut task = task("Unassignable", Some(project));
    task.assignee_id = Some(trm_domain::UserId::new());

    let error = fixture.store.create_task(&task, &[]).await.unwrap_err();
    assert!(matches!(error, StoreError::MissingReference(EntityKind::User)), "{error:?}");
    assert_eq!(fixture.store.get_task(task.uid).await.unwrap(), None);
    assert!(list_all(&fixture.store, &in_project(project), 10).await.is_empty(), "no relationship was left behind");
}

pub(crate) async fn an_update_needs_the_stored_version<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let original = task("Versioned", None);
    store.create_task(&original, &[]).await.unwrap();

    let renamed = next_version(&original, |t| t.title = Title::parse("Renamed").unwrap());
    store.update_task(&renamed, &[]).await.unwrap();
    assert_eq!(store.get_task(original.uid).await.unwrap().unwrap(), renamed);

    // Another writer still holding version 1 must not overwrite version 2.
    let stale = next_version(&original, |t| t.title = Title::parse("Stale").unwrap());
    let error = store.update_task(&stale, &[]).await.unwrap_err();
    assert!(matches!(error, StoreError::VersionConflict), "{error:?}");
    // Nor may a writer that skips a version.
    let mut skipping = next_version(&renamed, |t| t.status = TaskStatus::Blocked);
    skipping.version += 1;
    let error = store.update_task(&skipping, &[]).await.unwrap_err();
    assert!(matches!(error, StoreError::VersionConflict), "{error:?}");
    assert_eq!(store.get_task(original.uid).await.unwrap().unwrap(), renamed, "a conflict changes nothing");
}

pub(crate) async fn updating_an_unknown_task_is_not_found<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let ghost = next_version(&task("Ghost", None), |_| {});
    let error = fixture.store.update_task(&ghost, &[]).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound(EntityKind::Task)), "{error:?}");
    assert_eq!(fixture.store.get_task(ghost.uid).await.unwrap(), None, "an update never creates");
}

pub(crate) async fn of_two_racing_updates_from_one_version_exactly_one_wins<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    for round in 0..12 {
        let original = task("Raced", None);
        store.create_task(&original, &[]).await.unwrap();
        let left = next_version(&original, |t| t.title = Title::parse("Left").unwrap());
        let right = next_version(&original, |t| t.title = Title::parse("Right").unwrap());

        let (a, b) = tokio::join!(store.update_task(&left, &[]), store.update_task(&right, &[]));
        let winners = [&a, &b].iter().filter(|outcome| outcome.is_ok()).count();
        assert_eq!(winners, 1, "round {round}: {a:?} / {b:?}");
        let loser = if a.is_ok() { b } else { a };
        assert!(matches!(loser, Err(StoreError::VersionConflict)), "round {round}: {loser:?}");
        let stored = store.get_task(original.uid).await.unwrap().unwrap();
        assert_eq!(stored.version, 2);
        assert!(stored == left || stored == right);
    }
}

pub(crate) async fn an_update_replaces_the_project_relationship<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let first = stored_project(store).await;
    let second = stored_project(store).await;
    let original = task("Mover", Some(first));
    store.create_task(&original, &[]).await.unwrap();

    let moved = next_version(&original, |t| t.project_id = Some(second));
    store.update_task(&moved, &[]).await.unwrap();
    assert_eq!(store.get_task(original.uid).await.unwrap().unwrap().project_id, Some(second));
    assert!(list_all(store, &in_project(first), 10).await.is_empty());
    assert_eq!(ids(&store.list_tasks(&in_project(second), page(10, None)).await.unwrap()), [original.uid]);

    let cleared = next_version(&moved, |t| t.project_id = None);
    store.update_task(&cleared, &[]).await.unwrap();
    assert_eq!(store.get_task(original.uid).await.unwrap().unwrap().project_id, None);
    assert!(list_all(store, &in_project(second), 10).await.is_empty());
    // The project no longer has tasks, so it can go without a cascade.
    assert_eq!(store.delete_project(second, false, None, Some(EventMetadata::default())).await.unwrap().affected, []);
}

pub(crate) async fn an_update_replaces_the_assignee_relationship<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let (ann, bob) = (fixture.add_user().await, fixture.add_user().await);
    let mut original = task("Handed over", None);
    original.assignee_id = Some(ann);
    store.create_task(&original, &[]).await.unwrap();

    let by_ann = TaskFilter { assignee_id: Some(ann), ..TaskFilter::default() };
    let by_bob = TaskFilter { assignee_id: Some(bob), ..TaskFilter::default() };
    let handed = next_version(&original, |t| t.assignee_id = Some(bob));
    store.update_task(&handed, &[]).await.unwrap();
    assert_eq!(store.get_task(original.uid).await.unwrap().unwrap().assignee_id, Some(bob));
    assert!(list_all(store, &by_ann, 10).await.is_empty());
    assert_eq!(ids(&store.list_tasks(&by_bob, page(10, None)).await.unwrap()), [original.uid]);

    let unassigned = next_version(&handed, |t| t.assignee_id = None);
    store.update_task(&unassigned, &[]).await.unwrap();
    assert_eq!(store.get_task(original.uid).await.unwrap().unwrap().assignee_id, None);
    assert!(list_all(store, &by_bob, 10).await.is_empty());
}

pub(crate) async fn an_update_naming_an_unknown_project_changes_nothing<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let home = stored_project(store).await;
    let original = task("Stays", Some(home));
    store.create_task(&original, &[]).await.unwrap();

    let astray = next_version(&original, |t| {
        t.project_id = Some(ProjectId::new());
        t.title = Title::parse("Should not stick").unwrap();
    });
    let error = store.update_task(&astray, &[]).await.unwrap_err();
    assert!(matches!(error, StoreError::MissingReference(EntityKind::Project)), "{error:?}");
    assert_eq!(store.get_task(original.uid).await.unwrap().unwrap(), original);
    assert_eq!(ids(&store.list_tasks(&in_project(home), page(10, None)).await.unwrap()), [original.uid]);
}

pub(crate) async fn deleting_a_task_checks_its_version<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let doomed = task("Doomed", Some(project));
    store.create_task(&doomed, &[]).await.unwrap();

    let error = store.delete_task(doomed.uid, Some(7), false, Timestamp::now(), None).await.unwrap_err();
    assert!(matches!(error, StoreError::VersionConflict), "{error:?}");
    assert!(store.get_task(doomed.uid).await.unwrap().is_some(), "a conflict deletes nothing");

    store.delete_task(doomed.uid, Some(1), false, Timestamp::now(), None).await.unwrap();
    assert_eq!(store.get_task(doomed.uid).await.unwrap(), None);
    assert!(list_all(store, &in_project(project), 10).await.is_empty(), "its relationships went with it");

    let unversioned = task("Deleted without a version", None);
    store.create_task(&unversioned, &[]).await.unwrap();
    store.delete_task(unversioned.uid, None, false, Timestamp::now(), None).await.unwrap();
    assert_eq!(store.get_task(unversioned.uid).await.unwrap(), None);
}

pub(crate) async fn deleting_an_unknown_task_is_not_found<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    for expected in [None, Some(1)] {
        let error =
            fixture.store.delete_task(TaskId::new(), expected, false, Timestamp::now(), None).await.unwrap_err();
        assert!(matches!(error, StoreError::NotFound(EntityKind::Task)), "{error:?}");
    }
}

pub(crate) async fn the_project_filter_follows_the_relationship<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let (mine, theirs) = (stored_project(store).await, stored_project(store).await);
    let a = task("A", Some(mine));
    let b = task("B", Some(theirs));
    let c = task("C", Some(mine));
    for task in [&a, &b, &c] {
        store.create_task(task, &[]).await.unwrap();
    }
    let listed = list_all(store, &in_project(mine), 10).await;
    assert_eq!(listed.iter().map(|t| t.uid).collect::<HashSet<_>>(), HashSet::from([a.uid, c.uid]));
    assert!(listed.iter().all(|t| t.project_id == Some(mine)));
}

pub(crate) async fn the_status_filter_matches_any_of_several_statuses<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let mut expected = HashSet::new();
    for status in [TaskStatus::Todo, TaskStatus::Blocked, TaskStatus::Done, TaskStatus::InProgress] {
        let mut task = task("Stateful", Some(project));
        task.status = status;
        store.create_task(&task, &[]).await.unwrap();
        if matches!(status, TaskStatus::Todo | TaskStatus::Blocked) {
            expected.insert(task.uid);
        }
    }
    let filter = TaskFilter { statuses: vec![TaskStatus::Todo, TaskStatus::Blocked], ..in_project(project) };
    let listed = list_all(store, &filter, 10).await;
    assert_eq!(listed.iter().map(|t| t.uid).collect::<HashSet<_>>(), expected);

    let done = TaskFilter { statuses: vec![TaskStatus::Done], ..in_project(project) };
    assert_eq!(list_all(store, &done, 10).await.len(), 1);
    let none = TaskFilter { statuses: vec![TaskStatus::Cancelled], ..in_project(project) };
    assert!(list_all(store, &none, 10).await.is_empty());
}

pub(crate) async fn the_type_filter_matches_exactly<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let mut bug = task("Bug", Some(project));
    bug.task_type = Some(TaskType::Bug);
    let mut feature = task("Feature", Some(project));
    feature.task_type = Some(TaskType::Feature);
    let untyped = task("Untyped", Some(project));
    for task in [&bug, &feature, &untyped] {
        store.create_task(task, &[]).await.unwrap();
    }
    let filter = TaskFilter { task_type: Some(TaskType::Bug), ..in_project(project) };
    assert_eq!(list_all(store, &filter, 10).await.iter().map(|t| t.uid).collect::<Vec<_>>(), [bug.uid]);
}

pub(crate) async fn the_assignee_filter_follows_the_relationship<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let (ann, bob) = (fixture.add_user().await, fixture.add_user().await);
    let mut for_ann = task("Ann's", None);
    for_ann.assignee_id = Some(ann);
    let mut for_bob = task("Bob's", None);
    for_bob.assignee_id = Some(bob);
    store.create_task(&for_ann, &[]).await.unwrap();
    store.create_task(&for_bob, &[]).await.unwrap();

    let filter = TaskFilter { assignee_id: Some(ann), ..TaskFilter::default() };
    let listed = list_all(store, &filter, 10).await;
    assert_eq!(listed.iter().map(|t| t.uid).collect::<Vec<_>>(), [for_ann.uid]);
    assert_eq!(listed[0].assignee_id, Some(ann));
}

pub(crate) async fn the_tag_filter_matches_an_exact_tag<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let tag = unique_tag();
    let mut exact = task("Exact", None);
    exact.tags = Tags::parse("tags", &["other", tag.as_str()]).unwrap();
    let mut near = task("Near", None);
    near.tags = Tags::parse("tags", &[format!("{tag}x"), tag.to_uppercase()]).unwrap();
    store.create_task(&exact, &[]).await.unwrap();
    store.create_task(&near, &[]).await.unwrap();

    let listed = list_all(store, &tagged(&tag), 10).await;
    assert_eq!(listed.iter().map(|t| t.uid).collect::<Vec<_>>(), [exact.uid]);
}

/// `due_before` and `due_after` compare strictly, a task without a due date
/// matches neither, and `overdue` judges at the instant it is given.
pub(crate) async fn due_date_filters_and_overdue_judge_every_task_alike<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let tag = unique_tag();
    let now = unique_window();
    let due = |title: &str, due: Option<i64>, status: TaskStatus| {
        let mut task = task(title, None);
        task.tags = Tags::parse("tags", &[tag.as_str()]).unwrap();
        task.due_date = due.map(|minutes| plus(now, minutes * 60_000_000));
        task.status = status;
        task
    };
    let tasks = [
        due("late", Some(-60), TaskStatus::Todo),
        due("late but done", Some(-60), TaskStatus::Done),
        due("late but cancelled", Some(-30), TaskStatus::Cancelled),
        due("due now", Some(0), TaskStatus::InProgress),
        due("due later", Some(60), TaskStatus::Todo),
        due("never due", None, TaskStatus::Blocked),
    ];
    for task in &tasks {
        store.create_task(task, &[]).await.unwrap();
    }
    let titles = |filter: TaskFilter| async move {
        let mut titles: Vec<String> =
            list_all(store, &filter, 2).await.iter().map(|t| t.title.as_str().to_owned()).collect();
        titles.sort();
        titles
    };
    let ours = || tagged(&tag);
    let before_now = TaskFilter { due_before: Some(now), ..ours() };
    assert_eq!(titles(before_now).await, ["late", "late but cancelled", "late but done"]);
    let after_now = TaskFilter { due_after: Some(now), ..ours() };
    assert_eq!(titles(after_now).await, ["due later"]);
    let around_now = TaskFilter { due_after: Some(plus(now, -1)), due_before: Some(plus(now, 1)), ..ours() };
    assert_eq!(titles(around_now).await, ["due now"]);
    let overdue = TaskFilter { overdue: Some(Overdue { overdue: true, at: now }), ..ours() };
    assert_eq!(titles(overdue).await, ["late"]);
    let not_overdue = TaskFilter { overdue: Some(Overdue { overdue: false, at: now }), ..ours() };
    assert_eq!(titles(not_overdue).await, ["due later", "due now", "late but cancelled", "late but done", "never due"]);
    let overdue_later = TaskFilter { overdue: Some(Overdue { overdue: true, at: plus(now, 1) }), ..ours() };
    assert_eq!(titles(overdue_later).await, ["due now", "late"], "judged at the instant given");
}

pub(crate) async fn filters_combine<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let user = fixture.add_user().await;
    let tag = unique_tag();
    let mut target = task("Target", Some(project));
    target.status = TaskStatus::Blocked;
    target.task_type = Some(TaskType::Chore);
    target.assignee_id = Some(user);
    target.tags = Tags::parse("tags", &[tag.as_str()]).unwrap();
    store.create_task(&target, &[]).await.unwrap();
    // Each decoy differs from the target in exactly one respect.
    let decoys: [fn(&mut Task); 4] = [
        |t| t.status = TaskStatus::Todo,
        |t| t.task_type = Some(TaskType::Bug),
        |t| t.assignee_id = None,
        |t| t.tags = Tags::default(),
    ];
    for change in decoys {
        let mut decoy = target.clone();
        decoy.uid = TaskId::new();
        change(&mut decoy);
        store.create_task(&decoy, &[]).await.unwrap();
    }
    let filter = TaskFilter {
        project_id: Some(project),
        statuses: vec![TaskStatus::Blocked, TaskStatus::Done],
        task_type: Some(TaskType::Chore),
        assignee_id: Some(user),
        tag: Some(Tag::parse(&tag).unwrap()),
        ..TaskFilter::default()
    };
    assert_eq!(list_all(store, &filter, 10).await.iter().map(|t| t.uid).collect::<Vec<_>>(), [target.uid]);
    let without_project = TaskFilter { project_id: None, ..filter };
    assert_eq!(list_all(store, &without_project, 10).await.iter().map(|t| t.uid).collect::<Vec<_>>(), [target.uid]);
}

pub(crate) async fn keyset_paging_yields_every_task_once_in_order<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let start = at("2026-06-01T12:00:00.000001Z");
    // Seven tasks, three of them sharing one microsecond, created out of order.
    let mut tasks: Vec<Task> = [5, 0, 2, 2, 2, 9, 1]
        .iter()
        .map(|offset| {
            let mut task = task("Paged", Some(project));
            task.created_at = plus(start, *offset);
            task
        })
        .collect();
    for task in &tasks {
        store.create_task(task, &[]).await.unwrap();
    }
    tasks.sort_by_key(Task::cursor);

    let filter = in_project(project);
    let first = store.list_tasks(&filter, page(3, None)).await.unwrap();
    assert_eq!(ids(&first), tasks[..3].iter().map(|t| t.uid).collect::<Vec<_>>());
    assert_eq!(first.next, Some(tasks[2].cursor()));
    let second = store.list_tasks(&filter, page(3, first.next)).await.unwrap();
    assert_eq!(ids(&second), tasks[3..6].iter().map(|t| t.uid).collect::<Vec<_>>());
    let third = store.list_tasks(&filter, page(3, second.next)).await.unwrap();
    assert_eq!(ids(&third), [tasks[6].uid]);
    assert_eq!(third.next, None);

    assert_eq!(list_all(store, &filter, 3).await, tasks, "every task once, in order, read back whole");
    let exact = store.list_tasks(&filter, page(7, None)).await.unwrap();
    assert_eq!((exact.items.len(), exact.next), (7, None), "a full last page announces no next one");
}

pub(crate) async fn keyset_paging_by_project_and_one_status_yields_every_match_once_in_order<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let (project, other) = (stored_project(store).await, stored_project(store).await);
    let user = fixture.add_user().await;
    let start = at("2026-07-01T08:00:00.000001Z");
    // Matches and near misses (another status, another project), several
    // sharing one microsecond, created out of order.
    let mut matches = Vec::new();
    for (n, offset) in [6, 3, 3, 3, 3, 8, 3, 0, 5].iter().enumerate() {
        let mut task = task("Sorted", Some(if n % 4 == 3 { other } else { project }));
        task.created_at = plus(start, *offset);
        task.status = if n % 3 == 2 { TaskStatus::Done } else { TaskStatus::InProgress };
        task.assignee_id = Some(user);
        store.create_task(&task, &[]).await.unwrap();
        if task.project_id == Some(project) && task.status == TaskStatus::InProgress {
            matches.push(task);
        }
    }
    matches.sort_by_key(Task::cursor);
    assert!(matches.len() >= 4, "the data set pages at least twice");

    let by_project = TaskFilter { statuses: vec![TaskStatus::InProgress], ..in_project(project) };
    assert_eq!(list_all(store, &by_project, 2).await, matches, "by project: every match once, in order");
    let first = store.list_tasks(&by_project, page(2, None)).await.unwrap();
    assert_eq!(ids(&first), matches[..2].iter().map(|t| t.uid).collect::<Vec<_>>());

    let by_assignee =
        TaskFilter { statuses: vec![TaskStatus::InProgress], assignee_id: Some(user), ..TaskFilter::default() };
    let mut assigned = list_all(store, &by_assignee, 2).await;
    assigned.retain(|t| t.project_id == Some(project));
    assert_eq!(assigned, matches, "by assignee: every match once, in order");
}

pub(crate) async fn keyset_paging_through_an_unfiltered_list_yields_every_task_once_in_order<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    // A window of creation times of this test's own, so other tests' tasks
    // in a shared database stay outside it.
    let window = unique_window();
    let mut tasks: Vec<Task> = [4, 0, 3, 3, 1, 6, 2]
        .iter()
        .map(|offset| {
            let mut task = task("Windowed", None);
            task.created_at = plus(window, *offset);
            task
        })
        .collect();
    for task in &tasks {
        store.create_task(task, &[]).await.unwrap();
    }
    tasks.sort_by_key(Task::cursor);

    let start = Cursor::new(plus(window, -1), uuid::Uuid::nil());
    let mut seen = Vec::new();
    let mut after = Some(start);
    while seen.len() < tasks.len() {
        let page = store.list_tasks(&TaskFilter::default(), page(3, after)).await.unwrap();
        assert!(page.items.len() <= 3);
        seen.extend(page.items.into_iter().filter(|t| t.created_at <= plus(window, 6)));
        after = page.next;
        assert!(after.is_some() || seen.len() == tasks.len(), "the list ended early");
    }
    assert_eq!(seen, tasks);

    let statuses = TaskFilter { statuses: vec![TaskStatus::Todo], ..TaskFilter::default() };
    let first = store.list_tasks(&statuses, page(3, Some(start))).await.unwrap();
    assert_eq!(ids(&first), tasks[..3].iter().map(|t| t.uid).collect::<Vec<_>>());
}

pub(crate) async fn a_list_with_no_match_is_an_empty_last_page<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let empty = store.list_tasks(&in_project(project), page(3, None)).await.unwrap();
    assert_eq!((empty.items.len(), empty.next), (0, None));
    let empty = store.list_tasks(&tagged(&unique_tag()), PageRequest::first()).await.unwrap();
    assert_eq!((empty.items.len(), empty.next), (0, None));
    let nowhere = TaskFilter { project_id: Some(ProjectId::new()), ..TaskFilter::default() };
    assert!(store.list_tasks(&nowhere, page(3, None)).await.unwrap().items.is_empty());
}

/// Neo4j's own view of what the store wrote: the contract's graph schema.
/// Not per store: it reads the graph through a driver of its own.
pub(crate) async fn neo4j_stores_the_contract_graph_shape() {
    let Some(backend) = support::Neo4j::from_env() else { return };
    let graph = backend.graph();
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let user = fixture.add_user().await;
    let blocker = support::task("Blocker", None);
    store.create_task(&blocker, &[]).await.unwrap();
    let mut task = full_task(project, user, &unique_tag());
    task.blocked_by = vec![blocker.uid];
    task.parent_id = Some(blocker.uid);
    store.create_task(&task, &[]).await.unwrap();

    let query = neo4rs::query(
        "MATCH (t:Task {uid: $uid}) \
         RETURN EXISTS { (t)-[:IS_PART_OF_PROJECT]->(:Project {uid: $project}) } AS in_project, \
                EXISTS { (t)-[:ASSIGNED_TO]->(:User {uid: $user}) } AS assigned, \
                EXISTS { (:Task {uid: $blocker})-[:BLOCKS]->(t) } AS blocked, \
                EXISTS { (t)-[:IS_SUBTASK_OF]->(:Task {uid: $blocker}) } AS subtask, \
                t.project_id IS NULL AND t.assignee_id IS NULL AND t.blocked_by IS NULL \
                AND t.parent_id IS NULL AS no_id_properties, \
                valueType(t.created_at) AS created_at, t.created_at.offsetSeconds AS offset, \
                valueType(t.due_date) AS due_date, valueType(t.tags) AS tags, \
                valueType(t.priority) AS priority, valueType(t.version) AS version, \
                t.status AS status, t.task_type AS task_type, t.effort_unit AS effort_unit, \
                t.created_at = datetime($created_at) AS exact",
    )
    .param("uid", task.uid.to_string())
    .param("project", project.to_string())
    .param("user", user.to_string())
    .param("blocker", blocker.uid.to_string())
    .param("created_at", "2026-11-26T03:12:45.000001Z");
    let mut rows = graph.execute(query).await.unwrap();
    let row = rows.next().await.unwrap().expect("the task node exists");
    assert!(row.get::<bool>("in_project").unwrap(), "(:Task)-[:IS_PART_OF_PROJECT]->(:Project)");
    assert!(row.get::<bool>("assigned").unwrap(), "(:Task)-[:ASSIGNED_TO]->(:User)");
    assert!(
        row.get::<bool>("blocked").unwrap(),
        "the blocker points at the task it blocks: (:Task)-[:BLOCKS]->(:Task)"
    );
    assert!(
        row.get::<bool>("subtask").unwrap(),
        "the sub-task points at its parent: (:Task)-[:IS_SUBTASK_OF]->(:Task)"
    );
    assert!(row.get::<bool>("no_id_properties").unwrap(), "relationships, not id properties");
    assert_eq!(row.get::<String>("created_at").unwrap(), "ZONED DATETIME NOT NULL");
    assert_eq!(row.get::<i64>("offset").unwrap(), 0, "stored in UTC");
    assert_eq!(row.get::<String>("due_date").unwrap(), "ZONED DATETIME NOT NULL");
    assert_eq!(row.get::<String>("tags").unwrap(), "LIST<STRING NOT NULL> NOT NULL");
    assert_eq!(row.get::<String>("priority").unwrap(), "INTEGER NOT NULL");
    assert_eq!(row.get::<String>("version").unwrap(), "INTEGER NOT NULL");
    assert_eq!(row.get::<String>("status").unwrap(), "done");
    assert_eq!(row.get::<String>("task_type").unwrap(), "documentation");
    assert_eq!(row.get::<String>("effort_unit").unwrap(), "story_points");
    assert!(row.get::<bool>("exact").unwrap(), "microseconds stored exactly");

    let query = neo4rs::query(
        "MATCH (u:User {uid: $user}) \
         RETURN u.username_key = toLower(u.username) AS keyed, valueType(u.is_active) AS is_active, \
                valueType(u.created_at) AS created_at",
    )
    .param("user", user.to_string());
    let mut rows = graph.execute(query).await.unwrap();
    let row = rows.next().await.unwrap().expect("the user node exists");
    assert!(row.get::<bool>("keyed").unwrap(), "the lower-case key backs case-insensitive uniqueness");
    assert_eq!(row.get::<String>("is_active").unwrap(), "BOOLEAN NOT NULL");
    assert_eq!(row.get::<String>("created_at").unwrap(), "ZONED DATETIME NOT NULL");

    let mut schema = graph
        .execute(neo4rs::query(
            "SHOW INDEXES YIELD type, labelsOrTypes, properties, state, owningConstraint \
             RETURN type, labelsOrTypes[0] + '.' + properties[0] AS on, state, owningConstraint IS NOT NULL AS unique",
        ))
        .await
        .unwrap();
    let mut indexes = HashSet::new();
    while let Some(row) = schema.next().await.unwrap() {
        let on: String = row.get("on").unwrap_or_default();
        let kind: String = row.get("type").unwrap();
        let unique: bool = row.get("unique").unwrap();
        assert_eq!(row.get::<String>("state").unwrap(), "ONLINE", "{on}");
        indexes.insert(format!("{kind} {on}{}", if unique { " unique" } else { "" }));
    }
    for expected in [
        "RANGE Task.uid unique",
        "RANGE Project.uid unique",
        "RANGE User.uid unique",
        "RANGE User.username unique",
        "RANGE User.username_key unique",
        "RANGE Task.status",
        "RANGE Task.created_at",
        "RANGE Project.created_at",
    ] {
        assert!(indexes.contains(expected), "missing {expected} among {indexes:?}");
    }
}

pub(crate) async fn the_recent_tasks_are_the_newest_first<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    // Far beyond every other test's window (which ends before the year
    // 2800, but for `a_search_pages_through_the_newest_tasks_of_the_store`,
    // 1,500 years ahead), and later on every run: these are the newest
    // tasks stored.
    let year_5000 = 95_617_584_000_000_000_i64;
    let base = Timestamp::from_micros(year_5000 + Timestamp::now().as_micros()).unwrap();
    let mut created = Vec::new();
    for n in 0..3 {
        let mut task = task(&format!("recent {n}"), None);
        task.created_at = plus(base, n);
        task.updated_at = task.created_at;
        store.create_task(&task, &[]).await.unwrap();
        created.push(task);
    }
    let recent: Vec<TaskId> = store.recent_tasks(2).await.unwrap().iter().map(|t| t.uid).collect();
    assert_eq!(recent, [created[2].uid, created[1].uid]);
    let read = store.recent_tasks(1).await.unwrap();
    assert_eq!(read[0], created[2], "recent tasks read back whole");
    for task in created {
        store.delete_task(task.uid, None, false, Timestamp::now(), None).await.unwrap();
    }
}

pub(crate) async fn the_counts_include_what_was_stored<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    fixture.add_user().await;
    for n in 0..3 {
        let mut blocked = task(&format!("blocked {n}"), Some(project));
        blocked.status = TaskStatus::Blocked;
        store.create_task(&blocked, &[]).await.unwrap();
    }
    let by_status = store.count_tasks_by_status().await.unwrap();
    let blocked = by_status.iter().find(|(status, _)| *status == TaskStatus::Blocked).map(|(_, n)| *n);
    assert!(blocked.is_some_and(|n| n >= 3), "{by_status:?}");
    let statuses: HashSet<TaskStatus> = by_status.iter().map(|(status, _)| *status).collect();
    assert_eq!(statuses.len(), by_status.len(), "each status is counted once");
    assert!(store.count_projects().await.unwrap() >= 1);
    assert!(store.count_users().await.unwrap() >= 1);
}
