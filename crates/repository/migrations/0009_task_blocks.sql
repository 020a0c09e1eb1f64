-- The task graph's `BLOCKS` edges (`blocked_by` on the wire): the blocker
-- points at the task it blocks, as in Neo4j. This table is the truth; a
-- task's `blocked_by` is read from it. Indexed both ways: from a blocker to
-- what it blocks (the primary key: dependents, the cycle check) and from a
-- task to its blockers (`blocked_by`, the `blocked` filter). A task that
-- goes takes its edges with it (the adapter first bumps the tasks it
-- blocked, which lose a blocker).
CREATE TABLE task_blocks (
    blocker_uid TEXT NOT NULL REFERENCES tasks (uid) ON DELETE CASCADE,
    blocked_uid TEXT NOT NULL REFERENCES tasks (uid) ON DELETE CASCADE,
    PRIMARY KEY (blocker_uid, blocked_uid)
) WITHOUT ROWID;

CREATE INDEX task_blocks_by_blocked ON task_blocks (blocked_uid, blocker_uid);
