//! The loading as a whole: the layers' precedence (defaults, file,
//! environment, flags), the TRM-OS fallbacks, and errors that name the key.
//! Also the helpers the sections' own tests share.

use super::*;

pub(super) fn load_with(vars: &[(&str, &str)]) -> anyhow::Result<Settings> {
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

fn load_overridden(vars: &[(&str, &str)], overrides: &Overrides) -> anyhow::Result<Settings> {
    super::load_with(&vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(), overrides)
}

/// A configuration file in a directory of its own, removed on drop.
pub(super) struct TempFile(pub(super) PathBuf);

impl TempFile {
    pub(super) fn new(text: &str) -> Self {
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
fn a_named_config_file_must_exist() {
    let error = format!("{:#}", load_with(&[("TRM_CONFIG", "/nonexistent/trm.toml")]).unwrap_err());
    assert!(error.contains("trm.toml"), "{error}");
}
