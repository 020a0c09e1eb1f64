-- Retention deletes the oldest succeeded deliveries in batches (a
-- subscription keeps one for every event it was sent). Pending and failed
-- deliveries are never pruned, so only succeeded ones are indexed.
CREATE INDEX webhook_deliveries_succeeded_by_age ON webhook_deliveries (created_at) WHERE state = 'succeeded';
