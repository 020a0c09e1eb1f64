//! `trm-server`: serves the TRM task API, or (`trm-server keys …`) manages
//! its API keys. Configuration: see the README.

use clap::Parser as _;
use trm_server::cli::{Cli, Command};
use trm_server::{Application, configuration, keys, telemetry};

/// The server allocates and frees small buffers on every request (rows, maps,
/// JSON); glibc's allocator spent ~11% of the server's CPU on them under
/// load. jemalloc serves the same work faster (+3–8% requests/s on Neo4j
/// gets at 16 connections) within the memory target (58–59 MiB peak on
/// SQLite at 256 connections, against 52–55): `docs/benchmarks.md`. Only
/// the binary chooses; programs embedding the crates keep their own.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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
