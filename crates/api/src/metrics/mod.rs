//! Prometheus metrics: the registry behind `GET /metrics`, the HTTP
//! metrics this crate records ([`http`]), the build's identity
//! ([`register_build_info`]) and the standard process metrics
//! ([`process`]).
//!
//! [`Metrics`] owns one [`Registry`]. The server creates the registry with
//! [`Metrics::registry`] in `Application::build`, lets the store's
//! decorator register its metrics in it (`trm_repository::instrumented`),
//! and hands it to [`Metrics::new`], which adds the HTTP metrics; the
//! result goes into [`AppState`](crate::AppState). Nothing is global: every
//! application — every test — has its own registry, and counters never
//! leak between them.
//!
//! # Names
//! Every metric of the application is named `trm_…` ([`PREFIX`]): the
//! registry adds the prefix to whatever is registered in it, so a layer
//! names its metrics without knowing it (`store_pool_size` is exported as
//! `trm_store_pool_size`), and they cannot collide with another program's
//! on a shared Prometheus. The process metrics keep the standard
//! unprefixed names (`process_cpu_seconds_total`, …) that dashboards and
//! every other client library use; they live in a registry of their own.
//!
//! # Why `prometheus-client`
//! It is the Prometheus project's own Rust client, small, with typed label
//! sets and no global registry, and it writes the Prometheus text
//! exposition format (0.0.4) that `/metrics` serves — the format every
//! Prometheus server and agent scrapes. The `prometheus` crate centres on a
//! process-wide default registry, and the `metrics` facade on a global
//! recorder; either would make parallel tests (and two applications in one
//! process) share their numbers.

pub mod http;
pub mod process;

use prometheus_client::encoding::{EncodeLabelSet, prometheus_text};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

pub use http::HttpMetrics;

/// The prefix of every application metric's name (joined with `_`).
pub const PREFIX: &str = "trm";

/// The labels of `trm_build_info`.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: String,
    commit: String,
}

/// Registers `trm_build_info{version, commit} 1`, the build serving the
/// metrics: a dashboard can tell which release (and which commit) each
/// instance runs, and a deploy shows as a change of series.
///
/// The server passes its package version and the commit its build script
/// found (`unknown` without git); the API crate does not know which binary
/// it is built into.
pub fn register_build_info(registry: &mut Registry, version: &str, commit: &str) {
    let labels = BuildLabels { version: version.to_owned(), commit: commit.to_owned() };
    registry.register("build", "The version and commit of the running build; always 1", Info::new(labels));
}

/// Every metric the application exports, and the HTTP ones to record into.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    process: Registry,
    http: HttpMetrics,
}

impl Metrics {
    /// An empty registry for the application's metrics: everything
    /// registered in it is exported as `trm_…` ([`PREFIX`]).
    #[must_use]
    pub fn registry() -> Registry {
        Registry::with_prefix(PREFIX)
    }

    /// Adds the HTTP metrics to `registry` — made by [`Metrics::registry`],
    /// and which may already hold other layers' metrics, such as the
    /// store's — and keeps it for `/metrics`, beside the process metrics
    /// (on Linux).
    #[must_use]
    pub fn new(mut registry: Registry) -> Self {
        let http = HttpMetrics::register(&mut registry);
        #[cfg_attr(not(target_os = "linux"), allow(unused_mut))]
        let mut process = Registry::default();
        #[cfg(target_os = "linux")]
        process.register_collector(Box::new(process::ProcessCollector));
        Self { registry, process, http }
    }

    /// The HTTP metrics, for the middleware that records them.
    #[must_use]
    pub const fn http(&self) -> &HttpMetrics {
        &self.http
    }

    /// Every metric, in the Prometheus text format.
    ///
    /// # Errors
    /// Only if a metric fails to encode itself, which would be a bug.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_text::encode(&mut text, &self.registry)?;
        prometheus_text::encode(&mut text, &self.process)?;
        Ok(text)
    }
}

impl Default for Metrics {
    /// HTTP (and process) metrics only, in a registry of their own: for
    /// tests and for applications without a store to measure.
    fn default() -> Self {
        Self::new(Self::registry())
    }
}

#[cfg(test)]
mod tests {
    use prometheus_client::metrics::counter::Counter;

    use super::*;

    #[test]
    fn the_registry_keeps_what_other_layers_registered_beside_the_http_metrics() {
        let mut registry = Metrics::registry();
        let store_calls = Counter::<u64>::default();
        registry.register("store_calls", "Calls of another layer", store_calls.clone());
        let metrics = Metrics::new(registry);
        store_calls.inc();
        metrics.http().observe(
            &actix_web::http::Method::GET,
            None,
            actix_web::http::StatusCode::NOT_FOUND,
            std::time::Duration::from_millis(3),
        );

        let text = metrics.encode().unwrap();

        assert!(text.contains("\ntrm_store_calls_total 1\n"), "{text}");
        assert!(text.contains(r#"trm_http_requests_total{method="GET",route="unmatched",status="404"} 1"#), "{text}");
    }

    #[test]
    fn every_application_metric_is_prefixed_and_the_process_ones_are_not() {
        let mut registry = Metrics::registry();
        register_build_info(&mut registry, "1.2.3", "abc1234");
        let metrics = Metrics::new(registry);
        metrics.http().observe(
            &actix_web::http::Method::GET,
            None,
            actix_web::http::StatusCode::OK,
            std::time::Duration::from_millis(1),
        );

        let text = metrics.encode().unwrap();

        for line in text.lines().filter(|line| !line.starts_with('#')) {
            assert!(line.starts_with("trm_") || line.starts_with("process_"), "{line}");
        }
        assert!(text.contains("\ntrm_build_info{version=\"1.2.3\",commit=\"abc1234\"} 1\n"), "{text}");
        assert!(text.contains("# TYPE trm_build_info gauge\n"), "{text}");
        #[cfg(target_os = "linux")]
        for name in [
            "process_cpu_seconds_total",
            "process_resident_memory_bytes",
            "process_virtual_memory_bytes",
            "process_open_fds",
            "process_max_fds",
            "process_start_time_seconds",
        ] {
            assert!(text.lines().any(|line| line.split(' ').next() == Some(name)), "{name} in {text}");
        }
    }
}
