-- The durable event log (the transactional outbox): every write stores its
-- events here in its own transaction. `position` is the log's one order:
-- SQLite has a single writer, so positions are assigned, and committed, in
-- commit order; AUTOINCREMENT never reuses one after retention pruned it.
-- Timestamps are microseconds since the Unix epoch; `data` and `metadata`
-- are the event's JSON, as published.

CREATE TABLE events (
    position    INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    event_id    TEXT    NOT NULL UNIQUE,
    event_type  TEXT    NOT NULL,
    timestamp   INTEGER NOT NULL,
    entity_type TEXT    NOT NULL,
    entity_id   TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    metadata    TEXT    NOT NULL
);

-- An entity's history, and the filters of the log's readers, in log order.
CREATE INDEX events_by_entity ON events (entity_id, position);
CREATE INDEX events_by_type   ON events (event_type, position);
-- Retention prunes the oldest by time.
CREATE INDEX events_by_time   ON events (timestamp);
