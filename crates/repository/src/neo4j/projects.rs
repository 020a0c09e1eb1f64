//! [`ProjectRepository`] on Neo4j.

use async_trait::async_trait;
use neo4rs::{BoltType, Txn};
use trm_domain::{DomainEvent, EntityKind, EventMetadata, Page, PageRequest, Project, ProjectId, TaskId, Timestamp};
use uuid::Uuid;

use super::errors::driver_error;
use super::events::append;
use super::queries::{
    CREATE_PROJECT, DELETE_PROJECTS, DELETE_TASKS, LOCK_PROJECT, LOCK_PROJECT_TREE, PROJECT_ANCESTRY, PROJECT_LEVELS,
    PROJECT_SUBTREE, PROJECT_TASKS, PROJECTS_TASKS, SET_PROJECT_PARENT, UPDATE_PROJECT,
};
use super::task_graph::{lock_graph, read_survivors, release_survivors};
use super::transactions::{fetch_all, locked_version, txn_fetch_all};
use super::values::{
    column_integer, column_task_ids, column_uuid, id_param, optional_id_param, project_from_row, project_props,
};
use super::{Neo4jStore, queries};
use crate::error::StoreError;
use crate::ports::{Cascade, ProjectFilter, ProjectRepository};
use crate::rules::{check_parent, check_version};

async fn check_project_version(txn: &mut Txn, id: ProjectId, expected: Option<u64>) -> Result<(), StoreError> {
    check_version(locked_version(txn, LOCK_PROJECT, id.to_string()).await?, expected, EntityKind::Project)
}

/// Takes the project tree's lock for the rest of the transaction (see
/// [`LOCK_PROJECT_TREE`]): before any project's own lock, always in that
/// order, so two writes cannot deadlock on them.
async fn lock_tree(txn: &mut Txn) -> Result<(), StoreError> {
    txn.run(neo4rs::query(LOCK_PROJECT_TREE)).await.map_err(driver_error("cannot lock the project tree"))
}

/// Fails unless `project` may sit under its `parent_id` ([`check_parent`]);
/// `levels` is how deep its own subtree is. Runs under the tree's lock.
async fn check_project_parent(txn: &mut Txn, project: &Project, levels: usize) -> Result<(), StoreError> {
    let Some(parent) = project.parent_id else { return Ok(()) };
    let query = neo4rs::query(PROJECT_ANCESTRY).param("uid", id_param(parent));
    let rows = txn_fetch_all(txn, query, "cannot walk up the project tree").await?;
    let ancestry = rows
        .first()
        .map(|row| column_task_ids(row, "ancestry"))
        .transpose()?
        .map(|ids| ids.into_iter().map(|id| ProjectId::from_uuid(*id.as_uuid())).collect::<Vec<_>>());
    check_parent(project.uid, ancestry.as_deref(), levels)
}

/// How many levels the subtree of project `id` has (1 without
/// sub-projects).
async fn levels(txn: &mut Txn, id: ProjectId) -> Result<usize, StoreError> {
    let query = neo4rs::query(PROJECT_LEVELS).param("uid", id_param(id));
    let rows = txn_fetch_all(txn, query, "cannot walk down the project tree").await?;
    let row = rows.first().ok_or_else(|| StoreError::NotFound(EntityKind::Project))?;
    Ok(usize::try_from(column_integer(row, "levels")?).unwrap_or(1))
}

/// Makes the project's `IS_SUBPROJECT_OF` relationship its `parent_id`.
async fn set_parent(txn: &mut Txn, project: &Project) -> Result<(), StoreError> {
    let query = neo4rs::query(SET_PROJECT_PARENT)
        .param("uid", id_param(project.uid))
        .param("parent_id", optional_id_param(project.parent_id));
    let rows = txn_fetch_all(txn, query, "cannot store the project's parent").await?;
    match rows.first().map(|row| row.get::<bool>("parent_found")) {
        Some(Ok(true)) => Ok(()),
        Some(Ok(false)) => Err(StoreError::MissingReference(EntityKind::Project)),
        _ => Err(StoreError::Unexpected(anyhow::anyhow!("the project vanished while its parent was set"))),
    }
}

/// The body of a create: under a parent, the checks under the tree's lock
/// first.
async fn create(txn: &mut Txn, project: &Project) -> Result<(), StoreError> {
    if project.parent_id.is_some() {
        lock_tree(txn).await?;
        check_project_parent(txn, project, 1).await?;
    }
    let query = neo4rs::query(CREATE_PROJECT).param("props", project_props(project));
    txn.run(query).await.map_err(driver_error("cannot create the project"))?;
    if project.parent_id.is_some() {
        set_parent(txn, project).await?;
    }
    Ok(())
}

/// The body of an update: the tree's lock, the version check under the
/// project's lock, the parent's checks, then the properties and the parent.
async fn update(txn: &mut Txn, project: &Project) -> Result<(), StoreError> {
    lock_tree(txn).await?;
    check_project_version(txn, project.uid, Some(project.version.saturating_sub(1))).await?;
    if project.parent_id.is_some() {
        let levels = levels(txn, project.uid).await?;
        check_project_parent(txn, project, levels).await?;
    }
    let query =
        neo4rs::query(UPDATE_PROJECT).param("uid", id_param(project.uid)).param("props", project_props(project));
    txn.run(query).await.map_err(driver_error("cannot update the project"))?;
    set_parent(txn, project).await
}

/// A list of ids as a parameter.
fn ids_param(ids: &[Uuid]) -> BoltType {
    BoltType::List(ids.iter().map(|&id| id_param(id)).collect::<Vec<_>>().into())
}

/// The `uid` column of every row.
fn uids(rows: &[neo4rs::Row]) -> Result<Vec<Uuid>, StoreError> {
    rows.iter().map(|row| column_uuid(row, "uid")).collect()
}

/// The body of a delete: the tree's lock, the version check under the
/// project's lock, the tasks and sub-projects checks, then the surviving
/// tasks the deleted ones blocked, the tasks, and the projects, children
/// first.
async fn delete(
    txn: &mut Txn,
    id: ProjectId,
    cascade: bool,
    expected_version: Option<u64>,
    metadata: Option<&EventMetadata>,
) -> Result<Cascade<TaskId>, StoreError> {
    if cascade {
        // Before the tree's lock, as every writer that takes both: no new
        // sub-task or blocker edge reaches the doomed tasks meanwhile.
        lock_graph(txn).await?;
    }
    lock_tree(txn).await?;
    check_project_version(txn, id, expected_version).await?;
    let query = neo4rs::query(PROJECT_SUBTREE).param("uid", id_param(id));
    let projects = uids(&txn_fetch_all(txn, query, "cannot walk down the project tree").await?)?;
    if !cascade {
        let query = neo4rs::query(PROJECT_TASKS).param("uid", id_param(id));
        if !txn_fetch_all(txn, query, "cannot list the project's tasks").await?.is_empty() {
            return Err(StoreError::HasTasks);
        }
        if projects.len() > 1 {
            return Err(StoreError::HasSubprojects);
        }
    }
    let query = neo4rs::query(PROJECTS_TASKS).param("projects", ids_param(&projects));
    let tasks = uids(&txn_fetch_all(txn, query, "cannot list the projects' tasks").await?)?;
    let task_ids: Vec<TaskId> = tasks.iter().copied().map(TaskId::from_uuid).collect();
    let survivors = release_survivors(txn, &task_ids, Timestamp::now()).await?;
    let query = neo4rs::query(DELETE_TASKS).param("uids", ids_param(&tasks));
    txn.run(query).await.map_err(driver_error("cannot delete the projects' tasks"))?;
    let query = neo4rs::query(DELETE_PROJECTS).param("projects", ids_param(&projects));
    txn.run(query).await.map_err(driver_error("cannot delete the projects"))?;
    let survivors = read_survivors(txn, survivors).await?;
    let events = metadata
        .map(|metadata| DomainEvent::project_deleted(&projects, &task_ids, &survivors, metadata))
        .unwrap_or_default();
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
