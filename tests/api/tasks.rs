//! Task life cycle rules over HTTP.

use serde_json::{Value, json};
use trm_tests::spawn_app;

fn is_contract_timestamp(value: &Value) -> bool {
    let Some(text) = value.as_str() else { return false };
    // 2026-11-26T03:12:45.123456Z
    text.len() == 27
        && text.ends_with('Z')
        && text.as_bytes()[10] == b'T'
        && text.as_bytes()[19] == b'.'
        && text[20..26].bytes().all(|b| b.is_ascii_digit())
}

#[tokio::test]
async fn a_created_task_has_every_contract_field_with_defaults() {
    let app = spawn_app().await;
    let task = app.create_task(json!({"title": "  Write the docs  "})).await;
    assert_eq!(task["title"], "Write the docs");
    let expected_defaults = json!({
        "description": null, "status": "todo", "task_type": null, "priority": 0, "project_id": null,
        "assignee_id": null, "effort_estimate": null, "effort_unit": "hours", "start_date": null,
        "due_date": null, "completed_at": null, "tags": [], "version": 1
    });
    for (field, value) in expected_defaults.as_object().unwrap() {
        assert_eq!(&task[field], value, "{field}");
    }
    assert!(uuid::Uuid::parse_str(task["uid"].as_str().unwrap()).unwrap().get_version_num() == 4);
    assert!(is_contract_timestamp(&task["created_at"]), "{}", task["created_at"]);
    assert!(is_contract_timestamp(&task["updated_at"]));
}

#[tokio::test]
async fn patch_changes_present_fields_keeps_absent_ones_and_clears_nulls() {
    let app = spawn_app().await;
    let task = app
        .create_task(json!({"title": "t", "description": "d", "tags": ["a", "b", "a"], "effort_estimate": 3, "due_date": "2026-12-24"}))
        .await;
    assert_eq!(task["tags"], json!(["a", "b"]));
    assert_eq!(task["due_date"], "2026-12-24T00:00:00.000000Z");
    let uid = task["uid"].as_str().unwrap();

    let response =
        app.patch(&format!("/api/v1/tasks/{uid}"), &json!({"description": null, "priority": "urgent"})).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["etag"], "\"2\"");
    let patched: Value = response.json().await.unwrap();
    assert_eq!(patched["description"], Value::Null);
    assert_eq!(patched["priority"], 2);
    assert_eq!(patched["tags"], json!(["a", "b"]));
    assert_eq!(patched["effort_estimate"], 3.0);
    assert_eq!(patched["version"], 2);

    let unchanged: Value =
        app.patch(&format!("/api/v1/tasks/{uid}"), &json!({"priority": 2})).await.json().await.unwrap();
    assert_eq!(unchanged["version"], 2, "a PATCH that changes nothing keeps the version");
}

#[tokio::test]
async fn completed_at_is_set_when_done_and_cleared_when_reopened() {
    let app = spawn_app().await;
    let task = app.create_task(json!({"title": "finish me"})).await;
    let path = format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap());
    let done: Value = app.patch(&path, &json!({"status": "finished"})).await.json().await.unwrap();
    assert_eq!(done["status"], "done");
    assert!(is_contract_timestamp(&done["completed_at"]));
    let reopened: Value = app.patch(&path, &json!({"status": "todo"})).await.json().await.unwrap();
    assert_eq!(reopened["completed_at"], Value::Null);
}

#[tokio::test]
async fn a_stale_if_match_is_a_412_and_changes_nothing() {
    let app = spawn_app().await;
    let task = app.create_task(json!({"title": "contended"})).await;
    let path = format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap());
    let first = app
        .client
        .patch(app.url(&path))
        .header("if-match", "\"1\"")
        .json(&json!({"priority": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let stale = app
        .client
        .patch(app.url(&path))
        .header("if-match", "\"1\"")
        .json(&json!({"priority": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 412);
    let current: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!((current["priority"].clone(), current["version"].clone()), (json!(1), json!(2)));
}

#[tokio::test]
async fn list_filters_by_type_tag_assignee_and_several_statuses() {
    let app = spawn_app().await;
    let project = app.create_project("filters").await;
    let project_id = project["uid"].as_str().unwrap();
    let bug = app
        .create_task(
            json!({"title": "bug", "task_type": "bug", "status": "blocked", "tags": ["ui"], "project_id": project_id}),
        )
        .await;
    let doc =
        app.create_task(json!({"title": "doc", "task_type": "docs", "status": "todo", "project_id": project_id})).await;
    app.create_task(json!({"title": "done", "status": "done", "project_id": project_id})).await;

    let uids = |listed: Value| -> Vec<Value> { listed.as_array().unwrap().iter().map(|t| t["uid"].clone()).collect() };
    let get = |query: String| {
        let app = &app;
        async move {
            app.get(&format!("/api/v1/tasks/?project_id={project_id}&{query}")).await.json::<Value>().await.unwrap()
        }
    };
    assert_eq!(uids(get("task_type=bug".into()).await), [bug["uid"].clone()]);
    assert_eq!(uids(get("tag=ui".into()).await), [bug["uid"].clone()]);
    assert_eq!(uids(get("status=todo&status=blocked".into()).await), [bug["uid"].clone(), doc["uid"].clone()]);
    assert_eq!(uids(get(format!("assignee_id={}", uuid::Uuid::new_v4())).await), Vec::<Value>::new());
}

#[tokio::test]
async fn a_search_finds_vietnamese_titles_typed_without_marks_and_an_over_long_one_is_a_422() {
    let app = spawn_app().await;
    let project = app.create_project("tìm kiếm").await;
    let project_id = project["uid"].as_str().unwrap();
    let in_title = app.create_task(json!({"title": "Công việc ở Đà Nẵng", "project_id": project_id})).await;
    let in_tags = app.create_task(json!({"title": "Chi nhánh", "tags": ["Đà-Nẵng"], "project_id": project_id})).await;
    app.create_task(json!({"title": "Hà Nội", "project_id": project_id})).await;

    let found = |query: &'static str| {
        let app = &app;
        async move {
            let response = app.get(&format!("/api/v1/projects/{project_id}/tasks/?{query}")).await;
            assert_eq!(response.status(), 200, "{query}");
            let listed: Value = response.json().await.unwrap();
            listed.as_array().unwrap().iter().map(|t| t["uid"].clone()).collect::<Vec<_>>()
        }
    };
    assert_eq!(found("q=cong%20viec").await, [in_title["uid"].clone()]);
    assert_eq!(found("q=C%C3%94NG%20VI%E1%BB%86C").await, [in_title["uid"].clone()], "CÔNG VIỆC");
    assert_eq!(found("q=da%20nang").await, [in_title["uid"].clone(), in_tags["uid"].clone()]);
    assert_eq!(found("q=da%20nang&limit=1").await, [in_title["uid"].clone()], "a search pages like the list");
    assert_eq!(found("q=chi%20nh").await, [in_tags["uid"].clone()], "the last word as it is being typed");

    assert_eq!(found("q=").await.len(), 3, "an empty search box is no search");
    assert_eq!(found("q=%20--%20").await.len(), 3, "nor is one without a letter or digit");
    let too_long = "a".repeat(201);
    let response = app.get(&format!("/api/v1/tasks/?project_id={project_id}&q={too_long}")).await;
    assert_eq!(response.status(), 422);
    assert_eq!(response.json::<Value>().await.unwrap()["detail"][0]["loc"], json!(["query", "q"]));
}

#[tokio::test]
async fn due_date_filters_and_overdue_list_what_they_say_and_bad_values_are_422s() {
    let app = spawn_app().await;
    let project = app.create_project("due dates").await;
    let project_id = project["uid"].as_str().unwrap();
    let late = app.create_task(json!({"title": "late", "due_date": "2020-01-01", "project_id": project_id})).await;
    app.create_task(
        json!({"title": "late, done", "due_date": "2020-01-02", "status": "done", "project_id": project_id}),
    )
    .await;
    let later = app.create_task(json!({"title": "later", "due_date": "2999-01-01", "project_id": project_id})).await;
    app.create_task(json!({"title": "never due", "project_id": project_id})).await;

    let titles = |query: &'static str| {
        let app = &app;
        async move {
            let response = app.get(&format!("/api/v1/tasks/?project_id={project_id}&{query}")).await;
            assert_eq!(response.status(), 200, "{query}");
            let listed: Value = response.json().await.unwrap();
            listed.as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
        }
    };
    assert_eq!(titles("overdue=true").await, [late["title"].as_str().unwrap()]);
    assert_eq!(titles("overdue=false").await, ["late, done", "later", "never due"]);
    assert_eq!(titles("due_before=2020-01-02").await, ["late"], "strictly before; a bare date is its midnight");
    assert_eq!(titles("due_after=2021-01-01T00:00:00").await, [later["title"].as_str().unwrap()]);

    let response = app.get("/api/v1/tasks/?due_before=soon&overdue=maybe").await;
    assert_eq!(response.status(), 422);
    let locs: Vec<Value> = response.json::<Value>().await.unwrap()["detail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["loc"].clone())
        .collect();
    assert_eq!(locs, [json!(["query", "due_before"]), json!(["query", "overdue"])]);
}

#[tokio::test]
async fn every_sort_orders_the_list_with_undated_tasks_last_and_its_links_walk_it_in_that_order() {
    let app = spawn_app().await;
    let project = app.create_project("sorting").await;
    let project_id = project["uid"].as_str().unwrap();
    for (title, due, priority) in [
        ("a", Some("2026-03-01"), 0),
        ("b", None, 2),
        ("c", Some("2026-01-01"), 1),
        ("d", Some("2026-03-01"), 2),
        ("e", None, 0),
    ] {
        app.create_task(json!({"title": title, "due_date": due, "priority": priority, "project_id": project_id})).await;
    }
    let a = app.get(&format!("/api/v1/tasks/?project_id={project_id}&limit=1")).await.json::<Value>().await.unwrap();
    let response =
        app.patch(&format!("/api/v1/tasks/{}", a[0]["uid"].as_str().unwrap()), &json!({"tags": ["x"]})).await;
    assert_eq!(response.status(), 200);

    let expected = [
        ("created_at", "abcde"),
        ("-created_at", "edcba"),
        ("updated_at", "bcdea"),
        ("-updated_at", "aedcb"),
        ("due_date", "cadbe"),
        ("-due_date", "daceb"),
        ("priority", "aecbd"),
        ("-priority", "dbcea"),
    ];
    for (sort, order) in expected {
        for path in [
            format!("/api/v1/tasks/?project_id={project_id}&sort={sort}&limit=2"),
            format!("/api/v1/projects/{project_id}/tasks/?sort={sort}&limit=3"),
        ] {
            let titles: String =
                app.list_all(&path).await.iter().map(|task| task["title"].as_str().unwrap().to_owned()).collect();
            assert_eq!(titles, order, "{path}");
        }
    }
}

#[tokio::test]
async fn an_unknown_sort_and_a_cursor_of_another_sort_are_422s_at_their_parameters() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/tasks/?sort=title").await;
    assert_eq!(response.status(), 422);
    let error = &response.json::<Value>().await.unwrap()["detail"][0];
    assert_eq!(error["loc"], json!(["query", "sort"]));
    assert_eq!(error["type"], "enum");
    assert!(error["msg"].as_str().unwrap().contains("'-due_date'"), "{error}");

    for n in 0..2 {
        app.create_task(json!({"title": format!("t{n}"), "due_date": "2026-05-01"})).await;
    }
    let first = app.get("/api/v1/tasks/?sort=-due_date&limit=1").await;
    let link = first.headers()["link"].to_str().unwrap().to_owned();
    let cursor = link.split("cursor=").nth(1).unwrap().split(['&', '>']).next().unwrap().to_owned();
    assert_eq!(cursor.len(), 48, "a sorted cursor: {cursor}");
    for other in ["", "sort=due_date&", "sort=created_at&"] {
        let response = app.get(&format!("/api/v1/tasks/?{other}cursor={cursor}")).await;
        assert_eq!(response.status(), 422, "{other}");
        let error = &response.json::<Value>().await.unwrap()["detail"][0];
        assert_eq!(error["loc"], json!(["query", "cursor"]));
        assert!(error["msg"].as_str().unwrap().contains("made for sort=-due_date"), "{error}");
    }
    let response = app.get(&format!("/api/v1/tasks/?sort=-due_date&cursor={cursor}")).await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn an_id_filter_that_matches_nothing_still_reads_the_other_parameters() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/tasks/?project_id=not-an-id&q=cong%20viec&overdue=true&due_after=2020-01-01").await;
    assert_eq!(response.status(), 200, "an empty list, not an unknown-parameter 422");
    assert_eq!(response.json::<Value>().await.unwrap(), json!([]));
}

#[tokio::test]
async fn a_task_due_before_it_starts_is_rejected_at_due_date() {
    let app = spawn_app().await;
    let response =
        app.post("/api/v1/tasks/", &json!({"title": "t", "start_date": "2026-05-02", "due_date": "2026-05-01"})).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["detail"][0]["loc"], json!(["body", "due_date"]));
}

#[tokio::test]
async fn injection_strings_are_stored_and_returned_literally() {
    let app = spawn_app().await;
    // Unique per run: a shared Neo4j keeps earlier runs' tasks.
    let hostile =
        format!("x'}}) DETACH DELETE n; DROP TABLE tasks; -- {}", &uuid::Uuid::new_v4().simple().to_string()[..16]);
    let hostile = hostile.as_str();
    let task = app.create_task(json!({"title": hostile, "tags": [hostile]})).await;
    let fetched: Value =
        app.get(&format!("/api/v1/tasks/{}", task["uid"].as_str().unwrap())).await.json().await.unwrap();
    assert_eq!(fetched["title"], hostile);
    let by_tag = app.client.get(app.url("/api/v1/tasks/")).query(&[("tag", hostile)]).send().await.unwrap();
    let by_tag: Value = by_tag.json().await.unwrap();
    let uids: Vec<Value> = by_tag.as_array().unwrap().iter().map(|t| t["uid"].clone()).collect();
    assert_eq!(uids, [task["uid"].clone()]);
}
