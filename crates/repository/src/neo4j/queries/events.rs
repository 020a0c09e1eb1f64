//! The event log (see `crate::neo4j::events` for why positions are taken
//! from one sequence node, as the last statement of each write).

use std::collections::BTreeSet;

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
/// `$at` (none: no bound), in `order` (`ASC` or `DESC`) of position.
///
/// Each shape of filter walks the index that keeps its events in position
/// order, so a page reads about `limit` index entries however long the log
/// is (a hint pins each plan: Neo4j would otherwise seek every event of a
/// type and sort them all for the newest hundred):
///
/// * one entity: its events through `entity_id` (an entity has few), sorted;
/// * event types: for each type, the `(event_type, position)` index walked
///   from the bound, at most `limit` events each, then the newest (or
///   oldest) `limit` of those;
/// * an entity type alone: the `(entity_type, position)` index;
/// * nothing: the `position` index.
///
/// A composite index yields its order only when the `ORDER BY` names both of
/// its properties, so the first (fixed by an equality) is named too.
pub(in crate::neo4j) fn event_page(
    filter: &EventFilter,
    bound: Option<(&str, EventPosition)>,
    order: &str,
    limit: u32,
) -> Query {
    let position =
        bound.map_or_else(|| "e.position IS NOT NULL".to_owned(), |(operator, _)| format!("e.position {operator} $at"));
    let entity_type = filter.entity_type.as_ref().map(|_| "e.entity_type = $entity_type");
    let text = if filter.entity_id.is_some() {
        let event_types = (!filter.event_types.is_empty()).then_some("e.event_type IN $event_types");
        let conditions = ["e.entity_id = $entity_id"].into_iter().chain(event_types).chain(entity_type);
        format!(
            "MATCH (e:Event) USING INDEX e:Event(entity_id) WHERE {} AND {position} \
             {RETURN_EVENT} ORDER BY e.position {order} LIMIT $limit",
            conditions.collect::<Vec<_>>().join(" AND ")
        )
    } else if !filter.event_types.is_empty() {
        let also = entity_type.map(|condition| format!(" AND {condition}")).unwrap_or_default();
        format!(
            "UNWIND $event_types AS type \
             CALL (type) {{ MATCH (e:Event) USING INDEX e:Event(event_type, position) \
             WHERE e.event_type = type AND {position}{also} \
             RETURN e ORDER BY e.event_type {order}, e.position {order} LIMIT $limit }} \
             {RETURN_EVENT} ORDER BY e.position {order} LIMIT $limit"
        )
    } else if let Some(condition) = entity_type {
        format!(
            "MATCH (e:Event) USING INDEX e:Event(entity_type, position) WHERE {condition} AND {position} \
             {RETURN_EVENT} ORDER BY e.entity_type {order}, e.position {order} LIMIT $limit"
        )
    } else {
        format!(
            "MATCH (e:Event) USING INDEX e:Event(position) WHERE {position} \
             {RETURN_EVENT} ORDER BY e.position {order} LIMIT $limit"
        )
    };
    let mut query = neo4rs::query(&text).param("limit", i64::from(limit));
    if !filter.event_types.is_empty() {
        // Each type once: a type named twice would walk its index twice.
        let types: BTreeSet<&String> = filter.event_types.iter().collect();
        query = query.param("event_types", types.into_iter().cloned().collect::<Vec<String>>());
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

#[cfg(test)]
mod tests {
    use trm_domain::EventPosition;
    use uuid::Uuid;

    use super::event_page;
    use crate::ports::EventFilter;

    fn text(filter: &EventFilter, bound: Option<(&str, EventPosition)>, order: &str) -> String {
        event_page(filter, bound, order, 100).query().to_owned()
    }

    fn shapes() -> [(EventFilter, &'static str); 4] {
        let types = vec!["task.created".to_owned(), "user.created".to_owned()];
        [
            (
                EventFilter { entity_id: Some(Uuid::new_v4()), event_types: types.clone(), ..EventFilter::default() },
                "e:Event(entity_id)",
            ),
            (
                EventFilter { event_types: types, entity_type: Some("task".to_owned()), ..EventFilter::default() },
                "e:Event(event_type, position)",
            ),
            (
                EventFilter { entity_type: Some("user".to_owned()), ..EventFilter::default() },
                "e:Event(entity_type, position)",
            ),
            (EventFilter::default(), "e:Event(position)"),
        ]
    }

    #[test]
    fn each_shape_of_filter_is_pinned_to_the_index_that_keeps_its_order() {
        for (filter, index) in shapes() {
            for (bound, order) in
                [(None, "DESC"), (Some((">", EventPosition(7))), "ASC"), (Some(("<", EventPosition(7))), "DESC")]
            {
                let text = text(&filter, bound, order);
                assert!(text.contains(&format!("USING INDEX {index}")), "{text}");
                assert!(text.ends_with(&format!("e.position {order} LIMIT $limit")), "{text}");
                assert_eq!(event_page(&filter, bound, order, 100).has_param_key("at"), bound.is_some(), "{text}");
            }
        }
    }

    #[test]
    fn a_composite_index_is_ordered_by_both_its_properties_so_neo4j_reads_it_in_order() {
        let typed = text(&shapes()[1].0, None, "DESC");
        assert!(typed.contains("ORDER BY e.event_type DESC, e.position DESC LIMIT $limit }"), "{typed}");
        let of_entity_type = text(&shapes()[2].0, Some((">", EventPosition(7))), "ASC");
        assert!(of_entity_type.contains("ORDER BY e.entity_type ASC, e.position ASC"), "{of_entity_type}");
    }
}
