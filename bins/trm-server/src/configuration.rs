//! Settings: built-in defaults, then an optional file, then the environment.
//!
//! Each later source overrides the earlier ones, field by field:
//!
//! 1. defaults (below), enough to run with no configuration at all;
//! 2. `trm.toml` in the working directory if present, or the file named by
//!    `TRM_CONFIG` (which must then exist);
//! 3. environment variables `TRM__<SECTION>__<KEY>`, e.g.
//!    `TRM__SERVER__PORT=9000`, `TRM__DATABASE__URL=sqlite://data/trm.db`.
//!
//! The `events` section is optional as a whole (configurations written
//! before it existed keep working): without `events.nats_url` events stay
//! in-process; with it, instances relay them to each other over NATS. So
//! are `auth`, `rate_limit` and `cors` (access control: see
//! [`crate::access`]); `cors.allowed_origins` may be given in the
//! environment as a comma-separated list.
//!
//! TRM-OS deployments already export `NEO4J_URI`, `NEO4J_USER` and
//! `NEO4J_PASSWORD`. They are accepted as *fallbacks*: each replaces the
//! built-in default of `database.url`, `database.user` or
//! `database.password`, so it counts only where neither the file nor a
//! `TRM__DATABASE__*` variable says otherwise — an explicit setting always
//! wins, and a deployment moving to the `TRM__` names can do so key by key.
//!
//! A value of the wrong type stops start-up with a message naming the key.
//!
//! The command line comes last, above everything ([`Overrides`]):
//! `--config FILE` instead of `TRM_CONFIG`, and `--host`/`--port`.
//!
//! [`SETTINGS`] lists every setting once — key, variable, default, meaning,
//! and whether it is a secret — for `trm-server --help` ([`settings_help`])
//! and for `trm-server config` ([`effective_toml`], which redacts the
//! secrets); a test keeps it in step with [`Settings`] and the defaults.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use config::{Config, Environment, File};
use serde::{Deserialize, Serialize};
use trm_repository::sqlite::SqliteLocation;

/// Everything the server reads at start-up.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Where and how to serve HTTP.
    pub server: ServerSettings,
    /// Which store to use and how.
    pub database: DatabaseSettings,
    /// What to log and how.
    pub log: LogSettings,
    /// How domain events reach the other server instances, if any.
    #[serde(default)]
    pub events: EventsSettings,
    /// Who must present an API key.
    #[serde(default)]
    pub auth: AuthSettings,
    /// How many requests a client may make.
    #[serde(default)]
    pub rate_limit: RateLimitSettings,
    /// Which browser origins may call the API.
    #[serde(default)]
    pub cors: CorsSettings,
    /// How webhook deliveries are made.
    #[serde(default)]
    pub webhooks: WebhooksSettings,
}

/// Webhook deliveries.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhooksSettings {
    /// Seconds between attempts of a failing delivery; `n` delays make
    /// `n + 1` attempts in all, after which the subscription is disabled.
    pub retry_schedule_secs: Vec<u64>,
    /// Whether subscriptions may call loopback, private and link-local
    /// addresses (refused by default: server-side request forgery).
    pub allow_private_destinations: bool,
    /// Seconds a receiver has to answer a delivery with a 2xx.
    pub timeout_secs: f64,
    /// Seconds an instance holds a subscription it works on; a killed
    /// instance's subscriptions are taken over after this.
    pub lease_secs: u64,
}

impl Default for WebhooksSettings {
    fn default() -> Self {
        Self {
            retry_schedule_secs: vec![5, 30, 120, 600, 3600, 21_600],
            allow_private_destinations: false,
            timeout_secs: 10.0,
            lease_secs: 60,
        }
    }
}

impl WebhooksSettings {
    /// The retry schedule.
    #[must_use]
    pub fn schedule(&self) -> trm_domain::RetrySchedule {
        trm_domain::RetrySchedule::new(self.retry_schedule_secs.iter().map(|secs| Duration::from_secs(*secs)).collect())
    }

    /// How long a claim on a subscription lasts.
    #[must_use]
    pub fn lease(&self) -> Duration {
        Duration::from_secs(self.lease_secs)
    }

    /// The receivers' deadline.
    #[must_use]
    pub fn timeout(&self) -> Duration {
        Duration::from_secs_f64(self.timeout_secs)
    }
}

/// API keys.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthSettings {
    /// Unset: keys are required once one exists, and a non-loopback
    /// address is refused while none does. `true`: keys are required even
    /// before the first exists. `false`: serving a non-loopback address with
    /// no key is allowed (keys, once created, are still required). An
    /// `Option` because unset and an explicit `false` differ.
    pub required: Option<bool>,
    /// Whether `/docs`, `/openapi.json` and `/metrics` stay open while keys
    /// are required.
    pub public_docs: bool,
    /// Seconds a verified key (and whether any key exists) is trusted
    /// without asking the store: the longest a revoke made elsewhere takes
    /// to reach this server. 0 asks the store on every request.
    pub cache_ttl_secs: f64,
}

impl AuthSettings {
    /// The cache lifetime as a duration.
    #[must_use]
    pub fn cache_ttl(&self) -> Duration {
        Duration::from_secs_f64(self.cache_ttl_secs.max(0.0))
    }
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self { required: None, public_docs: true, cache_ttl_secs: trm_service::DEFAULT_CACHE_TTL.as_secs_f64() }
    }
}

/// Per-client rate limits.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitSettings {
    /// Unset: on unless the server binds a loopback address (where the
    /// only clients are local). `true`/`false` forces it.
    pub enabled: Option<bool>,
    /// Sustained requests per minute per client.
    pub per_minute: u32,
    /// Requests a client may make at once before the rate applies.
    pub burst: u32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self { enabled: None, per_minute: 600, burst: 100 }
    }
}

/// Cross-origin requests from browsers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CorsSettings {
    /// Origins (`https://app.example.com`) allowed to call the API; empty
    /// keeps CORS closed.
    pub allowed_origins: Vec<String>,
}

/// Domain events across instances.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct EventsSettings {
    /// `nats://HOST:PORT` of the NATS server that relays events between
    /// instances; absent (or blank), each instance only sees its own events.
    pub nats_url: Option<String>,
    /// The NATS subject events are published on; instances sharing it see
    /// each other's events.
    pub subject: String,
    /// Whether writes store domain events at all. Off, nothing is stored,
    /// streamed, kept or delivered: for deployments that only need the
    /// entities, and to measure what the event log costs a write.
    pub enabled: bool,
    /// Days an event stays in the durable log before it is pruned.
    pub retention_days: u32,
    /// Longest wait, in milliseconds, between two reads of the event log
    /// for events other instances wrote (NATS, when configured, wakes the
    /// reader sooner).
    pub poll_interval_ms: u64,
}

impl EventsSettings {
    /// The subject used when none is configured.
    pub const DEFAULT_SUBJECT: &'static str = "trm.events";

    /// The retention when none is configured.
    pub const DEFAULT_RETENTION_DAYS: u32 = 30;

    /// How long events are kept.
    #[must_use]
    pub fn retention(&self) -> Duration {
        Duration::from_secs(u64::from(self.retention_days) * 24 * 60 * 60)
    }

    /// The longest wait between two reads of the event log.
    #[must_use]
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms)
    }

    /// The NATS URL, when one is configured and not blank.
    #[must_use]
    pub fn nats_url(&self) -> Option<&str> {
        self.nats_url.as_deref().map(str::trim).filter(|url| !url.is_empty())
    }
}

impl Default for EventsSettings {
    fn default() -> Self {
        Self {
            nats_url: None,
            subject: Self::DEFAULT_SUBJECT.to_owned(),
            enabled: true,
            retention_days: Self::DEFAULT_RETENTION_DAYS,
            poll_interval_ms: 500,
        }
    }
}

/// The HTTP listener.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Address to bind; loopback by default, so nothing is exposed by accident.
    pub host: String,
    /// Port to bind; 0 picks a free one (tests).
    pub port: u16,
    /// HTTP worker threads (event loops); see [`ServerSettings::http_workers`].
    pub workers: Option<usize>,
    /// Seconds in-flight requests get to finish after SIGTERM/SIGINT.
    pub shutdown_timeout_secs: u64,
    /// Seconds an idle keep-alive connection is kept open (0: closed after
    /// each response). Clients that pause between requests longer than this
    /// reconnect; one that sends just as the server closes sees its request
    /// fail at the connection — so it should comfortably exceed the clients'
    /// think time.
    pub keep_alive_secs: u64,
}

/// The store.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://PATH`, `sqlite::memory:`, `bolt://HOST:PORT` or `neo4j://HOST:PORT`.
    pub url: String,
    /// Neo4j user.
    pub user: Option<String>,
    /// Neo4j password.
    pub password: Option<String>,
    /// Longest a store operation may take before the request fails with 503.
    pub timeout_secs: f64,
    /// Connections to Neo4j, or SQLite reader connections; unset, a size
    /// fitted to the store ([`DatabaseSettings::sqlite_readers`],
    /// [`DatabaseSettings::neo4j_connections`]).
    pub pool_size: Option<usize>,
    /// Rows Neo4j streams per round trip.
    pub fetch_size: usize,
    /// Neo4j: the most task lookups by id in flight at once; lookups
    /// beyond wait and share the next query. 0 sends each on its own.
    pub lookup_queries: usize,
    /// Both stores: the most concurrent writes committed in one
    /// transaction (group commit); writes arriving while one commits wait
    /// and share the next. 0 or 1 commits every write alone.
    pub write_batch: usize,
}

impl ServerSettings {
    /// The HTTP event loops: the configured number, else one fewer than
    /// the CPU cores (at least one). A request's store work does not run on
    /// an event loop — SQLite's readers and writer are threads of their
    /// own, and a local Neo4j is another process — so a loop per core only
    /// makes them compete for the cores: on 2 cores one loop served 8–10%
    /// more `get`s than two on Neo4j, at 16, 64 and 256 connections, and
    /// about 7% more on SQLite (`docs/benchmarks.md`).
    #[must_use]
    pub fn http_workers(&self) -> usize {
        self.workers.unwrap_or_else(|| {
            let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
            cores.saturating_sub(1).max(1)
        })
    }
}

impl DatabaseSettings {
    /// The SQLite reader connections: the configured pool size, else twice
    /// the CPU cores, between 2 and 16. Each reader keeps its own page cache
    /// (2 MiB) and readers beyond the cores only queue for them: on 2 cores,
    /// 16 readers peaked at 83 MiB under 256 connections and 4 at 54 MiB,
    /// serving as many requests (`docs/benchmarks.md`).
    #[must_use]
    pub fn sqlite_readers(&self) -> usize {
        self.pool_size.unwrap_or_else(|| {
            let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
            (2 * cores).clamp(2, 16)
        })
    }

    /// The Neo4j connections: the configured pool size, else 16. Requests
    /// wait on the network and on Neo4j, not on this process's cores, so
    /// the pool is sized for overlapping round trips.
    #[must_use]
    pub fn neo4j_connections(&self) -> usize {
        self.pool_size.unwrap_or(16)
    }

    /// The operation timeout as a duration (at least a millisecond).
    #[must_use]
    pub fn timeout(&self) -> Duration {
        Duration::from_secs_f64(self.timeout_secs.max(0.001))
    }
}

/// Logging.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// A `tracing` filter such as `info` or `trm=debug,actix_web=info`;
    /// `RUST_LOG`, when set, wins.
    pub level: String,
    /// `text` for people, `json` for log pipelines.
    pub format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// What the command line says, above the file and the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--config FILE`: read this file (which must exist) instead of
    /// `TRM_CONFIG`'s or `./trm.toml`.
    pub config_file: Option<PathBuf>,
    /// `--host`: `server.host`.
    pub host: Option<String>,
    /// `--port`: `server.port`.
    pub port: Option<u16>,
}

/// Loads the settings from the process's environment and working directory.
///
/// # Errors
/// When `TRM_CONFIG` names a missing or malformed file, or a value has the
/// wrong type or is out of range; the message names the key.
pub fn load() -> anyhow::Result<Settings> {
    load_with(&std::env::vars().collect(), &Overrides::default())
}

/// [`load`] with an explicit set of environment variables, for tests.
///
/// # Errors
/// As for [`load`].
pub fn load_from(env: &HashMap<String, String>) -> anyhow::Result<Settings> {
    load_with(env, &Overrides::default())
}

/// [`load_from`], then the command line's `overrides` above everything.
///
/// # Errors
/// As for [`load`]; also when `--config` names a missing or malformed file.
pub fn load_with(env: &HashMap<String, String>, overrides: &Overrides) -> anyhow::Result<Settings> {
    let named = overrides.config_file.as_ref().map(|path| path.to_string_lossy().into_owned());
    let file = match named.as_ref().or_else(|| env.get("TRM_CONFIG")) {
        Some(path) => File::with_name(path).required(true),
        None => File::with_name("trm").required(false),
    };
    let trm_vars: config::Map<String, String> =
        env.iter().filter(|(name, _)| name.starts_with("TRM__")).map(|(k, v)| (k.clone(), v.clone())).collect();
    let environment = Environment::with_prefix("TRM")
        .prefix_separator("__")
        .separator("__")
        .try_parsing(true)
        .list_separator(",")
        .with_list_parse_key("cors.allowed_origins")
        .with_list_parse_key("webhooks.retry_schedule_secs")
        .source(Some(trm_vars));
    let builder = Config::builder()
        .set_default("server.host", "127.0.0.1")?
        .set_default("server.port", 8000)?
        .set_default("server.shutdown_timeout_secs", 30)?
        .set_default("server.keep_alive_secs", 5)?
        .set_default("database.url", "sqlite://data/trm.db")?
        .set_default("database.timeout_secs", 5.0)?
        .set_default("database.fetch_size", 500)?
        .set_default("database.lookup_queries", trm_repository::neo4j::DEFAULT_LOOKUP_QUERIES as u64)?
        .set_default("database.write_batch", trm_repository::DEFAULT_WRITE_BATCH as u64)?
        .set_default("log.level", "info")?
        .set_default("log.format", "text")?;
    let builder = trm_os_fallbacks(env)
        .into_iter()
        .try_fold(builder, |builder, (key, value)| builder.set_default(key, value.as_str()))?;
    let settings: Settings = builder
        .add_source(file)
        .add_source(environment)
        .set_override_option("server.host", overrides.host.clone())?
        .set_override_option("server.port", overrides.port.map(u64::from))?
        .build()
        .context("cannot read the configuration")?
        .try_deserialize()
        .context("invalid configuration")?;
    validate(&settings)?;
    Ok(settings)
}

/// TRM-OS's own variables (`NEO4J_URI`, `NEO4J_USER`, `NEO4J_PASSWORD`) as
/// the settings keys they stand in for; empty ones are ignored.
fn trm_os_fallbacks(env: &HashMap<String, String>) -> Vec<(&'static str, String)> {
    [("NEO4J_URI", "database.url"), ("NEO4J_USER", "database.user"), ("NEO4J_PASSWORD", "database.password")]
        .into_iter()
        .filter_map(|(variable, key)| {
            env.get(variable).filter(|value| !value.trim().is_empty()).map(|value| (key, value.clone()))
        })
        .collect()
}

/// One setting, as `--help` and `trm-server config` describe it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// `section.key`, as in `trm.toml`.
    pub key: &'static str,
    /// The built-in default, as the configuration writes it (a test checks
    /// it against what [`load_from`] gives with nothing configured), or
    /// what happens when it is unset.
    pub default: &'static str,
    /// What it does, in a line.
    pub meaning: &'static str,
    /// Whether `trm-server config` shows it only as `***`.
    pub secret: bool,
}

impl Setting {
    /// Its environment variable: `TRM__SECTION__KEY`.
    #[must_use]
    pub fn variable(&self) -> String {
        format!("TRM__{}", self.key.replace('.', "__").to_ascii_uppercase())
    }
}

/// Every setting, in the order of `trm.toml`'s sections.
pub const SETTINGS: &[Setting] = &[
    setting("server.host", "127.0.0.1", "address to bind (--host)"),
    setting("server.port", "8000", "port to bind; 0 picks a free one (--port)"),
    setting("server.workers", "(cores - 1, at least 1)", "HTTP worker threads"),
    setting("server.shutdown_timeout_secs", "30", "grace period for in-flight requests on SIGTERM/SIGINT"),
    setting("server.keep_alive_secs", "5", "idle keep-alive connection lifetime; 0 closes after each response"),
    setting("database.url", "sqlite://data/trm.db", "sqlite://PATH, sqlite::memory:, bolt://, neo4j://, neo4j+s://"),
    setting("database.user", "(unset: neo4j)", "Neo4j user (or NEO4J_USER)"),
    Setting { secret: true, ..setting("database.password", "(unset)", "Neo4j password (or NEO4J_PASSWORD)") },
    setting("database.timeout_secs", "5.0", "longest a store operation may take before a 503"),
    setting("database.pool_size", "(Neo4j 16, SQLite 2 x cores, 2-16)", "Neo4j connections / SQLite readers"),
    setting("database.fetch_size", "500", "rows Neo4j streams per round trip"),
    setting("database.lookup_queries", "2", "Neo4j: task lookups by id in flight at once; 0 sends each alone"),
    setting("database.write_batch", "64", "most concurrent writes committed in one transaction; 0 or 1: alone"),
    setting("log.level", "info", "a tracing filter; RUST_LOG wins when set"),
    setting("log.format", "text", "text or json"),
    setting("events.nats_url", "(unset)", "nats://HOST:4222: relay events between instances"),
    setting("events.subject", "trm.events", "the NATS subject the instances share"),
    setting("events.enabled", "true", "false: writes store no events (no stream, history or webhooks)"),
    setting("events.retention_days", "30", "days an event stays in the durable log"),
    setting("events.poll_interval_ms", "500", "longest wait before events written by other instances are read"),
    setting("auth.required", "(unset)", "unset: keys once one exists; true: always; false: allow open non-loopback"),
    setting("auth.public_docs", "true", "/docs, /openapi.json and /metrics stay open while keys are required"),
    setting("auth.cache_ttl_secs", "5.0", "seconds a verified key is trusted without asking the store"),
    setting("rate_limit.enabled", "(unset: on unless loopback)", "per-client rate limiting"),
    setting("rate_limit.per_minute", "600", "sustained requests per minute per client"),
    setting("rate_limit.burst", "100", "requests a client may make at once"),
    setting("cors.allowed_origins", "[]", "comma-separated browser origins allowed to call the API"),
    setting(
        "webhooks.retry_schedule_secs",
        "[5,30,120,600,3600,21600]",
        "comma-separated seconds between a failing delivery's attempts",
    ),
    setting("webhooks.allow_private_destinations", "false", "let webhooks call loopback and private addresses"),
    setting("webhooks.timeout_secs", "10.0", "seconds a receiver has to answer a delivery"),
    setting("webhooks.lease_secs", "60", "seconds before another instance takes over a killed one's webhooks"),
];

/// A setting that is not a secret.
const fn setting(key: &'static str, default: &'static str, meaning: &'static str) -> Setting {
    Setting { key, default, meaning, secret: false }
}

/// The settings table at the end of `--help`: every setting's variable,
/// default and meaning, and where settings come from.
#[must_use]
pub fn settings_help() -> String {
    let mut text = String::from(
        "Settings (lowest to highest precedence): built-in defaults, the file (--config FILE, else TRM_CONFIG, \
         else ./trm.toml if present; TOML sections as in the keys below), TRM__SECTION__KEY environment \
         variables, then --host/--port. NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD stand in for the database \
         defaults.\n\n",
    );
    let width = SETTINGS.iter().map(|setting| setting.variable().len()).max().unwrap_or(0);
    for setting in SETTINGS {
        let _ = writeln!(text, "  {:width$}  {}", setting.variable(), setting.meaning);
        let _ = writeln!(text, "  {:width$}    default: {}", "", setting.default);
    }
    text
}

/// The text that replaces a secret in `trm-server config`.
pub const REDACTED: &str = "***";

/// The effective settings as a `trm.toml` would write them, for
/// `trm-server config`: secrets ([`Setting::secret`]) and passwords in URLs
/// shown as [`REDACTED`]; unset settings as comments.
///
/// # Errors
/// Only if the settings cannot be represented (a bug).
pub fn effective_toml(settings: &Settings) -> anyhow::Result<String> {
    let values = serde_json::to_value(settings)?;
    let mut text = String::from("# The effective configuration: defaults, file, environment, command line.\n");
    let mut current_section = "";
    // In the order of SETTINGS, which a test keeps complete.
    for setting in SETTINGS {
        let Some((section, key)) = setting.key.split_once('.') else { continue };
        if section != current_section {
            let _ = write!(text, "\n[{section}]\n");
            current_section = section;
        }
        let value = match &values[section][key] {
            serde_json::Value::Null => {
                let _ = writeln!(text, "# {key} is unset");
                continue;
            }
            _ if setting.secret => serde_json::Value::from(REDACTED),
            serde_json::Value::String(url) => serde_json::Value::from(redact_url_password(url)),
            other => other.clone(),
        };
        // JSON's scalars and arrays of strings are TOML's too.
        let _ = writeln!(text, "{key} = {value}");
    }
    Ok(text)
}

/// `scheme://user:password@host…` with the password replaced by
/// [`REDACTED`]; any other text unchanged.
fn redact_url_password(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else { return text.to_owned() };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else { return text.to_owned() };
    let Some(colon) = rest[..at].find(':') else { return text.to_owned() };
    format!("{scheme}://{}:{REDACTED}{}", &rest[..colon], &rest[at..])
}

fn validate(settings: &Settings) -> anyhow::Result<()> {
    let database = &settings.database;
    anyhow::ensure!(
        database.timeout_secs.is_finite() && database.timeout_secs > 0.0,
        "invalid configuration: database.timeout_secs must be a positive number of seconds"
    );
    anyhow::ensure!(database.pool_size != Some(0), "invalid configuration: database.pool_size must be at least 1");
    anyhow::ensure!(database.fetch_size >= 1, "invalid configuration: database.fetch_size must be at least 1");
    anyhow::ensure!(
        settings.server.workers != Some(0),
        "invalid configuration: server.workers must be at least 1 when set"
    );
    StoreKind::from_url(&database.url).context("invalid configuration: database.url")?;
    anyhow::ensure!(
        settings.auth.cache_ttl_secs.is_finite() && (0.0..=3600.0).contains(&settings.auth.cache_ttl_secs),
        "invalid configuration: auth.cache_ttl_secs must be between 0 and 3600 seconds"
    );
    let rate_limit = &settings.rate_limit;
    anyhow::ensure!(rate_limit.per_minute >= 1, "invalid configuration: rate_limit.per_minute must be at least 1");
    anyhow::ensure!(rate_limit.burst >= 1, "invalid configuration: rate_limit.burst must be at least 1");
    trm_api::access::cors::AllowedOrigins::parse(&settings.cors.allowed_origins)
        .map_err(|error| anyhow::anyhow!("invalid configuration: cors.allowed_origins: {error}"))?;
    anyhow::ensure!(
        settings.events.retention_days >= 1,
        "invalid configuration: events.retention_days must be at least 1"
    );
    anyhow::ensure!(
        (10..=60_000).contains(&settings.events.poll_interval_ms),
        "invalid configuration: events.poll_interval_ms must be between 10 and 60000"
    );
    let webhooks = &settings.webhooks;
    anyhow::ensure!(
        webhooks.timeout_secs.is_finite() && (0.1..=60.0).contains(&webhooks.timeout_secs),
        "invalid configuration: webhooks.timeout_secs must be between 0.1 and 60 seconds"
    );
    anyhow::ensure!(
        webhooks.retry_schedule_secs.len() <= 20 && webhooks.retry_schedule_secs.iter().all(|secs| *secs <= 7 * 86_400),
        "invalid configuration: webhooks.retry_schedule_secs takes at most 20 delays of at most a week each"
    );
    anyhow::ensure!(
        (webhooks.lease_secs as f64) >= webhooks.timeout_secs + 3.0 && webhooks.lease_secs <= 3600,
        "invalid configuration: webhooks.lease_secs must exceed webhooks.timeout_secs by 3 s, and be at most 3600"
    );
    let subject = &settings.events.subject;
    anyhow::ensure!(
        !subject.is_empty()
            && !subject.contains(|c: char| c.is_whitespace() || c == '*' || c == '>')
            && subject.split('.').all(|token| !token.is_empty()),
        "invalid configuration: events.subject must be a NATS subject without wildcards, such as `trm.events`"
    );
    Ok(())
}

/// Which adapter a database URL selects, by its scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreKind {
    /// `sqlite://…` or `sqlite::memory:`: the embedded store.
    Sqlite(SqliteLocation),
    /// `bolt://`, `bolt+s://`, `neo4j://`, `neo4j+s://` (and `+ssc`): Neo4j.
    Neo4j,
}

impl StoreKind {
    /// Reads the scheme of a database URL.
    ///
    /// # Errors
    /// For a scheme no adapter speaks, or a SQLite URL without a path.
    pub fn from_url(url: &str) -> anyhow::Result<Self> {
        let scheme = url.split(':').next().unwrap_or_default().to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => SqliteLocation::from_url(url).map(Self::Sqlite).map_err(anyhow::Error::msg),
            "bolt" | "bolt+s" | "bolt+ssc" | "neo4j" | "neo4j+s" | "neo4j+ssc" => Ok(Self::Neo4j),
            _ => anyhow::bail!(
                "`{url}` has an unsupported scheme; use sqlite://PATH, sqlite::memory:, bolt://HOST:PORT or neo4j://HOST:PORT"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_with(vars: &[(&str, &str)]) -> anyhow::Result<Settings> {
        load_from(&vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
    }

    #[test]
    fn the_defaults_serve_the_embedded_store_on_loopback() {
        let settings = load_with(&[]).unwrap();
        assert_eq!(settings.server.host, "127.0.0.1");
        assert_eq!(settings.server.port, 8000);
        assert_eq!(settings.server.keep_alive_secs, 5, "actix-web's own default");
        assert_eq!(settings.database.url, "sqlite://data/trm.db");
        assert_eq!(settings.log.format, LogFormat::Text);
    }

    #[test]
    fn environment_variables_override_the_defaults() {
        let settings = load_with(&[
            ("TRM__SERVER__PORT", "9001"),
            ("TRM__DATABASE__URL", "sqlite::memory:"),
            ("TRM__LOG__FORMAT", "json"),
            ("TRM__SERVER__KEEP_ALIVE_SECS", "30"),
        ])
        .unwrap();
        assert_eq!(settings.server.port, 9001);
        assert_eq!(settings.server.keep_alive_secs, 30);
        assert_eq!(settings.database.url, "sqlite::memory:");
        assert_eq!(settings.log.format, LogFormat::Json);
    }

    #[test]
    fn unconfigured_pools_fit_the_store() {
        let settings = load_with(&[]).unwrap();
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        assert_eq!(settings.database.sqlite_readers(), (2 * cores).clamp(2, 16));
        assert_eq!(settings.database.neo4j_connections(), 16);
    }

    #[test]
    fn unconfigured_http_workers_leave_a_core_to_the_store() {
        let settings = load_with(&[]).unwrap();
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        assert_eq!(settings.server.http_workers(), (cores - 1).max(1));
        let configured = load_with(&[("TRM__SERVER__WORKERS", "3")]).unwrap();
        assert_eq!(configured.server.http_workers(), 3);
    }

    #[test]
    fn a_configured_pool_size_serves_either_store() {
        let settings = load_with(&[("TRM__DATABASE__POOL_SIZE", "7")]).unwrap();
        assert_eq!((settings.database.sqlite_readers(), settings.database.neo4j_connections()), (7, 7));
        let error = format!("{:#}", load_with(&[("TRM__DATABASE__POOL_SIZE", "0")]).unwrap_err());
        assert!(error.contains("database.pool_size"), "{error}");
    }

    #[test]
    fn a_bad_setting_stops_start_up_naming_it() {
        let error = format!("{:#}", load_with(&[("TRM__SERVER__PORT", "eighty")]).unwrap_err());
        assert!(error.contains("server.port"), "{error}");
        let error = format!("{:#}", load_with(&[("TRM__DATABASE__URL", "mysql://x")]).unwrap_err());
        assert!(error.contains("database.url"), "{error}");
        let error = format!("{:#}", load_with(&[("TRM__LOG__FORMAT", "xml")]).unwrap_err());
        assert!(error.contains("log.format") || error.contains("xml"), "{error}");
    }

    #[test]
    fn trm_os_neo4j_variables_fill_in_what_is_not_configured() {
        let settings = load_with(&[
            ("NEO4J_URI", "bolt://graph.internal:7687"),
            ("NEO4J_USER", "trm"),
            ("NEO4J_PASSWORD", "from-trm-os"),
        ])
        .unwrap();
        assert_eq!(settings.database.url, "bolt://graph.internal:7687");
        assert_eq!(settings.database.user.as_deref(), Some("trm"));
        assert_eq!(settings.database.password.as_deref(), Some("from-trm-os"));
    }

    #[test]
    fn explicit_database_settings_win_over_trm_os_neo4j_variables() {
        let settings = load_with(&[
            ("NEO4J_URI", "bolt://graph.internal:7687"),
            ("NEO4J_USER", "trm"),
            ("NEO4J_PASSWORD", "from-trm-os"),
            ("TRM__DATABASE__URL", "sqlite::memory:"),
            ("TRM__DATABASE__USER", "explicit"),
            ("TRM__DATABASE__PASSWORD", "explicit-password"),
        ])
        .unwrap();
        assert_eq!(settings.database.url, "sqlite::memory:");
        assert_eq!(settings.database.user.as_deref(), Some("explicit"));
        assert_eq!(settings.database.password.as_deref(), Some("explicit-password"));

        // Each variable falls back on its own: an explicit URL keeps the
        // TRM-OS password.
        let settings = load_with(&[
            ("NEO4J_URI", "bolt://graph.internal:7687"),
            ("NEO4J_PASSWORD", "from-trm-os"),
            ("TRM__DATABASE__URL", "bolt://explicit:7687"),
        ])
        .unwrap();
        assert_eq!(settings.database.url, "bolt://explicit:7687");
        assert_eq!(settings.database.password.as_deref(), Some("from-trm-os"));
        assert_eq!(settings.database.user, None);
    }

    #[test]
    fn a_blank_trm_os_variable_is_ignored() {
        let settings = load_with(&[("NEO4J_URI", "  ")]).unwrap();
        assert_eq!(settings.database.url, "sqlite://data/trm.db");
    }

    #[test]
    fn events_stay_in_process_unless_a_nats_url_is_configured() {
        let settings = load_with(&[]).unwrap();
        assert_eq!(settings.events, EventsSettings::default());
        assert_eq!(settings.events.nats_url(), None);
        assert_eq!(settings.events.subject, "trm.events");
        let blank = load_with(&[("TRM__EVENTS__NATS_URL", " ")]).unwrap();
        assert_eq!(blank.events.nats_url(), None, "a blank URL means no relay");
    }

    #[test]
    fn the_nats_relay_is_configured_from_the_environment() {
        let settings = load_with(&[
            ("TRM__EVENTS__NATS_URL", "nats://127.0.0.1:4222"),
            ("TRM__EVENTS__SUBJECT", "trm.staging.events"),
        ])
        .unwrap();
        assert_eq!(settings.events.nats_url(), Some("nats://127.0.0.1:4222"));
        assert_eq!(settings.events.subject, "trm.staging.events");
    }

    #[test]
    fn a_subject_with_wildcards_or_empty_tokens_is_rejected() {
        for subject in ["trm.*", "trm.>", "trm..events", "trm events", "."] {
            let error = format!("{:#}", load_with(&[("TRM__EVENTS__SUBJECT", subject)]).unwrap_err());
            assert!(error.contains("events.subject"), "{subject}: {error}");
        }
    }

    #[test]
    fn access_control_defaults_to_keys_when_they_exist_public_docs_and_closed_cors() {
        let settings = load_with(&[]).unwrap();
        assert_eq!(settings.auth, AuthSettings { required: None, public_docs: true, cache_ttl_secs: 5.0 });
        assert_eq!(settings.rate_limit.enabled, None);
        assert!(settings.cors.allowed_origins.is_empty());
    }

    #[test]
    fn an_explicit_false_is_told_apart_from_an_unset_requirement() {
        let off = load_with(&[("TRM__AUTH__REQUIRED", "false")]).unwrap();
        assert_eq!(off.auth.required, Some(false));
        let on = load_with(&[("TRM__AUTH__REQUIRED", "TRUE"), ("TRM__AUTH__PUBLIC_DOCS", "false")]).unwrap();
        assert_eq!(on.auth.required, Some(true));
        assert!(!on.auth.public_docs);
    }

    #[test]
    fn rate_limits_and_cors_origins_come_from_the_environment() {
        let settings = load_with(&[
            ("TRM__RATE_LIMIT__ENABLED", "true"),
            ("TRM__RATE_LIMIT__PER_MINUTE", "120"),
            ("TRM__RATE_LIMIT__BURST", "10"),
            ("TRM__CORS__ALLOWED_ORIGINS", "https://app.example.com,http://localhost:3000"),
        ])
        .unwrap();
        assert_eq!(settings.rate_limit, RateLimitSettings { enabled: Some(true), per_minute: 120, burst: 10 });
        assert_eq!(settings.cors.allowed_origins, ["https://app.example.com", "http://localhost:3000"]);
        let one = load_with(&[("TRM__CORS__ALLOWED_ORIGINS", "https://app.example.com")]).unwrap();
        assert_eq!(one.cors.allowed_origins, ["https://app.example.com"]);
    }

    #[test]
    fn a_bad_rate_limit_or_origin_stops_start_up_naming_it() {
        let error = format!("{:#}", load_with(&[("TRM__RATE_LIMIT__BURST", "0")]).unwrap_err());
        assert!(error.contains("rate_limit.burst"), "{error}");
        let error = format!("{:#}", load_with(&[("TRM__CORS__ALLOWED_ORIGINS", "*")]).unwrap_err());
        assert!(error.contains("cors.allowed_origins"), "{error}");
    }

    fn load_overridden(vars: &[(&str, &str)], overrides: &Overrides) -> anyhow::Result<Settings> {
        super::load_with(&vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(), overrides)
    }

    /// A configuration file in a directory of its own, removed on drop.
    struct TempFile(PathBuf);

    impl TempFile {
        fn new(text: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("trm-config-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join("trm.toml");
            std::fs::write(&path, text).unwrap();
            Self(path)
        }
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            if let Some(dir) = self.0.parent() {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    }

    #[test]
    fn a_flag_beats_the_environment_which_beats_the_file_which_beats_the_default() {
        let file = TempFile::new("[server]\nhost = \"10.0.0.1\"\nport = 7000\nkeep_alive_secs = 9\n");
        let from_file = Overrides { config_file: Some(file.0.clone()), ..Overrides::default() };
        let settings = load_overridden(&[], &from_file).unwrap();
        assert_eq!((settings.server.host.as_str(), settings.server.port), ("10.0.0.1", 7000));
        assert_eq!(settings.server.shutdown_timeout_secs, 30, "the default, where the file says nothing");

        let env = [("TRM__SERVER__PORT", "7001"), ("TRM__SERVER__HOST", "10.0.0.2")];
        let settings = load_overridden(&env, &from_file).unwrap();
        assert_eq!((settings.server.host.as_str(), settings.server.port), ("10.0.0.2", 7001));
        assert_eq!(settings.server.keep_alive_secs, 9, "the file, where the environment says nothing");

        let flags = Overrides { port: Some(7002), ..from_file.clone() };
        let settings = load_overridden(&env, &flags).unwrap();
        assert_eq!((settings.server.host.as_str(), settings.server.port), ("10.0.0.2", 7002));
        let flags = Overrides { host: Some("10.0.0.3".to_owned()), ..flags };
        assert_eq!(load_overridden(&env, &flags).unwrap().server.host, "10.0.0.3");
    }

    #[test]
    fn the_config_flag_wins_over_trm_config_and_must_exist() {
        let file = TempFile::new("[server]\nport = 7100\n");
        let flags = Overrides { config_file: Some(file.0.clone()), ..Overrides::default() };
        let settings = load_overridden(&[("TRM_CONFIG", "/nonexistent/trm.toml")], &flags).unwrap();
        assert_eq!(settings.server.port, 7100);
        let missing = Overrides { config_file: Some(PathBuf::from("/nonexistent/flag.toml")), ..Overrides::default() };
        let error = format!("{:#}", load_overridden(&[], &missing).unwrap_err());
        assert!(error.contains("flag.toml"), "{error}");
    }

    #[test]
    fn the_settings_table_names_every_setting_once_with_its_real_default() {
        let defaults = serde_json::to_value(load_with(&[]).unwrap()).unwrap();
        let mut keys: Vec<String> = Vec::new();
        for (section, fields) in defaults.as_object().unwrap() {
            for (key, value) in fields.as_object().unwrap() {
                let key = format!("{section}.{key}");
                let setting = SETTINGS.iter().find(|setting| setting.key == key);
                let setting = setting.unwrap_or_else(|| panic!("{key} is missing from SETTINGS"));
                let shown = match value {
                    serde_json::Value::Null => None,
                    serde_json::Value::String(text) => Some(text.clone()),
                    other => Some(other.to_string()),
                };
                if let Some(shown) = shown {
                    assert_eq!(setting.default, shown, "{key}");
                } else {
                    assert!(setting.default.starts_with('('), "{key} is unset by default: {}", setting.default);
                }
                keys.push(key);
            }
        }
        assert_eq!(keys.len(), SETTINGS.len(), "SETTINGS lists a setting Settings does not have");
        assert_eq!(SETTINGS.iter().find(|s| s.key == "server.port").unwrap().variable(), "TRM__SERVER__PORT");
        let help = settings_help();
        assert!(help.contains("TRM__RATE_LIMIT__PER_MINUTE") && help.contains("default: 600"), "{help}");
    }

    #[test]
    fn the_effective_configuration_redacts_the_password_and_passwords_in_urls() {
        let settings = load_with(&[
            ("TRM__DATABASE__URL", "bolt://graph.internal:7687"),
            ("TRM__DATABASE__PASSWORD", "hunter2"),
            ("TRM__EVENTS__NATS_URL", "nats://relay:s3cret@nats.internal:4222"),
            ("TRM__CORS__ALLOWED_ORIGINS", "https://app.example.com"),
        ])
        .unwrap();

        let text = effective_toml(&settings).unwrap();

        assert!(!text.contains("hunter2") && !text.contains("s3cret"), "{text}");
        assert!(text.contains("password = \"***\""), "{text}");
        assert!(text.contains("nats_url = \"nats://relay:***@nats.internal:4222\""), "{text}");
        assert!(text.contains("url = \"bolt://graph.internal:7687\""), "{text}");
        assert!(text.contains("allowed_origins = [\"https://app.example.com\"]"), "{text}");
        assert!(text.contains("[server]\nhost = \"127.0.0.1\"\nport = 8000\n"), "{text}");
        assert!(text.contains("# workers is unset"), "{text}");
    }

    #[test]
    fn the_effective_configuration_reads_back_as_the_same_settings() {
        let settings = load_with(&[("TRM__SERVER__PORT", "9100"), ("TRM__LOG__FORMAT", "json")]).unwrap();
        let file = TempFile::new(&effective_toml(&settings).unwrap());
        let again = load_with(&[("TRM_CONFIG", file.0.to_str().unwrap())]).unwrap();
        assert_eq!(serde_json::to_value(again).unwrap(), serde_json::to_value(settings).unwrap());
    }

    #[test]
    fn a_url_without_a_password_is_shown_as_it_is() {
        assert_eq!(redact_url_password("sqlite://data/trm.db"), "sqlite://data/trm.db");
        assert_eq!(redact_url_password("nats://nats:4222"), "nats://nats:4222");
        assert_eq!(redact_url_password("nats://token@nats:4222"), "nats://token@nats:4222");
        assert_eq!(redact_url_password("neo4j+s://u:p@x.io/db?a=b@c"), "neo4j+s://u:***@x.io/db?a=b@c");
    }

    #[test]
    fn a_named_config_file_must_exist() {
        let error = format!("{:#}", load_with(&[("TRM_CONFIG", "/nonexistent/trm.toml")]).unwrap_err());
        assert!(error.contains("trm.toml"), "{error}");
    }
}
