//! [`UserRepository`] on Neo4j.

use async_trait::async_trait;
use neo4rs::{BoltType, Query, Txn};
use trm_domain::{EntityKind, Page, PageRequest, Task, Timestamp, User, UserId};

use super::Neo4jStore;
use super::errors::driver_error;
use super::transactions::{fetch_all, locked_version, txn_fetch_all};
use super::values::{
    RETURN_TASK, RETURN_USER, column_integer, column_uuid, datetime_param, id_param, task_from_row, user_from_row,
    user_props, version_value,
};
use crate::error::StoreError;
use crate::ports::{UserFilter, UserRepository};

/// Takes the user's write lock, then reads its version (see [`super::transactions`]).
/// Holding the lock also keeps tasks from being assigned to the user until
/// the transaction ends.
const LOCK_USER: &str = "MATCH (u:User {uid: $uid}) SET u.version = u.version + 1 RETURN u.version - 1 AS version";

/// Stores a new user node.
const CREATE_USER: &str = "CREATE (u:User) SET u += $props";

/// Overwrites a user's properties; `null`s remove properties.
const UPDATE_USER: &str = "MATCH (u:User {uid: $uid}) SET u += $props";

/// Unassigns the user's tasks, each one version on and updated at `$now`
/// (unless already later); returns their uids.
const UNASSIGN_TASKS: &str = "MATCH (:User {uid: $uid})<-[assigned:ASSIGNED_TO]-(t:Task) \
     DELETE assigned \
     SET t.version = t.version + 1, \
         t.updated_at = CASE WHEN t.updated_at > $now THEN t.updated_at ELSE $now END \
     RETURN t.uid AS uid";

/// Deletes the user with whatever relationships remain.
const DELETE_USER: &str = "MATCH (u:User {uid: $uid}) DETACH DELETE u";

/// Translates a write error, recognising the uniqueness constraints on the
/// username (exact and lower-case) as [`StoreError::Duplicate`].
fn user_write_error(context: &'static str) -> impl Fn(neo4rs::Error) -> StoreError + Copy {
    move |error| match &error {
        neo4rs::Error::Neo4j(neo4j)
            if neo4j.code() == "Neo.ClientError.Schema.ConstraintValidationFailed"
                && neo4j.message().contains("username") =>
        {
            StoreError::Duplicate("username")
        }
        _ => driver_error(context)(error),
    }
}

async fn check_user_version(txn: &mut Txn, id: UserId, expected: Option<u64>) -> Result<(), StoreError> {
    match (locked_version(txn, LOCK_USER, id.to_string()).await?, expected) {
        (None, _) => Err(StoreError::NotFound(EntityKind::User)),
        (Some(stored), Some(expected)) if stored != version_value(expected) => Err(StoreError::VersionConflict),
        _ => Ok(()),
    }
}

/// The body of a create.
async fn create(txn: &mut Txn, user: &User) -> Result<(), StoreError> {
    let query = neo4rs::query(CREATE_USER).param("props", user_props(user));
    txn.run(query).await.map_err(user_write_error("cannot create the user"))
}

/// The body of an update: version check under lock, then the properties.
async fn update(txn: &mut Txn, user: &User) -> Result<(), StoreError> {
    check_user_version(txn, user.uid, Some(user.version.saturating_sub(1))).await?;
    let query = neo4rs::query(UPDATE_USER).param("uid", id_param(user.uid)).param("props", user_props(user));
    txn.run(query).await.map_err(user_write_error("cannot update the user"))
}

/// The body of a delete: version check under the user's lock, the tasks
/// unassigned (and read back as they now are, oldest first), then the user.
async fn delete(
    txn: &mut Txn,
    id: UserId,
    expected_version: Option<u64>,
    now: Timestamp,
) -> Result<Vec<Task>, StoreError> {
    check_user_version(txn, id, expected_version).await?;
    let query = neo4rs::query(UNASSIGN_TASKS).param("uid", id_param(id)).param("now", datetime_param(now));
    let rows = txn_fetch_all(txn, query, "cannot unassign the user's tasks").await?;
    let uids: Vec<BoltType> =
        rows.iter().map(|row| column_uuid(row, "uid").map(id_param)).collect::<Result<Vec<_>, _>>()?;
    let query = neo4rs::query(DELETE_USER).param("uid", id_param(id));
    txn.run(query).await.map_err(driver_error("cannot delete the user"))?;
    if uids.is_empty() {
        return Ok(Vec::new());
    }
    let query = neo4rs::query(&format!(
        "MATCH (t:Task) WHERE t.uid IN $uids WITH t ORDER BY t.created_at, t.uid {RETURN_TASK} \
         ORDER BY t.created_at, t.uid"
    ))
    .param("uids", BoltType::List(uids.into()));
    let rows = txn_fetch_all(txn, query, "cannot read the unassigned tasks").await?;
    rows.iter().map(task_from_row).collect()
}

#[async_trait]
impl UserRepository for Neo4jStore {
    async fn create_user(&self, user: &User) -> Result<(), StoreError> {
        let user = user.clone();
        self.write("create a user", move |txn| {
            let user = user.clone();
            Box::pin(async move { create(txn, &user).await })
        })
        .await
    }

    async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let graph = self.graph();
        self.read("read a user", async move {
            let query =
                neo4rs::query(&format!("MATCH (u:User {{uid: $uid}}) {RETURN_USER}")).param("uid", id_param(id));
            let rows = fetch_all(graph, query, "cannot look the user up").await?;
            rows.first().map(user_from_row).transpose()
        })
        .await
    }

    async fn list_users(&self, filter: &UserFilter, page: PageRequest) -> Result<Page<User>, StoreError> {
        let graph = self.graph();
        let query = list_query(filter, page);
        self.read("list users", async move {
            let rows = fetch_all(graph, query, "cannot list users").await?;
            let users = rows.iter().map(user_from_row).collect::<Result<Vec<_>, _>>()?;
            Ok(Page::from_overfetched(users, page, User::cursor))
        })
        .await
    }

    async fn update_user(&self, user: &User) -> Result<(), StoreError> {
        let user = user.clone();
        self.write("update a user", move |txn| {
            let user = user.clone();
            Box::pin(async move { update(txn, &user).await })
        })
        .await
    }

    async fn delete_user(
        &self,
        id: UserId,
        expected_version: Option<u64>,
        now: Timestamp,
    ) -> Result<Vec<Task>, StoreError> {
        self.write("delete a user", move |txn| Box::pin(delete(txn, id, expected_version, now))).await
    }

    async fn count_users(&self) -> Result<u64, StoreError> {
        let graph = self.graph();
        self.read("count users", async move {
            let rows =
                fetch_all(graph, neo4rs::query("MATCH (u:User) RETURN count(u) AS n"), "cannot count users").await?;
            let row = rows.first().ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("count returned no row")))?;
            Ok(u64::try_from(column_integer(row, "n")?).unwrap_or_default())
        })
        .await
    }
}

/// One page of users, read along the `created_at` index in list order (see
/// the task list for why the hint); values are parameters only.
fn list_query(filter: &UserFilter, page: PageRequest) -> Query {
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
