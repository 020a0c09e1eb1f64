//! What TRM-OS's clients send that the contract's own spelling does not
//! cover, through the real `App` with the use cases mocked: `name` for a
//! task's or a project's `title`, and date-times without an offset (Python's
//! `datetime.isoformat()`), read as UTC. Responses keep the contract's
//! spelling: `title`, and RFC 3339 UTC with `Z` and microseconds.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod support;

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::json;
use support::send;
use trm_api::AppState;
use trm_domain::{NewProject, NewTask, Project, ProjectPatch, Task, TaskPatch, Timestamp};
use trm_service::{MockHealthUseCases, MockProjectUseCases, MockTaskUseCases, MockUserUseCases};

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

fn creating_tasks() -> MockTaskUseCases {
    let mut tasks = MockTaskUseCases::new();
    tasks.expect_create_task().times(1).returning(|new| Ok(Task::create(new, Timestamp::now()).unwrap()));
    tasks
}

#[actix_web::test]
async fn a_task_created_with_name_is_answered_with_title() {
    let request = TestRequest::post().uri("/api/v1/tasks/").set_json(json!({"name": "Write the docs"}));
    let answer = send(state(creating_tasks(), MockProjectUseCases::new()), request).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    let body = answer.json();
    assert_eq!(body["title"], "Write the docs");
    assert!(body.get("name").is_none(), "{body}");
}

#[actix_web::test]
async fn a_task_patched_with_name_reaches_the_service_as_a_new_title() {
    let mut tasks = MockTaskUseCases::new();
    tasks
        .expect_update_task()
        .withf(|_, patch: &TaskPatch, _| patch.title.as_ref().is_some_and(|title| title.as_str() == "Renamed"))
        .times(1)
        .returning(|_, patch, _| {
            let task = Task::create(NewTask::new(patch.title.clone().unwrap()), Timestamp::now()).unwrap();
            Ok(task)
        });
    let request = TestRequest::patch()
        .uri(&format!("/api/v1/tasks/{}", uuid::Uuid::new_v4()))
        .set_json(json!({"name": "Renamed"}));
    let answer = send(state(tasks, MockProjectUseCases::new()), request).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.json()["title"], "Renamed");
}

#[actix_web::test]
async fn name_and_title_together_are_a_422_at_body_name_before_the_service() {
    for (method, uri) in [
        ("POST", "/api/v1/tasks/".to_owned()),
        ("PATCH", format!("/api/v1/tasks/{}", uuid::Uuid::new_v4())),
        ("POST", "/api/v1/projects/".to_owned()),
        ("PATCH", format!("/api/v1/projects/{}", uuid::Uuid::new_v4())),
    ] {
        let request = match method {
            "POST" => TestRequest::post(),
            _ => TestRequest::patch(),
        }
        .uri(&uri)
        .set_json(json!({"title": "One", "name": "Other"}));
        // The mocks expect nothing: a call would fail the test.
        let answer = send(state(MockTaskUseCases::new(), MockProjectUseCases::new()), request).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{method} {uri}");
        let detail = &answer.json()["detail"];
        assert_eq!(detail.as_array().map(Vec::len), Some(1), "{method} {uri}: {detail}");
        assert_eq!(detail[0]["loc"], json!(["body", "name"]), "{method} {uri}");
        assert_eq!(detail[0]["type"], "value_error", "{method} {uri}");
        assert!(detail[0]["msg"].as_str().unwrap().contains("alias of `title`"), "{method} {uri}: {detail}");
    }
}

#[actix_web::test]
async fn a_project_created_and_patched_with_name_is_answered_with_title() {
    let mut projects = MockProjectUseCases::new();
    projects
        .expect_create_project()
        .withf(|new: &NewProject| new.title.as_str() == "Launch")
        .times(1)
        .returning(|new| Ok(Project::create(new, Timestamp::now())));
    projects
        .expect_update_project()
        .withf(|_, patch: &ProjectPatch, _| patch.title.as_ref().is_some_and(|title| title.as_str() == "Relaunch"))
        .times(1)
        .returning(|_, patch, _| Ok(Project::create(NewProject::new(patch.title.clone().unwrap()), Timestamp::now())));
    let app = state(MockTaskUseCases::new(), projects);
    let created = TestRequest::post().uri("/api/v1/projects/").set_json(json!({"name": "Launch"}));
    let answer = send(app.clone(), created).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    assert_eq!(answer.json()["title"], "Launch");
    let patched = TestRequest::patch()
        .uri(&format!("/api/v1/projects/{}", uuid::Uuid::new_v4()))
        .set_json(json!({"name": "Relaunch"}));
    let answer = send(app, patched).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.json()["title"], "Relaunch");
}

#[actix_web::test]
async fn dates_without_an_offset_are_read_as_utc_and_answered_with_z_and_microseconds() {
    let mut tasks = MockTaskUseCases::new();
    tasks
        .expect_create_task()
        .withf(|new: &NewTask| {
            new.start_date.map(|at| at.to_string()).as_deref() == Some("2026-11-26T10:00:00.000000Z")
                && new.due_date.map(|at| at.to_string()).as_deref() == Some("2026-11-27T09:30:15.123456Z")
        })
        .times(1)
        .returning(|new| Ok(Task::create(new, Timestamp::now()).unwrap()));
    let request = TestRequest::post().uri("/api/v1/tasks/").set_json(json!({
        "title": "Python sent this",
        "start_date": "2026-11-26T10:00:00",
        "due_date": "2026-11-27T09:30:15.123456",
    }));
    let answer = send(state(tasks, MockProjectUseCases::new()), request).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    assert_eq!(answer.json()["start_date"], "2026-11-26T10:00:00.000000Z");
    assert_eq!(answer.json()["due_date"], "2026-11-27T09:30:15.123456Z");
}

#[actix_web::test]
async fn a_plain_date_is_midnight_utc() {
    let request =
        TestRequest::post().uri("/api/v1/tasks/").set_json(json!({"title": "Dated", "due_date": "2026-11-26"}));
    let answer = send(state(creating_tasks(), MockProjectUseCases::new()), request).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    assert_eq!(answer.json()["due_date"], "2026-11-26T00:00:00.000000Z");
}
