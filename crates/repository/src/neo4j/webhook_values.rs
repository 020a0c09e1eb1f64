//! Webhook subscriptions and deliveries to and from Bolt values, and the
//! reading of the columns the queries of [`super::webhooks`] return (their
//! `RETURN`s are in `queries::webhooks`).
//!
//! Every value read is re-validated through the domain's own parsers, as
//! for the other entities (see [`super::values`]): a node that fails
//! surfaces as an unexpected error naming the property.

use neo4rs::{BoltNull, BoltType, Row};
use trm_domain::{
    Attempt, Delivery, DeliveryId, DeliveryState, EventPosition, Timestamp, Webhook, WebhookId, WebhookSecret,
    WebhookUrl,
};

use super::values::{column_bool, column_integer, column_string, column_timestamp, column_uuid, datetime_param, map};
use crate::error::StoreError;
use crate::rules::position_value;

fn corrupt(column: &str, what: impl std::fmt::Display) -> StoreError {
    StoreError::Unexpected(anyhow::anyhow!("corrupt stored webhook value {column}: {what}"))
}

pub(super) fn column<'r, T: serde::Deserialize<'r>>(row: &'r Row, name: &str) -> Result<T, StoreError> {
    row.get(name).map_err(|error| corrupt(name, error))
}

fn optional_timestamp(row: &Row, name: &str) -> Result<Option<Timestamp>, StoreError> {
    match row.get::<BoltType>(name) {
        Ok(BoltType::Null(_)) => Ok(None),
        _ => column_timestamp(row, name).map(Some),
    }
}

pub(super) fn webhook_from_row(row: &Row) -> Result<Webhook, StoreError> {
    let secret = column_string(row, "secret")?;
    Ok(Webhook {
        id: WebhookId::from_uuid(column_uuid(row, "id")?),
        url: WebhookUrl::parse(&column_string(row, "url")?).map_err(|error| corrupt("url", format!("{error:?}")))?,
        event_types: column::<Option<Vec<String>>>(row, "event_types")?.unwrap_or_default(),
        description: column(row, "description")?,
        active: column_bool(row, "active")?,
        disabled_reason: column(row, "disabled_reason")?,
        secret: WebhookSecret::from_stored(&secret).ok_or_else(|| corrupt("secret", "not a webhook secret"))?,
        created_at: column_timestamp(row, "created_at")?,
        updated_at: column_timestamp(row, "updated_at")?,
        after: EventPosition(u64::try_from(column_integer(row, "after")?).map_err(|error| corrupt("after", error))?),
    })
}

pub(super) fn delivery_from_row(row: &Row) -> Result<Delivery, StoreError> {
    let state = column_string(row, "state")?;
    let attempts = column::<Option<Vec<String>>>(row, "attempts")?.unwrap_or_default();
    Ok(Delivery {
        id: DeliveryId::from_uuid(column_uuid(row, "id")?),
        webhook_id: WebhookId::from_uuid(column_uuid(row, "webhook_id")?),
        event_id: column_uuid(row, "event_id")?,
        event_type: column_string(row, "event_type")?,
        payload: column_string(row, "payload")?,
        state: DeliveryState::parse(&state).ok_or_else(|| corrupt("state", state.clone()))?,
        attempts: attempts
            .iter()
            .map(|text| serde_json::from_str(text).map_err(|error| corrupt("attempts", error)))
            .collect::<Result<_, _>>()?,
        next_attempt_at: optional_timestamp(row, "next_attempt_at")?,
        created_at: column_timestamp(row, "created_at")?,
    })
}

pub(super) fn optional_text(value: Option<&str>) -> BoltType {
    value.map_or(BoltType::Null(BoltNull), BoltType::from)
}

pub(super) fn optional_datetime(value: Option<Timestamp>) -> BoltType {
    value.map_or(BoltType::Null(BoltNull), datetime_param)
}

pub(super) fn attempt_json(attempt: &Attempt) -> Result<String, StoreError> {
    serde_json::to_string(attempt)
        .map_err(|error| StoreError::Unexpected(anyhow::Error::new(error).context("cannot encode an attempt")))
}

/// A delivery's stored properties (absent ones left out: `CREATE` stores
/// no `null`).
pub(super) fn delivery_props(delivery: &Delivery) -> Result<BoltType, StoreError> {
    let attempts = delivery.attempts.iter().map(attempt_json).collect::<Result<Vec<_>, _>>()?;
    let mut entries = vec![
        ("id", BoltType::from(delivery.id.to_string())),
        ("webhook_id", BoltType::from(delivery.webhook_id.to_string())),
        ("event_id", BoltType::from(delivery.event_id.to_string())),
        ("event_type", BoltType::from(delivery.event_type.as_str())),
        ("payload", BoltType::from(delivery.payload.as_str())),
        ("state", BoltType::from(delivery.state.as_str())),
        ("attempts", BoltType::from(attempts)),
        ("created_at", datetime_param(delivery.created_at)),
    ];
    if let Some(at) = delivery.next_attempt_at {
        entries.push(("next_attempt_at", datetime_param(at)));
    }
    Ok(map(entries))
}

/// A subscription's stored properties (absent ones left out: `CREATE`
/// stores no `null`), with the lock counter of [`super::webhooks`].
pub(super) fn webhook_props(webhook: &Webhook) -> BoltType {
    let mut entries = vec![
        ("id", BoltType::from(webhook.id.to_string())),
        ("url", BoltType::from(webhook.url.as_str())),
        ("event_types", BoltType::from(webhook.event_types.clone())),
        ("active", BoltType::from(webhook.active)),
        ("secret", BoltType::from(webhook.secret.expose())),
        ("created_at", datetime_param(webhook.created_at)),
        ("updated_at", datetime_param(webhook.updated_at)),
        ("after", BoltType::from(position_value(webhook.after))),
        ("lock_count", BoltType::from(0_i64)),
    ];
    if let Some(description) = &webhook.description {
        entries.push(("description", BoltType::from(description.as_str())));
    }
    if let Some(reason) = &webhook.disabled_reason {
        entries.push(("disabled_reason", BoltType::from(reason.as_str())));
    }
    map(entries)
}

/// The number in column `name` of the first row; 0 without one.
pub(super) fn count(rows: &[Row], name: &str) -> Result<i64, StoreError> {
    Ok(rows.first().map(|row| column_integer(row, name)).transpose()?.unwrap_or_default())
}
