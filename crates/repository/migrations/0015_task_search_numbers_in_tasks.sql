-- A task's number in the search index moves into its own row. It lived in
-- `task_search_rows`, whose unique index on `uid` — a random UUID — took
-- a b-tree page of its own for nearly every create, written whole to the
-- log at the commit. A create writes its task's row anyway, and the new
-- index, on the number, grows at its right edge: numbers follow creation
-- time. A search's matches find their task through that index directly.
ALTER TABLE tasks ADD COLUMN search_id INTEGER;

UPDATE tasks SET search_id = (SELECT r.id FROM task_search_rows r WHERE r.uid = tasks.uid);

CREATE UNIQUE INDEX tasks_by_search_number ON tasks (search_id);

DROP TRIGGER task_search_forgets_deleted_tasks;

CREATE TRIGGER task_search_forgets_deleted_tasks AFTER DELETE ON tasks
WHEN old.search_id IS NOT NULL
BEGIN
    DELETE FROM task_search WHERE rowid = old.search_id;
END;

DROP TABLE task_search_rows;
