//! API keys: create, revoke, look up, list and count.

use neo4rs::Query;

use crate::ports::KeySelector;

/// The properties of a key, as `api_keys::key_from_row` reads them.
const RETURN_KEY: &str = "RETURN k.id AS id, k.name AS name, k.scope AS scope, \
     k.created_at AS created_at, k.revoked_at AS revoked_at";

/// Stores a new, active key.
pub(in crate::neo4j) const CREATE_KEY: &str = "CREATE (k:ApiKey {id: $id, name: $name, active_name: $name, scope: $scope, \
     key_hash: $key_hash, created_at: $created_at})";

/// Revokes the active key with this id.
const REVOKE_BY_ID: &str =
    "MATCH (k:ApiKey {id: $value}) WHERE k.revoked_at IS NULL SET k.revoked_at = $now REMOVE k.active_name";

/// Revokes the active key with this name.
const REVOKE_BY_NAME: &str = "MATCH (k:ApiKey {active_name: $value}) SET k.revoked_at = $now REMOVE k.active_name";

/// Revokes the active key `which` names at `now` (microseconds) and
/// returns it; no row when there is no such active key.
pub(in crate::neo4j) fn revoke_key(which: &KeySelector, now: i64) -> Query {
    let (statement, value) = match which {
        KeySelector::Id(id) => (REVOKE_BY_ID, id.to_string()),
        KeySelector::Name(name) => (REVOKE_BY_NAME, name.as_str().to_owned()),
    };
    neo4rs::query(&format!("{statement} {RETURN_KEY}")).param("value", value).param("now", now)
}

/// The active key with this hash, found through the hash's unique index.
pub(in crate::neo4j) fn find_active_key(hash: &str) -> Query {
    neo4rs::query(&format!("MATCH (k:ApiKey {{key_hash: $key_hash}}) WHERE k.revoked_at IS NULL {RETURN_KEY}"))
        .param("key_hash", hash)
}

/// Every key, revoked ones included, oldest first.
pub(in crate::neo4j) fn list_keys() -> Query {
    neo4rs::query(&format!("MATCH (k:ApiKey) {RETURN_KEY} ORDER BY created_at, id"))
}

/// The number of active keys, counted through the `active_name`
/// constraint's index.
pub(in crate::neo4j) const COUNT_ACTIVE_KEYS: &str =
    "MATCH (k:ApiKey) WHERE k.active_name IS NOT NULL RETURN count(k) AS n";
