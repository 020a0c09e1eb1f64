//! The task entity and the rules of its life cycle.

use serde::Serialize;

use crate::enums::{EffortUnit, Priority, TaskStatus, TaskType};
use crate::error::{FieldError, FieldErrorKind, FieldPath, ValidationErrors};
use crate::graph::Blockers;
use crate::ids::{ProjectId, TaskId, UserId};
use crate::paging::Cursor;
use crate::time::Timestamp;
use crate::values::{Description, EffortEstimate, Tags, Title};

/// A unit of work, optionally part of a project and assigned to a user.
///
/// Serializes to exactly the API's response body, which events carry too:
/// one shape, written once.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "uid": "3f0b6c9e-8d1a-4c2b-9e5f-1a2b3c4d5e6f", "title": "Write the docs", "description": null,
    "status": "in_progress", "task_type": "documentation", "priority": 1,
    "project_id": "9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d", "assignee_id": null,
    "effort_estimate": 3.5, "effort_unit": "hours",
    "start_date": "2026-11-26T00:00:00.000000Z", "due_date": "2026-12-01T00:00:00.000000Z", "completed_at": null,
    "tags": ["docs", "api"], "blocked_by": ["5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"], "parent_id": null,
    "created_at": "2026-11-26T03:12:45.123456Z", "updated_at": "2026-11-26T04:01:02.654321Z",
    "version": 2
})))]
pub struct Task {
    /// Server-generated UUID.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub uid: TaskId,
    /// What the task is: trimmed, 1–200 characters.
    #[cfg_attr(feature = "openapi", schema(value_type = String, min_length = 1, max_length = 200))]
    pub title: Title,
    /// Details, up to 10,000 characters.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 10000, required = true))]
    pub description: Option<Description>,
    /// Where the task is in its life.
    pub status: TaskStatus,
    /// What kind of work it is, if classified.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub task_type: Option<TaskType>,
    /// How urgent it is: 0 normal, 1 high, 2 urgent.
    pub priority: Priority,
    /// The project it is part of (`IS_PART_OF_PROJECT` in the graph).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid, required = true))]
    pub project_id: Option<ProjectId>,
    /// The user it is assigned to (`ASSIGNED_TO` in the graph).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid, required = true))]
    pub assignee_id: Option<UserId>,
    /// Estimated effort, in `effort_unit`s.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>, minimum = 0.0, required = true))]
    pub effort_estimate: Option<EffortEstimate>,
    /// The unit of `effort_estimate`.
    pub effort_unit: EffortUnit,
    /// When work is planned to start (UTC, microseconds).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime, required = true))]
    pub start_date: Option<Timestamp>,
    /// When work is due (UTC, microseconds); never before `start_date`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime, required = true))]
    pub due_date: Option<Timestamp>,
    /// When the status last became `done`; set and cleared by the server.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime, required = true))]
    pub completed_at: Option<Timestamp>,
    /// Distinct labels, in the order given, each 1–64 characters, at most 50.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>, max_items = 50))]
    pub tags: Tags,
    /// The tasks it waits for (`(:Task)-[:BLOCKS]->` it in the graph),
    /// sorted and distinct; at most 100.
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub blocked_by: Vec<TaskId>,
    /// The task it is a sub-task of (`(:Task)-[:IS_SUBTASK_OF]->` it in
    /// the graph), if any; sub-tasks nest at most
    /// [`MAX_SUBTASK_LEVELS`](crate::graph::MAX_SUBTASK_LEVELS) levels deep.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid, required = true))]
    pub parent_id: Option<TaskId>,
    /// Creation time (UTC, microseconds).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// Last change (UTC, microseconds).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    /// Starts at 1 and grows by one on every update that changes something:
    /// the basis of optimistic concurrency, the `ETag` is this number in quotes.
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub version: u64,
}

/// What a client supplies to create a task: validated values, defaults
/// filled in by [`NewTask::new`].
#[derive(Debug, Clone, PartialEq)]
pub struct NewTask {
    /// Required title.
    pub title: Title,
    /// Optional details.
    pub description: Option<Description>,
    /// Starting status; `todo` by default.
    pub status: TaskStatus,
    /// Optional classification.
    pub task_type: Option<TaskType>,
    /// Urgency; normal by default.
    pub priority: Priority,
    /// The project to join; it must exist.
    pub project_id: Option<ProjectId>,
    /// The user to assign; they must exist.
    pub assignee_id: Option<UserId>,
    /// Optional effort estimate.
    pub effort_estimate: Option<EffortEstimate>,
    /// Unit of the estimate; hours by default.
    pub effort_unit: EffortUnit,
    /// Planned start.
    pub start_date: Option<Timestamp>,
    /// Due date; not before the start.
    pub due_date: Option<Timestamp>,
    /// Labels.
    pub tags: Tags,
    /// The tasks it waits for; each must exist.
    pub blocked_by: Blockers,
    /// The task it is a sub-task of; it must exist, and not be nested
    /// too deep already.
    pub parent_id: Option<TaskId>,
}

impl NewTask {
    /// A task with this title and every other field at its default.
    #[must_use]
    pub fn new(title: Title) -> Self {
        Self {
            title,
            description: None,
            status: TaskStatus::default(),
            task_type: None,
            priority: Priority::default(),
            project_id: None,
            assignee_id: None,
            effort_estimate: None,
            effort_unit: EffortUnit::default(),
            start_date: None,
            due_date: None,
            tags: Tags::default(),
            blocked_by: Blockers::default(),
            parent_id: None,
        }
    }
}

/// A partial update: `None` keeps a field, `Some(v)` sets it, and for
/// nullable fields `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq)]
#[allow(clippy::option_option)] // "absent" and "null" are distinct on the wire.
pub struct TaskPatch {
    /// New title.
    pub title: Option<Title>,
    /// New or cleared description.
    pub description: Option<Option<Description>>,
    /// New status; moving to or from `done` sets or clears `completed_at`.
    pub status: Option<TaskStatus>,
    /// New or cleared classification.
    pub task_type: Option<Option<TaskType>>,
    /// New urgency.
    pub priority: Option<Priority>,
    /// New or cleared project; a new one must exist.
    pub project_id: Option<Option<ProjectId>>,
    /// New or cleared assignee; a new one must exist.
    pub assignee_id: Option<Option<UserId>>,
    /// New or cleared estimate.
    pub effort_estimate: Option<Option<EffortEstimate>>,
    /// New unit.
    pub effort_unit: Option<EffortUnit>,
    /// New or cleared start.
    pub start_date: Option<Option<Timestamp>>,
    /// New or cleared due date.
    pub due_date: Option<Option<Timestamp>>,
    /// New tag list (replaces the old one).
    pub tags: Option<Tags>,
    /// New list of blockers (replaces the old one); each must exist, none
    /// may be the task itself, and none may close a cycle.
    pub blocked_by: Option<Blockers>,
    /// New or cleared parent task; a new one must exist, must not be the
    /// task or one of its sub-tasks, and must leave the nesting at most
    /// [`MAX_SUBTASK_LEVELS`](crate::graph::MAX_SUBTASK_LEVELS) deep.
    pub parent_id: Option<Option<TaskId>>,
}

impl TaskPatch {
    /// Whether the patch names no field at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The rule linking the two dates: a task cannot be due before it starts.
fn check_date_order(start: Option<Timestamp>, due: Option<Timestamp>) -> Result<(), FieldError> {
    match (start, due) {
        (Some(start), Some(due)) if due < start => {
            Err(FieldError::new("due_date", FieldErrorKind::Invalid("due_date must not be before start_date".into())))
        }
        _ => Ok(()),
    }
}

/// Sets `slot` to `value` and reports whether that changed it.
fn replace<T: PartialEq>(slot: &mut T, value: Option<T>) -> bool {
    match value {
        Some(value) if *slot != value => {
            *slot = value;
            true
        }
        _ => false,
    }
}

/// The most tasks one bulk create may carry: enough that an import moves
/// a thousand tasks per round trip and commit, few enough that one
/// request's transaction and body stay bounded.
pub const MAX_TASKS_PER_BULK: usize = 1000;

/// Where item `index` of a bulk create is: `tasks[index]`.
#[must_use]
pub fn bulk_item_path(index: usize) -> FieldPath {
    FieldPath::field("tasks").index(index)
}

impl Task {
    /// The tasks of a bulk create, in request order, each made as
    /// [`Task::create`] makes one. Their `created_at` are one microsecond
    /// apart, from `now` on, so that lists (oldest first) keep the
    /// request's order.
    ///
    /// # Errors
    /// Every problem of every item, at `tasks[i]…`; an empty list, or one
    /// longer than [`MAX_TASKS_PER_BULK`], at `tasks`.
    pub fn create_many(new: Vec<NewTask>, now: Timestamp) -> Result<Vec<Self>, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if new.is_empty() {
            errors.push(FieldError::new("tasks", FieldErrorKind::TooShort(1)));
        } else if new.len() > MAX_TASKS_PER_BULK {
            errors.push(FieldError::new("tasks", FieldErrorKind::TooLong(MAX_TASKS_PER_BULK)));
        }
        let mut tasks = Vec::with_capacity(new.len());
        for ((index, item), offset) in new.into_iter().enumerate().zip(0_i64..) {
            let at = Timestamp::from_micros_clamped(now.as_micros().saturating_add(offset));
            match Self::create(item, at) {
                Ok(task) => tasks.push(task),
                Err(problems) => {
                    let item = bulk_item_path(index);
                    for problem in problems.errors() {
                        errors.push(FieldError::at(problem.path.clone().within(&item), problem.kind.clone()));
                    }
                }
            }
        }
        errors.into_result(tasks)
    }

    /// Creates a task from validated input at time `now`, with a fresh id.
    ///
    /// A task created as `done` is completed at its creation time.
    ///
    /// # Errors
    /// A `due_date` before the `start_date` is rejected at `due_date`.
    pub fn create(new: NewTask, now: Timestamp) -> Result<Self, ValidationErrors> {
        check_date_order(new.start_date, new.due_date)?;
        Ok(Self {
            uid: TaskId::new(),
            completed_at: (new.status == TaskStatus::Done).then_some(now),
            title: new.title,
            description: new.description,
            status: new.status,
            task_type: new.task_type,
            priority: new.priority,
            project_id: new.project_id,
            assignee_id: new.assignee_id,
            effort_estimate: new.effort_estimate,
            effort_unit: new.effort_unit,
            start_date: new.start_date,
            due_date: new.due_date,
            tags: new.tags,
            blocked_by: new.blocked_by.sorted(),
            parent_id: new.parent_id,
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }

    /// The task after `patch`, or `None` when the patch changes nothing (the
    /// version then stays, and no event is due).
    ///
    /// A change bumps `version` by one and sets `updated_at` to `now`;
    /// `completed_at` follows the status into and out of `done`.
    ///
    /// # Errors
    /// Rejects, at `due_date`, a result whose due date is before its start,
    /// and at `blocked_by[i]` the task itself among its blockers.
    pub fn patched(&self, patch: TaskPatch, now: Timestamp) -> Result<Option<Self>, ValidationErrors> {
        if let Some(blockers) = &patch.blocked_by {
            blockers.check_not_blocking_itself(self.uid)?;
        }
        let mut next = self.clone();
        let mut changed = false;
        changed |= replace(&mut next.title, patch.title);
        changed |= replace(&mut next.description, patch.description);
        changed |= replace(&mut next.status, patch.status);
        changed |= replace(&mut next.task_type, patch.task_type);
        changed |= replace(&mut next.priority, patch.priority);
        changed |= replace(&mut next.project_id, patch.project_id);
        changed |= replace(&mut next.assignee_id, patch.assignee_id);
        changed |= replace(&mut next.effort_estimate, patch.effort_estimate);
        changed |= replace(&mut next.effort_unit, patch.effort_unit);
        changed |= replace(&mut next.start_date, patch.start_date);
        changed |= replace(&mut next.due_date, patch.due_date);
        changed |= replace(&mut next.tags, patch.tags);
        changed |= replace(&mut next.blocked_by, patch.blocked_by.as_ref().map(Blockers::sorted));
        changed |= replace(&mut next.parent_id, patch.parent_id);
        check_date_order(next.start_date, next.due_date)?;
        if !changed {
            return Ok(None);
        }
        match (self.status == TaskStatus::Done, next.status == TaskStatus::Done) {
            (false, true) => next.completed_at = Some(now),
            (true, false) => next.completed_at = None,
            _ => {}
        }
        next.updated_at = now.max(self.updated_at);
        next.version = self.version + 1;
        Ok(Some(next))
    }

    /// This task's position in a list, for keyset paging.
    #[must_use]
    pub fn cursor(&self) -> Cursor {
        Cursor::new(self.created_at, *self.uid.as_uuid())
    }

    /// Whether the task is completed.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.status == TaskStatus::Done
    }
}

#[cfg(test)]
mod tests;
