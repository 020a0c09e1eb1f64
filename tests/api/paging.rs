//! Paging through lists with the `Link` header.

use serde_json::{Value, json};
use trm_tests::{TestApp, spawn_app};

/// The `rel="next"` target of a response, if any.
fn next_link(response: &reqwest::Response) -> Option<String> {
    let link = response.headers().get("link")?.to_str().ok()?;
    assert!(link.ends_with("rel=\"next\""), "{link}");
    Some(link.split('>').next()?.trim_start_matches('<').to_owned())
}

/// Follows `Link` headers from `first` and returns every uid seen, and the number of pages.
async fn walk(app: &TestApp, first: &str) -> (Vec<String>, usize) {
    let mut uids = Vec::new();
    let mut pages = 0;
    let mut next = Some(first.to_owned());
    while let Some(path) = next {
        let url = if path.starts_with("http") { path } else { app.url(&path) };
        let response = app.client.get(url).send().await.unwrap();
        assert_eq!(response.status(), 200);
        next = next_link(&response);
        let page: Value = response.json().await.unwrap();
        uids.extend(page.as_array().unwrap().iter().map(|t| t["uid"].as_str().unwrap().to_owned()));
        pages += 1;
        assert!(pages < 50, "paging does not end");
    }
    (uids, pages)
}

#[tokio::test]
async fn paging_with_the_link_header_sees_every_task_once_in_creation_order() {
    let app = spawn_app().await;
    let project = app.create_project("paging").await;
    let project_id = project["uid"].as_str().unwrap();
    let mut created = Vec::new();
    for n in 0..7 {
        let task = app.create_task(json!({"title": format!("task {n}"), "project_id": project_id})).await;
        created.push(task["uid"].as_str().unwrap().to_owned());
    }
    let (seen, pages) = walk(&app, &format!("/api/v1/tasks/?project_id={project_id}&limit=3")).await;
    assert_eq!(seen, created);
    assert_eq!(pages, 3);

    let (seen, pages) = walk(&app, &format!("/api/v1/projects/{project_id}/tasks/?limit=7")).await;
    assert_eq!(seen, created);
    assert_eq!(pages, 1, "an exactly full last page announces no next page");
}

#[tokio::test]
async fn a_page_is_not_disturbed_by_tasks_created_meanwhile() {
    let app = spawn_app().await;
    let project = app.create_project("moving").await;
    let project_id = project["uid"].as_str().unwrap();
    let mut created = Vec::new();
    for n in 0..4 {
        created.push(app.create_task(json!({"title": format!("t{n}"), "project_id": project_id})).await["uid"].clone());
    }
    let first = app.get(&format!("/api/v1/tasks/?project_id={project_id}&limit=2")).await;
    let next = next_link(&first).expect("a next page");
    created.push(app.create_task(json!({"title": "late", "project_id": project_id})).await["uid"].clone());
    let rest: Value = app.client.get(app.url(&next)).send().await.unwrap().json().await.unwrap();
    let rest: Vec<Value> = rest.as_array().unwrap().iter().map(|t| t["uid"].clone()).collect();
    assert_eq!(rest, created[2..4], "the second page continues exactly after the first");
}

#[tokio::test]
async fn any_cursor_of_the_published_shape_is_a_position_in_the_list() {
    let app = spawn_app().await;
    let project_id = app.create_project("cursor shapes").await["uid"].clone();
    let project_id = project_id.as_str().unwrap();
    app.create_task(json!({"title": "only", "project_id": project_id})).await;
    // 24 bytes in base64url: the first eight are the time, here the most
    // negative and the most positive a cursor can carry.
    let before_everything = format!("g{}", "A".repeat(31));
    let after_everything = format!("f{}", "_".repeat(31));
    for (cursor, expected) in [(before_everything, 1), (after_everything, 0)] {
        let response = app.get(&format!("/api/v1/tasks/?project_id={project_id}&cursor={cursor}")).await;
        assert_eq!(response.status(), 200, "{cursor}");
        let tasks: Value = response.json().await.unwrap();
        assert_eq!(tasks.as_array().map(Vec::len), Some(expected), "{cursor}");
    }
}

#[tokio::test]
async fn bad_paging_parameters_are_422s() {
    let app = spawn_app().await;
    for query in ["limit=0", "limit=501", "limit=ten", "cursor=garbage"] {
        let response = app.get(&format!("/api/v1/tasks/?{query}")).await;
        assert_eq!(response.status(), 422, "{query}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["detail"][0]["loc"][0], "query", "{query}");
    }
}
