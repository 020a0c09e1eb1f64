//! After a fault: was anything acknowledged lost, is anything half-done?
//!
//! The audit reads the store back through a (restarted or recovered) server:
//!
//! * every acknowledged create is looked up by its id, one by one, and must
//!   be there with the title it was created with, in its project;
//! * every task of the scenario found in the store — by its tag, and among
//!   its project's tasks: the two lists must be the same set, or some task
//!   lost its project relationship or its tag — must be whole: a title the
//!   load sent (once only), the description derived from that title, the
//!   tag, the project, the first version;
//! * every such task has its `task.created` event in the durable log —
//!   exactly one, carrying the task as stored — since the event is stored
//!   in the create's own transaction (`GET /api/v1/tasks/{uid}/history`).
//!
//! A task stored for a write that got a 5xx or no answer (the store
//! committed, the answer was lost) is allowed — it is whole or the checks
//! above fail — and counted, so runs can be compared.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::writes::{Outcome, description_of};

/// What the audit found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Audit {
    /// Writes answered 2xx: all present and whole.
    pub(crate) acknowledged: usize,
    /// Writes answered 5xx.
    pub(crate) server_errors: usize,
    /// Writes that got no answer at all.
    pub(crate) unanswered: usize,
    /// The scenario's tasks in the store, all whole.
    pub(crate) stored: usize,
    /// Of those, the ones whose write was not acknowledged.
    pub(crate) stored_unacknowledged: usize,
}

/// Every item of a list, following its `Link: rel="next"` pages.
pub(crate) async fn list_all(client: &reqwest::Client, base: &str, first: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut next = Some(format!("{base}{first}"));
    while let Some(url) = next.take() {
        let response = client.get(&url).send().await.expect("a list page is answered");
        assert_eq!(response.status(), 200, "listing {url}");
        next = response
            .headers()
            .get("link")
            .and_then(|link| link.to_str().ok())
            .and_then(|link| link.split('>').next())
            .map(|target| target.trim_start_matches('<'))
            .map(|target| if target.starts_with('/') { format!("{base}{target}") } else { target.to_owned() });
        let page: Value = response.json().await.expect("a JSON page");
        items.extend(page.as_array().expect("a JSON array").iter().cloned());
    }
    items
}

/// Checks the store behind `base` against the `outcomes` of a write load
/// that created tasks tagged `tag` in `project`.
pub(crate) async fn audit(base: &str, project: &str, tag: &str, outcomes: &[Outcome]) -> Audit {
    let client = crate::scenario::client();
    let sent: HashSet<&str> = outcomes.iter().map(|outcome| outcome.title.as_str()).collect();
    let mut acknowledged = HashMap::new();
    for outcome in outcomes {
        let Some(uid) = outcome.acknowledged() else { continue };
        let response = client.get(format!("{base}/api/v1/tasks/{uid}")).send().await.expect("a lookup is answered");
        assert_eq!(response.status(), 200, "the acknowledged task {uid} («{}») is in the store", outcome.title);
        let task: Value = response.json().await.expect("a task body");
        assert_eq!(task["title"], outcome.title.as_str(), "task {uid} has the title it was created with");
        assert_eq!(task["project_id"], project, "task {uid} is in its project");
        acknowledged.insert(uid.to_owned(), outcome.title.as_str());
    }

    let by_tag = list_all(&client, base, &format!("/api/v1/tasks/?tag={tag}&limit=500")).await;
    let in_project = list_all(&client, base, &format!("/api/v1/projects/{project}/tasks/?limit=500")).await;
    let uids = |tasks: &[Value]| -> HashSet<String> {
        tasks.iter().map(|task| task["uid"].as_str().expect("a uid").to_owned()).collect()
    };
    let (tagged, projected) = (uids(&by_tag), uids(&in_project));
    assert_eq!(tagged, projected, "the tasks with the tag and the tasks in the project are the same tasks");

    let mut titles = HashSet::new();
    for task in &by_tag {
        let title = task["title"].as_str().expect("a title");
        assert!(sent.contains(title), "a stored task the load never sent: {task}");
        assert!(titles.insert(title), "«{title}» was stored twice");
        assert_eq!(task["description"], description_of(title).as_str(), "whole: {task}");
        assert_eq!(task["tags"], serde_json::json!([tag]), "whole: {task}");
        assert_eq!(task["project_id"], project, "whole: {task}");
        assert_eq!(task["priority"], 1, "whole: {task}");
        assert_eq!(task["version"], 1, "whole: {task}");
    }
    for uid in acknowledged.keys() {
        assert!(tagged.contains(uid), "the acknowledged task {uid} is listed with its tag and project");
    }
    for task in &by_tag {
        let uid = task["uid"].as_str().expect("a uid");
        let response =
            client.get(format!("{base}/api/v1/tasks/{uid}/history")).send().await.expect("a history is answered");
        assert_eq!(response.status(), 200, "the stored task {uid} has a history");
        let history: Value = response.json().await.expect("a JSON history");
        let created: Vec<&Value> = history
            .as_array()
            .expect("a JSON array")
            .iter()
            .filter(|event| event["event_type"] == "task.created")
            .collect();
        assert_eq!(created.len(), 1, "the stored task {uid} has exactly one task.created: {history}");
        assert_eq!(created[0]["data"], *task, "its task.created carries the task as stored");
    }

    Audit {
        acknowledged: acknowledged.len(),
        server_errors: outcomes.iter().filter(|outcome| outcome.status().is_some_and(|code| code >= 500)).count(),
        unanswered: outcomes.iter().filter(|outcome| outcome.status().is_none()).count(),
        stored: tagged.len(),
        stored_unacknowledged: tagged.len() - acknowledged.len(),
    }
}
