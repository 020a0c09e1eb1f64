//! The hostile-input battery: what clients send by mistake or on purpose,
//! at every route that reads a body or a query. Each request must get a 4xx
//! in the contract's shape (`{"detail": …}`) — never a 5xx, never a dropped
//! connection (which is what a panicking handler would give) — and the
//! server must still serve afterwards.

use serde_json::{Value, json};
use trm_tests::{TestApp, spawn_app};

/// A request body and the content type it is sent with.
struct Hostile {
    what: &'static str,
    content_type: &'static str,
    body: Vec<u8>,
}

fn hostile(what: &'static str, content_type: &'static str, body: impl Into<Vec<u8>>) -> Hostile {
    Hostile { what, content_type, body: body.into() }
}

fn json_body(what: &'static str, value: &Value) -> Hostile {
    hostile(what, "application/json", value.to_string())
}

fn bodies() -> Vec<Hostile> {
    let nested = |depth: usize| format!("{{\"title\": {}1{}}}", "[".repeat(depth), "]".repeat(depth));
    vec![
        hostile("empty", "application/json", ""),
        hostile("truncated", "application/json", r#"{"title": "half"#),
        hostile("invalid UTF-8", "application/json", b"{\"title\": \"\xff\xfe\xfd\"}".to_vec()),
        hostile("a lone surrogate", "application/json", r#"{"title": "\ud800"}"#),
        hostile("not an object", "application/json", r#"["title", "x"]"#),
        hostile("deep nesting", "application/json", nested(100_000)),
        hostile("nesting past the limit", "application/json", nested(200)),
        hostile("oversized", "application/json", format!("{{\"title\": \"{}\"}}", "x".repeat(2 * 1024 * 1024))),
        hostile("wrong content type", "text/plain", r#"{"title": "x"}"#),
        hostile("xml", "application/xml", "<task><title>x</title></task>"),
        json_body("a huge string", &json!({"title": "x".repeat(900_000), "username": "u".repeat(900_000)})),
        json_body("a huge array", &json!({"title": "x", "tags": vec!["t"; 100_000], "username": vec!["u"; 1000]})),
        json_body("wrong types", &json!({"title": 42, "status": ["todo"], "username": {"a": 1}, "email": true})),
        json_body("numbers out of range", &json!({"title": "x", "priority": 1e300, "effort_estimate": -1e300})),
        hostile("a number past f64", "application/json", r#"{"title": "x", "effort_estimate": 1e400}"#),
        json_body(
            "dates that do not exist",
            &json!({"title": "x", "due_date": "2026-02-30", "start_date": "2026-13-01T25:61:00Z"}),
        ),
        json_body(
            "ids that are not ids",
            &json!({"title": "x", "project_id": "../../etc/passwd", "assignee_id": "' OR 1=1 --"}),
        ),
        json_body(
            "unknown fields",
            &json!({"title": "x", "username": "x", "is_admin": true, "uid": "1", "$where": "1"}),
        ),
        json_body("null for required fields", &json!({"title": null, "username": null, "email": null})),
    ]
}

const QUERIES: &[&str] = &[
    "limit=99999999999999999999999",
    "limit=-1",
    "limit=1e3",
    "status=%ff%fe",
    "status=not-a-status",
    "cursor=%00%00",
    "cursor=../../../../etc/passwd",
    "project_id=x&project_id=y&stauts=todo",
    "%zz=1",
    "task_type=' OR 1=1 --",
];

async fn is_a_contract_4xx(app: &TestApp, request: reqwest::RequestBuilder, what: &str) {
    let response = request.send().await.unwrap_or_else(|error| panic!("{what}: no answer ({error})"));
    let status = response.status();
    let body: Value =
        response.json().await.unwrap_or_else(|error| panic!("{what}: {status} without a JSON body ({error})"));
    assert!(status.is_client_error(), "{what}: {status} {body}");
    assert!(body.get("detail").is_some(), "{what}: {status} not in the contract's shape: {body}");
    assert_eq!(app.get("/livez").await.status(), 200, "{what}: the server stopped serving");
}

#[tokio::test]
async fn hostile_bodies_get_a_4xx_in_the_contract_shape_at_every_route_that_reads_one() {
    let app = spawn_app().await;
    let task = app.create_task(json!({"title": "target"})).await;
    let project = app.create_project("target").await;
    let writes = [
        ("POST", "/api/v1/tasks/".to_owned()),
        ("POST", "/api/v1/projects/".to_owned()),
        ("POST", "/api/v1/users/".to_owned()),
        ("PATCH", format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap())),
        ("PATCH", format!("/api/v1/projects/{}", project["uid"].as_str().unwrap())),
    ];
    for hostile in bodies() {
        for (method, path) in &writes {
            let request = match *method {
                "POST" => app.client.post(app.url(path)),
                _ => app.client.patch(app.url(path)),
            };
            let request = request.header("content-type", hostile.content_type).body(hostile.body.clone());
            is_a_contract_4xx(&app, request, &format!("{} to {method} {path}", hostile.what)).await;
        }
    }
    let unchanged: Value =
        app.get(&format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap())).await.json().await.unwrap();
    assert_eq!(unchanged, task, "no hostile PATCH changed the task");
}

#[tokio::test]
async fn hostile_query_strings_get_a_4xx_in_the_contract_shape() {
    let app = spawn_app().await;
    for query in QUERIES {
        for path in ["/api/v1/tasks/", "/api/v1/projects/", "/api/v1/users/", "/api/v1/events/history"] {
            let request = app.client.get(format!("{}?{query}", app.url(path)));
            is_a_contract_4xx(&app, request, &format!("GET {path}?{query}")).await;
        }
    }
}
