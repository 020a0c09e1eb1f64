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

/// One store for several test servers — two instances behind a load
/// balancer, or one server before and after a restart: a SQLite file in a
/// directory of its own, removed with the file's log and shared memory when
/// this is dropped (when the test fails too); on Neo4j, the shared test
/// database every test server uses anyway.
pub struct SharedStore {
    /// The directory of the SQLite file; `None` on Neo4j.
    dir: Option<std::path::PathBuf>,
    url: String,
}

impl SharedStore {
    /// A fresh store.
    ///
    /// # Panics
    /// When the directory cannot be made: the test cannot run.
    #[must_use]
    pub fn new() -> Self {
        if std::env::var("TRM_E2E_STORE").as_deref() == Ok("neo4j") {
            return Self { dir: None, url: String::new() };
        }
        let dir = std::env::temp_dir().join(format!("trm-shared-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("a directory for the shared store");
        let url = format!("sqlite://{}", dir.join("trm.db").display());
        Self { dir: Some(dir), url }
    }

    /// The settings that point a server at this store (none on Neo4j).
    #[must_use]
    pub fn settings(&self) -> Vec<(&'static str, &str)> {
        self.dir.as_ref().map(|_| ("TRM__DATABASE__URL", self.url.as_str())).into_iter().collect()
    }
}

impl Default for SharedStore {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for SharedStore {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
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

/// Installs the process's TLS crypto provider (rustls with `ring`), the one
/// the server installs when it builds its webhook client; a no-op once done.
///
/// The workspace builds `reqwest` with `rustls-no-provider` (for the
/// server's webhook deliveries), so in a test binary that has not started an
/// [`Application`] — the fault scenarios run the server as a separate
/// process — building any `reqwest::Client` panics until a provider is
/// installed.
pub fn install_crypto_provider() {
    // Building the server's webhook client installs it (once per process).
    let _ = trm_server::webhooks::HttpSender::new();
}

/// A webhook receiver for the tests: the Python `standardwebhooks` package —
/// the Standard Webhooks reference implementation, not our code — verifies
/// every delivery, and the tests check what it received.
pub mod webhooks {
    use std::collections::HashSet;
    use std::io::BufRead as _;
    use std::path::PathBuf;
    use std::process::{Child, Command, Stdio};
    use std::time::Duration;

    use serde_json::{Value, json};

    use crate::TestApp;

    /// The Python receiver (`tests/webhooks/receiver.py`) on a free loopback
    /// port, killed when dropped.
    ///
    /// It runs from `target/webhooks-venv` (`tests/webhooks/prepare`, which
    /// `scripts/test` and `tests/faults/run` run first). It answers 204 to a
    /// delivery that verifies with the subscription's secret (written to a
    /// file once [`subscribe`](Self::subscribe) has it), 400 to one that
    /// does not (counted: [`rejected`](Self::rejected)), 503 while
    /// [`set_down`](Self::set_down). [`received`](Self::received) lists the
    /// verified deliveries in arrival order, repeats included, as
    /// `{"webhook_id", "event_id", "event_type", "x_trm_event", "entity_id"}`.
    pub struct Receiver {
        process: Child,
        base: String,
        secret_file: PathBuf,
        client: reqwest::Client,
    }

    impl Drop for Receiver {
        fn drop(&mut self) {
            let _ = self.process.kill();
            let _ = self.process.wait();
            let _ = std::fs::remove_file(&self.secret_file);
        }
    }

    impl Receiver {
        /// Starts the receiver and waits for it to print its port.
        ///
        /// # Panics
        /// When the venv is missing or the receiver does not start.
        #[must_use]
        pub fn start() -> Self {
            crate::install_crypto_provider();
            let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
            let python = root.join("target/webhooks-venv/bin/python");
            assert!(python.exists(), "no {}: run tests/webhooks/prepare (scripts/test does)", python.display());
            let secret_file = std::env::temp_dir().join(format!("trm-webhook-secret-{}", uuid::Uuid::new_v4()));
            std::fs::write(&secret_file, "").unwrap();
            let mut process = Command::new(python)
                .arg(root.join("tests/webhooks/receiver.py"))
                .arg(&secret_file)
                .stdout(Stdio::piped())
                .spawn()
                .expect("the receiver starts");
            let mut line = String::new();
            std::io::BufReader::new(process.stdout.take().unwrap()).read_line(&mut line).unwrap();
            let port: u16 = line.trim().parse().expect("the receiver prints its port");
            Self { process, base: format!("http://127.0.0.1:{port}"), secret_file, client: reqwest::Client::new() }
        }

        /// The URL deliveries go to.
        #[must_use]
        pub fn url(&self) -> String {
            format!("{}/hook", self.base)
        }

        /// Subscribes the receiver to `event_types` (empty: all) on `app`
        /// and hands it the secret; the subscription as created.
        ///
        /// # Panics
        /// When the subscription is not created.
        pub async fn subscribe(&self, app: &TestApp, event_types: &[&str]) -> Value {
            self.subscribe_with(&app.client, &app.address, event_types).await
        }

        /// [`subscribe`](Self::subscribe) on the server at `base`
        /// (`http://HOST:PORT`) through `client`: for a server that is not a
        /// [`TestApp`], such as the binary the fault scenarios run.
        ///
        /// # Panics
        /// When the subscription is not created.
        pub async fn subscribe_with(&self, client: &reqwest::Client, base: &str, event_types: &[&str]) -> Value {
            let response = client
                .post(format!("{base}/api/v1/webhooks"))
                .json(&json!({"url": self.url(), "event_types": event_types}))
                .send()
                .await
                .expect("POST sent");
            assert_eq!(response.status(), 201);
            let webhook: Value = response.json().await.unwrap();
            std::fs::write(&self.secret_file, webhook["secret"].as_str().unwrap()).unwrap();
            webhook
        }

        /// Every verified delivery so far, in arrival order, repeated
        /// `webhook-id`s included.
        ///
        /// # Panics
        /// When the receiver does not answer.
        pub async fn received(&self) -> Vec<Value> {
            let response = self.client.get(format!("{}/received", self.base)).send().await.unwrap();
            response.json::<Vec<Value>>().await.unwrap()
        }

        /// How many deliveries failed verification.
        ///
        /// # Panics
        /// When the receiver does not answer.
        pub async fn rejected(&self) -> u64 {
            let response = self.client.get(format!("{}/rejected", self.base)).send().await.unwrap();
            response.json::<Value>().await.unwrap()["rejected"].as_u64().unwrap()
        }

        /// Starts (`true`) or ends a receiver outage: 503 to every delivery.
        ///
        /// # Panics
        /// When the receiver does not answer.
        pub async fn set_down(&self, down: bool) {
            let path = if down { "down" } else { "up" };
            self.client.post(format!("{}/{path}", self.base)).send().await.unwrap();
        }

        /// The verified deliveries about `entities`, once `count` distinct
        /// events about them arrived (or the wait ran out): repeated
        /// `webhook-id`s dropped, in arrival order.
        ///
        /// # Panics
        /// When the receiver does not answer.
        pub async fn wait_for(&self, entities: &[&Value], count: usize, wait: Duration) -> Vec<Value> {
            let deadline = tokio::time::Instant::now() + wait;
            loop {
                let mut seen = HashSet::new();
                let ours: Vec<Value> = self
                    .received()
                    .await
                    .into_iter()
                    .filter(|delivery| entities.contains(&&delivery["entity_id"]))
                    .filter(|delivery| seen.insert(delivery["webhook_id"].clone()))
                    .collect();
                if ours.len() >= count || tokio::time::Instant::now() >= deadline {
                    return ours;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}
