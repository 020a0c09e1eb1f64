//! [`ApiKeyRepository`] on Neo4j.
//!
//! One `ApiKey` node per key: `id`, `name`, `scope`, `key_hash`,
//! `created_at` and `revoked_at` (integers of microseconds, as for
//! idempotency keys: operational records, compared and ordered only), and
//! `active_name` — the name again, *only while the key is active*. Neo4j
//! has no partial uniqueness constraint, so names are kept unique among
//! active keys by a uniqueness constraint on `active_name`, which a revoke
//! removes; nodes without the property are not constrained. `key_hash` and
//! `id` are unique too (see [`super::schema`]), and the hash's constraint is
//! the index every authentication reads through.

use async_trait::async_trait;
use neo4rs::{BoltType, Row, Txn};
use trm_domain::{ApiKey, ApiKeyId, EntityKind, KeyHash, KeyName, KeyScope, Timestamp};

use super::errors::driver_error;
use super::transactions::{fetch_all, txn_fetch_all};
use super::values::{column_integer, column_uuid};
use super::{Neo4jStore, queries};
use crate::error::StoreError;
use crate::ports::{ApiKeyRepository, KeySelector};

fn corrupt(column: &str, what: impl std::fmt::Display) -> StoreError {
    StoreError::Unexpected(anyhow::anyhow!("corrupt stored value ApiKey.{column}: {what}"))
}

fn column_text(row: &Row, column: &str) -> Result<String, StoreError> {
    row.get::<String>(column).map_err(|error| corrupt(column, error))
}

fn column_timestamp(row: &Row, column: &str) -> Result<Timestamp, StoreError> {
    Timestamp::from_micros(column_integer(row, column)?).ok_or_else(|| corrupt(column, "out of range"))
}

fn key_from_row(row: &Row) -> Result<ApiKey, StoreError> {
    let revoked_at = match row.get::<BoltType>("revoked_at") {
        Ok(BoltType::Null(_)) => None,
        _ => Some(column_timestamp(row, "revoked_at")?),
    };
    Ok(ApiKey {
        id: ApiKeyId::from_uuid(column_uuid(row, "id")?),
        name: KeyName::parse(&column_text(row, "name")?).map_err(|error| corrupt("name", error))?,
        scope: column_text(row, "scope")?.parse::<KeyScope>().map_err(|error| corrupt("scope", error))?,
        created_at: column_timestamp(row, "created_at")?,
        revoked_at,
    })
}

/// Translates a create error, recognising the active-name constraint.
fn create_error(error: neo4rs::Error) -> StoreError {
    match &error {
        neo4rs::Error::Neo4j(neo4j)
            if neo4j.code() == "Neo.ClientError.Schema.ConstraintValidationFailed"
                && neo4j.message().contains("active_name") =>
        {
            StoreError::Duplicate("name")
        }
        _ => driver_error("cannot create the API key")(error),
    }
}

/// The body of a revoke: set `revoked_at`, drop `active_name`, read it back.
async fn revoke(txn: &mut Txn, which: KeySelector, now: i64) -> Result<ApiKey, StoreError> {
    let query = queries::revoke_key(&which, now);
    let rows = txn_fetch_all(txn, query, "cannot revoke the API key").await?;
    rows.first().map(key_from_row).transpose()?.ok_or(StoreError::NotFound(EntityKind::ApiKey))
}

#[async_trait]
impl ApiKeyRepository for Neo4jStore {
    async fn create_key(&self, key: &ApiKey, hash: &KeyHash) -> Result<(), StoreError> {
        let query = neo4rs::query(queries::CREATE_KEY)
            .param("id", key.id.to_string())
            .param("name", key.name.as_str())
            .param("scope", key.scope.as_str())
            .param("key_hash", hash.as_str())
            .param("created_at", key.created_at.as_micros());
        // A key is created active; one created revoked (an import, say) is
        // revoked in the same transaction.
        let revoked_at = key.revoked_at.map(|at| at.as_micros());
        let id = key.id;
        self.write("create an API key", move |txn| {
            let query = query.clone();
            Box::pin(async move {
                txn.run(query).await.map_err(create_error)?;
                if let Some(at) = revoked_at {
                    revoke(txn, KeySelector::Id(id), at).await?;
                }
                Ok(())
            })
        })
        .await
    }

    async fn find_active_key(&self, hash: &KeyHash) -> Result<Option<ApiKey>, StoreError> {
        let graph = self.graph();
        let query = queries::find_active_key(hash.as_str());
        self.read("look an API key up", async move {
            let rows = fetch_all(graph, query, "cannot look the API key up").await?;
            rows.first().map(key_from_row).transpose()
        })
        .await
    }

    async fn list_keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        let graph = self.graph();
        let query = queries::list_keys();
        self.read("list the API keys", async move {
            let rows = fetch_all(graph, query, "cannot list the API keys").await?;
            rows.iter().map(key_from_row).collect()
        })
        .await
    }

    async fn revoke_key(&self, which: &KeySelector, now: Timestamp) -> Result<ApiKey, StoreError> {
        let (which, now) = (which.clone(), now.as_micros());
        self.write("revoke an API key", move |txn| Box::pin(revoke(txn, which.clone(), now))).await
    }

    async fn count_active_keys(&self) -> Result<u64, StoreError> {
        let graph = self.graph();
        // Counted through the `active_name` constraint's index.
        let query = neo4rs::query(queries::COUNT_ACTIVE_KEYS);
        self.read("count the active API keys", async move {
            let rows = fetch_all(graph, query, "cannot count the API keys").await?;
            let row = rows.first().ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("count returned no row")))?;
            Ok(u64::try_from(column_integer(row, "n")?).unwrap_or_default())
        })
        .await
    }
}
