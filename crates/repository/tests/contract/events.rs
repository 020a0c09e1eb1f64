//! The event log part of the contract (the transactional outbox): a write's
//! events are logged exactly when the write is, in order; cascades log
//! theirs; an entity's history outlives it; the log filters and pages both
//! ways; retention prunes only what is old, in bounded batches, without
//! reusing positions; and a reader tailing the log while many write sees
//! every event once, in order.
//!
//! On Neo4j the log is shared by every test, so these tests never assume it
//! is empty: they read from the position the log had when they started,
//! and look only at the events they made themselves (their own event and
//! entity ids). Exact claims about the whole log are made on private
//! stores only.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::Serialize;
use trm_domain::{
    DomainEvent, EntityKind, EventKind, EventMetadata, EventPosition, LoggedEvent, Task, TaskStatus, Timestamp, Title,
    Username,
};
use trm_repository::{EventFilter, EventLog, ProjectRepository, StoreError, TaskRepository, UserRepository};
use uuid::Uuid;

use super::group_commit::all_at_once;
use super::support::{self, Backend, next_version, plus, project, stored_project, task};

/// Metadata of a request of its own, so that it can be told apart.
fn request() -> EventMetadata {
    EventMetadata { request_id: Some(format!("req-{}", Uuid::new_v4().simple())) }
}

/// The event of `kind` about `value`, an entity of `entity` with id `id`.
fn about<T: Serialize>(entity: EntityKind, kind: EventKind, id: Uuid, value: &T) -> DomainEvent {
    DomainEvent::about(entity, kind, id, value, request())
}

fn task_event(kind: EventKind, task: &Task) -> DomainEvent {
    about(EntityKind::Task, kind, *task.uid.as_uuid(), task)
}

/// Only the events about `id`.
fn of_entity(id: Uuid) -> EventFilter {
    EventFilter { entity_id: Some(id), ..EventFilter::default() }
}

/// Every event matching `filter` after `after`, paging oldest first with
/// `limit` until a page is short; fails the test if a page is over-full or
/// out of order.
async fn all_after(store: &impl EventLog, filter: &EventFilter, after: EventPosition, limit: u32) -> Vec<LoggedEvent> {
    let mut all: Vec<LoggedEvent> = Vec::new();
    let mut from = after;
    loop {
        let page = store.events_after(filter, from, limit).await.unwrap();
        assert!(page.len() <= usize::try_from(limit).unwrap(), "an over-full page");
        for logged in &page {
            assert!(logged.position > from, "{:?} after {from:?}", logged.position);
            from = logged.position;
        }
        let short = page.len() < usize::try_from(limit).unwrap();
        all.extend(page);
        if short {
            return all;
        }
    }
}

/// Everything the log holds about `id`, oldest first.
async fn history(store: &impl EventLog, id: Uuid) -> Vec<DomainEvent> {
    all_after(store, &of_entity(id), EventPosition::START, 100).await.into_iter().map(|logged| logged.event).collect()
}

/// The positions of `events`, each of which must be logged.
async fn positions(store: &impl EventLog, events: &[DomainEvent]) -> Vec<EventPosition> {
    let mut positions = Vec::with_capacity(events.len());
    for event in events {
        let position = store.position_of(event.event_id).await.unwrap();
        positions.push(position.unwrap_or_else(|| panic!("{} {} is not logged", event.event_type, event.event_id)));
    }
    positions
}

/// Fails unless `event` is nowhere in the log.
async fn assert_not_logged(store: &impl EventLog, event: &DomainEvent) {
    assert_eq!(store.position_of(event.event_id).await.unwrap(), None, "{} was logged", event.event_type);
}

fn assert_strictly_increasing(positions: &[EventPosition]) {
    assert!(positions.windows(2).all(|pair| pair[0] < pair[1]), "not strictly increasing: {positions:?}");
}

fn types(events: &[DomainEvent]) -> Vec<&str> {
    events.iter().map(|event| event.event_type.as_str()).collect()
}

/// Only the events whose ids are in `ids`, in the order given.
fn own(events: &[LoggedEvent], ids: &HashSet<Uuid>) -> Vec<DomainEvent> {
    events.iter().filter(|logged| ids.contains(&logged.event.event_id)).map(|logged| logged.event.clone()).collect()
}

fn ids_of(events: &[DomainEvent]) -> HashSet<Uuid> {
    events.iter().map(|event| event.event_id).collect()
}

pub(crate) async fn a_writes_events_are_logged_after_it_in_order<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let start = store.last_position().await.unwrap();

    let project = project("Logged");
    let project_created = about(EntityKind::Project, EventKind::Created, *project.uid.as_uuid(), &project);
    store.create_project(&project, std::slice::from_ref(&project_created)).await.unwrap();

    let original = task("Logged", Some(project.uid));
    let task_created = task_event(EventKind::Created, &original);
    store.create_task(&original, std::slice::from_ref(&task_created)).await.unwrap();

    // One write, two events: both logged, in the order given.
    let done = next_version(&original, |t| t.status = TaskStatus::Done);
    let updated = DomainEvent::task_updated(&done, false, &request());
    assert_eq!(types(&updated), ["task.updated", "task.completed"]);
    store.update_task(&done, &updated).await.unwrap();

    let user = support::user();
    let user_created = about(EntityKind::User, EventKind::Created, *user.uid.as_uuid(), &user);
    store.create_user(&user, std::slice::from_ref(&user_created)).await.unwrap();

    let written: Vec<DomainEvent> =
        [project_created, task_created].into_iter().chain(updated).chain([user_created]).collect();
    let at = positions(store, &written).await;
    assert_strictly_increasing(&at);
    assert!(at[0] > start, "{at:?} after {start:?}");
    let last = store.last_position().await.unwrap();
    assert!(last >= at[at.len() - 1], "last {last:?}, written {at:?}");

    // Read back whole, with the positions `position_of` gave.
    let logged = all_after(store, &EventFilter::default(), start, 100).await;
    let written_ids = ids_of(&written);
    let mine: Vec<LoggedEvent> =
        logged.iter().filter(|logged| written_ids.contains(&logged.event.event_id)).cloned().collect();
    let expected: Vec<LoggedEvent> = written
        .iter()
        .zip(&at)
        .map(|(event, position)| LoggedEvent { position: *position, event: event.clone() })
        .collect();
    assert_eq!(mine, expected, "every event as written, at its position");
    if backend.is_private() {
        assert_eq!(logged, expected, "nothing else in a private log");
        assert_eq!(last, at[at.len() - 1], "the newest is the last written");
    }

    // A write without events logs none.
    let quiet = task("Quiet", None);
    store.create_task(&quiet, &[]).await.unwrap();
    assert!(history(store, *quiet.uid.as_uuid()).await.is_empty());
    if backend.is_private() {
        assert_eq!(store.last_position().await.unwrap(), last);
    }
}

/// A bulk create logs each task's event with it, in the order of the tasks,
/// each in its task's history — and any event about something else it was
/// given.
pub(crate) async fn a_bulk_create_logs_its_tasks_events_in_their_order<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let start = store.last_position().await.unwrap();
    let project = stored_project(store).await;
    let tasks: Vec<Task> = (0..5).map(|n| task(&format!("Imported {n}"), Some(project))).collect();
    let mut events: Vec<DomainEvent> = tasks.iter().map(|task| task_event(EventKind::Created, task)).collect();
    // One event about no task of the create.
    let aside =
        about(EntityKind::Project, EventKind::Updated, *project.as_uuid(), &serde_json::json!({ "uid": project }));
    events.insert(2, aside.clone());

    store.create_tasks(&tasks, &events).await.unwrap();

    let logged = own(&all_after(store, &EventFilter::default(), start, 100).await, &ids_of(&events));
    let of_tasks: Vec<DomainEvent> = logged.iter().filter(|event| event.event_id != aside.event_id).cloned().collect();
    let expected: Vec<DomainEvent> = events.iter().filter(|event| event.event_id != aside.event_id).cloned().collect();
    assert_eq!(of_tasks, expected, "the tasks' events, in the tasks' order");
    assert_eq!(logged.len(), events.len(), "and the other one");
    for (task, event) in tasks.iter().zip(&expected) {
        assert_eq!(history(store, *task.uid.as_uuid()).await, std::slice::from_ref(event));
    }
}

/// On Neo4j every event hangs from its entity while the entity exists,
/// `(entity)-[:GENERATES_EVENT]->(:Event)`, whichever write logged it: a
/// project's create, a lone task create, a bulk create.
pub(crate) async fn neo4j_links_each_event_from_its_entity() {
    let Some(backend) = support::Neo4j::from_env() else { return };
    let graph = backend.graph();
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = project("Linked");
    let project_created = about(EntityKind::Project, EventKind::Created, *project.uid.as_uuid(), &project);
    store.create_project(&project, std::slice::from_ref(&project_created)).await.unwrap();
    let alone = task("Linked alone", Some(project.uid));
    let alone_created = task_event(EventKind::Created, &alone);
    store.create_task(&alone, std::slice::from_ref(&alone_created)).await.unwrap();
    let bulk: Vec<Task> = (0..3).map(|n| task(&format!("Linked in bulk {n}"), Some(project.uid))).collect();
    let bulk_created: Vec<DomainEvent> = bulk.iter().map(|task| task_event(EventKind::Created, task)).collect();
    store.create_tasks(&bulk, &bulk_created).await.unwrap();

    let linked = [("Project", project.uid.to_string(), &project_created)]
        .into_iter()
        .chain([("Task", alone.uid.to_string(), &alone_created)])
        .chain(bulk.iter().zip(&bulk_created).map(|(task, event)| ("Task", task.uid.to_string(), event)));
    for (label, entity, event) in linked {
        let query = neo4rs::query(&format!(
            "MATCH (entity:{label} {{uid: $entity}})-[:GENERATES_EVENT]->(e:Event) RETURN collect(e.event_id) AS events"
        ))
        .param("entity", entity.as_str());
        let mut rows = graph.execute(query).await.unwrap();
        let events: Vec<String> = rows.next().await.unwrap().unwrap().get("events").unwrap();
        assert_eq!(events, [event.event_id.to_string()], "the events hanging from {entity}");
    }
}

pub(crate) async fn a_failed_write_logs_none_of_its_events<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let first = support::user();
    store.create_user(&first, &[]).await.unwrap();
    let member = task("Member", Some(project));
    store.create_task(&member, &[]).await.unwrap();
    let assignee = fixture.add_user().await;
    let mut assigned = task("Assigned", None);
    assigned.assignee_id = Some(assignee);
    store.create_task(&assigned, &[]).await.unwrap();
    let before = store.last_position().await.unwrap();
    let mut failed = Vec::new();

    // A missing project reference, alone and in a bulk create.
    let astray = task("Astray", Some(trm_domain::ProjectId::new()));
    let event = task_event(EventKind::Created, &astray);
    let error = store.create_task(&astray, std::slice::from_ref(&event)).await.unwrap_err();
    assert!(matches!(error, StoreError::MissingReference(EntityKind::Project)), "{error:?}");
    failed.push(event);

    let bulk = [task("Bulk ok", Some(project)), astray.clone()];
    let events: Vec<DomainEvent> = bulk.iter().map(|task| task_event(EventKind::Created, task)).collect();
    let error = store.create_tasks(&bulk, &events).await.unwrap_err();
    assert!(matches!(error, StoreError::MissingReferences(_)), "{error:?}");
    failed.extend(events);

    // Version conflicts: an update, a delete, cascades.
    let mut stale = next_version(&member, |t| t.title = Title::parse("Skipping").unwrap());
    stale.version = 7;
    let event = task_event(EventKind::Updated, &stale);
    let error = store.update_task(&stale, std::slice::from_ref(&event)).await.unwrap_err();
    assert!(matches!(error, StoreError::VersionConflict), "{error:?}");
    failed.push(event);

    let ghost = next_version(&task("Ghost", None), |_| ());
    let event = task_event(EventKind::Updated, &ghost);
    let error = store.update_task(&ghost, std::slice::from_ref(&event)).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound(EntityKind::Task)), "{error:?}");
    failed.push(event);

    let event = DomainEvent::deleted(EntityKind::Task, *member.uid.as_uuid(), request());
    let error = store.delete_task(member.uid, Some(3), false, Timestamp::now(), Some(request())).await.unwrap_err();
    assert!(matches!(error, StoreError::VersionConflict), "{error:?}");
    failed.push(event);

    let error = store.delete_project(project, true, Some(5), Some(request())).await.unwrap_err();
    assert!(matches!(error, StoreError::VersionConflict), "{error:?}");
    let error = store.delete_project(project, false, None, Some(request())).await.unwrap_err();
    assert!(matches!(error, StoreError::HasTasks), "{error:?}");
    let error = store.delete_user(assignee, Some(9), Timestamp::now(), Some(request())).await.unwrap_err();
    assert!(matches!(error, StoreError::VersionConflict), "{error:?}");

    // A duplicate username, on create and on update.
    let mut shouting = support::user();
    shouting.username = Username::parse(&first.username.as_str().to_uppercase()).unwrap();
    let event = about(EntityKind::User, EventKind::Created, *shouting.uid.as_uuid(), &shouting);
    let error = store.create_user(&shouting, std::slice::from_ref(&event)).await.unwrap_err();
    assert!(matches!(error, StoreError::Duplicate("username")), "{error:?}");
    failed.push(event);

    let second = support::user();
    store.create_user(&second, &[]).await.unwrap();
    let mut renamed = second.clone();
    renamed.username = Username::parse(&first.username.as_str().to_uppercase()).unwrap();
    renamed.version = second.version + 1;
    let event = about(EntityKind::User, EventKind::Updated, *renamed.uid.as_uuid(), &renamed);
    let error = store.update_user(&renamed, std::slice::from_ref(&event)).await.unwrap_err();
    assert!(matches!(error, StoreError::Duplicate("username")), "{error:?}");
    failed.push(event);

    for event in &failed {
        assert_not_logged(store, event).await;
    }
    for id in [*project.as_uuid(), *member.uid.as_uuid(), *assigned.uid.as_uuid(), *assignee.as_uuid()] {
        assert_eq!(history(store, id).await, [], "nothing about {id}");
    }
    assert!(history(store, *astray.uid.as_uuid()).await.is_empty());
    assert!(history(store, *bulk[0].uid.as_uuid()).await.is_empty(), "a bulk create is all or nothing");
    if backend.is_private() {
        assert_eq!(store.last_position().await.unwrap(), before, "no position taken by a failed write shows");
    }
}

pub(crate) async fn concurrent_creates_mixing_valid_and_invalid_log_only_the_created<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let project = stored_project(&fixture.store).await;
    let user = fixture.add_user().await;
    // Every third names a missing project, every fifth a missing user.
    let writes: Vec<(Task, DomainEvent)> = (0..60)
        .map(|n| {
            let mut task = task(&format!("Batched {n}"), Some(project));
            task.assignee_id = Some(user);
            if n % 3 == 1 {
                task.project_id = Some(trm_domain::ProjectId::new());
            } else if n % 5 == 2 {
                task.assignee_id = Some(trm_domain::UserId::new());
            }
            let event = task_event(EventKind::Created, &task);
            (task, event)
        })
        .collect();
    let start = fixture.store.last_position().await.unwrap();
    let answers = all_at_once(writes.len(), |n| {
        let store = fixture.store.clone();
        let (task, event) = writes[n].clone();
        async move { store.create_task(&task, &[event]).await }
    })
    .await;

    let mut stored = Vec::new();
    for (n, ((task, event), answer)) in writes.iter().zip(&answers).enumerate() {
        let position = fixture.store.position_of(event.event_id).await.unwrap();
        match answer {
            Ok(()) => {
                assert!(n % 3 != 1 && n % 5 != 2, "{n}: {answer:?}");
                let position = position.unwrap_or_else(|| panic!("{n}: a created task's event is not logged"));
                assert!(position > start);
                assert_eq!(history(&fixture.store, *task.uid.as_uuid()).await, std::slice::from_ref(event), "{n}");
                stored.push(event.clone());
            }
            Err(error) => {
                assert!(matches!(error, StoreError::MissingReference(_)), "{n}: {error:?}");
                assert_eq!(position, None, "{n}: a task not created has its event logged");
                assert!(history(&fixture.store, *task.uid.as_uuid()).await.is_empty(), "{n}");
            }
        }
    }
    assert_eq!(stored.len(), 32, "{answers:?}");
    let logged = all_after(&fixture.store, &EventFilter::default(), start, 100).await;
    let mine = own(&logged, &ids_of(&stored));
    assert_eq!(ids_of(&mine), ids_of(&stored), "every created task's event, once");
    assert_eq!(mine.len(), stored.len());
    if backend.is_private() {
        assert_eq!(logged.len(), stored.len(), "and nothing else");
    }
}

pub(crate) async fn a_project_cascade_logs_each_task_deleted_then_the_project_deleted<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let start = support::at("2026-03-01T08:00:00Z");
    let mut tasks: Vec<Task> = [2, 0, 1]
        .iter()
        .map(|offset| {
            let mut task = task("Member", Some(project));
            task.created_at = plus(start, *offset);
            task
        })
        .collect();
    for task in &tasks {
        store.create_task(task, &[task_event(EventKind::Created, task)]).await.unwrap();
    }
    tasks.sort_by_key(Task::cursor);
    let metadata = request();

    let cascade = store.delete_project(project, true, Some(1), Some(metadata.clone())).await.unwrap();

    let ids: Vec<_> = tasks.iter().map(|task| task.uid).collect();
    assert_eq!(cascade.affected, ids);
    assert_eq!(types(&cascade.events), ["task.deleted", "task.deleted", "task.deleted", "project.deleted"]);
    let about: Vec<Uuid> = cascade.events.iter().map(|event| event.entity_id).collect();
    let expected: Vec<Uuid> = ids.iter().map(|id| *id.as_uuid()).chain([*project.as_uuid()]).collect();
    assert_eq!(about, expected, "the tasks oldest first, then the project");
    assert!(cascade.events.iter().all(|event| event.metadata == metadata), "each with the delete's metadata");
    assert!(cascade.events.iter().all(|event| event.data == serde_json::json!({ "uid": event.entity_id })));
    assert_eq!(ids_of(&cascade.events).len(), cascade.events.len(), "each its own id");

    // Logged as returned, in that order.
    let at = positions(store, &cascade.events).await;
    assert_strictly_increasing(&at);
    for event in &cascade.events {
        assert_eq!(history(store, event.entity_id).await.last(), Some(event), "{}", event.event_type);
    }

    // A project without tasks: just project.deleted.
    let empty = stored_project(store).await;
    let cascade = store.delete_project(empty, true, None, Some(metadata.clone())).await.unwrap();
    assert_eq!(cascade.affected, []);
    assert_eq!(types(&cascade.events), ["project.deleted"]);
    assert_eq!(history(store, *empty.as_uuid()).await, cascade.events);

    // Without metadata (the event log is off), a cascade logs nothing.
    let quiet = stored_project(store).await;
    let member = task("Unlogged", Some(quiet));
    store.create_task(&member, &[]).await.unwrap();
    let cascade = store.delete_project(quiet, true, None, None).await.unwrap();
    assert_eq!(cascade.affected, [member.uid]);
    assert!(cascade.events.is_empty());
    assert!(history(store, *quiet.as_uuid()).await.is_empty());
    assert!(history(store, *member.uid.as_uuid()).await.is_empty());
}

pub(crate) async fn a_user_delete_logs_each_unassigned_task_updated_then_the_user_deleted<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let leaving = fixture.add_user().await;
    let start = support::at("2026-04-01T08:00:00Z");
    for offset in [1, 0] {
        let mut task = task("Theirs", None);
        task.assignee_id = Some(leaving);
        task.created_at = plus(start, offset);
        store.create_task(&task, &[]).await.unwrap();
    }
    let metadata = request();
    let now = support::at("2026-05-01T00:00:00.000007Z");

    let cascade = store.delete_user(leaving, None, now, Some(metadata.clone())).await.unwrap();

    assert_eq!(cascade.affected.len(), 2);
    assert_eq!(types(&cascade.events), ["task.updated", "task.updated", "user.deleted"]);
    for (event, task) in cascade.events.iter().zip(&cascade.affected) {
        assert_eq!(event.entity_id, *task.uid.as_uuid());
        assert_eq!(event.data, serde_json::to_value(task).unwrap(), "the task as it now is");
        assert_eq!(event.data["assignee_id"], serde_json::Value::Null);
    }
    assert_eq!(cascade.events[2].entity_id, *leaving.as_uuid());
    assert!(cascade.events.iter().all(|event| event.metadata == metadata));

    let at = positions(store, &cascade.events).await;
    assert_strictly_increasing(&at);
    for event in &cascade.events {
        assert_eq!(history(store, event.entity_id).await, std::slice::from_ref(event));
    }

    let idle = fixture.add_user().await;
    let cascade = store.delete_user(idle, Some(1), now, Some(metadata.clone())).await.unwrap();
    assert_eq!(types(&cascade.events), ["user.deleted"]);
    assert_eq!(history(store, *idle.as_uuid()).await, cascade.events);
}

pub(crate) async fn an_entitys_history_outlives_it<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;

    let original = task("Short-lived", None);
    let created = task_event(EventKind::Created, &original);
    store.create_task(&original, std::slice::from_ref(&created)).await.unwrap();
    let renamed = next_version(&original, |t| t.title = Title::parse("Renamed").unwrap());
    let updated = task_event(EventKind::Updated, &renamed);
    store.update_task(&renamed, std::slice::from_ref(&updated)).await.unwrap();
    let deleted = store.delete_task(original.uid, Some(2), false, Timestamp::now(), Some(request())).await.unwrap();
    let [deleted] = deleted.events.try_into().unwrap();
    assert_eq!(store.get_task(original.uid).await.unwrap(), None);

    let all = all_after(store, &of_entity(*original.uid.as_uuid()), EventPosition::START, 10).await;
    assert_eq!(all.iter().map(|logged| logged.event.clone()).collect::<Vec<_>>(), [created, updated, deleted]);

    // A task taken by its project's cascade keeps its history too.
    let project = stored_project(store).await;
    let member = task("Member", Some(project));
    let created = task_event(EventKind::Created, &member);
    store.create_task(&member, std::slice::from_ref(&created)).await.unwrap();
    let cascade = store.delete_project(project, true, None, Some(request())).await.unwrap();
    assert_eq!(history(store, *member.uid.as_uuid()).await, [created, cascade.events[0].clone()]);
}

pub(crate) async fn the_log_filters_by_type_entity_type_and_entity<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let start = store.last_position().await.unwrap();

    let project = project("Filtered");
    let project_created = about(EntityKind::Project, EventKind::Created, *project.uid.as_uuid(), &project);
    store.create_project(&project, std::slice::from_ref(&project_created)).await.unwrap();
    let a = task("A", Some(project.uid));
    let b = task("B", Some(project.uid));
    let (a_created, b_created) = (task_event(EventKind::Created, &a), task_event(EventKind::Created, &b));
    store.create_task(&a, std::slice::from_ref(&a_created)).await.unwrap();
    store.create_task(&b, std::slice::from_ref(&b_created)).await.unwrap();
    let a_done = next_version(&a, |t| t.status = TaskStatus::Done);
    let a_updated = DomainEvent::task_updated(&a_done, false, &request());
    store.update_task(&a_done, &a_updated).await.unwrap();
    let user = support::user();
    let user_created = about(EntityKind::User, EventKind::Created, *user.uid.as_uuid(), &user);
    store.create_user(&user, std::slice::from_ref(&user_created)).await.unwrap();
    let mine: HashSet<Uuid> = [&project_created, &a_created, &b_created, &user_created]
        .into_iter()
        .chain(&a_updated)
        .map(|event| event.event_id)
        .collect();

    // Every event a filter returns matches it; of this test's, exactly those.
    let check = async |filter: EventFilter, expected: Vec<&DomainEvent>| {
        let logged = all_after(store, &filter, start, 100).await;
        for logged in &logged {
            let event = &logged.event;
            assert!(filter.event_types.is_empty() || filter.event_types.contains(&event.event_type), "{filter:?}");
            assert!(filter.entity_type.as_ref().is_none_or(|t| *t == event.entity_type), "{filter:?}: {event:?}");
            assert!(filter.entity_id.is_none_or(|id| id == event.entity_id), "{filter:?}: {event:?}");
        }
        let expected: Vec<DomainEvent> = expected.into_iter().cloned().collect();
        assert_eq!(own(&logged, &mine), expected, "{filter:?}");
        if backend.is_private() {
            assert_eq!(logged.len(), expected.len(), "{filter:?}");
        }
    };
    let typed = |types: &[&str]| types.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>();

    check(
        EventFilter { event_types: typed(&["task.completed", "project.created"]), ..EventFilter::default() },
        vec![&project_created, &a_updated[1]],
    )
    .await;
    check(EventFilter { entity_type: Some("user".into()), ..EventFilter::default() }, vec![&user_created]).await;
    check(
        EventFilter {
            event_types: typed(&["task.created"]),
            entity_type: Some("task".into()),
            ..EventFilter::default()
        },
        vec![&a_created, &b_created],
    )
    .await;
    check(of_entity(*a.uid.as_uuid()), vec![&a_created, &a_updated[0], &a_updated[1]]).await;
    check(EventFilter { event_types: typed(&["task.updated"]), ..of_entity(*a.uid.as_uuid()) }, vec![&a_updated[0]])
        .await;
    check(EventFilter { entity_type: Some("project".into()), ..of_entity(*a.uid.as_uuid()) }, vec![]).await;
    check(of_entity(Uuid::new_v4()), vec![]).await;
    // A filter on no types is no filter on types.
    check(EventFilter { event_types: vec![], ..of_entity(*b.uid.as_uuid()) }, vec![&b_created]).await;
}

/// Every event matching `filter` positioned after `start`, paging newest
/// first with `limit` from the log's newest end; fails the test if a page
/// is over-full or out of order.
async fn all_newest_first_since(
    store: &impl EventLog,
    filter: &EventFilter,
    start: EventPosition,
    limit: u32,
) -> Vec<LoggedEvent> {
    let mut all: Vec<LoggedEvent> = Vec::new();
    let mut before = None;
    loop {
        let page = store.events_before(filter, before, limit).await.unwrap();
        assert!(page.len() <= usize::try_from(limit).unwrap(), "an over-full page");
        for logged in &page {
            assert!(before.is_none_or(|before| logged.position < before), "{:?} before {before:?}", logged.position);
            before = Some(logged.position);
        }
        let done = page.len() < usize::try_from(limit).unwrap() || before.is_some_and(|before| before <= start);
        all.extend(page.into_iter().filter(|logged| logged.position > start));
        if done {
            return all;
        }
    }
}

pub(crate) async fn filtered_pages_of_the_log_come_in_position_order_both_ways<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let start = store.last_position().await.unwrap();

    // Interleaved types and entity types, so that a page of one filter
    // gathers from several places of the log.
    let mut written = Vec::new();
    for n in 0..3 {
        let project = project(&format!("Interleaved {n}"));
        let project_created = about(EntityKind::Project, EventKind::Created, *project.uid.as_uuid(), &project);
        store.create_project(&project, std::slice::from_ref(&project_created)).await.unwrap();
        let task = task(&format!("Interleaved {n}"), Some(project.uid));
        let task_created = task_event(EventKind::Created, &task);
        store.create_task(&task, std::slice::from_ref(&task_created)).await.unwrap();
        let user = support::user();
        let user_created = about(EntityKind::User, EventKind::Created, *user.uid.as_uuid(), &user);
        store.create_user(&user, std::slice::from_ref(&user_created)).await.unwrap();
        let renamed = next_version(&task, |t| t.title = Title::parse(&format!("Renamed {n}")).unwrap());
        let task_updated = task_event(EventKind::Updated, &renamed);
        store.update_task(&renamed, std::slice::from_ref(&task_updated)).await.unwrap();
        written.extend([project_created, task_created, user_created, task_updated]);
    }
    let mine = ids_of(&written);
    let typed = |types: &[&str]| types.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>();

    for filter in [
        // A type named twice is still one filter on it.
        EventFilter { event_types: typed(&["task.created", "user.created", "task.created"]), ..EventFilter::default() },
        EventFilter { entity_type: Some("user".into()), ..EventFilter::default() },
        EventFilter { entity_type: Some("task".into()), ..EventFilter::default() },
        EventFilter {
            event_types: typed(&["task.updated", "project.created"]),
            entity_type: Some("task".into()),
            ..EventFilter::default()
        },
    ] {
        let expected: Vec<DomainEvent> = written
            .iter()
            .filter(|event| filter.event_types.is_empty() || filter.event_types.contains(&event.event_type))
            .filter(|event| filter.entity_type.as_ref().is_none_or(|t| *t == event.entity_type))
            .cloned()
            .collect();
        assert!(!expected.is_empty(), "{filter:?}");

        let oldest_first = all_after(store, &filter, start, 2).await;
        assert_eq!(own(&oldest_first, &mine), expected, "oldest first: {filter:?}");
        let newest_first = all_newest_first_since(store, &filter, start, 2).await;
        let mut reversed = own(&newest_first, &mine);
        reversed.reverse();
        assert_eq!(reversed, expected, "newest first: {filter:?}");
        if backend.is_private() {
            assert_eq!(oldest_first.len(), expected.len(), "{filter:?}");
            assert_eq!(newest_first.len(), expected.len(), "{filter:?}");
        }
    }
}

pub(crate) async fn the_log_pages_both_ways_by_position<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let mut current = task("Paged", None);
    let mut written = vec![task_event(EventKind::Created, &current)];
    store.create_task(&current, &written).await.unwrap();
    for n in 0..6 {
        let next = next_version(&current, |t| t.title = Title::parse(&format!("Paged {n}")).unwrap());
        let event = task_event(EventKind::Updated, &next);
        store.update_task(&next, std::slice::from_ref(&event)).await.unwrap();
        written.push(event);
        current = next;
    }
    let at = positions(store, &written).await;
    assert_strictly_increasing(&at);
    let filter = of_entity(*current.uid.as_uuid());

    // Newest first, each page before the last one's oldest.
    let mut newest_first = Vec::new();
    let mut before = None;
    let mut pages = Vec::new();
    loop {
        let page = store.events_before(&filter, before, 3).await.unwrap();
        assert!(page.len() <= 3);
        pages.push(page.len());
        let Some(last) = page.last() else { break };
        before = Some(last.position);
        newest_first.extend(page);
    }
    assert_eq!(pages, [3, 3, 1, 0]);
    let expected: Vec<LoggedEvent> = written
        .iter()
        .zip(&at)
        .rev()
        .map(|(event, position)| LoggedEvent { position: *position, event: event.clone() })
        .collect();
    assert_eq!(newest_first, expected);

    // Bounds are exclusive both ways.
    let page = store.events_before(&filter, Some(at[3]), 100).await.unwrap();
    assert_eq!(page.iter().map(|logged| logged.position).collect::<Vec<_>>(), [at[2], at[1], at[0]]);
    let page = store.events_after(&filter, at[3], 2).await.unwrap();
    assert_eq!(page.iter().map(|logged| logged.position).collect::<Vec<_>>(), [at[4], at[5]]);
    assert!(store.events_after(&filter, at[6], 100).await.unwrap().is_empty());
    assert!(store.events_before(&filter, Some(at[0]), 100).await.unwrap().is_empty());

    // The whole log, newest first, starts at the last position.
    let newest = store.events_before(&EventFilter::default(), None, 20).await.unwrap();
    let positions: Vec<EventPosition> = newest.iter().map(|logged| logged.position).collect();
    assert!(positions.windows(2).all(|pair| pair[0] > pair[1]), "{positions:?}");
    assert!(newest.len() >= 7);
    if backend.is_private() {
        assert_eq!(positions[0], store.last_position().await.unwrap());
        assert_eq!(positions[0], at[6]);
    }
}

/// The start of a minute in the 20th century that no other test uses: old
/// enough to be pruned, and apart from every other test's events.
fn unique_past_window() -> Timestamp {
    let year_1900 = -2_208_988_800_000_000_i64;
    let minutes = i64::try_from(Uuid::new_v4().as_u128() % 50_000_000).unwrap();
    Timestamp::from_micros(year_1900 + minutes * 60_000_000).unwrap()
}

pub(crate) async fn pruning_deletes_only_old_events_a_bounded_batch_at_a_time_and_never_reuses_positions<B: Backend>(
    backend: &B,
) {
    const MINUTE: i64 = 60_000_000;
    let fixture = backend.open().await;
    let store = &fixture.store;
    let window = unique_past_window();
    // Whatever an earlier run left before this window would be pruned
    // with this test's events; it goes first.
    while store.prune(window, 1000).await.unwrap() == 1000 {}

    let recent = task("Recent", None);
    let recent_event = task_event(EventKind::Created, &recent);
    store.create_task(&recent, std::slice::from_ref(&recent_event)).await.unwrap();

    // The old events come last, so that pruning them prunes the newest
    // positions; their stamps are out of log order.
    let old = task("Old", None);
    let cutoff = plus(window, 10 * MINUTE);
    let stamped = |minutes: i64| {
        let mut event = task_event(EventKind::Updated, &old);
        event.timestamp = plus(window, minutes * MINUTE);
        event
    };
    let events: Vec<DomainEvent> = [3, 1, 5, 2, 4, 10, 20].into_iter().map(stamped).collect();
    store.create_task(&old, &events).await.unwrap();
    let at = positions(store, &events).await;
    let newest_before = store.last_position().await.unwrap();
    assert!(newest_before >= at[6]);

    let still_logged = async |events: &[DomainEvent]| {
        let mut logged = Vec::new();
        for event in events {
            logged.push(store.position_of(event.event_id).await.unwrap().is_some());
        }
        logged
    };
    // The oldest first, at most `limit` at a time.
    assert_eq!(store.prune(cutoff, 2).await.unwrap(), 2);
    assert_eq!(still_logged(&events).await, [true, false, true, false, true, true, true], "minutes 1 and 2 went");
    assert_eq!(store.prune(cutoff, 2).await.unwrap(), 2);
    assert_eq!(still_logged(&events).await, [false, false, true, false, false, true, true], "then 3 and 4");
    assert_eq!(store.prune(cutoff, 2).await.unwrap(), 1);
    assert_eq!(store.prune(cutoff, 2).await.unwrap(), 0);
    assert_eq!(still_logged(&events).await, [false, false, false, false, false, true, true], "not those not older");
    assert_eq!(history(store, *old.uid.as_uuid()).await, events[5..]);
    assert!(store.position_of(recent_event.event_id).await.unwrap().is_some(), "recent events stay");

    // Pruning the newest positions frees none of them.
    assert_eq!(store.prune(plus(window, 30 * MINUTE), 10).await.unwrap(), 2);
    assert!(history(store, *old.uid.as_uuid()).await.is_empty());
    let later = task("Later", None);
    let later_event = task_event(EventKind::Created, &later);
    store.create_task(&later, std::slice::from_ref(&later_event)).await.unwrap();
    let position = store.position_of(later_event.event_id).await.unwrap().unwrap();
    assert!(position > newest_before, "{position:?} reuses a pruned position (up to {newest_before:?})");
    assert!(store.last_position().await.unwrap() >= position);
    let after_pruned = store.events_after(&of_entity(*later.uid.as_uuid()), at[0], 10).await.unwrap();
    assert_eq!(after_pruned.iter().map(|logged| &logged.event).collect::<Vec<_>>(), [&later_event]);
}

/// What one writer of [`a_reader_tailing_the_log_sees_every_committed_event_once_in_order`]
/// does: a project, then tasks each created, updated and some deleted, one
/// write after another; returns its events' ids in the order it wrote them.
async fn write_a_history<S: TaskRepository + ProjectRepository>(store: S, writer: usize) -> Vec<Uuid> {
    let mut written = Vec::new();
    let project = project(&format!("Writer {writer}"));
    let event = about(EntityKind::Project, EventKind::Created, *project.uid.as_uuid(), &project);
    store.create_project(&project, std::slice::from_ref(&event)).await.unwrap();
    written.push(event.event_id);
    for n in 0..25 {
        let task = task(&format!("Writer {writer}.{n}"), Some(project.uid));
        let event = task_event(EventKind::Created, &task);
        store.create_task(&task, std::slice::from_ref(&event)).await.unwrap();
        written.push(event.event_id);
        let done = next_version(&task, |t| t.status = TaskStatus::Done);
        let events = DomainEvent::task_updated(&done, false, &request());
        store.update_task(&done, &events).await.unwrap();
        written.extend(events.iter().map(|event| event.event_id));
        if n % 5 == 4 {
            let deleted = store.delete_task(task.uid, Some(2), false, Timestamp::now(), Some(request())).await.unwrap();
            written.extend(deleted.events.iter().map(|event| event.event_id));
        }
    }
    written
}

pub(crate) async fn a_reader_tailing_the_log_sees_every_committed_event_once_in_order<B: Backend>(backend: &B) {
    const WRITERS: usize = 8;
    const PAGE: u32 = 100;
    let fixture = backend.open().await;
    let start = fixture.store.last_position().await.unwrap();
    let writers_done = Arc::new(AtomicBool::new(false));

    // The reader tails the whole log, unfiltered, from the last position it
    // saw: an event committed below it later would never be seen.
    let reader = {
        let store = fixture.store.clone();
        let writers_done = Arc::clone(&writers_done);
        tokio::spawn(async move {
            let mut seen: Vec<(EventPosition, Uuid)> = Vec::new();
            let mut pages_while_writing = 0_usize;
            let mut after = start;
            loop {
                // Read before the query: a short page read after the
                // writers finished has caught up with all they wrote.
                let finished = writers_done.load(Ordering::SeqCst);
                let page = store.events_after(&EventFilter::default(), after, PAGE).await.unwrap();
                if !finished && !page.is_empty() {
                    pages_while_writing += 1;
                }
                for logged in &page {
                    assert!(logged.position > after, "{:?} read after {after:?}", logged.position);
                    after = logged.position;
                    seen.push((logged.position, logged.event.event_id));
                }
                if page.len() < usize::try_from(PAGE).unwrap() {
                    if finished {
                        return (seen, pages_while_writing);
                    }
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
        })
    };

    let written = all_at_once(WRITERS, |writer| write_a_history(fixture.store.clone(), writer)).await;
    writers_done.store(true, Ordering::SeqCst);
    let (seen, pages_while_writing) = reader.await.unwrap();
    assert!(pages_while_writing > 0, "the reader never read while the writers wrote: nothing was tested");

    let all: HashSet<Uuid> = written.iter().flatten().copied().collect();
    assert_eq!(all.len(), WRITERS * (1 + 25 * 3 + 5), "the writers' events are all distinct");
    let mut seen_at: HashMap<Uuid, EventPosition> = HashMap::new();
    for (position, id) in &seen {
        assert!(seen_at.insert(*id, *position).is_none(), "{id} seen twice");
    }
    let missed: Vec<&Uuid> = all.iter().filter(|id| !seen_at.contains_key(id)).collect();
    assert!(missed.is_empty(), "{} of {} events never seen by the reader: {missed:?}", missed.len(), all.len());
    let mine = seen.iter().filter(|(_, id)| all.contains(id)).count();
    assert_eq!(mine, all.len(), "each seen exactly once");
    if backend.is_private() {
        assert_eq!(seen.len(), all.len(), "and nothing else in a private log");
    }
    // Each writer's writes, one after another, are in the log in that order.
    for (writer, ids) in written.iter().enumerate() {
        let positions: Vec<EventPosition> = ids.iter().map(|id| seen_at[id]).collect();
        assert!(positions.windows(2).all(|pair| pair[0] < pair[1]), "writer {writer}: {positions:?}");
    }
    // And the log agrees with what the reader saw.
    for (id, position) in seen_at.iter().filter(|(id, _)| all.contains(id)) {
        assert_eq!(fixture.store.position_of(*id).await.unwrap(), Some(*position));
    }
}
