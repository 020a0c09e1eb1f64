//! Sub-projects on SQLite: the `parent_uid` column (`IS_SUBPROJECT_OF` in
//! Neo4j), the checks a new parent must pass and the walks up and down a
//! project tree.
//!
//! Every write runs on the one writer connection, one at a time (see
//! `super::writer`), so the checks and the parent they admit are one
//! atomic step without a lock of their own: two re-parentings can never
//! close a cycle, nor nest too deep, between them.

use rusqlite::Transaction;
use trm_domain::{MAX_PROJECT_LEVELS, Project, ProjectId};

use super::rows::uuid_at;
use super::unexpected;
use crate::error::StoreError;
use crate::rules::check_parent;

/// The projects of the subtree rooted at `?1` (the root included), as a
/// common table expression `subtree (uid)`. `UNION` rather than `UNION
/// ALL`: a loop written into the data by hand still ends.
pub(super) const SUBTREE: &str = "WITH RECURSIVE subtree (uid) AS ( \
     SELECT ?1 UNION SELECT p.uid FROM projects p JOIN subtree s ON p.parent_uid = s.uid)";

/// How far a walk goes up or down a tree: one step beyond the deepest a
/// tree may be, so that a deeper one (data written by hand) is still seen
/// as too deep, and a walk always ends.
fn walk_bound() -> i64 {
    i64::try_from(MAX_PROJECT_LEVELS + 1).unwrap_or(i64::MAX)
}

/// Fails unless `project` may sit under its `parent_id` (see
/// [`check_parent`]); `levels` is how deep its own subtree is (1 for a new
/// project). Nothing to check for a top-level project.
pub(super) fn check_project_parent(tx: &Transaction<'_>, project: &Project, levels: usize) -> Result<(), StoreError> {
    let Some(parent) = project.parent_id else { return Ok(()) };
    let ancestry = ancestry(tx, parent)?;
    check_parent(project.uid, ancestry.as_deref(), levels)
}

/// Project `id` and its ancestors, nearest first; `None` when there is no
/// such project.
fn ancestry(tx: &Transaction<'_>, id: ProjectId) -> Result<Option<Vec<ProjectId>>, StoreError> {
    let mut select = tx
        .prepare_cached(
            "WITH RECURSIVE up (uid, parent_uid, depth) AS ( \
                 SELECT uid, parent_uid, 0 FROM projects WHERE uid = ?1 \
                 UNION ALL \
                 SELECT p.uid, p.parent_uid, up.depth + 1 FROM projects p JOIN up ON p.uid = up.parent_uid \
                 WHERE up.depth < ?2) \
             SELECT uid FROM up ORDER BY depth",
        )
        .map_err(unexpected("cannot prepare the walk up the project tree"))?;
    let chain = select
        .query_map(rusqlite::params![id.to_string(), walk_bound()], |row| uuid_at(row, 0).map(ProjectId::from_uuid))
        .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
        .map_err(unexpected("cannot walk up the project tree"))?;
    Ok((!chain.is_empty()).then_some(chain))
}

/// How many levels the subtree of project `id` has: 1 without
/// sub-projects.
pub(super) fn levels(tx: &Transaction<'_>, id: ProjectId) -> Result<usize, StoreError> {
    let levels: i64 = tx
        .prepare_cached(
            "WITH RECURSIVE down (uid, depth) AS ( \
                 SELECT ?1, 1 \
                 UNION ALL \
                 SELECT p.uid, down.depth + 1 FROM projects p JOIN down ON p.parent_uid = down.uid \
                 WHERE down.depth < ?2) \
             SELECT max(depth) FROM down",
        )
        .and_then(|mut select| select.query_row(rusqlite::params![id.to_string(), walk_bound()], |row| row.get(0)))
        .map_err(unexpected("cannot walk down the project tree"))?;
    Ok(usize::try_from(levels).unwrap_or(1))
}

/// The projects of the subtree rooted at `id`, the root included, children
/// before their parents: deepest first, then oldest first.
pub(super) fn subtree_children_first(tx: &Transaction<'_>, id: ProjectId) -> Result<Vec<ProjectId>, StoreError> {
    let mut select = tx
        .prepare_cached(
            "WITH RECURSIVE down (uid, depth) AS ( \
                 SELECT ?1, 0 \
                 UNION \
                 SELECT p.uid, down.depth + 1 FROM projects p JOIN down ON p.parent_uid = down.uid \
                 WHERE down.depth < ?2) \
             SELECT p.uid FROM down JOIN projects p ON p.uid = down.uid \
             GROUP BY p.uid ORDER BY max(down.depth) DESC, p.created_at, p.uid",
        )
        .map_err(unexpected("cannot prepare the walk down the project tree"))?;
    select
        .query_map(rusqlite::params![id.to_string(), walk_bound()], |row| uuid_at(row, 0).map(ProjectId::from_uuid))
        .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
        .map_err(unexpected("cannot walk down the project tree"))
}
