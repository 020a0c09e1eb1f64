//! HTTP metrics, recorded by a middleware around the whole application:
//!
//! * `trm_http_requests_total{method,route,status}` — requests answered;
//! * `trm_http_request_duration_seconds{method,route}` — a histogram of the
//!   time from receiving the request to the response *head* (status and
//!   headers). For ordinary responses that is all the work; for the SSE
//!   stream (`/api/v1/events`) it is the time to open the stream, not how
//!   long the client stayed, so streams do not swamp the histogram.
//!
//! # Bounded labels
//! `route` is the route's *template* as the route table writes it
//! (`/api/v1/tasks/{uid}`), never the raw path: ids would make a series per
//! entity. The other spelling of a collection (`/api/v1/tasks`) counts under
//! its canonical template (`/api/v1/tasks/`). A path no route matches is
//! [`UNMATCHED`], so scanning random paths cannot create series. `method`
//! is one of the standard methods or [`OTHER_METHOD`]; `status` is the
//! numeric code. Every label thus has a small fixed set of values.

use std::borrow::Cow;
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};

use crate::AppState;
use crate::routes::ROUTES;

/// The `route` of a request no route matches.
pub const UNMATCHED: &str = "unmatched";

/// The `method` of a request whose method is not a standard one.
pub const OTHER_METHOD: &str = "OTHER";

/// The labels of a counted request.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: Cow<'static, str>,
    status: u16,
}

/// The labels of a timed request: the status is left out, keeping the
/// histogram's series few (the counter has it).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: Cow<'static, str>,
}

/// The duration buckets, in seconds: 0.5 ms doubling up to about 16 s.
fn duration_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

/// The request counter and latency histogram.
///
/// Cloning is cheap and records into the same metrics.
#[derive(Debug, Clone)]
pub struct HttpMetrics {
    requests: Family<RequestLabels, Counter>,
    durations: Family<RouteLabels, Histogram, fn() -> Histogram>,
}

impl HttpMetrics {
    /// Registers the HTTP metrics in `registry`.
    #[must_use]
    pub fn register(registry: &mut Registry) -> Self {
        let requests = Family::<RequestLabels, Counter>::default();
        let durations: Family<RouteLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(duration_histogram);
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            requests.clone(),
        );
        registry.register_with_unit(
            "http_request_duration",
            "Time from receiving an HTTP request to its response head, by method and route template",
            Unit::Seconds,
            durations.clone(),
        );
        Self { requests, durations }
    }

    /// Records one answered request. `pattern` is the matched route
    /// template, if any route matched.
    pub fn observe(&self, method: &Method, pattern: Option<String>, status: StatusCode, elapsed: Duration) {
        let method = method_label(method);
        let route = route_label(pattern);
        self.durations.get_or_create(&RouteLabels { method, route: route.clone() }).observe(elapsed.as_secs_f64());
        self.requests.get_or_create(&RequestLabels { method, route, status: status.as_u16() }).inc();
    }
}

/// The `method` label: the standard methods by name, anything else
/// [`OTHER_METHOD`].
fn method_label(method: &Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        "CONNECT" => "CONNECT",
        "TRACE" => "TRACE",
        _ => OTHER_METHOD,
    }
}

/// The `route` label: the route table's path for the matched template,
/// [`UNMATCHED`] when nothing matched. actix-web reports a resource by its
/// first pattern, which for the table's resources is the table's path; a
/// template registered outside the table is kept as it is (still one value
/// per route, not per request).
fn route_label(pattern: Option<String>) -> Cow<'static, str> {
    match pattern {
        None => Cow::Borrowed(UNMATCHED),
        Some(pattern) => ROUTES
            .iter()
            .find(|route| route.path == pattern)
            .map_or(Cow::Owned(pattern), |route| Cow::Borrowed(route.path)),
    }
}

/// The middleware: times the request up to its response head and counts
/// it under its route template and status — errors from inner middleware
/// included, by the status they answer with.
///
/// # Errors
/// Whatever the wrapped service returns, unchanged.
pub async fn record(
    state: web::Data<AppState>,
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = request.method().clone();
    // The resource map is the app's, so the template is known before routing.
    let pattern = request.match_pattern();
    let outcome = next.call(request).await;
    let status = match &outcome {
        Ok(response) => response.status(),
        Err(error) => error.as_response_error().status_code(),
    };
    state.metrics.http().observe(&method, pattern, status, started.elapsed());
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_methods_keep_their_names_and_others_share_one() {
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        assert_eq!(method_label(&Method::from_bytes(b"BREW").unwrap()), OTHER_METHOD);
        assert_eq!(method_label(&Method::from_bytes(b"get").unwrap()), OTHER_METHOD);
    }

    #[test]
    fn a_route_is_labelled_by_its_table_path_and_no_route_by_one_value() {
        assert_eq!(route_label(Some("/api/v1/tasks/{uid}".to_owned())), "/api/v1/tasks/{uid}");
        assert!(matches!(route_label(Some("/api/v1/tasks/".to_owned())), Cow::Borrowed("/api/v1/tasks/")));
        assert_eq!(route_label(None), UNMATCHED);
    }
}
