//! Task responses, and the documentation of the values task bodies carry.
//!
//! [`TaskResponse`] is what is serialized, so its OpenAPI schema is derived
//! from it. The request bodies are defined, read and documented once, in
//! [`crate::wire`]; what is here documents the values in them that the
//! derive cannot describe (a tag, a date or date-time).

use serde::Serialize;
use trm_domain::{
    Description, EffortEstimate, EffortUnit, Priority, ProjectId, Tags, Task, TaskStatus, TaskType, Timestamp, Title,
    UserId,
};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type};
use utoipa::{PartialSchema, ToSchema};

use super::enums::{EffortUnitSchema, PrioritySchema, TaskStatusSchema, TaskTypeSchema};

/// A task as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = Task, example = json!({
    "uid": "3f0b6c9e-8d1a-4c2b-9e5f-1a2b3c4d5e6f", "title": "Write the docs", "description": null,
    "status": "in_progress", "task_type": "documentation", "priority": 1,
    "project_id": "9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d", "assignee_id": null,
    "effort_estimate": 3.5, "effort_unit": "hours",
    "start_date": "2026-11-26T00:00:00.000000Z", "due_date": "2026-12-01T00:00:00.000000Z", "completed_at": null,
    "tags": ["docs", "api"], "blocked_by": ["5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"],
    "created_at": "2026-11-26T03:12:45.123456Z", "updated_at": "2026-11-26T04:01:02.654321Z",
    "version": 2
}))]
pub struct TaskResponse {
    /// Server-generated UUID.
    #[schema(value_type = String, format = Uuid)]
    pub uid: trm_domain::TaskId,
    /// Trimmed, 1–200 characters.
    #[schema(value_type = String, min_length = 1, max_length = 200)]
    pub title: Title,
    /// Up to 10,000 characters.
    #[schema(value_type = Option<String>, max_length = 10000, required = true)]
    pub description: Option<Description>,
    /// Canonical status.
    #[schema(value_type = TaskStatusSchema)]
    pub status: TaskStatus,
    /// Canonical type.
    #[schema(value_type = Option<TaskTypeSchema>, required = true)]
    pub task_type: Option<TaskType>,
    /// 0 normal, 1 high, 2 urgent.
    #[schema(value_type = PrioritySchema)]
    pub priority: Priority,
    /// The project the task is part of (`IS_PART_OF_PROJECT`).
    #[schema(value_type = Option<String>, format = Uuid, required = true)]
    pub project_id: Option<ProjectId>,
    /// The user the task is assigned to (`ASSIGNED_TO`).
    #[schema(value_type = Option<String>, format = Uuid, required = true)]
    pub assignee_id: Option<UserId>,
    /// Estimated effort, in `effort_unit`s.
    #[schema(value_type = Option<f64>, minimum = 0.0, required = true)]
    pub effort_estimate: Option<EffortEstimate>,
    /// Unit of the estimate.
    #[schema(value_type = EffortUnitSchema)]
    pub effort_unit: EffortUnit,
    /// Planned start (UTC, microseconds).
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub start_date: Option<Timestamp>,
    /// Due date (UTC, microseconds); never before `start_date`.
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub due_date: Option<Timestamp>,
    /// When the task became `done`; set and cleared by the server.
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub completed_at: Option<Timestamp>,
    /// Distinct labels, each 1–64 characters, at most 50.
    #[schema(value_type = Vec<String>, max_items = 50)]
    pub tags: Tags,
    /// The tasks this one waits for (`(:Task)-[:BLOCKS]->` it), sorted; at
    /// most 100.
    #[schema(value_type = Vec<TaskIdSchema>, max_items = 100)]
    pub blocked_by: Vec<trm_domain::TaskId>,
    /// Creation time (UTC, microseconds).
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Last change (UTC, microseconds).
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    /// Starts at 1 and grows by one on every update that changes something;
    /// the `ETag` is this number in quotes.
    #[schema(minimum = 1)]
    pub version: u64,
}

impl From<Task> for TaskResponse {
    fn from(task: Task) -> Self {
        Self {
            uid: task.uid,
            title: task.title,
            description: task.description,
            status: task.status,
            task_type: task.task_type,
            priority: task.priority,
            project_id: task.project_id,
            assignee_id: task.assignee_id,
            effort_estimate: task.effort_estimate,
            effort_unit: task.effort_unit,
            start_date: task.start_date,
            due_date: task.due_date,
            completed_at: task.completed_at,
            tags: task.tags,
            blocked_by: task.blocked_by,
            created_at: task.created_at,
            updated_at: task.updated_at,
            version: task.version,
        }
    }
}

/// A task reached by a walk of the task graph (`…/blockers`,
/// `…/dependents`), with how far it is.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = TaskAtDepth)]
pub(crate) struct TaskAtDepth {
    /// The fewest `BLOCKS` edges between it and the task walked from: 1 for
    /// a direct blocker or dependent.
    #[schema(minimum = 1, maximum = 25)]
    pub depth: u8,
    /// The task.
    pub task: TaskResponse,
}

impl From<(u8, Task)> for TaskAtDepth {
    fn from((depth, task): (u8, Task)) -> Self {
        Self { depth, task: TaskResponse::from(task) }
    }
}

/// One tag in a request body, as documentation: a string with something
/// besides whitespace, 1–64 characters. Written by hand because utoipa's
/// derive puts no length or pattern on the items of a `Vec<String>`, and a
/// client generating requests from the document should not be told `""` is
/// a tag.
pub(crate) struct TagSchema;

impl PartialSchema for TagSchema {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(trm_domain::Tag::MAX_CHARS))
            .pattern(Some(trm_domain::NOT_BLANK_PATTERN))
            .description(Some("Trimmed; 1–64 characters after trimming."))
            .into()
    }
}

impl ToSchema for TagSchema {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Tag")
    }
}

/// A task id in a `blocked_by` list, as documentation: a UUID. Written by
/// hand because utoipa's derive puts no format on the items of a
/// `Vec<String>`, and a client generating requests from the document should
/// not be told any string is an id.
pub(crate) struct TaskIdSchema;

impl PartialSchema for TaskIdSchema {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
            .description(Some("A task's `uid`."))
            .into()
    }
}

impl ToSchema for TaskIdSchema {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("TaskId")
    }
}

/// A date-time without an offset (`2026-11-26T10:00:00`, optionally with
/// fractional seconds, of which microseconds are kept; a space for the `T`
/// is accepted too), as
/// Python's `datetime.isoformat()` writes a naive date-time: the readers
/// take it as UTC. No JSON Schema format names it, so it is documented by
/// this pattern, which admits only dates that exist in every year (the
/// 29th of February is left out) and times of day: every string it admits
/// is one the readers accept.
pub const NAIVE_DATE_TIME_PATTERN: &str = concat!(
    "^[0-9]{4}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)",
    "[T ](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]+)?$"
);

/// A `start_date` or `due_date` in a request body, as documentation: an
/// RFC 3339 date-time, a date-time without an offset (UTC) or a plain
/// date. Written by hand because the derive would say only "a string", and
/// a client generating requests from the document should be told which
/// strings are dates.
pub(crate) struct DateInputSchema;

impl PartialSchema for DateInputSchema {
    fn schema() -> RefOr<Schema> {
        let string = |format: KnownFormat| {
            ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(format)))
        };
        OneOfBuilder::new()
            .item(string(KnownFormat::DateTime).description(Some("An RFC 3339 date-time, any offset; stored in UTC.")))
            .item(string(KnownFormat::Date).description(Some("A calendar date: midnight UTC.")))
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(NAIVE_DATE_TIME_PATTERN))
                    .description(Some("A date-time without an offset (Python's `isoformat()`): read as UTC.")),
            )
            .description(Some(
                "An RFC 3339 date-time (`2026-12-01T17:00:00Z`), a date-time without an offset, read as UTC \
                 (`2026-12-01T17:00:00`, `2026-12-01T17:00:00.123456`), or a date (`2026-12-01`, midnight UTC).",
            ))
            .into()
    }
}

impl ToSchema for DateInputSchema {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("DateOrDateTime")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_the_naive_date_time_pattern_admits_is_read_and_others_it_refuses() {
        let pattern = regex::Regex::new(NAIVE_DATE_TIME_PATTERN).unwrap();
        for text in [
            "2026-11-26T10:00:00",
            "2026-11-26 23:59:59",
            "2026-11-26T10:00:00.123456",
            "2026-11-26T10:00:00.123456789",
            "2026-11-26T10:00:00.1234567891234",
            "2026-01-31T00:00:00",
            "2026-04-30T00:00:00",
            "2026-02-28T00:00:00",
            "0000-12-31T00:00:00",
        ] {
            assert!(pattern.is_match(text), "{text}");
            assert!(Timestamp::parse(text).is_ok(), "{text}");
        }
        for text in [
            "2026-02-29T00:00:00",
            "2026-02-30T00:00:00",
            "2026-04-31T00:00:00",
            "2026-13-01T00:00:00",
            "2026-11-26T24:00:00",
            "2026-11-26T10:60:00",
            "2026-11-26T10:00",
            "2026-11-26T10:00:00.",
            "2026-11-26T10:00:00Z",
            "2026-11-26",
        ] {
            assert!(!pattern.is_match(text), "{text}");
        }
        // Every day of every month of a common year, at a few times.
        for day in 0..365 {
            let date = chrono::NaiveDate::from_yo_opt(2027, day + 1).unwrap();
            for time in ["00:00:00", "23:59:59.999999"] {
                let text = format!("{date}T{time}");
                assert!(pattern.is_match(&text), "{text}");
                assert!(Timestamp::parse(&text).is_ok(), "{text}");
            }
        }
    }
}
