//! Conversions between domain values and Bolt values.
//!
//! Writing: an entity becomes a property map (`$props`) with every field
//! present — `null` for an empty optional field, which `SET n += $props`
//! turns into "remove the property", so an update clears what it cleared —
//! and never a `project_id`/`assignee_id`: those are relationships.
//!
//! Reading: queries return a node's properties as a map (`t {.*}`) plus the
//! related nodes' uids, and every value is re-validated through the domain's
//! own parsers, as the SQLite adapter does. A value of the wrong type or
//! outside its rules (a hand-edited node, an older writer) surfaces as an
//! unexpected error naming the property, never as a panic or a silently
//! wrong value. A property that is absent reads as `null`.
//!
//! Timestamps are `DATETIME`s in UTC. The driver speaks Bolt 4.x only, where
//! a `DATETIME` travels in the legacy structure (local seconds plus offset);
//! with the zero offset written here that is exact, nanoseconds included.

use chrono::{DateTime, Utc};
use neo4rs::{BoltList, BoltMap, BoltNull, BoltString, BoltType, Row};
use trm_domain::{
    Description, EffortEstimate, EffortUnit, Email, EnumAdapter, FullName, Priority, Project, ProjectId, ProjectStatus,
    Tag, Tags, Task, TaskId, TaskStatus, TaskType, Timestamp, Title, User, UserId, Username,
};
use uuid::Uuid;

use crate::error::StoreError;
use crate::rules::{task_search_text, version_value};

/// A value of the stored type `kind` was not what the domain accepts.
fn corrupt(entity: &str, key: &str, what: impl std::fmt::Display) -> StoreError {
    StoreError::Unexpected(anyhow::anyhow!("corrupt stored value {entity}.{key}: {what}"))
}

fn text(value: &str) -> BoltType {
    BoltType::String(BoltString::from(value))
}

fn null() -> BoltType {
    BoltType::Null(BoltNull)
}

fn optional(value: Option<BoltType>) -> BoltType {
    value.unwrap_or_else(null)
}

fn datetime(at: Timestamp) -> BoltType {
    BoltType::from(*at.as_datetime())
}

fn integer(value: i64) -> BoltType {
    BoltType::from(value)
}

/// A timestamp as a Bolt `DATETIME` in UTC, for query parameters.
pub(super) fn datetime_param(at: Timestamp) -> BoltType {
    datetime(at)
}

pub(super) fn map(entries: Vec<(&str, BoltType)>) -> BoltType {
    BoltType::Map(entries.into_iter().map(|(key, value)| (BoltString::from(key), value)).collect::<BoltMap>())
}

/// A task's stored properties; its project and assignee are not among them.
pub(super) fn task_props(task: &Task) -> BoltType {
    let tags: Vec<BoltType> = task.tags.iter_str().map(text).collect();
    map(vec![
        ("uid", text(&task.uid.to_string())),
        ("title", text(task.title.as_str())),
        ("description", optional(task.description.as_ref().map(|d| text(d.as_str())))),
        ("status", text(task.status.as_str())),
        ("task_type", optional(task.task_type.map(|t| text(t.as_str())))),
        ("priority", integer(i64::from(task.priority.level()))),
        ("effort_estimate", optional(task.effort_estimate.map(|e| BoltType::from(e.value())))),
        ("effort_unit", text(task.effort_unit.as_str())),
        ("start_date", optional(task.start_date.map(datetime))),
        ("due_date", optional(task.due_date.map(datetime))),
        ("completed_at", optional(task.completed_at.map(datetime))),
        ("tags", BoltType::List(BoltList::from(tags))),
        ("created_at", datetime(task.created_at)),
        ("updated_at", datetime(task.updated_at)),
        ("version", integer(version_value(task.version))),
        // The words the list's `q` finds it by, until the background
        // indexer moves them to `search_text`, which the full-text index
        // reads (see `super::search_words`).
        ("pending_search_text", text(&task_search_text(task))),
    ])
}

/// A project's stored properties.
pub(super) fn project_props(project: &Project) -> BoltType {
    map(vec![
        ("uid", text(&project.uid.to_string())),
        ("title", text(project.title.as_str())),
        ("description", optional(project.description.as_ref().map(|d| text(d.as_str())))),
        ("status", text(project.status.as_str())),
        ("created_at", datetime(project.created_at)),
        ("updated_at", datetime(project.updated_at)),
        ("version", integer(version_value(project.version))),
    ])
}

/// A user's stored properties, plus `username_key`: the username in lower
/// case, on which a uniqueness constraint makes usernames unique regardless
/// of case (Neo4j has no constraint on an expression).
pub(super) fn user_props(user: &User) -> BoltType {
    map(vec![
        ("uid", text(&user.uid.to_string())),
        ("username", text(user.username.as_str())),
        ("username_key", text(&user.username.key())),
        ("email", text(user.email.as_str())),
        ("full_name", optional(user.full_name.as_ref().map(|n| text(n.as_str())))),
        ("is_active", BoltType::from(user.is_active)),
        ("created_at", datetime(user.created_at)),
        ("updated_at", datetime(user.updated_at)),
        ("version", integer(version_value(user.version))),
    ])
}

/// An id as the string the graph stores.
pub(super) fn id_param(id: impl std::fmt::Display) -> BoltType {
    text(&id.to_string())
}

/// An optional id, `null` when absent.
pub(super) fn optional_id_param(id: Option<impl std::fmt::Display>) -> BoltType {
    optional(id.map(|id| text(&id.to_string())))
}

/// One property map read back, with the entity's name for error messages.
struct Props<'a> {
    entity: &'static str,
    map: &'a BoltMap,
}

impl<'a> Props<'a> {
    /// The value at `key`; `None` for an absent property or a `null`.
    fn value(&self, key: &str) -> Option<&'a BoltType> {
        self.map.value.get(key).filter(|value| !matches!(value, BoltType::Null(_)))
    }

    fn required(&self, key: &str) -> Result<&'a BoltType, StoreError> {
        self.value(key).ok_or_else(|| corrupt(self.entity, key, "missing"))
    }

    fn optional_string(&self, key: &str) -> Result<Option<&'a str>, StoreError> {
        match self.value(key) {
            None => Ok(None),
            Some(BoltType::String(s)) => Ok(Some(s.value.as_str())),
            Some(other) => Err(corrupt(self.entity, key, format!("expected a string, found {}", kind(other)))),
        }
    }

    fn string(&self, key: &str) -> Result<&'a str, StoreError> {
        self.optional_string(key)?.ok_or_else(|| corrupt(self.entity, key, "missing"))
    }

    fn integer(&self, key: &str) -> Result<i64, StoreError> {
        match self.required(key)? {
            BoltType::Integer(i) => Ok(i.value),
            other => Err(corrupt(self.entity, key, format!("expected an integer, found {}", kind(other)))),
        }
    }

    fn boolean(&self, key: &str) -> Result<bool, StoreError> {
        match self.required(key)? {
            BoltType::Boolean(b) => Ok(b.value),
            other => Err(corrupt(self.entity, key, format!("expected a boolean, found {}", kind(other)))),
        }
    }

    fn optional_number(&self, key: &str) -> Result<Option<f64>, StoreError> {
        match self.value(key) {
            None => Ok(None),
            Some(BoltType::Float(f)) => Ok(Some(f.value)),
            // Written by hand as `3` rather than `3.0`: the same estimate.
            #[allow(clippy::cast_precision_loss)]
            Some(BoltType::Integer(i)) => Ok(Some(i.value as f64)),
            Some(other) => Err(corrupt(self.entity, key, format!("expected a number, found {}", kind(other)))),
        }
    }

    fn optional_timestamp(&self, key: &str) -> Result<Option<Timestamp>, StoreError> {
        self.value(key).map(|value| timestamp_of(value).map_err(|why| corrupt(self.entity, key, why))).transpose()
    }

    fn timestamp(&self, key: &str) -> Result<Timestamp, StoreError> {
        self.optional_timestamp(key)?.ok_or_else(|| corrupt(self.entity, key, "missing"))
    }

    fn uuid(&self, key: &str) -> Result<Uuid, StoreError> {
        let text = self.string(key)?;
        Uuid::parse_str(text).map_err(|error| corrupt(self.entity, key, error))
    }

    fn enumeration<E: EnumAdapter>(&self, key: &str) -> Result<E, StoreError> {
        parse(self.entity, key, E::normalize(self.string(key)?))
    }

    fn version(&self) -> Result<u64, StoreError> {
        parse(self.entity, "version", u64::try_from(self.integer("version")?))
    }

    fn title(&self) -> Result<Title, StoreError> {
        parse(self.entity, "title", Title::parse(self.string("title")?))
    }

    fn description(&self) -> Result<Option<Description>, StoreError> {
        self.optional_string("description")?
            .map(|text| parse(self.entity, "description", Description::parse(text)))
            .transpose()
    }

    fn tags(&self) -> Result<Tags, StoreError> {
        let items = match self.value("tags") {
            None => return Ok(Tags::default()),
            Some(BoltType::List(list)) => &list.value,
            Some(other) => {
                return Err(corrupt(self.entity, "tags", format!("expected a list, found {}", kind(other))));
            }
        };
        let tags = items
            .iter()
            .map(|item| match item {
                BoltType::String(s) => parse(self.entity, "tags", Tag::parse(&s.value)),
                other => Err(corrupt(self.entity, "tags", format!("expected strings, found {}", kind(other)))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Tags::from_tags(tags))
    }
}

fn parse<T, E: std::fmt::Debug>(entity: &str, key: &str, result: Result<T, E>) -> Result<T, StoreError> {
    result.map_err(|error| corrupt(entity, key, format!("{error:?}")))
}

/// The name of a Bolt value's type, for error messages.
fn kind(value: &BoltType) -> &'static str {
    match value {
        BoltType::String(_) => "a string",
        BoltType::Boolean(_) => "a boolean",
        BoltType::Map(_) => "a map",
        BoltType::Null(_) => "null",
        BoltType::Integer(_) => "an integer",
        BoltType::Float(_) => "a float",
        BoltType::List(_) => "a list",
        BoltType::DateTime(_) | BoltType::DateTimeZoneId(_) => "a datetime",
        BoltType::LocalDateTime(_) => "a local datetime",
        BoltType::Date(_) => "a date",
        BoltType::Time(_) | BoltType::LocalTime(_) => "a time",
        BoltType::Duration(_) => "a duration",
        _ => "a graph or binary value",
    }
}

/// Reads a zoned date-time as an instant; a local (zone-less) one is
/// rejected, because which instant it means is unknowable.
fn timestamp_of(value: &BoltType) -> Result<Timestamp, String> {
    let at: DateTime<Utc> = match value {
        BoltType::DateTime(at) => DateTime::<Utc>::try_from(at).map_err(|e| e.to_string())?,
        BoltType::DateTimeZoneId(at) => DateTime::<Utc>::try_from(at).map_err(|e| e.to_string())?,
        other => return Err(format!("expected a datetime, found {}", kind(other))),
    };
    Ok(Timestamp::from_datetime(at))
}

/// Named values read as one result row: a row itself, or a map that a
/// query collected many rows into (a walk's tasks come as one list of
/// such maps, see `queries::walk_tasks_part`).
pub(super) trait Columns {
    /// The value in column `name`, borrowed: reading a row copies nothing
    /// but the leaves it keeps (`Row::get` would rebuild each value through
    /// serde first, a task's whole property map included — a third of the
    /// server's CPU on a read of many rows).
    fn value(&self, name: &str) -> Option<&BoltType>;
}

impl Columns for Row {
    fn value(&self, name: &str) -> Option<&BoltType> {
        Row::value(self, name)
    }
}

impl Columns for BoltMap {
    fn value(&self, name: &str) -> Option<&BoltType> {
        self.value.get(name)
    }
}

/// The value in column `name` of a row.
fn column<'r>(row: &'r (impl Columns + ?Sized), name: &str) -> Result<&'r BoltType, StoreError> {
    row.value(name).ok_or_else(|| corrupt("row", name, "no such column"))
}

/// The map in column `name` of a row.
fn column_map<'r>(row: &'r (impl Columns + ?Sized), name: &str) -> Result<&'r BoltMap, StoreError> {
    match column(row, name)? {
        BoltType::Map(map) => Ok(map),
        other => Err(corrupt("row", name, format!("expected a map, found {}", kind(other)))),
    }
}

/// An optional uid in column `name` of a row.
fn column_optional_uuid(row: &(impl Columns + ?Sized), name: &str) -> Result<Option<Uuid>, StoreError> {
    match column(row, name)? {
        BoltType::Null(_) => Ok(None),
        BoltType::String(s) => Uuid::parse_str(&s.value).map(Some).map_err(|error| corrupt("row", name, error)),
        other => Err(corrupt("row", name, format!("expected a uid, found {}", kind(other)))),
    }
}

/// A list of task ids in column `name` of a row (a task's blockers, a
/// cycle's path), in the row's order.
pub(super) fn column_task_ids(row: &(impl Columns + ?Sized), name: &str) -> Result<Vec<TaskId>, StoreError> {
    match column(row, name)? {
        BoltType::List(list) => list
            .value
            .iter()
            .map(|item| match item {
                BoltType::String(s) => {
                    Uuid::parse_str(&s.value).map(TaskId::from_uuid).map_err(|error| corrupt("row", name, error))
                }
                other => Err(corrupt("row", name, format!("expected a uid, found {}", kind(other)))),
            })
            .collect(),
        other => Err(corrupt("row", name, format!("expected a list, found {}", kind(other)))),
    }
}

/// A required uid in column `name` of a row.
pub(super) fn column_uuid(row: &Row, name: &str) -> Result<Uuid, StoreError> {
    column_optional_uuid(row, name)?.ok_or_else(|| corrupt("row", name, "missing"))
}

/// An integer in column `name` of a row.
pub(super) fn column_integer(row: &(impl Columns + ?Sized), name: &str) -> Result<i64, StoreError> {
    match column(row, name)? {
        BoltType::Integer(i) => Ok(i.value),
        other => Err(corrupt("row", name, format!("expected an integer, found {}", kind(other)))),
    }
}

/// A string in column `name` of a row.
pub(super) fn column_string(row: &Row, name: &str) -> Result<String, StoreError> {
    match column(row, name)? {
        BoltType::String(s) => Ok(s.value.clone()),
        other => Err(corrupt("row", name, format!("expected a string, found {}", kind(other)))),
    }
}

/// A zoned date-time in column `name` of a row.
pub(super) fn column_timestamp(row: &Row, name: &str) -> Result<Timestamp, StoreError> {
    timestamp_of(column(row, name)?).map_err(|error| corrupt("row", name, error))
}

/// A boolean in column `name` of a row.
pub(super) fn column_bool(row: &Row, name: &str) -> Result<bool, StoreError> {
    match column(row, name)? {
        BoltType::Boolean(b) => Ok(b.value),
        other => Err(corrupt("row", name, format!("expected a boolean, found {}", kind(other)))),
    }
}

/// The list in column `name` of a row: a walk's tasks, collected into
/// one row (`queries::walk_tasks_part`).
pub(super) fn column_list<'r>(row: &'r Row, name: &str) -> Result<&'r [BoltType], StoreError> {
    match column(row, name)? {
        BoltType::List(list) => Ok(&list.value),
        other => Err(corrupt("row", name, format!("expected a list, found {}", kind(other)))),
    }
}

/// A walked task as one item of a walk's list (`queries::walk_tasks_part`):
/// its depth and the task.
pub(super) fn walked_task(item: &BoltType) -> Result<(u8, Task), StoreError> {
    match item {
        BoltType::Map(map) => Ok((walked_depth(column_integer(map, "depth")?), task_from_row(map)?)),
        other => Err(corrupt("walk", "walked", format!("expected a map, found {}", kind(other)))),
    }
}

/// A walked task as one item of a walk of versions
/// (`queries::walk_versions_part`): its depth, id and version.
pub(super) fn walked_version(item: &BoltType) -> Result<(u8, TaskId, u64), StoreError> {
    let BoltType::List(fields) = item else {
        return Err(corrupt("walk", "walked", format!("expected a list, found {}", kind(item))));
    };
    match fields.value.as_slice() {
        [BoltType::Integer(depth), BoltType::String(uid), BoltType::Integer(version)] => {
            let uid = Uuid::parse_str(&uid.value).map_err(|error| corrupt("walk", "uid", error))?;
            let version = u64::try_from(version.value).map_err(|error| corrupt("walk", "version", error))?;
            Ok((walked_depth(depth.value), TaskId::from_uuid(uid), version))
        }
        _ => Err(corrupt("walk", "walked", "expected [depth, uid, version]")),
    }
}

/// A walk's depth, at most 25 by the walk's own bound.
pub(super) fn walked_depth(depth: i64) -> u8 {
    u8::try_from(depth).unwrap_or(u8::MAX)
}

/// Reads a task from a row produced by `queries::RETURN_TASK`.
pub(super) fn task_from_row(row: &(impl Columns + ?Sized)) -> Result<Task, StoreError> {
    let map = column_map(row, "task")?;
    let props = Props { entity: "Task", map };
    Ok(Task {
        uid: TaskId::from_uuid(props.uuid("uid")?),
        title: props.title()?,
        description: props.description()?,
        status: props.enumeration::<TaskStatus>("status")?,
        task_type: props
            .optional_string("task_type")?
            .map(|t| parse("Task", "task_type", TaskType::normalize(t)))
            .transpose()?,
        priority: parse("Task", "priority", Priority::from_level(props.integer("priority")?))?,
        project_id: column_optional_uuid(row, "project_id")?.map(ProjectId::from_uuid),
        assignee_id: column_optional_uuid(row, "assignee_id")?.map(UserId::from_uuid),
        effort_estimate: props
            .optional_number("effort_estimate")?
            .map(|e| parse("Task", "effort_estimate", EffortEstimate::new(e)))
            .transpose()?,
        effort_unit: props.enumeration::<EffortUnit>("effort_unit")?,
        start_date: props.optional_timestamp("start_date")?,
        due_date: props.optional_timestamp("due_date")?,
        completed_at: props.optional_timestamp("completed_at")?,
        tags: props.tags()?,
        blocked_by: trm_domain::graph::sorted_ids(column_task_ids(row, "blocked_by")?),
        created_at: props.timestamp("created_at")?,
        updated_at: props.timestamp("updated_at")?,
        version: props.version()?,
        parent_id: column_optional_uuid(row, "parent_id")?.map(TaskId::from_uuid),
    })
}

/// Reads a project from a row produced by `queries::RETURN_PROJECT`.
pub(super) fn project_from_row(row: &Row) -> Result<Project, StoreError> {
    let map = column_map(row, "project")?;
    let props = Props { entity: "Project", map };
    Ok(Project {
        uid: ProjectId::from_uuid(props.uuid("uid")?),
        title: props.title()?,
        description: props.description()?,
        status: props.enumeration::<ProjectStatus>("status")?,
        created_at: props.timestamp("created_at")?,
        updated_at: props.timestamp("updated_at")?,
        version: props.version()?,
        parent_id: column_optional_uuid(row, "parent_id")?.map(ProjectId::from_uuid),
    })
}

/// Reads a user from a row produced by `queries::RETURN_USER`.
pub(super) fn user_from_row(row: &Row) -> Result<User, StoreError> {
    let map = column_map(row, "user")?;
    let props = Props { entity: "User", map };
    Ok(User {
        uid: UserId::from_uuid(props.uuid("uid")?),
        username: parse("User", "username", Username::parse(props.string("username")?))?,
        email: parse("User", "email", Email::parse(props.string("email")?))?,
        full_name: props
            .optional_string("full_name")?
            .map(|name| parse("User", "full_name", FullName::parse(name)))
            .transpose()?,
        is_active: props.boolean("is_active")?,
        created_at: props.timestamp("created_at")?,
        updated_at: props.timestamp("updated_at")?,
        version: props.version()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(entries: Vec<(&str, BoltType)>) -> BoltMap {
        entries.into_iter().map(|(key, value)| (BoltString::from(key), value)).collect()
    }

    #[test]
    fn timestamps_keep_their_microseconds_through_bolt() {
        let at = Timestamp::parse("2026-11-26T03:12:45.123456Z").unwrap_or_else(|_| Timestamp::now());
        assert_eq!(timestamp_of(&datetime(at)), Ok(at));
    }

    #[test]
    fn a_value_of_the_wrong_type_is_reported_not_panicked_on() {
        let map = props(vec![("version", text("seven")), ("tags", text("ui"))]);
        let read = Props { entity: "Task", map: &map };
        let error = read.version().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains("Task.version"), "{error}");
        assert!(read.tags().is_err());
    }

    #[test]
    fn an_absent_or_null_optional_property_reads_as_none() {
        let map = props(vec![("description", null())]);
        let read = Props { entity: "Task", map: &map };
        assert!(matches!(read.description(), Ok(None)));
        assert!(matches!(read.optional_timestamp("due_date"), Ok(None)));
        assert!(read.timestamp("created_at").is_err());
    }

    #[test]
    fn a_row_is_read_in_place_and_a_missing_column_is_reported() {
        let row = Row::new(vec![text("depth"), text("uid")].into(), vec![BoltType::from(3_i64), text("x")].into());
        assert!(matches!(column_integer(&row, "depth"), Ok(3)));
        let missing = column_integer(&row, "position").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(missing.contains("position"), "{missing}");
        let not_a_uid = column_uuid(&row, "uid").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(not_a_uid.contains("uid"), "{not_a_uid}");
    }

    #[test]
    fn a_local_datetime_is_not_taken_for_an_instant() {
        let local = BoltType::from(chrono::NaiveDateTime::default());
        assert!(timestamp_of(&local).is_err());
    }
}
