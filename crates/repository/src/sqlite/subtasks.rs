//! Sub-tasks on SQLite: the `parent_id` column (`IS_SUBTASK_OF` in the
//! graph), the checks a new parent must pass, and the subtree a cascading
//! delete takes.
//!
//! Every write runs on the one writer connection, one at a time (see
//! `super::writer`), so a check and the write it admits are one atomic
//! step: no concurrent write can move an ancestor between them.

use rusqlite::{OptionalExtension as _, Transaction};
use trm_domain::{MAX_SUBTASK_LEVELS, Task, TaskId};

use super::rows::uuid_at;
use super::unexpected;
use crate::error::StoreError;

/// Why a task cannot go under the parent it names.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum ParentProblem {
    /// The parent is the task itself or one of its sub-tasks: the loop, from
    /// the task up through the parent's ancestry back to the task.
    Cycle(Vec<TaskId>),
    /// The task's subtree would reach below the deepest level allowed.
    TooDeep,
}

impl ParentProblem {
    /// The store's answer for this problem with the task at `index` of a
    /// write.
    pub(super) fn into_error(self, index: usize) -> StoreError {
        match self {
            Self::Cycle(path) => StoreError::SubtaskCycle(path),
            Self::TooDeep => StoreError::NestingTooDeep(vec![index]),
        }
    }
}

/// The parent of task `id` as stored; `None` for a root task or no task.
fn stored_parent(tx: &Transaction<'_>, id: TaskId) -> Result<Option<TaskId>, StoreError> {
    let parent: Option<Option<String>> = tx
        .prepare_cached("SELECT parent_id FROM tasks WHERE uid = ?1")
        .and_then(|mut select| select.query_row([id.to_string()], |row| row.get(0)).optional())
        .map_err(unexpected("cannot read the task's parent"))?;
    parent.flatten().map(|text| parse_id(&text)).transpose()
}

fn parse_id(text: &str) -> Result<TaskId, StoreError> {
    uuid::Uuid::parse_str(text)
        .map(TaskId::from_uuid)
        .map_err(|error| StoreError::Unexpected(anyhow::anyhow!("corrupt stored parent id {text:?}: {error}")))
}

/// What is wrong with `task`'s parent, if anything, once the parent is
/// known to exist: a loop, or a subtree nested too deep. A task whose
/// stored parent is already this one passes (it was checked when set).
pub(super) fn parent_problem(tx: &Transaction<'_>, task: &Task) -> Result<Option<ParentProblem>, StoreError> {
    let Some(parent) = task.parent_id else { return Ok(None) };
    if stored_parent(tx, task.uid)? == Some(parent) {
        return Ok(None);
    }
    // The parent, then its ancestors, nearest first; a chain kept at most
    // MAX_SUBTASK_LEVELS long, so the walk is bounded even on corrupt data.
    let mut ancestry = vec![parent];
    let mut at = parent;
    while ancestry.len() <= MAX_SUBTASK_LEVELS {
        if at == task.uid {
            let mut path = vec![task.uid];
            path.extend(&ancestry);
            return Ok(Some(ParentProblem::Cycle(path)));
        }
        match stored_parent(tx, at)? {
            Some(next) => {
                ancestry.push(next);
                at = next;
            }
            None => break,
        }
    }
    let levels = ancestry.len() + subtree_height(tx, task.uid)?;
    Ok((levels > MAX_SUBTASK_LEVELS).then_some(ParentProblem::TooDeep))
}

/// How many levels task `id`'s subtree spans, the task included: 1 for a
/// task without sub-tasks.
fn subtree_height(tx: &Transaction<'_>, id: TaskId) -> Result<usize, StoreError> {
    let below: i64 = tx
        .prepare_cached(
            "WITH RECURSIVE below (uid, depth) AS ( \
                 SELECT uid, 1 FROM tasks WHERE parent_id = ?1 \
                 UNION ALL \
                 SELECT t.uid, below.depth + 1 FROM tasks t JOIN below ON t.parent_id = below.uid \
                 WHERE below.depth < ?2 \
             ) SELECT coalesce(max(depth), 0) FROM below",
        )
        .and_then(|mut select| {
            let bound = i64::try_from(MAX_SUBTASK_LEVELS).unwrap_or(i64::MAX);
            select.query_row(rusqlite::params![id.to_string(), bound], |row| row.get(0))
        })
        .map_err(unexpected("cannot measure the task's sub-tasks"))?;
    Ok(1 + usize::try_from(below).unwrap_or_default())
}

/// Whether task `id` has sub-tasks.
pub(super) fn has_subtasks(tx: &Transaction<'_>, id: TaskId) -> Result<bool, StoreError> {
    tx.prepare_cached("SELECT 1 FROM tasks WHERE parent_id = ?1 LIMIT 1")
        .and_then(|mut select| select.exists([id.to_string()]))
        .map_err(unexpected("cannot look for the task's sub-tasks"))
}

/// Task `id` and its sub-tasks at every depth, in the order a cascade
/// deletes them: the deepest first (every sub-task before its parent),
/// oldest first within a level, the task itself last.
pub(super) fn subtree(tx: &Transaction<'_>, id: TaskId) -> Result<Vec<TaskId>, StoreError> {
    let mut select = tx
        .prepare_cached(
            "WITH RECURSIVE below (uid, depth) AS ( \
                 SELECT ?1, 0 \
                 UNION ALL \
                 SELECT t.uid, below.depth + 1 FROM tasks t JOIN below ON t.parent_id = below.uid \
                 WHERE below.depth < ?2 \
             ) SELECT t.uid FROM below JOIN tasks t ON t.uid = below.uid \
             ORDER BY below.depth DESC, t.created_at, t.uid",
        )
        .map_err(unexpected("cannot prepare the subtree lookup"))?;
    let bound = i64::try_from(MAX_SUBTASK_LEVELS).unwrap_or(i64::MAX);
    select
        .query_map(rusqlite::params![id.to_string(), bound], |row| uuid_at(row, 0).map(TaskId::from_uuid))
        .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
        .map_err(unexpected("cannot read the task's subtree"))
}
