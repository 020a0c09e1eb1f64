//! Each bad-input rule of the contract's General section, over real HTTP.

use serde_json::{Value, json};
use trm_tests::{TestApp, spawn_app};

async fn detail(response: reqwest::Response) -> Value {
    response.json::<Value>().await.expect("a JSON error body")["detail"].clone()
}

async fn post_raw(app: &TestApp, path: &str, content_type: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
    app.client.post(app.url(path)).header("content-type", content_type).body(body).send().await.unwrap()
}

#[tokio::test]
async fn collection_routes_answer_with_and_without_the_trailing_slash_without_redirects() {
    let app = spawn_app().await;
    for path in ["/api/v1/tasks/", "/api/v1/tasks", "/api/v1/projects/", "/api/v1/projects"] {
        assert_eq!(app.get(path).await.status(), 200, "{path}");
    }
    assert_eq!(app.post("/api/v1/tasks", &json!({"title": "no slash"})).await.status(), 201);
    assert_eq!(app.post("/api/v1/projects", &json!({"title": "no slash"})).await.status(), 201);
}

#[tokio::test]
async fn a_path_id_that_is_not_an_id_is_a_404() {
    let app = spawn_app().await;
    for path in ["/api/v1/tasks/project-123", "/api/v1/projects/%20", "/api/v1/projects/nope/tasks/"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert!(detail(response).await.is_string());
    }
    assert_eq!(app.delete("/api/v1/tasks/123").await.status(), 404);
}

#[tokio::test]
async fn every_response_carries_x_request_id_and_echoes_the_clients() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/tasks/").await;
    assert!(response.headers().contains_key("x-request-id"));
    let error = app.get("/api/v1/tasks/not-an-id").await;
    assert!(error.headers().contains_key("x-request-id"));
    let echoed = app.client.get(app.url("/api/v1/tasks/")).header("x-request-id", "trace-42").send().await.unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "trace-42");
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_a_413() {
    let app = spawn_app().await;
    let huge = json!({"title": "big", "description": "x".repeat(1_100_000)}).to_string();
    let response = post_raw(&app, "/api/v1/tasks/", "application/json", huge).await;
    assert_eq!(response.status(), 413);
    assert!(detail(response).await.is_string());
}

#[tokio::test]
async fn invalid_json_is_a_422_json_invalid() {
    let app = spawn_app().await;
    for body in [&b"{\"title\": "[..], b"{title: 'x'}", b"\xff\xfe{}", b"{\"title\": \"x\",}"] {
        let response = post_raw(&app, "/api/v1/tasks/", "application/json", body.to_vec()).await;
        assert_eq!(response.status(), 422, "{body:?}");
        let detail = detail(response).await;
        assert_eq!(detail[0]["type"], "json_invalid", "{body:?}");
        assert_eq!(detail[0]["loc"][0], "body");
    }
}

#[tokio::test]
async fn valid_json_of_the_wrong_shape_names_each_wrong_field() {
    let app = spawn_app().await;
    let response = app
        .post(
            "/api/v1/tasks/",
            &json!({"title": ["not", "a", "string"], "priority": "asap", "tags": "ui", "effort_estimate": "lots"}),
        )
        .await;
    assert_eq!(response.status(), 422);
    let detail = detail(response).await;
    let mut fields: Vec<String> =
        detail.as_array().unwrap().iter().map(|d| d["loc"][1].as_str().unwrap().to_owned()).collect();
    fields.sort();
    assert_eq!(fields, ["effort_estimate", "priority", "tags", "title"]);
    for entry in detail.as_array().unwrap() {
        assert_eq!(entry["loc"][0], "body");
        assert!(entry["msg"].is_string() && entry["type"].is_string());
    }
    for not_an_object in [json!([]), json!("title"), json!(42), json!(null)] {
        let response = app.post("/api/v1/tasks/", &not_an_object).await;
        assert_eq!(response.status(), 422, "{not_an_object}");
    }
}

#[tokio::test]
async fn a_missing_or_blank_title_is_a_422_at_body_title() {
    let app = spawn_app().await;
    for body in [
        json!({}),
        json!({"title": ""}),
        json!({"title": "   "}),
        json!({"title": null}),
        json!({"title": "x".repeat(201)}),
    ] {
        let response = app.post("/api/v1/tasks/", &body).await;
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(detail(response).await[0]["loc"], json!(["body", "title"]), "{body}");
    }
}

#[tokio::test]
async fn a_request_is_validated_before_it_is_looked_up() {
    let app = spawn_app().await;
    let unknown = format!("/api/v1/tasks/{}", uuid::Uuid::new_v4());
    assert_eq!(app.patch(&unknown, &json!({"priority": "whenever"})).await.status(), 422);
    assert_eq!(app.patch(&unknown, &json!({"priority": "high"})).await.status(), 404);
    let unknown_project = format!("/api/v1/projects/{}", uuid::Uuid::new_v4());
    assert_eq!(app.patch(&unknown_project, &json!({"status": "paused-ish"})).await.status(), 422);
    assert_eq!(app.patch(&unknown_project, &json!({"status": "archived"})).await.status(), 404);
}

#[tokio::test]
async fn unknown_body_fields_and_query_parameters_are_rejected() {
    let app = spawn_app().await;
    let response = app.post("/api/v1/tasks/", &json!({"title": "t", "owner": "me"})).await;
    assert_eq!(response.status(), 422);
    let detail = detail(response).await;
    assert_eq!(detail[0]["loc"], json!(["body", "owner"]));
    assert_eq!(detail[0]["type"], "extra_forbidden");

    let response = app.get("/api/v1/tasks/?stauts=done").await;
    assert_eq!(response.status(), 422);
    assert_eq!(super_detail_loc(response).await, json!(["query", "stauts"]));
    assert_eq!(app.get("/api/v1/projects/?colour=red").await.status(), 422);
}

async fn super_detail_loc(response: reqwest::Response) -> Value {
    detail(response).await[0]["loc"].clone()
}

#[tokio::test]
async fn null_for_a_field_that_cannot_be_cleared_is_a_422() {
    let app = spawn_app().await;
    let task = app.create_task(json!({"title": "t"})).await;
    let path = format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap());
    for field in ["title", "status", "priority", "effort_unit", "tags"] {
        let response = app.patch(&path, &json!({ field: null })).await;
        assert_eq!(response.status(), 422, "{field}");
        assert_eq!(detail(response).await[0]["loc"], json!(["body", field]));
    }
    for field in ["description", "task_type", "project_id", "assignee_id", "effort_estimate", "start_date", "due_date"]
    {
        assert_eq!(app.patch(&path, &json!({ field: null })).await.status(), 200, "{field}");
    }
}

#[tokio::test]
async fn numbers_dates_and_ids_out_of_range_are_422s_never_500s() {
    let app = spawn_app().await;
    let cases = [
        json!({"title": "t", "priority": 3}),
        json!({"title": "t", "priority": -1}),
        json!({"title": "t", "priority": 1.5}),
        json!({"title": "t", "effort_estimate": -0.5}),
        json!({"title": "t", "due_date": "2026-02-30"}),
        json!({"title": "t", "start_date": "yesterday"}),
        json!({"title": "t", "assignee_id": "someone"}),
        json!({"title": "t", "assignee_id": uuid::Uuid::new_v4()}),
        json!({"title": "t", "tags": vec!["t"; 1].into_iter().chain(std::iter::repeat_n("", 1)).collect::<Vec<_>>()}),
        json!({"title": "t", "tags": (0..51).map(|n| n.to_string()).collect::<Vec<_>>()}),
        json!({"title": "t", "description": "d".repeat(10_001)}),
    ];
    for body in cases {
        let response = app.post("/api/v1/tasks/", &body).await;
        assert_eq!(response.status(), 422, "{body}");
    }
    let response =
        post_raw(&app, "/api/v1/tasks/", "application/json", "{\"title\": \"t\", \"priority\": 1e400}").await;
    assert_eq!(response.status(), 422);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_4xx_in_the_contract_shape() {
    let app = spawn_app().await;
    let response = post_raw(&app, "/api/v1/tasks/", "application/x-www-form-urlencoded", "title=x").await;
    assert_eq!(response.status(), 415);
    assert!(detail(response).await.is_string());
}
