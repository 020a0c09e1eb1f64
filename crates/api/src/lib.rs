//! # The TRM HTTP API
//!
//! The driving adapter of the TRM task API: actix-web handlers that read
//! requests into validated domain values, call one use case of
//! [`trm_service`], and shape the answer as the wire contract says.
//!
//! This crate builds the [`App`](actix_web::App) — routes, middleware, error
//! mapping — but never binds a port: the server binary does that, and the
//! tests drive the same `App` in process. Handlers depend on the use-case
//! *traits* in [`AppState`], so their tests run against mocks.
//!
//! What every response shares:
//!
//! * errors in FastAPI's shape (see [`error`]), also for malformed JSON,
//!   unknown fields, bad query parameters, wrong methods and unknown routes;
//! * an `x-request-id` header (echoed when the client sent one), also on
//!   errors, and a tracing span carrying it for everything logged meanwhile;
//! * on Neo4j, the bookmark of the request's last commit in
//!   `X-TRM-Bookmark`, which a later read sends back to see that write on
//!   any cluster member (`consistency`);
//! * bodies limited to 1 MiB (413 beyond);
//! * security headers (`nosniff`, no framing, no referrer, a CSP), and —
//!   with [`app_with`] — API keys, rate limits and CORS ([`access`]).
//!
//! Every route is listed once, in the route table [`ROUTES`] ([`routes`]),
//! which both registers the routes and is checked against the OpenAPI
//! document ([`openapi`]) served at `/openapi.json`; the Swagger UI at
//! `/docs` is served from the binary ([`openapi::docs`]). The probes
//! `/livez` and `/readyz` are in [`handlers::health`]; Prometheus metrics
//! (requests by route template and status, latencies) are recorded by
//! [`metrics::http`] and served at `/metrics` ([`handlers::metrics`]).

// Public: what the server binary, the tests and the benches build the app
// with and check it against. The fuzz targets reach the readers through
// `wire` alone; every other module is the app's own. Re-exported below from
// private modules: the response bodies (for tests and benches that build or
// read them) and the limits and patterns the OpenAPI document states (for
// the tests that hold the document to the code).
pub mod access;
mod body;
mod conditional;
mod consistency;
mod error;
mod handlers;
mod idempotency;
pub mod metrics;
pub mod openapi;
mod paging;
mod query;
mod request_id;
pub mod routes;
mod schemas;
mod sliced_body;
mod telemetry;
mod values;
pub mod wire;

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Condition, from_fn};
use actix_web::{App, HttpResponse, web};
pub use idempotency::MAX_KEY_LENGTH;
pub use paging::{CURSOR_PATTERN, POSITION_CURSOR_PATTERN, TASK_CURSOR_PATTERN};
pub use routes::ROUTES;
pub use schemas::task::NAIVE_DATE_TIME_PATTERN;
pub use schemas::user::USERNAME_PATTERN;
pub use sliced_body::WRITE_BUFFER_BYTES;
use tracing_actix_web::TracingLogger;
use trm_service::{
    EventBus, EventUseCases, HealthUseCases, IdempotencyUseCases, OverviewUseCases, ProjectUseCases, TaskUseCases,
    UserUseCases, WebhookUseCases,
};

use crate::access::AccessControl;
use crate::error::ApiError;

/// The use cases the handlers call.
#[derive(Clone)]
pub struct AppState {
    /// Task use cases.
    pub tasks: Arc<dyn TaskUseCases>,
    /// Project use cases.
    pub projects: Arc<dyn ProjectUseCases>,
    /// User use cases: the people tasks are assigned to.
    pub users: Arc<dyn UserUseCases>,
    /// The overview, gathered concurrently.
    pub overview: Arc<dyn OverviewUseCases>,
    /// Readiness, for `/readyz`.
    pub health: Arc<dyn HealthUseCases>,
    /// The live feed of committed events, for `/api/v1/events`.
    pub events: Arc<EventBus>,
    /// The durable event log: history, resuming streams, entity histories.
    pub history: Arc<dyn EventUseCases>,
    /// Webhook subscriptions and their delivery log.
    pub webhooks: Arc<dyn WebhookUseCases>,
    /// `Idempotency-Key` bookkeeping for the creates (see [`idempotency`]).
    pub idempotency: Arc<dyn IdempotencyUseCases>,
    /// The metrics registry served at `/metrics`, and the HTTP metrics the
    /// app records (see [`metrics`]).
    pub metrics: Arc<metrics::Metrics>,
}

/// Registers every route of the route table, [`ROUTES`].
pub fn api_routes(config: &mut web::ServiceConfig) {
    routes::configure(config);
}

/// The whole application with no access control ([`AccessControl::open`]):
/// for embedding and for tests of everything but access.
///
/// Call it inside `HttpServer::new`'s factory (once per worker), or hand it
/// to `actix_web::test::init_service` in tests.
pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    app_with(state, AccessControl::open())
}

/// The whole application: routes, state and middleware, guarded by
/// `access` (keys, rate limits, CORS; see [`access`]).
///
/// Middleware, outermost first: request id, tracing span, security
/// headers, CORS (so preflights are answered before any key is asked for),
/// the access guard, the request's consistency scope (`X-TRM-Bookmark`,
/// `consistency`), then the routes.
pub fn app_with(
    state: AppState,
    access: AccessControl,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let cors = access.origins().clone();
    App::new()
        .app_data(web::Data::new(state))
        .app_data(web::Data::new(access))
        .configure(api_routes)
        .default_service(web::to(|| async { Err::<HttpResponse, _>(ApiError::NoRoute) }))
        .wrap(from_fn(consistency::carry_bookmarks))
        .wrap(from_fn(access::guard))
        .wrap(Condition::new(!cors.is_empty(), access::cors::middleware(&cors)))
        .wrap(from_fn(access::cors::errors_as_json))
        .wrap(from_fn(access::headers::add_security_headers))
        .wrap(TracingLogger::<telemetry::RequestSpan>::new())
        .wrap(from_fn(request_id::assign_request_id))
        // Outermost, so every answer is counted, whichever layer gave it.
        .wrap(from_fn(metrics::http::record))
}
