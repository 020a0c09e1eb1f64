-- Tasks are stored in the order they are created: the table is keyed by
-- its number in the search index (`search_id`, which follows creation
-- time and is SQLite's rowid now), and `uid` — a random UUID — is found
-- through an index of its own. Keyed by `uid`, the whole row went to a
-- random page of the table: at a million tasks a bulk create of a
-- thousand tasks dirtied some 1,850 of the table's pages (rows of ~200
-- bytes, 17 a page, and a page split every few inserts), written whole to
-- the log at the commit and copied again by the checkpoint. Now the rows
-- append at the table's right edge and a create changes one random page,
-- of the much smaller `uid` index. The number index is the table itself.
--
-- Rebuilt the way SQLite documents for changes ALTER TABLE cannot make,
-- with foreign keys off (the runner's doing): dropping the old table must
-- not cascade into the tags and blockers that reference it. The triggers
-- of `task_blocks` name `tasks`, so they go while it is renamed, and come
-- back as they were.
CREATE TABLE tasks_in_creation_order (
    uid             TEXT    NOT NULL UNIQUE,
    title           TEXT    NOT NULL,
    description     TEXT,
    status          TEXT    NOT NULL,
    task_type       TEXT,
    priority        INTEGER NOT NULL,
    project_id      TEXT    REFERENCES projects (uid),
    assignee_id     TEXT    REFERENCES users (uid),
    effort_estimate REAL,
    effort_unit     TEXT    NOT NULL,
    start_date      INTEGER,
    due_date        INTEGER,
    completed_at    INTEGER,
    -- The tags as a JSON array, in order, for reading; `task_tags` holds
    -- them again for filtering through an index.
    tags            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    version         INTEGER NOT NULL,
    parent_id       TEXT    REFERENCES tasks (uid),
    open_blockers   INTEGER NOT NULL DEFAULT 0,
    -- Every task has its number since migration 0015.
    search_id       INTEGER PRIMARY KEY
);

INSERT INTO tasks_in_creation_order (
    uid, title, description, status, task_type, priority, project_id, assignee_id, effort_estimate, effort_unit,
    start_date, due_date, completed_at, tags, created_at, updated_at, version, parent_id, open_blockers, search_id
)
SELECT
    uid, title, description, status, task_type, priority, project_id, assignee_id, effort_estimate, effort_unit,
    start_date, due_date, completed_at, tags, created_at, updated_at, version, parent_id, open_blockers, search_id
FROM tasks
ORDER BY search_id;

DROP TRIGGER task_blocks_count_a_new_blocker;
DROP TRIGGER task_blocks_count_a_removed_blocker;
DROP TABLE tasks;

ALTER TABLE tasks_in_creation_order RENAME TO tasks;

CREATE INDEX tasks_by_created        ON tasks (created_at, uid);
CREATE INDEX tasks_by_project        ON tasks (project_id, created_at, uid);
CREATE INDEX tasks_by_status         ON tasks (status, created_at, uid);
CREATE INDEX tasks_by_type           ON tasks (task_type, created_at, uid);
CREATE INDEX tasks_by_assignee       ON tasks (assignee_id, created_at, uid);
CREATE INDEX tasks_by_project_status ON tasks (project_id, status, created_at, uid);
CREATE INDEX tasks_by_due            ON tasks (due_date, created_at, uid);
CREATE INDEX tasks_by_updated        ON tasks (updated_at, created_at, uid);
CREATE INDEX tasks_by_priority       ON tasks (priority, created_at, uid);
CREATE INDEX tasks_by_parent         ON tasks (parent_id, created_at, uid) WHERE parent_id IS NOT NULL;
CREATE INDEX tasks_blocked           ON tasks (created_at, uid) WHERE open_blockers > 0;

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

CREATE TRIGGER tasks_recount_dependents_when_a_blocker_finishes_or_reopens AFTER UPDATE OF status ON tasks
WHEN (old.status IN ('done', 'cancelled')) <> (new.status IN ('done', 'cancelled'))
BEGIN
    UPDATE tasks SET open_blockers = (
        SELECT count(*) FROM task_blocks e JOIN tasks blocker ON blocker.uid = e.blocker_uid
        WHERE e.blocked_uid = tasks.uid AND blocker.status NOT IN ('done', 'cancelled')
    )
    WHERE uid IN (SELECT blocked_uid FROM task_blocks WHERE blocker_uid = new.uid);
END;

CREATE TRIGGER tasks_keep_the_birth_of_their_history AFTER DELETE ON tasks
WHEN EXISTS (SELECT 1 FROM events WHERE entity_born = old.created_at AND entity_id = old.uid)
BEGIN
    INSERT OR IGNORE INTO retired_entities (entity_id, born) VALUES (old.uid, old.created_at);
END;

CREATE TRIGGER task_search_forgets_deleted_tasks AFTER DELETE ON tasks
BEGIN
    DELETE FROM task_search WHERE rowid = old.search_id;
END;
