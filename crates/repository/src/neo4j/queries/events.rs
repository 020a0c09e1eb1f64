//! The event log (see `crate::neo4j::events` for why positions are taken
//! from one sequence node, as the last statement of each write).

use neo4rs::Query;
use trm_domain::EventPosition;

use crate::neo4j::values::id_param;
use crate::ports::EventFilter;
use crate::rules::position_value;

/// Takes `size($events)` positions from the sequence (under its lock) and
/// stores one `:Event` per event, linked from its entity when that exists.
/// Each entity is sought through its label's `uid` index, named, and the
/// plan kept (see [`super::KEEP_PLAN`]): planned while a label is still
/// small, Neo4j would otherwise scan it for every event.
///
/// The sequence is found with `MATCH`, not `MERGE`: a `MERGE` that finds the
/// node holds a shared lock on it, and two writers each holding one and
/// asking for the exclusive lock of the `SET` deadlock (measured: PATCHes
/// racing on one task then failed as deadlocks). A plain `MATCH` takes no
/// lock; the `SET` takes the exclusive one directly. The node is created
/// with the schema, and again by [`ENSURE_EVENT_SEQUENCE`] if it went missing.
pub(in crate::neo4j) const APPEND_EVENTS: &str = keep_plan!(
    "MATCH (sequence:EventSequence {name: 'events'}) \
     SET sequence.last = sequence.last + size($events) \
     WITH sequence.last - size($events) AS base \
     UNWIND range(0, size($events) - 1) AS i \
     WITH base + i + 1 AS position, $events[i] AS e \
     CREATE (event:Event {position: position, event_id: e.event_id, event_type: e.event_type, \
         timestamp: e.timestamp, entity_type: e.entity_type, entity_id: e.entity_id, \
         data: e.data, metadata: e.metadata}) \
     WITH event, e \
     OPTIONAL MATCH (task:Task {uid: e.task_id}) USING INDEX task:Task(uid) \
     OPTIONAL MATCH (project:Project {uid: e.project_id}) USING INDEX project:Project(uid) \
     OPTIONAL MATCH (user:User {uid: e.user_id}) USING INDEX user:User(uid) \
     WITH event, coalesce(task, project, user) AS entity \
     FOREACH (source IN CASE WHEN entity IS NULL THEN [] ELSE [entity] END | \
         CREATE (source)-[:GENERATES_EVENT]->(event)) \
     RETURN count(event) AS stored"
);

/// Creates the sequence when it is missing (a store wiped while the server
/// ran), numbering on after the newest event still stored.
pub(in crate::neo4j) const ENSURE_EVENT_SEQUENCE: &str = "OPTIONAL MATCH (e:Event) WITH max(e.position) AS newest \
     MERGE (sequence:EventSequence {name: 'events'}) ON CREATE SET sequence.last = coalesce(newest, 0)";

/// The columns every read of the log returns.
const RETURN_EVENT: &str = "RETURN e.position AS position, e.event_id AS event_id, e.event_type AS event_type, \
     e.timestamp AS timestamp, e.entity_type AS entity_type, e.entity_id AS entity_id, e.data AS data, \
     e.metadata AS metadata";

/// The sequence's committed value: the newest position.
pub(in crate::neo4j) const LAST_EVENT_POSITION: &str =
    "MATCH (sequence:EventSequence {name: 'events'}) RETURN sequence.last AS last";

/// The oldest events stamped before `$before`, deleted (with their links).
pub(in crate::neo4j) const PRUNE_EVENTS: &str = "MATCH (e:Event) WHERE e.timestamp < $before \
     WITH e ORDER BY e.timestamp LIMIT $limit \
     DETACH DELETE e RETURN count(*) AS deleted";

/// The position of the event with `$event_id`; no row when there is none.
pub(in crate::neo4j) const EVENT_POSITION: &str = "MATCH (e:Event {event_id: $event_id}) RETURN e.position AS position";

/// One page of the log: events matching `filter` on the `operator` side of
/// `$at` (none: no bound), in `order` of position.
pub(in crate::neo4j) fn event_page(
    filter: &EventFilter,
    bound: Option<(&str, EventPosition)>,
    order: &str,
    limit: u32,
) -> Query {
    let mut conditions = Vec::new();
    if !filter.event_types.is_empty() {
        conditions.push("e.event_type IN $event_types");
    }
    if filter.entity_type.is_some() {
        conditions.push("e.entity_type = $entity_type");
    }
    if filter.entity_id.is_some() {
        conditions.push("e.entity_id = $entity_id");
    }
    let bound_condition = bound.map(|(operator, _)| format!("e.position {operator} $at"));
    let mut all: Vec<&str> = conditions;
    if let Some(condition) = &bound_condition {
        all.push(condition);
    }
    let filter_sql = if all.is_empty() { String::new() } else { format!("WHERE {}", all.join(" AND ")) };
    let text = format!("MATCH (e:Event) {filter_sql} {RETURN_EVENT} ORDER BY e.position {order} LIMIT $limit");
    let mut query = neo4rs::query(&text).param("limit", i64::from(limit));
    if !filter.event_types.is_empty() {
        query = query.param("event_types", filter.event_types.clone());
    }
    if let Some(entity_type) = &filter.entity_type {
        query = query.param("entity_type", entity_type.as_str());
    }
    if let Some(entity_id) = filter.entity_id {
        query = query.param("entity_id", id_param(entity_id));
    }
    if let Some((_, at)) = bound {
        query = query.param("at", position_value(at));
    }
    query
}
