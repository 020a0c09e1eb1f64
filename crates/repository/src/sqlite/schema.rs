//! Schema migrations, applied in order at start-up.
//!
//! The database's `user_version` records how many migrations it has seen;
//! each pending one runs in its own transaction, so a failed migration leaves
//! the previous schema intact. Migrations are append-only: an applied one is
//! never edited.

use anyhow::Context as _;
use rusqlite::{Connection, OptionalExtension as _, Transaction};

use trm_domain::Timestamp;
use trm_domain::search::index_text;

use super::search_pending;
use super::tasks::index_words;

/// One step of the schema: SQL, and what only Rust can compute for the rows
/// already stored when it runs (folded search words, say).
struct Migration {
    name: &'static str,
    sql: &'static str,
    backfill: Option<fn(&Transaction<'_>) -> anyhow::Result<()>>,
    /// Rebuilds a table other tables reference: runs with foreign keys off,
    /// so that dropping the old table does not cascade into the rows that
    /// reference it, and checks every reference before it commits.
    rebuilds_a_table: bool,
}

/// Every migration, oldest first.
const MIGRATIONS: &[Migration] = &[
    Migration::sql("0001_tasks_and_projects", include_str!("../../migrations/0001_tasks_and_projects.sql")),
    Migration::sql("0002_idempotency_keys", include_str!("../../migrations/0002_idempotency_keys.sql")),
    Migration::sql("0003_api_keys", include_str!("../../migrations/0003_api_keys.sql")),
    Migration::sql("0004_tasks_by_project_status", include_str!("../../migrations/0004_tasks_by_project_status.sql")),
    Migration::sql("0005_events", include_str!("../../migrations/0005_events.sql")),
    Migration::sql("0006_webhooks", include_str!("../../migrations/0006_webhooks.sql")),
    // The tasks stored before search are indexed by 0013, which indexes
    // every task again anyway (it once was this one's backfill).
    Migration::sql("0007_task_search", include_str!("../../migrations/0007_task_search.sql")),
    Migration::sql("0008_task_sorts", include_str!("../../migrations/0008_task_sorts.sql")),
    Migration::sql("0009_task_blocks", include_str!("../../migrations/0009_task_blocks.sql")),
    Migration::sql("0010_project_parents", include_str!("../../migrations/0010_project_parents.sql")),
    Migration::sql("0011_task_parents", include_str!("../../migrations/0011_task_parents.sql")),
    Migration::sql("0012_task_open_blockers", include_str!("../../migrations/0012_task_open_blockers.sql")),
    // The tasks it unnumbered are numbered again, in list order, by 0015
    // (this one's backfill once, before the numbers moved into the rows).
    Migration::sql(
        "0013_task_search_in_list_order",
        include_str!("../../migrations/0013_task_search_in_list_order.sql"),
    ),
    Migration::sql("0014_events_by_entity_birth", include_str!("../../migrations/0014_events_by_entity_birth.sql")),
    Migration {
        name: "0015_task_search_numbers_in_tasks",
        sql: include_str!("../../migrations/0015_task_search_numbers_in_tasks.sql"),
        backfill: Some(index_unnumbered_tasks),
        rebuilds_a_table: false,
    },
    Migration::sql("0016_events_by_entity_type", include_str!("../../migrations/0016_events_by_entity_type.sql")),
    Migration::sql(
        "0017_webhook_deliveries_by_age",
        include_str!("../../migrations/0017_webhook_deliveries_by_age.sql"),
    ),
    Migration {
        rebuilds_a_table: true,
        ..Migration::sql(
            "0018_tasks_in_creation_order",
            include_str!("../../migrations/0018_tasks_in_creation_order.sql"),
        )
    },
    Migration::sql("0019_event_data_compressed", include_str!("../../migrations/0019_event_data_compressed.sql")),
];

impl Migration {
    const fn sql(name: &'static str, sql: &'static str) -> Self {
        Self { name, sql, backfill: None, rebuilds_a_table: false }
    }
}

/// Indexes the words of every stored task without a number in the search
/// index — every task of a store made before migration 0013, none of a
/// later one — numbered in list order, with the search's vocabulary. Reads
/// only the columns the search indexes, which every later schema keeps (a
/// whole task row has columns added by later migrations).
fn index_unnumbered_tasks(tx: &Transaction<'_>) -> anyhow::Result<()> {
    search_pending::prepare(tx)?;
    let mut select =
        tx.prepare("SELECT uid, title, description, tags, created_at FROM tasks WHERE search_id IS NULL")?;
    let mut rows = select.query([])?;
    let mut indexed = 0_usize;
    while let Some(row) = rows.next()? {
        let (uid, title, description, tags, created_at): (String, String, Option<String>, String, i64) =
            (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?);
        let tags: Vec<String> = serde_json::from_str(&tags).context("corrupt stored tags")?;
        let words = index_text(
            std::iter::once(title.as_str()).chain(description.as_deref()).chain(tags.iter().map(String::as_str)),
        );
        index_words(tx, &uid, Timestamp::from_micros_clamped(created_at), &words)
            .map_err(|error| anyhow::anyhow!("cannot index a stored task: {error}"))?;
        indexed += 1;
        // The pending words are held in memory until flushed.
        if indexed.is_multiple_of(10_000) {
            search_pending::flush(tx)?;
        }
    }
    search_pending::flush(tx)?;
    Ok(())
}

/// Brings the schema up to date.
pub(super) fn migrate(conn: &mut Connection) -> anyhow::Result<()> {
    let applied: usize = conn
        .pragma_query_value(None, "user_version", |row| row.get::<_, i64>(0))
        .context("cannot read the schema version")?
        .try_into()
        .context("the schema version is negative")?;
    anyhow::ensure!(
        applied <= MIGRATIONS.len(),
        "the database schema (version {applied}) is newer than this server knows ({}); upgrade the server",
        MIGRATIONS.len()
    );
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(applied) {
        let name = migration.name;
        if migration.rebuilds_a_table {
            with_foreign_keys_off(conn, |conn| apply(conn, migration, index))?;
        } else {
            apply(conn, migration, index)?;
        }
        tracing::info!(migration = name, "applied a schema migration");
    }
    Ok(())
}

/// Applies the migration at `index` of [`MIGRATIONS`] in one transaction.
fn apply(conn: &mut Connection, migration: &Migration, index: usize) -> anyhow::Result<()> {
    let Migration { name, sql, backfill, rebuilds_a_table } = migration;
    let tx = conn.transaction()?;
    tx.execute_batch(sql).with_context(|| format!("migration {name} failed"))?;
    if let Some(backfill) = backfill {
        backfill(&tx).with_context(|| format!("migration {name} failed to fill in the stored rows"))?;
    }
    if *rebuilds_a_table {
        let broken: Option<String> = tx
            .query_row("PRAGMA foreign_key_check", [], |row| row.get(0))
            .optional()
            .context("cannot check the references after a rebuild")?;
        anyhow::ensure!(broken.is_none(), "migration {name} left a broken reference in {broken:?}");
    }
    tx.pragma_update(None, "user_version", i64::try_from(index + 1)?)?;
    tx.commit().with_context(|| format!("cannot commit migration {name}"))
}

/// Runs `step` with foreign keys off (a setting SQLite ignores inside a
/// transaction, so it is changed around one), and turns them back on if
/// they were.
fn with_foreign_keys_off(
    conn: &mut Connection,
    step: impl FnOnce(&mut Connection) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let enforced: bool = conn.pragma_query_value(None, "foreign_keys", |row| row.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let stepped = step(conn);
    if enforced {
        conn.pragma_update(None, "foreign_keys", true)?;
    }
    stepped
}

#[cfg(test)]
mod tests {
    use rusqlite::params_from_iter;
    use trm_domain::{NewTask, Task, TaskStatus, Timestamp, Title};

    use super::super::rows::{TASK_COLUMN_COUNT, TASK_COLUMNS, placeholders, task_values};
    use super::*;

    /// A database with every migration before `name` applied, as a server
    /// of that time left it.
    fn migrated_up_to(name: &str) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        let before = MIGRATIONS.iter().position(|migration| migration.name == name).unwrap();
        for migration in &MIGRATIONS[..before] {
            conn.execute_batch(migration.sql).unwrap();
        }
        conn.pragma_update(None, "user_version", i64::try_from(before).unwrap()).unwrap();
        conn
    }

    #[test]
    fn tasks_stored_before_search_existed_are_indexed_by_the_migration() {
        let mut conn = migrated_up_to("0007_task_search");
        let task = Task::create(NewTask::new(Title::parse("Công việc cũ").unwrap()), Timestamp::now()).unwrap();
        // The columns tasks had then: those of today but `parent_id`.
        let columns = TASK_COLUMNS.trim_end_matches(", parent_id");
        let values = task_values(&task);
        conn.execute(
            &format!("INSERT INTO tasks ({columns}) VALUES ({})", placeholders(17)),
            params_from_iter(&values[..17]),
        )
        .unwrap();

        migrate(&mut conn).unwrap();
        let found: String = conn
            .query_row(
                "SELECT tasks.uid FROM task_search \
                 JOIN tasks ON tasks.search_id = task_search.rowid WHERE task_search MATCH '\"viec\"'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(found, task.uid.to_string());
    }

    #[test]
    fn projects_stored_before_sub_projects_existed_read_back_as_top_level_projects() {
        let mut conn = migrated_up_to("0010_project_parents");
        let project =
            trm_domain::Project::create(trm_domain::NewProject::new(Title::parse("Old").unwrap()), Timestamp::now());
        let columns = "uid, title, description, status, created_at, updated_at, version";
        conn.execute(
            &format!("INSERT INTO projects ({columns}) VALUES ({})", placeholders(7)),
            params_from_iter(super::super::rows::project_values(&project).into_iter().take(7)),
        )
        .unwrap();

        migrate(&mut conn).unwrap();
        let read = conn
            .query_row(
                &format!("SELECT {} FROM projects", super::super::rows::PROJECT_COLUMNS),
                [],
                super::super::rows::project_from_row,
            )
            .unwrap();
        assert_eq!((read.parent_id, read), (None, project));
    }

    #[test]
    fn tasks_blocked_before_blockers_were_counted_are_counted_by_the_migration() {
        let mut conn = migrated_up_to("0012_task_open_blockers");
        let task = |title: &str, status: TaskStatus| {
            let mut task = Task::create(NewTask::new(Title::parse(title).unwrap()), Timestamp::now()).unwrap();
            task.status = status;
            let sql = format!("INSERT INTO tasks ({TASK_COLUMNS}) VALUES ({})", placeholders(TASK_COLUMN_COUNT));
            conn.execute(&sql, params_from_iter(task_values(&task))).unwrap();
            task.uid.to_string()
        };
        let (open, done, cancelled) =
            (task("Open", TaskStatus::Todo), task("Done", TaskStatus::Done), task("Dropped", TaskStatus::Cancelled));
        let (waiting, free) = (task("Waiting", TaskStatus::Todo), task("Free", TaskStatus::Todo));
        for (blocker, blocked) in [(&open, &waiting), (&done, &waiting), (&done, &free), (&cancelled, &free)] {
            conn.execute("INSERT INTO task_blocks (blocker_uid, blocked_uid) VALUES (?1, ?2)", [blocker, blocked])
                .unwrap();
        }

        migrate(&mut conn).unwrap();
        let count = |uid: &str| -> i64 {
            conn.query_row("SELECT open_blockers FROM tasks WHERE uid = ?1", [uid], |row| row.get(0)).unwrap()
        };
        assert_eq!((count(&waiting), count(&free), count(&open)), (1, 0, 0));
    }

    #[test]
    fn tasks_numbered_before_search_followed_the_list_are_renumbered_in_list_order() {
        let mut conn = migrated_up_to("0013_task_search_in_list_order");
        let start = Timestamp::now().as_micros();
        let mut uids = Vec::new();
        // Stored newest first, so the old counter numbered them backwards.
        for (title, offset) in [("Công việc mới", 5_000), ("Công việc cũ", 0)] {
            let mut task = Task::create(NewTask::new(Title::parse(title).unwrap()), Timestamp::now()).unwrap();
            task.created_at = Timestamp::from_micros_clamped(start + offset);
            let sql = format!("INSERT INTO tasks ({TASK_COLUMNS}) VALUES ({})", placeholders(TASK_COLUMN_COUNT));
            conn.execute(&sql, params_from_iter(task_values(&task))).unwrap();
            let uid = task.uid.to_string();
            let id: i64 = conn
                .query_row("INSERT INTO task_search_rows (uid) VALUES (?1) RETURNING id", [&uid], |row| row.get(0))
                .unwrap();
            conn.execute("INSERT INTO task_search (rowid, words) VALUES (?1, 'cong viec')", [id]).unwrap();
            uids.push(uid);
        }

        migrate(&mut conn).unwrap();
        let mut found = conn
            .prepare(
                "SELECT tasks.uid FROM task_search JOIN tasks \
                 ON tasks.search_id = task_search.rowid WHERE task_search MATCH '\"viec\"' ORDER BY task_search.rowid",
            )
            .unwrap();
        let found: Vec<String> = found.query_map([], |row| row.get(0)).unwrap().map(Result::unwrap).collect();
        uids.reverse();
        assert_eq!(found, uids, "oldest first, by number");
    }
    #[test]
    fn tasks_keep_their_search_numbers_when_the_numbers_move_into_their_rows() {
        let mut conn = migrated_up_to("0015_task_search_numbers_in_tasks");
        let task = Task::create(NewTask::new(Title::parse("Công việc cũ").unwrap()), Timestamp::now()).unwrap();
        let sql = format!("INSERT INTO tasks ({TASK_COLUMNS}) VALUES ({})", placeholders(TASK_COLUMN_COUNT));
        conn.execute(&sql, params_from_iter(task_values(&task))).unwrap();
        let uid = task.uid.to_string();
        let number = 1_234_567_i64;
        conn.execute("INSERT INTO task_search_rows (id, uid) VALUES (?1, ?2)", rusqlite::params![number, uid]).unwrap();
        conn.execute("INSERT INTO task_search (rowid, words) VALUES (?1, 'cong viec cu')", [number]).unwrap();

        migrate(&mut conn).unwrap();
        let kept: i64 = conn.query_row("SELECT search_id FROM tasks WHERE uid = ?1", [&uid], |row| row.get(0)).unwrap();
        assert_eq!(kept, number, "the number the words are indexed under");
        let matches = |conn: &Connection| -> i64 {
            conn.query_row("SELECT count(*) FROM task_search WHERE task_search MATCH '\"viec\"'", [], |row| row.get(0))
                .unwrap()
        };
        assert_eq!(matches(&conn), 1);
        conn.execute("DELETE FROM tasks WHERE uid = ?1", [&uid]).unwrap();
        assert_eq!(matches(&conn), 0, "a deleted task leaves no words");
    }

    #[test]
    fn tasks_keep_their_tags_blockers_parents_and_words_when_their_table_is_rebuilt_in_creation_order() {
        let mut conn = migrated_up_to("0018_tasks_in_creation_order");
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        let start = Timestamp::now().as_micros();
        let mut stored = Vec::new();
        for (n, title) in ["Việc cha", "Việc con", "Việc chặn"].into_iter().enumerate() {
            let mut task = Task::create(NewTask::new(Title::parse(title).unwrap()), Timestamp::now()).unwrap();
            task.created_at = Timestamp::from_micros_clamped(start + i64::try_from(n).unwrap() * 1_000);
            let number = super::super::search_order::numbers_for(task.created_at).0;
            let sql = format!(
                "INSERT INTO tasks ({TASK_COLUMNS}, search_id) VALUES ({})",
                placeholders(TASK_COLUMN_COUNT + 1)
            );
            let values = task_values(&task).into_iter().chain([rusqlite::types::Value::Integer(number)]);
            conn.execute(&sql, params_from_iter(values)).unwrap();
            conn.execute("INSERT INTO task_search (rowid, words) VALUES (?1, 'viec')", [number]).unwrap();
            stored.push((task.uid.to_string(), number));
        }
        let [(parent, _), (child, child_number), (blocker, _)] = stored.clone().try_into().unwrap();
        conn.execute("UPDATE tasks SET parent_id = ?1 WHERE uid = ?2", [&parent, &child]).unwrap();
        conn.execute("INSERT INTO task_tags (task_uid, tag) VALUES (?1, 'cu')", [&child]).unwrap();
        conn.execute("INSERT INTO task_blocks (blocker_uid, blocked_uid) VALUES (?1, ?2)", [&blocker, &child]).unwrap();

        migrate(&mut conn).unwrap();
        let in_key_order: Vec<(String, i64)> = conn
            .prepare("SELECT uid, rowid FROM tasks ORDER BY rowid")
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(in_key_order, stored, "keyed by their numbers, in creation order");
        let count = |sql: &str| -> i64 { conn.query_row(sql, [], |row| row.get(0)).unwrap() };
        assert_eq!(count("SELECT count(*) FROM task_tags"), 1, "no cascade from the old table's drop");
        assert_eq!(count("SELECT count(*) FROM task_blocks"), 1);
        assert_eq!(count("SELECT open_blockers FROM tasks WHERE parent_id IS NOT NULL"), 1);
        assert_eq!(count("PRAGMA foreign_keys"), 1, "enforced again after the rebuild");

        conn.execute("UPDATE tasks SET status = 'done' WHERE uid = ?1", [&blocker]).unwrap();
        assert_eq!(count("SELECT open_blockers FROM tasks WHERE parent_id IS NOT NULL"), 0, "the triggers are back");
        conn.execute("DELETE FROM tasks WHERE uid = ?1", [&child]).unwrap();
        let words = count(&format!("SELECT count(*) FROM task_search WHERE rowid = {child_number}"));
        assert_eq!((words, count("SELECT count(*) FROM task_tags")), (0, 0), "a deleted task leaves no words nor tags");
    }

    #[test]
    fn events_logged_before_births_were_indexed_stay_found_by_their_entitys_id() {
        let mut conn = migrated_up_to("0014_events_by_entity_birth");
        let entity = uuid::Uuid::new_v4().to_string();
        conn.execute(
            "INSERT INTO events (event_id, event_type, timestamp, entity_type, entity_id, data, metadata) \
             VALUES (?1, 'task.created', 0, 'task', ?2, '{}', '{}')",
            [uuid::Uuid::new_v4().to_string(), entity.clone()],
        )
        .unwrap();

        migrate(&mut conn).unwrap();
        let found: i64 = conn
            .query_row(
                "SELECT count(*) FROM events INDEXED BY events_by_entity WHERE entity_born IS NULL AND entity_id = ?1",
                [&entity],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(found, 1);
    }
}
