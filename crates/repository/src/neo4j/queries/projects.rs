//! Projects: lock, writes, reads, the cascade's statements and the count.

use neo4rs::{BoltType, Query};
use trm_domain::{EnumAdapter as _, PageRequest, ProjectId};

use crate::neo4j::values::{datetime_param, id_param};
use crate::ports::ProjectFilter;

/// Returns a project as a map `project` and its parent's id as
/// `parent_id` (`null` for a top-level project), from a query that bound
/// it to `p`. A parent relationship duplicated by hand cannot multiply the
/// row: the comprehension takes the first.
pub(in crate::neo4j) const RETURN_PROJECT: &str =
    "RETURN p {.*} AS project, head([(p)-[:IS_SUBPROJECT_OF]->(parent:Project) | parent.uid]) AS parent_id";

/// Takes the write lock of the project tree: one `TaskGraphLock` node of
/// its own (named `subprojects`, under the label's uniqueness constraint),
/// held until the transaction ends. Every write that may change the tree
/// (a create under a parent, any update, a delete) takes it before
/// anything else, so their checks of a project's ancestry and subtree run
/// one at a time, each seeing the tree the one before committed (see
/// `crate::neo4j::task_graph` for why a lock on the endpoints would not
/// do). The increment is what takes the lock.
pub(in crate::neo4j) const LOCK_PROJECT_TREE: &str =
    "MERGE (lock:TaskGraphLock {name: 'subprojects'}) SET lock.taken = coalesce(lock.taken, 0) + 1";

/// Project `$uid` and its ancestors, nearest first, as `ancestry`: the
/// longest path up the tree, bounded one step beyond the deepest a tree may
/// be; no row when there is no such project.
pub(in crate::neo4j) const PROJECT_ANCESTRY: &str = "MATCH (start:Project {uid: $uid}) \
     MATCH path = (start)-[:IS_SUBPROJECT_OF*0..11]->(:Project) \
     WITH path ORDER BY length(path) DESC LIMIT 1 \
     RETURN [step IN nodes(path) | step.uid] AS ancestry";

/// How many levels the subtree of project `$uid` has, as `levels` (1
/// without sub-projects).
pub(in crate::neo4j) const PROJECT_LEVELS: &str = "MATCH (p:Project {uid: $uid}) \
     OPTIONAL MATCH path = (p)<-[:IS_SUBPROJECT_OF*1..11]-(:Project) \
     RETURN coalesce(max(length(path)), 0) + 1 AS levels";

/// Makes project `$uid`'s parent relationship exactly `$parent_id` (none
/// for `null`), and returns one row whose `parent_found` tells whether
/// the named parent exists (the caller has checked it under the tree's
/// lock; `true` for `null`).
pub(in crate::neo4j) const SET_PROJECT_PARENT: &str = "MATCH (p:Project {uid: $uid}) \
     OPTIONAL MATCH (p)-[stale:IS_SUBPROJECT_OF]->(other:Project) \
     WHERE $parent_id IS NULL OR other.uid <> $parent_id \
     DELETE stale \
     WITH DISTINCT p \
     OPTIONAL MATCH (parent:Project {uid: $parent_id}) \
     FOREACH (found IN CASE WHEN parent IS NULL THEN [] ELSE [parent] END | MERGE (p)-[:IS_SUBPROJECT_OF]->(found)) \
     RETURN $parent_id IS NULL OR parent IS NOT NULL AS parent_found";

/// The projects of the subtree of project `$uid`, the project included, as
/// `uid`: children before their parents (deepest first), then oldest first.
pub(in crate::neo4j) const PROJECT_SUBTREE: &str = "MATCH (root:Project {uid: $uid}) \
     MATCH path = (root)<-[:IS_SUBPROJECT_OF*0..]-(p:Project) \
     WITH p, max(length(path)) AS depth \
     RETURN p.uid AS uid ORDER BY depth DESC, p.created_at, p.uid";

/// The tasks of the projects `$projects`, oldest first, as `uid`.
pub(in crate::neo4j) const PROJECTS_TASKS: &str = "UNWIND $projects AS key \
     MATCH (:Project {uid: key})<-[:IS_PART_OF_PROJECT]-(t:Task) \
     RETURN t.uid AS uid ORDER BY t.created_at, t.uid";

/// Deletes the projects `$projects`, with their relationships.
pub(in crate::neo4j) const DELETE_PROJECTS: &str =
    "UNWIND $projects AS key MATCH (p:Project {uid: key}) DETACH DELETE p";

/// Takes the project's write lock, then reads its version (see [`crate::neo4j::transactions`]).
/// Holding the lock also keeps tasks from joining the project until the
/// transaction ends. The bump is overwritten by the write that follows, or
/// rolled back with the transaction.
pub(in crate::neo4j) const LOCK_PROJECT: &str =
    "MATCH (p:Project {uid: $uid}) SET p.version = p.version + 1 RETURN p.version - 1 AS version";

/// Stores a new project node.
pub(in crate::neo4j) const CREATE_PROJECT: &str = "CREATE (p:Project) SET p += $props";

/// Overwrites a project's properties; `null`s remove properties.
pub(in crate::neo4j) const UPDATE_PROJECT: &str = "MATCH (p:Project {uid: $uid}) SET p += $props";

/// The project's tasks, oldest first.
pub(in crate::neo4j) const PROJECT_TASKS: &str = "MATCH (:Project {uid: $uid})<-[:IS_PART_OF_PROJECT]-(t:Task) \
     RETURN t.uid AS uid ORDER BY t.created_at, t.uid";

/// One project by id; no row when there is none.
pub(in crate::neo4j) fn get_project(id: ProjectId) -> Query {
    neo4rs::query(&format!("MATCH (p:Project {{uid: $uid}}) {RETURN_PROJECT}")).param("uid", id_param(id))
}

/// The number of projects stored.
pub(in crate::neo4j) const COUNT_PROJECTS: &str = "MATCH (p:Project) RETURN count(p) AS n";

/// One page of projects, read along the `created_at` index in list order
/// (see the task list for why the hint), or from the parent's
/// relationships for a list by parent; values are parameters only.
pub(in crate::neo4j) fn list_projects(filter: &ProjectFilter, page: PageRequest) -> Query {
    let mut conditions: Vec<&str> = Vec::new();
    let mut params: Vec<(&str, BoltType)> = Vec::new();
    if let Some(after) = page.after {
        conditions.push("p.created_at >= $after_at AND (p.created_at > $after_at OR p.uid > $after_uid)");
        params.push(("after_at", datetime_param(after.created_at)));
        params.push(("after_uid", id_param(after.uid.hyphenated())));
    } else {
        conditions.push("p.created_at IS NOT NULL");
    }
    if let Some(status) = filter.status {
        conditions.push("p.status = $status");
        params.push(("status", BoltType::from(status.as_str())));
    }
    // By parent: its sub-projects, walked from it and sorted (a parent has
    // few); else every project, along the `created_at` index.
    let source = match filter.parent_id {
        Some(parent) => {
            params.push(("parent_id", id_param(parent)));
            "MATCH (:Project {uid: $parent_id})<-[:IS_SUBPROJECT_OF]-(p:Project)"
        }
        None => "MATCH (p:Project) USING INDEX p:Project(created_at)",
    };
    params.push(("limit", BoltType::from(i64::from(page.limit()) + 1)));
    let text = format!(
        "{source} WHERE {} \
         WITH p ORDER BY p.created_at, p.uid LIMIT $limit {RETURN_PROJECT} ORDER BY p.created_at, p.uid",
        conditions.join(" AND ")
    );
    params.into_iter().fold(neo4rs::query(&text), |query, (key, value)| query.param(key, value))
}
