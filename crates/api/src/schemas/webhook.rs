//! Webhook bodies: the subscription and delivery responses, the body
//! readers, and the documentation types of the request bodies (see
//! [`super::task`] for why those are separate types).
//!
//! The readers check shapes (a URL string, a list of strings); which event
//! types exist and which destinations may be called is the service's to
//! say, in the same 422 shape.

use serde::Serialize;
use serde_json::{Map, Value};
use trm_domain::{
    Attempt, Delivery, DeliveryId, DeliveryState, FieldError, FieldErrorKind, FieldPath, Timestamp, ValidationErrors,
    Webhook, WebhookId, WebhookUrl,
};
use trm_service::{NewWebhook, WebhookPatch};
use utoipa::ToSchema;

use crate::body::BodyFields;
use crate::error::ApiError;
use crate::values;

/// The longest description.
const MAX_DESCRIPTION: usize = 1000;

/// The most event types a subscription names.
const MAX_EVENT_TYPES: usize = 20;

/// A subscription as the API returns it (without its secret).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = Webhook, example = json!({
    "id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "url": "https://hooks.example.com/trm",
    "event_types": ["task.created"], "description": "New tasks to the agents", "active": true,
    "disabled_reason": null, "created_at": "2026-11-26T03:12:45.123456Z",
    "updated_at": "2026-11-26T03:12:45.123456Z"
}))]
pub struct WebhookResponse {
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
pub struct WebhookCreated {
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
pub struct AttemptResponse {
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
pub struct DeliveryResponse {
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

fn url(value: &Value) -> Result<WebhookUrl, FieldErrorKind> {
    WebhookUrl::parse(values::string(value)?)
}

fn description(value: &Value) -> Result<String, FieldErrorKind> {
    let text = values::string(value)?.trim();
    if text.chars().count() > MAX_DESCRIPTION {
        return Err(FieldErrorKind::StringTooLong(MAX_DESCRIPTION));
    }
    Ok(text.to_owned())
}

fn event_types(value: &Value) -> Result<Vec<String>, ValidationErrors> {
    let Some(items) = value.as_array() else {
        return Err(FieldError::new("event_types", FieldErrorKind::WrongType("list")).into());
    };
    if items.len() > MAX_EVENT_TYPES {
        return Err(FieldError::new("event_types", FieldErrorKind::TooLong(MAX_EVENT_TYPES)).into());
    }
    let mut errors = ValidationErrors::new();
    let mut types = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        match item.as_str() {
            Some(text) if !types.iter().any(|known: &String| known == text) => types.push(text.to_owned()),
            Some(_) => {}
            None => errors.push(FieldError::at(
                FieldPath::field("event_types").index(index),
                FieldErrorKind::WrongType("string"),
            )),
        }
    }
    if errors.is_empty() { Ok(types) } else { Err(errors) }
}

/// Reads a create body into a [`NewWebhook`].
///
/// # Errors
/// A 422 listing every problem of shape; unknown fields included.
pub fn new_webhook(body: Map<String, Value>) -> Result<NewWebhook, ApiError> {
    let mut fields = BodyFields::new(body);
    let url = fields.required("url", url);
    let event_types = fields.optional_multi("event_types", event_types);
    let description = fields.nullable("description", description).flatten();
    let new = url.map(|url| NewWebhook { url, event_types: event_types.unwrap_or_default(), description });
    fields.finish(new)
}

/// Reads a PATCH body into a [`WebhookPatch`]: absent fields are kept,
/// `null` clears `description`.
///
/// # Errors
/// A 422 listing every problem of shape; unknown fields included.
pub fn webhook_patch(body: Map<String, Value>) -> Result<WebhookPatch, ApiError> {
    let mut fields = BodyFields::new(body);
    let patch = WebhookPatch {
        url: fields.optional("url", url),
        event_types: fields.optional_multi("event_types", event_types),
        description: fields.nullable("description", description),
        active: fields.optional("active", values::boolean),
    };
    fields.finish(Some(patch))
}

/// The URL a subscription may name, as its pattern: `http` or `https`, a
/// host of letters, digits, dots and dashes, an optional port, then any
/// path. (The server also takes IPv6 literals in brackets.)
pub const URL_PATTERN: &str = r"^https?://[A-Za-z0-9][A-Za-z0-9.-]*(:[0-9]{1,5})?([/?#][!-~]*)?$";

/// An event type a subscription may name: documents
/// [`trm_service::webhooks::EVENT_TYPES`].
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[schema(as = WebhookEventType)]
#[allow(dead_code)] // a documentation type: the reader takes strings and the service checks them
pub enum EventTypeSchema {
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

/// The body of `POST /api/v1/webhooks`: documents what [`new_webhook`] reads.
#[derive(Debug, Clone, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    description = "A new subscription. It receives the events committed after its creation, signed per the \
                   Standard Webhooks specification with the secret of the answer (shown only there).",
    example = json!({"url": "https://hooks.example.com/trm", "event_types": ["task.created"], "description": "agents"})
)]
pub struct WebhookCreate {
    /// An absolute `http` or `https` URL; hosts resolving to loopback,
    /// private or link-local addresses are refused unless the server allows
    /// private destinations.
    #[schema(max_length = 2048, pattern = r"^https?://[A-Za-z0-9][A-Za-z0-9.-]*(:[0-9]{1,5})?([/?#][!-~]*)?$")]
    pub url: String,
    /// The event types to receive (`task.created`, …); empty or absent: all.
    #[schema(max_items = 20, nullable = false, value_type = Option<Vec<EventTypeSchema>>)]
    pub event_types: Option<Vec<String>>,
    /// What it is for; at most 1,000 characters.
    #[schema(max_length = 1000)]
    pub description: Option<String>,
}

/// The body of `PATCH /api/v1/webhooks/{id}`: documents what
/// [`webhook_patch`] reads.
#[derive(Debug, Clone, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    description = "A change to a subscription: properties present are changed, absent are kept; `null` clears \
                   `description`. `\"active\": true` re-activates a disabled subscription, which resumes with \
                   the event that exhausted its retry schedule.",
    example = json!({"active": true})
)]
pub struct WebhookUpdate {
    /// A new destination.
    #[schema(
        max_length = 2048,
        nullable = false,
        pattern = r"^https?://[A-Za-z0-9][A-Za-z0-9.-]*(:[0-9]{1,5})?([/?#][!-~]*)?$"
    )]
    pub url: Option<String>,
    /// New event types; empty: all.
    #[schema(max_items = 20, nullable = false, value_type = Option<Vec<EventTypeSchema>>)]
    pub event_types: Option<Vec<String>>,
    /// A new description; `null` clears it.
    #[schema(max_length = 1000)]
    pub description: Option<String>,
    /// Disable (`false`) or re-activate (`true`).
    #[schema(nullable = false)]
    pub active: Option<bool>,
}
