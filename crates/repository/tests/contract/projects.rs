//! The project part of the contract: a project's round trip and versioned
//! updates, deletes with and without cascade (also racing a task that
//! joins the project), and keyset paging of projects.

use trm_domain::{Cursor, EntityKind, EventMetadata, ProjectId, ProjectStatus, Task};
use trm_repository::{ProjectFilter, ProjectRepository, StoreError, TaskRepository};

use super::support::{Backend, at, page, plus, project, project_in, stored_project, task, unique_window};

pub(crate) async fn a_project_round_trips_and_updates_with_its_version<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let mut original = project("Launch");
    original.description = Some(trm_domain::Description::parse("with a description").unwrap());
    original.created_at = at("2026-11-26T03:12:45.654321Z");
    store.create_project(&original, &[]).await.unwrap();
    assert_eq!(store.get_project(original.uid).await.unwrap().unwrap(), original);
    assert_eq!(store.get_project(ProjectId::new()).await.unwrap(), None);

    let mut held = original.clone();
    held.status = ProjectStatus::OnHold;
    held.description = None;
    held.version = 2;
    store.update_project(&held, &[]).await.unwrap();
    assert_eq!(store.get_project(original.uid).await.unwrap().unwrap(), held);

    let error = store.update_project(&held, &[]).await.unwrap_err();
    assert!(matches!(error, StoreError::VersionConflict), "{error:?}");
    let mut ghost = project("Ghost");
    ghost.version = 2;
    let error = store.update_project(&ghost, &[]).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound(EntityKind::Project)), "{error:?}");
    assert_eq!(store.get_project(ghost.uid).await.unwrap(), None);
}

pub(crate) async fn a_project_with_tasks_is_not_deleted_without_cascade<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let member = task("Member", Some(project));
    store.create_task(&member, &[]).await.unwrap();

    let error = store.delete_project(project, false, None, Some(EventMetadata::default())).await.unwrap_err();
    assert!(matches!(error, StoreError::HasTasks), "{error:?}");
    assert!(store.get_project(project).await.unwrap().is_some());
    assert_eq!(store.get_task(member.uid).await.unwrap().unwrap().project_id, Some(project));
}

pub(crate) async fn a_task_cannot_join_a_project_while_it_is_deleted<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let metadata = EventMetadata::default();
    for round in 0..12 {
        let project = stored_project(store).await;
        let joiner = task("Joiner", Some(project));
        let (created, deleted) = tokio::join!(
            store.create_task(&joiner, &[]),
            store.delete_project(project, false, None, Some(metadata.clone()))
        );
        match (&created, &deleted) {
            // The task came first: the project stays, with its task.
            (Ok(()), Err(StoreError::HasTasks)) => {
                assert_eq!(store.get_task(joiner.uid).await.unwrap().unwrap().project_id, Some(project));
                assert!(store.get_project(project).await.unwrap().is_some());
            }
            // The delete came first: the task was never stored.
            (Err(StoreError::MissingReference(EntityKind::Project)), Ok(removed)) => {
                assert!(removed.affected.is_empty());
                assert_eq!(store.get_task(joiner.uid).await.unwrap(), None);
            }
            _ => panic!("round {round}: create {created:?}, delete {deleted:?}"),
        }
    }
}

pub(crate) async fn a_cascade_delete_takes_the_tasks_and_returns_their_ids_oldest_first<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let bystander_project = stored_project(store).await;
    let start = at("2026-03-01T00:00:00Z");
    // Created out of order, one pair sharing a timestamp (ties go by uid).
    let mut tasks: Vec<Task> = [3, 1, 2, 2, 0]
        .iter()
        .map(|offset| {
            let mut task = task("Member", Some(project));
            task.created_at = plus(start, *offset);
            task
        })
        .collect();
    for task in &tasks {
        store.create_task(task, &[]).await.unwrap();
    }
    let bystander = task("Bystander", Some(bystander_project));
    store.create_task(&bystander, &[]).await.unwrap();

    let deleted = store.delete_project(project, true, Some(1), Some(EventMetadata::default())).await.unwrap().affected;
    tasks.sort_by_key(|task| task.cursor());
    assert_eq!(deleted, tasks.iter().map(|task| task.uid).collect::<Vec<_>>());
    assert_eq!(store.get_project(project).await.unwrap(), None);
    for task in &tasks {
        assert_eq!(store.get_task(task.uid).await.unwrap(), None);
    }
    assert!(store.get_task(bystander.uid).await.unwrap().is_some(), "other projects' tasks stay");

    let empty = stored_project(store).await;
    assert_eq!(store.delete_project(empty, true, None, Some(EventMetadata::default())).await.unwrap().affected, []);
}

pub(crate) async fn deleting_a_project_checks_existence_and_version<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let error = store.delete_project(ProjectId::new(), true, None, Some(EventMetadata::default())).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound(EntityKind::Project)), "{error:?}");

    let project = stored_project(store).await;
    let member = task("Member", Some(project));
    store.create_task(&member, &[]).await.unwrap();
    let error = store.delete_project(project, true, Some(2), Some(EventMetadata::default())).await.unwrap_err();
    assert!(matches!(error, StoreError::VersionConflict), "{error:?}");
    assert!(store.get_project(project).await.unwrap().is_some());
    assert!(store.get_task(member.uid).await.unwrap().is_some(), "a conflict cascades nothing");
}

pub(crate) async fn projects_page_in_keyset_order_and_filter_by_status<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let window = unique_window();
    let statuses = [
        ProjectStatus::Active,
        ProjectStatus::Archived,
        ProjectStatus::Active,
        ProjectStatus::OnHold,
        ProjectStatus::Active,
        ProjectStatus::Completed,
        ProjectStatus::Active,
    ];
    let mut projects: Vec<_> = [3, 0, 3, 5, 1, 2, 6]
        .iter()
        .zip(statuses)
        .map(|(offset, status)| project_in(status, plus(window, *offset)))
        .collect();
    for project in &projects {
        store.create_project(project, &[]).await.unwrap();
    }
    projects.sort_by_key(trm_domain::Project::cursor);
    let in_window = |p: &trm_domain::Project| p.created_at <= plus(window, 6);

    let start = Cursor::new(plus(window, -1), uuid::Uuid::nil());
    let mut seen = Vec::new();
    let mut after = Some(start);
    while seen.len() < projects.len() {
        let page = store.list_projects(&ProjectFilter::default(), page(3, after)).await.unwrap();
        assert!(page.items.len() <= 3);
        seen.extend(page.items.into_iter().filter(in_window));
        after = page.next;
        assert!(after.is_some() || seen.len() == projects.len(), "the list ended early");
    }
    assert_eq!(seen, projects);

    let active = ProjectFilter { status: Some(ProjectStatus::Active), ..ProjectFilter::default() };
    let page = store.list_projects(&active, page(10, Some(start))).await.unwrap();
    let listed: Vec<_> = page.items.into_iter().filter(in_window).collect();
    let expected: Vec<_> = projects.iter().filter(|p| p.status == ProjectStatus::Active).cloned().collect();
    assert_eq!(listed, expected);
}
