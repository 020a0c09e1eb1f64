-- Idempotency keys: the first successful response to a create sent with an
-- `Idempotency-Key`, replayed to retries for 24 hours. The primary key makes
-- (scope, key) unique, so two racing claims cannot both succeed. `status` is
-- NULL while the first request is still in progress.
CREATE TABLE idempotency_keys (
    scope       TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    status      INTEGER,
    location    TEXT,
    etag        TEXT,
    body        TEXT,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID;

-- For the lazy purge of expired entries.
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
