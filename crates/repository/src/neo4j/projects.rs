//! [`ProjectRepository`] on Neo4j.

use async_trait::async_trait;
use neo4rs::{BoltType, Query, Txn};
use trm_domain::{EntityKind, EnumAdapter as _, Page, PageRequest, Project, ProjectId, TaskId};

use super::Neo4jStore;
use super::errors::driver_error;
use super::transactions::{fetch_all, locked_version, txn_fetch_all};
use super::values::{
    RETURN_PROJECT, column_integer, column_uuid, datetime_param, id_param, project_from_row, project_props,
    version_value,
};
use crate::error::StoreError;
use crate::ports::{ProjectFilter, ProjectRepository};

/// Takes the project's write lock, then reads its version (see [`super::transactions`]).
/// Holding the lock also keeps tasks from joining the project until the
/// transaction ends. The bump is overwritten by the write that follows, or
/// rolled back with the transaction.
const LOCK_PROJECT: &str =
    "MATCH (p:Project {uid: $uid}) SET p.version = p.version + 1 RETURN p.version - 1 AS version";

/// Stores a new project node.
const CREATE_PROJECT: &str = "CREATE (p:Project) SET p += $props";

/// Overwrites a project's properties; `null`s remove properties.
const UPDATE_PROJECT: &str = "MATCH (p:Project {uid: $uid}) SET p += $props";

/// The project's tasks, oldest first.
const PROJECT_TASKS: &str = "MATCH (:Project {uid: $uid})<-[:IS_PART_OF_PROJECT]-(t:Task) \
     RETURN t.uid AS uid ORDER BY t.created_at, t.uid";

/// Deletes the project's tasks with their relationships.
const DELETE_PROJECT_TASKS: &str = "MATCH (:Project {uid: $uid})<-[:IS_PART_OF_PROJECT]-(t:Task) DETACH DELETE t";

/// Deletes the project with its relationships.
const DELETE_PROJECT: &str = "MATCH (p:Project {uid: $uid}) DETACH DELETE p";

async fn check_project_version(txn: &mut Txn, id: ProjectId, expected: Option<u64>) -> Result<(), StoreError> {
    match (locked_version(txn, LOCK_PROJECT, id.to_string()).await?, expected) {
        (None, _) => Err(StoreError::NotFound(EntityKind::Project)),
        (Some(stored), Some(expected)) if stored != version_value(expected) => Err(StoreError::VersionConflict),
        _ => Ok(()),
    }
}

/// The body of a create.
async fn create(txn: &mut Txn, project: &Project) -> Result<(), StoreError> {
    let query = neo4rs::query(CREATE_PROJECT).param("props", project_props(project));
    txn.run(query).await.map_err(driver_error("cannot create the project"))
}

/// The body of an update: version check under lock, then the properties.
async fn update(txn: &mut Txn, project: &Project) -> Result<(), StoreError> {
    check_project_version(txn, project.uid, Some(project.version.saturating_sub(1))).await?;
    let query =
        neo4rs::query(UPDATE_PROJECT).param("uid", id_param(project.uid)).param("props", project_props(project));
    txn.run(query).await.map_err(driver_error("cannot update the project"))
}

/// The body of a delete: version check under the project's lock (which also
/// keeps new tasks out), the tasks check, then tasks and project.
async fn delete(
    txn: &mut Txn,
    id: ProjectId,
    cascade: bool,
    expected_version: Option<u64>,
) -> Result<Vec<TaskId>, StoreError> {
    check_project_version(txn, id, expected_version).await?;
    let query = neo4rs::query(PROJECT_TASKS).param("uid", id_param(id));
    let rows = txn_fetch_all(txn, query, "cannot list the project's tasks").await?;
    let task_ids =
        rows.iter().map(|row| column_uuid(row, "uid").map(TaskId::from_uuid)).collect::<Result<Vec<_>, _>>()?;
    if !task_ids.is_empty() && !cascade {
        return Err(StoreError::HasTasks);
    }
    let query = neo4rs::query(DELETE_PROJECT_TASKS).param("uid", id_param(id));
    txn.run(query).await.map_err(driver_error("cannot delete the project's tasks"))?;
    let query = neo4rs::query(DELETE_PROJECT).param("uid", id_param(id));
    txn.run(query).await.map_err(driver_error("cannot delete the project"))?;
    Ok(task_ids)
}

#[async_trait]
impl ProjectRepository for Neo4jStore {
    async fn create_project(&self, project: &Project) -> Result<(), StoreError> {
        let project = project.clone();
        self.write("create a project", move |txn| {
            let project = project.clone();
            Box::pin(async move { create(txn, &project).await })
        })
        .await
    }

    async fn get_project(&self, id: ProjectId) -> Result<Option<Project>, StoreError> {
        let graph = self.graph();
        self.read("read a project", async move {
            let query =
                neo4rs::query(&format!("MATCH (p:Project {{uid: $uid}}) {RETURN_PROJECT}")).param("uid", id_param(id));
            let rows = fetch_all(graph, query, "cannot look the project up").await?;
            rows.first().map(project_from_row).transpose()
        })
        .await
    }

    async fn list_projects(&self, filter: &ProjectFilter, page: PageRequest) -> Result<Page<Project>, StoreError> {
        let graph = self.graph();
        let query = list_query(filter, page);
        self.read("list projects", async move {
            let rows = fetch_all(graph, query, "cannot list projects").await?;
            let projects = rows.iter().map(project_from_row).collect::<Result<Vec<_>, _>>()?;
            Ok(Page::from_overfetched(projects, page, Project::cursor))
        })
        .await
    }

    async fn update_project(&self, project: &Project) -> Result<(), StoreError> {
        let project = project.clone();
        self.write("update a project", move |txn| {
            let project = project.clone();
            Box::pin(async move { update(txn, &project).await })
        })
        .await
    }

    async fn delete_project(
        &self,
        id: ProjectId,
        cascade: bool,
        expected_version: Option<u64>,
    ) -> Result<Vec<TaskId>, StoreError> {
        self.write("delete a project", move |txn| Box::pin(delete(txn, id, cascade, expected_version))).await
    }

    async fn count_projects(&self) -> Result<u64, StoreError> {
        let graph = self.graph();
        self.read("count projects", async move {
            let rows =
                fetch_all(graph, neo4rs::query("MATCH (p:Project) RETURN count(p) AS n"), "cannot count projects")
                    .await?;
            let row = rows.first().ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("count returned no row")))?;
            Ok(u64::try_from(column_integer(row, "n")?).unwrap_or_default())
        })
        .await
    }
}

/// One page of projects, read along the `created_at` index in list order
/// (see the task list for why the hint); values are parameters only.
fn list_query(filter: &ProjectFilter, page: PageRequest) -> Query {
    let mut conditions: Vec<&str> = Vec::new();
    let mut params: Vec<(&str, BoltType)> = Vec::new();
    if let Some(after) = page.after {
        conditions.push("p.created_at >= $after_at AND (p.created_at > $after_at OR p.uid > $after_uid)");
        params.push(("after_at", datetime_param(after.created_at)));
        params.push(("after_uid", id_param(after.uid.hyphenated())));
    } else {
        conditions.push("p.created_at IS NOT NULL");
    }
    if let Some(status) = filter.status {
        conditions.push("p.status = $status");
        params.push(("status", BoltType::from(status.as_str())));
    }
    params.push(("limit", BoltType::from(i64::from(page.limit()) + 1)));
    let text = format!(
        "MATCH (p:Project) USING INDEX p:Project(created_at) WHERE {} \
         WITH p ORDER BY p.created_at, p.uid LIMIT $limit {RETURN_PROJECT} ORDER BY p.created_at, p.uid",
        conditions.join(" AND ")
    );
    params.into_iter().fold(neo4rs::query(&text), |query, (key, value)| query.param(key, value))
}
