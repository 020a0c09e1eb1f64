//! Every setting described once ([`SETTINGS`]): the table at the end of
//! `trm-server --help` ([`settings_help`]) and the effective configuration
//! that `trm-server config` prints, secrets redacted ([`effective_toml`]).

use std::fmt::Write as _;

use super::Settings;

/// One setting, as `--help` and `trm-server config` describe it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// `section.key`, as in `trm.toml`.
    pub key: &'static str,
    /// The built-in default, as the configuration writes it (a test checks
    /// it against what [`load_from`](super::load_from) gives with nothing
    /// configured), or what happens when it is unset.
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
    setting("database.read_from", "writer", "neo4j:// cluster: reads from the writer, or readers in turn"),
    setting("database.walk_cache_mib", "32", "Neo4j: MiB of tasks kept between graph walks; 0: none"),
    setting("log.level", "info", "a tracing filter; RUST_LOG wins when set"),
    setting("log.format", "text", "text or json"),
    setting("events.nats_url", "(unset)", "nats://HOST:4222: relay events between instances"),
    setting("events.subject", "trm.events", "the NATS subject the instances share"),
    setting("events.enabled", "true", "false: writes store no events (no stream, history or webhooks)"),
    setting(
        "events.retention_days",
        "30",
        "days an event stays in the durable log, and a succeeded webhook delivery in its log",
    ),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::configuration::tests::{TempFile, load_with};

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
}
