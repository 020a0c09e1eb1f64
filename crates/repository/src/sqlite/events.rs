//! The durable event log on SQLite: the `events` table.
//!
//! Writes append their events with [`append`] inside their own
//! transaction (shared with others under group commit), so an event is
//! committed exactly when its write is. The table's `AUTOINCREMENT` key is
//! the position: SQLite has one writer, which assigns positions in the
//! order it runs the writes and commits them in that order, so no later
//! commit can place an event below one a reader has already seen.
//!
//! An entity's history is indexed by the entity's *birth* (its
//! `created_at`) before its id: a new entity is born now, so a create's
//! event appends at the index's right edge instead of dirtying a random
//! page (entity ids are random UUIDs). A history read looks the birth up
//! first — in the entity's row, or in `retired_entities` once it is
//! deleted — and reads events the store could not key by a birth (those
//! stored before it could, or about something it does not hold) by id.

use async_trait::async_trait;
use rusqlite::types::Value;
use rusqlite::{Connection, Row, Transaction, params_from_iter};
use trm_domain::{DomainEvent, EventMetadata, EventPosition, LoggedEvent, Timestamp};
use uuid::Uuid;

use super::event_data;
use super::rows::{optional_value, parsed, timestamp_at, uuid_at};
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
    /// The entity's birth when the writer knows it already (it is creating
    /// the entity); otherwise [`append`] looks it up.
    known_birth: Option<i64>,
    event_id: String,
    event_type: String,
    timestamp: i64,
    entity_type: String,
    entity_id: String,
    /// As [`event_data::pack`] stores it.
    data: Value,
    metadata: String,
}

/// Encodes `events` for [`append`].
pub(super) fn encode(events: &[DomainEvent]) -> Result<EncodedEvents, StoreError> {
    encode_born(events, |_| None)
}

/// Encodes `events` for [`append`], with the births `born` knows of the
/// entities they are about: the entities the write creates, so that
/// storing each event does not look up the row it has just inserted.
/// `born` MUST answer only with the `created_at` the write stores.
pub(super) fn encode_born(
    events: &[DomainEvent],
    born: impl Fn(Uuid) -> Option<Timestamp>,
) -> Result<EncodedEvents, StoreError> {
    events
        .iter()
        .map(|event| {
            Ok(EventRow {
                known_birth: born(event.entity_id).map(|birth| birth.as_micros()),
                event_id: event.event_id.to_string(),
                event_type: event.event_type.clone(),
                timestamp: event.timestamp.as_micros(),
                entity_type: event.entity_type.clone(),
                entity_id: event.entity_id.to_string(),
                data: event_data::pack(&event.data).map_err(json_error)?,
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
            "INSERT INTO events (event_id, event_type, timestamp, entity_type, entity_id, entity_born, data, metadata) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .map_err(unexpected("cannot prepare the event insert"))?;
    for row in &events.0 {
        let born = match row.known_birth {
            Some(born) => Some(born),
            None => birth_of(tx, &row.entity_id).map_err(unexpected("cannot look up the entity of an event"))?,
        };
        insert
            .execute(rusqlite::params![
                row.event_id,
                row.event_type,
                row.timestamp,
                row.entity_type,
                row.entity_id,
                born,
                row.data,
                row.metadata,
            ])
            .map_err(unexpected("cannot store an event"))?;
    }
    Ok(())
}

/// The birth under which the history of the entity `entity_id` is
/// indexed: the `created_at` of the task, project or user with that id, or
/// of the deleted one `retired_entities` remembers; `None` for an id the
/// store holds no such entity for. Ids are UUIDs, so one id names at most
/// one entity of any kind. Storing and reading an event agree on it, so
/// an event stored under a birth is read under the same one.
fn birth_of(conn: &Connection, entity_id: &str) -> rusqlite::Result<Option<i64>> {
    optional_value(
        conn,
        "SELECT created_at FROM tasks WHERE uid = ?1 \
         UNION ALL SELECT created_at FROM projects WHERE uid = ?1 \
         UNION ALL SELECT created_at FROM users WHERE uid = ?1 \
         UNION ALL SELECT born FROM retired_entities WHERE entity_id = ?1 \
         LIMIT 1",
        &entity_id,
    )
}

/// Whether some events about `entity_id` are indexed by id alone.
fn has_events_without_birth(conn: &Connection, entity_id: &str) -> rusqlite::Result<bool> {
    optional_value::<i64>(conn, "SELECT 1 FROM events WHERE entity_born IS NULL AND entity_id = ?1 LIMIT 1", &entity_id)
        .map(|found| found.is_some())
}

fn json_error(error: serde_json::Error) -> StoreError {
    StoreError::Unexpected(anyhow::Error::new(error).context("cannot encode an event"))
}

fn event_from_row(row: &Row<'_>) -> rusqlite::Result<LoggedEvent> {
    let position: i64 = row.get(0)?;
    let metadata: String = row.get(7)?;
    Ok(LoggedEvent {
        position: EventPosition(parsed(0, u64::try_from(position))?),
        event: DomainEvent {
            event_id: uuid_at(row, 1)?,
            event_type: row.get(2)?,
            timestamp: timestamp_at(row, 3)?,
            entity_type: row.get(4)?,
            entity_id: uuid_at(row, 5)?,
            data: parsed(6, event_data::unpack(row.get_ref(6)?))?,
            metadata: parsed::<EventMetadata, _>(7, serde_json::from_str(&metadata))?,
        },
    })
}

/// Appends `value` to `params` and names its slot.
fn bind(params: &mut Vec<Value>, value: Value) -> String {
    params.push(value);
    format!("?{}", params.len())
}

/// The `WHERE` condition that finds the events about `entity_id`, through
/// the index (or both indexes) its events are in.
fn entity_condition(conn: &Connection, entity_id: Uuid, params: &mut Vec<Value>) -> rusqlite::Result<String> {
    let id = entity_id.to_string();
    let by_id = |params: &mut Vec<Value>| {
        format!("(entity_born IS NULL AND entity_id = {})", bind(params, Value::Text(id.clone())))
    };
    let Some(born) = birth_of(conn, &id)? else {
        return Ok(by_id(params));
    };
    let by_birth = format!(
        "(entity_born = {} AND entity_id = {})",
        bind(params, Value::Integer(born)),
        bind(params, Value::Text(id.clone()))
    );
    Ok(if has_events_without_birth(conn, &id)? { format!("({by_birth} OR {})", by_id(params)) } else { by_birth })
}

/// The `WHERE` conditions of `filter`, with their parameters appended.
fn conditions(conn: &Connection, filter: &EventFilter, params: &mut Vec<Value>) -> rusqlite::Result<Vec<String>> {
    let bind = |params: &mut Vec<Value>, value: String| bind(params, Value::Text(value));
    let mut conditions = Vec::new();
    if !filter.event_types.is_empty() {
        let slots: Vec<String> = filter.event_types.iter().map(|t| bind(params, t.clone())).collect();
        conditions.push(format!("event_type IN ({})", slots.join(", ")));
    }
    if let Some(entity_type) = &filter.entity_type {
        conditions.push(format!("entity_type = {}", bind(params, entity_type.clone())));
    }
    if let Some(entity_id) = filter.entity_id {
        conditions.push(entity_condition(conn, entity_id, params)?);
    }
    Ok(conditions)
}

/// The query of one page of the log, and its parameters: `position`
/// bounds it, `order` is `ASC` or `DESC`.
fn page_query(
    conn: &Connection,
    filter: &EventFilter,
    position: Option<(&'static str, EventPosition)>,
    order: &'static str,
    limit: u32,
) -> rusqlite::Result<(String, Vec<Value>)> {
    let mut params = Vec::new();
    let mut conditions = conditions(conn, filter, &mut params)?;
    if let Some((operator, at)) = position {
        conditions.push(format!("position {operator} {}", bind(&mut params, Value::Integer(position_value(at)))));
    }
    let limit = bind(&mut params, Value::Integer(i64::from(limit)));
    let filter_sql = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
    Ok((format!("SELECT {EVENT_COLUMNS} FROM events {filter_sql} ORDER BY position {order} LIMIT {limit}"), params))
}

/// Reads one page of the log (see [`page_query`]).
async fn page(
    store: &SqliteStore,
    filter: &EventFilter,
    position: Option<(&'static str, EventPosition)>,
    order: &'static str,
    limit: u32,
) -> Result<Vec<LoggedEvent>, StoreError> {
    let filter = filter.clone();
    store
        .read(move |conn| {
            let (sql, params) = page_query(conn, &filter, position, order, limit)
                .map_err(unexpected("cannot look up the entity of a history"))?;
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
            let pruned: Vec<(String, Option<i64>)> = tx
                .prepare_cached(
                    "DELETE FROM events WHERE position IN \
                     (SELECT position FROM events WHERE timestamp < ?1 ORDER BY timestamp LIMIT ?2) \
                     RETURNING entity_id, entity_born",
                )
                .and_then(|mut delete| {
                    delete
                        .query_map(rusqlite::params![before.as_micros(), i64::from(limit)], |row| {
                            Ok((row.get(0)?, row.get(1)?))
                        })
                        .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
                })
                .map_err(unexpected("cannot prune events"))?;
            forget_births_without_history(tx, &pruned)?;
            Ok(u64::try_from(pruned.len()).unwrap_or_default())
        })
        .await
    }
}

/// Forgets the birth of each deleted entity among `pruned` (events just
/// deleted, by entity id and birth) none of whose events is left.
fn forget_births_without_history(tx: &Transaction<'_>, pruned: &[(String, Option<i64>)]) -> Result<(), StoreError> {
    let entities: std::collections::BTreeSet<(&str, i64)> =
        pruned.iter().filter_map(|(id, born)| born.map(|born| (id.as_str(), born))).collect();
    let mut forget = tx
        .prepare_cached(
            "DELETE FROM retired_entities WHERE entity_id = ?1 AND born = ?2 \
             AND NOT EXISTS (SELECT 1 FROM events WHERE entity_born = ?2 AND entity_id = ?1)",
        )
        .map_err(unexpected("cannot prepare forgetting deleted entities"))?;
    for (id, born) in entities {
        forget.execute(rusqlite::params![id, born]).map_err(unexpected("cannot forget a deleted entity"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use rusqlite::params_from_iter;
    use trm_domain::{EntityKind, EventKind, NewTask, Task, Title};

    use super::super::rows::{TASK_COLUMN_COUNT, TASK_COLUMNS, placeholders, task_values};
    use super::super::schema::migrate;
    use super::*;

    fn migrated() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        conn
    }

    /// Stores `task` and its `task.created`.
    fn create(conn: &mut Connection, title: &str) -> Task {
        let task = Task::create(NewTask::new(Title::parse(title).unwrap()), Timestamp::now()).unwrap();
        let created = DomainEvent::about(
            EntityKind::Task,
            EventKind::Created,
            *task.uid.as_uuid(),
            &task,
            EventMetadata::default(),
        );
        let tx = conn.transaction().unwrap();
        let sql = format!("INSERT INTO tasks ({TASK_COLUMNS}) VALUES ({})", placeholders(TASK_COLUMN_COUNT));
        tx.execute(&sql, params_from_iter(task_values(&task))).unwrap();
        append(&tx, &encode(&[created]).unwrap()).unwrap();
        tx.commit().unwrap();
        task
    }

    /// What SQLite plans for one page of `filter`'s history, both ways.
    fn plans(conn: &Connection, filter: &EventFilter) -> Vec<String> {
        let mut plans = Vec::new();
        for (position, order) in [(Some((">", EventPosition::START)), "ASC"), (None, "DESC")] {
            let (sql, params) = page_query(conn, filter, position, order, 50).unwrap();
            let mut explain = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let detail = explain.query_map(params_from_iter(params), |row| row.get::<_, String>(3)).unwrap();
            plans.push(detail.map(Result::unwrap).collect::<Vec<_>>().join("; "));
        }
        plans
    }

    fn of(task: &Task) -> EventFilter {
        EventFilter { entity_id: Some(*task.uid.as_uuid()), ..EventFilter::default() }
    }

    /// Every event in the log, oldest first, as the log's readers read it.
    fn logged(conn: &Connection) -> Vec<LoggedEvent> {
        let mut select = conn.prepare(&format!("SELECT {EVENT_COLUMNS} FROM events ORDER BY position")).unwrap();
        select.query_map([], event_from_row).unwrap().map(Result::unwrap).collect()
    }

    #[test]
    fn a_tasks_data_is_stored_compressed_and_read_back_as_it_was() {
        let mut conn = migrated();
        let task = create(&mut conn, "Chuẩn bị báo cáo quý");
        let stored: String = conn.query_row("SELECT typeof(data) FROM events", [], |row| row.get(0)).unwrap();
        assert_eq!(stored, "blob");
        assert_eq!(logged(&conn)[0].event.data, serde_json::to_value(&task).unwrap());
    }

    #[test]
    fn events_stored_as_json_text_before_compression_are_read_as_before() {
        let mut conn = migrated();
        let task = create(&mut conn, "Older log");
        let json = serde_json::to_string(&task).unwrap();
        conn.execute("UPDATE events SET data = ?1", [&json]).unwrap();
        assert_eq!(logged(&conn)[0].event.data, serde_json::to_value(&task).unwrap());
    }

    #[test]
    fn a_created_tasks_event_is_stored_under_its_birth() {
        let mut conn = migrated();
        let task = create(&mut conn, "Born now");
        let born: Option<i64> = conn.query_row("SELECT entity_born FROM events", [], |row| row.get(0)).unwrap();
        assert_eq!(born, Some(task.created_at.as_micros()));
    }

    #[test]
    fn an_entitys_history_is_read_in_order_from_the_birth_index_alone() {
        let mut conn = migrated();
        let task = create(&mut conn, "Indexed");
        for plan in plans(&conn, &of(&task)) {
            assert!(plan.contains("USING INDEX events_by_entity_birth"), "{plan}");
            assert!(!plan.contains("TEMP B-TREE") && !plan.contains("SCAN"), "{plan}");
        }
    }

    #[test]
    fn an_id_without_an_entity_is_read_from_the_id_index() {
        let conn = migrated();
        let nobody = EventFilter { entity_id: Some(Uuid::new_v4()), ..EventFilter::default() };
        for plan in plans(&conn, &nobody) {
            assert!(plan.contains("USING INDEX events_by_entity "), "{plan}");
            assert!(!plan.contains("TEMP B-TREE") && !plan.contains("SCAN"), "{plan}");
        }
    }

    #[test]
    fn a_page_of_one_entity_type_walks_its_index_in_order() {
        let conn = migrated();
        let users = EventFilter { entity_type: Some("user".to_owned()), ..EventFilter::default() };
        for plan in plans(&conn, &users) {
            assert!(plan.contains("USING INDEX events_by_entity_type"), "{plan}");
            assert!(!plan.contains("TEMP B-TREE") && !plan.contains("SCAN"), "{plan}");
        }
    }

    #[test]
    fn a_page_of_event_types_seeks_each_type() {
        let conn = migrated();
        let types = ["user.created", "project.deleted"].map(str::to_owned).to_vec();
        let typed = EventFilter { event_types: types, ..EventFilter::default() };
        for plan in plans(&conn, &typed) {
            assert!(plan.contains("USING INDEX events_by_type"), "{plan}");
            assert!(!plan.contains("SCAN"), "{plan}");
        }
    }

    #[test]
    fn a_history_partly_stored_without_births_reads_both_indexes_without_a_scan() {
        let mut conn = migrated();
        let task = create(&mut conn, "Older log");
        conn.execute("UPDATE events SET entity_born = NULL", []).unwrap();
        for plan in plans(&conn, &of(&task)) {
            assert!(plan.contains("events_by_entity_birth") && plan.contains("events_by_entity "), "{plan}");
            assert!(!plan.contains("SCAN events"), "{plan}");
        }
    }
}
