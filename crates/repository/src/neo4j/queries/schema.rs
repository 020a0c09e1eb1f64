//! The schema: constraints and indexes, created once by the first operation
//! that needs them (see `crate::neo4j::schema`).

/// Every schema statement, in order.
pub(in crate::neo4j) const SCHEMA_STATEMENTS: &[&str] = &[
    "CREATE CONSTRAINT task_uid_unique IF NOT EXISTS FOR (t:Task) REQUIRE t.uid IS UNIQUE",
    "CREATE CONSTRAINT project_uid_unique IF NOT EXISTS FOR (p:Project) REQUIRE p.uid IS UNIQUE",
    "CREATE CONSTRAINT user_uid_unique IF NOT EXISTS FOR (u:User) REQUIRE u.uid IS UNIQUE",
    "CREATE CONSTRAINT user_username_unique IF NOT EXISTS FOR (u:User) REQUIRE u.username IS UNIQUE",
    "CREATE CONSTRAINT user_username_key_unique IF NOT EXISTS FOR (u:User) REQUIRE u.username_key IS UNIQUE",
    "CREATE CONSTRAINT idempotency_key_id_unique IF NOT EXISTS FOR (k:IdempotencyKey) REQUIRE k.key_id IS UNIQUE",
    "CREATE CONSTRAINT api_key_id_unique IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.id IS UNIQUE",
    "CREATE CONSTRAINT api_key_hash_unique IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.key_hash IS UNIQUE",
    "CREATE CONSTRAINT api_key_active_name_unique IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.active_name IS UNIQUE",
    "CREATE RANGE INDEX task_created_at IF NOT EXISTS FOR (t:Task) ON (t.created_at)",
    "CREATE RANGE INDEX task_status IF NOT EXISTS FOR (t:Task) ON (t.status)",
    "CREATE RANGE INDEX task_status_created_at IF NOT EXISTS FOR (t:Task) ON (t.status, t.created_at)",
    "CREATE RANGE INDEX task_task_type IF NOT EXISTS FOR (t:Task) ON (t.task_type)",
    // The task list's other orders (`sort=`): each page walks one of these
    // in either direction (see `sorted_tasks`). Undated tasks are in none
    // of the due-date index's entries; they are read along `created_at`.
    "CREATE RANGE INDEX task_due_date_created_at IF NOT EXISTS FOR (t:Task) ON (t.due_date, t.created_at)",
    "CREATE RANGE INDEX task_updated_at_created_at IF NOT EXISTS FOR (t:Task) ON (t.updated_at, t.created_at)",
    "CREATE RANGE INDEX task_priority_created_at IF NOT EXISTS FOR (t:Task) ON (t.priority, t.created_at)",
    "CREATE RANGE INDEX project_created_at IF NOT EXISTS FOR (p:Project) ON (p.created_at)",
    "CREATE RANGE INDEX project_status IF NOT EXISTS FOR (p:Project) ON (p.status)",
    "CREATE RANGE INDEX user_created_at IF NOT EXISTS FOR (u:User) ON (u.created_at)",
    "CREATE RANGE INDEX user_is_active IF NOT EXISTS FOR (u:User) ON (u.is_active)",
    "CREATE RANGE INDEX idempotency_key_created_at IF NOT EXISTS FOR (k:IdempotencyKey) ON (k.created_at)",
    // Earlier versions constrained the event id and position to be
    // unique: a check and a lock on every logged write, for values unique
    // by construction.
    "DROP CONSTRAINT event_id_unique IF EXISTS",
    "DROP CONSTRAINT event_position_unique IF EXISTS",
    "CREATE RANGE INDEX event_event_id IF NOT EXISTS FOR (e:Event) ON (e.event_id)",
    "CREATE RANGE INDEX event_position IF NOT EXISTS FOR (e:Event) ON (e.position)",
    "CREATE RANGE INDEX event_entity_id IF NOT EXISTS FOR (e:Event) ON (e.entity_id)",
    // A page of the log filtered by event type or by entity type walks
    // one of these in position order (see `event_page`). Earlier versions
    // indexed the event type alone, whose every event a page then sorted.
    "CREATE RANGE INDEX event_event_type_position IF NOT EXISTS FOR (e:Event) ON (e.event_type, e.position)",
    "CREATE RANGE INDEX event_entity_type_position IF NOT EXISTS FOR (e:Event) ON (e.entity_type, e.position)",
    "DROP INDEX event_event_type IF EXISTS",
    "CREATE RANGE INDEX event_timestamp IF NOT EXISTS FOR (e:Event) ON (e.timestamp)",
    "CREATE CONSTRAINT event_sequence_name_unique IF NOT EXISTS FOR (s:EventSequence) REQUIRE s.name IS UNIQUE",
    "CREATE CONSTRAINT webhook_id_unique IF NOT EXISTS FOR (w:Webhook) REQUIRE w.id IS UNIQUE",
    "CREATE RANGE INDEX webhook_created_at IF NOT EXISTS FOR (w:Webhook) ON (w.created_at)",
    "CREATE CONSTRAINT webhook_delivery_id_unique IF NOT EXISTS FOR (d:WebhookDelivery) REQUIRE d.id IS UNIQUE",
    "CREATE RANGE INDEX webhook_delivery_by_webhook IF NOT EXISTS \
     FOR (d:WebhookDelivery) ON (d.webhook_id, d.created_at)",
    // A subscription's next pending delivery, read before every delivery
    // (see `next_delivery`).
    "CREATE RANGE INDEX webhook_delivery_by_state IF NOT EXISTS \
     FOR (d:WebhookDelivery) ON (d.webhook_id, d.state, d.created_at)",
    // Retention's oldest succeeded deliveries (see `PRUNE_DELIVERIES`).
    "CREATE RANGE INDEX webhook_delivery_by_age IF NOT EXISTS \
     FOR (d:WebhookDelivery) ON (d.state, d.created_at)",
    "CREATE CONSTRAINT schema_step_name_unique IF NOT EXISTS FOR (s:SchemaStep) REQUIRE s.name IS UNIQUE",
    // The node whose lock serializes the writes that add `BLOCKS` edges
    // (see `crate::neo4j::task_graph`); unique, so that its `MERGE` can
    // never make two.
    "CREATE CONSTRAINT task_graph_lock_name_unique IF NOT EXISTS FOR (l:TaskGraphLock) REQUIRE l.name IS UNIQUE",
    // Data, not schema, but part of the set-up: the one node event
    // positions are taken from (see `crate::neo4j::events`).
    "MERGE (s:EventSequence {name: 'events'}) ON CREATE SET s.last = 0",
];

/// The full-text index of tasks (`super::search_windows::SEARCH_INDEX`),
/// created after every stored task has what it reads (its words, its
/// creation windows), so that an upgraded store fills it once; and the
/// index of earlier versions, which held the words alone.
pub(in crate::neo4j) const SEARCH_INDEX_STATEMENTS: &[&str] = &[
    "CREATE FULLTEXT INDEX task_words IF NOT EXISTS FOR (t:Task) ON EACH [t.search_text, t.search_time] \
     OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}}",
    "DROP INDEX task_search IF EXISTS",
];

/// Waits (server-side, bounded) until every index is online.
pub(in crate::neo4j) const AWAIT_INDEXES: &str = "CALL db.awaitIndexes(30)";

// Indexing the words of tasks stored before search existed, once
// (`crate::neo4j::schema::index_stored_tasks`).

/// Whether the tasks stored before search existed have their words: a
/// count of the `SchemaStep` node that records it (0 or 1) as `done`.
pub(in crate::neo4j) const SEARCH_BACKFILL_DONE: &str =
    "MATCH (s:SchemaStep {name: 'task_search'}) RETURN count(s) AS done";

/// Up to `$batch` tasks without words after uid `$after`, in uid order,
/// with what their words are made of.
pub(in crate::neo4j) const UNINDEXED_TASKS: &str = "MATCH (t:Task) WHERE t.uid > $after AND t.search_text IS NULL \
     WITH t ORDER BY t.uid LIMIT $batch \
     RETURN t.uid AS uid, t.title AS title, t.description AS description, t.tags AS tags";

/// Gives each of `$rows` (`{uid, words}`) its words, unless a write gave it
/// some since it was read.
pub(in crate::neo4j) const INDEX_TASK_WORDS: &str =
    "UNWIND $rows AS row MATCH (t:Task {uid: row.uid}) WHERE t.search_text IS NULL SET t.search_text = row.words";

/// Records that every stored task has its words.
pub(in crate::neo4j) const MARK_SEARCH_BACKFILL_DONE: &str = "MERGE (:SchemaStep {name: 'task_search'})";

/// Whether every stored task has its creation windows (`search_time`): a
/// count of the `SchemaStep` node that records it (0 or 1) as `done`.
pub(in crate::neo4j) const SEARCH_TIME_BACKFILL_DONE: &str =
    "MATCH (s:SchemaStep {name: 'task_search_time'}) RETURN count(s) AS done";

/// Gives their creation windows to up to `$batch` tasks without them, the
/// first after uid `$after` in uid order, and returns how many it gave
/// them to as `read` and the last one's uid as `last`. Only tasks created
/// at a zoned time, as this store writes them: a node another program
/// wrote with a local time (the Python design writes naive ones) is left
/// as it is rather than failing the set-up.
pub(in crate::neo4j) const GIVE_TASKS_SEARCH_TIME: &str = concat!(
    "MATCH (t:Task) WHERE t.uid > $after AND t.search_time IS NULL AND t.created_at IS :: ZONED DATETIME \
     WITH t ORDER BY t.uid LIMIT $batch \
     SET t.search_time = ",
    search_time_of_t!(),
    " RETURN count(t) AS read, max(t.uid) AS last"
);

/// Records that every stored task has its creation windows.
pub(in crate::neo4j) const MARK_SEARCH_TIME_BACKFILL_DONE: &str = "MERGE (:SchemaStep {name: 'task_search_time'})";
