-- Tasks, projects and users. Timestamps are microseconds since the Unix
-- epoch (UTC); ids are hyphenated lower-case UUID strings, which sort the
-- same way as the Neo4j store's string ids.

CREATE TABLE projects (
    uid         TEXT    NOT NULL PRIMARY KEY,
    title       TEXT    NOT NULL,
    description TEXT,
    status      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL
) WITHOUT ROWID;

-- Keyset paging: every list filter has an index ending in (created_at, uid).
CREATE INDEX projects_by_created ON projects (created_at, uid);
CREATE INDEX projects_by_status  ON projects (status, created_at, uid);

CREATE TABLE users (
    uid          TEXT    NOT NULL PRIMARY KEY,
    username     TEXT    NOT NULL,
    email        TEXT    NOT NULL,
    full_name    TEXT,
    is_active    INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    version      INTEGER NOT NULL
) WITHOUT ROWID;

-- Usernames are unique regardless of case, enforced by the store itself.
CREATE UNIQUE INDEX users_by_username ON users (lower(username));
CREATE INDEX users_by_created ON users (created_at, uid);
CREATE INDEX users_by_active  ON users (is_active, created_at, uid);

CREATE TABLE tasks (
    uid             TEXT    NOT NULL PRIMARY KEY,
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
    -- The tags as a JSON array, in order, for reading; `task_tags` below
    -- holds them again for filtering through an index.
    tags            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    version         INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX tasks_by_created  ON tasks (created_at, uid);
CREATE INDEX tasks_by_project  ON tasks (project_id, created_at, uid);
CREATE INDEX tasks_by_status   ON tasks (status, created_at, uid);
CREATE INDEX tasks_by_type     ON tasks (task_type, created_at, uid);
CREATE INDEX tasks_by_assignee ON tasks (assignee_id, created_at, uid);

CREATE TABLE task_tags (
    task_uid TEXT NOT NULL REFERENCES tasks (uid) ON DELETE CASCADE,
    tag      TEXT NOT NULL,
    PRIMARY KEY (task_uid, tag)
) WITHOUT ROWID;

CREATE INDEX task_tags_by_tag ON task_tags (tag, task_uid);
