//! The webhook bodies: `POST /api/v1/webhooks` and
//! `PATCH /api/v1/webhooks/{id}`.
//!
//! The conversions check shapes (a URL string, a list of strings); which
//! event types exist and which destinations may be called is the service's
//! to say, in the same 422 shape.

use serde::Deserialize;
use serde_json::{Map, Value};
use trm_domain::{FieldError, FieldErrorKind, FieldPath, ValidationErrors, WebhookUrl};
use trm_service::{NewWebhook, WebhookPatch};
use utoipa::ToSchema;

use super::RequestBody;
use super::field::{Field, Problems, named};
use crate::error::ApiError;
use crate::schemas::webhook::EventTypeSchema;
use crate::values;

/// The longest description.
const MAX_DESCRIPTION: usize = 1000;

/// The most event types a subscription names.
const MAX_EVENT_TYPES: usize = 20;

/// The body of `POST /api/v1/webhooks`, as sent; converts into a
/// [`NewWebhook`].
#[derive(Debug, Deserialize, ToSchema)]
#[schema(
    as = WebhookCreate,
    description = "A new subscription. It receives the events committed after its creation, signed per the \
                   Standard Webhooks specification with the secret of the answer (shown only there).",
    example = json!({"url": "https://hooks.example.com/trm", "event_types": ["task.created"], "description": "agents"})
)]
pub struct WebhookCreateBody {
    /// An absolute `http` or `https` URL; hosts resolving to loopback,
    /// private or link-local addresses are refused unless the server allows
    /// private destinations.
    #[schema(value_type = String, required = true, max_length = 2048, pattern = r"^https?://[A-Za-z0-9][A-Za-z0-9.-]*(:[0-9]{1,5})?([/?#][!-~]*)?$")]
    #[serde(default)]
    pub url: Field,
    /// The event types to receive (`task.created`, …); empty or absent: all.
    #[schema(max_items = 20, nullable = false, value_type = Option<Vec<EventTypeSchema>>)]
    #[serde(default)]
    pub event_types: Field,
    /// What it is for; at most 1,000 characters.
    #[schema(value_type = Option<String>, max_length = 1000)]
    #[serde(default)]
    pub description: Field,
    /// Every property the body does not name: each is a 422 (`extra_forbidden`).
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: Map<String, Value>,
}

/// The body of `PATCH /api/v1/webhooks/{id}`, as sent; converts into a
/// [`WebhookPatch`]: absent fields are kept, `null` clears `description`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(
    as = WebhookUpdate,
    description = "A change to a subscription: properties present are changed, absent are kept; `null` clears \
                   `description`. `\"active\": true` re-activates a disabled subscription, which resumes with \
                   the event that exhausted its retry schedule.",
    example = json!({"active": true})
)]
pub struct WebhookUpdateBody {
    /// A new destination.
    #[schema(
        value_type = Option<String>,
        max_length = 2048,
        nullable = false,
        pattern = r"^https?://[A-Za-z0-9][A-Za-z0-9.-]*(:[0-9]{1,5})?([/?#][!-~]*)?$"
    )]
    #[serde(default)]
    pub url: Field,
    /// New event types; empty: all.
    #[schema(max_items = 20, nullable = false, value_type = Option<Vec<EventTypeSchema>>)]
    #[serde(default)]
    pub event_types: Field,
    /// A new description; `null` clears it.
    #[schema(value_type = Option<String>, max_length = 1000)]
    #[serde(default)]
    pub description: Field,
    /// Disable (`false`) or re-activate (`true`).
    #[schema(value_type = Option<bool>, nullable = false)]
    #[serde(default)]
    pub active: Field,
    /// Every property the body does not name: each is a 422 (`extra_forbidden`).
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: Map<String, Value>,
}

fn url(value: &Value) -> Result<WebhookUrl, FieldErrorKind> {
    WebhookUrl::parse(values::string(value)?)
}

/// A description as sent, at most [`MAX_DESCRIPTION`] characters, stored
/// trimmed. The bound is on the text sent, as the OpenAPI document's
/// `maxLength` says: 1,001 spaces are too long, not an empty description.
fn description(value: &Value) -> Result<String, FieldErrorKind> {
    let text = values::string(value)?;
    if text.chars().count() > MAX_DESCRIPTION {
        return Err(FieldErrorKind::StringTooLong(MAX_DESCRIPTION));
    }
    Ok(text.trim().to_owned())
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

impl RequestBody for WebhookCreateBody {
    type Value = NewWebhook;
}

impl TryFrom<WebhookCreateBody> for NewWebhook {
    type Error = ApiError;

    /// # Errors
    /// A 422 listing every problem of shape; unknown fields included.
    fn try_from(body: WebhookCreateBody) -> Result<Self, ApiError> {
        let mut problems = Problems::new();
        let url = problems.required(named!(body.url), url);
        let event_types = problems.optional_multi(named!(body.event_types), event_types);
        let description = problems.nullable(named!(body.description), description).flatten();
        let new = url.map(|url| Self { url, event_types: event_types.unwrap_or_default(), description });
        problems.finish(&body.unknown, new)
    }
}

impl RequestBody for WebhookUpdateBody {
    type Value = WebhookPatch;
}

impl TryFrom<WebhookUpdateBody> for WebhookPatch {
    type Error = ApiError;

    /// # Errors
    /// A 422 listing every problem of shape; unknown fields included.
    fn try_from(body: WebhookUpdateBody) -> Result<Self, ApiError> {
        let mut problems = Problems::new();
        let patch = Self {
            url: problems.optional(named!(body.url), url),
            event_types: problems.optional_multi(named!(body.event_types), event_types),
            description: problems.nullable(named!(body.description), description),
            active: problems.optional(named!(body.active), values::boolean),
        };
        problems.finish(&body.unknown, Some(patch))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_description_is_stored_trimmed() {
        assert_eq!(description(&json!("  Notifier  ")), Ok("Notifier".to_owned()));
    }

    #[test]
    fn a_description_longer_than_its_bound_is_rejected_even_if_it_trims_shorter() {
        let blank = "\r".repeat(MAX_DESCRIPTION + 1);
        assert_eq!(description(&json!(blank)), Err(FieldErrorKind::StringTooLong(MAX_DESCRIPTION)));
        let padded = format!(" {} ", "x".repeat(MAX_DESCRIPTION - 1));
        assert_eq!(description(&json!(padded)), Err(FieldErrorKind::StringTooLong(MAX_DESCRIPTION)));
        let longest = "x".repeat(MAX_DESCRIPTION);
        assert_eq!(description(&json!(longest)), Ok(longest));
    }
}
