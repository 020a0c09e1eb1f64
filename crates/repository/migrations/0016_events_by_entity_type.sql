-- A page of the log filtered by entity type alone walks this index in
-- position order. Without it SQLite read the log from one end, filtering,
-- until the page was full: for a rare type (the users' events among a
-- million tasks') that was the whole log. (A filter by event type has
-- `events_by_type`; one by entity, `events_by_entity_birth`.)
CREATE INDEX events_by_entity_type ON events (entity_type, position);
