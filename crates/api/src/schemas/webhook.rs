//! Webhook responses (the subscription, its deliveries), and the event
//! types and URLs as documented (the request bodies are in
//! [`crate::wire`]).

use serde::Serialize;
use trm_domain::{Attempt, Delivery, DeliveryId, DeliveryState, Timestamp, Webhook, WebhookId, WebhookUrl};
use utoipa::ToSchema;

/// A subscription as the API returns it (without its secret).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = Webhook, example = json!({
    "id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "url": "https://hooks.example.com/trm",
    "event_types": ["task.created"], "description": "New tasks to the agents", "active": true,
    "disabled_reason": null, "created_at": "2026-11-26T03:12:45.123456Z",
    "updated_at": "2026-11-26T03:12:45.123456Z"
}))]
pub(crate) struct WebhookResponse {
    /// Server-generated UUID.
    #[schema(value_type = String, format = Uuid)]
    pub id: WebhookId,
    /// Where deliveries go.
    #[schema(value_type = String)]
    pub url: WebhookUrl,
    /// The event types it receives; empty: all.
    pub event_types: Vec<String>,
    /// What it is for.
    #[schema(required = true)]
    pub description: Option<String>,
    /// Whether deliveries are made.
    pub active: bool,
    /// Why it was disabled (its retry schedule ran out), or `null`.
    #[schema(required = true)]
    pub disabled_reason: Option<String>,
    /// Creation time (UTC, microseconds).
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Last change (UTC, microseconds).
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<Webhook> for WebhookResponse {
    fn from(webhook: Webhook) -> Self {
        Self {
            id: webhook.id,
            url: webhook.url,
            event_types: webhook.event_types,
            description: webhook.description,
            active: webhook.active,
            disabled_reason: webhook.disabled_reason,
            created_at: webhook.created_at,
            updated_at: webhook.updated_at,
        }
    }
}

/// The answer to a subscription's creation: the subscription and its
/// secret, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "url": "https://hooks.example.com/trm",
    "event_types": ["task.created"], "description": "New tasks to the agents", "active": true,
    "disabled_reason": null, "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    "created_at": "2026-11-26T03:12:45.123456Z", "updated_at": "2026-11-26T03:12:45.123456Z"
}))]
pub(crate) struct WebhookCreated {
    /// Server-generated UUID.
    #[schema(value_type = String, format = Uuid)]
    pub id: WebhookId,
    /// Where deliveries go.
    #[schema(value_type = String)]
    pub url: WebhookUrl,
    /// The event types it receives; empty: all.
    pub event_types: Vec<String>,
    /// What it is for.
    #[schema(required = true)]
    pub description: Option<String>,
    /// Whether deliveries are made: `true`.
    pub active: bool,
    /// `null`.
    #[schema(required = true)]
    pub disabled_reason: Option<String>,
    /// The signing secret, `whsec_` and the base64 of its key: verify
    /// deliveries with it. Shown only here.
    #[schema(pattern = "^whsec_[A-Za-z0-9+/]+={0,2}$")]
    pub secret: String,
    /// Creation time (UTC, microseconds).
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Last change (UTC, microseconds).
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<Webhook> for WebhookCreated {
    fn from(webhook: Webhook) -> Self {
        Self {
            secret: webhook.secret.expose().to_owned(),
            id: webhook.id,
            url: webhook.url,
            event_types: webhook.event_types,
            description: webhook.description,
            active: webhook.active,
            disabled_reason: webhook.disabled_reason,
            created_at: webhook.created_at,
            updated_at: webhook.updated_at,
        }
    }
}

/// One attempt at a delivery.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub(crate) struct AttemptResponse {
    /// When it was made.
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// The receiver's status code, or `null` when none came.
    #[schema(required = true)]
    pub status_code: Option<u16>,
    /// How long it took.
    pub duration_ms: u64,
    /// What went wrong, or `null`.
    #[schema(required = true)]
    pub error: Option<String>,
}

impl From<Attempt> for AttemptResponse {
    fn from(attempt: Attempt) -> Self {
        Self {
            at: attempt.at,
            status_code: attempt.status_code,
            duration_ms: attempt.duration_ms,
            error: attempt.error,
        }
    }
}

/// One event (or ping) on its way to a subscription.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = WebhookDelivery)]
pub(crate) struct DeliveryResponse {
    /// Its `webhook-id`, the same on every attempt.
    #[schema(value_type = String, format = Uuid)]
    pub id: DeliveryId,
    /// The event delivered.
    #[schema(value_type = String, format = Uuid)]
    pub event_id: uuid::Uuid,
    /// Its type; `webhook.ping` for a ping.
    pub event_type: String,
    /// `pending`, `succeeded` or `failed`.
    #[schema(value_type = String, pattern = "^(pending|succeeded|failed)$")]
    pub state: DeliveryState,
    /// Every attempt, oldest first.
    pub attempts: Vec<AttemptResponse>,
    /// When the next attempt is due, while pending.
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub next_attempt_at: Option<Timestamp>,
}

impl From<Delivery> for DeliveryResponse {
    fn from(delivery: Delivery) -> Self {
        Self {
            id: delivery.id,
            event_id: delivery.event_id,
            event_type: delivery.event_type,
            state: delivery.state,
            attempts: delivery.attempts.into_iter().map(AttemptResponse::from).collect(),
            next_attempt_at: delivery.next_attempt_at,
        }
    }
}

/// An event type a subscription may name: documents
/// [`trm_service::webhooks::EVENT_TYPES`].
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[schema(as = WebhookEventType)]
#[allow(dead_code)] // a documentation type: the reader takes strings and the service checks them
pub(crate) enum EventTypeSchema {
    /// A task was created.
    #[serde(rename = "task.created")]
    TaskCreated,
    /// A task changed.
    #[serde(rename = "task.updated")]
    TaskUpdated,
    /// A task's status became `done`.
    #[serde(rename = "task.completed")]
    TaskCompleted,
    /// A task was deleted.
    #[serde(rename = "task.deleted")]
    TaskDeleted,
    /// A project was created.
    #[serde(rename = "project.created")]
    ProjectCreated,
    /// A project changed.
    #[serde(rename = "project.updated")]
    ProjectUpdated,
    /// A project was deleted.
    #[serde(rename = "project.deleted")]
    ProjectDeleted,
    /// A user was created.
    #[serde(rename = "user.created")]
    UserCreated,
    /// A user changed.
    #[serde(rename = "user.updated")]
    UserUpdated,
    /// A user was deleted.
    #[serde(rename = "user.deleted")]
    UserDeleted,
}
