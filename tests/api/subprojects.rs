//! Sub-projects over HTTP: `parent_id` (and TRM-OS's `parent_project_id`)
//! on projects, its 422s and 409s, the list filter by parent, a project's
//! task list over its whole subtree, and what deleting a project with
//! sub-projects does.

use serde_json::{Value, json};
use trm_tests::{TestApp, spawn_app};

/// Creates a project from `body` and returns its JSON.
async fn project(app: &TestApp, body: Value) -> Value {
    let response = app.post("/api/v1/projects/", &body).await;
    let status = response.status();
    let json: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "creating a project: {json}");
    json
}

fn uid(entity: &Value) -> &str {
    entity["uid"].as_str().unwrap()
}

/// The status and body of an answer.
async fn answer(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_project_nests_under_parent_id_or_trm_os_parent_project_id_and_null_detaches_it() {
    let app = spawn_app().await;
    let top = app.create_project("Top").await;
    assert_eq!(top["parent_id"], Value::Null, "every project names its parent, null when none");
    let child = project(&app, json!({"title": "Child", "parent_id": top["uid"]})).await;
    assert_eq!((child["parent_id"].clone(), child["version"].clone()), (top["uid"].clone(), json!(1)));
    let aliased = project(&app, json!({"name": "Aliased", "parent_project_id": top["uid"]})).await;
    assert_eq!(aliased["parent_id"], top["uid"]);
    assert!(aliased.get("parent_project_id").is_none(), "responses use the canonical name");
    let fetched: Value = app.get(&format!("/api/v1/projects/{}", uid(&child))).await.json().await.unwrap();
    assert_eq!(fetched, child);

    let path = format!("/api/v1/projects/{}", uid(&aliased));
    let (status, detached) = answer(app.patch(&path, &json!({"parent_project_id": null})).await).await;
    assert_eq!((status, detached["parent_id"].clone(), detached["version"].clone()), (200, Value::Null, json!(2)));
    let (status, moved) = answer(app.patch(&path, &json!({"parent_id": child["uid"]})).await).await;
    assert_eq!((status, moved["parent_id"].clone(), moved["version"].clone()), (200, child["uid"].clone(), json!(3)));
    let (status, same) = answer(app.patch(&path, &json!({"parent_id": child["uid"]})).await).await;
    assert_eq!((status, same["version"].clone()), (200, json!(3)), "no change, no new version");

    let history: Value = app.get(&format!("{path}/history")).await.json().await.unwrap();
    let types: Vec<&str> = history.as_array().unwrap().iter().map(|e| e["event_type"].as_str().unwrap()).collect();
    assert_eq!(types, ["project.created", "project.updated", "project.updated"]);
    assert_eq!(history[2]["data"]["parent_id"], child["uid"]);

    let both = json!({"title": "Both", "parent_id": top["uid"], "parent_project_id": top["uid"]});
    let (status, body) = answer(app.post("/api/v1/projects/", &both).await).await;
    assert_eq!((status, body["detail"][0]["loc"].clone()), (422, json!(["body", "parent_project_id"])));
}

#[tokio::test]
async fn a_parent_must_exist_must_not_close_a_loop_and_must_not_nest_beyond_ten_levels() {
    let app = spawn_app().await;
    let missing = uuid::Uuid::new_v4();
    let (status, body) =
        answer(app.post("/api/v1/projects/", &json!({"title": "x", "parent_id": missing})).await).await;
    assert_eq!((status, body["detail"][0]["loc"].clone()), (422, json!(["body", "parent_id"])), "{body}");

    let mut levels = vec![app.create_project("Level 1").await];
    for level in 2..=10 {
        let parent = levels.last().unwrap()["uid"].clone();
        levels.push(project(&app, json!({"title": format!("Level {level}"), "parent_id": parent})).await);
    }
    let (top, second, third) = (uid(&levels[0]), uid(&levels[1]), uid(&levels[2]));
    let top_path = format!("/api/v1/projects/{top}");
    let (status, body) = answer(app.patch(&top_path, &json!({"parent_id": top})).await).await;
    assert_eq!((status, body), (409, json!({"detail": format!("Project cycle: {top} \u{2192} {top}")})));
    let (status, body) = answer(app.patch(&top_path, &json!({"parent_id": third})).await).await;
    let cycle = format!("Project cycle: {top} \u{2192} {third} \u{2192} {second} \u{2192} {top}");
    assert_eq!((status, body), (409, json!({"detail": cycle})));
    let (status, body) = answer(app.patch(&top_path, &json!({"parent_id": missing})).await).await;
    assert_eq!((status, body["detail"][0]["loc"].clone()), (422, json!(["body", "parent_id"])));

    let eleventh = json!({"title": "Level 11", "parent_id": levels[9]["uid"]});
    let (status, body) = answer(app.post("/api/v1/projects/", &eleventh).await).await;
    assert_eq!((status, body["detail"][0]["loc"].clone()), (422, json!(["body", "parent_id"])), "{body}");
    let unchanged: Value = app.get(&top_path).await.json().await.unwrap();
    assert_eq!((unchanged["parent_id"].clone(), unchanged["version"].clone()), (Value::Null, json!(1)));
}

#[tokio::test]
async fn projects_filter_by_parent_and_a_projects_task_list_widens_to_its_sub_projects() {
    let app = spawn_app().await;
    let top = app.create_project("Top").await;
    let child = project(&app, json!({"title": "Child", "parent_id": top["uid"]})).await;
    let grandchild = project(&app, json!({"title": "Grandchild", "parent_id": child["uid"]})).await;
    let children = app.list_all(&format!("/api/v1/projects/?parent_id={}&limit=1", uid(&top))).await;
    assert_eq!(children, std::slice::from_ref(&child), "direct children only");
    assert_eq!(app.list_all("/api/v1/projects?parent_id=not-an-id").await, Vec::<Value>::new());

    let mut expected = Vec::new();
    for (n, owner) in [&top, &grandchild, &child, &top].iter().enumerate() {
        let status = if n == 2 { "done" } else { "todo" };
        expected.push(
            app.create_task(json!({"title": format!("T{n}"), "status": status, "project_id": owner["uid"]})).await,
        );
    }
    app.create_task(json!({"title": "elsewhere"})).await;
    let top_tasks = format!("/api/v1/projects/{}/tasks/", uid(&top));
    let uids = |tasks: &[Value]| tasks.iter().map(|task| task["uid"].clone()).collect::<Vec<_>>();
    let all = app.list_all(&format!("{top_tasks}?include_subprojects=true&limit=1")).await;
    assert_eq!(uids(&all), uids(&expected), "the whole subtree, oldest first, a page at a time");
    let newest = app.list_all(&format!("{top_tasks}?include_subprojects=true&sort=-created_at&limit=2")).await;
    assert_eq!(uids(&newest), uids(&expected).into_iter().rev().collect::<Vec<_>>());
    let todo = app.list_all(&format!("{top_tasks}?include_subprojects=true&status=todo&limit=1")).await;
    let todos: Vec<Value> = expected.iter().filter(|task| task["status"] == "todo").cloned().collect();
    assert_eq!(uids(&todo), uids(&todos));
    let own = app.list_all(&format!("{top_tasks}?include_subprojects=false")).await;
    assert_eq!(uids(&own), uids(&[expected[0].clone(), expected[3].clone()]));
    assert_eq!(app.get(&format!("{top_tasks}?include_subprojects=maybe")).await.status(), 422);
}

#[tokio::test]
async fn deleting_a_project_with_sub_projects_is_a_409_unless_cascading_which_bumps_tasks_outside_it() {
    let app = spawn_app().await;
    let top = app.create_project("Top").await;
    let child = project(&app, json!({"title": "Child", "parent_id": top["uid"]})).await;
    let top_path = format!("/api/v1/projects/{}", uid(&top));
    let (status, body) = answer(app.delete(&top_path).await).await;
    let refused = "Project still has sub-projects; delete them first or pass cascade=true";
    assert_eq!((status, body), (409, json!({"detail": refused})));

    let inside = app.create_task(json!({"title": "inside", "project_id": child["uid"]})).await;
    let outside = app.create_task(json!({"title": "outside", "blocked_by": [inside["uid"]]})).await;
    let outside_path = format!("/api/v1/tasks/{}", uid(&outside));

    assert_eq!(app.delete(&format!("{top_path}?cascade=true")).await.status(), 204);
    for gone in
        [top_path.clone(), format!("/api/v1/projects/{}", uid(&child)), format!("/api/v1/tasks/{}", uid(&inside))]
    {
        assert_eq!(app.get(&gone).await.status(), 404, "{gone}");
    }
    let survivor: Value = app.get(&outside_path).await.json().await.unwrap();
    assert_eq!((survivor["blocked_by"].clone(), survivor["version"].clone()), (json!([]), json!(2)));
    let history: Value = app.get(&format!("{outside_path}/history")).await.json().await.unwrap();
    let last = history.as_array().unwrap().last().unwrap();
    assert_eq!((last["event_type"].clone(), last["data"]["version"].clone()), (json!("task.updated"), json!(2)));
}
