//! The task bodies read from JSON: every problem reported, at its place.

use serde_json::json;

use trm_domain::Priority;

use super::*;
use crate::wire::{parse_object, read};

fn body(value: &Value) -> Map<String, Value> {
    parse_object(value.to_string().as_bytes()).unwrap()
}

fn new_task(body: Map<String, Value>) -> Result<NewTask, ApiError> {
    read::<TaskCreateBody>(body)
}

fn task_patch(body: Map<String, Value>) -> Result<TaskPatch, ApiError> {
    read::<TaskUpdateBody>(body)
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
        new_task(body(&json!({"title": "Test Task", "description": "This is a test task", "status": "todo"}))).unwrap();
    assert_eq!(new.title.as_str(), "Test Task");
    assert_eq!(new.status, TaskStatus::Todo);
}

#[test]
fn creating_a_task_without_a_title_is_rejected_at_body_title() {
    assert_eq!(problems(new_task(body(&json!({}))).unwrap_err()), [("body.title".to_owned(), "missing".to_owned())]);
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
    assert_eq!(problems(task_patch(body(&both)).unwrap_err()), [("body.name".to_owned(), "value_error".to_owned())]);
}

#[test]
fn a_blank_name_is_refused_at_body_name() {
    assert_eq!(
        problems(new_task(body(&json!({"name": " "}))).unwrap_err()),
        [("body.name".to_owned(), "string_too_short".to_owned())]
    );
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
    for field in ["title", "status", "priority", "effort_unit", "tags", "blocked_by"] {
        let error = task_patch(body(&json!({ field: null }))).unwrap_err();
        assert_eq!(problems(error), [(format!("body.{field}"), "null_not_allowed".to_owned())]);
    }
}

#[test]
fn blockers_are_task_ids_each_checked_at_its_index() {
    let (a, b) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    let new = new_task(body(&json!({"title": "x", "blocked_by": [a, b, a]}))).unwrap();
    assert_eq!(new.blocked_by.ids().len(), 2);
    let error = new_task(body(&json!({"title": "x", "blocked_by": [a, "nope", 3]}))).unwrap_err();
    assert_eq!(
        problems(error),
        [
            ("body.blocked_by.1".to_owned(), "uuid_parsing".to_owned()),
            ("body.blocked_by.2".to_owned(), "string_type".to_owned())
        ]
    );
    let many: Vec<uuid::Uuid> = (0..101).map(|_| uuid::Uuid::new_v4()).collect();
    let error = task_patch(body(&json!({"blocked_by": many}))).unwrap_err();
    assert_eq!(problems(error), [("body.blocked_by".to_owned(), "too_long".to_owned())]);
}

#[test]
fn server_managed_fields_cannot_be_written() {
    for field in ["uid", "version", "created_at", "completed_at"] {
        let error = task_patch(body(&json!({ field: "x" }))).unwrap_err();
        assert_eq!(problems(error), [(format!("body.{field}"), "extra_forbidden".to_owned())]);
    }
}
