//! `/api/v1/events`: the domain events, live (Server-Sent Events) and past.
//!
//! The stream subscribes to the process's [`EventBus`](trm_service::EventBus)
//! — which, with NATS configured, also carries every other instance's
//! events. Each event is one SSE frame (`id:`, `event:`, `data:`); a comment
//! line every [`KEEP_ALIVE`] keeps proxies from closing an idle connection.
//! A client that reconnects with `Last-Event-ID` first gets what it missed
//! from the bounded history (all of it when the id has aged out), then the
//! live feed, with nothing lost or repeated in between. When the client
//! goes away, actix drops the response stream and with it the subscription:
//! no task or buffer outlives the connection.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use futures::stream::{self, Stream};
use trm_domain::{DomainEvent, FieldErrorKind};
use trm_service::{HistoryFilter, Received, Subscription};
use uuid::Uuid;

use crate::AppState;
use crate::error::ApiError;
use crate::query::QueryParams;
use crate::schemas::errors::InvalidRequest;
use crate::schemas::event::{EventHistoryQuery, EventResponse, EventStreamQuery};

/// How often an idle stream sends a keep-alive comment.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The largest history page.
const MAX_HISTORY: i64 = 1000;

/// One SSE frame for an event.
fn frame(event: &DomainEvent) -> Bytes {
    let data = serde_json::to_string(event).unwrap_or_else(|_| "{}".to_owned());
    Bytes::from(format!("id: {}\nevent: {}\ndata: {data}\n\n", event.event_id, event.event_type))
}

/// What the stream still has to send, and where the rest comes from.
struct StreamState {
    replay: VecDeque<Arc<DomainEvent>>,
    live: Subscription,
    types: Vec<String>,
    keep_alive: tokio::time::Interval,
}

impl StreamState {
    fn wanted(&self, event: &DomainEvent) -> bool {
        self.types.is_empty() || self.types.contains(&event.event_type)
    }

    /// The next chunk to send; `None` ends the stream (the bus is gone).
    async fn next_chunk(&mut self) -> Option<Bytes> {
        while let Some(event) = self.replay.pop_front() {
            if self.wanted(&event) {
                return Some(frame(&event));
            }
        }
        loop {
            tokio::select! {
                received = self.live.next() => match received? {
                    Received::Event(event) if self.wanted(&event) => return Some(frame(&event)),
                    Received::Event(_) => {}
                    Received::Missed(count) => {
                        return Some(Bytes::from(format!(": missed {count} events; reconnect with Last-Event-ID to catch up\n\n")));
                    }
                },
                _ = self.keep_alive.tick() => return Some(Bytes::from_static(b": keep-alive\n\n")),
            }
        }
    }
}

/// The SSE body: a stream of frames.
fn event_stream(state: StreamState) -> impl Stream<Item = Result<Bytes, actix_web::Error>> {
    stream::unfold(state, |mut state| async move { state.next_chunk().await.map(|chunk| (Ok(chunk), state)) })
}

/// `GET /api/v1/events`: the live stream of domain events.
///
/// # Errors
/// 422 for unknown parameters.
#[utoipa::path(
    get,
    path = "/api/v1/events",
    tag = "events",
    operation_id = "stream_events",
    summary = "Stream domain events (Server-Sent Events)",
    description = "A `text/event-stream` of every domain event published from now on: each as \
                   `id: <event_id>`, `event: <event_type>`, `data: <the event as JSON>`. Comment lines keep the \
                   connection alive. Send `Last-Event-ID` to first receive the events after that one still in \
                   the history (all of it when the id is no longer there).",
    params(
        EventStreamQuery,
        ("Last-Event-ID" = Option<String>, Header, description = "Resume after this event id."),
    ),
    responses(
        (status = 200, description = "The event stream; each `data:` is an event.", content_type = "text/event-stream", body = EventResponse),
        (status = 422, response = InvalidRequest),
    )
)]
pub async fn stream(request: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut query = QueryParams::parse(request.query_string())?;
    let types = query.take_all("event_type");
    query.finish()?;
    let last_event_id = request
        .headers()
        .get("last-event-id")
        .and_then(|value| value.to_str().ok())
        .map(|text| Uuid::parse_str(text.trim()).unwrap_or_else(|_| Uuid::nil()));
    let (missed, live) = state.events.resume_after(last_event_id);
    let mut keep_alive = tokio::time::interval(KEEP_ALIVE);
    keep_alive.reset(); // the first tick after a full period, not at once
    let body = event_stream(StreamState { replay: missed.into(), live, types, keep_alive });
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream")))
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .insert_header(("x-accel-buffering", HeaderValue::from_static("no")))
        .streaming(body))
}

/// `GET /api/v1/events/history`: remembered events, newest first.
///
/// # Errors
/// 422 for unknown parameters or a bad `limit`.
#[utoipa::path(
    get,
    path = "/api/v1/events/history",
    tag = "events",
    operation_id = "event_history",
    summary = "Recent domain events",
    description = "The events still in the bounded in-memory history, newest first.",
    params(EventHistoryQuery),
    responses(
        (status = 200, description = "Events, newest first.", body = Vec<EventResponse>),
        (status = 422, response = InvalidRequest),
    )
)]
pub async fn history(request: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut query = QueryParams::parse(request.query_string())?;
    let limit = match query.take("limit").map(|text| text.trim().parse::<i64>()) {
        None => 100,
        Some(Ok(limit)) if (1..=MAX_HISTORY).contains(&limit) => limit,
        Some(Ok(limit)) if limit < 1 => {
            query.reject("limit", FieldErrorKind::GreaterThanEqual("1".into()));
            100
        }
        Some(Ok(_)) => {
            query.reject("limit", FieldErrorKind::LessThanEqual(MAX_HISTORY.to_string()));
            100
        }
        Some(Err(_)) => {
            query.reject("limit", FieldErrorKind::IntParsing);
            100
        }
    };
    let event_type = query.take("event_type");
    let entity_id = query.take("entity_id").map(|text| Uuid::parse_str(text.trim()).unwrap_or_else(|_| Uuid::nil()));
    query.finish()?;
    let filter = HistoryFilter { event_type, entity_id };
    let events = state.events.history(&filter, usize::try_from(limit).unwrap_or(100));
    Ok(HttpResponse::Ok().json(events))
}
