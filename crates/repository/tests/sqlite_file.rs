//! The embedded store on a real file: persistence, WAL, idempotent migrations.
//!
//! The shared contract suite runs on in-memory databases; these tests cover
//! what only a file database has.

// Test helpers report failure by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use trm_domain::{
    DomainEvent, EntityKind, EventKind, EventMetadata, NewProject, NewTask, Project, Task, Timestamp, Title,
};
use trm_repository::sqlite::SqliteStore;
use trm_repository::{EventFilter, EventLog, ProjectRepository, TaskRepository};

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

/// The history of `task`, oldest first.
async fn history_of(store: &SqliteStore, task: &Task) -> Vec<DomainEvent> {
    let filter = EventFilter { entity_id: Some(*task.uid.as_uuid()), ..EventFilter::default() };
    let logged = store.events_after(&filter, trm_domain::EventPosition::START, 100).await.unwrap();
    logged.into_iter().map(|logged| logged.event).collect()
}

fn task_event(kind: EventKind, task: &Task) -> DomainEvent {
    DomainEvent::about(EntityKind::Task, kind, *task.uid.as_uuid(), task, EventMetadata::default())
}

fn retired_entities(path: &std::path::Path) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("SELECT count(*) FROM retired_entities", [], |row| row.get(0)).unwrap()
}

#[tokio::test]
async fn a_history_begun_before_births_were_indexed_reads_as_one_through_a_delete() {
    let dir = TempDir::new("births");
    let path = dir.0.join("trm.db");
    let store = SqliteStore::open(&format!("sqlite://{}", path.display())).await.unwrap();
    let task = Task::create(NewTask::new(Title::parse("Older than the index").unwrap()), Timestamp::now()).unwrap();
    let created = task_event(EventKind::Created, &task);
    store.create_task(&task, std::slice::from_ref(&created)).await.unwrap();
    // As a log stored before migration 0014 holds it: no birth.
    rusqlite::Connection::open(&path).unwrap().execute("UPDATE events SET entity_born = NULL", []).unwrap();

    let mut renamed = task.clone();
    renamed.title = Title::parse("Renamed").unwrap();
    renamed.version += 1;
    let updated = task_event(EventKind::Updated, &renamed);
    store.update_task(&renamed, std::slice::from_ref(&updated)).await.unwrap();
    assert_eq!(history_of(&store, &task).await, [created.clone(), updated.clone()]);

    let deleted = store.delete_task(task.uid, None, false, Timestamp::now(), Some(EventMetadata::default())).await;
    let deleted = deleted.unwrap().events;
    assert_eq!(history_of(&store, &task).await, [vec![created, updated], deleted].concat());
}

#[tokio::test]
async fn a_deleted_entitys_birth_is_kept_while_its_history_is_and_forgotten_with_it() {
    let dir = TempDir::new("retired");
    let path = dir.0.join("trm.db");
    let store = SqliteStore::open(&format!("sqlite://{}", path.display())).await.unwrap();
    let task = Task::create(NewTask::new(Title::parse("Gone").unwrap()), Timestamp::now()).unwrap();
    let created = task_event(EventKind::Created, &task);
    store.create_task(&task, std::slice::from_ref(&created)).await.unwrap();
    let unlogged = Task::create(NewTask::new(Title::parse("Never logged").unwrap()), Timestamp::now()).unwrap();
    store.create_task(&unlogged, &[]).await.unwrap();

    let metadata = Some(EventMetadata::default());
    let deleted = store.delete_task(task.uid, None, false, Timestamp::now(), metadata).await.unwrap().events;
    store.delete_task(unlogged.uid, None, false, Timestamp::now(), None).await.unwrap();
    assert_eq!(retired_entities(&path), 1, "only the entity with a history");
    assert_eq!(history_of(&store, &task).await, [vec![created], deleted].concat());

    let far_future = Timestamp::from_micros_clamped(i64::MAX);
    assert_eq!(store.prune(far_future, 100).await.unwrap(), 2);
    assert_eq!(retired_entities(&path), 0, "forgotten with the last of its events");
    assert_eq!(history_of(&store, &task).await, []);
}
