//! Task bodies.

use serde::Serialize;
use serde_json::{Map, Value};
use trm_domain::{
    Description, EffortEstimate, EffortUnit, NewTask, Priority, ProjectId, Tags, Task, TaskPatch, TaskStatus, TaskType,
    Timestamp, Title, UserId,
};

use crate::body::BodyFields;
use crate::error::ApiError;
use crate::values;

/// A task as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskResponse {
    /// Server-generated UUID.
    pub uid: trm_domain::TaskId,
    /// Trimmed, 1–200 characters.
    pub title: Title,
    /// Up to 10,000 characters.
    pub description: Option<Description>,
    /// Canonical status.
    pub status: TaskStatus,
    /// Canonical type.
    pub task_type: Option<TaskType>,
    /// 0 normal, 1 high, 2 urgent.
    pub priority: Priority,
    /// The project the task is part of.
    pub project_id: Option<ProjectId>,
    /// The user the task is assigned to.
    pub assignee_id: Option<UserId>,
    /// Estimated effort.
    pub effort_estimate: Option<EffortEstimate>,
    /// Unit of the estimate.
    pub effort_unit: EffortUnit,
    /// Planned start.
    pub start_date: Option<Timestamp>,
    /// Due date.
    pub due_date: Option<Timestamp>,
    /// When the task became done.
    pub completed_at: Option<Timestamp>,
    /// Distinct labels.
    pub tags: Tags,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
    /// Grows by one on every change; the ETag.
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
/// values, malformed ids, dates, numbers or tags, and unknown fields.
pub fn new_task(body: Map<String, Value>) -> Result<NewTask, ApiError> {
    let mut fields = BodyFields::new(body);
    let title = fields.required("title", values::title);
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
/// A 422 listing every problem, as for [`new_task`].
pub fn task_patch(body: Map<String, Value>) -> Result<TaskPatch, ApiError> {
    let mut fields = BodyFields::new(body);
    let patch = TaskPatch {
        title: fields.optional("title", values::title),
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::body::parse_object;

    fn body(value: Value) -> Map<String, Value> {
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
        let new = new_task(body(json!({"title": "Test Task", "description": "This is a test task", "status": "todo"})))
            .unwrap();
        assert_eq!(new.title.as_str(), "Test Task");
        assert_eq!(new.status, TaskStatus::Todo);
    }

    #[test]
    fn creating_a_task_without_a_title_is_rejected_at_body_title() {
        assert_eq!(problems(new_task(body(json!({}))).unwrap_err()), [("body.title".to_owned(), "missing".to_owned())]);
        assert_eq!(
            problems(new_task(body(json!({"title": "  "}))).unwrap_err()),
            [("body.title".to_owned(), "string_too_short".to_owned())]
        );
    }

    #[test]
    fn every_problem_of_a_body_is_reported_at_once() {
        let error = new_task(body(json!({
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
    fn a_patch_tells_absent_from_null() {
        let patch = task_patch(body(json!({"description": null, "priority": "high"}))).unwrap();
        assert_eq!(patch.description, Some(None));
        assert_eq!(patch.priority, Some(Priority::High));
        assert_eq!(patch.title, None);
        assert_eq!(patch.due_date, None);
    }

    #[test]
    fn null_for_a_field_that_cannot_be_cleared_is_rejected() {
        for field in ["title", "status", "priority", "effort_unit", "tags"] {
            let error = task_patch(body(json!({ field: null }))).unwrap_err();
            assert_eq!(problems(error), [(format!("body.{field}"), "null_not_allowed".to_owned())]);
        }
    }

    #[test]
    fn server_managed_fields_cannot_be_written() {
        for field in ["uid", "version", "created_at", "completed_at"] {
            let error = task_patch(body(json!({ field: "x" }))).unwrap_err();
            assert_eq!(problems(error), [(format!("body.{field}"), "extra_forbidden".to_owned())]);
        }
    }
}
