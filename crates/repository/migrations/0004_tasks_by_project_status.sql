-- A project's tasks of one status, in list order: the commonest list (the
-- seed's "tasks of this project that are still to do") reads exactly a page
-- of index entries instead of the project's tasks of every status. With
-- only `tasks_by_project`, a page of one status in seven reads about seven
-- hundred rows, which at a million tasks are spread over many pages.
CREATE INDEX tasks_by_project_status ON tasks (project_id, status, created_at, uid);
