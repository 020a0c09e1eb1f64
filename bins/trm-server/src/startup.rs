//! Building and running the application: the one place the layers meet.
//!
//! The store is opened once; its ports go to the services (tasks and
//! projects through their repositories, readiness through its health
//! check), and the services go to the API's state, shared by every worker.
//!
//! Access control (API keys, rate limits, CORS) is built from the settings
//! by [`crate::access`], which also refuses to serve an open API on a
//! network address.
//!
//! Events are stored by the writes themselves, in the store's durable log.
//! A [`LogRelay`] tails that log into the in-process [`EventBus`] the SSE
//! stream reads, woken by this instance's writes, by the other instances
//! through NATS when `events.nats_url` is configured ([`NatsRelay`], see
//! [`crate::nats`]), and at least every `events.poll_interval_ms`. A
//! background task prunes events older than `events.retention_days`.
//!
//! Metrics: one registry per application, created here. The store's ports
//! are wrapped in the metrics decorator (registering the store's operation
//! and pool metrics), the API adds its HTTP metrics, and `/metrics` serves
//! them all.
//!
//! Shutdown is ours, not actix's: on SIGTERM or SIGINT the event bus is
//! closed first — an SSE stream never ends by itself, and actix waits for
//! every open connection — then actix stops gracefully (listener closed,
//! requests in flight finish within `server.shutdown_timeout_secs`).

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::HttpServer;
use actix_web::dev::Server;
use anyhow::Context as _;
use prometheus_client::registry::Registry;
use trm_api::AppState;
use trm_api::metrics::Metrics;
use trm_domain::Timestamp;
use trm_service::webhooks::ResolvingDestinations;
use trm_service::webhooks::dispatcher::{Dispatcher, DispatcherPorts, DispatcherSettings};
use trm_service::{
    ApiKeyService, EventBus, EventHistoryService, EventPublisher, EventUseCases, HealthService, IdempotencyService,
    LogRelay, OverviewService, ProjectService, TaskService, UserService, WebhookService, WebhookUseCases,
};

use crate::configuration::{EventsSettings, Settings};
use crate::nats::NatsRelay;
use crate::store;

/// The readiness deadline: [`HealthService::DEFAULT_TIMEOUT`], or the
/// store's own operation timeout when that is shorter, so `/readyz` never
/// waits longer for a ping than a request would wait for the store.
fn readiness_timeout(settings: &Settings) -> Duration {
    HealthService::DEFAULT_TIMEOUT.min(settings.database.timeout())
}

/// How long a retry racing the first request with its `Idempotency-Key`
/// waits for that request's answer: as long as the first may take — its
/// create and the bookkeeping around it, each bounded by the store timeout —
/// so the retry gets the first response rather than "still in progress"
/// when the store is merely slow.
fn idempotency_wait(settings: &Settings) -> Duration {
    IdempotencyService::DEFAULT_WAIT.max(settings.database.timeout() * 2)
}

/// The commit this binary was built from (`git rev-parse --short HEAD`, or
/// `TRM_BUILD_COMMIT` at build time; `unknown` without either), for the
/// `trm_build_info` metric. Set by `build.rs`.
pub const BUILD_COMMIT: &str = env!("TRM_BUILD_COMMIT");

/// Events buffered for each SSE client that falls behind before it
/// catches up from the log.
const EVENT_CHANNEL_CAPACITY: usize = 1024;

/// How often the retention task looks for expired events.
const PRUNE_EVERY: Duration = Duration::from_secs(60 * 60);

/// Whom the services tell about committed events: the log relay, through a
/// NATS relay when one is configured.
async fn publisher(settings: &EventsSettings, relay: Arc<LogRelay>) -> anyhow::Result<Arc<dyn EventPublisher>> {
    Ok(match settings.nats_url() {
        None => relay,
        Some(url) => Arc::new(NatsRelay::start(url, &settings.subject, relay).await?),
    })
}

/// Prunes the events older than `retention`, and the webhook deliveries
/// that succeeded before then, now and every [`PRUNE_EVERY`]; a failure
/// is logged and tried again next time.
async fn prune_expired_events(
    history: Arc<dyn EventUseCases>,
    webhooks: Arc<dyn WebhookUseCases>,
    retention: Duration,
) {
    let mut every = tokio::time::interval(PRUNE_EVERY);
    loop {
        every.tick().await;
        let retention_micros = i64::try_from(retention.as_micros()).unwrap_or(i64::MAX);
        let cutoff = Timestamp::from_micros_clamped(Timestamp::now().as_micros().saturating_sub(retention_micros));
        match history.prune_before(cutoff).await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "pruned events past their retention"),
            Err(error) => tracing::warn!(error = %anyhow::Error::new(error), "cannot prune expired events"),
        }
        match webhooks.prune_deliveries_before(cutoff).await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "pruned webhook deliveries past their retention"),
            Err(error) => tracing::warn!(error = %anyhow::Error::new(error), "cannot prune webhook deliveries"),
        }
    }
}

/// Aborts a background task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A server bound to its port, ready to run.
pub struct Application {
    port: u16,
    server: Server,
    events: Arc<EventBus>,
    _retention: AbortOnDrop,
    _dispatcher: Dispatcher,
}

impl Application {
    /// Opens the store, wires the services into the API and binds the
    /// listener. Port 0 binds a free port; [`Application::port`] tells which.
    ///
    /// # Errors
    /// When the store cannot be opened, the NATS URL is malformed, the
    /// address cannot be bound (an unreachable NATS is not an error), or the
    /// API would be open on a network address (see [`crate::access`]).
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        let mut registry: Registry = Metrics::registry();
        trm_api::metrics::register_build_info(&mut registry, env!("CARGO_PKG_VERSION"), BUILD_COMMIT);
        let store = store::open(&settings.database).await?.instrumented(&mut registry);
        let keys = ApiKeyService::new(store.api_keys.clone()).with_cache_ttl(settings.auth.cache_ttl());
        let access = crate::access::control(settings, Arc::new(keys)).await?;
        let bus = Arc::new(EventBus::new(EVENT_CHANNEL_CAPACITY));
        let relay = Arc::new(LogRelay::start(store.events.clone(), bus.clone(), settings.events.poll_interval()));
        let log_end = relay.log_end();
        let publisher = publisher(&settings.events, relay).await?;
        let history: Arc<dyn EventUseCases> = Arc::new(EventHistoryService::new(store.events.clone()));
        let destinations =
            Arc::new(ResolvingDestinations { allow_private: settings.webhooks.allow_private_destinations });
        let webhooks: Arc<dyn WebhookUseCases> =
            Arc::new(WebhookService::new(store.webhooks.clone(), store.events.clone(), destinations.clone()));
        let retention = AbortOnDrop(tokio::spawn(prune_expired_events(
            history.clone(),
            webhooks.clone(),
            settings.events.retention(),
        )));
        let dispatcher = Dispatcher::start(
            DispatcherPorts {
                webhooks: store.webhooks.clone(),
                log: store.events.clone(),
                sender: Arc::new(crate::webhooks::HttpSender::new()?),
                destinations: destinations.clone(),
            },
            DispatcherSettings {
                schedule: settings.webhooks.schedule(),
                timeout: settings.webhooks.timeout(),
                lease: settings.webhooks.lease(),
                ..DispatcherSettings::default()
            },
            log_end,
        );
        let mut tasks = TaskService::new(store.tasks.clone()).with_events(publisher.clone());
        let mut projects =
            ProjectService::new(store.projects.clone(), store.tasks.clone()).with_events(publisher.clone());
        let mut users = UserService::new(store.users.clone()).with_events(publisher);
        if !settings.events.enabled {
            (tasks, projects, users) =
                (tasks.without_event_log(), projects.without_event_log(), users.without_event_log());
        }
        let state = AppState {
            tasks: Arc::new(tasks),
            projects: Arc::new(projects),
            users: Arc::new(users),
            overview: Arc::new(OverviewService::new(store.tasks.clone(), store.projects.clone(), store.users.clone())),
            health: Arc::new(HealthService::new(store.health.clone()).with_timeout(readiness_timeout(settings))),
            events: bus.clone(),
            history,
            webhooks,
            idempotency: Arc::new(
                IdempotencyService::new(store.idempotency.clone()).with_wait(idempotency_wait(settings)),
            ),
            metrics: Arc::new(Metrics::new(registry)),
        };
        let address = (settings.server.host.as_str(), settings.server.port);
        let listener = TcpListener::bind(address)
            .with_context(|| format!("cannot listen on {}:{}", settings.server.host, settings.server.port))?;
        let port = listener.local_addr().context("the listener has no local address")?.port();
        let server = HttpServer::new(move || trm_api::app_with(state.clone(), access.clone()))
            .shutdown_timeout(settings.server.shutdown_timeout_secs)
            // Zero disables keep-alive (actix maps a zero timeout to that).
            .keep_alive(Duration::from_secs(settings.server.keep_alive_secs))
            // Large pages go out in slices, so a connection's write buffer
            // need not grow past one (`trm_api::WRITE_BUFFER_BYTES`); a
            // response written in more than one piece (those pages, event
            // streams) must not wait for the client's delayed ACK (Nagle).
            .h1_write_buffer_size(trm_api::WRITE_BUFFER_BYTES)
            .tcp_nodelay(true)
            // The signals are ours (`run_until_stopped`): the event streams
            // must be ended before the server waits for its connections.
            .disable_signals()
            .workers(settings.server.http_workers())
            .listen(listener)
            .context("cannot serve on the listener")?;
        tracing::info!(host = %settings.server.host, port, "serving the TRM task API");
        Ok(Self { port, server: server.run(), events: bus, _retention: retention, _dispatcher: dispatcher })
    }

    /// The in-process event bus, for programs and tests that listen in.
    #[must_use]
    pub fn events(&self) -> Arc<EventBus> {
        Arc::clone(&self.events)
    }

    /// The bound port.
    #[must_use]
    pub const fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT or SIGTERM, then shuts down gracefully and
    /// returns: new connections are refused, the event streams are ended
    /// (they never finish by themselves, and the server waits for every open
    /// connection), and in-flight requests get the shutdown timeout to finish.
    ///
    /// # Errors
    /// When the server fails, or the signal handlers cannot be installed.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let mut server = self.server;
        tokio::select! {
            result = &mut server => return result,
            signal = shutdown_signal() => tracing::info!(signal = signal?, "shutting down gracefully"),
        }
        self.events.close();
        let ((), result) = tokio::join!(handle.stop(true), server);
        result
    }
}

/// Waits for the signal to shut down: SIGTERM (service managers, `kill`)
/// or SIGINT (Ctrl-C); its name.
async fn shutdown_signal() -> std::io::Result<&'static str> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        tokio::select! {
            _ = terminate.recv() => Ok("SIGTERM"),
            _ = interrupt.recv() => Ok("SIGINT"),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await?;
        Ok("Ctrl-C")
    }
}
