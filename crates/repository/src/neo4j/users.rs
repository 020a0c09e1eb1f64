//! [`UserRepository`] on Neo4j.

use async_trait::async_trait;
use neo4rs::{BoltType, Txn};
use trm_domain::{DomainEvent, EntityKind, EventMetadata, Page, PageRequest, Task, Timestamp, User, UserId};

use super::errors::driver_error;
use super::events::append;
use super::queries::{CREATE_USER, DELETE_USER, LOCK_USER, UNASSIGN_TASKS, UPDATE_USER};
use super::transactions::{fetch_all, locked_version, txn_fetch_all};
use super::values::{column_integer, column_uuid, datetime_param, id_param, task_from_row, user_from_row, user_props};
use super::{Neo4jStore, queries};
use crate::error::StoreError;
use crate::ports::{Cascade, UserFilter, UserRepository};
use crate::rules::check_version;

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
    check_version(locked_version(txn, LOCK_USER, id.to_string()).await?, expected, EntityKind::User)
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
    metadata: Option<&EventMetadata>,
) -> Result<Cascade<Task>, StoreError> {
    check_user_version(txn, id, expected_version).await?;
    let query = neo4rs::query(UNASSIGN_TASKS).param("uid", id_param(id)).param("now", datetime_param(now));
    let rows = txn_fetch_all(txn, query, "cannot unassign the user's tasks").await?;
    let uids: Vec<BoltType> =
        rows.iter().map(|row| column_uuid(row, "uid").map(id_param)).collect::<Result<Vec<_>, _>>()?;
    let query = neo4rs::query(DELETE_USER).param("uid", id_param(id));
    txn.run(query).await.map_err(driver_error("cannot delete the user"))?;
    let affected = if uids.is_empty() {
        Vec::new()
    } else {
        let query = queries::tasks_in_list_order(uids);
        let rows = txn_fetch_all(txn, query, "cannot read the unassigned tasks").await?;
        rows.iter().map(task_from_row).collect::<Result<Vec<Task>, StoreError>>()?
    };
    let events =
        metadata.map(|metadata| DomainEvent::user_deleted(*id.as_uuid(), &affected, metadata)).unwrap_or_default();
    append(txn, &events).await?;
    Ok(Cascade { affected, events })
}

#[async_trait]
impl UserRepository for Neo4jStore {
    async fn create_user(&self, user: &User, events: &[DomainEvent]) -> Result<(), StoreError> {
        let user = user.clone();
        let events = events.to_vec();
        self.write("create a user", move |txn| {
            let (user, events) = (user.clone(), events.clone());
            Box::pin(async move {
                create(txn, &user).await?;
                append(txn, &events).await
            })
        })
        .await
    }

    async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let graph = self.graph();
        self.read("read a user", async move {
            let query = queries::get_user(id);
            let rows = fetch_all(graph, query, "cannot look the user up").await?;
            rows.first().map(user_from_row).transpose()
        })
        .await
    }

    async fn list_users(&self, filter: &UserFilter, page: PageRequest) -> Result<Page<User>, StoreError> {
        let graph = self.graph();
        let query = queries::list_users(filter, page);
        self.read("list users", async move {
            let rows = fetch_all(graph, query, "cannot list users").await?;
            let users = rows.iter().map(user_from_row).collect::<Result<Vec<_>, _>>()?;
            Ok(Page::from_overfetched(users, page, User::cursor))
        })
        .await
    }

    async fn update_user(&self, user: &User, events: &[DomainEvent]) -> Result<(), StoreError> {
        let user = user.clone();
        let events = events.to_vec();
        self.write("update a user", move |txn| {
            let (user, events) = (user.clone(), events.clone());
            Box::pin(async move {
                update(txn, &user).await?;
                append(txn, &events).await
            })
        })
        .await
    }

    async fn delete_user(
        &self,
        id: UserId,
        expected_version: Option<u64>,
        now: Timestamp,
        metadata: Option<EventMetadata>,
    ) -> Result<Cascade<Task>, StoreError> {
        self.write("delete a user", move |txn| {
            let metadata = metadata.clone();
            Box::pin(async move { delete(txn, id, expected_version, now, metadata.as_ref()).await })
        })
        .await
    }

    async fn count_users(&self) -> Result<u64, StoreError> {
        let graph = self.graph();
        self.read("count users", async move {
            let rows = fetch_all(graph, neo4rs::query(queries::COUNT_USERS), "cannot count users").await?;
            let row = rows.first().ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("count returned no row")))?;
            Ok(u64::try_from(column_integer(row, "n")?).unwrap_or_default())
        })
        .await
    }
}
