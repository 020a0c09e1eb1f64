//! Reading JSON bodies: size limit, content type and syntax.
//!
//! Bodies are parsed into a JSON object here (duplicate properties: the last
//! one counts), then read as their body type and converted into domain
//! values by [`crate::wire`], which reports every problem at once and
//! rejects properties the body does not name — so no client can add
//! arbitrary properties to a stored entity.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::web::BytesMut;
use actix_web::{FromRequest, HttpRequest, dev::Payload};
use futures::StreamExt as _;
use serde_json::{Map, Value};
use trm_domain::{FieldError, FieldErrorKind, FieldPath};

use crate::error::{ApiError, Source};

/// The largest body accepted; larger ones get 413.
pub(crate) const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The most a task body can take on the wire: every text at its limit in
/// characters (title 200, description 10,000, 50 tags of 64), each
/// character 4 bytes of UTF-8, is 53,600 bytes; the ids, dates, numbers and
/// keys fit in the rest of 56 KiB.
pub(crate) const MAX_TASK_BODY_BYTES: usize = 56 * 1024;

/// The largest body of a bulk create: what its most tasks need at their
/// largest, and no more (the one route allowed past [`MAX_BODY_BYTES`]).
pub(crate) const MAX_BULK_BODY_BYTES: usize = trm_domain::MAX_TASKS_PER_BULK * MAX_TASK_BODY_BYTES;

/// A request body that is a JSON object of at most [`MAX_BODY_BYTES`].
#[derive(Debug)]
pub(crate) struct JsonObject(pub Map<String, Value>);

/// A request body that is a JSON object of at most [`MAX_BULK_BODY_BYTES`],
/// for the bulk create.
#[derive(Debug)]
pub(crate) struct BulkJsonObject(pub Map<String, Value>);

/// Whether a `Content-Type` says JSON (`application/json` or `…+json`).
/// A missing one is read as JSON too, as FastAPI does.
fn is_json(request: &HttpRequest) -> bool {
    let Some(value) = request.headers().get(header::CONTENT_TYPE) else {
        return true;
    };
    let Ok(text) = value.to_str() else {
        return false;
    };
    let essence = text.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn declared_length(request: &HttpRequest) -> Option<usize> {
    request.headers().get(header::CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}

/// Where in the body a syntax error is, as a character offset (FastAPI's `loc`).
fn error_offset(bytes: &[u8], error: &serde_json::Error) -> usize {
    let text = String::from_utf8_lossy(bytes);
    let mut offset = 0;
    for (index, line) in text.split('\n').enumerate() {
        if index + 1 == error.line() {
            // serde_json's columns are 1-based, except at the end of input,
            // where the column is that of the last character.
            let column = if error.is_eof() { error.column() } else { error.column().saturating_sub(1) };
            return offset + column;
        }
        offset += line.chars().count() + 1;
    }
    offset
}

/// Parses a complete body into a JSON object.
///
/// # Errors
/// 422 `json_invalid` for broken JSON (including invalid UTF-8 and nesting
/// deeper than 128 levels), 422 `missing` for an empty body and 422
/// `dict_type` for JSON that is not an object.
pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid_part(Source::Body, FieldErrorKind::Missing));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::invalid_part(Source::Body, FieldErrorKind::WrongType("dict"))),
        Err(error) => {
            let mut detail = crate::error::ValidationDetail::new(
                Source::Body,
                &FieldError::at(FieldPath::root(), FieldErrorKind::JsonInvalid(error.to_string())),
            );
            detail.loc.push(Value::from(error_offset(bytes, &error)));
            Err(ApiError::Invalid(vec![detail]))
        }
    }
}

/// Reads a JSON object body of at most `limit` bytes: 413 past the limit
/// (by `Content-Length` before reading, or as it streams in), 415 for a
/// content type other than JSON, 422 for anything but a JSON object.
fn read_object(
    request: &HttpRequest,
    payload: &mut Payload,
    limit: usize,
) -> impl Future<Output = Result<Map<String, Value>, ApiError>> + use<> {
    let json = is_json(request);
    let too_large = declared_length(request).is_some_and(|length| length > limit);
    let mut payload = payload.take();
    async move {
        if too_large {
            return Err(ApiError::PayloadTooLarge);
        }
        if !json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let mut body = BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|error| {
                ApiError::invalid_part(Source::Body, FieldErrorKind::JsonInvalid(format!("unreadable body: {error}")))
            })?;
            if body.len() + chunk.len() > limit {
                return Err(ApiError::PayloadTooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        parse_object(&body)
    }
}

impl FromRequest for JsonObject {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let object = read_object(request, payload, MAX_BODY_BYTES);
        Box::pin(async move { object.await.map(Self) })
    }
}

impl FromRequest for BulkJsonObject {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let object = read_object(request, payload, MAX_BULK_BODY_BYTES);
        Box::pin(async move { object.await.map(Self) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(error: ApiError) -> Vec<Value> {
        match error {
            ApiError::Invalid(details) => details[0].loc.clone(),
            other => panic!("expected a 422, got {other:?}"),
        }
    }

    #[test]
    fn broken_json_is_json_invalid_at_its_offset() {
        let error = parse_object(b"{\"title\": ").unwrap_err();
        assert_eq!(loc(error), [Value::from("body"), Value::from(10)]);
        let error = parse_object(b"{\"title\": x}").unwrap_err();
        assert_eq!(loc(error), [Value::from("body"), Value::from(10)]);
    }

    #[test]
    fn an_empty_body_is_missing() {
        let ApiError::Invalid(details) = parse_object(b"").unwrap_err() else { panic!() };
        assert_eq!(details[0].kind, "missing");
    }

    #[test]
    fn json_that_is_not_an_object_is_rejected() {
        let ApiError::Invalid(details) = parse_object(b"[1, 2]").unwrap_err() else { panic!() };
        assert_eq!(details[0].kind, "dict_type");
        assert_eq!(details[0].loc, [Value::from("body")]);
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = format!("{{\"a\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        let ApiError::Invalid(details) = parse_object(deep.as_bytes()).unwrap_err() else { panic!() };
        assert_eq!(details[0].kind, "json_invalid");
    }
}
