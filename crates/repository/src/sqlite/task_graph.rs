//! The task graph on SQLite: `task_blocks` rows (blocker → blocked), the
//! checks a new edge must pass, and walks along the edges.
//!
//! Every write runs on the one writer connection, one at a time (see
//! `super::writer`), so the cycle check and the edges it admits are one
//! atomic step without any lock of their own: a write sees every edge
//! committed — or written earlier in its batch — before it.

use std::collections::{HashMap, HashSet, VecDeque};

use rusqlite::{Connection, Transaction};
use trm_domain::{Direction, Task, TaskId, WalkDepth};

use super::rows::{TASK_COLUMN_COUNT, TASK_COLUMNS, task_from_row, uuid_at};
use super::unexpected;
use crate::error::StoreError;

/// The ids of `task.blocked_by` that name no stored task.
pub(super) fn missing_blockers(tx: &Transaction<'_>, task: &Task) -> Result<Vec<TaskId>, StoreError> {
    let mut select = tx
        .prepare_cached("SELECT 1 FROM tasks WHERE uid = ?1")
        .map_err(unexpected("cannot prepare a blocker lookup"))?;
    let mut missing = Vec::new();
    for &blocker in &task.blocked_by {
        if !select.exists([blocker.to_string()]).map_err(unexpected("cannot look a blocker up"))? {
            missing.push(blocker);
        }
    }
    Ok(missing)
}

/// The cycle one of `task`'s blockers would close — the shortest path
/// from the task along `BLOCKS` edges to one of its blockers, with the
/// blocker first: `blocker → task → … → blocker` — if any.
///
/// Only the edges leaving the task matter: a cycle through the new edge
/// `blocker → task` goes on from the task along edges it already has.
pub(super) fn find_cycle(tx: &Transaction<'_>, task: &Task) -> Result<Option<Vec<TaskId>>, StoreError> {
    if task.blocked_by.is_empty() {
        return Ok(None);
    }
    let targets: HashSet<TaskId> = task.blocked_by.iter().copied().collect();
    let mut next = tx
        .prepare_cached("SELECT blocked_uid FROM task_blocks WHERE blocker_uid = ?1 ORDER BY blocked_uid")
        .map_err(unexpected("cannot prepare the cycle check"))?;
    let mut came_from: HashMap<TaskId, TaskId> = HashMap::new();
    let mut queue = VecDeque::from([task.uid]);
    while let Some(at) = queue.pop_front() {
        let blocked = next
            .query_map([at.to_string()], |row| uuid_at(row, 0))
            .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
            .map_err(unexpected("cannot follow the task graph"))?;
        for uuid in blocked {
            let id = TaskId::from_uuid(uuid);
            if id == task.uid || came_from.contains_key(&id) {
                continue;
            }
            came_from.insert(id, at);
            if targets.contains(&id) {
                let mut path = vec![id];
                let mut step = id;
                while step != task.uid {
                    step = came_from[&step];
                    path.push(step);
                }
                path.push(id);
                path.reverse();
                return Ok(Some(path));
            }
            queue.push_back(id);
        }
    }
    Ok(None)
}

/// Makes the task's stored blockers exactly `task.blocked_by`.
pub(super) fn store_blockers(tx: &Transaction<'_>, task: &Task) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM task_blocks WHERE blocked_uid = ?1")
        .and_then(|mut delete| delete.execute([task.uid.to_string()]))
        .map_err(unexpected("cannot replace the task's blockers"))?;
    insert_blockers(tx, task)
}

/// Stores `task.blocked_by` for a task that has no stored blockers yet (a
/// new one): nothing to delete first.
pub(super) fn insert_blockers(tx: &Transaction<'_>, task: &Task) -> Result<(), StoreError> {
    if task.blocked_by.is_empty() {
        return Ok(());
    }
    let uid = task.uid.to_string();
    let mut insert = tx
        .prepare_cached("INSERT INTO task_blocks (blocker_uid, blocked_uid) VALUES (?1, ?2)")
        .map_err(unexpected("cannot prepare the blocker insert"))?;
    for blocker in &task.blocked_by {
        insert.execute([blocker.to_string(), uid.clone()]).map_err(unexpected("cannot store a blocker"))?;
    }
    Ok(())
}

/// Fills in each task's `blocked_by` from `task_blocks`, sorted.
pub(super) fn with_blockers(conn: &Connection, mut tasks: Vec<Task>) -> Result<Vec<Task>, StoreError> {
    let mut select = conn
        .prepare_cached("SELECT blocker_uid FROM task_blocks WHERE blocked_uid = ?1 ORDER BY blocker_uid")
        .map_err(unexpected("cannot prepare the blockers lookup"))?;
    for task in &mut tasks {
        task.blocked_by = select
            .query_map([task.uid.to_string()], |row| uuid_at(row, 0).map(TaskId::from_uuid))
            .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
            .map_err(unexpected("cannot read the task's blockers"))?;
    }
    Ok(tasks)
}

/// Takes the tasks `ids` out of the graph before they are deleted
/// together: each surviving task that loses something by it — a blocker
/// among them, or its parent (it is detached) — is one version further
/// (once, however much it loses) and changed at `now` at least; returns
/// their ids, oldest first. Used by task and project deletes alike.
pub(super) fn release_survivors(
    tx: &Transaction<'_>,
    ids: &[TaskId],
    now_micros: i64,
) -> Result<Vec<String>, StoreError> {
    let deleted: HashSet<String> = ids.iter().map(ToString::to_string).collect();
    let mut survivors: Vec<(i64, String)> = Vec::new();
    {
        let mut select = tx
            .prepare_cached(
                "SELECT t.created_at, t.uid FROM task_blocks b JOIN tasks t ON t.uid = b.blocked_uid \
                 WHERE b.blocker_uid = ?1 \
                 UNION SELECT created_at, uid FROM tasks WHERE parent_id = ?1",
            )
            .map_err(unexpected("cannot prepare the survivors lookup"))?;
        for uid in &deleted {
            let rows = select
                .query_map([uid], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)))
                .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
                .map_err(unexpected("cannot list the tasks a deleted one leaves behind"))?;
            survivors.extend(rows.into_iter().filter(|(_, survivor)| !deleted.contains(survivor)));
        }
    }
    survivors.sort();
    survivors.dedup();
    let mut bump = tx
        .prepare_cached("UPDATE tasks SET version = version + 1, updated_at = max(updated_at, ?2) WHERE uid = ?1")
        .map_err(unexpected("cannot prepare the bump of the surviving tasks"))?;
    for (_, survivor) in &survivors {
        bump.execute(rusqlite::params![survivor, now_micros]).map_err(unexpected("cannot bump a surviving task"))?;
    }
    let mut forget = tx
        .prepare_cached("DELETE FROM task_blocks WHERE blocker_uid = ?1 OR blocked_uid = ?1")
        .map_err(unexpected("cannot prepare the removal of the task's edges"))?;
    let mut detach = tx
        .prepare_cached("UPDATE tasks SET parent_id = NULL WHERE parent_id = ?1")
        .map_err(unexpected("cannot prepare the detaching of sub-tasks"))?;
    for uid in &deleted {
        forget.execute([uid]).map_err(unexpected("cannot remove the task's edges"))?;
        detach.execute([uid]).map_err(unexpected("cannot detach the task's sub-tasks"))?;
    }
    Ok(survivors.into_iter().map(|(_, uid)| uid).collect())
}

/// The tasks `ids` as they now are, in that order, blockers included: the
/// survivors of a delete, for their `task.updated` events.
pub(super) fn read_survivors<T: ToString>(tx: &Transaction<'_>, ids: &[T]) -> Result<Vec<Task>, StoreError> {
    let select = format!("SELECT {TASK_COLUMNS} FROM tasks WHERE uid = ?1");
    let mut statement = tx.prepare_cached(&select).map_err(unexpected("cannot prepare the task lookup"))?;
    let tasks = ids
        .iter()
        .map(|id| {
            statement
                .query_row([id.to_string()], task_from_row)
                .map_err(unexpected("cannot read a task a delete changed"))
        })
        .collect::<Result<Vec<Task>, StoreError>>()?;
    with_blockers(tx, tasks)
}

/// The tasks `depth` edges or fewer from task `id` in `direction`, each at
/// its smallest distance: a recursive walk that keeps `(task, distance)`
/// pairs (so it stops after `depth` rounds even on a dense graph), grouped
/// to the smallest distance, ordered by distance then oldest first.
pub(super) fn walk(
    conn: &Connection,
    id: TaskId,
    direction: Direction,
    depth: WalkDepth,
) -> Result<Vec<(u8, Task)>, StoreError> {
    let (from, to) = match direction {
        Direction::Blockers => ("blocked_uid", "blocker_uid"),
        Direction::Dependents => ("blocker_uid", "blocked_uid"),
    };
    let columns: Vec<String> = TASK_COLUMNS.split(", ").map(|column| format!("t.{column}")).collect();
    let sql = format!(
        "WITH RECURSIVE reached (uid, depth) AS ( \
             SELECT {to}, 1 FROM task_blocks WHERE {from} = ?1 \
             UNION \
             SELECT e.{to}, reached.depth + 1 FROM reached JOIN task_blocks e ON e.{from} = reached.uid \
             WHERE reached.depth < ?2 \
         ), nearest (uid, depth) AS (SELECT uid, min(depth) FROM reached WHERE uid <> ?1 GROUP BY uid) \
         SELECT {}, nearest.depth FROM nearest JOIN tasks t ON t.uid = nearest.uid \
         ORDER BY nearest.depth, t.created_at, t.uid",
        columns.join(", ")
    );
    let mut select = conn.prepare_cached(&sql).map_err(unexpected("cannot prepare the graph walk"))?;
    let rows = select
        .query_map(rusqlite::params![id.to_string(), i64::from(depth.get())], |row| {
            let task = task_from_row(row)?;
            let depth: i64 = row.get(TASK_COLUMN_COUNT)?;
            Ok((u8::try_from(depth).unwrap_or(u8::MAX), task))
        })
        .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
        .map_err(unexpected("cannot walk the task graph"))?;
    let (depths, tasks): (Vec<u8>, Vec<Task>) = rows.into_iter().unzip();
    Ok(depths.into_iter().zip(with_blockers(conn, tasks)?).collect())
}
