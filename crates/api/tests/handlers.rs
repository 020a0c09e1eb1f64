//! Handler tests: the real `App`, in process, with the use cases mocked.
//!
//! These pin down the HTTP layer alone — status codes, headers, error
//! shapes, what reaches the service and what never does — without a store.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::{StatusCode, header};
use actix_web::test::{self, TestRequest};
use serde_json::{Value, json};
use trm_api::AppState;
use trm_domain::{EntityKind, NewProject, NewTask, Page, Project, Task, TaskStatus, Timestamp, Title};
use trm_service::{
    ConflictReason, MockHealthUseCases, MockProjectUseCases, MockTaskUseCases, MockUserUseCases, ServiceError,
};

fn state(tasks: MockTaskUseCases, projects: MockProjectUseCases) -> AppState {
    AppState {
        tasks: Arc::new(tasks),
        projects: Arc::new(projects),
        users: Arc::new(MockUserUseCases::new()),
        health: Arc::new(MockHealthUseCases::new()),
        overview: Arc::new(trm_service::MockOverviewUseCases::new()),
        events: Arc::new(trm_service::EventBus::new(16)),
        history: Arc::new(trm_service::MockEventUseCases::new()),
        webhooks: Arc::new(trm_service::MockWebhookUseCases::new()),
        idempotency: Arc::new(trm_service::MockIdempotencyUseCases::new()),
        metrics: Arc::default(),
    }
}

fn health_only(health: MockHealthUseCases) -> AppState {
    AppState {
        tasks: Arc::new(MockTaskUseCases::new()),
        projects: Arc::new(MockProjectUseCases::new()),
        users: Arc::new(MockUserUseCases::new()),
        health: Arc::new(health),
        overview: Arc::new(trm_service::MockOverviewUseCases::new()),
        events: Arc::new(trm_service::EventBus::new(16)),
        history: Arc::new(trm_service::MockEventUseCases::new()),
        webhooks: Arc::new(trm_service::MockWebhookUseCases::new()),
        idempotency: Arc::new(trm_service::MockIdempotencyUseCases::new()),
        metrics: Arc::default(),
    }
}

fn a_task(title: &str) -> Task {
    Task::create(NewTask::new(Title::parse(title).unwrap()), Timestamp::now()).unwrap()
}

fn a_project() -> Project {
    Project::create(NewProject::new(Title::parse("Launch").unwrap()), Timestamp::now())
}

/// Sends `request` to the app and returns status, headers and JSON body.
async fn send(state: AppState, request: TestRequest) -> (StatusCode, HashMap<String, String>, Value) {
    let app = test::init_service(trm_api::app(state)).await;
    let response = test::call_service(&app, request.to_request()).await;
    let status = response.status();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap().to_owned()))
        .collect();
    let bytes = test::read_body(response).await;
    let body = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap() };
    (status, headers, body)
}

fn tasks_only(tasks: MockTaskUseCases) -> AppState {
    state(tasks, MockProjectUseCases::new())
}

#[actix_web::test]
async fn creating_a_task_answers_201_with_location_and_etag() {
    let mut tasks = MockTaskUseCases::new();
    tasks
        .expect_create_task()
        .withf(|new: &NewTask| new.title.as_str() == "Test Task" && new.status == TaskStatus::InProgress)
        .times(1)
        .returning(|new| Ok(Task::create(new, Timestamp::now()).unwrap()));
    let request =
        TestRequest::post().uri("/api/v1/tasks/").set_json(json!({"title": " Test Task ", "status": "In Progress"}));
    let (status, headers, body) = send(tasks_only(tasks), request).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["status"], "in_progress");
    assert_eq!(headers[header::LOCATION.as_str()].as_str(), format!("/api/v1/tasks/{}", body["uid"].as_str().unwrap()));
    assert_eq!(headers[header::ETAG.as_str()], "\"1\"");
}

#[actix_web::test]
async fn creating_a_task_without_a_title_is_rejected_before_the_service() {
    let mut tasks = MockTaskUseCases::new();
    tasks.expect_create_task().never();
    let request = TestRequest::post().uri("/api/v1/tasks").set_json(json!({"description": "no title"}));
    let (status, _, body) = send(tasks_only(tasks), request).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["loc"], json!(["body", "title"]));
    assert_eq!(body["detail"][0]["type"], "missing");
}

#[actix_web::test]
async fn a_bad_body_to_an_unknown_id_is_a_422_not_a_404() {
    let mut tasks = MockTaskUseCases::new();
    tasks.expect_update_task().never();
    let request = TestRequest::patch()
        .uri(&format!("/api/v1/tasks/{}", uuid::Uuid::new_v4()))
        .set_json(json!({"status": "someday"}));
    let (status, _, body) = send(tasks_only(tasks), request).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["loc"], json!(["body", "status"]));
}

#[actix_web::test]
async fn a_good_body_to_an_unknown_id_is_a_404() {
    let mut tasks = MockTaskUseCases::new();
    tasks.expect_update_task().returning(|_, _, _| Err(ServiceError::NotFound(EntityKind::Task)));
    let request = TestRequest::patch()
        .uri(&format!("/api/v1/tasks/{}", uuid::Uuid::new_v4()))
        .set_json(json!({"status": "done"}));
    let (status, _, body) = send(tasks_only(tasks), request).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({"detail": "Task not found"}));
}

#[actix_web::test]
async fn a_path_id_that_is_not_an_id_is_a_404_without_a_lookup() {
    let mut tasks = MockTaskUseCases::new();
    tasks.expect_get_task().never();
    let (status, _, body) = send(tasks_only(tasks), TestRequest::get().uri("/api/v1/tasks/not-a-uuid")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({"detail": "Task not found"}));
}

#[actix_web::test]
async fn an_unavailable_store_is_a_503_with_retry_after() {
    let mut tasks = MockTaskUseCases::new();
    tasks.expect_get_task().returning(|_| Err(ServiceError::Unavailable(anyhow::anyhow!("connection refused"))));
    let (status, headers, body) =
        send(tasks_only(tasks), TestRequest::get().uri(&format!("/api/v1/tasks/{}", uuid::Uuid::new_v4()))).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, json!({"detail": "Database unavailable"}));
    assert!(headers.contains_key(header::RETRY_AFTER.as_str()));
}

#[actix_web::test]
async fn an_unexpected_failure_is_a_500_that_leaks_nothing() {
    let mut tasks = MockTaskUseCases::new();
    tasks
        .expect_get_task()
        .returning(|_| Err(ServiceError::Unexpected(anyhow::anyhow!("secret table tasks is corrupt"))));
    let (status, _, body) =
        send(tasks_only(tasks), TestRequest::get().uri(&format!("/api/v1/tasks/{}", uuid::Uuid::new_v4()))).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body, json!({"detail": "Internal server error"}));
}

#[actix_web::test]
async fn a_body_over_one_mebibyte_is_a_413() {
    let mut tasks = MockTaskUseCases::new();
    tasks.expect_create_task().never();
    let huge = json!({"title": "x", "description": "y".repeat(1024 * 1024)});
    let (status, _, body) = send(tasks_only(tasks), TestRequest::post().uri("/api/v1/tasks/").set_json(huge)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body["detail"].is_string());
}

#[actix_web::test]
async fn a_body_that_is_not_json_is_a_415() {
    let request = TestRequest::post()
        .uri("/api/v1/tasks/")
        .insert_header((header::CONTENT_TYPE, "text/plain"))
        .set_payload("title=x");
    let (status, _, body) = send(tasks_only(MockTaskUseCases::new()), request).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(body["detail"].is_string());
}

#[actix_web::test]
async fn malformed_json_is_a_422_json_invalid() {
    let request = TestRequest::post()
        .uri("/api/v1/tasks/")
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .set_payload("{\"title\": \"unterminated");
    let (status, _, body) = send(tasks_only(MockTaskUseCases::new()), request).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["type"], "json_invalid");
    assert_eq!(body["detail"][0]["loc"][0], "body");
}

#[actix_web::test]
async fn an_unknown_query_parameter_is_rejected_rather_than_ignored() {
    let mut tasks = MockTaskUseCases::new();
    tasks.expect_list_tasks().never();
    let (status, _, body) = send(tasks_only(tasks), TestRequest::get().uri("/api/v1/tasks/?stauts=done")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["loc"], json!(["query", "stauts"]));
    assert_eq!(body["detail"][0]["type"], "extra_forbidden");
}

#[actix_web::test]
async fn list_filters_are_normalized_before_the_service_sees_them() {
    let mut tasks = MockTaskUseCases::new();
    tasks
        .expect_list_tasks()
        .withf(|filter, page| filter.statuses == [TaskStatus::Todo, TaskStatus::InProgress] && page.limit() == 7)
        .times(1)
        .returning(|_, _| Ok(Page { items: vec![], next: None }));
    let (status, headers, body) =
        send(tasks_only(tasks), TestRequest::get().uri("/api/v1/tasks?status=To-Do&status=wip&limit=7")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!([]));
    assert!(!headers.contains_key(header::LINK.as_str()));
}

#[actix_web::test]
async fn a_page_with_more_to_come_announces_the_next_one() {
    let mut tasks = MockTaskUseCases::new();
    tasks.expect_list_tasks().returning(|_, _| {
        let task = a_task("first");
        Ok(Page { next: Some(task.cursor()), items: vec![task] })
    });
    let (_, headers, body) = send(tasks_only(tasks), TestRequest::get().uri("/api/v1/tasks/?limit=1")).await;
    assert_eq!(body.as_array().unwrap().len(), 1);
    let link = headers[header::LINK.as_str()].as_str();
    assert!(link.starts_with("</api/v1/tasks/?limit=1&cursor="), "{link}");
    assert!(link.ends_with("rel=\"next\""), "{link}");
}

#[actix_web::test]
async fn a_malformed_id_filter_matches_nothing_without_a_lookup() {
    let mut tasks = MockTaskUseCases::new();
    tasks.expect_list_tasks().never();
    let (status, _, body) =
        send(tasks_only(tasks), TestRequest::get().uri("/api/v1/tasks/?project_id=project-123")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!([]));
}

#[actix_web::test]
async fn a_stale_if_match_reaches_the_service_as_a_version() {
    let mut tasks = MockTaskUseCases::new();
    tasks
        .expect_delete_task()
        .withf(|_, cascade, if_match| !*cascade && *if_match == Some(3))
        .returning(|_, _, _| Err(ServiceError::PreconditionFailed));
    let request = TestRequest::delete()
        .uri(&format!("/api/v1/tasks/{}", uuid::Uuid::new_v4()))
        .insert_header((header::IF_MATCH, "\"3\""));
    let (status, _, body) = send(tasks_only(tasks), request).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert!(body["detail"].is_string());
}

#[actix_web::test]
async fn deleting_a_project_with_tasks_is_a_409_unless_cascading() {
    let mut projects = MockProjectUseCases::new();
    projects
        .expect_delete_project()
        .withf(|_, cascade, _| !cascade)
        .returning(|_, _, _| Err(ServiceError::Conflict(ConflictReason::ProjectHasTasks)));
    projects.expect_delete_project().withf(|_, cascade, _| *cascade).returning(|_, _, _| Ok(vec![]));
    let id = uuid::Uuid::new_v4();
    let app_state = state(MockTaskUseCases::new(), projects);
    let (status, _, body) = send(app_state.clone(), TestRequest::delete().uri(&format!("/api/v1/projects/{id}"))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body, json!({"detail": "Project still has tasks; delete them first or pass cascade=true"}));
    let (status, _, _) =
        send(app_state, TestRequest::delete().uri(&format!("/api/v1/projects/{id}?cascade=true"))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[actix_web::test]
async fn projects_answer_with_their_etag() {
    let mut projects = MockProjectUseCases::new();
    let project = a_project();
    let id = project.uid;
    projects.expect_get_project().returning(move |_| Ok(project.clone()));
    let (status, headers, body) =
        send(state(MockTaskUseCases::new(), projects), TestRequest::get().uri(&format!("/api/v1/projects/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "active");
    assert_eq!(headers[header::ETAG.as_str()], "\"1\"");
}

#[actix_web::test]
async fn every_response_carries_a_request_id_and_echoes_the_clients() {
    let (_, headers, _) = send(tasks_only(MockTaskUseCases::new()), TestRequest::get().uri("/nowhere")).await;
    assert!(uuid::Uuid::parse_str(headers["x-request-id"].as_str()).is_ok());
    let request = TestRequest::get().uri("/nowhere").insert_header(("x-request-id", "abc-123"));
    let (_, headers, _) = send(tasks_only(MockTaskUseCases::new()), request).await;
    assert_eq!(headers["x-request-id"], "abc-123");
}

#[actix_web::test]
async fn unknown_routes_and_methods_answer_in_the_contract_shape() {
    let (status, _, body) = send(tasks_only(MockTaskUseCases::new()), TestRequest::get().uri("/api/v1/nothing")).await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, json!({"detail": "Not Found"})));
    let (status, _, body) = send(tasks_only(MockTaskUseCases::new()), TestRequest::put().uri("/api/v1/tasks/")).await;
    assert_eq!((status, body), (StatusCode::METHOD_NOT_ALLOWED, json!({"detail": "Method Not Allowed"})));
}

#[actix_web::test]
async fn liveness_answers_ok_without_asking_the_store() {
    let mut health = MockHealthUseCases::new();
    health.expect_check_ready().never();
    let (status, headers, body) = send(health_only(health), TestRequest::get().uri("/livez")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"status": "ok"}));
    assert_eq!(headers[header::CACHE_CONTROL.as_str()], "no-store");
    assert!(headers.contains_key("x-request-id"));
}

#[actix_web::test]
async fn readiness_answers_ready_when_the_store_answers() {
    let mut health = MockHealthUseCases::new();
    health.expect_check_ready().times(1).returning(|| Ok(()));
    let (status, headers, body) = send(health_only(health), TestRequest::get().uri("/readyz")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"status": "ready"}));
    assert_eq!(headers[header::CACHE_CONTROL.as_str()], "no-store");
    assert!(headers.contains_key("x-request-id"));
}

#[actix_web::test]
async fn readiness_is_a_503_with_retry_after_when_the_store_does_not_answer() {
    let mut health = MockHealthUseCases::new();
    health
        .expect_check_ready()
        .times(1)
        .returning(|| Err(ServiceError::Unavailable(anyhow::anyhow!("no answer within 2s"))));
    let request = TestRequest::get().uri("/readyz").insert_header(("x-request-id", "probe-1"));
    let (status, headers, body) = send(health_only(health), request).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, json!({"detail": "Database unavailable"}));
    assert!(headers[header::RETRY_AFTER.as_str()].parse::<u32>().is_ok());
    assert_eq!(headers["x-request-id"], "probe-1");
}

#[actix_web::test]
async fn probes_take_no_query_parameters_and_say_so_in_the_contract_shape() {
    let mut health = MockHealthUseCases::new();
    health.expect_check_ready().never();
    let app_state = health_only(health);
    for uri in ["/livez?verbose=1", "/readyz?verbose=1"] {
        let (status, _, body) = send(app_state.clone(), TestRequest::get().uri(uri)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}");
        assert_eq!(body["detail"][0]["loc"], json!(["query", "verbose"]), "{uri}");
    }
}

#[actix_web::test]
async fn probes_answer_only_get() {
    let (status, _, body) = send(health_only(MockHealthUseCases::new()), TestRequest::post().uri("/readyz")).await;
    assert_eq!((status, body), (StatusCode::METHOD_NOT_ALLOWED, json!({"detail": "Method Not Allowed"})));
}

#[actix_web::test]
async fn the_overview_lists_every_status_and_the_counts() {
    let mut overview = trm_service::MockOverviewUseCases::new();
    overview.expect_overview().returning(|| {
        Ok(trm_service::Overview {
            tasks_by_status: vec![(TaskStatus::Todo, 2), (TaskStatus::Done, 0)],
            task_count: 2,
            project_count: 1,
            user_count: 3,
            recent_tasks: vec![a_task("newest")],
        })
    });
    let app_state =
        AppState { overview: Arc::new(overview), ..state(MockTaskUseCases::new(), MockProjectUseCases::new()) };
    let (status, _, body) = send(app_state, TestRequest::get().uri("/api/v1/overview")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["tasks_by_status"], json!({"todo": 2, "done": 0}));
    assert_eq!(
        (body["task_count"].clone(), body["project_count"].clone(), body["user_count"].clone()),
        (json!(2), json!(1), json!(3))
    );
    assert_eq!(body["recent_tasks"][0]["title"], "newest");
}

#[actix_web::test]
async fn the_project_list_filters_by_parent_and_a_malformed_parent_matches_nothing_without_a_lookup() {
    let parent = uuid::Uuid::new_v4();
    let mut projects = MockProjectUseCases::new();
    projects
        .expect_list_projects()
        .withf(move |filter, _| filter.parent_id.map(|id| *id.as_uuid()) == Some(parent))
        .times(1)
        .returning(|_, _| Ok(Page { items: vec![], next: None }));
    let app = state(MockTaskUseCases::new(), projects);
    let (status, _, _) = send(app, TestRequest::get().uri(&format!("/api/v1/projects/?parent_id={parent}"))).await;
    assert_eq!(status, StatusCode::OK);
    let mut projects = MockProjectUseCases::new();
    projects.expect_list_projects().never();
    let app = state(MockTaskUseCases::new(), projects);
    let (status, _, body) = send(app, TestRequest::get().uri("/api/v1/projects/?parent_id=project-123")).await;
    assert_eq!((status, body), (StatusCode::OK, json!([])));
}

#[actix_web::test]
async fn include_subprojects_reaches_the_service_with_the_projects_task_filter() {
    let mut projects = MockProjectUseCases::new();
    projects
        .expect_list_project_tasks()
        .withf(|_, filter, _| filter.include_subprojects && filter.statuses == [TaskStatus::Todo])
        .times(1)
        .returning(|_, _, _| Ok(Page { items: vec![], next: None }));
    let uri = format!("/api/v1/projects/{}/tasks/?status=todo&include_subprojects=true", uuid::Uuid::new_v4());
    let (status, _, _) = send(state(MockTaskUseCases::new(), projects), TestRequest::get().uri(&uri)).await;
    assert_eq!(status, StatusCode::OK);
}
