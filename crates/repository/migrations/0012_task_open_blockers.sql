-- The `blocked` filter, in list order: each task counts its open blockers
-- (those not `done` or `cancelled`), so `blocked=true` is a walk of the
-- partial index below — a page reads about a page of entries, however
-- many edges the graph has — instead of a read of every open edge, a
-- status lookup per blocker and a sort.
--
-- The triggers keep the count, so no write path can forget it: each
-- recounts the tasks whose blockers changed — a recount, not a +1/-1, so
-- a blocker deleted in the same statement (its edges go by ON DELETE
-- CASCADE, after its row) is simply no longer counted. The count is the
-- store's own bookkeeping: never on the wire, and changing it is not a
-- change of the task (no version bump, no event).
ALTER TABLE tasks ADD COLUMN open_blockers INTEGER NOT NULL DEFAULT 0;

UPDATE tasks SET open_blockers = (
    SELECT count(*) FROM task_blocks e JOIN tasks blocker ON blocker.uid = e.blocker_uid
    WHERE e.blocked_uid = tasks.uid AND blocker.status NOT IN ('done', 'cancelled')
)
WHERE uid IN (SELECT blocked_uid FROM task_blocks);

CREATE INDEX tasks_blocked ON tasks (created_at, uid) WHERE open_blockers > 0;

CREATE TRIGGER task_blocks_count_a_new_blocker AFTER INSERT ON task_blocks
BEGIN
    UPDATE tasks SET open_blockers = (
        SELECT count(*) FROM task_blocks e JOIN tasks blocker ON blocker.uid = e.blocker_uid
        WHERE e.blocked_uid = new.blocked_uid AND blocker.status NOT IN ('done', 'cancelled')
    )
    WHERE uid = new.blocked_uid;
END;

CREATE TRIGGER task_blocks_count_a_removed_blocker AFTER DELETE ON task_blocks
BEGIN
    UPDATE tasks SET open_blockers = (
        SELECT count(*) FROM task_blocks e JOIN tasks blocker ON blocker.uid = e.blocker_uid
        WHERE e.blocked_uid = old.blocked_uid AND blocker.status NOT IN ('done', 'cancelled')
    )
    WHERE uid = old.blocked_uid;
END;

-- A blocker that finishes, or comes back: its dependents are recounted
-- (only when it crosses between open and finished).
CREATE TRIGGER tasks_recount_dependents_when_a_blocker_finishes_or_reopens AFTER UPDATE OF status ON tasks
WHEN (old.status IN ('done', 'cancelled')) <> (new.status IN ('done', 'cancelled'))
BEGIN
    UPDATE tasks SET open_blockers = (
        SELECT count(*) FROM task_blocks e JOIN tasks blocker ON blocker.uid = e.blocker_uid
        WHERE e.blocked_uid = tasks.uid AND blocker.status NOT IN ('done', 'cancelled')
    )
    WHERE uid IN (SELECT blocked_uid FROM task_blocks WHERE blocker_uid = new.uid);
END;
