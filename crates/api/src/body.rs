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

/// The most a task body can take on the wire: every text at its limit in
/// characters (title 200, description 10,000, 50 tags of 64), each
/// character 4 bytes of UTF-8, is 53,600 bytes; the ids, dates, numbers and
/// keys fit in the rest of 56 KiB.
pub const MAX_TASK_BODY_BYTES: usize = 56 * 1024;

/// The largest body of a bulk create: what its most tasks need at their
/// largest, and no more (the one route allowed past [`MAX_BODY_BYTES`]).
pub const MAX_BULK_BODY_BYTES: usize = trm_domain::MAX_TASKS_PER_BULK * MAX_TASK_BODY_BYTES;

/// A request body that is a JSON object of at most [`MAX_BODY_BYTES`].
#[derive(Debug)]
pub struct JsonObject(pub Map<String, Value>);

/// A request body that is a JSON object of at most [`MAX_BULK_BODY_BYTES`],
/// for the bulk create.
#[derive(Debug)]
pub struct BulkJsonObject(pub Map<String, Value>);

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

    /// A field under its own name or, in its place, under an alias (`name`
    /// for `title`, as TRM-OS's clients send it): what was sent and the
    /// spelling it was sent under, so that problems are reported where the
    /// client put the value. Both at once is a problem at the alias, and
    /// the value under the field's own name is read.
    fn take_either<'n>(&mut self, name: &'n str, alias: &'n str) -> (Sent, &'n str) {
        match (self.take(name), self.take(alias)) {
            (Sent::Absent, Sent::Absent) => (Sent::Absent, name),
            (Sent::Absent, aliased) => (aliased, alias),
            (named, Sent::Absent) => (named, name),
            (named, _) => {
                let message = format!("`{alias}` is an alias of `{name}`: give one of them, not both");
                self.errors.push(FieldError::new(alias, FieldErrorKind::Invalid(message)));
                (named, name)
            }
        }
    }

    /// A field that must be present and not null.
    pub fn required<T>(&mut self, name: &str, parse: impl FnOnce(&Value) -> Result<T, FieldErrorKind>) -> Option<T> {
        let sent = self.take(name);
        self.read_required(name, sent, parse)
    }

    /// [`BodyFields::required`], accepting the field under `alias` instead:
    /// one of the two spellings must be sent, not both. A missing field is
    /// reported under `name`.
    pub fn required_or_alias<T>(
        &mut self,
        name: &str,
        alias: &str,
        parse: impl FnOnce(&Value) -> Result<T, FieldErrorKind>,
    ) -> Option<T> {
        let (sent, spelling) = self.take_either(name, alias);
        self.read_required(spelling, sent, parse)
    }

    fn read_required<T>(
        &mut self,
        name: &str,
        sent: Sent,
        parse: impl FnOnce(&Value) -> Result<T, FieldErrorKind>,
    ) -> Option<T> {
        match sent {
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
        let sent = self.take(name);
        self.read_optional(name, sent, parse)
    }

    /// [`BodyFields::optional`], accepting the field under `alias` instead
    /// (not both).
    pub fn optional_or_alias<T>(
        &mut self,
        name: &str,
        alias: &str,
        parse: impl FnOnce(&Value) -> Result<T, FieldErrorKind>,
    ) -> Option<T> {
        let (sent, spelling) = self.take_either(name, alias);
        self.read_optional(spelling, sent, parse)
    }

    fn read_optional<T>(
        &mut self,
        name: &str,
        sent: Sent,
        parse: impl FnOnce(&Value) -> Result<T, FieldErrorKind>,
    ) -> Option<T> {
        match sent {
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

    fn text(value: &Value) -> Result<String, FieldErrorKind> {
        value.as_str().map(str::to_owned).ok_or(FieldErrorKind::WrongType("string"))
    }

    fn title_or_name(body: &[u8]) -> Result<String, ApiError> {
        let mut fields = BodyFields::new(parse_object(body).unwrap());
        let title = fields.required_or_alias("title", "name", text);
        fields.finish(title)
    }

    #[test]
    fn a_field_is_read_under_its_own_name_or_under_its_alias() {
        assert_eq!(title_or_name(br#"{"title": "Launch"}"#).unwrap(), "Launch");
        assert_eq!(title_or_name(br#"{"name": "Launch"}"#).unwrap(), "Launch");
    }

    #[test]
    fn a_field_sent_under_both_spellings_is_refused_at_the_alias() {
        let ApiError::Invalid(details) = title_or_name(br#"{"title": "a", "name": "b"}"#).unwrap_err() else {
            panic!()
        };
        assert_eq!(details.len(), 1);
        assert_eq!(details[0].loc, [Value::from("body"), Value::from("name")]);
        assert_eq!(details[0].kind, "value_error");
        assert!(details[0].msg.contains("alias of `title`"), "{}", details[0].msg);
    }

    #[test]
    fn a_problem_with_an_aliased_field_is_reported_where_the_client_put_it() {
        let ApiError::Invalid(details) = title_or_name(br#"{"name": 5}"#).unwrap_err() else { panic!() };
        assert_eq!(details[0].loc, [Value::from("body"), Value::from("name")]);
        let ApiError::Invalid(details) = title_or_name(br#"{"name": null}"#).unwrap_err() else { panic!() };
        assert_eq!(details[0].loc, [Value::from("body"), Value::from("name")]);
        let ApiError::Invalid(details) = title_or_name(b"{}").unwrap_err() else { panic!() };
        assert_eq!(
            (details[0].loc.clone(), details[0].kind.as_str()),
            (vec![Value::from("body"), Value::from("title")], "missing")
        );
    }

    #[test]
    fn an_optional_field_may_come_under_its_alias_or_not_at_all() {
        let read = |body: &[u8]| {
            let mut fields = BodyFields::new(parse_object(body).unwrap());
            let title = fields.optional_or_alias("title", "name", text);
            fields.finish(Some(title))
        };
        assert_eq!(read(b"{}").unwrap(), None);
        assert_eq!(read(br#"{"name": "x"}"#).unwrap().as_deref(), Some("x"));
        assert!(read(br#"{"name": "x", "title": "y"}"#).is_err());
    }
}
