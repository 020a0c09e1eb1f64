//! Idempotency keys (see `crate::neo4j::idempotency`): purge, claim,
//! complete, release.

/// Deletes a batch of expired entries, this key's first (also when its
/// claim was abandoned: in progress past the lease).
pub(in crate::neo4j) const PURGE_IDEMPOTENCY_KEYS: &str = "OPTIONAL MATCH (mine:IdempotencyKey {key_id: $key_id}) \
     WHERE mine.created_at <= $cutoff OR (mine.status IS NULL AND mine.created_at <= $lease_cutoff) \
     DELETE mine \
     WITH count(*) AS ignored \
     MATCH (k:IdempotencyKey) WHERE k.created_at <= $cutoff \
     WITH k LIMIT 100 DELETE k";

/// Claims the key, or finds the entry already there.
pub(in crate::neo4j) const CLAIM_IDEMPOTENCY_KEY: &str = "MERGE (k:IdempotencyKey {key_id: $key_id}) \
     ON CREATE SET k.fingerprint = $fingerprint, k.created_at = $now, k.token = $token \
     RETURN k.token = $token AS claimed, k.fingerprint AS fingerprint, k.status AS status, \
            k.location AS location, k.etag AS etag, k.body AS body";

/// Stores the response of a claimed key.
pub(in crate::neo4j) const COMPLETE_IDEMPOTENCY_KEY: &str = "MATCH (k:IdempotencyKey {key_id: $key_id}) \
     SET k.status = $status, k.location = $location, k.etag = $etag, k.body = $body";

/// Forgets a key still in progress.
pub(in crate::neo4j) const RELEASE_IDEMPOTENCY_KEY: &str =
    "MATCH (k:IdempotencyKey {key_id: $key_id}) WHERE k.status IS NULL DELETE k";
