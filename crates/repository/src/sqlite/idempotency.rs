//! [`IdempotencyRepository`] on SQLite.
//!
//! One row per `(scope, key)`, the table's primary key. A claim is one
//! immediate transaction on the single writer: purge what expired, `INSERT
//! OR IGNORE` the claim, and read back the row when the insert was ignored.
//! The primary key, not the writer's mutex, is what makes a claim unique, so
//! the rule holds for several processes sharing one database file too.
//! The purge deletes every expired entry (through the `created_at` index)
//! and this key's entry if its claim was abandoned (see
//! [`IDEMPOTENCY_LEASE_MICROS`]).

use async_trait::async_trait;
use rusqlite::OptionalExtension as _;
use trm_domain::Timestamp;

use super::{SqliteStore, unexpected};
use crate::error::StoreError;
use crate::ports::{Claim, IDEMPOTENCY_LEASE_MICROS, IDEMPOTENCY_TTL_MICROS, IdempotencyRepository, StoredResponse};

/// The stored fingerprint and, once complete, the response.
type Row = (String, Option<i64>, Option<String>, Option<String>, Option<String>);

#[async_trait]
impl IdempotencyRepository for SqliteStore {
    async fn claim(&self, scope: &str, key: &str, fingerprint: &str, now: Timestamp) -> Result<Claim, StoreError> {
        let (scope, key, fingerprint) = (scope.to_owned(), key.to_owned(), fingerprint.to_owned());
        let now = now.as_micros();
        self.write(move |tx| {
            tx.prepare_cached(
                "DELETE FROM idempotency_keys WHERE created_at <= ?1 \
                 OR (scope = ?3 AND key = ?4 AND status IS NULL AND created_at <= ?2)",
            )
            .and_then(|mut purge| {
                purge.execute(rusqlite::params![
                    now.saturating_sub(IDEMPOTENCY_TTL_MICROS),
                    now.saturating_sub(IDEMPOTENCY_LEASE_MICROS),
                    scope,
                    key
                ])
            })
            .map_err(unexpected("cannot purge expired idempotency keys"))?;
            let inserted = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO idempotency_keys (scope, key, fingerprint, created_at) \
                     VALUES (?1, ?2, ?3, ?4)",
                )
                .and_then(|mut insert| insert.execute(rusqlite::params![scope, key, fingerprint, now]))
                .map_err(unexpected("cannot claim the idempotency key"))?;
            if inserted == 1 {
                return Ok(Claim::Claimed);
            }
            let row: Option<Row> = tx
                .prepare_cached(
                    "SELECT fingerprint, status, location, etag, body FROM idempotency_keys \
                     WHERE scope = ?1 AND key = ?2",
                )
                .and_then(|mut select| {
                    select
                        .query_row([&scope, &key], |row| {
                            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?))
                        })
                        .optional()
                })
                .map_err(unexpected("cannot read the idempotency key"))?;
            Ok(match row {
                // Gone between insert and read cannot happen in one transaction.
                None => Claim::InProgress,
                Some((stored, ..)) if stored != fingerprint => Claim::Mismatch,
                Some((_, Some(status), location, etag, body)) => Claim::Replay(StoredResponse {
                    status: u16::try_from(status).unwrap_or(200),
                    location,
                    etag,
                    body: body.unwrap_or_default(),
                }),
                Some(_) => Claim::InProgress,
            })
        })
        .await
    }

    async fn complete(&self, scope: &str, key: &str, response: &StoredResponse) -> Result<(), StoreError> {
        let (scope, key, response) = (scope.to_owned(), key.to_owned(), response.clone());
        self.write(move |tx| {
            tx.prepare_cached(
                "UPDATE idempotency_keys SET status = ?3, location = ?4, etag = ?5, body = ?6 \
                 WHERE scope = ?1 AND key = ?2",
            )
            .and_then(|mut update| {
                update.execute(rusqlite::params![
                    scope,
                    key,
                    i64::from(response.status),
                    response.location,
                    response.etag,
                    response.body
                ])
            })
            .map_err(unexpected("cannot store the idempotent response"))?;
            Ok(())
        })
        .await
    }

    async fn release(&self, scope: &str, key: &str) -> Result<(), StoreError> {
        let (scope, key) = (scope.to_owned(), key.to_owned());
        self.write(move |tx| {
            tx.prepare_cached("DELETE FROM idempotency_keys WHERE scope = ?1 AND key = ?2 AND status IS NULL")
                .and_then(|mut delete| delete.execute([&scope, &key]))
                .map_err(unexpected("cannot release the idempotency key"))?;
            Ok(())
        })
        .await
    }
}
