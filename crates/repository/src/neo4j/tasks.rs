//! [`TaskRepository`] on Neo4j.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use neo4rs::{Row, Txn};
use trm_domain::{
    Direction, DomainEvent, EntityKind, EventMetadata, Page, PageRequest, Task, TaskId, TaskStatus, Timestamp,
    WalkDepth,
};

use super::coalesce::Coalescer;
use super::errors::{driver_error, driver_error_or_concurrent_delete, unavailable_after};
use super::events::append;
use super::queries::AnchoredListPlan;
use super::queries::{LINK_TASK, LOCK_TASK, UPDATE_TASK};
use super::search_walk::walk_search;
use super::subtasks::{delete_all, delete_leaf, set_parent, subtree};
use super::task_creates::{PendingCreate, Words, create};
use super::task_graph::{check_blockers, lock_graph, read_survivors, release_survivors, set_blockers, walk};
use super::transactions::{fetch_all, locked_version, txn_fetch_all_with};
use super::values::{column_bool, column_integer, column_uuid, id_param, optional_id_param, task_from_row, task_props};
use super::{Connections, Neo4jStore, queries};
use crate::consistency;
use crate::error::StoreError;
use crate::ports::{Cascade, TaskFilter, TaskRepository};
use crate::rules::{check_version, status_count};

/// Fails with `NotFound` or `VersionConflict` unless the task exists (with
/// the expected version, when one is given); holds its lock afterwards.
async fn check_task_version(txn: &mut Txn, id: TaskId, expected: Option<u64>) -> Result<(), StoreError> {
    check_version(locked_version(txn, LOCK_TASK, id.to_string()).await?, expected, EntityKind::Task)
}

/// Brings the task's relationships in line with its fields, failing with
/// `MissingReference` when its project or assignee does not exist.
async fn link(txn: &mut Txn, task: &Task) -> Result<(), StoreError> {
    let query = neo4rs::query(LINK_TASK)
        .param("uid", id_param(task.uid))
        .param("project_id", optional_id_param(task.project_id))
        .param("assignee_id", optional_id_param(task.assignee_id))
        .param("parent_id", optional_id_param(task.parent_id));
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

/// The body of an update: with blockers or a parent, the task graph's lock
/// first (see `super::task_graph`); version check under the task's lock;
/// the blockers checked (they exist, close no cycle); properties,
/// relationships, the parent (checked as it is set), then its events.
async fn update(txn: &mut Txn, task: &Task, events: &[DomainEvent]) -> Result<(), StoreError> {
    if !task.blocked_by.is_empty() || task.parent_id.is_some() {
        lock_graph(txn).await?;
    }
    check_task_version(txn, task.uid, Some(task.version.saturating_sub(1))).await?;
    let query = neo4rs::query(UPDATE_TASK).param("uid", id_param(task.uid)).param("props", task_props(task));
    txn.run(query).await.map_err(driver_error("cannot update the task"))?;
    link(txn, task).await?;
    check_blockers(txn, task).await?;
    set_parent(txn, task).await?;
    set_blockers(txn, task).await?;
    append(txn, events).await
}

/// The body of a delete: for a cascade, the task graph's lock (so no
/// sub-task joins the subtree meanwhile) and the subtree; version check
/// under the task's lock; the tasks they blocked bumped; the nodes with
/// their relationships (a task with sub-tasks only in a cascade); then the
/// events.
async fn delete(
    txn: &mut Txn,
    id: TaskId,
    expected_version: Option<u64>,
    cascade: bool,
    now: Timestamp,
    metadata: Option<&EventMetadata>,
) -> Result<Cascade<Task>, StoreError> {
    if cascade {
        lock_graph(txn).await?;
    }
    check_task_version(txn, id, expected_version).await?;
    let doomed = if cascade { subtree(txn, id).await? } else { vec![id] };
    let survivors = release_survivors(txn, &doomed, now).await?;
    if cascade {
        delete_all(txn, &doomed).await?;
    } else {
        delete_leaf(txn, id).await?;
    }
    let affected = read_survivors(txn, survivors).await?;
    let deleted: Vec<uuid::Uuid> = doomed.iter().map(|id| *id.as_uuid()).collect();
    let events = metadata.map(|metadata| DomainEvent::tasks_deleted(&deleted, &affected, metadata)).unwrap_or_default();
    append(txn, &events).await?;
    Ok(Cascade { affected, events })
}

/// The coalescer of the store's task lookups: up to `max_in_flight`
/// queries of up to `max_batch` ids each (see `super::coalesce`).
///
/// Its values are the raw rows, each read into a task by the caller that
/// asked for it: a row that does not read as a task fails that lookup
/// alone, not the batch it came in.
pub(super) fn lookups(
    graph: &Connections,
    timeout: Duration,
    max_in_flight: usize,
    max_batch: usize,
) -> Coalescer<TaskId, Arc<Row>> {
    let graph = graph.clone();
    Coalescer::new(
        max_in_flight,
        max_batch,
        Arc::new(move |ids| {
            let graph = graph.clone();
            Box::pin(async move {
                tokio::time::timeout(timeout, look_up(&graph, ids))
                    .await
                    .unwrap_or_else(|_elapsed| Err(unavailable_after("look tasks up", timeout)))
            })
        }),
    )
}

/// One query for the tasks of `ids`, each row under the id it answers.
async fn look_up(graph: &Connections, ids: Vec<TaskId>) -> Result<HashMap<TaskId, Arc<Row>>, StoreError> {
    let rows = fetch_all(graph, queries::get_tasks(&ids), "cannot look the tasks up").await?;
    rows.into_iter().map(|row| Ok((TaskId::from_uuid(column_uuid(&row, "key")?), Arc::new(row)))).collect()
}

#[async_trait]
impl TaskRepository for Neo4jStore {
    async fn create_task(&self, task: &Task, events: &[DomainEvent]) -> Result<(), StoreError> {
        let Some(creates) = self.inner.task_creates.as_ref() else {
            return self.create_alone(task, events).await;
        };
        let pending = PendingCreate(Arc::new((task.clone(), events.to_vec())));
        match self.bounded("create a task", creates.get(pending)).await? {
            Some(created) => created.into_result().inspect(|()| self.words_pending()),
            None => Err(StoreError::Unexpected(anyhow::anyhow!("a batched create was not answered"))),
        }
    }

    async fn create_tasks(&self, tasks: &[Task], events: &[DomainEvent]) -> Result<(), StoreError> {
        let tasks = Arc::new(tasks.to_vec());
        let events = Arc::new(events.to_vec());
        self.write("create tasks", move |txn| {
            let (tasks, events) = (Arc::clone(&tasks), Arc::clone(&events));
            Box::pin(async move {
                let outcomes = create(txn, &tasks, Words::Indexed).await?;
                let missing: Vec<(usize, EntityKind)> = tasks
                    .iter()
                    .enumerate()
                    .flat_map(|(index, task)| {
                        outcomes.get(&task.uid).into_iter().flat_map(|m| &m.kinds).map(move |&kind| (index, kind))
                    })
                    .collect();
                // An error rolls the whole transaction back: all or none.
                if !missing.is_empty() {
                    return Err(StoreError::MissingReferences(missing));
                }
                let blockers: Vec<(usize, TaskId)> = tasks
                    .iter()
                    .enumerate()
                    .flat_map(|(index, task)| {
                        outcomes.get(&task.uid).into_iter().flat_map(|m| &m.blockers).map(move |&id| (index, id))
                    })
                    .collect();
                if !blockers.is_empty() {
                    return Err(StoreError::MissingBlockers(blockers));
                }
                let too_deep: Vec<usize> = tasks
                    .iter()
                    .enumerate()
                    .filter(|(_, task)| outcomes.get(&task.uid).is_some_and(|m| m.too_deep))
                    .map(|(index, _)| index)
                    .collect();
                if !too_deep.is_empty() {
                    return Err(StoreError::NestingTooDeep(too_deep));
                }
                append(txn, &events).await
            })
        })
        .await
    }

    async fn get_task(&self, id: TaskId) -> Result<Option<Task>, StoreError> {
        let graph = self.graph();
        // A batch runs on a task of its own, which cannot see the request's
        // bookmark: a read that must wait for one goes alone.
        let waits = graph.route.reads_may_lag() && !consistency::wait_for().is_empty();
        let lookups = self.inner.task_lookups.as_ref().filter(|_| !waits);
        self.read("read a task", async move {
            match lookups {
                Some(lookups) => lookups.get(id).await?.as_deref().map(task_from_row).transpose(),
                None => {
                    let rows = fetch_all(graph, queries::get_task(id), "cannot look the task up").await?;
                    rows.first().map(task_from_row).transpose()
                }
            }
        })
        .await
    }

    async fn list_tasks(&self, filter: &TaskFilter, page: PageRequest) -> Result<Page<Task>, StoreError> {
        let graph = self.graph();
        let plan = self.inner.list_plan;
        let query = queries::list_tasks_planned(filter, page, plan);
        let filter_sort = filter.sort;
        self.read("list tasks", async move {
            if let Some(tasks) = Box::pin(walk_search(graph, filter, page, plan)).await? {
                return Ok(Page::from_overfetched(tasks, page, |task| filter_sort.cursor_of(task)));
            }
            let mut rows = fetch_all(graph, query, "cannot list tasks").await?;
            if queries::may_stop_at_walk_budget(filter, page, plan, rows.len())
                && !rows.first().map(|row| column_bool(row, "by_relationships")).transpose()?.unwrap_or(false)
            {
                // The index walk spent its budget before the page filled,
                // or the list ended: the node's relationships tell which.
                let query = queries::list_tasks_planned(filter, page, AnchoredListPlan::RelationshipWalk);
                rows = fetch_all(graph, query, "cannot list tasks").await?;
            }
            let tasks = rows.iter().map(task_from_row).collect::<Result<Vec<_>, _>>()?;
            Ok(Page::from_overfetched(tasks, page, |task| filter_sort.cursor_of(task)))
        })
        .await
    }

    async fn update_task(&self, task: &Task, events: &[DomainEvent]) -> Result<(), StoreError> {
        let task = task.clone();
        let events = events.to_vec();
        self.write("update a task", move |txn| {
            let (task, events) = (task.clone(), events.clone());
            Box::pin(async move { update(txn, &task, &events).await })
        })
        .await
        .inspect(|()| self.words_pending())
    }

    async fn delete_task(
        &self,
        id: TaskId,
        expected_version: Option<u64>,
        cascade: bool,
        now: Timestamp,
        metadata: Option<EventMetadata>,
    ) -> Result<Cascade<Task>, StoreError> {
        self.write("delete a task", move |txn| {
            let metadata = metadata.clone();
            Box::pin(async move { delete(txn, id, expected_version, cascade, now, metadata.as_ref()).await })
        })
        .await
    }

    async fn walk_tasks(
        &self,
        id: TaskId,
        direction: Direction,
        depth: WalkDepth,
    ) -> Result<Vec<(u8, Task)>, StoreError> {
        let graph = self.graph();
        let cache = self.inner.walk_cache.as_ref();
        self.read("walk the task graph", async move { walk(graph, cache, id, direction, depth).await }).await
    }

    async fn count_tasks_by_status(&self) -> Result<Vec<(TaskStatus, u64)>, StoreError> {
        let graph = self.graph();
        self.read("count tasks by status", async move {
            let query = queries::count_tasks_by_status();
            let rows = fetch_all(graph, query, "cannot count tasks by status").await?;
            rows.iter()
                .map(|row| {
                    let status: String = row
                        .get("status")
                        .map_err(|error| StoreError::Unexpected(anyhow::anyhow!("corrupt task status: {error}")))?;
                    status_count(&status, column_integer(row, "n")?)
                })
                .collect()
        })
        .await
    }

    async fn recent_tasks(&self, limit: u32) -> Result<Vec<Task>, StoreError> {
        let graph = self.graph();
        self.read("read the recent tasks", async move {
            let query = queries::recent_tasks(limit);
            let rows = fetch_all(graph, query, "cannot read the recent tasks").await?;
            rows.iter().map(task_from_row).collect()
        })
        .await
    }
}
