//! Access control over HTTP: API keys (401, 403), rate limits (429), CORS
//! and the security headers — the real `App` in process, with the key use
//! cases mocked.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use actix_web::http::header::HeaderValue;
use actix_web::http::{Method, StatusCode};
use actix_web::test::{self, TestRequest};
use serde_json::{Value, json};
use support::{Answer, all_well};
use trm_api::access::AccessControl;
use trm_api::access::cors::AllowedOrigins;
use trm_api::access::headers::{API_POLICY, DOCS_POLICY};
use trm_api::access::rate_limit::RateLimit;
use trm_domain::{ApiKey, KeyName, KeyScope, Secret, Timestamp};
use trm_service::{MockAccessUseCases, ServiceError};

/// A valid-looking key for each scope.
struct Keys {
    read: Secret,
    write: Secret,
}

/// Key use cases where keys exist and exactly `keys.read` and `keys.write`
/// are valid.
fn keys_exist(keys: &Keys) -> MockAccessUseCases {
    let mut access = MockAccessUseCases::new();
    access.expect_keys_exist().returning(|| Ok(true));
    let (read, write) = (keys.read.expose().to_owned(), keys.write.expose().to_owned());
    let read_key = ApiKey::create(KeyName::parse("reader").unwrap(), KeyScope::Read, Timestamp::now());
    let write_key = ApiKey::create(KeyName::parse("writer").unwrap(), KeyScope::Write, Timestamp::now());
    access.expect_authenticate().returning(move |presented| {
        Ok(if presented == read {
            Some(read_key.clone())
        } else if presented == write {
            Some(write_key.clone())
        } else {
            None
        })
    });
    access
}

fn fresh_keys() -> Keys {
    Keys { read: Secret::generate().unwrap(), write: Secret::generate().unwrap() }
}

/// Sends each request, in order, to one app guarded by `access`.
async fn send_all(access: AccessControl, requests: Vec<TestRequest>) -> Vec<Answer> {
    let app = test::init_service(trm_api::app_with(all_well(), access)).await;
    let mut answers = Vec::new();
    for request in requests {
        let response = test::call_service(&app, request.to_request()).await;
        let status = response.status();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap_or_default().to_owned()))
            .collect();
        let bytes = test::read_body(response).await;
        answers.push(Answer { status, headers, bytes });
    }
    answers
}

async fn send_one(access: AccessControl, request: TestRequest) -> Answer {
    send_all(access, vec![request]).await.pop().unwrap()
}

fn bearer(request: TestRequest, key: &Secret) -> TestRequest {
    request.insert_header(("authorization", format!("Bearer {}", key.expose())))
}

fn create_task() -> TestRequest {
    TestRequest::post().uri("/api/v1/tasks/").set_json(json!({"title": "Write the docs"}))
}

fn guarded(access: MockAccessUseCases) -> AccessControl {
    AccessControl::with_keys(Arc::new(access))
}

#[actix_web::test]
async fn a_request_without_a_key_is_401_with_a_bearer_challenge_once_keys_exist() {
    let keys = fresh_keys();
    let answer = send_one(guarded(keys_exist(&keys)), TestRequest::get().uri("/api/v1/tasks/")).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.headers.get("www-authenticate").map(String::as_str), Some("Bearer"));
    assert_eq!(answer.json(), json!({"detail": "Not authenticated"}));
    assert!(answer.headers.contains_key("x-request-id"), "refusals carry the request id too");
}

#[actix_web::test]
async fn a_read_key_can_read() {
    let keys = fresh_keys();
    let answer =
        send_one(guarded(keys_exist(&keys)), bearer(TestRequest::get().uri("/api/v1/tasks/"), &keys.read)).await;
    assert_eq!(answer.status, StatusCode::OK);
}

#[actix_web::test]
async fn a_read_key_cannot_write() {
    let keys = fresh_keys();
    let requests = vec![
        bearer(create_task(), &keys.read),
        bearer(
            TestRequest::patch().uri("/api/v1/tasks/3f0b6c9e-8d1a-4c2b-9e5f-1a2b3c4d5e6f").set_json(json!({})),
            &keys.read,
        ),
        bearer(TestRequest::delete().uri("/api/v1/tasks/3f0b6c9e-8d1a-4c2b-9e5f-1a2b3c4d5e6f"), &keys.read),
    ];
    for answer in send_all(guarded(keys_exist(&keys)), requests).await {
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
        assert_eq!(answer.json(), json!({"detail": "Not enough permissions: this API key may only read"}));
    }
}

#[actix_web::test]
async fn a_write_key_can_write() {
    let keys = fresh_keys();
    let answer = send_one(guarded(keys_exist(&keys)), bearer(create_task(), &keys.write)).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
}

#[actix_web::test]
async fn an_unknown_or_revoked_key_is_401() {
    let keys = fresh_keys();
    let stranger = Secret::generate().unwrap();
    let answer =
        send_one(guarded(keys_exist(&keys)), bearer(TestRequest::get().uri("/api/v1/tasks/"), &stranger)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.json(), json!({"detail": "Invalid API key"}));
}

#[actix_web::test]
async fn malformed_authorization_headers_are_401_never_500() {
    let keys = fresh_keys();
    let values: Vec<&[u8]> = vec![
        b"Basic dXNlcjpwYXNz",
        b"Bearer",
        b"Bearer ",
        b"Bearer \xff\xfe\xfd",
        b"bearer trm_",
        b"Bearer trm_' OR 1=1 --",
        b"Token abc",
        b"Bearer a b c",
    ];
    let mut requests: Vec<TestRequest> = values
        .iter()
        .map(|value| {
            TestRequest::get()
                .uri("/api/v1/tasks/")
                .insert_header(("authorization", HeaderValue::from_bytes(value).unwrap()))
        })
        .collect();
    let huge = format!("Bearer {}", "A".repeat(64 * 1024));
    requests.push(TestRequest::get().uri("/api/v1/tasks/").insert_header(("authorization", huge)));
    let twice = TestRequest::get()
        .uri("/api/v1/tasks/")
        .append_header(("authorization", format!("Bearer {}", keys.write.expose())))
        .append_header(("authorization", format!("Bearer {}", keys.write.expose())));
    requests.push(twice);
    for answer in send_all(guarded(keys_exist(&keys)), requests).await {
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.text());
        assert!(answer.json()["detail"].is_string());
    }
}

#[actix_web::test]
async fn a_percent_encoded_path_cannot_slip_past_the_guard() {
    let keys = fresh_keys();
    let answer = send_one(guarded(keys_exist(&keys)), TestRequest::get().uri("/%61pi/v1/tasks/")).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn the_probes_stay_open_and_the_documentation_is_public_by_default() {
    let keys = fresh_keys();
    let requests =
        ["/livez", "/readyz", "/openapi.json", "/docs"].into_iter().map(|path| TestRequest::get().uri(path)).collect();
    for answer in send_all(guarded(keys_exist(&keys)), requests).await {
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    }
}

#[actix_web::test]
async fn private_documentation_needs_a_key_but_the_probes_do_not() {
    let keys = fresh_keys();
    let access = guarded(keys_exist(&keys)).public_docs(false);
    let requests = vec![
        TestRequest::get().uri("/openapi.json"),
        TestRequest::get().uri("/docs"),
        TestRequest::get().uri("/livez"),
        bearer(TestRequest::get().uri("/openapi.json"), &keys.read),
    ];
    let statuses: Vec<StatusCode> = send_all(access, requests).await.iter().map(|answer| answer.status).collect();
    assert_eq!(statuses, [StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED, StatusCode::OK, StatusCode::OK]);
}

#[actix_web::test]
async fn with_no_key_at_all_the_api_is_open() {
    let mut access = MockAccessUseCases::new();
    access.expect_keys_exist().returning(|| Ok(false));
    let answer = send_one(guarded(access), create_task()).await;
    assert_eq!(answer.status, StatusCode::CREATED);
}

#[actix_web::test]
async fn a_server_told_to_require_keys_refuses_even_before_the_first_key() {
    let mut access = MockAccessUseCases::new();
    access.expect_keys_exist().returning(|| Ok(false));
    access.expect_authenticate().returning(|_| Ok(None));
    let answer = send_one(guarded(access).always_required(true), TestRequest::get().uri("/api/v1/tasks/")).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn a_store_that_cannot_say_whether_keys_exist_is_503_not_an_open_door() {
    let mut access = MockAccessUseCases::new();
    access.expect_keys_exist().returning(|| Err(ServiceError::Unavailable(anyhow::anyhow!("down"))));
    let answer = send_one(guarded(access), TestRequest::get().uri("/api/v1/tasks/")).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.json(), json!({"detail": "Database unavailable"}));
}

fn limit(per_minute: u32, burst: u32) -> Option<RateLimit> {
    Some(RateLimit { per_minute: NonZeroU32::new(per_minute).unwrap(), burst: NonZeroU32::new(burst).unwrap() })
}

fn from(address: &str, request: TestRequest) -> TestRequest {
    request.peer_addr(address.parse::<SocketAddr>().unwrap())
}

#[actix_web::test]
async fn a_client_over_its_rate_limit_gets_429_with_retry_after() {
    let access = AccessControl::open().rate_limited(limit(1, 2));
    let requests = (0..3).map(|_| from("192.0.2.1:5000", TestRequest::get().uri("/api/v1/tasks/"))).collect();
    let answers = send_all(access, requests).await;
    assert_eq!(answers[0].status, StatusCode::OK);
    assert_eq!(answers[1].status, StatusCode::OK);
    let limited = &answers[2];
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = limited.headers["retry-after"].parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert!(limited.json()["detail"].as_str().unwrap().starts_with("Too many requests"));
}

#[actix_web::test]
async fn each_address_and_each_key_has_its_own_rate_limit_and_probes_have_none() {
    let keys = fresh_keys();
    let access = guarded(keys_exist(&keys)).rate_limited(limit(1, 1));
    let requests = vec![
        from("192.0.2.1:5000", bearer(TestRequest::get().uri("/api/v1/tasks/"), &keys.read)),
        from("192.0.2.1:5000", bearer(TestRequest::get().uri("/api/v1/tasks/"), &keys.write)),
        from("192.0.2.1:5000", bearer(TestRequest::get().uri("/api/v1/tasks/"), &keys.read)),
        from("192.0.2.2:5000", TestRequest::get().uri("/openapi.json")),
        from("192.0.2.2:5000", TestRequest::get().uri("/openapi.json")),
        from("192.0.2.2:5000", TestRequest::get().uri("/livez")),
        from("192.0.2.2:5000", TestRequest::get().uri("/readyz")),
    ];
    let statuses: Vec<u16> = send_all(access, requests).await.iter().map(|answer| answer.status.as_u16()).collect();
    assert_eq!(statuses, [200, 200, 429, 200, 429, 200, 200]);
}

fn preflight(origin: &str) -> TestRequest {
    TestRequest::default()
        .method(Method::OPTIONS)
        .uri("/api/v1/tasks/")
        .insert_header(("origin", origin))
        .insert_header(("access-control-request-method", "POST"))
        .insert_header(("access-control-request-headers", "authorization, content-type"))
}

fn cors_for(origin: &str) -> AccessControl {
    AccessControl::open().allow_origins(AllowedOrigins::parse(&[origin]).unwrap())
}

#[actix_web::test]
async fn a_preflight_from_an_allowed_origin_is_answered_with_its_permissions() {
    let answer = send_one(cors_for("https://app.example.com"), preflight("https://app.example.com")).await;
    assert!(answer.status.is_success(), "{}", answer.status);
    assert_eq!(answer.headers["access-control-allow-origin"], "https://app.example.com");
    assert!(answer.headers["access-control-allow-methods"].contains("POST"));
    assert!(answer.headers["access-control-allow-headers"].to_lowercase().contains("authorization"));
}

#[actix_web::test]
async fn a_preflight_from_another_origin_is_refused_in_the_contract_shape() {
    let answer = send_one(cors_for("https://app.example.com"), preflight("https://evil.example.net")).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(!answer.headers.contains_key("access-control-allow-origin"));
    assert!(answer.json()["detail"].as_str().unwrap().starts_with("Cross-origin request refused"), "{}", answer.text());
}

#[actix_web::test]
async fn an_allowed_origin_may_read_the_answers_and_the_headers_it_needs() {
    let request = TestRequest::get().uri("/api/v1/tasks/").insert_header(("origin", "https://app.example.com"));
    let answer = send_one(cors_for("https://app.example.com"), request).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers["access-control-allow-origin"], "https://app.example.com");
    assert!(answer.headers["access-control-expose-headers"].to_lowercase().contains("etag"));
}

#[actix_web::test]
async fn cors_is_closed_by_default() {
    let answers = send_all(
        AccessControl::open(),
        vec![
            preflight("https://app.example.com"),
            TestRequest::get().uri("/api/v1/tasks/").insert_header(("origin", "https://app.example.com")),
        ],
    )
    .await;
    for answer in answers {
        assert!(!answer.headers.contains_key("access-control-allow-origin"), "{:?}", answer.headers);
    }
}

#[actix_web::test]
async fn every_response_carries_the_security_headers() {
    let keys = fresh_keys();
    let requests = vec![
        TestRequest::get().uri("/api/v1/tasks/"),
        bearer(TestRequest::get().uri("/api/v1/tasks/"), &keys.read),
        bearer(TestRequest::get().uri("/no/such/route"), &keys.read),
        TestRequest::get().uri("/livez"),
    ];
    for answer in send_all(guarded(keys_exist(&keys)), requests).await {
        assert_eq!(answer.headers["x-content-type-options"], "nosniff");
        assert_eq!(answer.headers["x-frame-options"], "DENY");
        assert_eq!(answer.headers["referrer-policy"], "no-referrer");
        assert_eq!(answer.headers["content-security-policy"], API_POLICY);
    }
}

#[actix_web::test]
async fn the_swagger_ui_gets_a_policy_that_lets_it_run_from_this_server_only() {
    let answers = send_all(
        AccessControl::open(),
        vec![TestRequest::get().uri("/docs"), TestRequest::get().uri("/docs/swagger-ui.css")],
    )
    .await;
    for answer in answers {
        assert_eq!(answer.status, StatusCode::OK);
        let policy = &answer.headers["content-security-policy"];
        assert_eq!(policy, DOCS_POLICY);
        assert!(policy.contains("script-src 'self'") && !policy.contains("unsafe-eval"));
    }
}

#[actix_web::test]
async fn the_openapi_document_requires_the_bearer_scheme_on_every_api_operation_once_keys_exist() {
    let keys = fresh_keys();
    let document: Value = send_one(guarded(keys_exist(&keys)), TestRequest::get().uri("/openapi.json")).await.json();
    assert_eq!(document["components"]["securitySchemes"]["bearer"]["type"], "http");
    assert_eq!(document["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    let paths = document["paths"].as_object().unwrap();
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let security = &operation["security"];
            if path.starts_with("/api/v1") {
                assert_eq!(security, &json!([{"bearer": []}]), "{method} {path}");
                assert!(operation["responses"]["401"].is_object(), "{method} {path}");
                assert_eq!(operation["responses"]["403"].is_object(), method != "get", "{method} {path}");
            } else {
                assert!(security.is_null(), "{method} {path} needs no key");
            }
        }
    }
}

#[actix_web::test]
async fn an_open_server_documents_no_key_requirement_but_keeps_the_scheme_for_authorize() {
    let mut no_keys = MockAccessUseCases::new();
    no_keys.expect_keys_exist().returning(|| Ok(false));
    for access in [AccessControl::open(), guarded(no_keys)] {
        let document: Value = send_one(access, TestRequest::get().uri("/openapi.json")).await.json();
        assert_eq!(document["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
        for (path, item) in document["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                assert!(operation["security"].is_null(), "{method} {path} needs no key on an open server");
            }
        }
    }
}
