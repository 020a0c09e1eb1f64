-- The task list's other orders (`sort=`): each is a walk of one of these
-- indexes, forwards or backwards, ending in the (created_at, uid)
-- tie-break, so a page reads about a page of entries at any size. Tasks
-- without a due date sit together at the NULL end of `tasks_by_due`, which
-- the list reads last in both directions.
CREATE INDEX tasks_by_due      ON tasks (due_date, created_at, uid);
CREATE INDEX tasks_by_updated  ON tasks (updated_at, created_at, uid);
CREATE INDEX tasks_by_priority ON tasks (priority, created_at, uid);
