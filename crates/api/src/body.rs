//! Reading JSON bodies: size limit, content type, syntax, then field by field.
//!
//! Bodies are parsed into a JSON object first and then read one field at a
//! time by [`BodyFields`], which records *every* problem instead of stopping
//! at the first (as a derived `Deserialize` would), tells an absent field from
//! an explicit `null` (which PATCH needs), and rejects fields the schema does
//! not know — so no client can add arbitrary properties to a stored entity.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::web::BytesMut;
use actix_web::{FromRequest, HttpRequest, dev::Payload};
use futures::StreamExt as _;
use serde_json::{Map, Value};
use trm_domain::{FieldError, FieldErrorKind, FieldPath, ValidationErrors};

use crate::error::{ApiError, Source};

/// The largest body accepted; larger ones get 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A request body that is a JSON object.
#[derive(Debug)]
pub struct JsonObject(pub Map<String, Value>);

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

impl FromRequest for JsonObject {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(request);
        let too_large = declared_length(request).is_some_and(|length| length > MAX_BODY_BYTES);
        let mut payload = payload.take();
        Box::pin(async move {
            if too_large {
                return Err(ApiError::PayloadTooLarge);
            }
            if !json {
                return Err(ApiError::UnsupportedMediaType);
            }
            let mut body = BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|error| {
                    ApiError::invalid_part(
                        Source::Body,
                        FieldErrorKind::JsonInvalid(format!("unreadable body: {error}")),
                    )
                })?;
                if body.len() + chunk.len() > MAX_BODY_BYTES {
                    return Err(ApiError::PayloadTooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            parse_object(&body).map(Self)
        })
    }
}

/// A field as sent: absent, `null`, or a value.
enum Sent {
    Absent,
    Null,
    Value(Value),
}

/// Reads the fields of a JSON object body, collecting every problem.
///
/// Each read removes the field; [`BodyFields::finish`] reports whatever is
/// left as `extra_forbidden`.
pub struct BodyFields {
    map: Map<String, Value>,
    errors: ValidationErrors,
}

impl BodyFields {
    /// Starts reading `map`.
    #[must_use]
    pub fn new(map: Map<String, Value>) -> Self {
        Self { map, errors: ValidationErrors::new() }
    }

    fn take(&mut self, name: &str) -> Sent {
        match self.map.remove(name) {
            None => Sent::Absent,
            Some(Value::Null) => Sent::Null,
            Some(value) => Sent::Value(value),
        }
    }

    fn check<T>(
        &mut self,
        name: &str,
        value: &Value,
        parse: impl FnOnce(&Value) -> Result<T, FieldErrorKind>,
    ) -> Option<T> {
        parse(value).map_err(|kind| self.errors.push(FieldError::new(name, kind))).ok()
    }

    /// A field that must be present and not null.
    pub fn required<T>(&mut self, name: &str, parse: impl FnOnce(&Value) -> Result<T, FieldErrorKind>) -> Option<T> {
        match self.take(name) {
            Sent::Absent => {
                self.errors.push(FieldError::new(name, FieldErrorKind::Missing));
                None
            }
            Sent::Null => {
                self.errors.push(FieldError::new(name, FieldErrorKind::NotNullable));
                None
            }
            Sent::Value(value) => self.check(name, &value, parse),
        }
    }

    /// A field that may be absent (`None`) but, when present, not null.
    pub fn optional<T>(&mut self, name: &str, parse: impl FnOnce(&Value) -> Result<T, FieldErrorKind>) -> Option<T> {
        match self.take(name) {
            Sent::Absent => None,
            Sent::Null => {
                self.errors.push(FieldError::new(name, FieldErrorKind::NotNullable));
                None
            }
            Sent::Value(value) => self.check(name, &value, parse),
        }
    }

    /// A nullable field: `None` when absent, `Some(None)` for `null`.
    #[allow(clippy::option_option)] // absent and null differ
    pub fn nullable<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, FieldErrorKind>,
    ) -> Option<Option<T>> {
        match self.take(name) {
            Sent::Absent => None,
            Sent::Null => Some(None),
            Sent::Value(value) => self.check(name, &value, parse).map(Some),
        }
    }

    /// A non-nullable field whose parser reports several problems at once
    /// (a list, whose items each have a path).
    pub fn optional_multi<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, ValidationErrors>,
    ) -> Option<T> {
        match self.take(name) {
            Sent::Absent => None,
            Sent::Null => {
                self.errors.push(FieldError::new(name, FieldErrorKind::NotNullable));
                None
            }
            Sent::Value(value) => match parse(&value) {
                Ok(parsed) => Some(parsed),
                Err(errors) => {
                    errors.into_iter().for_each(|error| self.errors.push(error));
                    None
                }
            },
        }
    }

    /// Ends reading: unknown fields are errors, and so is anything recorded.
    ///
    /// # Errors
    /// Every problem found, as one 422.
    pub fn finish<T>(mut self, value: Option<T>) -> Result<T, ApiError> {
        let unknown: Vec<String> = self.map.keys().cloned().collect();
        for name in unknown {
            self.errors.push(FieldError::new(&name, FieldErrorKind::ExtraForbidden));
        }
        match value {
            Some(value) if self.errors.is_empty() => Ok(value),
            _ => Err(ApiError::invalid(Source::Body, &self.errors)),
        }
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

    #[test]
    fn unknown_fields_are_each_reported() {
        let map = parse_object(br#"{"title": "x", "colour": "red", "size": 3}"#).unwrap();
        let mut fields = BodyFields::new(map);
        let title =
            fields.required("title", |v| v.as_str().map(str::to_owned).ok_or(FieldErrorKind::WrongType("string")));
        let ApiError::Invalid(details) = fields.finish(title).unwrap_err() else { panic!() };
        let kinds: Vec<&str> = details.iter().map(|d| d.kind.as_str()).collect();
        assert_eq!(kinds, ["extra_forbidden", "extra_forbidden"]);
    }
}
