//! Event bodies: the SSE stream's `data:` and the history's items.

use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

/// One domain event, as the SSE stream's `data:` and the history carry it.
#[derive(Debug, Clone, ToSchema)]
#[allow(dead_code)] // a documentation type: the served JSON is the domain event's
pub(crate) struct EventResponse {
    /// Unique id; the SSE `id:` field, and what `Last-Event-ID` resumes after.
    #[schema(format = Uuid)]
    pub event_id: String,
    /// `task.created`, `task.updated`, `task.completed`, `task.deleted`, and
    /// the same `created`/`updated`/`deleted` for `project.` and `user.`.
    #[schema(example = "task.created")]
    pub event_type: String,
    /// When the event happened (RFC 3339, UTC, microseconds).
    #[schema(format = DateTime, example = "2026-11-26T03:12:45.123456Z")]
    pub timestamp: String,
    /// `task`, `project` or `user`.
    #[schema(example = "task")]
    pub entity_type: String,
    /// The entity's id.
    #[schema(format = Uuid)]
    pub entity_id: String,
    /// The entity after the change; `{"uid": …}` for a deletion.
    #[schema(value_type = Object)]
    pub data: Value,
    /// `{"request_id": …}`: the `x-request-id` of the request that caused it.
    #[schema(value_type = Object)]
    pub metadata: Value,
}

/// The query of `GET /api/v1/events`.
#[derive(Debug, Clone, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // a documentation type: the handler reads the query itself
pub(crate) struct EventStreamQuery {
    /// Only events of this type; repeat for several.
    #[param(style = Form, explode, example = json!(["task.created"]))]
    pub event_type: Option<Vec<String>>,
}

/// The query of `GET /api/v1/events/history`.
#[derive(Debug, Clone, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // a documentation type: the handler reads the query itself
pub(crate) struct EventHistoryQuery {
    /// At most this many events (1–1000, default 100).
    #[param(minimum = 1, maximum = 1000, example = 100)]
    pub limit: Option<i64>,
    /// Only events of this type; repeat for several.
    #[param(style = Form, explode, example = json!(["task.completed"]))]
    pub event_type: Option<Vec<String>>,
    /// Only events about entities of this type.
    #[param(pattern = "^(task|project|user)$", example = "task")]
    pub entity_type: Option<String>,
    /// Only events about this entity. Ids match exactly: a value that is not
    /// an id matches nothing.
    #[param(example = "3f0b6c9e-1c2d-4e5f-8a9b-0c1d2e3f4a5b")]
    pub entity_id: Option<String>,
    /// The next page, newest first: from a `Link: rel="next"` header.
    #[param(pattern = "^[A-Za-z0-9_-]{12}$", example = "AAAAAAAAAAAB")]
    pub cursor: Option<String>,
    /// The events after this one, oldest first (for tailing).
    #[param(format = Uuid, example = "3f0b6c9e-1c2d-4e5f-8a9b-0c1d2e3f4a5b")]
    pub after: Option<String>,
}

/// The query of an entity's history (`GET /api/v1/tasks/{uid}/history`, …).
#[derive(Debug, Clone, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // a documentation type: the handler reads the query itself
pub(crate) struct EntityHistoryQuery {
    /// At most this many events (1–1000, default 100).
    #[param(minimum = 1, maximum = 1000, example = 100)]
    pub limit: Option<i64>,
    /// The next page: from a `Link: rel="next"` header.
    #[param(pattern = "^[A-Za-z0-9_-]{12}$", example = "AAAAAAAAAAAB")]
    pub cursor: Option<String>,
}
