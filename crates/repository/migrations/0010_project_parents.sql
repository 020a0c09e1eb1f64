-- Sub-projects: a project's parent (`parent_id` on the wire, the
-- `IS_SUBPROJECT_OF` relationship in Neo4j). This column is the truth; a
-- parent cannot go while it has sub-projects (the adapter deletes a
-- subtree children first). Indexed for the list filter by parent (keyset
-- order within it) and for walks down a project's subtree.
ALTER TABLE projects ADD COLUMN parent_uid TEXT REFERENCES projects (uid);

CREATE INDEX projects_by_parent ON projects (parent_uid, created_at, uid);
