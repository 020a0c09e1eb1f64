//! Users: lock, writes, reads, the unassigning delete and the count.

use neo4rs::{BoltType, Query};
use trm_domain::{PageRequest, UserId};

use super::RETURN_TASK;
use crate::neo4j::values::{datetime_param, id_param};
use crate::ports::UserFilter;

/// Returns a user as a map `user`, from a query that bound it to `u`.
pub(in crate::neo4j) const RETURN_USER: &str = "RETURN u {.*} AS user";

/// Takes the user's write lock, then reads its version (see [`crate::neo4j::transactions`]).
/// Holding the lock also keeps tasks from being assigned to the user until
/// the transaction ends.
pub(in crate::neo4j) const LOCK_USER: &str =
    "MATCH (u:User {uid: $uid}) SET u.version = u.version + 1 RETURN u.version - 1 AS version";

/// Stores a new user node.
pub(in crate::neo4j) const CREATE_USER: &str = "CREATE (u:User) SET u += $props";

/// Overwrites a user's properties; `null`s remove properties.
pub(in crate::neo4j) const UPDATE_USER: &str = "MATCH (u:User {uid: $uid}) SET u += $props";

/// Unassigns the user's tasks, each one version on and updated at `$now`
/// (unless already later); returns their uids.
pub(in crate::neo4j) const UNASSIGN_TASKS: &str = "MATCH (:User {uid: $uid})<-[assigned:ASSIGNED_TO]-(t:Task) \
     DELETE assigned \
     SET t.version = t.version + 1, \
         t.updated_at = CASE WHEN t.updated_at > $now THEN t.updated_at ELSE $now END \
     RETURN t.uid AS uid";

/// Deletes the user with whatever relationships remain.
pub(in crate::neo4j) const DELETE_USER: &str = "MATCH (u:User {uid: $uid}) DETACH DELETE u";

/// The tasks with the uids `$uids`, whole, in list order: the tasks a
/// user's delete unassigned, as they now are.
pub(in crate::neo4j) fn tasks_in_list_order(uids: Vec<BoltType>) -> Query {
    neo4rs::query(&format!(
        "MATCH (t:Task) WHERE t.uid IN $uids WITH t ORDER BY t.created_at, t.uid {RETURN_TASK} \
         ORDER BY t.created_at, t.uid"
    ))
    .param("uids", BoltType::List(uids.into()))
}

/// One user by id; no row when there is none.
pub(in crate::neo4j) fn get_user(id: UserId) -> Query {
    neo4rs::query(&format!("MATCH (u:User {{uid: $uid}}) {RETURN_USER}")).param("uid", id_param(id))
}

/// The number of users stored.
pub(in crate::neo4j) const COUNT_USERS: &str = "MATCH (u:User) RETURN count(u) AS n";

/// One page of users, read along the `created_at` index in list order (see
/// the task list for why the hint); values are parameters only.
pub(in crate::neo4j) fn list_users(filter: &UserFilter, page: PageRequest) -> Query {
    let mut conditions: Vec<&str> = Vec::new();
    let mut params: Vec<(&str, BoltType)> = Vec::new();
    if let Some(after) = page.after {
        conditions.push("u.created_at >= $after_at AND (u.created_at > $after_at OR u.uid > $after_uid)");
        params.push(("after_at", datetime_param(after.created_at)));
        params.push(("after_uid", id_param(after.uid.hyphenated())));
    } else {
        conditions.push("u.created_at IS NOT NULL");
    }
    if let Some(active) = filter.is_active {
        conditions.push("u.is_active = $is_active");
        params.push(("is_active", BoltType::from(active)));
    }
    params.push(("limit", BoltType::from(i64::from(page.limit()) + 1)));
    let text = format!(
        "MATCH (u:User) USING INDEX u:User(created_at) WHERE {} \
         WITH u ORDER BY u.created_at, u.uid LIMIT $limit {RETURN_USER} ORDER BY u.created_at, u.uid",
        conditions.join(" AND ")
    );
    params.into_iter().fold(neo4rs::query(&text), |query, (key, value)| query.param(key, value))
}
