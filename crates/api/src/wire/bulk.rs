//! The bulk create's body: many task bodies, read as one request.
//!
//! Each item is read as a [`TaskCreateBody`], exactly as a body of
//! `POST /api/v1/tasks/`, and its problems are reported under
//! `["body", "tasks", i, …]`, all of them together with those of every other
//! item: an importer fixes a whole file in one round.

use serde::Deserialize;
use serde_json::{Map, Value};
use trm_domain::{FieldError, FieldErrorKind, FieldPath, MAX_TASKS_PER_BULK, NewTask, bulk_item_path};
use utoipa::ToSchema;

use super::RequestBody;
use super::field::Field;
use super::task::TaskCreateBody;
use crate::error::{ApiError, Source, ValidationDetail};

/// The body of `POST /api/v1/tasks/bulk`, as sent; converts into its new
/// tasks, in request order.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(
    as = TaskBulkCreate,
    description = "Tasks to create at once, all or none: 1 to 1,000 bodies as for `POST /api/v1/tasks/`. \
                   Every problem of every item is reported in one 422, at `[\"body\", \"tasks\", i, …]`.",
    example = json!({"tasks": [
        {"title": "Import the backlog", "status": "todo"},
        {"title": "Review the import", "priority": "high", "tags": ["import"]}
    ]})
)]
pub struct TaskBulkCreateBody {
    /// The tasks, created in this order.
    #[schema(value_type = Vec<TaskCreateBody>, required = true, min_items = 1, max_items = 1000)]
    #[serde(default)]
    pub tasks: Field,
    /// Every property the body does not name: each is a 422 (`extra_forbidden`).
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: Map<String, Value>,
}

/// The problems of one item, or the new task it asks for.
fn item(item: Value) -> Result<NewTask, Vec<ValidationDetail>> {
    let not_an_object = || {
        vec![ValidationDetail::new(Source::Body, &FieldError::at(FieldPath::root(), FieldErrorKind::WrongType("dict")))]
    };
    let Value::Object(fields) = item else { return Err(not_an_object()) };
    match super::read::<TaskCreateBody>(fields) {
        Ok(task) => Ok(task),
        Err(ApiError::Invalid(details)) => Err(details),
        Err(_) => Err(not_an_object()),
    }
}

impl RequestBody for TaskBulkCreateBody {
    type Value = Vec<NewTask>;
}

impl TryFrom<TaskBulkCreateBody> for Vec<NewTask> {
    type Error = ApiError;

    /// # Errors
    /// A 422 listing every problem: unknown top-level fields, a missing or
    /// mistyped `tasks`, an empty list or one over [`MAX_TASKS_PER_BULK`]
    /// items (checked before any item is read), and every problem of every
    /// item.
    fn try_from(body: TaskBulkCreateBody) -> Result<Self, ApiError> {
        let mut problems: Vec<ValidationDetail> = body
            .unknown
            .keys()
            .map(|key| ValidationDetail::new(Source::Body, &FieldError::new(key, FieldErrorKind::ExtraForbidden)))
            .collect();
        let at_tasks = |kind| ValidationDetail::new(Source::Body, &FieldError::new("tasks", kind));
        let mut tasks = Self::new();
        match body.tasks {
            Field::Absent => problems.push(at_tasks(FieldErrorKind::Missing)),
            Field::Value(Value::Array(items)) if items.is_empty() => {
                problems.push(at_tasks(FieldErrorKind::TooShort(1)))
            }
            Field::Value(Value::Array(items)) if items.len() > MAX_TASKS_PER_BULK => {
                problems.push(at_tasks(FieldErrorKind::TooLong(MAX_TASKS_PER_BULK)));
            }
            Field::Value(Value::Array(items)) => {
                tasks.reserve(items.len());
                for (index, value) in items.into_iter().enumerate() {
                    match item(value) {
                        Ok(task) => tasks.push(task),
                        Err(details) => {
                            problems.extend(details.into_iter().map(|detail| detail.within(&bulk_item_path(index))));
                        }
                    }
                }
            }
            Field::Null | Field::Value(_) => problems.push(at_tasks(FieldErrorKind::WrongType("list"))),
        }
        if problems.is_empty() { Ok(tasks) } else { Err(ApiError::Invalid(problems)) }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn read(body: Value) -> Result<Vec<NewTask>, ApiError> {
        let Value::Object(map) = body else { panic!("not an object") };
        super::super::read::<TaskBulkCreateBody>(map)
    }

    fn locations(error: ApiError) -> Vec<Value> {
        let ApiError::Invalid(details) = error else { panic!("expected a 422, got {error:?}") };
        details.into_iter().map(|detail| Value::Array(detail.loc)).collect()
    }

    #[test]
    fn every_item_is_read_in_request_order() {
        let tasks = read(json!({"tasks": [{"title": "one"}, {"title": "two", "status": "wip"}]})).unwrap();
        let titles: Vec<&str> = tasks.iter().map(|task| task.title.as_str()).collect();
        assert_eq!(titles, ["one", "two"]);
    }

    #[test]
    fn every_problem_of_every_item_is_reported_under_its_index() {
        let error = read(json!({
            "tasks": [{"title": "fine"}, {"title": "", "status": "nope"}, 7, {"title": "x", "colour": "red"}],
            "extra": true
        }))
        .unwrap_err();
        let locations = locations(error);
        for expected in [
            json!(["body", "extra"]),
            json!(["body", "tasks", 1, "title"]),
            json!(["body", "tasks", 1, "status"]),
            json!(["body", "tasks", 2]),
            json!(["body", "tasks", 3, "colour"]),
        ] {
            assert!(locations.contains(&expected), "{expected} missing from {locations:?}");
        }
        assert_eq!(locations.len(), 5, "{locations:?}");
    }

    #[test]
    fn a_bulk_create_over_the_limit_is_refused_before_any_item_is_read() {
        let items: Vec<Value> = (0..=MAX_TASKS_PER_BULK).map(|_| json!({"title": ""})).collect();
        let error = read(json!({ "tasks": items })).unwrap_err();
        assert_eq!(locations(error), [json!(["body", "tasks"])]);
    }

    #[test]
    fn an_empty_or_missing_or_mistyped_list_is_refused_at_tasks() {
        for body in [json!({"tasks": []}), json!({}), json!({"tasks": {"title": "x"}})] {
            assert_eq!(locations(read(body).unwrap_err()), [json!(["body", "tasks"])]);
        }
    }
}
