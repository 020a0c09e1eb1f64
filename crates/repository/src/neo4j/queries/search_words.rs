//! Moving the words of new and changed tasks into the full-text index (see
//! `crate::neo4j::search_words`). A task waiting for the index is labelled
//! `SearchPending` and holds its words in `pending_search_text`; the index
//! reads `search_text`.
//!
//! Each statement takes the write lock of a task by removing its label
//! before it reads the task's words, so what it reads is what the last
//! update committed (an update committed after it labels the task again).
//! Nothing read before the lock is written: a value read before it could be
//! older than what the lock's previous holder committed.

/// Copies the words of up to `$batch` waiting tasks whose index holds other
/// words into `search_text`, stamping `search_indexed_at` with Neo4j's
/// clock (`timestamp()`, milliseconds: one clock for every instance), and
/// counts them as `indexed`. A task indexed for the first time also gets
/// its creation windows, `search_time` (see `super::search_windows`): in
/// the same transaction, so that the index never holds a task's words
/// without them. The tasks keep waiting (the label removed to take the lock
/// is put back): [`SETTLE_INDEXED_WORDS`] ends that once the index has
/// surely caught up.
pub(in crate::neo4j) const INDEX_PENDING_WORDS: &str = concat!(
    "MATCH (t:SearchPending) \
     WHERE t.search_text IS NULL OR t.search_text <> t.pending_search_text \
     WITH t LIMIT $batch \
     REMOVE t:SearchPending \
     SET t:SearchPending \
     WITH t WHERE t.search_text IS NULL OR t.search_text <> t.pending_search_text \
     SET t.search_text = t.pending_search_text, t.search_indexed_at = timestamp(), \
         t.search_time = coalesce(t.search_time, ",
    search_time_of_t!(),
    ") RETURN count(t) AS indexed"
);

/// Ends the wait of up to `$batch` waiting tasks whose words the index got
/// `$settle_ms` milliseconds ago or earlier — or before it stamped them,
/// for words a task had again before they were indexed anew — and counts
/// them as `settled`. A task that an update changed meanwhile gets its
/// label back.
pub(in crate::neo4j) const SETTLE_INDEXED_WORDS: &str = "MATCH (t:SearchPending) \
     WHERE t.search_text = t.pending_search_text AND coalesce(t.search_indexed_at, 0) <= timestamp() - $settle_ms \
     WITH t LIMIT $batch \
     REMOVE t:SearchPending \
     WITH t, t.search_text = t.pending_search_text \
          AND coalesce(t.search_indexed_at, 0) <= timestamp() - $settle_ms AS settled \
     FOREACH (_ IN CASE WHEN settled THEN [1] ELSE [] END | REMOVE t.pending_search_text, t.search_indexed_at) \
     FOREACH (_ IN CASE WHEN settled THEN [] ELSE [1] END | SET t:SearchPending) \
     RETURN count(CASE WHEN settled THEN 1 END) AS settled";

/// Whether any task waits for the index, as `waiting`.
pub(in crate::neo4j) const ANY_SEARCH_WORDS_WAITING: &str = "RETURN EXISTS { MATCH (t:SearchPending) } AS waiting";
