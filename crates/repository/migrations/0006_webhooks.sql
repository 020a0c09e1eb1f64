-- Webhook subscriptions and their deliveries.
--
-- A subscription's `after_position` is its cursor in the event log: it
-- receives the events after it. `lease_owner` and `lease_until` are the
-- lease by which one server instance at a time works on it (both NULL when
-- free). `event_types` is a JSON array of strings (empty: every type).
-- Timestamps are microseconds since the Unix epoch; ids hyphenated text.
CREATE TABLE webhooks (
    id              TEXT    NOT NULL PRIMARY KEY,
    url             TEXT    NOT NULL,
    event_types     TEXT    NOT NULL,
    description     TEXT,
    active          INTEGER NOT NULL CHECK (active IN (0, 1)),
    disabled_reason TEXT,
    secret          TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    after_position  INTEGER NOT NULL CHECK (after_position >= 0),
    lease_owner     TEXT,
    lease_until     INTEGER
);

-- The list, oldest first; claims take the oldest free ones first.
CREATE INDEX webhooks_created_at ON webhooks (created_at, id);

-- One event (or ping) on its way to one subscription. `attempts` is a JSON
-- array of the attempts so far, oldest first; `next_attempt_at` is set
-- while pending. A subscription's deliveries go with it.
CREATE TABLE webhook_deliveries (
    id              TEXT    NOT NULL PRIMARY KEY,
    webhook_id      TEXT    NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        TEXT    NOT NULL,
    event_type      TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed')),
    attempts        TEXT    NOT NULL,
    next_attempt_at INTEGER,
    created_at      INTEGER NOT NULL
);

-- A subscription's deliveries in order (the list, newest first), and its
-- pending ones (the next to attempt, oldest first).
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, created_at, id);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (webhook_id, created_at, id) WHERE state = 'pending';
