//! Sub-tasks on Neo4j: `(:Task)-[:IS_SUBTASK_OF]->(:Task)` edges, the
//! checks a new parent must pass, and the subtree a cascading delete takes.
//!
//! A new parent is checked — it exists, it is not the task or below it, the
//! task's subtree under it stays within [`trm_domain::MAX_SUBTASK_LEVELS`]
//! — in the statement that sets it, under the task graph's lock (see
//! `super::task_graph`): every write that gives a task a parent takes that
//! lock first (updates, and creates naming a parent), so no other one moves
//! a task of either ancestry between the check and the write, and two
//! concurrent re-parentings can never close a loop between them.

use neo4rs::{BoltType, Txn};
use trm_domain::{EntityKind, MAX_SUBTASK_LEVELS, Task, TaskId};

use super::errors::driver_error;
use super::queries;
use super::transactions::txn_fetch_all;
use super::values::{column_bool, column_integer, column_task_ids, column_uuid, id_param};
use crate::error::StoreError;

/// Puts the task under its `parent_id` (the caller holds the graph's
/// lock); `MissingReference(Task)`, `SubtaskCycle` or `NestingTooDeep`
/// when it cannot go there, and then the caller rolls back. A task
/// without a parent has nothing to set: `LINK_TASK` dropped any edge.
pub(super) async fn set_parent(txn: &mut Txn, task: &Task) -> Result<(), StoreError> {
    let Some(parent) = task.parent_id else { return Ok(()) };
    let query = neo4rs::query(queries::SET_PARENT)
        .param("uid", id_param(task.uid))
        .param("parent_id", id_param(parent))
        .param("max_levels", queries::max_levels());
    let rows = txn_fetch_all(txn, query, "cannot set the task's parent").await?;
    let row = rows.first().ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("the task vanished")))?;
    if !column_bool(row, "parent_found")? {
        return Err(StoreError::MissingReference(EntityKind::Task));
    }
    if !matches!(row.get::<BoltType>("path"), Ok(BoltType::Null(_))) {
        let path = column_task_ids(row, "path")?;
        return Err(StoreError::SubtaskCycle(std::iter::once(task.uid).chain(path).collect()));
    }
    let levels = usize::try_from(column_integer(row, "levels")?).unwrap_or(usize::MAX);
    if levels > MAX_SUBTASK_LEVELS {
        return Err(StoreError::NestingTooDeep(vec![0]));
    }
    Ok(())
}

/// Task `id` and its sub-tasks at every depth, sub-tasks first, the task
/// last ([`queries::SUBTREE`]).
pub(super) async fn subtree(txn: &mut Txn, id: TaskId) -> Result<Vec<TaskId>, StoreError> {
    let query = neo4rs::query(queries::SUBTREE).param("uid", id_param(id));
    let rows = txn_fetch_all(txn, query, "cannot read the task's subtree").await?;
    rows.iter().map(|row| Ok(TaskId::from_uuid(column_uuid(row, "uid")?))).collect()
}

/// Deletes task `id` with its relationships, or fails with `HasSubtasks`
/// (deleting nothing) when it has sub-tasks.
pub(super) async fn delete_leaf(txn: &mut Txn, id: TaskId) -> Result<(), StoreError> {
    let query = neo4rs::query(queries::DELETE_LEAF_TASK).param("uid", id_param(id));
    let rows = txn_fetch_all(txn, query, "cannot delete the task").await?;
    let row = rows.first().ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("the task vanished")))?;
    if column_bool(row, "has_subtasks")? { Err(StoreError::HasSubtasks) } else { Ok(()) }
}

/// Deletes the tasks `ids` with their relationships.
pub(super) async fn delete_all(txn: &mut Txn, ids: &[TaskId]) -> Result<(), StoreError> {
    let uids: Vec<BoltType> = ids.iter().map(|&id| id_param(id)).collect();
    let query = neo4rs::query(queries::DELETE_TASKS).param("uids", BoltType::List(uids.into()));
    txn.run(query).await.map_err(driver_error("cannot delete the tasks"))
}
