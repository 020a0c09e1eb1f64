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
    "CREATE RANGE INDEX event_event_type IF NOT EXISTS FOR (e:Event) ON (e.event_type)",
    "CREATE RANGE INDEX event_timestamp IF NOT EXISTS FOR (e:Event) ON (e.timestamp)",
    "CREATE CONSTRAINT event_sequence_name_unique IF NOT EXISTS FOR (s:EventSequence) REQUIRE s.name IS UNIQUE",
    "CREATE CONSTRAINT webhook_id_unique IF NOT EXISTS FOR (w:Webhook) REQUIRE w.id IS UNIQUE",
    "CREATE RANGE INDEX webhook_created_at IF NOT EXISTS FOR (w:Webhook) ON (w.created_at)",
    "CREATE CONSTRAINT webhook_delivery_id_unique IF NOT EXISTS FOR (d:WebhookDelivery) REQUIRE d.id IS UNIQUE",
    "CREATE RANGE INDEX webhook_delivery_by_webhook IF NOT EXISTS \
     FOR (d:WebhookDelivery) ON (d.webhook_id, d.created_at)",
    // Data, not schema, but part of the set-up: the one node event
    // positions are taken from (see `crate::neo4j::events`).
    "MERGE (s:EventSequence {name: 'events'}) ON CREATE SET s.last = 0",
];

/// Waits (server-side, bounded) until every index is online.
pub(in crate::neo4j) const AWAIT_INDEXES: &str = "CALL db.awaitIndexes(30)";
