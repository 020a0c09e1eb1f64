//! `Idempotency-Key` on the creates, at the HTTP layer: the real `App` with
//! the use cases mocked. What the header does to the service calls — claim,
//! create, remember or release — and how each claim outcome is answered.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod support;

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use mockall::predicate::eq;
use serde_json::json;
use support::{a_project, a_task, a_user, send};
use trm_api::AppState;
use trm_service::{
    Claim, MockHealthUseCases, MockIdempotencyUseCases, MockOverviewUseCases, MockProjectUseCases, MockTaskUseCases,
    MockUserUseCases, ServiceError, StoredResponse,
};

fn state(tasks: MockTaskUseCases, idempotency: MockIdempotencyUseCases) -> AppState {
    AppState {
        tasks: Arc::new(tasks),
        projects: Arc::new(MockProjectUseCases::new()),
        users: Arc::new(MockUserUseCases::new()),
        overview: Arc::new(MockOverviewUseCases::new()),
        health: Arc::new(MockHealthUseCases::new()),
        events: Arc::new(trm_service::EventBus::new(16)),
        history: Arc::new(trm_service::MockEventUseCases::new()),
        webhooks: Arc::new(trm_service::MockWebhookUseCases::new()),
        idempotency: Arc::new(idempotency),
        metrics: Arc::default(),
    }
}

fn post_task(key: &str, body: serde_json::Value) -> TestRequest {
    TestRequest::post().uri("/api/v1/tasks/").insert_header(("Idempotency-Key", key)).set_json(body)
}

#[actix_web::test]
async fn a_first_request_with_a_key_creates_and_remembers_its_response() {
    let task = a_task();
    let uid = task.uid.to_string();
    let mut tasks = MockTaskUseCases::new();
    tasks.expect_create_task().times(1).returning(move |_| Ok(task.clone()));
    let mut keys = MockIdempotencyUseCases::new();
    keys.expect_begin()
        .withf(|scope, key, _| scope == "POST /api/v1/tasks/" && key == "k-1")
        .times(1)
        .returning(|_, _, _| Ok(Claim::Claimed));
    let expected_location = format!("/api/v1/tasks/{uid}");
    keys.expect_finish()
        .withf(move |scope, key, stored| {
            scope == "POST /api/v1/tasks/"
                && key == "k-1"
                && stored.status == 201
                && stored.location.as_deref() == Some(expected_location.as_str())
                && stored.etag.as_deref() == Some("\"1\"")
                && stored.body.contains(&uid)
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    let answer = send(state(tasks, keys), post_task("k-1", json!({"title": "Write the docs"}))).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    assert!(answer.headers["location"].starts_with("/api/v1/tasks/"));
    assert_eq!(answer.headers["etag"], "\"1\"");
}

#[actix_web::test]
async fn a_replayed_key_answers_the_stored_response_without_creating() {
    let mut keys = MockIdempotencyUseCases::new();
    keys.expect_begin().returning(|_, _, _| {
        Ok(Claim::Replay(StoredResponse {
            status: 201,
            location: Some("/api/v1/tasks/abc".to_owned()),
            etag: Some("\"1\"".to_owned()),
            body: r#"{"uid":"abc"}"#.to_owned(),
        }))
    });
    let answer = send(state(MockTaskUseCases::new(), keys), post_task("k-1", json!({"title": "x"}))).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    assert_eq!(answer.headers["location"], "/api/v1/tasks/abc");
    assert_eq!(answer.headers["etag"], "\"1\"");
    assert!(answer.headers["content-type"].starts_with("application/json"));
    assert_eq!(answer.json(), json!({"uid": "abc"}));
}

#[actix_web::test]
async fn a_key_reused_with_another_body_is_a_422_at_the_header() {
    let mut keys = MockIdempotencyUseCases::new();
    keys.expect_begin().returning(|_, _, _| Ok(Claim::Mismatch));
    let answer = send(state(MockTaskUseCases::new(), keys), post_task("k-1", json!({"title": "x"}))).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.json()["detail"][0]["loc"], json!(["header", "Idempotency-Key"]));
    assert_eq!(answer.json()["detail"][0]["type"], "idempotency_key_reused");
}

#[actix_web::test]
async fn a_key_still_in_progress_is_a_409() {
    let mut keys = MockIdempotencyUseCases::new();
    keys.expect_begin().returning(|_, _, _| Ok(Claim::InProgress));
    let answer = send(state(MockTaskUseCases::new(), keys), post_task("k-1", json!({"title": "x"}))).await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert_eq!(answer.json(), json!({"detail": "A request with this Idempotency-Key is still being processed"}));
}

#[actix_web::test]
async fn an_invalid_body_with_a_key_is_a_422_that_never_reaches_the_keys_store() {
    let requests = [
        ("/api/v1/tasks/", json!({"title": " "})),
        ("/api/v1/tasks/bulk", json!({"tasks": []})),
        ("/api/v1/projects/", json!({"title": 5})),
        ("/api/v1/users/", json!({"username": "ab"})),
    ];
    for (path, body) in requests {
        let mut keys = MockIdempotencyUseCases::new();
        keys.expect_begin().never();
        keys.expect_abandon().never();
        keys.expect_finish().never();
        let request = TestRequest::post().uri(path).insert_header(("Idempotency-Key", "k-1")).set_json(body);
        let answer = send(state(MockTaskUseCases::new(), keys), request).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert_eq!(answer.json()["detail"][0]["loc"][0], "body", "{path}");
    }
}

#[actix_web::test]
async fn a_failed_create_releases_its_key() {
    let mut tasks = MockTaskUseCases::new();
    tasks.expect_create_task().returning(|_| Err(ServiceError::Unavailable(anyhow::anyhow!("down"))));
    let mut keys = MockIdempotencyUseCases::new();
    keys.expect_begin().returning(|_, _, _| Ok(Claim::Claimed));
    keys.expect_abandon().with(eq("POST /api/v1/tasks/"), eq("k-1")).times(1).returning(|_, _| Ok(()));
    keys.expect_finish().never();
    let answer = send(state(tasks, keys), post_task("k-1", json!({"title": "x"}))).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[actix_web::test]
async fn a_malformed_key_is_a_422_at_the_header_and_reaches_nothing() {
    for key in ["", "has space", &"k".repeat(256), "naïve"] {
        let request = TestRequest::post()
            .uri("/api/v1/tasks/")
            .insert_header((
                "Idempotency-Key",
                actix_web::http::header::HeaderValue::from_bytes(key.as_bytes()).unwrap(),
            ))
            .set_json(json!({"title": "x"}));
        let answer = send(state(MockTaskUseCases::new(), MockIdempotencyUseCases::new()), request).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{key:?}");
        assert_eq!(answer.json()["detail"][0]["loc"], json!(["header", "Idempotency-Key"]), "{key:?}");
    }
}

#[actix_web::test]
async fn the_same_body_in_another_key_order_has_the_same_fingerprint() {
    let fingerprints = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut keys = MockIdempotencyUseCases::new();
    let seen = Arc::clone(&fingerprints);
    keys.expect_begin().times(2).returning(move |_, _, fingerprint| {
        seen.lock().unwrap().push(fingerprint.to_owned());
        Ok(Claim::InProgress)
    });
    let state = state(MockTaskUseCases::new(), keys);
    send(state.clone(), post_task("k", json!({"title": "x", "tags": ["a"]}))).await;
    let reordered = TestRequest::post()
        .uri("/api/v1/tasks/")
        .insert_header(("Idempotency-Key", "k"))
        .insert_header(("content-type", "application/json"))
        .set_payload(r#"{ "tags": ["a"], "title": "x" }"#);
    send(state, reordered).await;
    let fingerprints = fingerprints.lock().unwrap();
    assert_eq!(fingerprints[0], fingerprints[1]);
}

#[actix_web::test]
async fn projects_and_users_creates_are_idempotent_under_their_own_routes() {
    let project = a_project();
    let user = a_user();
    let mut projects = MockProjectUseCases::new();
    projects.expect_create_project().times(1).returning(move |_| Ok(project.clone()));
    let mut users = MockUserUseCases::new();
    users.expect_create_user().times(1).returning(move |_| Ok(user.clone()));
    let mut keys = MockIdempotencyUseCases::new();
    keys.expect_begin()
        .withf(|scope, _, _| scope == "POST /api/v1/projects/" || scope == "POST /api/v1/users/")
        .times(2)
        .returning(|_, _, _| Ok(Claim::Claimed));
    keys.expect_finish()
        .withf(|scope, _, stored| {
            (scope == "POST /api/v1/projects/"
                && stored.location.as_deref().is_some_and(|l| l.starts_with("/api/v1/projects/")))
                || (scope == "POST /api/v1/users/"
                    && stored.location.as_deref().is_some_and(|l| l.starts_with("/api/v1/users/")))
        })
        .times(2)
        .returning(|_, _, _| Ok(()));
    let state =
        AppState { projects: Arc::new(projects), users: Arc::new(users), ..state(MockTaskUseCases::new(), keys) };
    let project = TestRequest::post()
        .uri("/api/v1/projects/")
        .insert_header(("Idempotency-Key", "p"))
        .set_json(json!({"title": "Launch"}));
    assert_eq!(send(state.clone(), project).await.status, StatusCode::CREATED);
    let user = TestRequest::post()
        .uri("/api/v1/users/")
        .insert_header(("Idempotency-Key", "u"))
        .set_json(json!({"username": "ada", "email": "ada@example.com"}));
    assert_eq!(send(state, user).await.status, StatusCode::CREATED);
}
