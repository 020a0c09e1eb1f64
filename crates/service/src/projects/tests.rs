//! The project use cases over mocked stores.

use trm_domain::{ProjectStatus, Title};
use trm_repository::{Cascade, MockProjectRepository, MockTaskRepository};

use super::*;

fn service(projects: MockProjectRepository, tasks: MockTaskRepository) -> ProjectService {
    ProjectService::new(Arc::new(projects), Arc::new(tasks))
}

#[tokio::test]
async fn without_the_event_log_a_cascade_asks_the_store_for_no_events() {
    let mut projects = MockProjectRepository::new();
    projects
        .expect_delete_project()
        .withf(|_, _, _, metadata| metadata.is_none())
        .times(1)
        .returning(|_, _, _, _| Ok(trm_repository::Cascade { affected: vec![], events: vec![] }));
    let service = service(projects, MockTaskRepository::new()).without_event_log();
    assert!(service.delete_project(ProjectId::new(), true, None).await.unwrap().is_empty());
}

fn stored_project() -> Project {
    Project::create(NewProject::new(Title::parse("Launch").unwrap()), Timestamp::now())
}

#[tokio::test]
async fn creating_a_project_stores_it() {
    let mut projects = MockProjectRepository::new();
    projects.expect_create_project().withf(|p, _| p.title.as_str() == "Launch").times(1).returning(|_, _| Ok(()));
    let project = service(projects, MockTaskRepository::new())
        .create_project(NewProject::new(Title::parse("Launch").unwrap()))
        .await
        .unwrap();
    assert_eq!(project.status, ProjectStatus::Active);
}

#[tokio::test]
async fn deleting_a_project_with_tasks_is_a_conflict_naming_the_reason() {
    let mut projects = MockProjectRepository::new();
    projects
        .expect_delete_project()
        .withf(|_, cascade, _, _| !cascade)
        .returning(|_, _, _, _| Err(StoreError::HasTasks));
    let result = service(projects, MockTaskRepository::new()).delete_project(ProjectId::new(), false, None).await;
    assert!(matches!(result, Err(ServiceError::Conflict(ConflictReason::ProjectHasTasks))), "{result:?}");
}

#[tokio::test]
async fn a_cascade_delete_returns_the_deleted_tasks() {
    let deleted = vec![TaskId::new(), TaskId::new()];
    let expected = deleted.clone();
    let mut projects = MockProjectRepository::new();
    projects
        .expect_delete_project()
        .withf(|_, cascade, _, _| *cascade)
        .returning(move |_, _, _, _| Ok(Cascade { affected: deleted.clone(), events: vec![] }));
    let result = service(projects, MockTaskRepository::new()).delete_project(ProjectId::new(), true, None).await;
    assert_eq!(result.unwrap(), expected);
}

#[tokio::test]
async fn listing_the_tasks_of_an_unknown_project_is_not_found() {
    let mut projects = MockProjectRepository::new();
    projects.expect_get_project().returning(|_| Ok(None));
    let mut tasks = MockTaskRepository::new();
    tasks.expect_list_tasks().never();
    let result = service(projects, tasks)
        .list_project_tasks(ProjectId::new(), TaskFilter::default(), PageRequest::first())
        .await;
    assert!(matches!(result, Err(ServiceError::NotFound(EntityKind::Project))));
}

#[tokio::test]
async fn listing_a_projects_tasks_filters_by_that_project() {
    let project = stored_project();
    let id = project.uid;
    let mut projects = MockProjectRepository::new();
    projects.expect_get_project().returning(move |_| Ok(Some(project.clone())));
    let mut tasks = MockTaskRepository::new();
    tasks
        .expect_list_tasks()
        .withf(move |filter, _| filter.project_id == Some(id))
        .times(1)
        .returning(|_, _| Ok(Page { items: vec![], next: None }));
    let result = service(projects, tasks).list_project_tasks(id, TaskFilter::default(), PageRequest::first()).await;
    assert!(result.is_ok());
}

#[tokio::test]
async fn a_parent_that_does_not_exist_or_nests_too_deep_is_invalid_at_parent_id() {
    for (answer, message) in [
        (StoreError::MissingReference(EntityKind::Project), "project not found"),
        (StoreError::ProjectTooDeep, "at most 10 levels"),
    ] {
        let answer = std::sync::Mutex::new(Some(answer));
        let mut projects = MockProjectRepository::new();
        projects
            .expect_create_project()
            .withf(|project, _| project.parent_id.is_some())
            .times(1)
            .returning(move |_, _| Err(answer.lock().unwrap().take().unwrap()));
        let new = NewProject { parent_id: Some(ProjectId::new()), ..NewProject::new(Title::parse("Sub").unwrap()) };
        let result = service(projects, MockTaskRepository::new()).create_project(new).await;
        let Err(ServiceError::Invalid(errors)) = result else { panic!("expected a 422, got {result:?}") };
        let text = errors.errors()[0].to_string();
        assert!(text.starts_with("parent_id: "), "{text}");
        assert!(text.to_lowercase().contains(message), "{text}");
    }
}

#[tokio::test]
async fn re_parenting_under_a_descendant_is_a_conflict_naming_the_loop() {
    let project = stored_project();
    let id = project.uid;
    let descendant = ProjectId::new();
    let mut projects = MockProjectRepository::new();
    projects.expect_get_project().returning(move |_| Ok(Some(project.clone())));
    projects
        .expect_update_project()
        .withf(move |next, _| next.parent_id == Some(descendant) && next.version == 2)
        .times(1)
        .returning(move |_, _| Err(StoreError::ProjectCycle(vec![id, descendant, id])));
    let patch = ProjectPatch { parent_id: Some(Some(descendant)), ..ProjectPatch::default() };
    let result = service(projects, MockTaskRepository::new()).update_project(id, patch, None).await;
    match result {
        Err(ServiceError::Conflict(ConflictReason::ProjectCycle(path))) => assert_eq!(path, [id, descendant, id]),
        other => panic!("expected a cycle, got {other:?}"),
    }
}

#[tokio::test]
async fn re_parenting_is_an_update_with_its_event_and_detaching_a_top_level_project_changes_nothing() {
    let project = stored_project();
    let id = project.uid;
    let parent = ProjectId::new();
    let mut projects = MockProjectRepository::new();
    let stored = project.clone();
    projects.expect_get_project().returning(move |_| Ok(Some(stored.clone())));
    projects
        .expect_update_project()
        .withf(move |next, events| {
            next.parent_id == Some(parent)
                && next.version == 2
                && events.len() == 1
                && events[0].event_type == "project.updated"
                && events[0].data["parent_id"] == serde_json::json!(parent.to_string())
        })
        .times(1)
        .returning(|_, _| Ok(()));
    let service = service(projects, MockTaskRepository::new());
    let attach = ProjectPatch { parent_id: Some(Some(parent)), ..ProjectPatch::default() };
    assert_eq!(service.update_project(id, attach, None).await.unwrap().parent_id, Some(parent));
    let detach = ProjectPatch { parent_id: Some(None), ..ProjectPatch::default() };
    assert_eq!(service.update_project(id, detach, None).await.unwrap(), project, "a no-op: nothing written");
}

#[tokio::test]
async fn deleting_a_project_with_sub_projects_is_a_conflict_naming_the_reason() {
    let mut projects = MockProjectRepository::new();
    projects.expect_delete_project().returning(|_, _, _, _| Err(StoreError::HasSubprojects));
    let result = service(projects, MockTaskRepository::new()).delete_project(ProjectId::new(), false, None).await;
    assert!(matches!(result, Err(ServiceError::Conflict(ConflictReason::ProjectHasSubprojects))), "{result:?}");
}

#[tokio::test]
async fn listing_a_projects_tasks_keeps_the_subtree_flag() {
    let project = stored_project();
    let id = project.uid;
    let mut projects = MockProjectRepository::new();
    projects.expect_get_project().returning(move |_| Ok(Some(project.clone())));
    let mut tasks = MockTaskRepository::new();
    tasks
        .expect_list_tasks()
        .withf(move |filter, _| filter.project_id == Some(id) && filter.include_subprojects)
        .times(1)
        .returning(|_, _| Ok(Page { items: vec![], next: None }));
    let filter = TaskFilter { include_subprojects: true, ..TaskFilter::default() };
    assert!(service(projects, tasks).list_project_tasks(id, filter, PageRequest::first()).await.is_ok());
}

#[tokio::test]
async fn a_project_update_with_a_stale_if_match_is_refused() {
    let project = stored_project();
    let id = project.uid;
    let mut projects = MockProjectRepository::new();
    projects.expect_get_project().returning(move |_| Ok(Some(project.clone())));
    projects.expect_update_project().never();
    let patch = ProjectPatch { status: Some(ProjectStatus::Archived), ..ProjectPatch::default() };
    let result = service(projects, MockTaskRepository::new()).update_project(id, patch, Some(9)).await;
    assert!(matches!(result, Err(ServiceError::PreconditionFailed)));
}
