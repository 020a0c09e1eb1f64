//! What every scenario needs: its own directory, a store, a unique tag.
//!
//! Each scenario works in a fresh directory under `TRM_FAULTS_DIR` (the run
//! script points it at `target/faults`; the system temp dir otherwise), where
//! its SQLite file and server logs stay for inspection after a failure. On
//! Neo4j — one database shared with earlier runs — a scenario only looks at
//! what it created: tasks carrying its own unique tag, in its own project.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

/// The store a scenario runs the server on.
#[derive(Debug, Clone)]
pub(crate) enum Store {
    /// A SQLite file in the scenario's directory: it survives the process.
    Sqlite(PathBuf),
    /// The Neo4j named by `TRM_TEST_NEO4J_URI` (`…_USER`, `…_PASSWORD`).
    Neo4j,
}

impl Store {
    /// The `TRM__DATABASE__…` settings selecting this store.
    pub(crate) fn settings(&self) -> Vec<(String, String)> {
        match self {
            Self::Sqlite(file) => vec![("TRM__DATABASE__URL".into(), format!("sqlite://{}", file.display()))],
            Self::Neo4j => {
                let uri = std::env::var("TRM_TEST_NEO4J_URI")
                    .expect("the Neo4j scenarios need TRM_TEST_NEO4J_URI (tests/faults/run sets it)");
                let mut settings = vec![
                    ("TRM__DATABASE__URL".to_owned(), uri),
                    (
                        "TRM__DATABASE__USER".to_owned(),
                        std::env::var("TRM_TEST_NEO4J_USER").unwrap_or_else(|_| "neo4j".into()),
                    ),
                ];
                if let Ok(password) = std::env::var("TRM_TEST_NEO4J_PASSWORD") {
                    settings.push(("TRM__DATABASE__PASSWORD".into(), password));
                }
                settings
            }
        }
    }
}

/// One scenario's working directory and unique names.
pub(crate) struct Scenario {
    /// Where its files go.
    pub(crate) dir: PathBuf,
    /// A tag (and title prefix) no other run uses.
    pub(crate) tag: String,
}

impl Scenario {
    /// A fresh directory for the scenario called `name` (and the TLS
    /// provider every `reqwest` client of the scenario needs:
    /// [`trm_tests::install_crypto_provider`]).
    pub(crate) fn new(name: &str) -> Self {
        trm_tests::install_crypto_provider();
        let tag = format!("{name}-{}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
        let root = std::env::var_os("TRM_FAULTS_DIR").map_or_else(std::env::temp_dir, PathBuf::from);
        let dir = root.join(&tag);
        std::fs::create_dir_all(&dir).expect("the scenario directory");
        Self { dir, tag }
    }

    /// A SQLite store in the scenario's directory.
    pub(crate) fn sqlite(&self) -> Store {
        Store::Sqlite(self.dir.join("trm.db"))
    }

    /// A path in the scenario's directory.
    pub(crate) fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// A client for one connection at a time, without redirects, that gives up
/// on a request after 30 s (far beyond every timeout the server has).
///
/// It drops a connection idle for 4 s, before the server's keep-alive (5 s
/// by default) closes it: a request sent on a connection the server is
/// closing at that very moment fails at the connection, a race of the
/// client's making.
pub(crate) fn client() -> reqwest::Client {
    trm_tests::install_crypto_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .pool_idle_timeout(Duration::from_secs(4))
        .pool_max_idle_per_host(1)
        .build()
        .expect("a client")
}

/// Creates a project and returns its uid.
pub(crate) async fn create_project(client: &reqwest::Client, base: &str, title: &str) -> String {
    let response = client.post(format!("{base}/api/v1/projects/")).json(&json!({ "title": title })).send().await;
    let response = response.expect("the project create is answered");
    assert_eq!(response.status(), 201, "creating a project");
    let project: Value = response.json().await.expect("a project body");
    project["uid"].as_str().expect("a project uid").to_owned()
}

/// Runs `scripts/neo4j ACTION` (on the `NEO4J_PORT`/`NEO4J_DATA` of the
/// environment) on a blocking thread, so the load keeps running meanwhile.
pub(crate) async fn neo4j(action: &'static str) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/neo4j");
    let status = tokio::task::spawn_blocking(move || {
        Command::new(script).arg(action).stdout(std::process::Stdio::null()).status()
    })
    .await
    .expect("the scripts/neo4j thread")
    .expect("scripts/neo4j runs");
    assert!(status.success(), "scripts/neo4j {action} failed");
}
