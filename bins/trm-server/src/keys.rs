//! `trm-server keys create|list|revoke`: the operator's side of API keys.
//!
//! Each command opens the store the configuration names — the very store a
//! running server uses, SQLite file or Neo4j — and goes through the same
//! [`ApiKeyService`] as the server, without its cache (each command is
//! one short process). A running server notices a new or revoked key
//! within its cache lifetime ([`trm_service::DEFAULT_CACHE_TTL`]).
//!
//! `create` writes the key alone on standard output (so scripts can capture
//! it) and what it is to standard error; nothing else ever shows a key.

use std::io::Write;
use std::time::Duration;

use anyhow::Context as _;
use clap::Subcommand;
use trm_domain::{ApiKey, KeyName, KeyScope};
use trm_service::{AccessUseCases, ApiKeyService, key_selector};

use crate::configuration::Settings;
use crate::store;

/// `trm-server keys …`.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum KeysCommand {
    /// Create a key and print it — the only time it is shown.
    Create {
        /// A name to tell the key by: 1–64 letters, digits, `_`, `.`, `-`.
        #[arg(long, value_parser = parse_name)]
        name: KeyName,
        /// `read` (GET only) or `write` (everything).
        #[arg(long, value_parser = parse_scope)]
        scope: KeyScope,
    },
    /// List every key (never their secrets), revoked ones included.
    List {
        /// A JSON array (`id`, `name`, `scope`, `created_at`, `revoked_at`)
        /// instead of the table, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key, by id or by the name of an active key.
    Revoke {
        /// The key's id (from `keys list`) or name.
        id_or_name: String,
    },
}

fn parse_name(text: &str) -> Result<KeyName, String> {
    KeyName::parse(text).map_err(|error| error.to_string())
}

fn parse_scope(text: &str) -> Result<KeyScope, String> {
    text.parse().map_err(|error: trm_domain::AccessError| error.to_string())
}

/// Runs one `keys` command against the configured store, writing its
/// answer to `out` and notes for the operator to `notes`.
///
/// # Errors
/// When the store cannot be opened or answers with an error (a taken name,
/// no such active key, the store down), or the output cannot be written.
pub async fn run(
    command: KeysCommand,
    settings: &Settings,
    out: &mut impl Write,
    notes: &mut impl Write,
) -> anyhow::Result<()> {
    let store = store::open(&settings.database).await?;
    let keys = ApiKeyService::new(store.api_keys).with_cache_ttl(Duration::ZERO);
    execute(command, &keys, out, notes).await
}

/// [`run`] over any key use cases.
///
/// # Errors
/// As for [`run`].
pub async fn execute(
    command: KeysCommand,
    keys: &dyn AccessUseCases,
    out: &mut impl Write,
    notes: &mut impl Write,
) -> anyhow::Result<()> {
    match command {
        KeysCommand::Create { name, scope } => {
            let issued =
                keys.issue_key(name.clone(), scope).await.with_context(|| format!("cannot create the key `{name}`"))?;
            writeln!(out, "{}", issued.secret.expose())?;
            writeln!(
                notes,
                "Created API key `{}` (id {}, scope {}). This is the only time the key is shown: store it now.",
                issued.key.name, issued.key.id, issued.key.scope
            )?;
        }
        KeysCommand::List { json } => {
            let listed = keys.list_keys().await.context("cannot list the keys")?;
            if json {
                write_json(out, &listed)?;
            } else {
                write_table(out, &listed)?;
            }
        }
        KeysCommand::Revoke { id_or_name } => {
            let which = key_selector(&id_or_name)
                .with_context(|| format!("`{id_or_name}` is neither a key id nor a key name"))?;
            let revoked = keys.revoke_key(which).await.with_context(|| format!("cannot revoke `{id_or_name}`"))?;
            writeln!(out, "Revoked API key `{}` (id {}).", revoked.name, revoked.id)?;
        }
    }
    Ok(())
}

/// A JSON array of the keys, one object each (`id`, `name`, `scope`,
/// `created_at`, `revoked_at`: `null` while active), for scripts: the
/// table's columns, without parsing tabs.
fn write_json(out: &mut impl Write, keys: &[ApiKey]) -> anyhow::Result<()> {
    let listed: Vec<serde_json::Value> = keys
        .iter()
        .map(|key| {
            serde_json::json!({
                "id": key.id.to_string(),
                "name": key.name.to_string(),
                "scope": key.scope.to_string(),
                "created_at": key.created_at,
                "revoked_at": key.revoked_at,
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &listed)?;
    writeln!(out)?;
    Ok(())
}

/// One line per key under a header, columns separated by tabs.
fn write_table(out: &mut impl Write, keys: &[ApiKey]) -> std::io::Result<()> {
    writeln!(out, "ID\tNAME\tSCOPE\tCREATED\tREVOKED")?;
    for key in keys {
        let revoked = key.revoked_at.map_or_else(|| "-".to_owned(), |at| at.to_string());
        writeln!(out, "{}\t{}\t{}\t{}\t{revoked}", key.id, key.name, key.scope, key.created_at)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use trm_domain::{KeyName, KeyScope};

    use trm_repository::sqlite::SqliteStore;

    use super::*;

    async fn in_memory() -> ApiKeyService {
        ApiKeyService::new(Arc::new(SqliteStore::in_memory().await.unwrap())).with_cache_ttl(Duration::ZERO)
    }

    async fn run_on(keys: &ApiKeyService, command: KeysCommand) -> anyhow::Result<(String, String)> {
        let (mut out, mut notes) = (Vec::new(), Vec::new());
        execute(command, keys, &mut out, &mut notes).await?;
        Ok((String::from_utf8(out).unwrap(), String::from_utf8(notes).unwrap()))
    }

    fn create(name: &str, scope: KeyScope) -> KeysCommand {
        KeysCommand::Create { name: KeyName::parse(name).unwrap(), scope }
    }

    #[tokio::test]
    async fn create_prints_the_key_alone_and_list_never_shows_it() {
        let keys = in_memory().await;
        let (out, notes) = run_on(&keys, create("ci", KeyScope::Write)).await.unwrap();
        let secret = out.trim();
        assert!(secret.starts_with("trm_") && out.lines().count() == 1, "{out}");
        assert!(notes.contains("`ci`") && notes.contains("only time"), "{notes}");
        assert!(keys.authenticate(secret).await.unwrap().is_some());

        let (table, _) = run_on(&keys, KeysCommand::List { json: false }).await.unwrap();
        assert!(table.starts_with("ID\tNAME\tSCOPE"), "{table}");
        assert!(table.contains("\tci\twrite\t") && !table.contains(&secret[4..]), "{table}");
    }

    #[tokio::test]
    async fn list_json_is_an_array_of_keys_without_their_secrets() {
        let keys = in_memory().await;
        let (secret, _) = run_on(&keys, create("ci", KeyScope::Write)).await.unwrap();
        run_on(&keys, create("old", KeyScope::Read)).await.unwrap();
        run_on(&keys, KeysCommand::Revoke { id_or_name: "old".into() }).await.unwrap();

        let (out, _) = run_on(&keys, KeysCommand::List { json: true }).await.unwrap();

        let listed: serde_json::Value = serde_json::from_str(&out).unwrap();
        let listed = listed.as_array().unwrap();
        assert_eq!(listed.len(), 2, "{out}");
        let ci = listed.iter().find(|key| key["name"] == "ci").unwrap();
        assert_eq!(ci["scope"], "write");
        assert!(ci["revoked_at"].is_null() && ci["created_at"].as_str().unwrap().ends_with('Z'), "{ci}");
        assert!(uuid::Uuid::parse_str(ci["id"].as_str().unwrap()).is_ok(), "{ci}");
        let old = listed.iter().find(|key| key["name"] == "old").unwrap();
        assert!(old["revoked_at"].is_string(), "{old}");
        assert!(!out.contains(&secret.trim()[4..]), "{out}");
    }

    #[tokio::test]
    async fn revoke_takes_a_name_or_an_id_and_the_key_stops_working() {
        let keys = in_memory().await;
        let (by_name, _) = run_on(&keys, create("by-name", KeyScope::Read)).await.unwrap();
        let (by_id, _) = run_on(&keys, create("by-id", KeyScope::Read)).await.unwrap();
        let id = keys.authenticate(by_id.trim()).await.unwrap().unwrap().id;

        let (answer, _) = run_on(&keys, KeysCommand::Revoke { id_or_name: "by-name".into() }).await.unwrap();
        assert!(answer.contains("Revoked API key `by-name`"), "{answer}");
        run_on(&keys, KeysCommand::Revoke { id_or_name: id.to_string() }).await.unwrap();
        assert_eq!(keys.authenticate(by_name.trim()).await.unwrap(), None);
        assert_eq!(keys.authenticate(by_id.trim()).await.unwrap(), None);
        let (table, _) = run_on(&keys, KeysCommand::List { json: false }).await.unwrap();
        assert_eq!(table.lines().filter(|line| !line.ends_with("\t-")).count(), 3, "both revoked: {table}");
    }

    #[tokio::test]
    async fn a_taken_name_or_an_unknown_key_is_an_error_that_says_so() {
        let keys = in_memory().await;
        run_on(&keys, create("ci", KeyScope::Read)).await.unwrap();
        let error = format!("{:#}", run_on(&keys, create("ci", KeyScope::Write)).await.unwrap_err());
        assert!(error.contains("ci") && error.contains("taken"), "{error}");
        let error =
            format!("{:#}", run_on(&keys, KeysCommand::Revoke { id_or_name: "nobody".into() }).await.unwrap_err());
        assert!(error.contains("nobody") && error.contains("not found"), "{error}");
        let error =
            format!("{:#}", run_on(&keys, KeysCommand::Revoke { id_or_name: "not a name".into() }).await.unwrap_err());
        assert!(error.contains("neither"), "{error}");
    }
}
