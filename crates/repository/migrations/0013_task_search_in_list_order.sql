-- Search in list order: a task's number in the search index becomes its
-- place in the list (its creation millisecond, then a slot; see the
-- adapter's `search_order`), so a search page in `created_at` order reads
-- about a page of matches instead of every match. The index keeps no copy
-- of the words, so it is emptied here and every task's words are indexed
-- again, numbered the new way, by the migration's backfill.
DELETE FROM task_search_rows;

INSERT INTO task_search (task_search) VALUES ('delete-all');

-- Every word the index has held, for the last word of a search (a prefix):
-- asked as the few whole words it begins, FTS5 reads it a page at a time
-- too, where a prefix term is read whole first (the adapter's
-- `search_words`). Filled by the same backfill.
CREATE TABLE task_search_words (
    word TEXT NOT NULL PRIMARY KEY
) WITHOUT ROWID;
