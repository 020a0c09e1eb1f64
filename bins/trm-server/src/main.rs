//! `trm-server`: serves the TRM task API. Configuration: see the README.

use trm_server::{Application, configuration, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = configuration::load()?;
    telemetry::init(&settings.log)?;
    let application = Application::build(&settings).await?;
    application.run_until_stopped().await?;
    Ok(())
}
