//! The task graph over HTTP: `blocked_by` on tasks, its 422s and the 409
//! for a cycle, the walks `…/blockers` and `…/dependents`, the `blocked`
//! filter, and what deleting a blocker does to the tasks it blocked.

use futures::future::join_all;
use serde_json::{Value, json};
use trm_tests::{TestApp, spawn_app};

/// The task's `uid`.
fn uid(task: &Value) -> &str {
    task["uid"].as_str().unwrap()
}

/// A new task waiting for `blockers`.
async fn task_blocked_by(app: &TestApp, title: &str, blockers: &[&Value]) -> Value {
    let ids: Vec<&str> = blockers.iter().map(|task| uid(task)).collect();
    app.create_task(json!({"title": title, "blocked_by": ids})).await
}

/// The `(depth, uid)` pairs of a walk's answer.
async fn walk(app: &TestApp, path: &str) -> Vec<(u64, String)> {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    let body: Value = response.json().await.unwrap();
    body.as_array()
        .unwrap()
        .iter()
        .map(|entry| (entry["depth"].as_u64().unwrap(), entry["task"]["uid"].as_str().unwrap().to_owned()))
        .collect()
}

fn sorted(ids: &[&str]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|&id| id.to_owned()).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn blockers_are_set_on_create_replaced_by_patch_and_returned_sorted() {
    let app = spawn_app().await;
    let a = app.create_task(json!({"title": "A"})).await;
    let b = app.create_task(json!({"title": "B"})).await;
    assert_eq!(a["blocked_by"], json!([]));

    let waiting = app.create_task(json!({"title": "Waiting", "blocked_by": [uid(&b), uid(&a), uid(&b)]})).await;
    assert_eq!(waiting["blocked_by"], json!(sorted(&[uid(&a), uid(&b)])));
    let path = format!("/api/v1/tasks/{}", uid(&waiting));
    let read: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(read["blocked_by"], waiting["blocked_by"]);

    let response = app.patch(&path, &json!({"blocked_by": [uid(&b)]})).await;
    assert_eq!(response.status(), 200);
    let patched: Value = response.json().await.unwrap();
    assert_eq!((patched["blocked_by"].clone(), patched["version"].clone()), (json!([uid(&b)]), json!(2)));
    let unchanged: Value = app.patch(&path, &json!({"blocked_by": [uid(&b)]})).await.json().await.unwrap();
    assert_eq!(unchanged["version"], 2, "the same blockers change nothing");

    let response = app.patch(&path, &json!({"blocked_by": null})).await;
    assert_eq!(response.status(), 422, "null is not a list: [] clears it");
    let cleared: Value = app.patch(&path, &json!({"blocked_by": []})).await.json().await.unwrap();
    assert_eq!(cleared["blocked_by"], json!([]));

    let history: Value = app.get(&format!("{path}/history")).await.json().await.unwrap();
    let last = history.as_array().unwrap().last().unwrap();
    assert_eq!(last["data"]["blocked_by"], json!([]), "events carry the task as it now is");
    assert_eq!(history[1]["data"]["blocked_by"], json!([uid(&b)]));
}

#[tokio::test]
async fn an_unknown_or_self_blocker_is_a_422_at_its_index() {
    let app = spawn_app().await;
    let a = app.create_task(json!({"title": "A"})).await;
    let ghost = uuid::Uuid::new_v4().to_string();

    let response = app.post("/api/v1/tasks/", &json!({"title": "t", "blocked_by": [uid(&a), ghost]})).await;
    assert_eq!(response.status(), 422);
    let detail: Value = response.json().await.unwrap();
    assert_eq!(detail["detail"][0]["loc"], json!(["body", "blocked_by", 1]));

    let path = format!("/api/v1/tasks/{}", uid(&a));
    let response = app.patch(&path, &json!({"blocked_by": [ghost, uid(&a)]})).await;
    assert_eq!(response.status(), 422);
    let detail: Value = response.json().await.unwrap();
    assert_eq!(detail["detail"][0]["loc"], json!(["body", "blocked_by", 1]), "itself, at its own index: {detail}");

    let response = app.patch(&path, &json!({"blocked_by": ["not-an-id"]})).await;
    assert_eq!(response.status(), 422);
    let detail: Value = response.json().await.unwrap();
    assert_eq!(detail["detail"][0]["loc"], json!(["body", "blocked_by", 0]));
}

#[tokio::test]
async fn a_bulk_create_reports_each_unknown_blocker_at_its_item_and_index() {
    let app = spawn_app().await;
    let a = app.create_task(json!({"title": "A"})).await;
    let ghost = uuid::Uuid::new_v4().to_string();
    let body = json!({"tasks": [
        {"title": "fine", "blocked_by": [uid(&a)]},
        {"title": "haunted", "blocked_by": [uid(&a), ghost]},
    ]});
    let response = app.post("/api/v1/tasks/bulk", &body).await;
    assert_eq!(response.status(), 422);
    let detail: Value = response.json().await.unwrap();
    assert_eq!(detail["detail"][0]["loc"], json!(["body", "tasks", 1, "blocked_by", 1]), "{detail}");

    let body = json!({"tasks": [{"title": "fine", "blocked_by": [uid(&a)]}]});
    let created: Value = app.post("/api/v1/tasks/bulk", &body).await.json().await.unwrap();
    assert_eq!(created[0]["blocked_by"], json!([uid(&a)]));
}

#[tokio::test]
async fn an_edge_closing_a_cycle_is_a_409_naming_the_cycle() {
    let app = spawn_app().await;
    let a = app.create_task(json!({"title": "A"})).await;
    let b = task_blocked_by(&app, "B", &[&a]).await;
    let c = task_blocked_by(&app, "C", &[&b]).await;

    let response = app.patch(&format!("/api/v1/tasks/{}", uid(&a)), &json!({"blocked_by": [uid(&c)]})).await;
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.unwrap();
    let expected = format!("Dependency cycle: {} → {} → {} → {}", uid(&c), uid(&a), uid(&b), uid(&c));
    assert_eq!(body, json!({"detail": expected}));
}

#[tokio::test]
async fn of_two_concurrent_patches_closing_a_cycle_exactly_one_succeeds() {
    let app = spawn_app().await;
    for round in 0..5 {
        let a = app.create_task(json!({"title": format!("A{round}")})).await;
        let b = app.create_task(json!({"title": format!("B{round}")})).await;
        let (a_path, b_path) = (format!("/api/v1/tasks/{}", uid(&a)), format!("/api/v1/tasks/{}", uid(&b)));
        let (a_body, b_body) = (json!({"blocked_by": [uid(&b)]}), json!({"blocked_by": [uid(&a)]}));
        let answers = join_all([app.patch(&a_path, &a_body), app.patch(&b_path, &b_body)]).await;
        let mut statuses: Vec<u16> = answers.iter().map(|response| response.status().as_u16()).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "round {round}");
    }
}

#[tokio::test]
async fn blockers_and_dependents_are_walked_to_a_depth_each_task_once_nearest_first() {
    let app = spawn_app().await;
    let root = app.create_task(json!({"title": "Root"})).await;
    let b = task_blocked_by(&app, "B", &[&root]).await;
    let a = task_blocked_by(&app, "A", &[&root]).await;
    let c = task_blocked_by(&app, "C", &[&a, &b]).await;
    let d = task_blocked_by(&app, "D", &[&c, &root]).await;
    let owned = |pairs: &[(u64, &Value)]| pairs.iter().map(|(d, t)| (*d, uid(t).to_owned())).collect::<Vec<_>>();

    let root_path = format!("/api/v1/tasks/{}", uid(&root));
    assert_eq!(walk(&app, &format!("{root_path}/dependents")).await, owned(&[(1, &b), (1, &a), (1, &d)]));
    assert_eq!(
        walk(&app, &format!("{root_path}/dependents?depth=25")).await,
        owned(&[(1, &b), (1, &a), (1, &d), (2, &c)])
    );
    let d_path = format!("/api/v1/tasks/{}", uid(&d));
    assert_eq!(
        walk(&app, &format!("{d_path}/blockers?depth=2")).await,
        owned(&[(1, &root), (1, &c), (2, &b), (2, &a)])
    );
    let body: Value = app.get(&format!("{d_path}/blockers")).await.json().await.unwrap();
    assert_eq!(body[1]["task"]["title"], "C", "each entry carries the whole task");

    for bad in ["0", "26", "x"] {
        let response = app.get(&format!("{d_path}/blockers?depth={bad}")).await;
        assert_eq!(response.status(), 422, "{bad}");
        let detail: Value = response.json().await.unwrap();
        assert_eq!(detail["detail"][0]["loc"], json!(["query", "depth"]));
    }
    let unknown = format!("/api/v1/tasks/{}/dependents", uuid::Uuid::new_v4());
    assert_eq!(app.get(&unknown).await.status(), 404);
}

#[tokio::test]
async fn the_blocked_filter_lists_tasks_waiting_for_an_unfinished_blocker() {
    let app = spawn_app().await;
    let tag = format!("graph-{}", uuid::Uuid::new_v4().simple());
    let open = app.create_task(json!({"title": "Open"})).await;
    let done = app.create_task(json!({"title": "Done", "status": "done"})).await;
    let waiting = app.create_task(json!({"title": "Waiting", "tags": [tag], "blocked_by": [uid(&open)]})).await;
    let free = app.create_task(json!({"title": "Free", "tags": [tag], "blocked_by": [uid(&done)]})).await;

    let list = |blocked: &str| {
        let path = format!("/api/v1/tasks/?tag={tag}&blocked={blocked}");
        let app = &app;
        async move {
            let tasks = app.list_all(&path).await;
            tasks.iter().map(|task| uid(task).to_owned()).collect::<Vec<_>>()
        }
    };
    assert_eq!(list("true").await, [uid(&waiting)]);
    assert_eq!(list("false").await, [uid(&free)]);
    assert_eq!(app.get("/api/v1/tasks/?blocked=maybe").await.status(), 422);
}

#[tokio::test]
async fn deleting_a_blocker_frees_its_dependents_with_a_version_bump_and_an_event() {
    let app = spawn_app().await;
    let blocker = app.create_task(json!({"title": "Blocker"})).await;
    let other = app.create_task(json!({"title": "Other"})).await;
    let waiting = task_blocked_by(&app, "Waiting", &[&blocker, &other]).await;

    assert_eq!(app.delete(&format!("/api/v1/tasks/{}", uid(&blocker))).await.status(), 204);

    let path = format!("/api/v1/tasks/{}", uid(&waiting));
    let response = app.get(&path).await;
    assert_eq!(response.headers()["etag"], "\"2\"");
    let after: Value = response.json().await.unwrap();
    assert_eq!(after["blocked_by"], json!([uid(&other)]));
    let history: Value = app.get(&format!("{path}/history")).await.json().await.unwrap();
    let types: Vec<&str> = history.as_array().unwrap().iter().map(|e| e["event_type"].as_str().unwrap()).collect();
    assert_eq!(types, ["task.created", "task.updated"]);
    assert_eq!(history[1]["data"], after);
    let blocker_history: Value =
        app.get(&format!("/api/v1/tasks/{}/history", uid(&blocker))).await.json().await.unwrap();
    assert_eq!(blocker_history.as_array().unwrap().last().unwrap()["event_type"], "task.deleted");
}
