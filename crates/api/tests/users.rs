//! Handler tests of `/api/v1/users`: the real `App`, in process, with the
//! user use cases mocked.
//!
//! They pin down what the HTTP layer alone decides — status codes, headers,
//! error shapes and `loc`s, what reaches the service normalized and what
//! never reaches it — and how the service's answers (a taken username, an
//! unknown id, a stale version) come out on the wire.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod support;

use std::sync::Arc;

use actix_web::http::{StatusCode, header};
use actix_web::test::TestRequest;
use serde_json::{Value, json};
use support::{a_user, send};
use trm_api::AppState;
use trm_domain::{EntityKind, NewUser, Page, Timestamp, User, UserPatch};
use trm_service::{
    ConflictReason, MockHealthUseCases, MockProjectUseCases, MockTaskUseCases, MockUserUseCases, ServiceError, Unique,
};

fn users_only(users: MockUserUseCases) -> AppState {
    AppState {
        tasks: Arc::new(MockTaskUseCases::new()),
        projects: Arc::new(MockProjectUseCases::new()),
        users: Arc::new(users),
        health: Arc::new(MockHealthUseCases::new()),
        overview: Arc::new(trm_service::MockOverviewUseCases::new()),
        events: Arc::new(trm_service::EventBus::new(16)),
        history: Arc::new(trm_service::MockEventUseCases::new()),
        webhooks: Arc::new(trm_service::MockWebhookUseCases::new()),
        idempotency: Arc::new(trm_service::MockIdempotencyUseCases::new()),
        metrics: Arc::default(),
    }
}

/// A mock whose writes must never be reached: the request is to be refused
/// by the HTTP layer.
fn untouched() -> MockUserUseCases {
    let mut users = MockUserUseCases::new();
    users.expect_create_user().never();
    users.expect_update_user().never();
    users.expect_list_users().never();
    users.expect_get_user().never();
    users.expect_delete_user().never();
    users
}

fn a_user_path() -> String {
    format!("/api/v1/users/{}", uuid::Uuid::new_v4())
}

/// `(loc, type)` of each entry of a 422 body.
fn problems(body: &Value) -> Vec<(Value, String)> {
    body["detail"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|entry| (entry["loc"].clone(), entry["type"].as_str().unwrap_or_default().to_owned()))
        .collect()
}

#[actix_web::test]
async fn creating_a_user_answers_201_with_location_etag_and_the_normalized_values() {
    let mut users = MockUserUseCases::new();
    users
        .expect_create_user()
        .withf(|new: &NewUser| {
            new.username.as_str() == "Ada.Lovelace"
                && new.email.as_str() == "ada@example.com"
                && new.full_name.as_ref().map(|name| name.as_str()) == Some("Ada Lovelace")
                && new.is_active
        })
        .times(1)
        .returning(|new| Ok(User::create(new, Timestamp::now())));
    let request = TestRequest::post().uri("/api/v1/users/").set_json(json!({
        "username": "  Ada.Lovelace ", "email": " ada@example.com", "full_name": " Ada Lovelace  "
    }));
    let answer = send(users_only(users), request).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    let body = answer.json();
    assert_eq!(body["username"], "Ada.Lovelace");
    assert_eq!(body["email"], "ada@example.com");
    assert_eq!(body["full_name"], "Ada Lovelace");
    assert_eq!(body["is_active"], true);
    assert_eq!(body["version"], 1);
    let uid = body["uid"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(uid).is_ok());
    assert_eq!(answer.headers[header::LOCATION.as_str()], format!("/api/v1/users/{uid}"));
    assert_eq!(answer.headers[header::ETAG.as_str()], "\"1\"");
}

#[actix_web::test]
async fn a_user_created_without_optional_fields_is_active_and_has_no_full_name() {
    let mut users = MockUserUseCases::new();
    users
        .expect_create_user()
        .withf(|new: &NewUser| new.full_name.is_none() && new.is_active)
        .times(1)
        .returning(|new| Ok(User::create(new, Timestamp::now())));
    let request = TestRequest::post().uri("/api/v1/users").set_json(json!({"username": "ada", "email": "a@b.io"}));
    let answer = send(users_only(users), request).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    assert_eq!(answer.json()["full_name"], Value::Null);
    assert_eq!(answer.json()["is_active"], true);
}

#[actix_web::test]
async fn creating_a_user_without_a_username_is_a_422_at_body_username_before_the_service() {
    let request = TestRequest::post().uri("/api/v1/users/").set_json(json!({"email": "ada@example.com"}));
    let answer = send(users_only(untouched()), request).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problems(&answer.json()), [(json!(["body", "username"]), "missing".to_owned())]);
}

#[actix_web::test]
async fn creating_a_user_with_a_bad_email_is_a_422_at_body_email_before_the_service() {
    let request = TestRequest::post().uri("/api/v1/users/").set_json(json!({"username": "ada", "email": "ada@"}));
    let answer = send(users_only(untouched()), request).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problems(&answer.json()), [(json!(["body", "email"]), "value_error".to_owned())]);
    assert!(answer.json()["detail"][0]["msg"].as_str().unwrap().contains("email"), "{}", answer.text());
}

#[actix_web::test]
async fn creating_a_user_with_a_short_username_is_a_422_at_body_username_before_the_service() {
    let request =
        TestRequest::post().uri("/api/v1/users/").set_json(json!({"username": "ab", "email": "ada@example.com"}));
    let answer = send(users_only(untouched()), request).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problems(&answer.json()), [(json!(["body", "username"]), "string_too_short".to_owned())]);
}

#[actix_web::test]
async fn every_problem_of_a_user_body_is_reported_at_once() {
    let request = TestRequest::post().uri("/api/v1/users/").set_json(json!({
        "username": "no spaces", "email": 7, "full_name": "", "is_active": "true"
    }));
    let answer = send(users_only(untouched()), request).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problems(&answer.json()),
        [
            (json!(["body", "username"]), "string_pattern_mismatch".to_owned()),
            (json!(["body", "email"]), "string_type".to_owned()),
            (json!(["body", "full_name"]), "string_too_short".to_owned()),
            (json!(["body", "is_active"]), "bool_type".to_owned()),
        ]
    );
}

#[actix_web::test]
async fn an_unknown_field_in_a_user_body_is_a_422_extra_forbidden() {
    let request = TestRequest::post()
        .uri("/api/v1/users/")
        .set_json(json!({"username": "ada", "email": "ada@example.com", "role": "admin"}));
    let answer = send(users_only(untouched()), request).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problems(&answer.json()), [(json!(["body", "role"]), "extra_forbidden".to_owned())]);
    let patch = TestRequest::patch().uri(&a_user_path()).set_json(json!({"password": "hunter2"}));
    let answer = send(users_only(untouched()), patch).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problems(&answer.json()), [(json!(["body", "password"]), "extra_forbidden".to_owned())]);
}

#[actix_web::test]
async fn a_username_taken_in_any_case_is_a_409_with_the_services_reason() {
    let mut users = MockUserUseCases::new();
    users
        .expect_create_user()
        .times(1)
        .returning(|_| Err(ServiceError::Conflict(ConflictReason::Taken(Unique::Username))));
    let request =
        TestRequest::post().uri("/api/v1/users/").set_json(json!({"username": "ADA", "email": "ada@example.com"}));
    let answer = send(users_only(users), request).await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert_eq!(answer.json(), json!({"detail": "username is already taken"}));
}

#[actix_web::test]
async fn renaming_a_user_to_a_taken_username_is_a_409() {
    let mut users = MockUserUseCases::new();
    users
        .expect_update_user()
        .times(1)
        .returning(|_, _, _| Err(ServiceError::Conflict(ConflictReason::Taken(Unique::Username))));
    let request = TestRequest::patch().uri(&a_user_path()).set_json(json!({"username": "Grace"}));
    let answer = send(users_only(users), request).await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert_eq!(answer.json(), json!({"detail": "username is already taken"}));
}

#[actix_web::test]
async fn getting_a_user_answers_200_with_its_etag() {
    let user = a_user();
    let id = user.uid;
    let mut users = MockUserUseCases::new();
    users.expect_get_user().withf(move |asked| *asked == id).times(1).returning(move |_| Ok(user.clone()));
    let answer = send(users_only(users), TestRequest::get().uri(&format!("/api/v1/users/{id}"))).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json()["uid"], id.to_string());
    assert_eq!(answer.json()["username"], "ada.lovelace");
    assert_eq!(answer.headers[header::ETAG.as_str()], "\"1\"");
}

#[actix_web::test]
async fn an_unknown_user_is_a_404_user_not_found() {
    let mut users = MockUserUseCases::new();
    users.expect_get_user().times(1).returning(|_| Err(ServiceError::NotFound(EntityKind::User)));
    users.expect_update_user().times(1).returning(|_, _, _| Err(ServiceError::NotFound(EntityKind::User)));
    users.expect_delete_user().times(1).returning(|_, _| Err(ServiceError::NotFound(EntityKind::User)));
    let state = users_only(users);
    for request in [
        TestRequest::get().uri(&a_user_path()),
        TestRequest::patch().uri(&a_user_path()).set_json(json!({"is_active": false})),
        TestRequest::delete().uri(&a_user_path()),
    ] {
        let answer = send(state.clone(), request).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
        assert_eq!(answer.json(), json!({"detail": "User not found"}));
    }
}

#[actix_web::test]
async fn a_user_path_id_that_is_not_an_id_is_a_404_without_a_lookup() {
    let state = users_only(untouched());
    for request in [
        TestRequest::get().uri("/api/v1/users/ada"),
        TestRequest::patch().uri("/api/v1/users/ada").set_json(json!({"is_active": false})),
        TestRequest::delete().uri("/api/v1/users/ada"),
    ] {
        let answer = send(state.clone(), request).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
        assert_eq!(answer.json(), json!({"detail": "User not found"}));
    }
}

#[actix_web::test]
async fn a_bad_user_patch_to_an_unknown_id_is_a_422_not_a_404() {
    let request = TestRequest::patch().uri(&a_user_path()).set_json(json!({"email": "not an address"}));
    let answer = send(users_only(untouched()), request).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problems(&answer.json()), [(json!(["body", "email"]), "value_error".to_owned())]);
}

#[actix_web::test]
async fn a_user_patch_with_null_clears_the_full_name_and_is_refused_for_the_rest() {
    let mut users = MockUserUseCases::new();
    users
        .expect_update_user()
        .withf(|_, patch: &UserPatch, if_match| {
            *patch == UserPatch { full_name: Some(None), is_active: Some(false), ..UserPatch::default() }
                && if_match.is_none()
        })
        .times(1)
        .returning(|_, _, _| {
            let mut user = a_user();
            user.is_active = false;
            user.version = 2;
            Ok(user)
        });
    let state = users_only(users);
    let request = TestRequest::patch().uri(&a_user_path()).set_json(json!({"full_name": null, "is_active": false}));
    let answer = send(state.clone(), request).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json()["is_active"], false);
    assert_eq!(answer.headers[header::ETAG.as_str()], "\"2\"");
    for field in ["username", "email", "is_active"] {
        let request = TestRequest::patch().uri(&a_user_path()).set_json(json!({ field: null }));
        let answer = send(state.clone(), request).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert_eq!(problems(&answer.json()), [(json!(["body", field]), "null_not_allowed".to_owned())]);
    }
}

#[actix_web::test]
async fn a_stale_if_match_on_a_user_is_a_412_and_reaches_the_service_as_a_version() {
    let mut users = MockUserUseCases::new();
    users
        .expect_update_user()
        .withf(|_, _, if_match| *if_match == Some(3))
        .times(1)
        .returning(|_, _, _| Err(ServiceError::PreconditionFailed));
    users
        .expect_delete_user()
        .withf(|_, if_match| *if_match == Some(3))
        .times(1)
        .returning(|_, _| Err(ServiceError::PreconditionFailed));
    let state = users_only(users);
    let patch = TestRequest::patch()
        .uri(&a_user_path())
        .insert_header((header::IF_MATCH, "\"3\""))
        .set_json(json!({"is_active": false}));
    let delete = TestRequest::delete().uri(&a_user_path()).insert_header((header::IF_MATCH, "\"3\""));
    for request in [patch, delete] {
        let answer = send(state.clone(), request).await;
        assert_eq!(answer.status, StatusCode::PRECONDITION_FAILED);
        assert!(answer.json()["detail"].is_string());
    }
}

#[actix_web::test]
async fn deleting_a_user_answers_204_with_no_body() {
    let mut users = MockUserUseCases::new();
    users.expect_delete_user().withf(|_, if_match| if_match.is_none()).times(1).returning(|_, _| Ok(Vec::new()));
    let answer = send(users_only(users), TestRequest::delete().uri(&a_user_path())).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert!(answer.bytes.is_empty());
}

#[actix_web::test]
async fn the_user_list_reads_the_is_active_filter_and_the_page() {
    let mut users = MockUserUseCases::new();
    users
        .expect_list_users()
        .withf(|filter, page| filter.is_active == Some(false) && page.limit() == 2)
        .times(1)
        .returning(|_, _| Ok(Page { items: vec![], next: None }));
    users.expect_list_users().withf(|filter, _| filter.is_active.is_none()).times(1).returning(|_, _| {
        let user = a_user();
        Ok(Page { next: Some(user.cursor()), items: vec![user] })
    });
    let state = users_only(users);
    let answer = send(state.clone(), TestRequest::get().uri("/api/v1/users/?is_active=false&limit=2")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json(), json!([]));
    assert!(!answer.headers.contains_key(header::LINK.as_str()));
    let answer = send(state, TestRequest::get().uri("/api/v1/users?limit=1")).await;
    assert_eq!(answer.json().as_array().map(Vec::len), Some(1));
    let link = answer.headers[header::LINK.as_str()].as_str();
    assert!(link.starts_with("</api/v1/users?limit=1&cursor="), "{link}");
    assert!(link.ends_with(">; rel=\"next\""), "{link}");
}

#[actix_web::test]
async fn an_is_active_filter_that_is_not_a_boolean_is_a_422_before_the_service() {
    let answer = send(users_only(untouched()), TestRequest::get().uri("/api/v1/users/?is_active=maybe")).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problems(&answer.json()), [(json!(["query", "is_active"]), "bool_type".to_owned())]);
}

#[actix_web::test]
async fn an_unknown_query_parameter_of_the_user_list_is_rejected_rather_than_ignored() {
    let answer = send(users_only(untouched()), TestRequest::get().uri("/api/v1/users/?active=true")).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problems(&answer.json()), [(json!(["query", "active"]), "extra_forbidden".to_owned())]);
}
