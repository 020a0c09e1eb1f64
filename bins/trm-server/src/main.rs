//! `trm-server`: serves the TRM task API, or (`trm-server keys …`) manages
//! its API keys. Configuration: see the README.

use clap::Parser as _;
use trm_server::cli::{Cli, Command};
use trm_server::{Application, configuration, keys, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = configuration::load()?;
    telemetry::init(&settings.log)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => Application::build(&settings).await?.run_until_stopped().await?,
        Command::Keys(command) => {
            // Unlocked handles: the log subscriber writes to stderr from other threads.
            keys::run(command, &settings, &mut std::io::stdout(), &mut std::io::stderr()).await?;
        }
    }
    Ok(())
}
