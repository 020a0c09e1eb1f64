//! The task graph on Neo4j: `(:Task)-[:BLOCKS]->(:Task)` edges, the checks
//! a task's new blockers must pass, and walks along the edges.
//!
//! # Why a graph-wide lock
//! Neo4j reads are *read committed*, and a cycle check reads a whole path,
//! not one node. Two updates that each add an edge — `B` blocks `A` and `A`
//! blocks `B`, or two edges closing a longer loop through tasks neither
//! touches — could each check the graph before the other commits, find no
//! cycle, and commit one between them. Locking the two endpoints of each
//! new edge is not enough: the edges `B → C` and `D → A` of a loop
//! `A → B → C → D → A` share no endpoint. So every update that sets
//! blockers first takes the write lock of one `TaskGraphLock` node
//! ([`queries::LOCK_TASK_GRAPH`]), held until its transaction ends: such
//! updates run their check-and-write one at a time, each seeing every edge
//! the ones before it committed. Creates need no lock (a new task has no
//! dependents, so no edge to it closes a cycle), nor do updates that leave
//! a task without blockers (removing edges closes nothing). The lock is
//! taken before the task's own, always in that order, so two such updates
//! cannot deadlock on them. Writes that give a task a parent take the same
//! lock, for the same reason (see `super::subtasks`).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use neo4rs::{Query, Txn};
use trm_domain::{Direction, Task, TaskId, Timestamp, WalkDepth};

use super::errors::{driver_error, driver_error_or_concurrent_delete};
use super::transactions::{fetch_all, txn_fetch_all, txn_fetch_all_with};
use super::values::{column_integer, column_task_ids, column_uuid, datetime_param, id_param, task_from_row};
use super::{Connections, queries};
use crate::error::StoreError;

/// Takes the task graph's lock for the rest of the transaction.
pub(super) async fn lock_graph(txn: &mut Txn) -> Result<(), StoreError> {
    txn.run(neo4rs::query(queries::LOCK_TASK_GRAPH)).await.map_err(driver_error("cannot lock the task graph"))
}

/// Fails with `MissingBlockers` (at index 0) for blockers naming no task,
/// then with `DependencyCycle` when one of them already waits for the task.
/// Runs under the graph's lock (see the module's documentation).
pub(super) async fn check_blockers(txn: &mut Txn, task: &Task) -> Result<(), StoreError> {
    if task.blocked_by.is_empty() {
        return Ok(());
    }
    let blockers = queries::blockers_param(&task.blocked_by);
    let query = neo4rs::query(queries::MISSING_BLOCKERS).param("blocked_by", blockers.clone());
    let rows = txn_fetch_all(txn, query, "cannot look the blockers up").await?;
    if !rows.is_empty() {
        let missing = rows
            .iter()
            .map(|row| Ok((0, TaskId::from_uuid(column_uuid(row, "key")?))))
            .collect::<Result<Vec<_>, StoreError>>()?;
        return Err(StoreError::MissingBlockers(missing));
    }
    let query = neo4rs::query(queries::FIND_CYCLE).param("uid", id_param(task.uid)).param("blocked_by", blockers);
    let rows = txn_fetch_all(txn, query, "cannot check the task graph for a cycle").await?;
    match rows.first() {
        Some(row) => {
            let path = column_task_ids(row, "path")?;
            let blocker = path.last().copied().unwrap_or(task.uid);
            Err(StoreError::DependencyCycle(std::iter::once(blocker).chain(path).collect()))
        }
        None => Ok(()),
    }
}

/// Makes the task's incoming `BLOCKS` edges exactly its `blocked_by`;
/// `MissingBlockers` when one was deleted since [`check_blockers`] saw it
/// (see [`queries::SET_BLOCKERS`]).
pub(super) async fn set_blockers(txn: &mut Txn, task: &Task) -> Result<(), StoreError> {
    let query = neo4rs::query(queries::SET_BLOCKERS)
        .param("uid", id_param(task.uid))
        .param("blocked_by", queries::blockers_param(&task.blocked_by));
    let translate = |error| driver_error_or_concurrent_delete("cannot store the task's blockers")(error);
    let rows = txn_fetch_all_with(txn, query, translate).await?;
    let missing = match rows.first() {
        Some(row) => column_task_ids(row, "missing")?,
        None => return Err(StoreError::Unexpected(anyhow::anyhow!("the task vanished while its blockers were set"))),
    };
    if missing.is_empty() {
        Ok(())
    } else {
        Err(StoreError::MissingBlockers(missing.into_iter().map(|id| (0, id)).collect()))
    }
}

/// Before the tasks `ids` go together: bumps each surviving task that
/// loses a blocker or its parent among them ([`queries::RELEASE_SURVIVORS`]);
/// after the delete, reads them as they then are, oldest first. Used by
/// task and project deletes alike.
pub(super) async fn release_survivors(
    txn: &mut Txn,
    ids: &[TaskId],
    now: Timestamp,
) -> Result<Vec<TaskId>, StoreError> {
    let query = neo4rs::query(queries::RELEASE_SURVIVORS)
        .param("uids", queries::blockers_param(ids))
        .param("now", datetime_param(now));
    let rows = txn_fetch_all(txn, query, "cannot bump the tasks the deleted ones leave behind").await?;
    rows.iter().map(|row| Ok(TaskId::from_uuid(column_uuid(row, "uid")?))).collect()
}

/// The tasks `ids` as they now are, in that order: the survivors of a
/// delete, for their `task.updated` events.
pub(super) async fn read_survivors(txn: &mut Txn, ids: Vec<TaskId>) -> Result<Vec<Task>, StoreError> {
    let mut survivors = Vec::with_capacity(ids.len());
    for uid in ids {
        let rows = txn_fetch_all(txn, queries::get_task(uid), "cannot read a task a delete changed").await?;
        let row = rows.first().ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("a surviving task vanished")))?;
        survivors.push(task_from_row(row)?);
    }
    Ok(survivors)
}

/// How many queries a walk of two steps or more is split into, run at once
/// on as many connections. Neo4j Community runs each query on one thread,
/// and a walk over a thousand tasks spends most of its time there (reading
/// each task and its relationships, sending its row): split in two, a
/// walk's parts run on two of Neo4j's cores while the server decodes the
/// rows that have arrived.
const WALK_PARTS: u8 = 2;

/// The tasks at most `depth` edges from task `id` in `direction`, each
/// once at its shortest distance, by distance then oldest first;
/// `NotFound` when there is no such task.
///
/// A walk of one step is one query ([`queries::walk_tasks`]). A longer one
/// is [`WALK_PARTS`] queries at once ([`queries::walk_tasks_part`]), each
/// walking from its share of the tasks one edge away: the shortest
/// distance to a task is one more than its shortest distance from the
/// nearest of those, so the parts' smaller depth for a task is the
/// walk's. The parts are separate reads: like every Neo4j read here they
/// are *read committed*, and a walk racing a write that moves edges may
/// see some edges from before it and some from after.
pub(super) async fn walk(
    graph: &Connections,
    id: TaskId,
    direction: Direction,
    depth: WalkDepth,
) -> Result<Vec<(u8, Task)>, StoreError> {
    let parts: Option<Vec<Query>> =
        (0..WALK_PARTS).map(|part| queries::walk_tasks_part(id, direction, depth, part, WALK_PARTS)).collect();
    let Some(parts) = parts else {
        return walk_in_one_query(graph, id, direction, depth).await;
    };
    let answers = futures::future::try_join_all(parts.into_iter().map(|part| async move {
        let rows = fetch_all(graph, part, "cannot walk the task graph").await?;
        rows.iter().map(walked_task).collect::<Result<Vec<_>, StoreError>>()
    }))
    .await?;
    let mut walked: Vec<(u8, Task)> = Vec::with_capacity(answers.iter().map(Vec::len).sum());
    // Where each task is in `walked`: a task met again keeps its smaller
    // depth, in place. A task is a few hundred bytes, so it is moved as
    // little as possible here: once into `walked`, once more by the sort.
    let mut seen: HashMap<TaskId, usize> = HashMap::with_capacity(walked.capacity());
    for (depth, task) in answers.into_iter().flatten() {
        // The graph has no cycle, so the start is never its own blocker;
        // kept out all the same, as the one-query walk does.
        if task.uid == id {
            continue;
        }
        match seen.entry(task.uid) {
            Entry::Occupied(found) => {
                let nearer = &mut walked[*found.get()];
                if depth < nearer.0 {
                    *nearer = (depth, task);
                }
            }
            Entry::Vacant(slot) => {
                slot.insert(walked.len());
                walked.push((depth, task));
            }
        }
    }
    if walked.is_empty() {
        return exists(graph, id).await.map(|()| Vec::new());
    }
    // Sorts the small keys and then moves each task once into its place.
    walked.sort_by_cached_key(|(depth, task)| (*depth, task.created_at, task.uid));
    Ok(walked)
}

/// A walk as one query, ordered by Neo4j.
async fn walk_in_one_query(
    graph: &Connections,
    id: TaskId,
    direction: Direction,
    depth: WalkDepth,
) -> Result<Vec<(u8, Task)>, StoreError> {
    let rows = fetch_all(graph, queries::walk_tasks(id, direction, depth), "cannot walk the task graph").await?;
    if rows.is_empty() {
        exists(graph, id).await?;
    }
    rows.iter().map(walked_task).collect()
}

/// `NotFound` unless there is a task `id`: what tells a walk that found
/// nothing from one that had nowhere to start.
async fn exists(graph: &Connections, id: TaskId) -> Result<(), StoreError> {
    let found = fetch_all(graph, queries::get_task(id), "cannot look the task up").await?;
    if found.is_empty() { Err(StoreError::NotFound(trm_domain::EntityKind::Task)) } else { Ok(()) }
}

/// A walk's row: the task and its distance from the walk's start.
fn walked_task(row: &neo4rs::Row) -> Result<(u8, Task), StoreError> {
    let depth = u8::try_from(column_integer(row, "depth")?).unwrap_or(u8::MAX);
    Ok((depth, task_from_row(row)?))
}
