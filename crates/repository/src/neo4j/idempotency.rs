//! [`IdempotencyRepository`] on Neo4j.
//!
//! One `IdempotencyKey` node per `(scope, key)`, identified by `key_id` (the
//! scope and the key joined by a newline, which no header value contains)
//! under a uniqueness constraint (see [`super::schema`]). A claim `MERGE`s
//! the node: with the constraint, Neo4j locks the key while it looks, so of
//! two racing claims one creates the node and the other finds it. Which one
//! created it is told by a random token set only `ON CREATE`. Should both
//! still try to create it, the loser's constraint violation is a retryable
//! concurrent change, and its retry finds the winner's node.
//!
//! `created_at` is an integer of microseconds: the entry's age is all that
//! matters, and an integer compares without time-zone conversions. Expired
//! entries are deleted by the next claims, a bounded batch at a time.

use async_trait::async_trait;
use neo4rs::{BoltNull, BoltType, Row, Txn};
use trm_domain::Timestamp;

use super::Neo4jStore;
use super::errors::{ConcurrentChange, driver_error, driver_error_or_concurrent_delete};
use super::queries::{
    CLAIM_IDEMPOTENCY_KEY, COMPLETE_IDEMPOTENCY_KEY, PURGE_IDEMPOTENCY_KEYS, RELEASE_IDEMPOTENCY_KEY,
};
use super::transactions::txn_fetch_all_with;
use crate::error::StoreError;
use crate::ports::{Claim, IDEMPOTENCY_LEASE_MICROS, IDEMPOTENCY_TTL_MICROS, IdempotencyRepository, StoredResponse};

/// The node's identity.
fn key_id(scope: &str, key: &str) -> String {
    format!("{scope}\n{key}")
}

fn optional_text(value: Option<String>) -> BoltType {
    value.map_or(BoltType::Null(BoltNull), BoltType::from)
}

/// A lost creation race (the constraint refused the second node) is a
/// concurrent change: the transaction runs again and finds the node.
fn claim_error(context: &'static str) -> impl Fn(neo4rs::Error) -> StoreError + Copy {
    move |error| match &error {
        neo4rs::Error::Neo4j(neo4j) if neo4j.code() == "Neo.ClientError.Schema.ConstraintValidationFailed" => {
            StoreError::Unavailable(anyhow::Error::new(error).context(ConcurrentChange(context)))
        }
        _ => driver_error(context)(error),
    }
}

fn column<'r, T: serde::Deserialize<'r>>(row: &'r Row, name: &str) -> Result<T, StoreError> {
    row.get(name)
        .map_err(|error| StoreError::Unexpected(anyhow::anyhow!("corrupt stored value IdempotencyKey.{name}: {error}")))
}

/// The body of a claim.
async fn claim(txn: &mut Txn, id: String, fingerprint: String, now: i64, token: String) -> Result<Claim, StoreError> {
    let purge = neo4rs::query(PURGE_IDEMPOTENCY_KEYS)
        .param("key_id", id.clone())
        .param("cutoff", now.saturating_sub(IDEMPOTENCY_TTL_MICROS))
        .param("lease_cutoff", now.saturating_sub(IDEMPOTENCY_LEASE_MICROS));
    txn.run(purge).await.map_err(driver_error_or_concurrent_delete("cannot purge expired idempotency keys"))?;
    let query = neo4rs::query(CLAIM_IDEMPOTENCY_KEY)
        .param("key_id", id)
        .param("fingerprint", fingerprint.clone())
        .param("now", now)
        .param("token", token);
    let rows = txn_fetch_all_with(txn, query, claim_error("cannot claim the idempotency key")).await?;
    let row = rows.first().ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("MERGE returned no row")))?;
    if column::<Option<bool>>(row, "claimed")?.unwrap_or(false) {
        return Ok(Claim::Claimed);
    }
    if column::<String>(row, "fingerprint")? != fingerprint {
        return Ok(Claim::Mismatch);
    }
    Ok(match column::<Option<i64>>(row, "status")? {
        None => Claim::InProgress,
        Some(status) => Claim::Replay(StoredResponse {
            status: u16::try_from(status).unwrap_or(200),
            location: column(row, "location")?,
            etag: column(row, "etag")?,
            body: column::<Option<String>>(row, "body")?.unwrap_or_default(),
        }),
    })
}

#[async_trait]
impl IdempotencyRepository for Neo4jStore {
    async fn claim(&self, scope: &str, key: &str, fingerprint: &str, now: Timestamp) -> Result<Claim, StoreError> {
        let id = key_id(scope, key);
        let fingerprint = fingerprint.to_owned();
        let now = now.as_micros();
        let token = uuid::Uuid::new_v4().to_string();
        self.write("claim an idempotency key", move |txn| {
            Box::pin(claim(txn, id.clone(), fingerprint.clone(), now, token.clone()))
        })
        .await
    }

    async fn complete(&self, scope: &str, key: &str, response: &StoredResponse) -> Result<(), StoreError> {
        let id = key_id(scope, key);
        let response = response.clone();
        self.write("store an idempotent response", move |txn| {
            let query = neo4rs::query(COMPLETE_IDEMPOTENCY_KEY)
                .param("key_id", id.clone())
                .param("status", i64::from(response.status))
                .param("location", optional_text(response.location.clone()))
                .param("etag", optional_text(response.etag.clone()))
                .param("body", response.body.clone());
            Box::pin(async move { txn.run(query).await.map_err(driver_error("cannot store the idempotent response")) })
        })
        .await
    }

    async fn release(&self, scope: &str, key: &str) -> Result<(), StoreError> {
        let id = key_id(scope, key);
        self.write("release an idempotency key", move |txn| {
            let query = neo4rs::query(RELEASE_IDEMPOTENCY_KEY).param("key_id", id.clone());
            Box::pin(async move {
                txn.run(query).await.map_err(driver_error_or_concurrent_delete("cannot release the idempotency key"))
            })
        })
        .await
    }
}
