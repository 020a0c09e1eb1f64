//! Domain events: what happened to which entity (the seed's
//! `SystemEventBus`). Each write stores its events in the store's durable
//! log in its own transaction; subscribers receive them from that log, each
//! with its [`EventPosition`] in the log's one order.
//!
//! Events serialize to the contract's JSON shape and deserialize from it
//! again, so a relay between server instances (NATS) can carry them and the
//! receiving instance serves exactly what the publishing one produced.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::entity::EntityKind;
use crate::ids::TaskId;
use crate::task::Task;
use crate::time::Timestamp;

/// What happened to an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// It was created.
    Created,
    /// It changed.
    Updated,
    /// A task's status became `done` (published besides `Updated`).
    Completed,
    /// It was deleted.
    Deleted,
}

impl EventKind {
    const fn suffix(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Completed => "completed",
            Self::Deleted => "deleted",
        }
    }
}

/// Context of the request that caused an event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventMetadata {
    /// The `x-request-id` of the causing request, when there was one.
    pub request_id: Option<String>,
}

/// One event, in the contract's shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainEvent {
    /// Unique id; SSE clients resume after it with `Last-Event-ID`.
    pub event_id: Uuid,
    /// `task.created`, `project.deleted`, …
    pub event_type: String,
    /// When the change happened (the event was built, just before its
    /// write committed).
    pub timestamp: Timestamp,
    /// `task`, `project` or `user`. A `String` rather than an
    /// [`EntityKind`] key so that an event received from another instance
    /// deserializes as it was sent.
    pub entity_type: String,
    /// The entity's id.
    pub entity_id: Uuid,
    /// The entity after the change (`{"uid": …}` on delete).
    pub data: Value,
    /// The causing request's context.
    pub metadata: EventMetadata,
}

impl DomainEvent {
    /// An event of `kind` about `entity` with id `entity_id`.
    #[must_use]
    pub fn new(entity: EntityKind, kind: EventKind, entity_id: Uuid, data: Value, metadata: EventMetadata) -> Self {
        Self {
            // Time-ordered (v7): the stores' unique index on event ids
            // then grows at its end instead of touching a random page per
            // event, which halves what an event costs a write.
            event_id: Uuid::now_v7(),
            event_type: format!("{}.{}", entity.key(), kind.suffix()),
            timestamp: Timestamp::now(),
            entity_type: entity.key().to_owned(),
            entity_id,
            data,
            metadata,
        }
    }

    /// The event of a deletion: its data is just the id.
    #[must_use]
    pub fn deleted(entity: EntityKind, entity_id: Uuid, metadata: EventMetadata) -> Self {
        let data = serde_json::json!({ "uid": entity_id });
        Self::new(entity, EventKind::Deleted, entity_id, data, metadata)
    }

    /// The event of `kind` about `value`, the entity as it now is.
    ///
    /// Entities serialize infallibly (plain data, string keys); were one to
    /// fail, the event would still be stored, with null data, rather than
    /// lost.
    #[must_use]
    pub fn about<T: Serialize>(
        entity: EntityKind,
        kind: EventKind,
        entity_id: Uuid,
        value: &T,
        metadata: EventMetadata,
    ) -> Self {
        let data = serde_json::to_value(value).unwrap_or(Value::Null);
        Self::new(entity, kind, entity_id, data, metadata)
    }

    /// What an update of a task means: `task.updated`, and `task.completed`
    /// as well when its status became `done` (`was_done` tells whether it was
    /// before).
    #[must_use]
    pub fn task_updated(task: &Task, was_done: bool, metadata: &EventMetadata) -> Vec<Self> {
        let id = *task.uid.as_uuid();
        let mut events = vec![Self::about(EntityKind::Task, EventKind::Updated, id, task, metadata.clone())];
        if task.is_done() && !was_done {
            events.push(Self::about(EntityKind::Task, EventKind::Completed, id, task, metadata.clone()));
        }
        events
    }

    /// What a (cascading) delete of a project means: `task.updated` for
    /// each surviving task that lost a deleted one as a blocker, as it now
    /// is; then `task.deleted` for each deleted task; then
    /// `project.deleted` for each deleted project — its sub-projects
    /// before it, children before parents — each in the order given.
    #[must_use]
    pub fn project_deleted(
        projects: &[Uuid],
        tasks: &[TaskId],
        unblocked: &[Task],
        metadata: &EventMetadata,
    ) -> Vec<Self> {
        let updates = unblocked
            .iter()
            .map(|task| Self::about(EntityKind::Task, EventKind::Updated, *task.uid.as_uuid(), task, metadata.clone()));
        let tasks = tasks.iter().map(|task| Self::deleted(EntityKind::Task, *task.as_uuid(), metadata.clone()));
        let projects = projects.iter().map(|project| Self::deleted(EntityKind::Project, *project, metadata.clone()));
        updates.chain(tasks).chain(projects).collect()
    }

    /// What deleting a user means: `task.updated` for each task it
    /// unassigned, as it now is, then `user.deleted`.
    #[must_use]
    pub fn user_deleted(user: Uuid, unassigned: &[Task], metadata: &EventMetadata) -> Vec<Self> {
        let updates = unassigned
            .iter()
            .map(|task| Self::about(EntityKind::Task, EventKind::Updated, *task.uid.as_uuid(), task, metadata.clone()));
        updates.chain([Self::deleted(EntityKind::User, user, metadata.clone())]).collect()
    }

    /// What deleting a task means: `task.updated` for each task that lost it
    /// as a blocker, as it now is, then `task.deleted`.
    #[must_use]
    pub fn task_deleted(task: Uuid, unblocked: &[Task], metadata: &EventMetadata) -> Vec<Self> {
        Self::tasks_deleted(&[task], unblocked, metadata)
    }

    /// What deleting several tasks at once means (a task with its
    /// sub-tasks): `task.updated` for each surviving task that lost a
    /// blocker, as it now is, then `task.deleted` for each deleted one in
    /// the order given (sub-tasks before their parent).
    #[must_use]
    pub fn tasks_deleted(deleted: &[Uuid], unblocked: &[Task], metadata: &EventMetadata) -> Vec<Self> {
        let updates = unblocked
            .iter()
            .map(|task| Self::about(EntityKind::Task, EventKind::Updated, *task.uid.as_uuid(), task, metadata.clone()));
        let deletes = deleted.iter().map(|&task| Self::deleted(EntityKind::Task, task, metadata.clone()));
        updates.chain(deletes).collect()
    }
}

/// Where an event stands in the store's one order of events: strictly
/// increasing in commit order, so a reader that has seen position `p` never
/// later finds a newly committed event below it. Positions may skip numbers
/// (a rolled-back write's), never repeat or go back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct EventPosition(pub u64);

impl EventPosition {
    /// Before every event: reading after it reads the whole log.
    pub const START: Self = Self(0);
}

/// An event as the durable log holds it: with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedEvent {
    /// Its place in the log's order.
    pub position: EventPosition,
    /// The event itself, as published.
    pub event: DomainEvent,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_join_entity_and_kind() {
        let event = DomainEvent::new(
            EntityKind::Task,
            EventKind::Completed,
            Uuid::nil(),
            Value::Null,
            EventMetadata::default(),
        );
        assert_eq!(event.event_type, "task.completed");
        assert_eq!(event.entity_type, "task");
    }

    #[test]
    fn events_serialize_to_the_contract_shape() {
        let id = Uuid::new_v4();
        let event = DomainEvent::deleted(EntityKind::Project, id, EventMetadata { request_id: Some("r-1".into()) });
        let json = serde_json::to_value(&event).unwrap();
        let mut keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["data", "entity_id", "entity_type", "event_id", "event_type", "metadata", "timestamp"]);
        assert_eq!(json["data"], serde_json::json!({ "uid": id }));
        assert_eq!(json["metadata"]["request_id"], "r-1");
    }

    #[test]
    fn completing_a_task_is_an_update_and_a_completion_once() {
        let mut task = Task::create(crate::NewTask::new(crate::Title::parse("t").unwrap()), Timestamp::now()).unwrap();
        task.status = crate::TaskStatus::Done;
        let types = |events: Vec<DomainEvent>| events.into_iter().map(|e| e.event_type).collect::<Vec<_>>();
        let metadata = EventMetadata::default();
        assert_eq!(types(DomainEvent::task_updated(&task, false, &metadata)), ["task.updated", "task.completed"]);
        assert_eq!(types(DomainEvent::task_updated(&task, true, &metadata)), ["task.updated"]);
    }

    #[test]
    fn an_event_survives_a_round_trip_through_its_json() {
        let event = DomainEvent::new(
            EntityKind::User,
            EventKind::Updated,
            Uuid::new_v4(),
            serde_json::json!({"username": "ada"}),
            EventMetadata { request_id: Some("r-2".into()) },
        );
        let json = serde_json::to_string(&event).unwrap();
        let back: DomainEvent = serde_json::from_str(&json).unwrap();
        assert_eq!(back, event);
        assert_eq!(serde_json::to_string(&back).unwrap(), json, "the same JSON, byte for byte");
    }
}
