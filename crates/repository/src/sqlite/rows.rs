//! Conversions between domain values and SQLite rows.
//!
//! Reading re-validates every stored value through the domain's own
//! parsers: a row that fails (written by hand, or by a buggy older version)
//! surfaces as an unexpected error naming the column, never as a panic or a
//! silently wrong value.

use rusqlite::types::{FromSql, Type, Value};
use rusqlite::{Row, ToSql};
use trm_domain::{
    Description, EffortEstimate, EffortUnit, Email, EnumAdapter, FullName, Priority, Project, ProjectId, ProjectStatus,
    Tag, Tags, Task, TaskId, TaskStatus, TaskType, Timestamp, Title, User, UserId, Username,
};
use uuid::Uuid;

use crate::rules::version_value;

/// The task columns, in the order [`task_from_row`] reads them.
pub(super) const TASK_COLUMNS: &str = "uid, title, description, status, task_type, priority, project_id, \
     assignee_id, effort_estimate, effort_unit, start_date, due_date, completed_at, tags, created_at, \
     updated_at, version, parent_id";

/// How many columns [`TASK_COLUMNS`] names.
pub(super) const TASK_COLUMN_COUNT: usize = 18;

/// The project columns, in the order [`project_from_row`] reads them.
pub(super) const PROJECT_COLUMNS: &str = "uid, title, description, status, created_at, updated_at, version, parent_uid";

fn corrupt(index: usize, what: impl std::fmt::Display) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(index, Type::Text, format!("corrupt stored value: {what}").into())
}

pub(super) fn parsed<T, E: std::fmt::Debug>(index: usize, result: Result<T, E>) -> rusqlite::Result<T> {
    result.map_err(|error| corrupt(index, format!("{error:?}")))
}

pub(super) fn uuid_at(row: &Row<'_>, index: usize) -> rusqlite::Result<Uuid> {
    let text: String = row.get(index)?;
    parsed(index, Uuid::parse_str(&text))
}

fn optional_uuid_at(row: &Row<'_>, index: usize) -> rusqlite::Result<Option<Uuid>> {
    let text: Option<String> = row.get(index)?;
    text.map(|text| parsed(index, Uuid::parse_str(&text))).transpose()
}

pub(super) fn timestamp_at(row: &Row<'_>, index: usize) -> rusqlite::Result<Timestamp> {
    Timestamp::from_micros(row.get(index)?).ok_or_else(|| corrupt(index, "timestamp out of range"))
}

pub(super) fn optional_timestamp_at(row: &Row<'_>, index: usize) -> rusqlite::Result<Option<Timestamp>> {
    let micros: Option<i64> = row.get(index)?;
    micros.map(|m| Timestamp::from_micros(m).ok_or_else(|| corrupt(index, "timestamp out of range"))).transpose()
}

fn enum_at<E: EnumAdapter>(row: &Row<'_>, index: usize) -> rusqlite::Result<E> {
    let text: String = row.get(index)?;
    parsed(index, E::normalize(&text))
}

fn version_at(row: &Row<'_>, index: usize) -> rusqlite::Result<u64> {
    let version: i64 = row.get(index)?;
    parsed(index, u64::try_from(version))
}

fn description_at(row: &Row<'_>, index: usize) -> rusqlite::Result<Option<Description>> {
    let text: Option<String> = row.get(index)?;
    text.map(|text| parsed(index, Description::parse(&text))).transpose()
}

/// Reads a task from a row selected with [`TASK_COLUMNS`], but for its
/// blockers, which live in a table of their own: a caller returning the
/// task fills them in (`task_graph::with_blockers`).
pub(super) fn task_from_row(row: &Row<'_>) -> rusqlite::Result<Task> {
    let tags_json: String = row.get(13)?;
    let tag_texts: Vec<String> = parsed(13, serde_json::from_str(&tags_json))?;
    let tags = tag_texts.iter().map(|t| parsed(13, Tag::parse(t))).collect::<rusqlite::Result<Vec<_>>>()?;
    let priority: i64 = row.get(5)?;
    let effort: Option<f64> = row.get(8)?;
    let task_type: Option<String> = row.get(4)?;
    Ok(Task {
        uid: TaskId::from_uuid(uuid_at(row, 0)?),
        title: parsed(1, Title::parse(&row.get::<_, String>(1)?))?,
        description: description_at(row, 2)?,
        status: enum_at::<TaskStatus>(row, 3)?,
        task_type: task_type.map(|t| parsed(4, TaskType::normalize(&t))).transpose()?,
        priority: parsed(5, Priority::from_level(priority))?,
        project_id: optional_uuid_at(row, 6)?.map(ProjectId::from_uuid),
        assignee_id: optional_uuid_at(row, 7)?.map(UserId::from_uuid),
        effort_estimate: effort.map(|e| parsed(8, EffortEstimate::new(e))).transpose()?,
        effort_unit: enum_at::<EffortUnit>(row, 9)?,
        start_date: optional_timestamp_at(row, 10)?,
        due_date: optional_timestamp_at(row, 11)?,
        completed_at: optional_timestamp_at(row, 12)?,
        tags: Tags::from_tags(tags),
        // Read from `task_blocks` by the caller (`task_graph::with_blockers`).
        blocked_by: Vec::new(),
        created_at: timestamp_at(row, 14)?,
        updated_at: timestamp_at(row, 15)?,
        version: version_at(row, 16)?,
        parent_id: optional_uuid_at(row, 17)?.map(TaskId::from_uuid),
    })
}

/// A task's column values, in [`TASK_COLUMNS`] order.
pub(super) fn task_values(task: &Task) -> Vec<Value> {
    let text = |s: &str| Value::Text(s.to_owned());
    let optional = |v: Option<Value>| v.unwrap_or(Value::Null);
    let tags: Vec<&str> = task.tags.iter_str().collect();
    vec![
        text(&task.uid.to_string()),
        text(task.title.as_str()),
        optional(task.description.as_ref().map(|d| text(d.as_str()))),
        text(task.status.as_str()),
        optional(task.task_type.map(|t| text(t.as_str()))),
        Value::Integer(i64::from(task.priority.level())),
        optional(task.project_id.map(|p| text(&p.to_string()))),
        optional(task.assignee_id.map(|u| text(&u.to_string()))),
        optional(task.effort_estimate.map(|e| Value::Real(e.value()))),
        text(task.effort_unit.as_str()),
        optional(task.start_date.map(|t| Value::Integer(t.as_micros()))),
        optional(task.due_date.map(|t| Value::Integer(t.as_micros()))),
        optional(task.completed_at.map(|t| Value::Integer(t.as_micros()))),
        Value::Text(serde_json::Value::from(tags).to_string()),
        Value::Integer(task.created_at.as_micros()),
        Value::Integer(task.updated_at.as_micros()),
        Value::Integer(version_value(task.version)),
        optional(task.parent_id.map(|p| text(&p.to_string()))),
    ]
}

/// Reads a project from a row selected with [`PROJECT_COLUMNS`].
pub(super) fn project_from_row(row: &Row<'_>) -> rusqlite::Result<Project> {
    Ok(Project {
        uid: ProjectId::from_uuid(uuid_at(row, 0)?),
        title: parsed(1, Title::parse(&row.get::<_, String>(1)?))?,
        description: description_at(row, 2)?,
        status: enum_at::<ProjectStatus>(row, 3)?,
        created_at: timestamp_at(row, 4)?,
        updated_at: timestamp_at(row, 5)?,
        version: version_at(row, 6)?,
        parent_id: optional_uuid_at(row, 7)?.map(ProjectId::from_uuid),
    })
}

/// A project's column values, in [`PROJECT_COLUMNS`] order.
pub(super) fn project_values(project: &Project) -> Vec<Value> {
    vec![
        Value::Text(project.uid.to_string()),
        Value::Text(project.title.as_str().to_owned()),
        project.description.as_ref().map_or(Value::Null, |d| Value::Text(d.as_str().to_owned())),
        Value::Text(project.status.as_str().to_owned()),
        Value::Integer(project.created_at.as_micros()),
        Value::Integer(project.updated_at.as_micros()),
        Value::Integer(version_value(project.version)),
        project.parent_id.map_or(Value::Null, |parent| Value::Text(parent.to_string())),
    ]
}

/// `?1, ?2, …, ?n`, for an insert of `n` columns.
pub(super) fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ")
}

/// Whether a row exists for a query with one text parameter.
pub(super) fn exists(conn: &rusqlite::Connection, sql: &str, param: &dyn ToSql) -> rusqlite::Result<bool> {
    let mut statement = conn.prepare_cached(sql)?;
    statement.exists([param])
}

/// Reads an optional single value.
pub(super) fn optional_value<T: FromSql>(
    conn: &rusqlite::Connection,
    sql: &str,
    param: &dyn ToSql,
) -> rusqlite::Result<Option<T>> {
    let mut statement = conn.prepare_cached(sql)?;
    let mut rows = statement.query([param])?;
    rows.next()?.map(|row| row.get(0)).transpose()
}

/// The user columns, in the order [`user_from_row`] reads them.
pub(super) const USER_COLUMNS: &str = "uid, username, email, full_name, is_active, created_at, updated_at, version";

/// Reads a user from a row selected with [`USER_COLUMNS`].
pub(super) fn user_from_row(row: &Row<'_>) -> rusqlite::Result<User> {
    let full_name: Option<String> = row.get(3)?;
    Ok(User {
        uid: UserId::from_uuid(uuid_at(row, 0)?),
        username: parsed(1, Username::parse(&row.get::<_, String>(1)?))?,
        email: parsed(2, Email::parse(&row.get::<_, String>(2)?))?,
        full_name: full_name.map(|name| parsed(3, FullName::parse(&name))).transpose()?,
        is_active: row.get(4)?,
        created_at: timestamp_at(row, 5)?,
        updated_at: timestamp_at(row, 6)?,
        version: version_at(row, 7)?,
    })
}

/// A user's column values, in [`USER_COLUMNS`] order.
pub(super) fn user_values(user: &User) -> Vec<Value> {
    vec![
        Value::Text(user.uid.to_string()),
        Value::Text(user.username.as_str().to_owned()),
        Value::Text(user.email.as_str().to_owned()),
        user.full_name.as_ref().map_or(Value::Null, |name| Value::Text(name.as_str().to_owned())),
        Value::Integer(i64::from(user.is_active)),
        Value::Integer(user.created_at.as_micros()),
        Value::Integer(user.updated_at.as_micros()),
        Value::Integer(version_value(user.version)),
    ]
}
