//! `/api/v1/events`: the domain events, live (Server-Sent Events) and past,
//! and each entity's own history — all read from the durable event log.
//!
//! The stream subscribes to the process's [`EventBus`](trm_service::EventBus),
//! which the log relay feeds with every committed event of every instance
//! sharing the store, in log order. Each event is one SSE frame (`id:`,
//! `event:`, `data:`); a comment line every [`KEEP_ALIVE`] keeps proxies
//! from closing an idle connection. A client that reconnects with
//! `Last-Event-ID` first gets every retained event after that one from the
//! log — after a restart, from another instance — then the live feed;
//! events are told apart by their log position, so nothing is lost or
//! repeated in between. A client that falls behind the live feed catches up
//! from the log the same way. When the client goes away, actix drops the
//! response stream and with it the subscription: no task or buffer outlives
//! the connection.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use futures::stream::{self, Stream};
use trm_domain::{DomainEvent, EntityKind, EventPosition, FieldErrorKind, LoggedEvent};
use trm_service::{EventFilter, EventUseCases, Received, Subscription};
use uuid::Uuid;

use crate::AppState;
use crate::error::ApiError;
use crate::handlers::path_id;
use crate::paging::{POSITION_CURSOR_PATTERN, decode_position, encode_position, next_link_with};
use crate::query::QueryParams;
use crate::schemas::errors::{InvalidRequest, ProjectNotFound, TaskNotFound, UserNotFound};
use crate::schemas::event::{EntityHistoryQuery, EventHistoryQuery, EventResponse, EventStreamQuery};

/// How often an idle stream sends a keep-alive comment.
pub(crate) const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The largest history page.
const MAX_HISTORY: u32 = 1000;

/// The default history page.
const DEFAULT_HISTORY: u32 = 100;

/// How many events a stream catching up reads from the log at a time.
const REPLAY_PAGE: u32 = 200;

/// The entity types events are about, as `entity_type` accepts them.
const ENTITY_TYPES: [&str; 3] = ["task", "project", "user"];

/// One SSE frame for an event.
fn frame(event: &DomainEvent) -> Bytes {
    let data = serde_json::to_string(event).unwrap_or_else(|_| "{}".to_owned());
    Bytes::from(format!("id: {}\nevent: {}\ndata: {data}\n\n", event.event_id, event.event_type))
}

/// What the stream still has to send, and where the rest comes from.
struct StreamState {
    log: Arc<dyn EventUseCases>,
    filter: EventFilter,
    /// Still catching up from the log, after this position.
    replay_from: Option<EventPosition>,
    /// Events read from the log, not yet sent.
    replay: VecDeque<LoggedEvent>,
    /// The newest position sent or skipped: live events at or below it
    /// were already read from the log.
    seen: Option<EventPosition>,
    live: Subscription,
    keep_alive: tokio::time::Interval,
}

impl StreamState {
    fn wanted(&self, event: &DomainEvent) -> bool {
        self.filter.event_types.is_empty() || self.filter.event_types.contains(&event.event_type)
    }

    /// The next chunk to send; `None` ends the stream (the bus is gone, or
    /// the log cannot be read: the client reconnects with `Last-Event-ID`).
    async fn next_chunk(&mut self) -> Option<Bytes> {
        loop {
            if let Some(logged) = self.replay.pop_front() {
                self.seen = Some(logged.position);
                return Some(frame(&logged.event));
            }
            if let Some(from) = self.replay_from {
                let page = match self.log.after(self.filter.clone(), from, REPLAY_PAGE).await {
                    Ok(page) => page,
                    Err(error) => {
                        tracing::warn!(error = %anyhow::Error::new(error), "an event stream cannot read the log");
                        return None;
                    }
                };
                self.replay_from =
                    (page.len() == REPLAY_PAGE as usize).then(|| page.last().map(|e| e.position)).flatten();
                self.replay.extend(page);
                continue;
            }
            tokio::select! {
                received = self.live.next() => match received? {
                    Received::Event(logged) => {
                        if self.seen.is_some_and(|seen| logged.position <= seen) {
                            continue;
                        }
                        self.seen = Some(logged.position);
                        if self.wanted(&logged.event) {
                            return Some(frame(&logged.event));
                        }
                    }
                    // Fell behind the live feed: catch up from the log.
                    Received::Missed(count) => match self.seen {
                        Some(seen) => self.replay_from = Some(seen),
                        None => {
                            return Some(Bytes::from(format!(
                                ": missed {count} events; reconnect with Last-Event-ID to catch up\n\n"
                            )));
                        }
                    },
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
/// 422 for unknown parameters; 503 when resuming and the log cannot be read.
#[utoipa::path(
    get,
    path = "/api/v1/events",
    tag = "events",
    operation_id = "stream_events",
    summary = "Stream domain events (Server-Sent Events)",
    description = "A `text/event-stream` of every domain event committed from now on, by any instance sharing \
                   the store, in the log's order: each as `id: <event_id>`, `event: <event_type>`, \
                   `data: <the event as JSON>`. Comment lines keep the connection alive. Send `Last-Event-ID` \
                   to first receive every retained event after that one, from the durable log (from the \
                   oldest retained when the id is no longer there), then the live feed, none twice.",
    params(
        EventStreamQuery,
        ("Last-Event-ID" = Option<String>, Header, description = "Resume after this event id."),
    ),
    responses(
        (status = 200, description = "The event stream; each `data:` is an event.", content_type = "text/event-stream", body = EventResponse),
        (status = 422, response = InvalidRequest),
    )
)]
pub(crate) async fn stream(request: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut query = QueryParams::parse(request.query_string())?;
    let event_types = query.take_all("event_type");
    query.finish()?;
    // Subscribed before the log is read, so nothing committed in between
    // is missed; what both deliver is told apart by position.
    let live = state.events.subscribe();
    let last_event_id = request.headers().get("last-event-id").and_then(|value| value.to_str().ok());
    let replay_from = match last_event_id {
        None => None,
        Some(text) => Some(match Uuid::parse_str(text.trim()) {
            Ok(id) => state.history.resume_point(id).await?,
            Err(_) => EventPosition::START,
        }),
    };
    // A live stream sends what is committed once it is open. The relay may
    // still hand the bus events from just before (it reads the log's end
    // lazily while nobody listens): what the log already held is skipped.
    // Without the log's end, the stream starts at whatever comes next.
    let seen = match replay_from {
        Some(from) => Some(from),
        None => state
            .history
            .log_end()
            .await
            .inspect_err(|error| tracing::warn!(error = %error, "an event stream cannot read where the log ends"))
            .ok(),
    };
    let mut keep_alive = tokio::time::interval(KEEP_ALIVE);
    keep_alive.reset(); // the first tick after a full period, not at once
    let body = event_stream(StreamState {
        log: Arc::clone(&state.history),
        filter: EventFilter { event_types, ..EventFilter::default() },
        replay_from,
        replay: VecDeque::new(),
        seen,
        live,
        keep_alive,
    });
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream")))
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .insert_header(("x-accel-buffering", HeaderValue::from_static("no")))
        .streaming(body))
}

/// Reads `limit` (1–1000, `default` when absent).
fn take_limit(query: &mut QueryParams, default: u32) -> u32 {
    match query.take("limit").map(|text| text.trim().parse::<i64>()) {
        None => default,
        Some(Ok(limit)) if (1..=i64::from(MAX_HISTORY)).contains(&limit) => u32::try_from(limit).unwrap_or(default),
        Some(Ok(limit)) if limit < 1 => {
            query.reject("limit", FieldErrorKind::GreaterThanEqual("1".into()));
            default
        }
        Some(Ok(_)) => {
            query.reject("limit", FieldErrorKind::LessThanEqual(MAX_HISTORY.to_string()));
            default
        }
        Some(Err(_)) => {
            query.reject("limit", FieldErrorKind::IntParsing);
            default
        }
    }
}

/// Reads an event-log `cursor`.
fn take_position(query: &mut QueryParams) -> Option<EventPosition> {
    let text = query.take("cursor")?;
    let position = decode_position(text.trim());
    if position.is_none() {
        query.reject("cursor", FieldErrorKind::PatternMismatch(POSITION_CURSOR_PATTERN.into()));
    }
    position
}

/// 200 with the events as a JSON array and, when the page is full, a
/// `Link: rel="next"` setting `name` to what `next` makes of the last one.
fn events_response(
    request: &HttpRequest,
    events: &[LoggedEvent],
    limit: u32,
    name: &str,
    next: impl Fn(&LoggedEvent) -> String,
) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    if events.len() == limit as usize
        && let Some(last) = events.last()
    {
        response.insert_header((header::LINK, next_link_with(request, name, &next(last))));
    }
    let body: Vec<&DomainEvent> = events.iter().map(|logged| &logged.event).collect();
    response.json(body)
}

/// `GET /api/v1/events/history`: the durable event log, newest first, or
/// oldest first after an event for tailing.
///
/// # Errors
/// 422 for unknown parameters, a bad `limit`, `cursor`, `after` or
/// `entity_type`.
#[utoipa::path(
    get,
    path = "/api/v1/events/history",
    tag = "events",
    operation_id = "event_history",
    summary = "The durable event log",
    description = "Every retained event (`TRM__EVENTS__RETENTION_DAYS`, default 30), newest first, paged by the \
                   `Link: rel=\"next\"` header. With `after=<event_id>`: the events after that one, oldest \
                   first, for tailing (from the oldest retained when the id is no longer held); the next page's \
                   link carries the last event's id.",
    params(EventHistoryQuery),
    responses(
        (status = 200, description = "Events.", body = Vec<EventResponse>,
         headers(("Link" = String, description = "`<…>; rel=\"next\"` when more events follow."))),
        (status = 422, response = InvalidRequest),
    )
)]
pub(crate) async fn history(request: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut query = QueryParams::parse(request.query_string())?;
    let limit = take_limit(&mut query, DEFAULT_HISTORY);
    let event_types = query.take_all("event_type");
    let entity_type = query.take("entity_type").map(|text| text.trim().to_ascii_lowercase());
    if entity_type.as_deref().is_some_and(|text| !ENTITY_TYPES.contains(&text)) {
        query.reject("entity_type", FieldErrorKind::Enum(ENTITY_TYPES.map(str::to_owned).to_vec()));
    }
    // Ids match exactly: text that is not an id matches nothing.
    let entity_id = query.take("entity_id").map(|text| Uuid::parse_str(text.trim()).unwrap_or_else(|_| Uuid::nil()));
    let before = take_position(&mut query);
    let after = query
        .take("after")
        .and_then(|text| Uuid::parse_str(text.trim()).map_err(|_| query.reject("after", FieldErrorKind::Uuid)).ok());
    query.finish()?;
    let filter = EventFilter { event_types, entity_type, entity_id };
    match after {
        Some(event_id) => {
            let from = state.history.resume_point(event_id).await?;
            let events = state.history.after(filter, from, limit).await?;
            Ok(events_response(&request, &events, limit, "after", |last| last.event.event_id.to_string()))
        }
        None => {
            let events = state.history.newest(filter, before, limit).await?;
            Ok(events_response(&request, &events, limit, "cursor", |last| encode_position(last.position)))
        }
    }
}

/// One entity's history, oldest first.
async fn entity_history(
    request: &HttpRequest,
    state: &AppState,
    kind: EntityKind,
    uid: &str,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(uid, kind)?;
    let mut query = QueryParams::parse(request.query_string())?;
    let limit = take_limit(&mut query, DEFAULT_HISTORY);
    let after = take_position(&mut query).unwrap_or(EventPosition::START);
    query.finish()?;
    let events = state.history.entity_history(kind, id, after, limit).await?;
    Ok(events_response(request, &events, limit, "cursor", |last| encode_position(last.position)))
}

/// `GET /api/v1/tasks/{uid}/history`: the task's events, oldest first.
///
/// # Errors
/// 404 for an id that never had an event; 422 for a bad query.
#[utoipa::path(
    get,
    path = "/api/v1/tasks/{uid}/history",
    tag = "tasks",
    operation_id = "task_history",
    summary = "A task's history",
    description = "Every retained event about the task, oldest first, paged by `Link: rel=\"next\"`; still \
                   answered after the task was deleted.",
    params(("uid" = String, Path, description = "The task's id."), EntityHistoryQuery),
    responses(
        (status = 200, description = "The task's events, oldest first.", body = Vec<EventResponse>,
         headers(("Link" = String, description = "`<…>; rel=\"next\"` when more events follow."))),
        (status = 404, response = TaskNotFound),
        (status = 422, response = InvalidRequest),
    )
)]
pub(crate) async fn task_history(
    request: HttpRequest,
    uid: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    entity_history(&request, &state, EntityKind::Task, &uid).await
}

/// `GET /api/v1/projects/{uid}/history`: the project's events, oldest first.
///
/// # Errors
/// 404 for an id that never had an event; 422 for a bad query.
#[utoipa::path(
    get,
    path = "/api/v1/projects/{uid}/history",
    tag = "projects",
    operation_id = "project_history",
    summary = "A project's history",
    description = "Every retained event about the project, oldest first, paged by `Link: rel=\"next\"`; \
                   still answered after the project was deleted.",
    params(("uid" = String, Path, description = "The project's id."), EntityHistoryQuery),
    responses(
        (status = 200, description = "The project's events, oldest first.", body = Vec<EventResponse>,
         headers(("Link" = String, description = "`<…>; rel=\"next\"` when more events follow."))),
        (status = 404, response = ProjectNotFound),
        (status = 422, response = InvalidRequest),
    )
)]
pub(crate) async fn project_history(
    request: HttpRequest,
    uid: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    entity_history(&request, &state, EntityKind::Project, &uid).await
}

/// `GET /api/v1/users/{uid}/history`: the user's events, oldest first.
///
/// # Errors
/// 404 for an id that never had an event; 422 for a bad query.
#[utoipa::path(
    get,
    path = "/api/v1/users/{uid}/history",
    tag = "users",
    operation_id = "user_history",
    summary = "A user's history",
    description = "Every retained event about the user, oldest first, paged by `Link: rel=\"next\"`; still \
                   answered after the user was deleted.",
    params(("uid" = String, Path, description = "The user's id."), EntityHistoryQuery),
    responses(
        (status = 200, description = "The user's events, oldest first.", body = Vec<EventResponse>,
         headers(("Link" = String, description = "`<…>; rel=\"next\"` when more events follow."))),
        (status = 404, response = UserNotFound),
        (status = 422, response = InvalidRequest),
    )
)]
pub(crate) async fn user_history(
    request: HttpRequest,
    uid: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    entity_history(&request, &state, EntityKind::User, &uid).await
}
