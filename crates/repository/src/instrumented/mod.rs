//! Store metrics: a decorator that measures every port call, whichever
//! store is behind it.
//!
//! [`Instrumented`] implements each port ([`TaskRepository`](crate::TaskRepository),
//! [`ProjectRepository`](crate::ProjectRepository), [`UserRepository`](crate::UserRepository),
//! [`IdempotencyRepository`](crate::IdempotencyRepository), [`HealthCheck`](crate::HealthCheck)) by calling the same method of the port it wraps and
//! recording, in [`StoreMetrics`]:
//!
//! * `store_operation_duration_seconds{store,operation}` — a histogram of
//!   how long each call took, successful or not, as the service saw it
//!   (waiting for a connection and the adapter's own timeout included);
//! * `store_operation_errors_total{store,operation,kind}` — calls that
//!   returned an error, by [`StoreError::kind`]. `not_found`,
//!   `version_conflict`, `missing_reference`, `has_tasks` and `duplicate`
//!   are *answers* the API turns into 4xx; `unavailable` and `unexpected`
//!   are the failures to alert on.
//!
//! `operation` is the port method's name (`get_task`, `list_projects`,
//! `ping`; the idempotency methods are prefixed: `idempotency_claim`), a
//! fixed set, so the label cannot grow with traffic. A call whose caller
//! dropped it before it finished (the overview fails fast when one of its
//! reads fails) is not recorded.
//!
//! [`register_pool`] adds `store_pool_connections_in_use{store}` and
//! `store_pool_size{store}`, read from the store's [`PoolStatus`] at each
//! scrape.
//!
//! # Why a decorator
//! Both adapters are measured by the same code, at the port boundary the
//! service actually uses, and the adapters stay free of metrics. The
//! decorator is generic over the port (`Instrumented<dyn TaskRepository>`
//! wraps whatever the server opened) and unit-tested against the mockall
//! mocks.
//!
//! # Why `prometheus-client`
//! It is the Prometheus project's own Rust client: metrics live in a
//! [`Registry`] the caller creates and passes around (no global registry, so
//! every test and every server instance in one process has its own), label
//! sets are typed, and since 0.26 it writes the Prometheus text format
//! (0.0.4) that `/metrics` serves. The `prometheus` crate relies on a
//! default global registry and the `metrics` facade on a global recorder;
//! both would make parallel tests share counters.

mod ports;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::{Duration, Instant};

use prometheus_client::encoding::{EncodeLabelSet, EncodeMetric, MetricEncoder};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};

use crate::error::StoreError;
use crate::pool_status::{PoolStatus, PoolUsage};

/// The labels of a store operation's duration.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    store: &'static str,
    operation: &'static str,
}

/// The labels of a failed store operation.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    store: &'static str,
    operation: &'static str,
    kind: &'static str,
}

/// The duration buckets, in seconds: 0.5 ms doubling up to about 16 s,
/// past every store timeout a configuration is likely to set.
fn duration_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

/// The metrics of one store's operations, registered in a [`Registry`].
///
/// Cloning is cheap and records into the same metrics, so one value can be
/// handed to the decorator of every port.
#[derive(Debug, Clone)]
pub struct StoreMetrics {
    store: &'static str,
    durations: Family<OperationLabels, Histogram, fn() -> Histogram>,
    errors: Family<ErrorLabels, Counter>,
}

impl StoreMetrics {
    /// Registers the operation metrics of the store named `store` (the
    /// `store` label: `sqlite`, `neo4j`) in `registry`.
    ///
    /// Register one store per registry: a second would repeat the metric
    /// names.
    #[must_use]
    pub fn register(registry: &mut Registry, store: &'static str) -> Self {
        let durations: Family<OperationLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(duration_histogram);
        let errors = Family::<ErrorLabels, Counter>::default();
        registry.register_with_unit(
            "store_operation_duration",
            "How long store operations took, by store and operation (port method), errors included",
            Unit::Seconds,
            durations.clone(),
        );
        registry.register(
            "store_operation_errors",
            "Store operations that returned an error, by store, operation and error kind",
            errors.clone(),
        );
        Self { store, durations, errors }
    }

    /// Records one finished call.
    fn record(&self, operation: &'static str, elapsed: Duration, error: Option<&StoreError>) {
        let labels = OperationLabels { store: self.store, operation };
        self.durations.get_or_create(&labels).observe(elapsed.as_secs_f64());
        if let Some(error) = error {
            self.errors.get_or_create(&ErrorLabels { store: self.store, operation, kind: error.kind() }).inc();
        }
    }
}

/// A port that records every call into [`StoreMetrics`] and otherwise
/// behaves exactly as the port it wraps.
pub struct Instrumented<T: ?Sized> {
    inner: Arc<T>,
    metrics: StoreMetrics,
}

impl<T: ?Sized> Instrumented<T> {
    /// Measures the calls to `inner`.
    #[must_use]
    pub const fn new(inner: Arc<T>, metrics: StoreMetrics) -> Self {
        Self { inner, metrics }
    }

    /// Runs one call of the wrapped port and records how it went.
    async fn observe<R>(
        &self,
        operation: &'static str,
        call: impl Future<Output = Result<R, StoreError>>,
    ) -> Result<R, StoreError> {
        let started = Instant::now();
        let outcome = call.await;
        self.metrics.record(operation, started.elapsed(), outcome.as_ref().err());
        outcome
    }
}

impl<T: ?Sized> std::fmt::Debug for Instrumented<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Instrumented").field("store", &self.metrics.store).finish_non_exhaustive()
    }
}

/// Registers `store_pool_connections_in_use{store}` and
/// `store_pool_size{store}`, read from `pool` at every scrape.
pub fn register_pool(registry: &mut Registry, store: &'static str, pool: Arc<dyn PoolStatus>) {
    registry.register(
        "store_pool_connections_in_use",
        "Store connections held by operations right now",
        PoolGauge { store, pool: Arc::clone(&pool), read: |usage| usage.in_use },
    );
    registry.register(
        "store_pool_size",
        "The most connections the store uses at once",
        PoolGauge { store, pool, read: |usage| usage.size },
    );
}

/// A gauge whose value is read from the pool when it is encoded, so it is
/// never stale and costs nothing between scrapes.
struct PoolGauge {
    store: &'static str,
    pool: Arc<dyn PoolStatus>,
    read: fn(PoolUsage) -> u64,
}

impl std::fmt::Debug for PoolGauge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolGauge").field("store", &self.store).finish_non_exhaustive()
    }
}

impl EncodeMetric for PoolGauge {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        let value = (self.read)(self.pool.pool_usage());
        encoder.encode_family(&[("store", self.store)])?.encode_gauge(&value)
    }

    fn metric_type(&self) -> MetricType {
        MetricType::Gauge
    }
}
