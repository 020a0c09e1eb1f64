//! [`ProjectRepository`] on SQLite.

use async_trait::async_trait;
use rusqlite::params_from_iter;
use rusqlite::types::Value;
use trm_domain::{
    DomainEvent, EntityKind, EnumAdapter, EventMetadata, Page, PageRequest, Project, ProjectId, TaskId, Timestamp,
};
use uuid::Uuid;

use super::events::{append, encode};
use super::project_tree::{SUBTREE, check_project_parent, levels, subtree_children_first};
use super::rows::{PROJECT_COLUMNS, exists, optional_value, placeholders, project_from_row, project_values};
use super::task_graph::{read_survivors, release_survivors};
use super::{SqliteStore, unexpected};
use crate::error::StoreError;
use crate::ports::{Cascade, ProjectFilter, ProjectRepository};
use crate::rules::check_version;

fn check_project_version(
    tx: &rusqlite::Transaction<'_>,
    id: ProjectId,
    expected: Option<u64>,
) -> Result<(), StoreError> {
    let stored: Option<i64> = optional_value(tx, "SELECT version FROM projects WHERE uid = ?1", &id.to_string())
        .map_err(unexpected("cannot read the project's version"))?;
    check_version(stored, expected, EntityKind::Project)
}

/// The tasks of the projects of [`SUBTREE`], to follow it.
const SUBTREE_TASKS: &str = "SELECT uid FROM tasks WHERE project_id IN (SELECT uid FROM subtree)";

/// The ids a query with one text parameter selects, in its order.
fn uids(tx: &rusqlite::Transaction<'_>, sql: &str, param: &str) -> Result<Vec<Uuid>, StoreError> {
    let texts: Vec<String> = tx
        .prepare_cached(sql)
        .and_then(|mut select| select.query_map([param], |row| row.get(0))?.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(unexpected("cannot list the project's tasks"))?;
    texts
        .iter()
        .map(|text| {
            Uuid::parse_str(text)
                .map_err(|error| StoreError::Unexpected(anyhow::Error::new(error).context("corrupt stored id")))
        })
        .collect()
}

#[async_trait]
impl ProjectRepository for SqliteStore {
    async fn create_project(&self, project: &Project, events: &[DomainEvent]) -> Result<(), StoreError> {
        let values = project_values(project);
        let events = encode(events)?;
        let project = project.clone();
        self.write(move |tx| {
            check_project_parent(tx, &project, 1)?;
            let sql = format!("INSERT INTO projects ({PROJECT_COLUMNS}) VALUES ({})", placeholders(8));
            tx.prepare_cached(&sql)
                .and_then(|mut insert| insert.execute(params_from_iter(&values)))
                .map_err(unexpected("cannot insert the project"))?;
            append(tx, &events)
        })
        .await
    }

    async fn get_project(&self, id: ProjectId) -> Result<Option<Project>, StoreError> {
        self.read(move |conn| {
            let sql = format!("SELECT {PROJECT_COLUMNS} FROM projects WHERE uid = ?1");
            let mut select = conn.prepare_cached(&sql).map_err(unexpected("cannot prepare the project lookup"))?;
            let mut rows = select.query([id.to_string()]).map_err(unexpected("cannot look the project up"))?;
            rows.next()
                .and_then(|row| row.map(project_from_row).transpose())
                .map_err(unexpected("cannot read the project"))
        })
        .await
    }

    async fn list_projects(&self, filter: &ProjectFilter, page: PageRequest) -> Result<Page<Project>, StoreError> {
        let mut conditions = Vec::new();
        let mut params = Vec::new();
        if let Some(status) = filter.status {
            params.push(Value::Text(status.as_str().to_owned()));
            conditions.push(format!("status = ?{}", params.len()));
        }
        if let Some(parent) = filter.parent_id {
            params.push(Value::Text(parent.to_string()));
            conditions.push(format!("parent_uid = ?{}", params.len()));
        }
        if let Some(after) = page.after {
            params.push(Value::Integer(after.created_at.as_micros()));
            params.push(Value::Text(after.uid.hyphenated().to_string()));
            conditions.push(format!("(created_at, uid) > (?{}, ?{})", params.len() - 1, params.len()));
        }
        params.push(Value::Integer(i64::from(page.limit()) + 1));
        let filter_sql =
            if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
        let sql = format!(
            "SELECT {PROJECT_COLUMNS} FROM projects {filter_sql} ORDER BY created_at, uid LIMIT ?{}",
            params.len()
        );
        self.read(move |conn| {
            let mut select = conn.prepare_cached(&sql).map_err(unexpected("cannot prepare the project list"))?;
            let rows = select
                .query_map(params_from_iter(params), project_from_row)
                .and_then(Iterator::collect::<rusqlite::Result<Vec<Project>>>)
                .map_err(unexpected("cannot list projects"))?;
            Ok(Page::from_overfetched(rows, page, Project::cursor))
        })
        .await
    }

    async fn update_project(&self, project: &Project, events: &[DomainEvent]) -> Result<(), StoreError> {
        let events = encode(events)?;
        let id = project.uid;
        let expected = project.version.saturating_sub(1);
        let values = project_values(project);
        let project = project.clone();
        self.write(move |tx| {
            check_project_version(tx, id, Some(expected))?;
            if project.parent_id.is_some() {
                check_project_parent(tx, &project, levels(tx, id)?)?;
            }
            let assignments: Vec<String> = PROJECT_COLUMNS
                .split(", ")
                .enumerate()
                .skip(1)
                .map(|(i, column)| format!("{column} = ?{}", i + 1))
                .collect();
            let sql = format!("UPDATE projects SET {} WHERE uid = ?1", assignments.join(", "));
            tx.prepare_cached(&sql)
                .and_then(|mut update| update.execute(params_from_iter(&values)))
                .map_err(unexpected("cannot update the project"))?;
            append(tx, &events)
        })
        .await
    }

    async fn delete_project(
        &self,
        id: ProjectId,
        cascade: bool,
        expected_version: Option<u64>,
        metadata: Option<EventMetadata>,
    ) -> Result<Cascade<TaskId>, StoreError> {
        self.write(move |tx| {
            check_project_version(tx, id, expected_version)?;
            let uid = id.to_string();
            let projects = subtree_children_first(tx, id)?;
            if !cascade {
                let has_tasks = exists(tx, "SELECT 1 FROM tasks WHERE project_id = ?1", &uid)
                    .map_err(unexpected("cannot look for the project's tasks"))?;
                if has_tasks {
                    return Err(StoreError::HasTasks);
                }
                if projects.len() > 1 {
                    return Err(StoreError::HasSubprojects);
                }
            }
            let task_ids = uids(tx, &format!("{SUBTREE} {SUBTREE_TASKS} ORDER BY created_at, uid"), &uid)?;
            let doomed: Vec<TaskId> = task_ids.iter().copied().map(TaskId::from_uuid).collect();
            let survivors = release_survivors(tx, &doomed, Timestamp::now().as_micros())?;
            // Their `task_tags` and `task_blocks` rows go with them (ON DELETE CASCADE).
            tx.prepare_cached(&format!("{SUBTREE} DELETE FROM tasks WHERE uid IN ({SUBTREE_TASKS})"))
                .and_then(|mut delete| delete.execute([&uid]))
                .map_err(unexpected("cannot delete the project's tasks"))?;
            let mut delete = tx
                .prepare_cached("DELETE FROM projects WHERE uid = ?1")
                .map_err(unexpected("cannot prepare the delete"))?;
            for project in &projects {
                delete.execute([project.to_string()]).map_err(unexpected("cannot delete the project"))?;
            }
            let affected = doomed;
            let unblocked = read_survivors(tx, &survivors)?;
            let events = metadata
                .as_ref()
                .map(|metadata| {
                    let projects: Vec<Uuid> = projects.iter().map(|project| *project.as_uuid()).collect();
                    DomainEvent::project_deleted(&projects, &affected, &unblocked, metadata)
                })
                .unwrap_or_default();
            append(tx, &encode(&events)?)?;
            Ok(Cascade { affected, events })
        })
        .await
    }

    async fn count_projects(&self) -> Result<u64, StoreError> {
        super::count_rows(self, "SELECT COUNT(*) FROM projects").await
    }
}
