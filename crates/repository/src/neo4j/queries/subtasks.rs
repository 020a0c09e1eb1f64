//! Sub-tasks: `(:Task)-[:IS_SUBTASK_OF]->(:Task)` edges, a task pointing
//! at its parent (see `crate::neo4j::subtasks`).
//!
//! The variable-length bounds in these texts (`*1..10`) are the deepest a
//! valid tree can be, [`MAX_SUBTASK_LEVELS`]; they only bound the walk, the
//! limits themselves travel as parameters.

use neo4rs::BoltType;
use trm_domain::MAX_SUBTASK_LEVELS;

/// The most ancestors a task may have and still take a sub-task: a new
/// task under it is then at the deepest level allowed.
#[must_use]
pub(in crate::neo4j) fn max_parent_ancestors() -> BoltType {
    BoltType::from(i64::try_from(MAX_SUBTASK_LEVELS).unwrap_or(i64::MAX) - 2)
}

/// The deepest level a sub-task may be at, as a parameter.
#[must_use]
pub(in crate::neo4j) fn max_levels() -> BoltType {
    BoltType::from(i64::try_from(MAX_SUBTASK_LEVELS).unwrap_or(i64::MAX))
}

/// Puts task `$uid` under task `$parent_id` unless that would close a loop
/// or nest too deep, and reports why not: `parent_found`; `path`, the ids
/// from the parent up its ancestry to the task when the task is among them
/// (the parent itself included), else `null`; and `levels`, how many levels
/// the task's subtree would span from the top of the parent's ancestry.
/// The edge is only `MERGE`d when all is well (so it is also a no-op for an
/// unchanged parent); the caller rolls back otherwise. Any edge to another
/// parent was dropped before, by `LINK_TASK`. Runs under the task graph's
/// lock: no other write moves a task of either ancestry meanwhile.
pub(in crate::neo4j) const SET_PARENT: &str = keep_plan!(
    "MATCH (t:Task {uid: $uid}) USING INDEX t:Task(uid) \
     OPTIONAL MATCH (parent:Task {uid: $parent_id}) USING INDEX parent:Task(uid) \
     CALL (t, parent) { \
        OPTIONAL MATCH up = (parent)-[:IS_SUBTASK_OF*0..10]->(t) \
        RETURN [step IN nodes(up) | step.uid] AS path LIMIT 1 \
     } \
     CALL (parent) { \
        OPTIONAL MATCH above = (parent)-[:IS_SUBTASK_OF*1..10]->() \
        RETURN coalesce(max(length(above)), 0) AS above \
     } \
     CALL (t) { \
        OPTIONAL MATCH below = (t)<-[:IS_SUBTASK_OF*1..10]-() \
        RETURN coalesce(max(length(below)), 0) AS below \
     } \
     WITH t, parent, path, above + below + 2 AS levels \
     FOREACH (up IN CASE WHEN parent IS NOT NULL AND path IS NULL AND levels <= $max_levels \
                         THEN [parent] ELSE [] END | MERGE (t)-[:IS_SUBTASK_OF]->(up)) \
     RETURN parent IS NOT NULL AS parent_found, path, levels"
);

/// Task `$uid` and its sub-tasks at every depth, as `uid`s in the order a
/// cascade deletes them: the deepest first (every sub-task before its
/// parent), oldest first within a level, the task itself last.
pub(in crate::neo4j) const SUBTREE: &str = keep_plan!(
    "MATCH (t:Task {uid: $uid}) USING INDEX t:Task(uid) \
     CALL (t) { \
        MATCH down = (t)<-[:IS_SUBTASK_OF*0..10]-(member:Task) \
        RETURN member, length(down) AS depth \
     } \
     RETURN member.uid AS uid ORDER BY depth DESC, member.created_at, member.uid"
);

/// Deletes task `$uid` with its relationships unless it has sub-tasks;
/// `has_subtasks` says which. The caller holds the task's lock, which a
/// new sub-task's edge to it would need too, so none appears in between.
pub(in crate::neo4j) const DELETE_LEAF_TASK: &str = keep_plan!(
    "MATCH (t:Task {uid: $uid}) USING INDEX t:Task(uid) \
     WITH t, EXISTS { (:Task)-[:IS_SUBTASK_OF]->(t) } AS has_subtasks \
     FOREACH (_ IN CASE WHEN has_subtasks THEN [] ELSE [1] END | DETACH DELETE t) \
     RETURN has_subtasks"
);
