//! Projects: lock, writes, reads, the cascade's statements and the count.

use neo4rs::{BoltType, Query};
use trm_domain::{EnumAdapter as _, PageRequest, ProjectId};

use crate::neo4j::values::{datetime_param, id_param};
use crate::ports::ProjectFilter;

/// Returns a project as a map `project`, from a query that bound it to `p`.
pub(in crate::neo4j) const RETURN_PROJECT: &str = "RETURN p {.*} AS project";

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

/// Deletes the project's tasks with their relationships.
pub(in crate::neo4j) const DELETE_PROJECT_TASKS: &str =
    "MATCH (:Project {uid: $uid})<-[:IS_PART_OF_PROJECT]-(t:Task) DETACH DELETE t";

/// Deletes the project with its relationships.
pub(in crate::neo4j) const DELETE_PROJECT: &str = "MATCH (p:Project {uid: $uid}) DETACH DELETE p";

/// One project by id; no row when there is none.
pub(in crate::neo4j) fn get_project(id: ProjectId) -> Query {
    neo4rs::query(&format!("MATCH (p:Project {{uid: $uid}}) {RETURN_PROJECT}")).param("uid", id_param(id))
}

/// The number of projects stored.
pub(in crate::neo4j) const COUNT_PROJECTS: &str = "MATCH (p:Project) RETURN count(p) AS n";

/// One page of projects, read along the `created_at` index in list order
/// (see the task list for why the hint); values are parameters only.
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
    params.push(("limit", BoltType::from(i64::from(page.limit()) + 1)));
    let text = format!(
        "MATCH (p:Project) USING INDEX p:Project(created_at) WHERE {} \
         WITH p ORDER BY p.created_at, p.uid LIMIT $limit {RETURN_PROJECT} ORDER BY p.created_at, p.uid",
        conditions.join(" AND ")
    );
    params.into_iter().fold(neo4rs::query(&text), |query, (key, value)| query.param(key, value))
}
