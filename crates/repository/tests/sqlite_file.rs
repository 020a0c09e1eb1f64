//! The embedded store on a real file: persistence, WAL, idempotent migrations.
//!
//! The shared contract suite runs on in-memory databases; these tests cover
//! what only a file database has.

// Test helpers report failure by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use trm_domain::{NewProject, NewTask, Project, Task, Timestamp, Title};
use trm_repository::sqlite::SqliteStore;
use trm_repository::{ProjectRepository, TaskRepository};

/// A fresh directory under the target dir, removed at the end of the test.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("trm-sqlite-{name}-{}", uuid::Uuid::new_v4()));
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn a_file_database_keeps_its_data_across_reopening() {
    let dir = TempDir::new("persist");
    let url = format!("sqlite://{}/nested/dir/trm.db", dir.0.display());
    let project = Project::create(NewProject::new(Title::parse("Persisted").unwrap()), Timestamp::now());
    let task = Task::create(
        NewTask { project_id: Some(project.uid), ..NewTask::new(Title::parse("Survives").unwrap()) },
        Timestamp::now(),
    )
    .unwrap();
    {
        let store = SqliteStore::open(&url).await.unwrap();
        store.create_project(&project, &[]).await.unwrap();
        store.create_task(&task, &[]).await.unwrap();
    }
    assert!(dir.0.join("nested/dir/trm.db").exists(), "the directory is created when missing");
    let reopened = SqliteStore::open(&url).await.unwrap();
    assert_eq!(reopened.get_task(task.uid).await.unwrap(), Some(task));
    assert_eq!(reopened.get_project(project.uid).await.unwrap(), Some(project));
}

#[tokio::test]
async fn a_file_database_is_in_wal_mode_with_foreign_keys_on() {
    let dir = TempDir::new("wal");
    let path = dir.0.join("trm.db");
    let url = format!("sqlite://{}", path.display());
    let _store = SqliteStore::open(&url).await.unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn.pragma_query_value(None, "journal_mode", |row| row.get(0)).unwrap();
    assert_eq!(mode, "wal");
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0)).unwrap();
    assert!(version >= 1, "migrations were applied");
}

#[tokio::test]
async fn reopening_does_not_reapply_migrations() {
    let dir = TempDir::new("migrate");
    let url = format!("sqlite://{}/trm.db", dir.0.display());
    for _ in 0..3 {
        SqliteStore::open(&url).await.unwrap();
    }
}

#[tokio::test]
async fn a_database_from_a_newer_server_is_refused() {
    let dir = TempDir::new("newer");
    let path = dir.0.join("trm.db");
    std::fs::create_dir_all(&dir.0).unwrap();
    rusqlite::Connection::open(&path).unwrap().pragma_update(None, "user_version", 999).unwrap();
    let error = SqliteStore::open(&format!("sqlite://{}", path.display())).await.unwrap_err();
    assert!(format!("{error:#}").contains("newer"), "{error:#}");
}

#[tokio::test]
async fn readers_see_committed_writes_at_once() {
    let dir = TempDir::new("readers");
    let store = SqliteStore::open(&format!("sqlite://{}/trm.db", dir.0.display())).await.unwrap();
    for n in 0..20 {
        let task = Task::create(NewTask::new(Title::parse(&format!("t{n}")).unwrap()), Timestamp::now()).unwrap();
        store.create_task(&task, &[]).await.unwrap();
        assert_eq!(store.get_task(task.uid).await.unwrap().map(|t| t.version), Some(1));
    }
}
