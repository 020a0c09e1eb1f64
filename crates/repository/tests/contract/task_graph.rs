//! The task graph: `blocked_by` stored as `BLOCKS` edges, the checks a new
//! edge passes (it names a task, it closes no cycle — even when two writes
//! race to close one), what deleting a task does to the tasks it blocked,
//! walks along the edges and the `blocked` filter.

use trm_domain::{Direction, EventMetadata, Tag, Task, TaskId, TaskStatus, Timestamp, WalkDepth, graph::sorted_ids};
use trm_repository::{StoreError, TaskFilter, TaskRepository};
use uuid::Uuid;

use super::group_commit::all_at_once;
use super::support::{self, Backend, list_all, next_version, plus, task, unique_tag};

/// A task waiting for `blockers`, created at `at` (or now).
fn blocked(title: &str, blockers: &[TaskId], at: Option<Timestamp>) -> Task {
    let mut task = task(title, None);
    task.blocked_by = sorted_ids(blockers.iter().copied());
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

/// `task` one version on, waiting for `blockers`.
fn now_blocked_by(task: &Task, blockers: &[TaskId]) -> Task {
    next_version(task, |next| next.blocked_by = sorted_ids(blockers.iter().copied()))
}

pub(crate) async fn a_task_created_with_blockers_reads_back_with_them_sorted<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let first = stored(store, task("First", None)).await;
    let second = stored(store, task("Second", None)).await;
    let waiting = stored(store, blocked("Waiting", &[second.uid, first.uid], None)).await;

    let read = store.get_task(waiting.uid).await.unwrap().unwrap();
    assert_eq!(read.blocked_by, sorted_ids([first.uid, second.uid]));
    assert_eq!(read, waiting);
    assert_eq!(store.get_task(first.uid).await.unwrap().unwrap().blocked_by, []);

    let mut tagged = task("Bulk", None);
    let tag = unique_tag();
    tagged.tags = trm_domain::Tags::from_tags([Tag::parse(&tag).unwrap()]);
    tagged.blocked_by = vec![waiting.uid];
    store.create_tasks(std::slice::from_ref(&tagged), &[]).await.unwrap();
    let listed = list_all(store, &support::tagged(&tag), 10).await;
    assert_eq!(listed, [tagged]);
}

pub(crate) async fn a_task_naming_an_unknown_blocker_is_not_stored<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let real = stored(store, task("Real", None)).await;
    let ghost = TaskId::new();
    let orphan = blocked("Orphan", &[real.uid, ghost], None);
    let error = store.create_task(&orphan, &[]).await.unwrap_err();
    assert!(matches!(&error, StoreError::MissingBlockers(missing) if missing == &[(0, ghost)]), "{error:?}");
    assert_eq!(store.get_task(orphan.uid).await.unwrap(), None);
}

pub(crate) async fn a_bulk_create_naming_unknown_blockers_stores_nothing_and_names_each<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let real = stored(store, task("Real", None)).await;
    let (ghost, other_ghost) = (TaskId::new(), TaskId::new());
    let tasks = [
        blocked("Fine", &[real.uid], None),
        blocked("Haunted", &[ghost], None),
        task("Plain", None),
        blocked("Twice haunted", &[other_ghost, real.uid], None),
    ];
    let error = store.create_tasks(&tasks, &[]).await.unwrap_err();
    let StoreError::MissingBlockers(missing) = error else { panic!("{error:?}") };
    assert_eq!(missing, [(1, ghost), (3, other_ghost)]);
    for task in &tasks {
        assert_eq!(store.get_task(task.uid).await.unwrap(), None);
    }
}

pub(crate) async fn an_update_replaces_the_blockers<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let (a, b, c) = (
        stored(store, task("A", None)).await,
        stored(store, task("B", None)).await,
        stored(store, task("C", None)).await,
    );
    let waiting = stored(store, blocked("Waiting", &[a.uid, b.uid], None)).await;

    let moved = now_blocked_by(&waiting, &[b.uid, c.uid]);
    store.update_task(&moved, &[]).await.unwrap();
    assert_eq!(store.get_task(waiting.uid).await.unwrap().unwrap().blocked_by, sorted_ids([b.uid, c.uid]));
    let dependents = store.walk_tasks(a.uid, Direction::Dependents, WalkDepth::DIRECT).await.unwrap();
    assert!(dependents.is_empty(), "the edge from A is gone: {dependents:?}");

    let freed = now_blocked_by(&moved, &[]);
    store.update_task(&freed, &[]).await.unwrap();
    assert_eq!(store.get_task(waiting.uid).await.unwrap().unwrap(), freed);
}

pub(crate) async fn an_update_naming_an_unknown_blocker_changes_nothing<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let a = stored(store, task("A", None)).await;
    let waiting = stored(store, blocked("Waiting", &[a.uid], None)).await;
    let ghost = TaskId::new();
    let error = store.update_task(&now_blocked_by(&waiting, &[ghost]), &[]).await.unwrap_err();
    assert!(matches!(&error, StoreError::MissingBlockers(missing) if missing == &[(0, ghost)]), "{error:?}");
    assert_eq!(store.get_task(waiting.uid).await.unwrap().unwrap(), waiting);
}

pub(crate) async fn an_edge_closing_a_cycle_is_refused_naming_the_cycle<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    // A blocks B, B blocks C: C waits for A through B.
    let a = stored(store, task("A", None)).await;
    let b = stored(store, blocked("B", &[a.uid], None)).await;
    let c = stored(store, blocked("C", &[b.uid], None)).await;

    let error = store.update_task(&now_blocked_by(&a, &[c.uid]), &[]).await.unwrap_err();
    let StoreError::DependencyCycle(cycle) = error else { panic!("{error:?}") };
    assert_eq!(cycle, [c.uid, a.uid, b.uid, c.uid]);
    assert_eq!(store.get_task(a.uid).await.unwrap().unwrap(), a, "nothing changed");

    // The shortest way round is named.
    let error = store.update_task(&now_blocked_by(&a, &[b.uid, c.uid]), &[]).await.unwrap_err();
    let StoreError::DependencyCycle(cycle) = error else { panic!("{error:?}") };
    assert_eq!(cycle, [b.uid, a.uid, b.uid]);

    // An edge alongside the path, not against it, is fine.
    store.update_task(&now_blocked_by(&c, &[a.uid, b.uid]), &[]).await.unwrap();
}

pub(crate) async fn of_two_concurrent_writes_closing_a_cycle_exactly_one_succeeds<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    for round in 0..8 {
        // Two tasks each made to wait for the other…
        let a = stored(&fixture.store, task(&format!("A{round}"), None)).await;
        let b = stored(&fixture.store, task(&format!("B{round}"), None)).await;
        // … and a four-task loop whose two closing edges share no task:
        // A→B and C→D exist; B→C and D→A race.
        let p = stored(&fixture.store, task(&format!("P{round}"), None)).await;
        let q = stored(&fixture.store, blocked(&format!("Q{round}"), &[p.uid], None)).await;
        let r = stored(&fixture.store, task(&format!("R{round}"), None)).await;
        let s = stored(&fixture.store, blocked(&format!("S{round}"), &[r.uid], None)).await;
        let writes = [
            now_blocked_by(&a, &[b.uid]),
            now_blocked_by(&b, &[a.uid]),
            now_blocked_by(&r, &[q.uid]),
            now_blocked_by(&p, &[s.uid]),
        ];
        let answers = all_at_once(writes.len(), |n| {
            let store = fixture.store.clone();
            let write = writes[n].clone();
            async move { store.update_task(&write, &[]).await }
        })
        .await;
        for pair in answers.chunks(2) {
            let won = pair.iter().filter(|answer| answer.is_ok()).count();
            assert_eq!(won, 1, "round {round}: {pair:?}");
            let lost = pair.iter().find_map(|answer| answer.as_ref().err());
            assert!(matches!(lost, Some(StoreError::DependencyCycle(_))), "round {round}: {lost:?}");
        }
    }
}

pub(crate) async fn deleting_a_task_unblocks_its_dependents_one_version_further<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let start = support::at("2026-03-01T08:00:00Z");
    let doomed = stored(store, task("Doomed", None)).await;
    let other = stored(store, task("Other", None)).await;
    // Created out of order: the cascade answers oldest first.
    let later = stored(store, blocked("Later", &[doomed.uid], Some(plus(start, 2)))).await;
    let sooner = stored(store, blocked("Sooner", &[doomed.uid, other.uid], Some(plus(start, 1)))).await;
    let metadata = EventMetadata { request_id: Some(format!("req-{}", Uuid::new_v4().simple())) };
    let now = support::at("2026-05-01T00:00:00.000007Z");

    let cascade = store.delete_task(doomed.uid, Some(1), false, now, Some(metadata.clone())).await.unwrap();

    let ids: Vec<TaskId> = cascade.affected.iter().map(|task| task.uid).collect();
    assert_eq!(ids, [sooner.uid, later.uid]);
    for task in &cascade.affected {
        assert_eq!(task.version, 2);
        assert_eq!(task.updated_at, now);
        assert!(!task.blocked_by.contains(&doomed.uid));
        assert_eq!(store.get_task(task.uid).await.unwrap().as_ref(), Some(task));
    }
    assert_eq!(cascade.affected[0].blocked_by, [other.uid]);
    let types: Vec<&str> = cascade.events.iter().map(|event| event.event_type.as_str()).collect();
    assert_eq!(types, ["task.updated", "task.updated", "task.deleted"]);
    assert_eq!(cascade.events[0].data, serde_json::to_value(&cascade.affected[0]).unwrap());
    assert_eq!(cascade.events[2].entity_id, *doomed.uid.as_uuid());
    assert!(cascade.events.iter().all(|event| event.metadata == metadata));
    let dependents = store.walk_tasks(other.uid, Direction::Dependents, WalkDepth::DIRECT).await.unwrap();
    assert_eq!(dependents.len(), 1);

    // Without the event log, nothing is logged but the dependents change all the same.
    let lone = stored(store, task("Lone", None)).await;
    let cascade = store.delete_task(lone.uid, None, false, now, None).await.unwrap();
    assert!(cascade.affected.is_empty() && cascade.events.is_empty());
}

pub(crate) async fn walks_reach_each_task_once_at_its_smallest_depth_in_order<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let start = support::at("2026-02-01T08:00:00Z");
    // root ← a ← c ← d, root ← b ← c (a diamond), a second root ← d.
    let root = stored(store, blocked("Root", &[], Some(plus(start, 0)))).await;
    let b = stored(store, blocked("B", &[root.uid], Some(plus(start, 1)))).await;
    let a = stored(store, blocked("A", &[root.uid], Some(plus(start, 2)))).await;
    let c = stored(store, blocked("C", &[a.uid, b.uid], Some(plus(start, 3)))).await;
    let d = stored(store, blocked("D", &[c.uid, root.uid], Some(plus(start, 4)))).await;

    let depth = |n| WalkDepth::new(n).unwrap();
    let walked = |reached: Vec<(u8, Task)>| reached.into_iter().map(|(d, t)| (d, t.uid)).collect::<Vec<_>>();

    let dependents = store.walk_tasks(root.uid, Direction::Dependents, depth(25)).await.unwrap();
    assert_eq!(walked(dependents.clone()), [(1, b.uid), (1, a.uid), (1, d.uid), (2, c.uid)]);
    assert_eq!(dependents[3].1, c, "each task reads back whole");
    let direct = store.walk_tasks(root.uid, Direction::Dependents, WalkDepth::DIRECT).await.unwrap();
    assert_eq!(walked(direct), [(1, b.uid), (1, a.uid), (1, d.uid)]);

    let blockers = store.walk_tasks(d.uid, Direction::Blockers, depth(2)).await.unwrap();
    assert_eq!(walked(blockers), [(1, root.uid), (1, c.uid), (2, b.uid), (2, a.uid)]);
    let blockers = store.walk_tasks(c.uid, Direction::Blockers, depth(25)).await.unwrap();
    assert_eq!(walked(blockers), [(1, b.uid), (1, a.uid), (2, root.uid)]);
    assert!(store.walk_tasks(root.uid, Direction::Blockers, depth(3)).await.unwrap().is_empty());

    for (direction, depth) in [(Direction::Blockers, depth(1)), (Direction::Dependents, depth(25))] {
        let error = store.walk_tasks(TaskId::new(), direction, depth).await.unwrap_err();
        assert!(matches!(error, StoreError::NotFound(trm_domain::EntityKind::Task)), "{direction:?}: {error:?}");
    }
}

pub(crate) async fn a_walk_taken_again_reads_each_task_as_it_now_is<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let start = support::at("2026-03-01T08:00:00Z");
    // root ← a ← b ← c, root ← x.
    let root = stored(store, blocked("Root", &[], Some(plus(start, 0)))).await;
    let a = stored(store, blocked("A", &[root.uid], Some(plus(start, 1)))).await;
    let b = stored(store, blocked("B", &[a.uid], Some(plus(start, 2)))).await;
    let c = stored(store, blocked("C", &[b.uid], Some(plus(start, 3)))).await;
    let x = stored(store, blocked("X", &[root.uid], Some(plus(start, 4)))).await;
    let everything = WalkDepth::new(25).unwrap();
    // Every walked task as a read by id now returns it, and their depths.
    let walk_matches_reads = |expected: Vec<(u8, TaskId)>| async move {
        let walked = store.walk_tasks(root.uid, Direction::Dependents, everything).await.unwrap();
        assert_eq!(walked.iter().map(|(depth, task)| (*depth, task.uid)).collect::<Vec<_>>(), expected);
        for (_, task) in walked {
            assert_eq!(Some(&task), store.get_task(task.uid).await.unwrap().as_ref(), "{} as it now is", task.title);
        }
    };

    walk_matches_reads(vec![(1, a.uid), (1, x.uid), (2, b.uid), (3, c.uid)]).await;
    walk_matches_reads(vec![(1, a.uid), (1, x.uid), (2, b.uid), (3, c.uid)]).await;
    // A walk that finds nothing finds nothing again, one step or many.
    for depth in [WalkDepth::DIRECT, everything, WalkDepth::DIRECT, everything] {
        assert!(store.walk_tasks(root.uid, Direction::Blockers, depth).await.unwrap().is_empty());
        assert!(store.walk_tasks(c.uid, Direction::Dependents, depth).await.unwrap().is_empty());
    }

    let renamed = next_version(&b, |next| next.title = trm_domain::Title::parse("B, renamed").unwrap());
    store.update_task(&renamed, &[]).await.unwrap();
    walk_matches_reads(vec![(1, a.uid), (1, x.uid), (2, b.uid), (3, c.uid)]).await;

    // c now waits for root directly as well: one step from it.
    store.update_task(&now_blocked_by(&c, &[b.uid, root.uid]), &[]).await.unwrap();
    walk_matches_reads(vec![(1, a.uid), (1, c.uid), (1, x.uid), (2, b.uid)]).await;

    // A new task, then x deleted: a walk holds neither as it was.
    let y = stored(store, blocked("Y", &[a.uid], Some(plus(start, 5)))).await;
    walk_matches_reads(vec![(1, a.uid), (1, c.uid), (1, x.uid), (2, b.uid), (2, y.uid)]).await;
    store.delete_task(x.uid, None, false, Timestamp::now(), None).await.unwrap();
    walk_matches_reads(vec![(1, a.uid), (1, c.uid), (2, b.uid), (2, y.uid)]).await;

    // Deleting a blocker changes the tasks it blocked (their `blocked_by`).
    store.delete_task(b.uid, None, false, Timestamp::now(), None).await.unwrap();
    walk_matches_reads(vec![(1, a.uid), (1, c.uid), (2, y.uid)]).await;
}

pub(crate) async fn the_blocked_filter_counts_only_unfinished_blockers<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let tag = unique_tag();
    let tagged = |mut task: Task| {
        task.tags = trm_domain::Tags::from_tags([Tag::parse(&tag).unwrap()]);
        task
    };
    let open = stored(store, task("Open", None)).await;
    let mut finished = task("Finished", None);
    finished.status = TaskStatus::Done;
    let finished = stored(store, finished).await;
    let mut dropped = task("Dropped", None);
    dropped.status = TaskStatus::Cancelled;
    let dropped = stored(store, dropped).await;

    let waiting = stored(store, tagged(blocked("Waiting", &[open.uid, finished.uid], None))).await;
    let free = stored(store, tagged(blocked("Free", &[finished.uid, dropped.uid], None))).await;
    let plain = stored(store, tagged(task("Plain", None))).await;

    let list = |blocked: bool| {
        let filter = TaskFilter { blocked: Some(blocked), ..support::tagged(&tag) };
        async move { list_all(store, &filter, 2).await.into_iter().map(|task| task.uid).collect::<Vec<_>>() }
    };
    assert_eq!(list(true).await, [waiting.uid]);
    assert_eq!(list(false).await, [free.uid, plain.uid]);
    for sort in [trm_domain::TaskSort::PriorityDesc, trm_domain::TaskSort::DueDate] {
        let filter = TaskFilter { blocked: Some(true), sort, ..support::tagged(&tag) };
        let sorted: Vec<TaskId> = list_all(store, &filter, 1).await.into_iter().map(|task| task.uid).collect();
        assert_eq!(sorted, [waiting.uid], "{sort:?}");
    }

    // Finishing the last open blocker unblocks the task.
    let done = next_version(&open, |task| task.status = TaskStatus::Done);
    store.update_task(&done, &[]).await.unwrap();
    assert_eq!(list(true).await, Vec::<TaskId>::new());

    // Reopening it blocks the task again; deleting it frees the task.
    let reopened = next_version(&done, |task| task.status = TaskStatus::InProgress);
    store.update_task(&reopened, &[]).await.unwrap();
    assert_eq!(list(true).await, [waiting.uid]);
    store.delete_task(reopened.uid, None, false, Timestamp::now(), None).await.unwrap();
    assert_eq!(list(true).await, Vec::<TaskId>::new());

    // A new open blocker blocks it; replacing the list with finished ones frees it.
    let waiting = store.get_task(waiting.uid).await.unwrap().unwrap();
    let another = stored(store, task("Another", None)).await;
    let waiting = now_blocked_by(&waiting, &[another.uid, finished.uid]);
    store.update_task(&waiting, &[]).await.unwrap();
    assert_eq!(list(true).await, [waiting.uid]);
    store.update_task(&now_blocked_by(&waiting, &[dropped.uid]), &[]).await.unwrap();
    assert_eq!(list(true).await, Vec::<TaskId>::new());
    assert_eq!(list(false).await.len(), 3, "every tagged task is free");
}

pub(crate) async fn a_blocker_deleted_while_it_is_set_never_leaves_a_dangling_or_silent_edge<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    for round in 0..10 {
        let blocker = stored(&fixture.store, task(&format!("Going {round}"), None)).await;
        let waiting = stored(&fixture.store, task(&format!("Waiting {round}"), None)).await;
        let update = {
            let store = fixture.store.clone();
            let next = now_blocked_by(&waiting, &[blocker.uid]);
            tokio::spawn(async move { store.update_task(&next, &[]).await })
        };
        let delete = {
            let store = fixture.store.clone();
            tokio::spawn(async move { store.delete_task(blocker.uid, None, false, Timestamp::now(), None).await })
        };
        let (updated, deleted) = (update.await.unwrap(), delete.await.unwrap());
        let deleted = deleted.unwrap();
        let stored = fixture.store.get_task(waiting.uid).await.unwrap().unwrap();
        assert_eq!(stored.blocked_by, [], "round {round}: no edge to a deleted task");
        match updated {
            // The update came first: the delete took the edge and bumped the task.
            Ok(()) => {
                assert_eq!(stored.version, 3, "round {round}");
                assert_eq!(deleted.affected.iter().map(|task| task.uid).collect::<Vec<_>>(), [waiting.uid]);
            }
            // The delete came first: the update named a task that is gone.
            Err(StoreError::MissingBlockers(missing)) => {
                assert_eq!(missing, [(0, blocker.uid)], "round {round}");
                assert_eq!(stored.version, 1, "round {round}");
            }
            Err(other) => panic!("round {round}: {other:?}"),
        }
    }
}

pub(crate) async fn concurrent_creates_naming_missing_blockers_each_get_their_own_answer<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let real = stored(&fixture.store, task("Real", None)).await;
    // Every third names a blocker that does not exist, besides the real one.
    let ghosts: Vec<TaskId> = (0..48).map(|_| TaskId::new()).collect();
    let tasks: Vec<Task> = (0..48)
        .map(|n| {
            let blockers = if n % 3 == 1 { vec![real.uid, ghosts[n]] } else { vec![real.uid] };
            blocked(&format!("Batched {n}"), &blockers, None)
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
        if n % 3 == 1 {
            assert!(
                matches!(&answer, Err(StoreError::MissingBlockers(missing)) if missing == &[(0, ghosts[n])]),
                "{n}: {answer:?}"
            );
            assert_eq!(stored, None, "{n}");
        } else {
            assert!(answer.is_ok(), "{n}: {answer:?}");
            assert_eq!(stored.as_ref(), Some(task), "{n}");
        }
    }
    let dependents = fixture.store.walk_tasks(real.uid, Direction::Dependents, WalkDepth::DIRECT).await.unwrap();
    assert_eq!(dependents.len(), 32);
}
