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
//!
//! One file per section: `server.rs` ([`ServerSettings`]), `database.rs`
//! ([`DatabaseSettings`], and the [`StoreKind`] its URL selects),
//! `logging.rs` ([`LogSettings`]), `events.rs` ([`EventsSettings`]),
//! `access.rs` ([`AuthSettings`], [`RateLimitSettings`], [`CorsSettings`])
//! and `webhooks.rs` ([`WebhooksSettings`]); `table.rs` describes every
//! setting ([`SETTINGS`]). This file holds [`Settings`] and its loading: the
//! layers, the TRM-OS fallbacks and the checks across sections.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Context as _;
use config::{Config, Environment, File};
use serde::{Deserialize, Serialize};

mod access;
mod database;
mod events;
mod logging;
mod server;
mod table;
mod webhooks;

#[cfg(test)]
mod tests;

pub use access::{AuthSettings, CorsSettings, RateLimitSettings};
pub use database::{DatabaseSettings, StoreKind};
pub use events::EventsSettings;
pub use logging::{LogFormat, LogSettings};
pub use server::ServerSettings;
pub use table::{REDACTED, SETTINGS, Setting, effective_toml, settings_help};
pub use webhooks::WebhooksSettings;

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
        .set_default("database.read_from", "writer")?
        .set_default("database.walk_cache_mib", (trm_repository::neo4j::DEFAULT_WALK_CACHE_BYTES >> 20) as u64)?
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
    database.read_from()?;
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
