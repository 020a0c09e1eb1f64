//! The root tracing span of each request, carrying its request id.
//!
//! `tracing-actix-web` opens one span per request; this builder makes that
//! span carry *our* request id (the echoed `x-request-id`), so every event
//! logged while serving the request — in the handler, the service or the
//! store — can be found by the id the client saw.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage as _};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RootSpanBuilder};

use crate::request_id::RequestId;

/// Builds request spans named `http_request` with the request id.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let request_id = request.extensions().get::<RequestId>().map(|id| id.0.clone()).unwrap_or_default();
        let route = request.match_pattern().unwrap_or_else(|| "unmatched".to_owned());
        tracing::info_span!(
            "http_request",
            request_id = %request_id,
            http.method = %request.method(),
            http.route = %route,
            http.target = %request.uri(),
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        DefaultRootSpanBuilder::on_request_end(span.clone(), outcome);
        if let Ok(response) = outcome {
            span.in_scope(|| tracing::info!(status = response.status().as_u16(), "request served"));
        }
    }
}
