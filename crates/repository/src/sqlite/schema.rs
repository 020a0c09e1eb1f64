//! Schema migrations, applied in order at start-up.
//!
//! The database's `user_version` records how many migrations it has seen;
//! each pending one runs in its own transaction, so a failed migration leaves
//! the previous schema intact. Migrations are append-only: an applied one is
//! never edited.

use anyhow::Context as _;
use rusqlite::Connection;

/// Every migration, oldest first.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_tasks_and_projects", include_str!("../../migrations/0001_tasks_and_projects.sql")),
    ("0002_idempotency_keys", include_str!("../../migrations/0002_idempotency_keys.sql")),
    ("0003_api_keys", include_str!("../../migrations/0003_api_keys.sql")),
    ("0004_tasks_by_project_status", include_str!("../../migrations/0004_tasks_by_project_status.sql")),
    ("0005_events", include_str!("../../migrations/0005_events.sql")),
    ("0006_webhooks", include_str!("../../migrations/0006_webhooks.sql")),
];

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
    for (index, (name, sql)) in MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql).with_context(|| format!("migration {name} failed"))?;
        tx.pragma_update(None, "user_version", i64::try_from(index + 1)?)?;
        tx.commit().with_context(|| format!("cannot commit migration {name}"))?;
        tracing::info!(migration = name, "applied a schema migration");
    }
    Ok(())
}
