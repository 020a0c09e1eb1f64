//! [`UserRepository`] on SQLite.

use async_trait::async_trait;
use rusqlite::types::Value;
use rusqlite::{Transaction, params_from_iter};
use trm_domain::{DomainEvent, EntityKind, EventMetadata, Page, PageRequest, Task, Timestamp, User, UserId};

use super::events::{append, encode};
use super::rows::{
    TASK_COLUMNS, USER_COLUMNS, optional_value, placeholders, task_from_row, user_from_row, user_values,
};
use super::{SqliteStore, unexpected};
use crate::error::StoreError;
use crate::ports::{Cascade, UserFilter, UserRepository};
use crate::rules::check_version;

/// Translates a write error, recognising the case-insensitive unique index
/// on usernames.
fn user_write_error(context: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |error| match &error {
        rusqlite::Error::SqliteFailure(code, _) if code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE => {
            StoreError::Duplicate("username")
        }
        _ => unexpected(context)(error),
    }
}

fn check_user_version(tx: &Transaction<'_>, id: UserId, expected: Option<u64>) -> Result<(), StoreError> {
    let stored: Option<i64> = optional_value(tx, "SELECT version FROM users WHERE uid = ?1", &id.to_string())
        .map_err(unexpected("cannot read the user's version"))?;
    check_version(stored, expected, EntityKind::User)
}

#[async_trait]
impl UserRepository for SqliteStore {
    async fn create_user(&self, user: &User, events: &[DomainEvent]) -> Result<(), StoreError> {
        let values = user_values(user);
        let events = encode(events)?;
        self.write(move |tx| {
            let sql = format!("INSERT INTO users ({USER_COLUMNS}) VALUES ({})", placeholders(8));
            tx.prepare_cached(&sql)
                .and_then(|mut insert| insert.execute(params_from_iter(&values)))
                .map_err(user_write_error("cannot insert the user"))?;
            append(tx, &events)
        })
        .await
    }

    async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        self.read(move |conn| {
            let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE uid = ?1");
            let mut select = conn.prepare_cached(&sql).map_err(unexpected("cannot prepare the user lookup"))?;
            let mut rows = select.query([id.to_string()]).map_err(unexpected("cannot look the user up"))?;
            rows.next().and_then(|row| row.map(user_from_row).transpose()).map_err(unexpected("cannot read the user"))
        })
        .await
    }

    async fn list_users(&self, filter: &UserFilter, page: PageRequest) -> Result<Page<User>, StoreError> {
        let mut conditions = Vec::new();
        let mut params = Vec::new();
        if let Some(active) = filter.is_active {
            params.push(Value::Integer(i64::from(active)));
            conditions.push(format!("is_active = ?{}", params.len()));
        }
        if let Some(after) = page.after {
            params.push(Value::Integer(after.created_at.as_micros()));
            params.push(Value::Text(after.uid.hyphenated().to_string()));
            conditions.push(format!("(created_at, uid) > (?{}, ?{})", params.len() - 1, params.len()));
        }
        params.push(Value::Integer(i64::from(page.limit()) + 1));
        let filter_sql =
            if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
        let sql =
            format!("SELECT {USER_COLUMNS} FROM users {filter_sql} ORDER BY created_at, uid LIMIT ?{}", params.len());
        self.read(move |conn| {
            let mut select = conn.prepare_cached(&sql).map_err(unexpected("cannot prepare the user list"))?;
            let rows = select
                .query_map(params_from_iter(params), user_from_row)
                .and_then(Iterator::collect::<rusqlite::Result<Vec<User>>>)
                .map_err(unexpected("cannot list users"))?;
            Ok(Page::from_overfetched(rows, page, User::cursor))
        })
        .await
    }

    async fn update_user(&self, user: &User, events: &[DomainEvent]) -> Result<(), StoreError> {
        let events = encode(events)?;
        let id = user.uid;
        let expected = user.version.saturating_sub(1);
        let values = user_values(user);
        self.write(move |tx| {
            check_user_version(tx, id, Some(expected))?;
            let assignments: Vec<String> = USER_COLUMNS
                .split(", ")
                .enumerate()
                .skip(1)
                .map(|(i, column)| format!("{column} = ?{}", i + 1))
                .collect();
            let sql = format!("UPDATE users SET {} WHERE uid = ?1", assignments.join(", "));
            tx.prepare_cached(&sql)
                .and_then(|mut update| update.execute(params_from_iter(&values)))
                .map_err(user_write_error("cannot update the user"))?;
            append(tx, &events)
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
        self.write(move |tx| {
            check_user_version(tx, id, expected_version)?;
            let uid = id.to_string();
            let assigned: Vec<String> = tx
                .prepare_cached("SELECT uid FROM tasks WHERE assignee_id = ?1 ORDER BY created_at, uid")
                .and_then(|mut select| select.query_map([&uid], |row| row.get(0))?.collect())
                .map_err(unexpected("cannot list the user's tasks"))?;
            tx.prepare_cached(
                "UPDATE tasks SET assignee_id = NULL, version = version + 1, updated_at = max(updated_at, ?2) \
                 WHERE assignee_id = ?1",
            )
            .and_then(|mut update| update.execute(rusqlite::params![uid, now.as_micros()]))
            .map_err(unexpected("cannot unassign the user's tasks"))?;
            tx.prepare_cached("DELETE FROM users WHERE uid = ?1")
                .and_then(|mut delete| delete.execute([&uid]))
                .map_err(unexpected("cannot delete the user"))?;
            let select = format!("SELECT {TASK_COLUMNS} FROM tasks WHERE uid = ?1");
            let mut statement = tx.prepare_cached(&select).map_err(unexpected("cannot prepare the task lookup"))?;
            let affected = assigned
                .iter()
                .map(|task| {
                    statement.query_row([task], task_from_row).map_err(unexpected("cannot read an unassigned task"))
                })
                .collect::<Result<Vec<Task>, StoreError>>()?;
            let affected = super::task_graph::with_blockers(tx, affected)?;
            let events = metadata
                .as_ref()
                .map(|metadata| DomainEvent::user_deleted(*id.as_uuid(), &affected, metadata))
                .unwrap_or_default();
            append(tx, &encode(&events)?)?;
            Ok(Cascade { affected, events })
        })
        .await
    }

    async fn count_users(&self) -> Result<u64, StoreError> {
        super::count_rows(self, "SELECT COUNT(*) FROM users").await
    }
}
