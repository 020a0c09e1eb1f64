//! The command line: `trm-server` (or `trm-server serve`) serves;
//! `trm-server config` prints the effective configuration;
//! `trm-server keys …` manages API keys in the store the configuration
//! names (the same settings, files and `TRM__…` variables as the server);
//! `trm-server completions SHELL` prints a shell completion script.
//!
//! `--config`, `--host` and `--port` are accepted before or after any
//! subcommand and override the configuration file and the environment
//! ([`crate::configuration::Overrides`]). `--help` ends with every setting,
//! its variable and its default, generated from
//! [`crate::configuration::SETTINGS`].

use std::io::Write as _;
use std::path::PathBuf;

use clap::{Args, CommandFactory as _, Parser, Subcommand};

use crate::configuration::{Overrides, settings_help};
use crate::keys::KeysCommand;

/// The TRM task API server.
#[derive(Debug, Parser)]
#[command(
    name = "trm-server",
    version,
    about = "Serves the TRM task API; `config` shows its configuration, `keys` manages its API keys.",
    after_help = settings_help(),
    subcommand_value_name = "COMMAND"
)]
pub struct Cli {
    /// Settings given on the command line, which win over all others.
    #[command(flatten)]
    pub overrides: OverrideArgs,
    /// What to do; serving when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// The subcommand, `serve` when none was given.
    #[must_use]
    pub fn command_or_serve(&self) -> Command {
        self.command.clone().unwrap_or(Command::Serve)
    }
}

/// The settings the command line may override: a configuration file, and
/// the address to serve on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct OverrideArgs {
    /// The configuration file (TOML), instead of `TRM_CONFIG` or `./trm.toml`;
    /// it must exist.
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// The address to bind (`server.host`), over `TRM__SERVER__HOST` and the file.
    #[arg(long, value_name = "HOST", global = true)]
    pub host: Option<String>,
    /// The port to bind (`server.port`; 0 picks a free one), over
    /// `TRM__SERVER__PORT` and the file.
    #[arg(long, value_name = "PORT", global = true)]
    pub port: Option<u16>,
}

impl From<OverrideArgs> for Overrides {
    fn from(args: OverrideArgs) -> Self {
        Self { config_file: args.config, host: args.host, port: args.port }
    }
}

/// The subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Serve the API (what `trm-server` alone does).
    #[command(after_help = settings_help())]
    Serve,
    /// Print the effective configuration as TOML — defaults, file,
    /// environment and flags applied — with secrets shown as `***`.
    Config,
    /// Create, list and revoke API keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Print a completion script for a shell
    /// (`trm-server completions bash > /etc/bash_completion.d/trm-server`).
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

/// Does what the command line says: serves, prints the configuration or
/// a completion script, or runs a `keys` command. Settings are read (and
/// logging set up) only by the commands that need them, so `completions`
/// works without a valid configuration.
///
/// # Errors
/// A bad configuration, a server that cannot start or stops with an
/// error, a failed `keys` command, or output that cannot be written.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command_or_serve();
    if let Command::Completions { shell } = command {
        clap_complete::generate(shell, &mut Cli::command(), "trm-server", &mut std::io::stdout().lock());
        return Ok(());
    }
    let environment = std::env::vars().collect();
    let settings = crate::configuration::load_with(&environment, &cli.overrides.into())?;
    match command {
        Command::Config => {
            std::io::stdout().lock().write_all(crate::configuration::effective_toml(&settings)?.as_bytes())?;
        }
        Command::Serve => {
            crate::telemetry::init(&settings.log)?;
            crate::Application::build(&settings).await?.run_until_stopped().await?;
        }
        Command::Keys(command) => {
            crate::telemetry::init(&settings.log)?;
            // Unlocked handles: the log subscriber writes to stderr from other threads.
            crate::keys::run(command, &settings, &mut std::io::stdout(), &mut std::io::stderr()).await?;
        }
        Command::Completions { .. } => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use trm_domain::{KeyName, KeyScope};

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
        assert!(matches!(parse(&[]).unwrap().command_or_serve(), Command::Serve));
        assert!(matches!(parse(&["serve"]).unwrap().command, Some(Command::Serve)));
    }

    #[test]
    fn serve_takes_a_host_a_port_and_a_config_file_before_or_after_the_subcommand() {
        let after = parse(&["serve", "--host", "0.0.0.0", "--port", "9000", "--config", "prod.toml"]).unwrap();
        let expected = OverrideArgs {
            config: Some(PathBuf::from("prod.toml")),
            host: Some("0.0.0.0".to_owned()),
            port: Some(9000),
        };
        assert_eq!(after.overrides, expected);
        let before = parse(&["--host", "0.0.0.0", "--port", "9000", "--config", "prod.toml", "serve"]).unwrap();
        assert_eq!(before.overrides, expected);
        let bare = parse(&["--port", "9000"]).unwrap();
        assert!(bare.command.is_none() && bare.overrides.port == Some(9000));
        assert!(parse(&["serve", "--port", "eighty"]).is_err());
        assert!(parse(&["serve", "--port", "70000"]).is_err());
    }

    #[test]
    fn config_keys_list_json_and_completions_parse() {
        assert!(matches!(parse(&["config", "--port", "1"]).unwrap().command, Some(Command::Config)));
        let list = parse(&["keys", "list", "--json"]).unwrap();
        assert!(matches!(list.command, Some(Command::Keys(KeysCommand::List { json: true }))));
        let completions = parse(&["completions", "bash"]).unwrap();
        assert!(matches!(completions.command, Some(Command::Completions { shell: clap_complete::Shell::Bash })));
        assert!(parse(&["completions", "tcsh"]).is_err());
    }

    #[test]
    fn the_help_lists_every_setting_with_its_variable_and_default() {
        let help = Cli::command().render_long_help().to_string();
        for setting in crate::configuration::SETTINGS {
            assert!(help.contains(&setting.variable()), "{} in {help}", setting.variable());
        }
        assert!(help.contains("TRM__SERVER__PORT") && help.contains("8000"), "{help}");
        let mut command = Cli::command();
        let serve = command.find_subcommand_mut("serve").unwrap().render_long_help().to_string();
        assert!(serve.contains("TRM__DATABASE__URL") && serve.contains("--port"), "{serve}");
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
