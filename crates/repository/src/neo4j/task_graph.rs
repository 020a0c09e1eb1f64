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
use super::values::{
    column_integer, column_list, column_task_ids, column_uuid, datetime_param, id_param, task_from_row, walked_depth,
    walked_task, walked_version,
};
use super::walk_cache::WalkCache;
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

/// How many queries a walk is split into, run at once on as many
/// connections. Neo4j Community runs each query on one thread, and a walk
/// over a thousand tasks spends most of its time there (reading each task
/// and its relationships, sending it): split in two, a walk's parts run on
/// two of Neo4j's cores while the server decodes the parts that have
/// arrived.
const WALK_PARTS: u8 = 2;

/// The tasks at most `depth` edges from task `id` in `direction`, each
/// once at its shortest distance, by distance then oldest first;
/// `NotFound` when there is no such task.
///
/// With a `cache` ([`WalkCache`]), a walk from a start a kept walk began
/// at reads versions first ([`walk_by_versions`]); any other walk reads its
/// tasks in full ([`walk_reading_tasks`]) and, with a cache, keeps them.
pub(super) async fn walk(
    graph: &Connections,
    cache: Option<&WalkCache>,
    id: TaskId,
    direction: Direction,
    depth: WalkDepth,
) -> Result<Vec<(u8, Task)>, StoreError> {
    // Each way is boxed: both hold a walk's parts in flight, and side by
    // side in one future they would make every read's future large.
    let mut walked = match cache {
        Some(cache) if cache.walked_from(id, direction) => {
            Box::pin(walk_by_versions(graph, cache, id, direction, depth)).await?
        }
        _ => {
            let walked = Box::pin(walk_reading_tasks(graph, id, direction, depth)).await?;
            if let Some(cache) = cache {
                walked.iter().for_each(|(_, task)| cache.keep(task));
                cache.remember_start(id, direction);
            }
            walked
        }
    };
    // Sorts the small keys and then moves each task once into its place.
    walked.sort_by_cached_key(|(depth, task)| (*depth, task.created_at, task.uid));
    Ok(walked)
}

/// A walk that reads every task it reaches, in no order.
///
/// A walk of one step is one query ([`queries::walk_tasks`]). A longer one
/// is [`WALK_PARTS`] queries at once ([`queries::walk_tasks_part`]), each
/// walking from its share of the tasks one edge away: the shortest
/// distance to a task is one more than its shortest distance from the
/// nearest of those, so the parts' smaller depth for a task is the
/// walk's. The parts are separate reads: like every Neo4j read here they
/// are *read committed*, and a walk racing a write that moves edges may
/// see some edges from before it and some from after.
async fn walk_reading_tasks(
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
        let Some(row) = rows.first() else { return Ok(Vec::new()) };
        column_list(row, "walked")?.iter().map(walked_task).collect::<Result<Vec<_>, StoreError>>()
    }))
    .await?;
    let walked = nearest(id, answers.into_iter().flatten(), |(depth, task)| (*depth, task.uid));
    if walked.is_empty() {
        exists(graph, id).await?;
    }
    Ok(walked)
}

/// A walk that reads which tasks it reaches and at which version
/// ([`queries::walk_versions_part`], [`WALK_PARTS`] queries at once), takes
/// the tasks `cache` holds at those versions, and reads the others by id
/// (in as many queries at once), keeping them. A task deleted between the
/// two reads is left out, and one changed between them is returned as it
/// now is: the walk is no more a snapshot than its parts are (see
/// [`walk_reading_tasks`]). When most of the tasks had to be read, the
/// start is forgotten, so that the next walk from it reads in full.
async fn walk_by_versions(
    graph: &Connections,
    cache: &WalkCache,
    id: TaskId,
    direction: Direction,
    depth: WalkDepth,
) -> Result<Vec<(u8, Task)>, StoreError> {
    let parts = (0..WALK_PARTS).map(|part| queries::walk_versions_part(id, direction, depth, part, WALK_PARTS));
    let answers = futures::future::try_join_all(parts.map(|part| async move {
        let rows = fetch_all(graph, part, "cannot walk the task graph").await?;
        let Some(row) = rows.first() else { return Ok(Vec::new()) };
        column_list(row, "walked")?.iter().map(walked_version).collect::<Result<Vec<_>, StoreError>>()
    }))
    .await?;
    let reached = nearest(id, answers.into_iter().flatten(), |&(depth, uid, _)| (depth, uid));
    if reached.is_empty() {
        exists(graph, id).await?;
        return Ok(Vec::new());
    }
    let mut walked = Vec::with_capacity(reached.len());
    let mut unheld: HashMap<TaskId, u8> = HashMap::new();
    for (depth, uid, version) in reached {
        match cache.task(uid, version) {
            Some(task) => walked.push((depth, task)),
            None => {
                unheld.insert(uid, depth);
            }
        }
    }
    if unheld.len() * 2 > walked.len() + unheld.len() {
        cache.forget_start(id, direction);
    }
    if unheld.is_empty() {
        return Ok(walked);
    }
    let ids: Vec<TaskId> = unheld.keys().copied().collect();
    let share = ids.len().div_ceil(usize::from(WALK_PARTS));
    let reads = futures::future::try_join_all(
        ids.chunks(share).map(|chunk| fetch_all(graph, queries::get_tasks(chunk), "cannot read walked tasks")),
    )
    .await?;
    for row in reads.iter().flatten() {
        let task = task_from_row(row)?;
        cache.keep(&task);
        if let Some(&depth) = unheld.get(&task.uid) {
            walked.push((depth, task));
        }
    }
    Ok(walked)
}

/// The walk's parts' findings merged: each task once, at the smallest depth
/// any part found it at, in the order first found; never the start (the
/// graph has no cycle, so the start is never its own blocker; kept out all
/// the same, as the one-query walk does). `key` reads a finding's depth
/// and task id. A task is a few hundred bytes, so it is moved as little as
/// possible here: once into the result, and once more by the caller's sort.
fn nearest<T>(start: TaskId, found: impl Iterator<Item = T>, key: impl Fn(&T) -> (u8, TaskId)) -> Vec<T> {
    let mut nearest: Vec<T> = Vec::new();
    // Where each task is in `nearest`: a task met again keeps its smaller
    // depth, in place.
    let mut seen: HashMap<TaskId, usize> = HashMap::new();
    for finding in found {
        let (depth, uid) = key(&finding);
        if uid == start {
            continue;
        }
        match seen.entry(uid) {
            Entry::Occupied(at) => {
                let kept = &mut nearest[*at.get()];
                if depth < key(kept).0 {
                    *kept = finding;
                }
            }
            Entry::Vacant(slot) => {
                slot.insert(nearest.len());
                nearest.push(finding);
            }
        }
    }
    nearest
}

/// A walk as one query.
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
    rows.iter().map(|row| Ok((walked_depth(column_integer(row, "depth")?), task_from_row(row)?))).collect()
}

/// `NotFound` unless there is a task `id`: what tells a walk that found
/// nothing from one that had nowhere to start.
async fn exists(graph: &Connections, id: TaskId) -> Result<(), StoreError> {
    let found = fetch_all(graph, queries::get_task(id), "cannot look the task up").await?;
    if found.is_empty() { Err(StoreError::NotFound(trm_domain::EntityKind::Task)) } else { Ok(()) }
}
