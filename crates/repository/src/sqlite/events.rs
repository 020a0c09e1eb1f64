//! The durable event log on SQLite: the `events` table.
//!
//! Writes append their events with [`append`] inside their own
//! transaction (the writer's savepoint, under group commit), so an event is
//! committed exactly when its write is. The table's `AUTOINCREMENT` key is
//! the position: SQLite has one writer, which assigns positions in the
//! order it runs the writes and commits them in that order, so no later
//! commit can place an event below one a reader has already seen.

use async_trait::async_trait;
use rusqlite::types::Value;
use rusqlite::{Row, Transaction, params_from_iter};
use trm_domain::{DomainEvent, EventMetadata, EventPosition, LoggedEvent, Timestamp};
use uuid::Uuid;

use super::rows::{parsed, timestamp_at, uuid_at};
use super::{SqliteStore, unexpected};
use crate::error::StoreError;
use crate::ports::{EventFilter, EventLog};
use crate::rules::position_value;

/// The columns [`event_from_row`] reads, in its order.
const EVENT_COLUMNS: &str = "position, event_id, event_type, timestamp, entity_type, entity_id, data, metadata";

/// A write's events, encoded for their row before the write is queued: the
/// JSON and the text of ids are made by the caller's task, in parallel with
/// other callers, not by the one writer thread every write waits for.
pub(super) struct EncodedEvents(Vec<EventRow>);

/// One `events` row, but for its position (the table assigns it).
struct EventRow {
    event_id: String,
    event_type: String,
    timestamp: i64,
    entity_type: String,
    entity_id: String,
    data: String,
    metadata: String,
}

/// Encodes `events` for [`append`].
pub(super) fn encode(events: &[DomainEvent]) -> Result<EncodedEvents, StoreError> {
    events
        .iter()
        .map(|event| {
            Ok(EventRow {
                event_id: event.event_id.to_string(),
                event_type: event.event_type.clone(),
                timestamp: event.timestamp.as_micros(),
                entity_type: event.entity_type.clone(),
                entity_id: event.entity_id.to_string(),
                data: serde_json::to_string(&event.data).map_err(json_error)?,
                metadata: serde_json::to_string(&event.metadata).map_err(json_error)?,
            })
        })
        .collect::<Result<_, StoreError>>()
        .map(EncodedEvents)
}

/// Stores `events`, in order, in the write's transaction.
pub(super) fn append(tx: &Transaction<'_>, events: &EncodedEvents) -> Result<(), StoreError> {
    if events.0.is_empty() {
        return Ok(());
    }
    let mut insert = tx
        .prepare_cached(
            "INSERT INTO events (event_id, event_type, timestamp, entity_type, entity_id, data, metadata) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(unexpected("cannot prepare the event insert"))?;
    for row in &events.0 {
        insert
            .execute(rusqlite::params![
                row.event_id,
                row.event_type,
                row.timestamp,
                row.entity_type,
                row.entity_id,
                row.data,
                row.metadata,
            ])
            .map_err(unexpected("cannot store an event"))?;
    }
    Ok(())
}

fn json_error(error: serde_json::Error) -> StoreError {
    StoreError::Unexpected(anyhow::Error::new(error).context("cannot encode an event"))
}

fn event_from_row(row: &Row<'_>) -> rusqlite::Result<LoggedEvent> {
    let position: i64 = row.get(0)?;
    let data: String = row.get(6)?;
    let metadata: String = row.get(7)?;
    Ok(LoggedEvent {
        position: EventPosition(parsed(0, u64::try_from(position))?),
        event: DomainEvent {
            event_id: uuid_at(row, 1)?,
            event_type: row.get(2)?,
            timestamp: timestamp_at(row, 3)?,
            entity_type: row.get(4)?,
            entity_id: uuid_at(row, 5)?,
            data: parsed(6, serde_json::from_str(&data))?,
            metadata: parsed::<EventMetadata, _>(7, serde_json::from_str(&metadata))?,
        },
    })
}

/// The `WHERE` conditions of `filter`, with their parameters appended.
fn conditions(filter: &EventFilter, params: &mut Vec<Value>) -> Vec<String> {
    let bind = |params: &mut Vec<Value>, value: String| {
        params.push(Value::Text(value));
        format!("?{}", params.len())
    };
    let mut conditions = Vec::new();
    if !filter.event_types.is_empty() {
        let slots: Vec<String> = filter.event_types.iter().map(|t| bind(params, t.clone())).collect();
        conditions.push(format!("event_type IN ({})", slots.join(", ")));
    }
    if let Some(entity_type) = &filter.entity_type {
        conditions.push(format!("entity_type = {}", bind(params, entity_type.clone())));
    }
    if let Some(entity_id) = filter.entity_id {
        conditions.push(format!("entity_id = {}", bind(params, entity_id.to_string())));
    }
    conditions
}

/// Reads one page of the log: `position_condition` bounds it, `order` is
/// `ASC` or `DESC`.
async fn page(
    store: &SqliteStore,
    filter: &EventFilter,
    position: Option<(&'static str, EventPosition)>,
    order: &'static str,
    limit: u32,
) -> Result<Vec<LoggedEvent>, StoreError> {
    let mut params = Vec::new();
    let mut conditions = conditions(filter, &mut params);
    if let Some((operator, at)) = position {
        params.push(Value::Integer(position_value(at)));
        conditions.push(format!("position {operator} ?{}", params.len()));
    }
    params.push(Value::Integer(i64::from(limit)));
    let filter_sql = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
    let sql =
        format!("SELECT {EVENT_COLUMNS} FROM events {filter_sql} ORDER BY position {order} LIMIT ?{}", params.len());
    store
        .read(move |conn| {
            let mut select = conn.prepare_cached(&sql).map_err(unexpected("cannot prepare the event read"))?;
            select
                .query_map(params_from_iter(params), event_from_row)
                .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
                .map_err(unexpected("cannot read events"))
        })
        .await
}

#[async_trait]
impl EventLog for SqliteStore {
    async fn events_after(
        &self,
        filter: &EventFilter,
        after: EventPosition,
        limit: u32,
    ) -> Result<Vec<LoggedEvent>, StoreError> {
        page(self, filter, Some((">", after)), "ASC", limit).await
    }

    async fn events_before(
        &self,
        filter: &EventFilter,
        before: Option<EventPosition>,
        limit: u32,
    ) -> Result<Vec<LoggedEvent>, StoreError> {
        page(self, filter, before.map(|at| ("<", at)), "DESC", limit).await
    }

    async fn position_of(&self, event_id: Uuid) -> Result<Option<EventPosition>, StoreError> {
        self.read(move |conn| {
            let mut select = conn
                .prepare_cached("SELECT position FROM events WHERE event_id = ?1")
                .map_err(unexpected("cannot prepare the event lookup"))?;
            let mut rows = select.query([event_id.to_string()]).map_err(unexpected("cannot look the event up"))?;
            let position: Option<i64> =
                rows.next().and_then(|row| row.map(|row| row.get(0)).transpose()).map_err(unexpected("cannot read"))?;
            Ok(position.map(|p| EventPosition(u64::try_from(p).unwrap_or_default())))
        })
        .await
    }

    async fn last_position(&self) -> Result<EventPosition, StoreError> {
        self.read(|conn| {
            // The sequence, not the newest row: it never goes back, even
            // when retention pruned the newest events.
            let position: Option<i64> = conn
                .query_row("SELECT max(seq) FROM sqlite_sequence WHERE name = 'events'", [], |row| row.get(0))
                .map_err(unexpected("cannot read the last event position"))?;
            Ok(EventPosition(position.and_then(|p| u64::try_from(p).ok()).unwrap_or_default()))
        })
        .await
    }

    async fn prune(&self, before: Timestamp, limit: u32) -> Result<u64, StoreError> {
        self.write(move |tx| {
            let deleted = tx
                .prepare_cached(
                    "DELETE FROM events WHERE position IN \
                     (SELECT position FROM events WHERE timestamp < ?1 ORDER BY timestamp LIMIT ?2)",
                )
                .and_then(|mut delete| delete.execute(rusqlite::params![before.as_micros(), i64::from(limit)]))
                .map_err(unexpected("cannot prune events"))?;
            Ok(u64::try_from(deleted).unwrap_or_default())
        })
        .await
    }
}
