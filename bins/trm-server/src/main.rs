//! `trm-server`: serves the TRM task API, prints its configuration
//! (`config`), manages its API keys (`keys …`) or prints a shell
//! completion script (`completions SHELL`): see `trm-server --help`, and
//! the README for the configuration.

use clap::Parser as _;
use trm_server::cli::Cli;

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
    trm_server::cli::run(Cli::parse()).await
}
