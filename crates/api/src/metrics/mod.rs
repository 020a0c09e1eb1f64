//! Prometheus metrics: the registry behind `GET /metrics` and the HTTP
//! metrics this crate records ([`http`]).
//!
//! [`Metrics`] owns one [`Registry`]. The server creates the registry in
//! `Application::build`, lets the store's decorator register its metrics
//! in it (`trm_repository::instrumented`), and hands it to
//! [`Metrics::new`], which adds the HTTP metrics; the result goes into
//! [`AppState`](crate::AppState). Nothing is global: every application —
//! every test — has its own registry, and counters never leak between
//! them.
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

use prometheus_client::encoding::prometheus_text;
use prometheus_client::registry::Registry;

pub use http::HttpMetrics;

/// The `Content-Type` of `GET /metrics`: the Prometheus text format 0.0.4.
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

/// Every metric the application exports, and the HTTP ones to record into.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    http: HttpMetrics,
}

impl Metrics {
    /// Adds the HTTP metrics to `registry` — which may already hold other
    /// layers' metrics, such as the store's — and keeps it for `/metrics`.
    #[must_use]
    pub fn new(mut registry: Registry) -> Self {
        let http = HttpMetrics::register(&mut registry);
        Self { registry, http }
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
        Ok(text)
    }
}

impl Default for Metrics {
    /// HTTP metrics only, in a registry of their own: for tests and for
    /// applications without a store to measure.
    fn default() -> Self {
        Self::new(Registry::default())
    }
}

#[cfg(test)]
mod tests {
    use prometheus_client::metrics::counter::Counter;

    use super::*;

    #[test]
    fn the_registry_keeps_what_other_layers_registered_beside_the_http_metrics() {
        let mut registry = Registry::default();
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

        assert!(text.contains("\nstore_calls_total 1\n"), "{text}");
        assert!(text.contains(r#"http_requests_total{method="GET",route="unmatched",status="404"} 1"#), "{text}");
    }
}
