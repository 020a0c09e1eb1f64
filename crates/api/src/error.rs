//! Every error the API answers, in FastAPI's shape.
//!
//! Handlers return [`ApiError`]; its [`ResponseError`] implementation is the
//! single place where failures become status codes and bodies:
//!
//! * `{"detail": "Task not found"}` for plain errors;
//! * `{"detail": [{"loc": [...], "msg": ..., "type": ...}]}` for 422s, with one
//!   entry per problem and `loc` starting at `body`, `query`, `path` or `header`;
//! * `{"detail": "Internal server error"}` for anything unexpected — the cause
//!   goes to the log, inside the request's span, with its request id.

use std::borrow::Cow;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::Value;
use trm_domain::error::PathSegment;
use trm_domain::{EntityKind, FieldError, FieldErrorKind, FieldPath, ValidationErrors};
use trm_service::{ConflictReason, ServiceError, Unique};
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{RefOr, schema};
use utoipa::{PartialSchema, ToSchema};

/// Seconds a client should wait before retrying when the store is down.
const RETRY_AFTER_SECONDS: &str = "5";

/// The part of a request a validation problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The JSON body.
    Body,
    /// The query string.
    Query,
    /// The URL path.
    Path,
    /// A request header.
    Header,
}

impl Source {
    const fn as_str(self) -> &'static str {
        match self {
            Self::Body => "body",
            Self::Query => "query",
            Self::Path => "path",
            Self::Header => "header",
        }
    }
}

/// One entry of a 422 body (FastAPI's `ValidationError`; its OpenAPI schema
/// is derived from this type, so the document shows what is serialized).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = ValidationError)]
pub struct ValidationDetail {
    /// Where: the source (`body`, `query`, `path` or `header`), then field
    /// names and array indexes. A body that is not valid JSON has the
    /// character offset of the problem instead.
    #[schema(value_type = Vec<LocationItemSchema>, example = json!(["body", "tags", 1]))]
    pub loc: Vec<Value>,
    /// What, for people.
    #[schema(example = "String should have at least 1 character")]
    pub msg: String,
    /// What, for programs (pydantic's error type names: `missing`,
    /// `extra_forbidden`, `enum`, `json_invalid`, `string_too_short`, …).
    #[serde(rename = "type")]
    #[schema(example = "string_too_short")]
    pub kind: String,
}

impl ValidationDetail {
    /// Renders a domain field error found in `source`.
    #[must_use]
    pub fn new(source: Source, error: &FieldError) -> Self {
        let mut loc = vec![Value::from(source.as_str())];
        loc.extend(location(&error.path));
        Self { loc, msg: error.kind.to_string(), kind: error.kind.type_name() }
    }

    /// This problem as seen from an enclosing value at `outer` in the same
    /// request part: `["body", "title"]` within `tasks[3]` is
    /// `["body", "tasks", 3, "title"]`.
    #[must_use]
    pub fn within(mut self, outer: &FieldPath) -> Self {
        let inner = self.loc.split_off(self.loc.len().min(1));
        self.loc.extend(location(outer));
        self.loc.extend(inner);
        self
    }
}

/// A path's segments as `loc` items: keys as strings, indexes as numbers.
fn location(path: &FieldPath) -> impl Iterator<Item = Value> + '_ {
    path.segments().iter().map(|segment| match segment {
        PathSegment::Key(key) => Value::from(key.as_str()),
        PathSegment::Index(index) => Value::from(*index),
    })
}

/// An answer other than success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 422: the request is malformed; lists every problem.
    #[error("invalid request")]
    Invalid(Vec<ValidationDetail>),
    /// 404 for an entity.
    #[error("{0} not found")]
    NotFound(EntityKind),
    /// 404 for a path no route serves.
    #[error("no such route")]
    NoRoute,
    /// 405: the route exists, the method does not. Carries the methods the
    /// route does answer, for the `Allow` header RFC 9110 requires on a 405.
    #[error("method not allowed")]
    MethodNotAllowed {
        /// The methods the path answers, comma-separated (`GET, POST`).
        allow: String,
    },
    /// 409 with a reason.
    #[error("{0}")]
    Conflict(String),
    /// 412: `If-Match` names another version.
    #[error("precondition failed")]
    PreconditionFailed,
    /// 413: the body exceeds the limit.
    #[error("payload too large")]
    PayloadTooLarge,
    /// 415: the body is not JSON.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// 401: the request needs an API key and has no valid one; the reason
    /// says which (none at all, or one that is malformed, unknown or
    /// revoked — never which of the last three).
    #[error("not authenticated")]
    Unauthorized(&'static str),
    /// 403: the key may only read, and the request writes.
    #[error("forbidden")]
    Forbidden,
    /// 429: the client's rate limit is exhausted for this long.
    #[error("too many requests")]
    TooManyRequests(std::time::Duration),
    /// 400: a cross-origin request (preflight) from an origin, or with a
    /// method or header, that CORS does not allow.
    #[error("{0}")]
    CorsRefused(String),
    /// 503: the store is unreachable or too slow.
    #[error("database unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// 500: a bug; the cause is logged, never sent.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    /// A 422 for problems found in one request part.
    #[must_use]
    pub fn invalid(source: Source, errors: &ValidationErrors) -> Self {
        Self::Invalid(errors.errors().iter().map(|error| ValidationDetail::new(source, error)).collect())
    }

    /// A 422 for a single problem.
    #[must_use]
    pub fn invalid_field(source: Source, error: FieldError) -> Self {
        Self::invalid(source, &error.into())
    }

    /// A 422 for a problem with a whole request part (`loc` is just the source).
    #[must_use]
    pub fn invalid_part(source: Source, kind: FieldErrorKind) -> Self {
        Self::invalid_field(source, FieldError::at(trm_domain::FieldPath::root(), kind))
    }
}

/// The read-your-writes header's name as the documentation and `loc` spell
/// it (the header itself is `crate::consistency`'s). Here, with the errors
/// about it, because a use case's error can be one of them.
pub(crate) const BOOKMARK_HEADER_NAME: &str = "X-TRM-Bookmark";

impl ApiError {
    /// A 422 about the `X-TRM-Bookmark` header.
    pub(crate) fn bookmark_header(msg: &str, kind: &str) -> Self {
        Self::Invalid(vec![ValidationDetail {
            loc: vec![Value::from("header"), Value::from(BOOKMARK_HEADER_NAME)],
            msg: msg.to_owned(),
            kind: kind.to_owned(),
        }])
    }

    /// The answer to a request whose bookmark Neo4j does not recognise.
    pub(crate) fn unknown_bookmark() -> Self {
        Self::bookmark_header("Neo4j does not recognise this bookmark", "bookmark_unknown")
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            // Problems the service finds are always about the body.
            ServiceError::Invalid(errors) => Self::invalid(Source::Body, &errors),
            ServiceError::NotFound(kind) => Self::NotFound(kind),
            ServiceError::Conflict(reason) => Self::Conflict(conflict_detail(reason)),
            ServiceError::PreconditionFailed => Self::PreconditionFailed,
            ServiceError::BookmarkUnknown => Self::unknown_bookmark(),
            ServiceError::Unavailable(cause) => Self::Unavailable(cause),
            ServiceError::Unexpected(cause) => Self::Internal(cause),
        }
    }
}

/// The `detail` a client reads for a conflict the service found: the
/// service names the reason, the wording (part of the wire contract) is the
/// API's.
fn conflict_detail(reason: ConflictReason) -> String {
    match reason {
        ConflictReason::ProjectHasTasks => "Project still has tasks; delete them first or pass cascade=true".to_owned(),
        ConflictReason::Taken(Unique::Username) => "username is already taken".to_owned(),
        ConflictReason::Taken(Unique::KeyName) => "name is already taken".to_owned(),
        ConflictReason::ChangedConcurrently(kind) => {
            format!("The {} is being changed concurrently; retry the request", kind.key())
        }
        ConflictReason::DependencyCycle(path) => {
            let path: Vec<String> = path.iter().map(ToString::to_string).collect();
            format!("Dependency cycle: {}", path.join(" \u{2192} "))
        }
        ConflictReason::SubtaskCycle(path) => {
            let path: Vec<String> = path.iter().map(ToString::to_string).collect();
            format!("Sub-task cycle: {}", path.join(" \u{2192} "))
        }
        ConflictReason::TaskHasSubtasks => {
            "Task still has sub-tasks; delete them first or pass cascade=true".to_owned()
        }
        ConflictReason::ProjectCycle(path) => {
            let path: Vec<String> = path.iter().map(ToString::to_string).collect();
            format!("Project cycle: {}", path.join(" \u{2192} "))
        }
        ConflictReason::ProjectHasSubprojects => {
            "Project still has sub-projects; delete them first or pass cascade=true".to_owned()
        }
    }
}

#[derive(Serialize)]
struct Detail<'a, T: Serialize> {
    detail: &'a T,
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::CorsRefused(_) => StatusCode::BAD_REQUEST,
            Self::NotFound(_) | Self::NoRoute => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        let body = match self {
            Self::Invalid(details) => serde_json::to_value(Detail { detail: details }),
            Self::NotFound(kind) => Ok(detail(format!("{kind} not found"))),
            Self::Unauthorized(reason) => {
                response.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
                Ok(detail(*reason))
            }
            Self::Forbidden => Ok(detail("Not enough permissions: this API key may only read")),
            Self::TooManyRequests(wait) => {
                let seconds = retry_after_seconds(*wait);
                response.insert_header((header::RETRY_AFTER, seconds.to_string()));
                Ok(detail(format!("Too many requests: retry after {seconds} seconds")))
            }
            Self::CorsRefused(reason) => Ok(detail(format!("Cross-origin request refused: {reason}"))),
            Self::NoRoute => Ok(detail("Not Found")),
            Self::MethodNotAllowed { allow } => {
                if let Ok(value) = HeaderValue::from_str(allow) {
                    response.insert_header((header::ALLOW, value));
                }
                Ok(detail("Method Not Allowed"))
            }
            Self::Conflict(reason) => Ok(detail(reason)),
            Self::PreconditionFailed => {
                Ok(detail("Precondition Failed: the resource has changed; fetch it again for its current ETag"))
            }
            Self::PayloadTooLarge => Ok(detail("Request body too large: the limit is 1 MiB")),
            Self::UnsupportedMediaType => Ok(detail("Unsupported media type: send the body as application/json")),
            Self::Unavailable(cause) => {
                tracing::warn!(error = format!("{cause:#}"), "the store is unavailable");
                response.insert_header((header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS)));
                Ok(detail("Database unavailable"))
            }
            Self::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "request failed unexpectedly");
                Ok(detail("Internal server error"))
            }
        };
        let body = body.unwrap_or_else(|_| detail("Internal server error"));
        response.json(body)
    }
}

fn detail(text: impl Into<String>) -> Value {
    serde_json::json!({ "detail": text.into() })
}

/// An item of a validation error's `loc`: a field name or an array index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LocationItemSchema;

impl PartialSchema for LocationItemSchema {
    fn schema() -> RefOr<Schema> {
        schema::OneOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(SchemaType::new(Type::String)))
            .item(ObjectBuilder::new().schema_type(SchemaType::new(Type::Integer)).minimum(Some(0)))
            .into()
    }
}

impl ToSchema for LocationItemSchema {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("LocationItem")
    }
}

/// Whole seconds for a `Retry-After` header: rounded up, at least one, so a
/// client that waits that long is let through.
#[must_use]
pub(crate) fn retry_after_seconds(wait: Duration) -> u64 {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    seconds.max(1)
}

#[cfg(test)]
mod tests {
    use trm_domain::TaskId;

    use super::*;

    /// The `detail` text a 409 carries for this reason.
    fn conflict_text(reason: ConflictReason) -> String {
        let error = ApiError::from(ServiceError::Conflict(reason));
        assert_eq!(error.status_code(), StatusCode::CONFLICT);
        let ApiError::Conflict(text) = error else { panic!("expected a conflict, got {error:?}") };
        text
    }

    #[test]
    fn every_conflict_reason_keeps_its_wire_wording() {
        assert_eq!(
            conflict_text(ConflictReason::ProjectHasTasks),
            "Project still has tasks; delete them first or pass cascade=true"
        );
        assert_eq!(conflict_text(ConflictReason::Taken(Unique::Username)), "username is already taken");
        assert_eq!(conflict_text(ConflictReason::Taken(Unique::KeyName)), "name is already taken");
        assert_eq!(
            conflict_text(ConflictReason::ChangedConcurrently(EntityKind::Project)),
            "The project is being changed concurrently; retry the request"
        );
        assert_eq!(
            conflict_text(ConflictReason::TaskHasSubtasks),
            "Task still has sub-tasks; delete them first or pass cascade=true"
        );
        let (a, b) = (TaskId::new(), TaskId::new());
        assert_eq!(
            conflict_text(ConflictReason::SubtaskCycle(vec![a, b, a])),
            format!("Sub-task cycle: {a} \u{2192} {b} \u{2192} {a}")
        );
        assert_eq!(
            conflict_text(ConflictReason::ProjectHasSubprojects),
            "Project still has sub-projects; delete them first or pass cascade=true"
        );
        let (a, b) = (trm_domain::ProjectId::new(), trm_domain::ProjectId::new());
        assert_eq!(
            conflict_text(ConflictReason::ProjectCycle(vec![a, b, a])),
            format!("Project cycle: {a} \u{2192} {b} \u{2192} {a}")
        );
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_seconds(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_seconds(Duration::from_secs(3)), 3);
        assert_eq!(retry_after_seconds(Duration::ZERO), 1);
    }
}
