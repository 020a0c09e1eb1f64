//! [`TaskRepository`] on Neo4j.

use async_trait::async_trait;
use neo4rs::{BoltType, Query, Txn};
use trm_domain::{EntityKind, EnumAdapter as _, Page, PageRequest, Task, TaskId, TaskStatus};

use super::values::{
    RETURN_TASK, column_bool, column_integer, datetime_param, id_param, optional_id_param, task_from_row, task_props,
    version_value,
};
use super::{
    Neo4jStore, driver_error, driver_error_or_concurrent_delete, fetch_all, locked_version, txn_fetch_all_with,
};
use crate::error::StoreError;
use crate::ports::{TaskFilter, TaskRepository};

/// Takes the task's write lock, then reads its version (see [`super`] for
/// why in this order). The bump is overwritten by the write that follows, or
/// rolled back with the transaction.
const LOCK_TASK: &str = "MATCH (t:Task {uid: $uid}) SET t.version = t.version + 1 RETURN t.version - 1 AS version";

/// Stores a new task node; its relationships follow with [`LINK_TASK`].
const CREATE_TASK: &str = "CREATE (t:Task) SET t += $props";

/// Overwrites a task's properties; `null`s in `$props` remove properties.
const UPDATE_TASK: &str = "MATCH (t:Task {uid: $uid}) SET t += $props";

/// Makes the task's relationships match `$project_id` and `$assignee_id`:
/// drops the ones to other nodes (or all, for `null`), creates the missing
/// ones, and reports whether the named project and user exist. The caller
/// rolls back when a named one does not.
const LINK_TASK: &str = "MATCH (t:Task {uid: $uid}) \
     OPTIONAL MATCH (t)-[stale:IS_PART_OF_PROJECT|ASSIGNED_TO]->(other) \
     WHERE (type(stale) = 'IS_PART_OF_PROJECT' AND ($project_id IS NULL OR other.uid <> $project_id)) \
        OR (type(stale) = 'ASSIGNED_TO' AND ($assignee_id IS NULL OR other.uid <> $assignee_id)) \
     DELETE stale \
     WITH DISTINCT t \
     OPTIONAL MATCH (p:Project {uid: $project_id}) \
     OPTIONAL MATCH (u:User {uid: $assignee_id}) \
     FOREACH (project IN CASE WHEN p IS NULL THEN [] ELSE [p] END | MERGE (t)-[:IS_PART_OF_PROJECT]->(project)) \
     FOREACH (user IN CASE WHEN u IS NULL THEN [] ELSE [u] END | MERGE (t)-[:ASSIGNED_TO]->(user)) \
     RETURN p IS NOT NULL AS project_found, u IS NOT NULL AS assignee_found";

/// Deletes a task and, with it, its relationships.
const DELETE_TASK: &str = "MATCH (t:Task {uid: $uid}) DETACH DELETE t";

/// Fails with `NotFound` or `VersionConflict` unless the task exists (with
/// the expected version, when one is given); holds its lock afterwards.
async fn check_task_version(txn: &mut Txn, id: TaskId, expected: Option<u64>) -> Result<(), StoreError> {
    match (locked_version(txn, LOCK_TASK, id.to_string()).await?, expected) {
        (None, _) => Err(StoreError::NotFound(EntityKind::Task)),
        (Some(stored), Some(expected)) if stored != version_value(expected) => Err(StoreError::VersionConflict),
        _ => Ok(()),
    }
}

/// Brings the task's relationships in line with its fields, failing with
/// `MissingReference` when its project or assignee does not exist.
async fn link(txn: &mut Txn, task: &Task) -> Result<(), StoreError> {
    let query = neo4rs::query(LINK_TASK)
        .param("uid", id_param(task.uid))
        .param("project_id", optional_id_param(task.project_id))
        .param("assignee_id", optional_id_param(task.assignee_id));
    // A project or user deleted between this statement's match and its
    // write fails it with EntityNotFound: retried, the write then finds
    // the reference missing.
    let translate =
        |error| driver_error_or_concurrent_delete("cannot link the task to its project and assignee")(error);
    let rows = txn_fetch_all_with(txn, query, translate).await?;
    let row =
        rows.first().ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("the task vanished while being linked")))?;
    if task.project_id.is_some() && !column_bool(row, "project_found")? {
        return Err(StoreError::MissingReference(EntityKind::Project));
    }
    if task.assignee_id.is_some() && !column_bool(row, "assignee_found")? {
        return Err(StoreError::MissingReference(EntityKind::User));
    }
    Ok(())
}

/// The body of a create: the node, then its relationships.
async fn create(txn: &mut Txn, task: &Task) -> Result<(), StoreError> {
    let query = neo4rs::query(CREATE_TASK).param("props", task_props(task));
    txn.run(query).await.map_err(driver_error("cannot create the task"))?;
    link(txn, task).await
}

/// The body of an update: version check under lock, properties, then
/// relationships.
async fn update(txn: &mut Txn, task: &Task) -> Result<(), StoreError> {
    check_task_version(txn, task.uid, Some(task.version.saturating_sub(1))).await?;
    let query = neo4rs::query(UPDATE_TASK).param("uid", id_param(task.uid)).param("props", task_props(task));
    txn.run(query).await.map_err(driver_error("cannot update the task"))?;
    link(txn, task).await
}

/// The body of a delete: version check under lock, then the node with its
/// relationships.
async fn delete(txn: &mut Txn, id: TaskId, expected_version: Option<u64>) -> Result<(), StoreError> {
    check_task_version(txn, id, expected_version).await?;
    let query = neo4rs::query(DELETE_TASK).param("uid", id_param(id));
    txn.run(query).await.map_err(driver_error("cannot delete the task"))
}

#[async_trait]
impl TaskRepository for Neo4jStore {
    async fn create_task(&self, task: &Task) -> Result<(), StoreError> {
        let task = task.clone();
        self.write("create a task", move |txn| {
            let task = task.clone();
            Box::pin(async move { create(txn, &task).await })
        })
        .await
    }

    async fn get_task(&self, id: TaskId) -> Result<Option<Task>, StoreError> {
        let graph = self.graph();
        self.read("read a task", async move {
            let query =
                neo4rs::query(&format!("MATCH (t:Task {{uid: $uid}}) {RETURN_TASK}")).param("uid", id_param(id));
            let rows = fetch_all(graph, query, "cannot look the task up").await?;
            rows.first().map(task_from_row).transpose()
        })
        .await
    }

    async fn list_tasks(&self, filter: &TaskFilter, page: PageRequest) -> Result<Page<Task>, StoreError> {
        let graph = self.graph();
        let query = list_query(filter, page);
        self.read("list tasks", async move {
            let rows = fetch_all(graph, query, "cannot list tasks").await?;
            let tasks = rows.iter().map(task_from_row).collect::<Result<Vec<_>, _>>()?;
            Ok(Page::from_overfetched(tasks, page, Task::cursor))
        })
        .await
    }

    async fn update_task(&self, task: &Task) -> Result<(), StoreError> {
        let task = task.clone();
        self.write("update a task", move |txn| {
            let task = task.clone();
            Box::pin(async move { update(txn, &task).await })
        })
        .await
    }

    async fn delete_task(&self, id: TaskId, expected_version: Option<u64>) -> Result<(), StoreError> {
        self.write("delete a task", move |txn| Box::pin(delete(txn, id, expected_version))).await
    }

    async fn count_tasks_by_status(&self) -> Result<Vec<(TaskStatus, u64)>, StoreError> {
        let graph = self.graph();
        self.read("count tasks by status", async move {
            let query = neo4rs::query("MATCH (t:Task) RETURN t.status AS status, count(*) AS n");
            let rows = fetch_all(graph, query, "cannot count tasks by status").await?;
            rows.iter()
                .map(|row| {
                    let status: String = row
                        .get("status")
                        .map_err(|error| StoreError::Unexpected(anyhow::anyhow!("corrupt task status: {error}")))?;
                    let status = TaskStatus::normalize(&status)
                        .map_err(|_| StoreError::Unexpected(anyhow::anyhow!("corrupt stored status {status:?}")))?;
                    Ok((status, u64::try_from(column_integer(row, "n")?).unwrap_or_default()))
                })
                .collect()
        })
        .await
    }

    async fn recent_tasks(&self, limit: u32) -> Result<Vec<Task>, StoreError> {
        let graph = self.graph();
        self.read("read the recent tasks", async move {
            // Read backwards along the created_at index, so the newest come
            // first without sorting every task.
            let text = format!(
                "MATCH (t:Task) USING INDEX t:Task(created_at) WHERE t.created_at IS NOT NULL \
                 WITH t ORDER BY t.created_at DESC, t.uid DESC LIMIT $limit {RETURN_TASK}"
            );
            let query = neo4rs::query(&text).param("limit", i64::from(limit));
            let rows = fetch_all(graph, query, "cannot read the recent tasks").await?;
            rows.iter().map(task_from_row).collect()
        })
        .await
    }
}

/// The keyset condition "strictly after the cursor", written so that its
/// first half is a range seek on the `created_at` index and the second a
/// filter on the few rows sharing the cursor's timestamp.
const AFTER_CURSOR: &str = "t.created_at >= $after_at AND (t.created_at > $after_at OR t.uid > $after_uid)";

/// The Cypher and parameters of one page of a filtered task list.
///
/// Only fixed fragments are concatenated; every value is a parameter.
///
/// The plan depends on the filter: by project or assignee, the walk starts
/// at that node and follows its relationships (a project's tasks, not all
/// tasks); otherwise it reads `Task` nodes along the `created_at` index in
/// list order, so with `LIMIT` it stops after a page of matches instead of
/// sorting every task. The index hint makes that choice explicit, because
/// a status filter could tempt the planner into the status index and a sort.
pub(super) fn list_query(filter: &TaskFilter, page: PageRequest) -> Query {
    let mut text = String::new();
    let mut conditions: Vec<&str> = Vec::new();
    let mut params: Vec<(&str, BoltType)> = Vec::new();
    match (filter.project_id, filter.assignee_id) {
        (Some(project), assignee) => {
            text.push_str("MATCH (:Project {uid: $project_id})<-[:IS_PART_OF_PROJECT]-(t:Task) ");
            params.push(("project_id", id_param(project)));
            if let Some(assignee) = assignee {
                conditions.push("EXISTS { (t)-[:ASSIGNED_TO]->(:User {uid: $assignee_id}) }");
                params.push(("assignee_id", id_param(assignee)));
            }
        }
        (None, Some(assignee)) => {
            text.push_str("MATCH (:User {uid: $assignee_id})<-[:ASSIGNED_TO]-(t:Task) ");
            params.push(("assignee_id", id_param(assignee)));
        }
        (None, None) => {
            text.push_str("MATCH (t:Task) USING INDEX t:Task(created_at) ");
            if page.after.is_none() {
                // Lets the hinted index be scanned from its start.
                conditions.push("t.created_at IS NOT NULL");
            }
        }
    }
    if let Some(after) = page.after {
        conditions.push(AFTER_CURSOR);
        params.push(("after_at", datetime_param(after.created_at)));
        params.push(("after_uid", id_param(after.uid.hyphenated())));
    }
    if !filter.statuses.is_empty() {
        conditions.push("t.status IN $statuses");
        let statuses: Vec<BoltType> = filter.statuses.iter().map(|s| BoltType::from(s.as_str())).collect();
        params.push(("statuses", BoltType::List(statuses.into())));
    }
    if let Some(task_type) = filter.task_type {
        conditions.push("t.task_type = $task_type");
        params.push(("task_type", BoltType::from(task_type.as_str())));
    }
    if let Some(tag) = &filter.tag {
        conditions.push("$tag IN t.tags");
        params.push(("tag", BoltType::from(tag.as_str())));
    }
    if !conditions.is_empty() {
        text.push_str("WHERE ");
        text.push_str(&conditions.join(" AND "));
        text.push(' ');
    }
    text.push_str("WITH t ORDER BY t.created_at, t.uid LIMIT $limit ");
    text.push_str(RETURN_TASK);
    text.push_str(" ORDER BY t.created_at, t.uid");
    params.push(("limit", BoltType::from(i64::from(page.limit()) + 1)));
    params.into_iter().fold(neo4rs::query(&text), |query, (key, value)| query.param(key, value))
}

#[cfg(test)]
mod tests {
    use trm_domain::{Cursor, ProjectId, Tag, TaskStatus, Timestamp};
    use uuid::Uuid;

    use super::*;

    #[test]
    fn filter_values_travel_as_parameters_never_as_query_text() {
        let sneaky = "x' OR 1=1 //";
        let filter = TaskFilter {
            project_id: Some(ProjectId::new()),
            statuses: vec![TaskStatus::Todo, TaskStatus::Blocked],
            tag: Tag::parse(sneaky).ok(),
            ..TaskFilter::default()
        };
        let after = Cursor { created_at: Timestamp::now(), uid: Uuid::new_v4() };
        let page = PageRequest::new(3, Some(after)).unwrap_or_default();
        let query = list_query(&filter, page);
        assert!(!query.query().contains(sneaky));
        assert!(!query.query().contains("todo"));
        for key in ["project_id", "statuses", "tag", "after_at", "after_uid", "limit"] {
            assert!(query.has_param_key(key), "missing ${key}");
        }
    }

    #[test]
    fn an_unfiltered_list_reads_along_the_created_at_index() {
        let query = list_query(&TaskFilter::default(), PageRequest::first());
        assert!(query.query().contains("USING INDEX t:Task(created_at)"), "{}", query.query());
    }
}
