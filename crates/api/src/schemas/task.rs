//! Task bodies: the response DTO, the body readers, and the documentation
//! types of the request bodies.
//!
//! [`TaskResponse`] is what is serialized, so its OpenAPI schema is derived
//! from it. Requests are read field by field by [`new_task`] and
//! [`task_patch`] (see [`crate::body`] for why not through serde), so the
//! request schemas are separate documentation types, [`TaskCreate`] and
//! [`TaskUpdate`]; the tests check that every property they document is one
//! the readers accept, that the readers accept nothing else, and that their
//! examples are valid requests.

use serde::Serialize;
use serde_json::{Map, Value};
use trm_domain::{
    Description, EffortEstimate, EffortUnit, NewTask, Priority, ProjectId, Tags, Task, TaskPatch, TaskStatus, TaskType,
    Timestamp, Title, UserId,
};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type};
use utoipa::{PartialSchema, ToSchema};

use super::alias;
use super::enums::{EffortUnitSchema, PriorityInputSchema, PrioritySchema, TaskStatusSchema, TaskTypeSchema};
use crate::body::BodyFields;
use crate::error::ApiError;
use crate::values;

/// A task as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = Task, example = json!({
    "uid": "3f0b6c9e-8d1a-4c2b-9e5f-1a2b3c4d5e6f", "title": "Write the docs", "description": null,
    "status": "in_progress", "task_type": "documentation", "priority": 1,
    "project_id": "9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d", "assignee_id": null,
    "effort_estimate": 3.5, "effort_unit": "hours",
    "start_date": "2026-11-26T00:00:00.000000Z", "due_date": "2026-12-01T00:00:00.000000Z", "completed_at": null,
    "tags": ["docs", "api"], "created_at": "2026-11-26T03:12:45.123456Z", "updated_at": "2026-11-26T04:01:02.654321Z",
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
            created_at: task.created_at,
            updated_at: task.updated_at,
            version: task.version,
        }
    }
}

/// Reads a create body into a [`NewTask`].
///
/// # Errors
/// A 422 listing every problem: a missing or blank title, unknown enum
/// values, malformed ids, dates, numbers or tags, and unknown fields. The
/// title may come as `name` (TRM-OS's spelling), not as both.
pub fn new_task(body: Map<String, Value>) -> Result<NewTask, ApiError> {
    let mut fields = BodyFields::new(body);
    let title = fields.required_or_alias(alias::TITLE, alias::TITLE_ALIAS, values::title);
    let description = fields.nullable("description", values::description).flatten();
    let status = fields.optional("status", values::enumerated::<TaskStatus>);
    let task_type = fields.nullable("task_type", values::enumerated::<TaskType>).flatten();
    let priority = fields.optional("priority", values::priority);
    let project_id = fields.nullable("project_id", values::uuid).flatten();
    let assignee_id = fields.nullable("assignee_id", values::uuid).flatten();
    let effort_estimate = fields.nullable("effort_estimate", values::effort).flatten();
    let effort_unit = fields.optional("effort_unit", values::enumerated::<EffortUnit>);
    let start_date = fields.nullable("start_date", values::timestamp).flatten();
    let due_date = fields.nullable("due_date", values::timestamp).flatten();
    let tags = fields.optional_multi("tags", values::tags);
    let new = title.map(|title| NewTask {
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
        ..NewTask::new(title)
    });
    fields.finish(new)
}

/// Reads a PATCH body into a [`TaskPatch`]: absent fields are kept, `null`
/// clears a nullable field and is refused for the others.
///
/// # Errors
/// A 422 listing every problem, as for [`new_task`] (`name` included).
pub fn task_patch(body: Map<String, Value>) -> Result<TaskPatch, ApiError> {
    let mut fields = BodyFields::new(body);
    let patch = TaskPatch {
        title: fields.optional_or_alias(alias::TITLE, alias::TITLE_ALIAS, values::title),
        description: fields.nullable("description", values::description),
        status: fields.optional("status", values::enumerated::<TaskStatus>),
        task_type: fields.nullable("task_type", values::enumerated::<TaskType>),
        priority: fields.optional("priority", values::priority),
        project_id: fields.nullable("project_id", values::uuid).map(|id| id.map(ProjectId::from_uuid)),
        assignee_id: fields.nullable("assignee_id", values::uuid).map(|id| id.map(UserId::from_uuid)),
        effort_estimate: fields.nullable("effort_estimate", values::effort),
        effort_unit: fields.optional("effort_unit", values::enumerated::<EffortUnit>),
        start_date: fields.nullable("start_date", values::timestamp),
        due_date: fields.nullable("due_date", values::timestamp),
        tags: fields.optional_multi("tags", values::tags),
    };
    fields.finish(Some(patch))
}

/// The body of `POST /api/v1/tasks/`: documents what [`new_task`] reads.
///
/// Its schema is [`TaskCreateFields`]'s, with exactly one of `title` and
/// its alias `name` required ([`alias::exactly_one_title`]).
#[derive(Debug, Clone, Copy)]
pub struct TaskCreate;

impl PartialSchema for TaskCreate {
    fn schema() -> RefOr<Schema> {
        alias::exactly_one_title(TaskCreateFields::schema())
    }
}

impl ToSchema for TaskCreate {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("TaskCreate")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        TaskCreateFields::schemas(schemas);
    }
}

/// The properties of [`TaskCreate`], from which utoipa derives its schema.
#[derive(Debug, Clone, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    description = "A new task. `title` (or its alias `name`, not both) is required, every other property \
                   optional; a property not listed here is a 422 (`extra_forbidden`).",
    example = json!({
        "title": "Write the docs", "description": "The API reference and a tutorial",
        "status": "in_progress", "task_type": "documentation", "priority": "high",
        "project_id": "9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d", "assignee_id": null,
        "effort_estimate": 3.5, "effort_unit": "hours",
        "start_date": "2026-11-26", "due_date": "2026-12-01T17:00:00Z", "tags": ["docs", "api"]
    })
)]
pub struct TaskCreateFields {
    /// Trimmed; 1–200 characters after trimming. A missing or blank title is
    /// a 422 at `["body", "title"]`.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]",
        examples("Write the docs")
    )]
    pub title: String,
    /// An alias of `title`, as TRM-OS's clients send it: give one of the
    /// two, not both (a 422 at `["body", "name"]`). Responses say `title`.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]",
        nullable = false,
        examples("Write the docs")
    )]
    pub name: Option<String>,
    /// Up to 10,000 characters.
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    /// Defaults to `todo`.
    #[schema(value_type = Option<TaskStatusSchema>, nullable = false)]
    pub status: Option<TaskStatusSchema>,
    /// Defaults to `null`.
    #[schema(value_type = Option<TaskTypeSchema>)]
    pub task_type: Option<TaskTypeSchema>,
    /// Defaults to `0` (normal).
    #[schema(value_type = Option<PriorityInputSchema>, nullable = false)]
    pub priority: Option<PriorityInputSchema>,
    /// The project the task joins; it must exist (a 422 at this field
    /// otherwise).
    #[schema(format = Uuid)]
    pub project_id: Option<String>,
    /// The user the task is assigned to; they must exist (a 422 at this
    /// field otherwise).
    #[schema(format = Uuid)]
    pub assignee_id: Option<String>,
    /// Zero or more.
    #[schema(minimum = 0.0)]
    pub effort_estimate: Option<f64>,
    /// Defaults to `hours`.
    #[schema(value_type = Option<EffortUnitSchema>, nullable = false)]
    pub effort_unit: Option<EffortUnitSchema>,
    /// An RFC 3339 date-time (`2026-12-01T17:00:00Z`) or a date
    /// (`2026-12-01`, meaning midnight UTC).
    #[schema(value_type = Option<DateInputSchema>)]
    pub start_date: Option<String>,
    /// As `start_date`; not before it.
    #[schema(value_type = Option<DateInputSchema>)]
    pub due_date: Option<String>,
    /// At most 50, each 1–64 characters; duplicates are dropped. Defaults to
    /// none.
    #[schema(value_type = Option<Vec<TagSchema>>, nullable = false, max_items = 50)]
    pub tags: Option<Vec<String>>,
}

/// The body of `PATCH /api/v1/tasks/{uid}`: documents what [`task_patch`]
/// reads.
///
/// Its schema is [`TaskUpdateFields`]'s, with `title` and its alias `name`
/// never both ([`alias::at_most_one_title`]).
#[derive(Debug, Clone, Copy)]
pub struct TaskUpdate;

impl PartialSchema for TaskUpdate {
    fn schema() -> RefOr<Schema> {
        alias::at_most_one_title(TaskUpdateFields::schema())
    }
}

impl ToSchema for TaskUpdate {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("TaskUpdate")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        TaskUpdateFields::schemas(schemas);
    }
}

/// The properties of [`TaskUpdate`], from which utoipa derives its schema.
#[derive(Debug, Clone, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    description = "A change to a task: properties present are changed, properties absent are kept, and `null` \
                   clears a nullable property (`null` for any other is a 422). `name` is an alias of `title` (not \
                   both). A property not listed here is a 422 (`extra_forbidden`).",
    example = json!({"status": "done", "due_date": null, "tags": ["docs"]})
)]
pub struct TaskUpdateFields {
    /// Trimmed; 1–200 characters after trimming.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]",
        nullable = false
    )]
    pub title: Option<String>,
    /// An alias of `title`, as TRM-OS's clients send it: give one of the
    /// two, not both (a 422 at `["body", "name"]`).
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]",
        nullable = false
    )]
    pub name: Option<String>,
    /// Up to 10,000 characters; `null` clears it.
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    /// Becoming `done` sets `completed_at`; leaving it clears it.
    #[schema(value_type = Option<TaskStatusSchema>, nullable = false)]
    pub status: Option<TaskStatusSchema>,
    /// `null` clears it.
    #[schema(value_type = Option<TaskTypeSchema>)]
    pub task_type: Option<TaskTypeSchema>,
    /// The level or its name.
    #[schema(value_type = Option<PriorityInputSchema>, nullable = false)]
    pub priority: Option<PriorityInputSchema>,
    /// Moves the task to this project, which must exist; `null` takes it out
    /// of its project.
    #[schema(format = Uuid)]
    pub project_id: Option<String>,
    /// Assigns the task to this user, who must exist; `null` unassigns it.
    #[schema(format = Uuid)]
    pub assignee_id: Option<String>,
    /// Zero or more; `null` clears it.
    #[schema(minimum = 0.0)]
    pub effort_estimate: Option<f64>,
    /// The unit of `effort_estimate`.
    #[schema(value_type = Option<EffortUnitSchema>, nullable = false)]
    pub effort_unit: Option<EffortUnitSchema>,
    /// An RFC 3339 date-time (`2026-12-01T17:00:00Z`) or a date
    /// (`2026-12-01`, meaning midnight UTC); `null` clears it.
    #[schema(value_type = Option<DateInputSchema>)]
    pub start_date: Option<String>,
    /// As `start_date`; not before it. `null` clears it.
    #[schema(value_type = Option<DateInputSchema>)]
    pub due_date: Option<String>,
    /// Replaces the tags: at most 50, each 1–64 characters; duplicates are
    /// dropped. `[]` removes them all.
    #[schema(value_type = Option<Vec<TagSchema>>, nullable = false, max_items = 50)]
    pub tags: Option<Vec<String>>,
}

/// One tag in a request body, as documentation: a string with something
/// besides whitespace, 1–64 characters. Written by hand because utoipa's
/// derive puts no length or pattern on the items of a `Vec<String>`, and a
/// client generating requests from the document should not be told `""` is
/// a tag.
pub struct TagSchema;

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
pub struct DateInputSchema;

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
    use serde_json::json;

    use super::*;
    use crate::body::parse_object;

    fn body(value: &Value) -> Map<String, Value> {
        parse_object(value.to_string().as_bytes()).unwrap()
    }

    fn problems(error: ApiError) -> Vec<(String, String)> {
        let ApiError::Invalid(details) = error else { panic!("expected a 422, got {error:?}") };
        details
            .into_iter()
            .map(|d| {
                (d.loc.iter().map(|l| l.to_string().trim_matches('"').to_owned()).collect::<Vec<_>>().join("."), d.kind)
            })
            .collect()
    }

    #[test]
    fn the_seed_request_reads_into_a_new_task() {
        let new =
            new_task(body(&json!({"title": "Test Task", "description": "This is a test task", "status": "todo"})))
                .unwrap();
        assert_eq!(new.title.as_str(), "Test Task");
        assert_eq!(new.status, TaskStatus::Todo);
    }

    #[test]
    fn creating_a_task_without_a_title_is_rejected_at_body_title() {
        assert_eq!(
            problems(new_task(body(&json!({}))).unwrap_err()),
            [("body.title".to_owned(), "missing".to_owned())]
        );
        assert_eq!(
            problems(new_task(body(&json!({"title": "  "}))).unwrap_err()),
            [("body.title".to_owned(), "string_too_short".to_owned())]
        );
    }

    #[test]
    fn every_problem_of_a_body_is_reported_at_once() {
        let error = new_task(body(&json!({
            "title": 5, "status": "someday", "priority": 9, "project_id": "project-123",
            "effort_estimate": -1, "due_date": "2026-02-30", "tags": ["ok", ""], "owner": "me"
        })))
        .unwrap_err();
        let mut found = problems(error);
        found.sort();
        let mut expected: Vec<(String, String)> = [
            ("body.title", "string_type"),
            ("body.status", "enum"),
            ("body.priority", "enum"),
            ("body.project_id", "uuid_parsing"),
            ("body.effort_estimate", "greater_than_equal"),
            ("body.due_date", "datetime_parsing"),
            ("body.tags.1", "string_too_short"),
            ("body.owner", "extra_forbidden"),
        ]
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
        expected.sort();
        assert_eq!(found, expected);
    }

    #[test]
    fn a_task_may_be_created_and_renamed_with_name_as_trm_os_sends_it() {
        let new = new_task(body(&json!({"name": "Write the docs"}))).unwrap();
        assert_eq!(new.title.as_str(), "Write the docs");
        let patch = task_patch(body(&json!({"name": "Rewrite the docs"}))).unwrap();
        assert_eq!(patch.title.map(|title| title.as_str().to_owned()).as_deref(), Some("Rewrite the docs"));
    }

    #[test]
    fn a_body_with_both_name_and_title_is_refused_at_body_name() {
        let both = json!({"title": "a", "name": "b"});
        assert_eq!(problems(new_task(body(&both)).unwrap_err()), [("body.name".to_owned(), "value_error".to_owned())]);
        assert_eq!(
            problems(task_patch(body(&both)).unwrap_err()),
            [("body.name".to_owned(), "value_error".to_owned())]
        );
    }

    #[test]
    fn a_blank_name_is_refused_at_body_name() {
        assert_eq!(
            problems(new_task(body(&json!({"name": " "}))).unwrap_err()),
            [("body.name".to_owned(), "string_too_short".to_owned())]
        );
    }

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

    #[test]
    fn a_python_timestamp_without_an_offset_is_a_valid_date() {
        let new = new_task(body(&json!({"title": "x", "start_date": "2026-11-26T10:00:00.123456"}))).unwrap();
        assert_eq!(new.start_date.map(|at| at.to_string()).as_deref(), Some("2026-11-26T10:00:00.123456Z"));
    }

    #[test]
    fn a_patch_tells_absent_from_null() {
        let patch = task_patch(body(&json!({"description": null, "priority": "high"}))).unwrap();
        assert_eq!(patch.description, Some(None));
        assert_eq!(patch.priority, Some(Priority::High));
        assert_eq!(patch.title, None);
        assert_eq!(patch.due_date, None);
    }

    #[test]
    fn null_for_a_field_that_cannot_be_cleared_is_rejected() {
        for field in ["title", "status", "priority", "effort_unit", "tags"] {
            let error = task_patch(body(&json!({ field: null }))).unwrap_err();
            assert_eq!(problems(error), [(format!("body.{field}"), "null_not_allowed".to_owned())]);
        }
    }

    #[test]
    fn server_managed_fields_cannot_be_written() {
        for field in ["uid", "version", "created_at", "completed_at"] {
            let error = task_patch(body(&json!({ field: "x" }))).unwrap_err();
            assert_eq!(problems(error), [(format!("body.{field}"), "extra_forbidden".to_owned())]);
        }
    }
}
