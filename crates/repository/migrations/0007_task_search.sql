-- Search (the task list's `q`): each task's folded words — the domain's
-- `search::index_text` of its title, description and tags, written by the
-- adapter with every create and update — in an FTS5 index that keeps no
-- copy of the text (contentless, with deletes). Tasks are WITHOUT ROWID
-- and FTS5 addresses its documents by integer, so `task_search_rows` gives
-- each task its number in the index. The words are folded already, so the
-- tokenizer only splits on the spaces between them.
CREATE TABLE task_search_rows (
    id  INTEGER PRIMARY KEY,
    uid TEXT    NOT NULL UNIQUE
);

CREATE VIRTUAL TABLE task_search USING fts5 (
    words,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);

-- A task that goes (alone, or with its project) leaves nothing in the index
-- (this trigger, not a foreign key, keeps `task_search_rows` in step).
CREATE TRIGGER task_search_forgets_deleted_tasks AFTER DELETE ON tasks
BEGIN
    DELETE FROM task_search WHERE rowid = (SELECT id FROM task_search_rows WHERE uid = old.uid);
    DELETE FROM task_search_rows WHERE uid = old.uid;
END;
