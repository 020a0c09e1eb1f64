//! The task bodies: `POST /api/v1/tasks/` and `PATCH /api/v1/tasks/{uid}`.

use serde::Deserialize;
use serde_json::{Map, Value};
use trm_domain::openapi::PriorityInput;
use trm_domain::{EffortUnit, NewTask, ProjectId, TaskId, TaskPatch, TaskStatus, TaskType, UserId};
use utoipa::ToSchema;

use super::RequestBody;
use super::field::{Field, Problems, named};
use crate::error::ApiError;
use crate::schemas::task::{DateInputSchema, TagSchema};
use crate::values;

/// The body of `POST /api/v1/tasks/`, as sent; converts into a [`NewTask`].
///
/// Its schema says `title` is required; the document requires exactly one
/// of `title` and its alias `name` instead (see [`super::amend_schemas`]).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(
    as = TaskCreate,
    description = "A new task. `title` (or its alias `name`, not both) is required, every other property \
                   optional; a property not listed here is a 422 (`extra_forbidden`).",
    example = json!({
        "title": "Write the docs", "description": "The API reference and a tutorial",
        "status": "in_progress", "task_type": "documentation", "priority": "high",
        "project_id": "9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d", "assignee_id": null,
        "effort_estimate": 3.5, "effort_unit": "hours",
        "start_date": "2026-11-26", "due_date": "2026-12-01T17:00:00Z", "tags": ["docs", "api"],
        "blocked_by": ["5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"], "parent_id": "3f0b6c9e-8d1a-4c2b-9e5f-1a2b3c4d5e6f"
    })
)]
pub struct TaskCreateBody {
    /// Trimmed; 1–200 characters after trimming. A missing or blank title is
    /// a 422 at `["body", "title"]`.
    #[schema(
        value_type = String, required = true,
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]",
        examples("Write the docs")
    )]
    #[serde(default)]
    pub title: Field,
    /// An alias of `title`, as TRM-OS's clients send it: give one of the
    /// two, not both (a 422 at `["body", "name"]`). Responses say `title`.
    #[schema(
        value_type = Option<String>,
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]",
        nullable = false,
        examples("Write the docs")
    )]
    #[serde(default)]
    pub name: Field,
    /// Up to 10,000 characters.
    #[schema(value_type = Option<String>, max_length = 10000)]
    #[serde(default)]
    pub description: Field,
    /// Defaults to `todo`.
    #[schema(value_type = Option<TaskStatus>, nullable = false)]
    #[serde(default)]
    pub status: Field,
    /// Defaults to `null`.
    #[schema(value_type = Option<TaskType>)]
    #[serde(default)]
    pub task_type: Field,
    /// Defaults to `0` (normal).
    #[schema(value_type = Option<PriorityInput>, nullable = false)]
    #[serde(default)]
    pub priority: Field,
    /// The project the task joins; it must exist (a 422 at this field
    /// otherwise).
    #[schema(value_type = Option<String>, format = Uuid)]
    #[serde(default)]
    pub project_id: Field,
    /// The user the task is assigned to; they must exist (a 422 at this
    /// field otherwise).
    #[schema(value_type = Option<String>, format = Uuid)]
    #[serde(default)]
    pub assignee_id: Field,
    /// Zero or more.
    #[schema(value_type = Option<f64>, minimum = 0.0)]
    #[serde(default)]
    pub effort_estimate: Field,
    /// Defaults to `hours`.
    #[schema(value_type = Option<EffortUnit>, nullable = false)]
    #[serde(default)]
    pub effort_unit: Field,
    /// An RFC 3339 date-time (`2026-12-01T17:00:00Z`) or a date
    /// (`2026-12-01`, meaning midnight UTC).
    #[schema(value_type = Option<DateInputSchema>)]
    #[serde(default)]
    pub start_date: Field,
    /// As `start_date`; not before it.
    #[schema(value_type = Option<DateInputSchema>)]
    #[serde(default)]
    pub due_date: Field,
    /// At most 50, each 1–64 characters; duplicates are dropped. Defaults to
    /// none.
    #[schema(value_type = Option<Vec<TagSchema>>, nullable = false, max_items = 50)]
    #[serde(default)]
    pub tags: Field,
    /// The tasks this one waits for (`BLOCKS` edges to it): at most 100 task
    /// ids, duplicates dropped; each must name a task (a 422 at
    /// `["body", "blocked_by", i]` otherwise). Defaults to none.
    #[schema(value_type = Option<Vec<trm_domain::TaskId>>, nullable = false, max_items = 100)]
    #[serde(default)]
    pub blocked_by: Field,
    /// The task this one is a sub-task of (an `IS_SUBTASK_OF` edge to it):
    /// it must exist (a 422 at this field otherwise), and sub-tasks nest at
    /// most 10 levels deep (a 422 at this field beyond). Defaults to none.
    #[schema(value_type = Option<String>, format = Uuid)]
    #[serde(default)]
    pub parent_id: Field,
    /// Every property the body does not name: each is a 422 (`extra_forbidden`).
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: Map<String, Value>,
}

/// The body of `PATCH /api/v1/tasks/{uid}`, as sent; converts into a [`TaskPatch`]:
/// absent fields are kept, `null` clears a nullable field and is refused for
/// the others. `title` and its alias `name` are never both.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(
    as = TaskUpdate,
    description = "A change to a task: properties present are changed, properties absent are kept, and `null` \
                   clears a nullable property (`null` for any other is a 422). `name` is an alias of `title` (not \
                   both). A property not listed here is a 422 (`extra_forbidden`).",
    example = json!({"status": "done", "due_date": null, "tags": ["docs"]})
)]
pub struct TaskUpdateBody {
    /// Trimmed; 1–200 characters after trimming.
    #[schema(
        value_type = Option<String>,
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]",
        nullable = false
    )]
    #[serde(default)]
    pub title: Field,
    /// An alias of `title`, as TRM-OS's clients send it: give one of the
    /// two, not both (a 422 at `["body", "name"]`).
    #[schema(
        value_type = Option<String>,
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]",
        nullable = false
    )]
    #[serde(default)]
    pub name: Field,
    /// Up to 10,000 characters; `null` clears it.
    #[schema(value_type = Option<String>, max_length = 10000)]
    #[serde(default)]
    pub description: Field,
    /// Becoming `done` sets `completed_at`; leaving it clears it.
    #[schema(value_type = Option<TaskStatus>, nullable = false)]
    #[serde(default)]
    pub status: Field,
    /// `null` clears it.
    #[schema(value_type = Option<TaskType>)]
    #[serde(default)]
    pub task_type: Field,
    /// The level or its name.
    #[schema(value_type = Option<PriorityInput>, nullable = false)]
    #[serde(default)]
    pub priority: Field,
    /// Moves the task to this project, which must exist; `null` takes it out
    /// of its project.
    #[schema(value_type = Option<String>, format = Uuid)]
    #[serde(default)]
    pub project_id: Field,
    /// Assigns the task to this user, who must exist; `null` unassigns it.
    #[schema(value_type = Option<String>, format = Uuid)]
    #[serde(default)]
    pub assignee_id: Field,
    /// Zero or more; `null` clears it.
    #[schema(value_type = Option<f64>, minimum = 0.0)]
    #[serde(default)]
    pub effort_estimate: Field,
    /// The unit of `effort_estimate`.
    #[schema(value_type = Option<EffortUnit>, nullable = false)]
    #[serde(default)]
    pub effort_unit: Field,
    /// An RFC 3339 date-time (`2026-12-01T17:00:00Z`) or a date
    /// (`2026-12-01`, meaning midnight UTC); `null` clears it.
    #[schema(value_type = Option<DateInputSchema>)]
    #[serde(default)]
    pub start_date: Field,
    /// As `start_date`; not before it. `null` clears it.
    #[schema(value_type = Option<DateInputSchema>)]
    #[serde(default)]
    pub due_date: Field,
    /// Replaces the tags: at most 50, each 1–64 characters; duplicates are
    /// dropped. `[]` removes them all.
    #[schema(value_type = Option<Vec<TagSchema>>, nullable = false, max_items = 50)]
    #[serde(default)]
    pub tags: Field,
    /// Replaces the blockers: at most 100 task ids, duplicates dropped; `[]`
    /// removes them all. Each must name a task other than this one (a 422 at
    /// `["body", "blocked_by", i]`), and none may already wait for this task,
    /// directly or through others: that would close a cycle (a 409 naming
    /// it).
    #[schema(value_type = Option<Vec<trm_domain::TaskId>>, nullable = false, max_items = 100)]
    #[serde(default)]
    pub blocked_by: Field,
    /// Makes the task a sub-task of this one, which must exist (a 422 at
    /// this field otherwise) and must not be the task itself or one of its
    /// sub-tasks, at any depth (a 409 naming the loop); the task's subtree
    /// must stay within 10 levels (a 422 at this field). `null` detaches it.
    #[schema(value_type = Option<String>, format = Uuid)]
    #[serde(default)]
    pub parent_id: Field,
    /// Every property the body does not name: each is a 422 (`extra_forbidden`).
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: Map<String, Value>,
}

impl RequestBody for TaskCreateBody {
    type Value = NewTask;
}

impl TryFrom<TaskCreateBody> for NewTask {
    type Error = ApiError;

    /// # Errors
    /// A 422 listing every problem: a missing or blank title, unknown enum
    /// values, malformed ids, dates, numbers or tags, and unknown fields. The
    /// title may come as `name` (TRM-OS's spelling), not as both.
    fn try_from(body: TaskCreateBody) -> Result<Self, ApiError> {
        let mut problems = Problems::new();
        let title = problems.either(named!(body.title), named!(body.name));
        let title = problems.required(title, values::title);
        let description = problems.nullable(named!(body.description), values::description).flatten();
        let status = problems.optional(named!(body.status), values::enumerated::<TaskStatus>);
        let task_type = problems.nullable(named!(body.task_type), values::enumerated::<TaskType>).flatten();
        let priority = problems.optional(named!(body.priority), values::priority);
        let project_id = problems.nullable(named!(body.project_id), values::uuid).flatten();
        let assignee_id = problems.nullable(named!(body.assignee_id), values::uuid).flatten();
        let effort_estimate = problems.nullable(named!(body.effort_estimate), values::effort).flatten();
        let effort_unit = problems.optional(named!(body.effort_unit), values::enumerated::<EffortUnit>);
        let start_date = problems.nullable(named!(body.start_date), values::timestamp).flatten();
        let due_date = problems.nullable(named!(body.due_date), values::timestamp).flatten();
        let tags = problems.optional_multi(named!(body.tags), values::tags);
        let blocked_by = problems.optional_multi(named!(body.blocked_by), values::blockers);
        let parent_id = problems.nullable(named!(body.parent_id), values::uuid).flatten();
        let new = title.map(|title| Self {
            description,
            status: status.unwrap_or_default(),
            task_type,
            priority: priority.unwrap_or_default(),
            project_id: project_id.map(ProjectId::from_uuid),
            assignee_id: assignee_id.map(UserId::from_uuid),
            effort_estimate,
            effort_unit: effort_unit.unwrap_or_default(),
            start_date,
            due_date,
            tags: tags.unwrap_or_default(),
            blocked_by: blocked_by.unwrap_or_default(),
            parent_id: parent_id.map(TaskId::from_uuid),
            ..Self::new(title)
        });
        problems.finish(&body.unknown, new)
    }
}

impl RequestBody for TaskUpdateBody {
    type Value = TaskPatch;
}

impl TryFrom<TaskUpdateBody> for TaskPatch {
    type Error = ApiError;

    /// # Errors
    /// A 422 listing every problem, as for a create (`name` included).
    fn try_from(body: TaskUpdateBody) -> Result<Self, ApiError> {
        let mut problems = Problems::new();
        let title = problems.either(named!(body.title), named!(body.name));
        let patch = Self {
            title: problems.optional(title, values::title),
            description: problems.nullable(named!(body.description), values::description),
            status: problems.optional(named!(body.status), values::enumerated::<TaskStatus>),
            task_type: problems.nullable(named!(body.task_type), values::enumerated::<TaskType>),
            priority: problems.optional(named!(body.priority), values::priority),
            project_id: problems.nullable(named!(body.project_id), values::uuid).map(|id| id.map(ProjectId::from_uuid)),
            assignee_id: problems.nullable(named!(body.assignee_id), values::uuid).map(|id| id.map(UserId::from_uuid)),
            effort_estimate: problems.nullable(named!(body.effort_estimate), values::effort),
            effort_unit: problems.optional(named!(body.effort_unit), values::enumerated::<EffortUnit>),
            start_date: problems.nullable(named!(body.start_date), values::timestamp),
            due_date: problems.nullable(named!(body.due_date), values::timestamp),
            tags: problems.optional_multi(named!(body.tags), values::tags),
            blocked_by: problems.optional_multi(named!(body.blocked_by), values::blockers),
            parent_id: problems.nullable(named!(body.parent_id), values::uuid).map(|id| id.map(TaskId::from_uuid)),
        };
        problems.finish(&body.unknown, Some(patch))
    }
}

#[cfg(test)]
mod tests;
