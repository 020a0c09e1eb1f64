//! API keys end to end: the real `trm-server keys …` commands against the
//! store of a running server — create, use, list, revoke, refused — plus
//! the rate limit and the refusal to serve an open API on the network.
//!
//! These tests always use a SQLite file of their own, even when the suite
//! runs on Neo4j (`TRM_E2E_STORE=neo4j`): an active key in the shared Neo4j
//! would switch authentication on for every other test's server.
//!
//! The commands run as the real binary (`target/<profile>/trm-server`, next
//! to this test's own directory) when it has been built — `cargo test
//! --workspace` builds it — and otherwise through the library function the
//! binary calls, [`trm_server::keys::run`], so the test never depends on a
//! build step it cannot see.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;
use trm_server::{Application, configuration};
use trm_tests::{TestApp, spawn_app_with};

/// A database file of this test's own, in a fresh temporary directory.
struct Database {
    dir: PathBuf,
    url: String,
}

impl Database {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("trm-auth-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("trm.db").display());
        Self { dir, url }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The `trm-server` binary beside this test's `deps` directory, if built.
fn server_binary() -> Option<PathBuf> {
    let test = std::env::current_exe().ok()?;
    let profile_dir = test.parent()?.parent()?;
    let binary = profile_dir.join(format!("trm-server{}", std::env::consts::EXE_SUFFIX));
    binary.is_file().then_some(binary)
}

/// Runs `trm-server keys <args>` on the database; returns its standard
/// output, failing the test when it fails.
async fn keys(database: &Database, args: &[&str]) -> String {
    let (ok, out, err) = match server_binary() {
        Some(binary) => run_binary(&binary, database, args),
        None => run_library(database, args).await,
    };
    assert!(ok, "trm-server keys {args:?} failed: {err}");
    out
}

fn run_binary(binary: &Path, database: &Database, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(binary)
        .arg("keys")
        .args(args)
        .current_dir(&database.dir) // no stray trm.toml
        .env_remove("TRM_CONFIG")
        .env("TRM__DATABASE__URL", &database.url)
        .env("TRM__LOG__LEVEL", "warn")
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

async fn run_library(database: &Database, args: &[&str]) -> (bool, String, String) {
    use clap::Parser as _;
    let cli = trm_server::cli::Cli::try_parse_from(["trm-server", "keys"].iter().chain(args)).unwrap();
    let Some(trm_server::cli::Command::Keys(command)) = cli.command else { panic!("not a keys command: {args:?}") };
    let settings = settings(database, &[]);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let result = trm_server::keys::run(command, &settings, &mut out, &mut err).await;
    let err = format!(
        "{}{}",
        String::from_utf8_lossy(&err),
        result.as_ref().err().map(|e| format!("{e:#}")).unwrap_or_default()
    );
    (result.is_ok(), String::from_utf8(out).unwrap(), err)
}

fn settings(database: &Database, extra: &[(&str, &str)]) -> configuration::Settings {
    let mut env: std::collections::HashMap<String, String> =
        [("TRM__DATABASE__URL", database.url.as_str())].iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
    env.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    configuration::load_from(&env).unwrap()
}

/// A server on the database that asks the store on every request (no key
/// cache), so a key created or revoked by a command counts at once.
async fn server_on(database: &Database, extra: &[(&str, &str)]) -> TestApp {
    let mut overrides = vec![("TRM__DATABASE__URL", database.url.as_str()), ("TRM__AUTH__CACHE_TTL_SECS", "0")];
    overrides.extend_from_slice(extra);
    spawn_app_with(&overrides).await
}

async fn send(app: &TestApp, method: reqwest::Method, path: &str, key: Option<&str>) -> reqwest::Response {
    let mut request = app.client.request(method.clone(), app.url(path));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    if method == reqwest::Method::POST {
        request = request.json(&json!({"title": "Guarded"}));
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn keys_are_created_used_listed_and_revoked_with_the_real_cli() {
    let database = Database::new();
    let app = server_on(&database, &[]).await;
    assert_eq!(send(&app, reqwest::Method::GET, "/api/v1/tasks/", None).await.status(), 200, "open with no key");

    let writer = keys(&database, &["create", "--name", "writer", "--scope", "write"]).await.trim().to_owned();
    let reader = keys(&database, &["create", "--name", "reader", "--scope", "read"]).await.trim().to_owned();
    assert!(writer.starts_with("trm_") && reader.starts_with("trm_"));

    let missing = send(&app, reqwest::Method::GET, "/api/v1/tasks/", None).await;
    assert_eq!(missing.status(), 401);
    assert_eq!(missing.headers()["www-authenticate"], "Bearer");
    assert_eq!(missing.json::<serde_json::Value>().await.unwrap(), json!({"detail": "Not authenticated"}));
    assert_eq!(send(&app, reqwest::Method::GET, "/api/v1/tasks/", Some(&reader)).await.status(), 200);
    assert_eq!(send(&app, reqwest::Method::POST, "/api/v1/tasks/", Some(&reader)).await.status(), 403);
    assert_eq!(send(&app, reqwest::Method::POST, "/api/v1/tasks/", Some(&writer)).await.status(), 201);
    assert_eq!(send(&app, reqwest::Method::GET, "/livez", None).await.status(), 200, "probes stay open");
    assert_eq!(send(&app, reqwest::Method::GET, "/openapi.json", None).await.status(), 200, "docs are public");

    let listed = keys(&database, &["list"]).await;
    assert!(listed.contains("\twriter\twrite\t") && listed.contains("\treader\tread\t"), "{listed}");
    assert!(!listed.contains(&writer[4..]) && !listed.contains(&reader[4..]), "no secret is ever listed");

    let revoked = keys(&database, &["revoke", "writer"]).await;
    assert!(revoked.contains("writer"), "{revoked}");
    let refused = send(&app, reqwest::Method::POST, "/api/v1/tasks/", Some(&writer)).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(refused.json::<serde_json::Value>().await.unwrap(), json!({"detail": "Invalid API key"}));
    assert_eq!(send(&app, reqwest::Method::GET, "/api/v1/tasks/", Some(&reader)).await.status(), 200);
}

#[tokio::test]
async fn abused_keys_are_401_and_never_500() {
    let database = Database::new();
    let app = server_on(&database, &[]).await;
    let real = keys(&database, &["create", "--name", "real", "--scope", "write"]).await.trim().to_owned();
    let tampered = format!("{}{}", &real[..real.len() - 1], if real.ends_with('A') { 'B' } else { 'A' });
    for value in [
        format!("Bearer {tampered}"),
        format!("Basic {real}"),
        format!("Bearer {real} {real}"),
        format!("Bearer {}", "trm_".repeat(2000)),
        "Bearer".to_owned(),
        format!("Bearer {}", real.to_uppercase()),
    ] {
        let response = app.client.get(app.url("/api/v1/tasks/")).header("authorization", &value).send().await.unwrap();
        assert_eq!(response.status(), 401, "{value:.40}");
    }
}

#[tokio::test]
async fn a_client_over_its_rate_limit_gets_429_with_retry_after() {
    let database = Database::new();
    let app = server_on(
        &database,
        &[("TRM__RATE_LIMIT__ENABLED", "true"), ("TRM__RATE_LIMIT__PER_MINUTE", "1"), ("TRM__RATE_LIMIT__BURST", "2")],
    )
    .await;
    let statuses = [
        send(&app, reqwest::Method::GET, "/api/v1/tasks/", None).await.status(),
        send(&app, reqwest::Method::GET, "/api/v1/tasks/", None).await.status(),
    ];
    assert_eq!(statuses, [200, 200]);
    let limited = send(&app, reqwest::Method::GET, "/api/v1/tasks/", None).await;
    assert_eq!(limited.status(), 429);
    let retry_after: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry_after >= 1);
    assert_eq!(send(&app, reqwest::Method::GET, "/readyz", None).await.status(), 200, "probes are not limited");
}

#[tokio::test]
async fn the_server_refuses_to_serve_an_open_api_on_a_network_address() {
    let database = Database::new();
    // Refused before anything is bound.
    let open = settings(&database, &[("TRM__SERVER__HOST", "0.0.0.0"), ("TRM__SERVER__PORT", "0")]);
    let error = Application::build(&open).await.err().expect("an open API on 0.0.0.0 is refused");
    assert!(format!("{error:#}").contains("refusing to serve on 0.0.0.0"), "{error:#}");
}

#[tokio::test]
async fn security_headers_reach_the_client() {
    let database = Database::new();
    let app = server_on(&database, &[]).await;
    let response = send(&app, reqwest::Method::GET, "/api/v1/tasks/", None).await;
    let headers = response.headers();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert!(headers["content-security-policy"].to_str().unwrap().contains("default-src 'none'"));
}
