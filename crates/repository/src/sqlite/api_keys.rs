//! [`ApiKeyRepository`] on SQLite.
//!
//! One row per key in `api_keys` (migration `0003`). The unique index on
//! `key_hash` is what every authentication reads through; the partial
//! unique index on `name WHERE revoked_at IS NULL` makes names unique among
//! active keys in the database itself, so it holds across processes — the
//! `keys` CLI and a running server share the file.

use async_trait::async_trait;
use rusqlite::{OptionalExtension as _, Row};
use trm_domain::{ApiKey, ApiKeyId, EntityKind, KeyHash, KeyName, KeyScope, Timestamp};

use super::rows::{optional_timestamp_at, parsed, timestamp_at, uuid_at};
use super::{SqliteStore, count_rows, unexpected};
use crate::error::StoreError;
use crate::ports::{ApiKeyRepository, KeySelector};

/// The columns, in the order [`key_from_row`] reads them.
const COLUMNS: &str = "id, name, scope, created_at, revoked_at";

fn key_from_row(row: &Row<'_>) -> rusqlite::Result<ApiKey> {
    let name: String = row.get(1)?;
    let scope: String = row.get(2)?;
    Ok(ApiKey {
        id: ApiKeyId::from_uuid(uuid_at(row, 0)?),
        name: parsed(1, KeyName::parse(&name))?,
        scope: parsed(2, scope.parse::<KeyScope>())?,
        created_at: timestamp_at(row, 3)?,
        revoked_at: optional_timestamp_at(row, 4)?,
    })
}

/// Translates an insert error, recognising the active-name index.
fn create_error(error: rusqlite::Error) -> StoreError {
    match &error {
        rusqlite::Error::SqliteFailure(code, Some(message))
            if code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE && message.contains("api_keys.name") =>
        {
            StoreError::Duplicate("name")
        }
        _ => unexpected("cannot insert the API key")(error),
    }
}

#[async_trait]
impl ApiKeyRepository for SqliteStore {
    async fn create_key(&self, key: &ApiKey, hash: &KeyHash) -> Result<(), StoreError> {
        let (key, hash) = (key.clone(), hash.as_str().to_owned());
        self.write(move |tx| {
            tx.prepare_cached(
                "INSERT INTO api_keys (id, name, scope, key_hash, created_at, revoked_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut insert| {
                insert.execute(rusqlite::params![
                    key.id.to_string(),
                    key.name.as_str(),
                    key.scope.as_str(),
                    hash,
                    key.created_at.as_micros(),
                    key.revoked_at.map(|at| at.as_micros()),
                ])
            })
            .map_err(create_error)?;
            Ok(())
        })
        .await
    }

    async fn find_active_key(&self, hash: &KeyHash) -> Result<Option<ApiKey>, StoreError> {
        let hash = hash.as_str().to_owned();
        self.read(move |conn| {
            let sql = format!("SELECT {COLUMNS} FROM api_keys WHERE key_hash = ?1 AND revoked_at IS NULL");
            conn.prepare_cached(&sql)
                .and_then(|mut select| select.query_row([&hash], key_from_row).optional())
                .map_err(unexpected("cannot look the API key up"))
        })
        .await
    }

    async fn list_keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        self.read(|conn| {
            let sql = format!("SELECT {COLUMNS} FROM api_keys ORDER BY created_at, id");
            conn.prepare_cached(&sql)
                .and_then(|mut select| select.query_map([], key_from_row)?.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(unexpected("cannot list the API keys"))
        })
        .await
    }

    async fn revoke_key(&self, which: &KeySelector, now: Timestamp) -> Result<ApiKey, StoreError> {
        let (column, value) = match which {
            KeySelector::Id(id) => ("id", id.to_string()),
            KeySelector::Name(name) => ("name", name.as_str().to_owned()),
        };
        let sql = format!(
            "UPDATE api_keys SET revoked_at = ?1 WHERE {column} = ?2 AND revoked_at IS NULL RETURNING {COLUMNS}"
        );
        self.write(move |tx| {
            tx.prepare_cached(&sql)
                .and_then(|mut update| {
                    update.query_row(rusqlite::params![now.as_micros(), value], key_from_row).optional()
                })
                .map_err(unexpected("cannot revoke the API key"))?
                .ok_or(StoreError::NotFound(EntityKind::ApiKey))
        })
        .await
    }

    async fn count_active_keys(&self) -> Result<u64, StoreError> {
        count_rows(self, "SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL").await
    }
}
