//! Tests of [`super`].

use super::*;

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn new_task() -> NewTask {
    NewTask::new(Title::parse("Write the docs").unwrap())
}

#[test]
fn a_new_task_starts_at_version_one_with_defaults() {
    let now = Timestamp::now();
    let task = Task::create(new_task(), now).unwrap();
    assert_eq!(task.version, 1);
    assert_eq!(task.status, TaskStatus::Todo);
    assert_eq!(task.priority, Priority::Normal);
    assert_eq!(task.effort_unit, EffortUnit::Hours);
    assert_eq!((task.created_at, task.updated_at), (now, now));
    assert_eq!(task.completed_at, None);
}

#[test]
fn a_task_created_done_is_completed_at_creation() {
    let now = Timestamp::now();
    let task = Task::create(NewTask { status: TaskStatus::Done, ..new_task() }, now).unwrap();
    assert_eq!(task.completed_at, Some(now));
}

#[test]
fn creating_a_task_due_before_it_starts_is_rejected() {
    let new = NewTask { start_date: Some(at("2026-12-02")), due_date: Some(at("2026-12-01")), ..new_task() };
    let errors = Task::create(new, Timestamp::now()).unwrap_err();
    assert_eq!(errors.errors()[0].to_string(), "due_date: Value error, due_date must not be before start_date");
}

#[test]
fn a_patch_that_changes_nothing_keeps_the_version() {
    let task = Task::create(new_task(), Timestamp::now()).unwrap();
    let same = TaskPatch { title: Some(task.title.clone()), status: Some(TaskStatus::Todo), ..TaskPatch::default() };
    assert_eq!(task.patched(same, Timestamp::now()).unwrap(), None);
    assert_eq!(task.patched(TaskPatch::default(), Timestamp::now()).unwrap(), None);
}

#[test]
fn a_patch_that_changes_something_bumps_the_version_once() {
    let task = Task::create(new_task(), at("2026-01-01T00:00:00Z")).unwrap();
    let later = at("2026-01-02T00:00:00Z");
    let patch = TaskPatch {
        priority: Some(Priority::Urgent),
        tags: Some(Tags::parse("tags", &["a"]).unwrap()),
        ..TaskPatch::default()
    };
    let next = task.patched(patch, later).unwrap().unwrap();
    assert_eq!(next.version, 2);
    assert_eq!(next.updated_at, later);
    assert_eq!(next.created_at, task.created_at);
}

#[test]
fn completed_at_follows_the_status_into_and_out_of_done() {
    let task = Task::create(new_task(), at("2026-01-01T00:00:00Z")).unwrap();
    let done_at = at("2026-01-02T00:00:00Z");
    let done =
        task.patched(TaskPatch { status: Some(TaskStatus::Done), ..TaskPatch::default() }, done_at).unwrap().unwrap();
    assert_eq!(done.completed_at, Some(done_at));

    let still_done = done
        .patched(TaskPatch { priority: Some(Priority::High), ..TaskPatch::default() }, at("2026-01-03T00:00:00Z"))
        .unwrap()
        .unwrap();
    assert_eq!(still_done.completed_at, Some(done_at));

    let reopened = still_done
        .patched(TaskPatch { status: Some(TaskStatus::InProgress), ..TaskPatch::default() }, at("2026-01-04T00:00:00Z"))
        .unwrap()
        .unwrap();
    assert_eq!(reopened.completed_at, None);
}

#[test]
fn blockers_are_kept_sorted_and_a_task_cannot_block_itself() {
    let task = Task::create(new_task(), Timestamp::now()).unwrap();
    let (a, b) = (TaskId::new(), TaskId::new());
    let blockers = Blockers::parse("blocked_by", &[b, a]).unwrap();
    let next = task
        .patched(TaskPatch { blocked_by: Some(blockers.clone()), ..TaskPatch::default() }, Timestamp::now())
        .unwrap()
        .unwrap();
    assert_eq!(next.blocked_by, blockers.sorted());
    assert_eq!(next.version, 2);
    let same = next.patched(TaskPatch { blocked_by: Some(blockers), ..TaskPatch::default() }, Timestamp::now());
    assert_eq!(same.unwrap(), None);
    let itself = Blockers::parse("blocked_by", &[a, task.uid]).unwrap();
    let errors =
        task.patched(TaskPatch { blocked_by: Some(itself), ..TaskPatch::default() }, Timestamp::now()).unwrap_err();
    assert_eq!(errors.errors()[0].to_string(), "blocked_by[1]: Value error, a task cannot block itself");
}

#[test]
fn null_clears_a_nullable_field() {
    let task =
        Task::create(NewTask { description: Some(Description::parse("x").unwrap()), ..new_task() }, Timestamp::now())
            .unwrap();
    let cleared =
        task.patched(TaskPatch { description: Some(None), ..TaskPatch::default() }, Timestamp::now()).unwrap().unwrap();
    assert_eq!(cleared.description, None);
}

#[test]
fn patching_the_due_date_before_the_stored_start_is_rejected() {
    let task = Task::create(NewTask { start_date: Some(at("2026-06-01")), ..new_task() }, Timestamp::now()).unwrap();
    let patch = TaskPatch { due_date: Some(Some(at("2026-05-01"))), ..TaskPatch::default() };
    assert!(task.patched(patch, Timestamp::now()).is_err());
}

#[test]
fn tasks_serialize_to_the_contract_shape() {
    let task = Task::create(new_task(), at("2026-11-26T03:12:45.123456Z")).unwrap();
    let json = serde_json::to_value(&task).unwrap();
    let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    let mut expected = vec![
        "uid",
        "title",
        "description",
        "status",
        "task_type",
        "priority",
        "project_id",
        "assignee_id",
        "effort_estimate",
        "effort_unit",
        "start_date",
        "due_date",
        "completed_at",
        "tags",
        "blocked_by",
        "parent_id",
        "created_at",
        "updated_at",
        "version",
    ];
    let mut keys_sorted = keys.clone();
    keys_sorted.sort_unstable();
    expected.sort_unstable();
    assert_eq!(keys_sorted, expected);
    assert_eq!(json["created_at"], "2026-11-26T03:12:45.123456Z");
    assert_eq!(json["priority"], 0);
    assert_eq!(json["effort_unit"], "hours");
    assert_eq!(json["tags"], serde_json::json!([]));
    assert_eq!(json["blocked_by"], serde_json::json!([]));
    assert_eq!(json["parent_id"], serde_json::Value::Null);
}

#[test]
fn a_new_parent_is_a_change_and_null_detaches() {
    let parent = TaskId::new();
    let task = Task::create(NewTask { parent_id: Some(parent), ..new_task() }, Timestamp::now()).unwrap();
    assert_eq!(task.parent_id, Some(parent));
    let same = TaskPatch { parent_id: Some(Some(parent)), ..TaskPatch::default() };
    assert_eq!(task.patched(same, Timestamp::now()).unwrap(), None, "the same parent changes nothing");
    let detach = TaskPatch { parent_id: Some(None), ..TaskPatch::default() };
    let detached = task.patched(detach, Timestamp::now()).unwrap().unwrap();
    assert_eq!((detached.parent_id, detached.version), (None, 2));
}
