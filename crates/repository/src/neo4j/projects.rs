//! [`ProjectRepository`] on Neo4j.

use async_trait::async_trait;
use neo4rs::Txn;
use trm_domain::{DomainEvent, EntityKind, EventMetadata, Page, PageRequest, Project, ProjectId, TaskId};

use super::errors::driver_error;
use super::events::append;
use super::queries::{
    CREATE_PROJECT, DELETE_PROJECT, DELETE_PROJECT_TASKS, LOCK_PROJECT, PROJECT_TASKS, UPDATE_PROJECT,
};
use super::transactions::{fetch_all, locked_version, txn_fetch_all};
use super::values::{column_integer, column_uuid, id_param, project_from_row, project_props};
use super::{Neo4jStore, queries};
use crate::error::StoreError;
use crate::ports::{Cascade, ProjectFilter, ProjectRepository};
use crate::rules::check_version;

async fn check_project_version(txn: &mut Txn, id: ProjectId, expected: Option<u64>) -> Result<(), StoreError> {
    check_version(locked_version(txn, LOCK_PROJECT, id.to_string()).await?, expected, EntityKind::Project)
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
    metadata: Option<&EventMetadata>,
) -> Result<Cascade<TaskId>, StoreError> {
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
    let events =
        metadata.map(|metadata| DomainEvent::project_deleted(*id.as_uuid(), &task_ids, metadata)).unwrap_or_default();
    append(txn, &events).await?;
    Ok(Cascade { affected: task_ids, events })
}

#[async_trait]
impl ProjectRepository for Neo4jStore {
    async fn create_project(&self, project: &Project, events: &[DomainEvent]) -> Result<(), StoreError> {
        let project = project.clone();
        let events = events.to_vec();
        self.write("create a project", move |txn| {
            let (project, events) = (project.clone(), events.clone());
            Box::pin(async move {
                create(txn, &project).await?;
                append(txn, &events).await
            })
        })
        .await
    }

    async fn get_project(&self, id: ProjectId) -> Result<Option<Project>, StoreError> {
        let graph = self.graph();
        self.read("read a project", async move {
            let query = queries::get_project(id);
            let rows = fetch_all(graph, query, "cannot look the project up").await?;
            rows.first().map(project_from_row).transpose()
        })
        .await
    }

    async fn list_projects(&self, filter: &ProjectFilter, page: PageRequest) -> Result<Page<Project>, StoreError> {
        let graph = self.graph();
        let query = queries::list_projects(filter, page);
        self.read("list projects", async move {
            let rows = fetch_all(graph, query, "cannot list projects").await?;
            let projects = rows.iter().map(project_from_row).collect::<Result<Vec<_>, _>>()?;
            Ok(Page::from_overfetched(projects, page, Project::cursor))
        })
        .await
    }

    async fn update_project(&self, project: &Project, events: &[DomainEvent]) -> Result<(), StoreError> {
        let project = project.clone();
        let events = events.to_vec();
        self.write("update a project", move |txn| {
            let (project, events) = (project.clone(), events.clone());
            Box::pin(async move {
                update(txn, &project).await?;
                append(txn, &events).await
            })
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
        self.write("delete a project", move |txn| {
            let metadata = metadata.clone();
            Box::pin(async move { delete(txn, id, cascade, expected_version, metadata.as_ref()).await })
        })
        .await
    }

    async fn count_projects(&self) -> Result<u64, StoreError> {
        let graph = self.graph();
        self.read("count projects", async move {
            let rows = fetch_all(graph, neo4rs::query(queries::COUNT_PROJECTS), "cannot count projects").await?;
            let row = rows.first().ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("count returned no row")))?;
            Ok(u64::try_from(column_integer(row, "n")?).unwrap_or_default())
        })
        .await
    }
}
