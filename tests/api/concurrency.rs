//! Safe concurrent writes over HTTP: `ETag` and `If-Match` under races.

use futures::future::join_all;
use serde_json::{Value, json};
use trm_tests::spawn_app;

#[tokio::test]
async fn of_many_patches_racing_with_one_etag_exactly_one_wins() {
    let app = spawn_app().await;
    let task = app.create_task(json!({"title": "contended"})).await;
    let path = format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap());
    let etag = app.get(&path).await.headers()["etag"].to_str().unwrap().to_owned();

    let racers = (0..12).map(|n| {
        let request = app
            .client
            .patch(app.url(&path))
            .header("if-match", etag.clone())
            .json(&json!({"title": format!("racer {n}")}));
        async move { request.send().await.unwrap().status().as_u16() }
    });
    let mut statuses = join_all(racers).await;
    statuses.sort_unstable();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 412), "{statuses:?}");

    let current: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(current["version"], 2, "exactly one change was applied");
}

#[tokio::test]
async fn patches_without_if_match_all_apply_one_after_another() {
    let app = spawn_app().await;
    let task = app.create_task(json!({"title": "busy"})).await;
    let path = format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap());
    let writers = (0..8).map(|n| {
        let request = app.client.patch(app.url(&path)).json(&json!({"description": format!("writer {n}")}));
        async move { request.send().await.unwrap().status().as_u16() }
    });
    let statuses = join_all(writers).await;
    let applied = statuses.iter().filter(|s| **s == 200).count();
    // Lost races are retried on fresh data; only a writer that loses every
    // retry is told so, with a 409, and nothing of it is applied.
    assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "{statuses:?}");
    let current: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(current["version"].as_u64().unwrap(), 1 + applied as u64, "each applied write is one version");
}

#[tokio::test]
async fn a_delete_with_a_stale_etag_is_refused_and_deletes_nothing() {
    let app = spawn_app().await;
    let task = app.create_task(json!({"title": "keep me"})).await;
    let path = format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap());
    app.patch(&path, &json!({"priority": 1})).await;
    let stale = app.client.delete(app.url(&path)).header("if-match", "\"1\"").send().await.unwrap();
    assert_eq!(stale.status(), 412);
    assert_eq!(app.get(&path).await.status(), 200);
    let current = app.client.delete(app.url(&path)).header("if-match", "\"2\"").send().await.unwrap();
    assert_eq!(current.status(), 204);
}

#[tokio::test]
async fn a_weak_etag_in_if_match_never_matches() {
    let app = spawn_app().await;
    let task = app.create_task(json!({"title": "strong only"})).await;
    let path = format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap());
    let weak = app.client.patch(app.url(&path)).header("if-match", "W/\"1\"").json(&json!({"priority": 2}));
    assert_eq!(weak.send().await.unwrap().status(), 412);
    let current: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(current["version"], 1, "nothing changed");
    let strong = app.client.patch(app.url(&path)).header("if-match", "\"1\"").json(&json!({"priority": 2}));
    assert_eq!(strong.send().await.unwrap().status(), 200);
}
