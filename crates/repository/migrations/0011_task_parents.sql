-- The task graph's `IS_SUBTASK_OF` edges (`parent_id` on the wire): a
-- task's parent, as a column like its project and assignee, since a task
-- has at most one. No ON DELETE action: a task with sub-tasks goes only by
-- a cascade, which deletes its sub-tasks first, and a project's cascade
-- detaches (with a version bump) the sub-tasks it does not delete, so a
-- row left pointing at a deleted parent is a bug that fails loudly.
-- Indexed in list order, for `?parent_id=` and `/subtasks` pages.
ALTER TABLE tasks ADD COLUMN parent_id TEXT REFERENCES tasks (uid);

CREATE INDEX tasks_by_parent ON tasks (parent_id, created_at, uid) WHERE parent_id IS NOT NULL;
