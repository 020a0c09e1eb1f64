-- API keys: the SHA-256 of each secret (never the secret), looked up through
-- its unique index on every authenticated request. A name is unique among
-- the active keys only, so a revoked key's name can be given to its
-- replacement. `revoked_at` is NULL while the key is active.
CREATE TABLE api_keys (
    id         TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    scope      TEXT    NOT NULL CHECK (scope IN ('read', 'write')),
    key_hash   TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;

-- For the list, oldest first.
CREATE INDEX api_keys_created_at ON api_keys (created_at, id);
