//! Helpers for the end-to-end tests: a real server per test.
//!
//! [`spawn_app`] builds the same [`Application`] the binary runs, bound to
//! port 0 (a free port) with its own fresh store, and serves it in the
//! background — so tests run in parallel without sharing state.
//!
//! The store is an in-memory SQLite database unless `TRM_E2E_STORE=neo4j`,
//! in which case the server runs on the Neo4j named by `TRM_TEST_NEO4J_URI`
//! (`TRM_TEST_NEO4J_USER`, `TRM_TEST_NEO4J_PASSWORD`). Neo4j is one shared
//! database, so every test scopes what it reads to data it created itself
//! (its own project, its own tag).

// A helper that cannot do its job has nothing better to do than fail the test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::HashMap;

use anyhow::Context as _;
use serde_json::{Value, json};
use trm_server::{Application, configuration};

/// A running server and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// A client without redirects, so a redirect would show as a failure.
    pub client: reqwest::Client,
    /// The server's event bus, to observe subscribers from outside.
    pub events: std::sync::Arc<trm_service::EventBus>,
}

/// The settings of a test server: loopback, a free port, a fresh store.
fn test_settings(overrides: &[(&str, &str)]) -> anyhow::Result<configuration::Settings> {
    let mut env: HashMap<String, String> = HashMap::from([
        ("TRM__SERVER__HOST".into(), "127.0.0.1".into()),
        ("TRM__SERVER__PORT".into(), "0".into()),
        ("TRM__SERVER__WORKERS".into(), "2".into()),
        ("TRM__DATABASE__URL".into(), "sqlite::memory:".into()),
        // Webhook receivers of the tests are on 127.0.0.1 and short-lived:
        // fast retries, short leases (on a shared Neo4j every test server
        // may work on any test's subscription), quick timeouts.
        ("TRM__WEBHOOKS__ALLOW_PRIVATE_DESTINATIONS".into(), "true".into()),
        ("TRM__WEBHOOKS__RETRY_SCHEDULE_SECS".into(), "1,1,1".into()),
        ("TRM__WEBHOOKS__TIMEOUT_SECS".into(), "2".into()),
        ("TRM__WEBHOOKS__LEASE_SECS".into(), "5".into()),
    ]);
    if std::env::var("TRM_E2E_STORE").as_deref() == Ok("neo4j") {
        let uri = std::env::var("TRM_TEST_NEO4J_URI").context("TRM_E2E_STORE=neo4j needs TRM_TEST_NEO4J_URI")?;
        env.insert("TRM__DATABASE__URL".into(), uri);
        env.insert(
            "TRM__DATABASE__USER".into(),
            std::env::var("TRM_TEST_NEO4J_USER").unwrap_or_else(|_| "neo4j".into()),
        );
        if let Ok(password) = std::env::var("TRM_TEST_NEO4J_PASSWORD") {
            env.insert("TRM__DATABASE__PASSWORD".into(), password);
        }
    }
    env.extend(overrides.iter().map(|(key, value)| ((*key).to_owned(), (*value).to_owned())));
    configuration::load_from(&env)
}

/// Starts a server on a free port with its own store.
///
/// # Panics
/// When the server cannot start: the test cannot run.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// [`spawn_app`] with some settings overridden (`TRM__…` names).
///
/// # Panics
/// When the server cannot start: the test cannot run.
pub async fn spawn_app_with(overrides: &[(&str, &str)]) -> TestApp {
    let settings = test_settings(overrides).expect("the test settings are valid");
    let application = Application::build(&settings).await.expect("the application starts");
    let address = format!("http://127.0.0.1:{}", application.port());
    let events = application.events();
    tokio::spawn(application.run_until_stopped());
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("a client");
    TestApp { address, client, events }
}

impl TestApp {
    /// The absolute URL of a path.
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// GET a path.
    ///
    /// # Panics
    /// When the request cannot be sent.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET sent")
    }

    /// POST JSON to a path.
    ///
    /// # Panics
    /// When the request cannot be sent.
    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client.post(self.url(path)).json(body).send().await.expect("POST sent")
    }

    /// PATCH JSON to a path.
    ///
    /// # Panics
    /// When the request cannot be sent.
    pub async fn patch(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client.patch(self.url(path)).json(body).send().await.expect("PATCH sent")
    }

    /// DELETE a path.
    ///
    /// # Panics
    /// When the request cannot be sent.
    pub async fn delete(&self, path: &str) -> reqwest::Response {
        self.client.delete(self.url(path)).send().await.expect("DELETE sent")
    }

    /// Every item of a list, following its `Link: rel="next"` headers (a
    /// shared store may hold more than one page from earlier runs).
    ///
    /// # Panics
    /// When a page cannot be fetched or the paging does not end.
    pub async fn list_all(&self, first: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut next = Some(first.to_owned());
        for _ in 0..10_000 {
            let Some(path) = next.take() else { return items };
            let response = self.get(&path).await;
            assert_eq!(response.status(), 200, "listing {path}");
            next = response
                .headers()
                .get("link")
                .and_then(|link| link.to_str().ok())
                .and_then(|link| link.split('>').next())
                .map(|target| target.trim_start_matches('<').to_owned());
            let page: Value = response.json().await.expect("a JSON array");
            items.extend(page.as_array().expect("a JSON array").iter().cloned());
        }
        panic!("paging through {first} did not end");
    }

    /// Creates a project and returns its JSON.
    ///
    /// # Panics
    /// When the project is not created.
    pub async fn create_project(&self, title: &str) -> Value {
        let response = self.post("/api/v1/projects/", &json!({ "title": title })).await;
        assert_eq!(response.status(), 201, "creating a project");
        response.json().await.expect("a project body")
    }

    /// Creates a task from `body` and returns its JSON.
    ///
    /// # Panics
    /// When the task is not created.
    pub async fn create_task(&self, body: Value) -> Value {
        let response = self.post("/api/v1/tasks/", &body).await;
        let status = response.status();
        let json: Value = response.json().await.expect("a JSON body");
        assert_eq!(status, 201, "creating a task: {json}");
        json
    }
}
