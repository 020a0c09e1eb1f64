//! `/api/v1/webhooks`: subscriptions to the event log, their delivery log,
//! redelivery and ping. Every route needs a write key once keys exist
//! (see [`crate::access`]): managing webhooks decides where the server
//! sends data.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use trm_domain::{Cursor, DeliveryId, EntityKind, FieldErrorKind, WebhookId};

use super::path_id;
use crate::AppState;
use crate::body::JsonObject;
use crate::error::ApiError;
use crate::paging::{CURSOR_PATTERN, decode_cursor, encode_cursor, next_link_with};
use crate::query::QueryParams;
use crate::schemas::errors::{
    DeliveryNotFound, InvalidRequest, PayloadTooLarge, Unavailable, UnsupportedMediaType, WebhookNotFound,
};
use crate::schemas::webhook::{DeliveryResponse, WebhookCreated, WebhookResponse};
use crate::wire::{self, WebhookCreateBody, WebhookUpdateBody};

/// The default and largest page of deliveries.
const DEFAULT_DELIVERIES: u32 = 50;
const MAX_DELIVERIES: u32 = 500;

/// Refuses any query parameter: these routes take none.
fn no_query(request: &HttpRequest) -> Result<(), ApiError> {
    QueryParams::parse(request.query_string())?.finish()
}

fn webhook_id(text: &str) -> Result<WebhookId, ApiError> {
    path_id(text, EntityKind::Webhook).map(WebhookId::from_uuid)
}

/// `POST /api/v1/webhooks`: 201 with the subscription and its secret.
///
/// # Errors
/// 422 for an invalid body, an unknown event type or a refused destination.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks",
    tag = "webhooks",
    operation_id = "create_webhook",
    summary = "Subscribe a webhook",
    description = "Subscribes a URL to the events committed from now on (all, or the `event_types` named). Each \
                   delivery is a `POST` of the event's JSON with the Standard Webhooks headers `webhook-id`, \
                   `webhook-timestamp` and `webhook-signature` (`v1,<base64 HMAC-SHA256>` of \
                   `{id}.{timestamp}.{body}` keyed with the secret), plus `x-trm-event`. At least once, in log \
                   order; retried with backoff; the answer's `secret` is shown only here.",
    request_body(content = WebhookCreateBody, content_type = "application/json"),
    responses(
        (status = 201, description = "The subscription, with its secret.", body = WebhookCreated,
         headers(("Location" = String, description = "The subscription's URL."))),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidRequest),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn create(
    request: HttpRequest,
    state: web::Data<AppState>,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    no_query(&request)?;
    let new = wire::read::<WebhookCreateBody>(body.0)?;
    let webhook = state.webhooks.create_webhook(new).await?;
    let location = format!("/api/v1/webhooks/{}", webhook.id);
    Ok(HttpResponse::Created().insert_header((header::LOCATION, location)).json(WebhookCreated::from(webhook)))
}

/// `GET /api/v1/webhooks`: every subscription, oldest first.
///
/// # Errors
/// 422 for unknown parameters.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks",
    tag = "webhooks",
    operation_id = "list_webhooks",
    summary = "List webhooks",
    description = "Every subscription, oldest first, without their secrets.",
    responses(
        (status = 200, description = "The subscriptions.", body = Vec<WebhookResponse>),
        (status = 422, response = InvalidRequest),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn list(request: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    no_query(&request)?;
    let webhooks = state.webhooks.list_webhooks().await?;
    Ok(HttpResponse::Ok().json(webhooks.into_iter().map(WebhookResponse::from).collect::<Vec<_>>()))
}

/// `GET /api/v1/webhooks/{id}`.
///
/// # Errors
/// 404 for an unknown id.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks/{id}",
    tag = "webhooks",
    operation_id = "get_webhook",
    summary = "Read a webhook",
    params(("id" = String, Path, description = "The subscription's id.")),
    responses(
        (status = 200, description = "The subscription, without its secret.", body = WebhookResponse),
        (status = 404, response = WebhookNotFound),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn get(
    request: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    no_query(&request)?;
    let webhook = state.webhooks.get_webhook(webhook_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(WebhookResponse::from(webhook)))
}

/// `PATCH /api/v1/webhooks/{id}`.
///
/// # Errors
/// 422 for an invalid body; 404 for an unknown id.
#[utoipa::path(
    patch,
    path = "/api/v1/webhooks/{id}",
    tag = "webhooks",
    operation_id = "update_webhook",
    summary = "Change a webhook",
    description = "Changes `url`, `event_types`, `description` or `active`. Re-activating a subscription \
                   disabled by an exhausted retry schedule resumes with the event that exhausted it, then every \
                   event after it, in order.",
    params(("id" = String, Path, description = "The subscription's id.")),
    request_body(content = WebhookUpdateBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The subscription as it now is.", body = WebhookResponse),
        (status = 404, response = WebhookNotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidRequest),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn update(
    request: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    no_query(&request)?;
    let patch = wire::read::<WebhookUpdateBody>(body.0)?;
    let webhook = state.webhooks.update_webhook(webhook_id(&id)?, patch).await?;
    Ok(HttpResponse::Ok().json(WebhookResponse::from(webhook)))
}

/// `DELETE /api/v1/webhooks/{id}`: 204.
///
/// # Errors
/// 404 for an unknown id.
#[utoipa::path(
    delete,
    path = "/api/v1/webhooks/{id}",
    tag = "webhooks",
    operation_id = "delete_webhook",
    summary = "Delete a webhook",
    description = "Unsubscribes; its delivery log goes with it.",
    params(("id" = String, Path, description = "The subscription's id.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, response = WebhookNotFound),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn delete(
    request: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    no_query(&request)?;
    state.webhooks.delete_webhook(webhook_id(&id)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /api/v1/webhooks/{id}/deliveries`: newest first, paged.
///
/// # Errors
/// 404 for an unknown id; 422 for a bad query.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks/{id}/deliveries",
    tag = "webhooks",
    operation_id = "list_webhook_deliveries",
    summary = "A webhook's delivery log",
    description = "Its deliveries, newest first, each with every attempt; paged by `Link: rel=\"next\"`.",
    params(
        ("id" = String, Path, description = "The subscription's id."),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, example = 50, description = "At most this many (1–500, default 50)."),
        ("cursor" = Option<String>, Query, pattern = "^[A-Za-z0-9_-]{32}$", example = "AAYVPJ8Mx2s_C2xuVW5MRdKSh8Q7ROjL", description = "The next page: from a `Link` header."),
    ),
    responses(
        (status = 200, description = "Deliveries, newest first.", body = Vec<DeliveryResponse>,
         headers(("Link" = String, description = "`<…>; rel=\"next\"` when more follow."))),
        (status = 404, response = WebhookNotFound),
        (status = 422, response = InvalidRequest),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn deliveries(
    request: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = webhook_id(&id)?;
    let mut query = QueryParams::parse(request.query_string())?;
    let limit = match query.take("limit").map(|text| text.trim().parse::<u32>()) {
        None => DEFAULT_DELIVERIES,
        Some(Ok(limit)) if (1..=MAX_DELIVERIES).contains(&limit) => limit,
        Some(_) => {
            query.reject("limit", FieldErrorKind::LessThanEqual(MAX_DELIVERIES.to_string()));
            DEFAULT_DELIVERIES
        }
    };
    let before: Option<Cursor> = query.take("cursor").and_then(|text| {
        decode_cursor(text.trim())
            .ok_or_else(|| query.reject("cursor", FieldErrorKind::PatternMismatch(CURSOR_PATTERN.into())))
            .ok()
    });
    query.finish()?;
    let deliveries = state.webhooks.deliveries(id, before, limit).await?;
    let mut response = HttpResponse::Ok();
    if deliveries.len() == limit as usize
        && let Some(last) = deliveries.last()
    {
        let cursor = Cursor::new(last.created_at, *last.id.as_uuid());
        response.insert_header((header::LINK, next_link_with(&request, "cursor", &encode_cursor(&cursor))));
    }
    Ok(response.json(deliveries.into_iter().map(DeliveryResponse::from).collect::<Vec<_>>()))
}

/// `POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver`: 202.
///
/// # Errors
/// 404 for an unknown subscription or delivery.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver",
    tag = "webhooks",
    operation_id = "redeliver_webhook_delivery",
    summary = "Redeliver",
    description = "Sends the delivery again, as a new attempt with the same `webhook-id`, as soon as possible.",
    params(
        ("id" = String, Path, description = "The subscription's id."),
        ("delivery_id" = String, Path, description = "The delivery's id."),
    ),
    responses(
        (status = 202, description = "Queued; the delivery as it now is.", body = DeliveryResponse),
        (status = 404, response = DeliveryNotFound),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn redeliver(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    no_query(&request)?;
    let (id, delivery) = path.into_inner();
    let id = webhook_id(&id)?;
    let delivery = path_id(&delivery, EntityKind::Delivery).map(DeliveryId::from_uuid)?;
    let delivery = state.webhooks.redeliver(id, delivery).await?;
    Ok(HttpResponse::Accepted().json(DeliveryResponse::from(delivery)))
}

/// `POST /api/v1/webhooks/{id}/ping`: 202 with the queued ping.
///
/// # Errors
/// 404 for an unknown id.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks/{id}/ping",
    tag = "webhooks",
    operation_id = "ping_webhook",
    summary = "Ping a webhook",
    description = "Queues a `webhook.ping` delivery, signed like every other.",
    params(("id" = String, Path, description = "The subscription's id.")),
    responses(
        (status = 202, description = "Queued.", body = DeliveryResponse),
        (status = 404, response = WebhookNotFound),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn ping(
    request: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    no_query(&request)?;
    let delivery = state.webhooks.ping(webhook_id(&id)?).await?;
    Ok(HttpResponse::Accepted().json(DeliveryResponse::from(delivery)))
}
