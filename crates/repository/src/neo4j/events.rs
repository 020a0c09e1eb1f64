//! The durable event log on Neo4j: `(:Event)` nodes, linked from the
//! entity they describe by `GENERATES_EVENT` while it exists, as TRM-OS's
//! own graph model keeps them.
//!
//! # One order without gaps
//! Every write appends its events with [`append`] as the *last* statement
//! of its own transaction. That statement takes the next positions from a
//! single `(:EventSequence)` node by incrementing it — a write Neo4j locks
//! before it reads, and holds until the transaction ends. So a transaction
//! that has taken positions commits (or rolls back) before the next one can
//! take any: positions are assigned in commit order, and a reader that has
//! seen position `p` never later finds a newly committed event below it.
//! The price is that writing transactions serialize on that lock for the
//! span between their last statement and their commit — one short round
//! trip — which group commit shares among a whole batch of writes.
//!
//! The log's Cypher is in `queries::events`.

use async_trait::async_trait;
use neo4rs::{BoltType, Query, Row, Txn};
use trm_domain::{DomainEvent, EventPosition, LoggedEvent, Timestamp};
use uuid::Uuid;

use super::transactions::{fetch_all, txn_fetch_all};
use super::values::{column_integer, column_string, column_timestamp, column_uuid, datetime_param, id_param, map};
use super::{Neo4jStore, queries};
use crate::error::StoreError;
use crate::ports::{EventFilter, EventLog};

/// Stores `events`, in order, in the write's transaction; must be the
/// write's last statement (see the module's docs).
pub(super) async fn append(txn: &mut Txn, events: &[DomainEvent]) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let params = events.iter().map(event_param).collect::<Result<Vec<BoltType>, StoreError>>()?;
    let query = neo4rs::query(queries::APPEND_EVENTS).param("events", params.clone());
    let rows = txn_fetch_all(txn, query, "cannot store the events").await?;
    let mut stored = rows.first().map(|row| column_integer(row, "stored")).transpose()?.unwrap_or_default();
    if stored == 0 {
        // No sequence node: make it, then append again.
        ensure_sequence(txn).await?;
        let query = neo4rs::query(queries::APPEND_EVENTS).param("events", params);
        let rows = txn_fetch_all(txn, query, "cannot store the events").await?;
        stored = rows.first().map(|row| column_integer(row, "stored")).transpose()?.unwrap_or_default();
    }
    if usize::try_from(stored).ok() == Some(events.len()) {
        Ok(())
    } else {
        // Failing rolls the write back rather than acknowledge it without
        // its events.
        Err(StoreError::Unexpected(anyhow::anyhow!("stored {stored} of {} events", events.len())))
    }
}

fn event_param(event: &DomainEvent) -> Result<BoltType, StoreError> {
    // The entity's id under its label's key, null under the others': each
    // OPTIONAL MATCH of `APPEND_EVENTS` seeks one label's index.
    let under = |label: &str| {
        if event.entity_type == label { id_param(event.entity_id) } else { BoltType::Null(neo4rs::BoltNull) }
    };
    Ok(map(vec![
        ("task_id", under("task")),
        ("project_id", under("project")),
        ("user_id", under("user")),
        ("event_id", id_param(event.event_id)),
        ("event_type", BoltType::from(event.event_type.as_str())),
        ("timestamp", datetime_param(event.timestamp)),
        ("entity_type", BoltType::from(event.entity_type.as_str())),
        ("entity_id", id_param(event.entity_id)),
        ("data", BoltType::from(json(&event.data)?)),
        ("metadata", BoltType::from(json(&event.metadata)?)),
    ]))
}

/// An `:Event` node's properties but its position, for a statement that
/// creates the event next to its entity (see `queries::create_tasks_logged`).
pub(super) fn event_props(event: &DomainEvent) -> Result<BoltType, StoreError> {
    Ok(map(vec![
        ("event_id", id_param(event.event_id)),
        ("event_type", BoltType::from(event.event_type.as_str())),
        ("timestamp", datetime_param(event.timestamp)),
        ("entity_type", BoltType::from(event.entity_type.as_str())),
        ("entity_id", id_param(event.entity_id)),
        ("data", BoltType::from(json(&event.data)?)),
        ("metadata", BoltType::from(json(&event.metadata)?)),
    ]))
}

/// Creates the event sequence if it is missing (see [`queries::ENSURE_EVENT_SEQUENCE`]),
/// for a write whose statement found none.
pub(super) async fn ensure_sequence(txn: &mut Txn) -> Result<(), StoreError> {
    txn.run(neo4rs::query(queries::ENSURE_EVENT_SEQUENCE))
        .await
        .map_err(super::errors::driver_error("cannot create the event sequence"))
}

/// An event's part as JSON text: Neo4j properties cannot hold maps.
fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|error| StoreError::Unexpected(anyhow::Error::new(error).context("cannot encode an event")))
}

fn event_from_row(row: &Row) -> Result<LoggedEvent, StoreError> {
    let corrupt = |column: &str, error: &dyn std::fmt::Display| {
        StoreError::Unexpected(anyhow::anyhow!("corrupt stored value Event.{column}: {error}"))
    };
    let position = column_integer(row, "position")?;
    let data = column_string(row, "data")?;
    let metadata = column_string(row, "metadata")?;
    Ok(LoggedEvent {
        position: EventPosition(u64::try_from(position).map_err(|error| corrupt("position", &error))?),
        event: DomainEvent {
            event_id: column_uuid(row, "event_id")?,
            event_type: column_string(row, "event_type")?,
            timestamp: column_timestamp(row, "timestamp")?,
            entity_type: column_string(row, "entity_type")?,
            entity_id: column_uuid(row, "entity_id")?,
            data: serde_json::from_str(&data).map_err(|error| corrupt("data", &error))?,
            metadata: serde_json::from_str(&metadata).map_err(|error| corrupt("metadata", &error))?,
        },
    })
}

impl Neo4jStore {
    async fn read_events(&self, query: Query) -> Result<Vec<LoggedEvent>, StoreError> {
        let graph = self.graph();
        self.read("read events", async move {
            let rows = fetch_all(graph, query, "cannot read events").await?;
            rows.iter().map(event_from_row).collect()
        })
        .await
    }
}

#[async_trait]
impl EventLog for Neo4jStore {
    async fn events_after(
        &self,
        filter: &EventFilter,
        after: EventPosition,
        limit: u32,
    ) -> Result<Vec<LoggedEvent>, StoreError> {
        self.read_events(queries::event_page(filter, Some((">", after)), "ASC", limit)).await
    }

    async fn events_before(
        &self,
        filter: &EventFilter,
        before: Option<EventPosition>,
        limit: u32,
    ) -> Result<Vec<LoggedEvent>, StoreError> {
        self.read_events(queries::event_page(filter, before.map(|at| ("<", at)), "DESC", limit)).await
    }

    async fn position_of(&self, event_id: Uuid) -> Result<Option<EventPosition>, StoreError> {
        let graph = self.graph();
        self.read("look an event up", async move {
            let query = neo4rs::query(queries::EVENT_POSITION).param("event_id", id_param(event_id));
            let rows = fetch_all(graph, query, "cannot look the event up").await?;
            rows.first()
                .map(|row| column_integer(row, "position").map(|p| EventPosition(u64::try_from(p).unwrap_or_default())))
                .transpose()
        })
        .await
    }

    async fn last_position(&self) -> Result<EventPosition, StoreError> {
        let graph = self.graph();
        self.read("read the last event position", async move {
            let rows =
                fetch_all(graph, neo4rs::query(queries::LAST_EVENT_POSITION), "cannot read the last event position")
                    .await?;
            let last = rows.first().map(|row| column_integer(row, "last")).transpose()?.unwrap_or_default();
            Ok(EventPosition(u64::try_from(last).unwrap_or_default()))
        })
        .await
    }

    async fn prune(&self, before: Timestamp, limit: u32) -> Result<u64, StoreError> {
        self.write("prune events", move |txn| {
            Box::pin(async move {
                let query = neo4rs::query(queries::PRUNE_EVENTS)
                    .param("before", datetime_param(before))
                    .param("limit", i64::from(limit));
                let rows = txn_fetch_all(txn, query, "cannot prune events").await?;
                let deleted = rows.first().map(|row| column_integer(row, "deleted")).transpose()?.unwrap_or_default();
                Ok(u64::try_from(deleted).unwrap_or_default())
            })
        })
        .await
    }
}
