//! The command line: `trm-server` serves; `trm-server keys …` manages API
//! keys in the store the configuration names (the same settings, files and
//! `TRM__…` variables as the server).

use clap::{Parser, Subcommand};
use trm_domain::{KeyName, KeyScope};

/// The TRM task API server.
#[derive(Debug, Parser)]
#[command(name = "trm-server", version, about = "Serves the TRM task API; `keys` manages its API keys.")]
pub struct Cli {
    /// What to do; serving when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (what `trm-server` alone does).
    Serve,
    /// Create, list and revoke API keys.
    #[command(subcommand)]
    Keys(KeysCommand),
}

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
    List,
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

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("trm-server").chain(args.iter().copied()))
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn no_arguments_means_serve() {
        assert!(parse(&[]).unwrap().command.is_none());
        assert!(matches!(parse(&["serve"]).unwrap().command, Some(Command::Serve)));
    }

    #[test]
    fn keys_create_takes_a_name_and_a_scope() {
        let cli = parse(&["keys", "create", "--name", "ci", "--scope", "write"]).unwrap();
        let expected = KeysCommand::Create { name: KeyName::parse("ci").unwrap(), scope: KeyScope::Write };
        assert!(matches!(cli.command, Some(Command::Keys(command)) if command == expected));
    }

    #[test]
    fn a_bad_scope_or_name_or_a_missing_argument_is_refused() {
        assert!(parse(&["keys", "create", "--name", "ci", "--scope", "admin"]).is_err());
        assert!(parse(&["keys", "create", "--name", "has space", "--scope", "read"]).is_err());
        assert!(parse(&["keys", "create", "--name", "ci"]).is_err());
        assert!(parse(&["keys", "revoke"]).is_err());
    }
}
