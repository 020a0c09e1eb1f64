//! Error bodies and the reusable error responses of the OpenAPI document.
//!
//! The bodies are FastAPI's, which TRM-OS clients already parse, and so are
//! their component names (`HTTPError` is FastAPI's name for `{"detail": …}`
//! in its generated documents; `HTTPValidationError` and `ValidationError`
//! are the names it gives the 422 body). The entries of a 422 are the real
//! [`ValidationDetail`](crate::error::ValidationDetail), so their schema is
//! derived from the type that is serialized; the two envelopes are
//! documentation types shaped like the private envelope in
//! [`crate::error`], and the tests check the real error responses against
//! them.
//!
//! Each response a route can give for a reason of its own (a 404, a 409) is
//! a named response component with its description and an example, so
//! every operation that can give it refers to one definition.

use serde_json::{Value, json};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{ToResponse, ToSchema};

use crate::error::ValidationDetail;

/// A plain error: `{"detail": "Task not found"}`.
#[allow(dead_code)] // documentation: the bodies are written by `crate::error`
#[derive(Debug, Clone, ToSchema)]
#[schema(as = HTTPError, example = json!({"detail": "Task not found"}))]
pub(crate) struct HttpError {
    /// What went wrong, for people. Never internals: a 500 says only
    /// `Internal server error`, and the cause is logged with the request id.
    pub detail: String,
}

/// A validation error: one entry per problem found in the request.
#[allow(dead_code)] // documentation: the bodies are written by `crate::error`
#[derive(Debug, Clone, ToSchema)]
#[schema(as = HTTPValidationError, example = json!({"detail": [
    {"loc": ["body", "title"], "msg": "Field required", "type": "missing"},
    {"loc": ["body", "tags", 1], "msg": "String should have at least 1 character", "type": "string_too_short"}
]}))]
pub(crate) struct HttpValidationError {
    /// Every problem, each with where (`loc`), what (`msg`) and a machine
    /// readable kind (`type`, pydantic's error type names).
    pub detail: Vec<ValidationDetail>,
}

/// A response whose body is an `HTTPError`, with an example.
fn plain(description: &str, example: &str) -> ResponseBuilder {
    ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name(HttpError::name())))
            .example(Some(json!({ "detail": example })))
            .build(),
    )
}

/// Declares a response component with an `HTTPError` body.
macro_rules! plain_response {
    ($(#[$doc:meta])* $name:ident, $description:literal, $example:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub(crate) struct $name;

        impl<'r> ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<Response>) {
                (stringify!($name), plain($description, $example).build().into())
            }
        }
    };
}

plain_response!(
    /// 404 for a task id that names no task (or is not an id at all).
    TaskNotFound,
    "No task has this id. A path id that is not a well-formed UUID is also a 404.",
    "Task not found"
);

plain_response!(
    /// 404 for a project id that names no project.
    ProjectNotFound,
    "No project has this id. A path id that is not a well-formed UUID is also a 404.",
    "Project not found"
);

plain_response!(
    /// 404 for a webhook id that names no subscription.
    WebhookNotFound,
    "No webhook subscription has this id. A path id that is not a well-formed UUID is also a 404.",
    "Webhook not found"
);

plain_response!(
    /// 404 for a subscription, or one of its deliveries, that does not exist.
    DeliveryNotFound,
    "No webhook subscription has this id, or it has no delivery with this id.",
    "Delivery not found"
);

plain_response!(
    /// 404 for a user id that names no user.
    UserNotFound,
    "No user has this id. A path id that is not a well-formed UUID is also a 404.",
    "User not found"
);

plain_response!(
    /// 409 for a username another user has, in any case (usernames are
    /// unique regardless of case, so `Ada` and `ada` cannot both exist).
    UsernameTaken,
    "Another user already has this username, compared regardless of case. Nothing was changed.",
    "username is already taken"
);

plain_response!(
    /// 409 for deleting a project that still has tasks.
    ProjectHasTasks,
    "The project still has tasks, or sub-projects: delete them first, or pass `cascade=true` to delete them \
     with it (the whole subtree, with every task in it). The `detail` says which: `Project still has tasks; …` \
     or `Project still has sub-projects; …`.",
    "Project still has tasks; delete them first or pass cascade=true"
);

plain_response!(
    /// 409 for deleting a task that still has sub-tasks.
    TaskHasSubtasks,
    "The task still has sub-tasks: delete them first, or pass `cascade=true` to delete them with it.",
    "Task still has sub-tasks; delete them first or pass cascade=true"
);

plain_response!(
    /// 409 for blockers that would close a dependency cycle, or a parent
    /// that would make a task its own ancestor.
    DependencyCycle,
    "One of the new `blocked_by` tasks already waits for this task, directly or through others: the edge would \
     close a dependency cycle, named from that blocker round to itself (`Dependency cycle: …`). Or the new \
     `parent_id` is the task itself or one of its sub-tasks: the loop is named from the task up through its \
     would-be ancestors back to itself (`Sub-task cycle: …`). Nothing was changed.",
    "Dependency cycle: 5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b → 3f0b6c9e-8d1a-4c2b-9e5f-1a2b3c4d5e6f → \
     5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"
);

plain_response!(
    /// 409 for a parent that would make a project its own ancestor.
    ProjectCycle,
    "The new `parent_id` is the project itself or one of its sub-projects: the project would become its own \
     ancestor. The loop is named from the project, up through its would-be ancestors, back to itself. Nothing \
     was changed.",
    "Project cycle: 9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d → 3f0b6c9e-8d1a-4c2b-9e5f-1a2b3c4d5e6f → \
     9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d"
);

plain_response!(
    /// 409 for a retry whose first request with the same `Idempotency-Key`
    /// is still running after the retry waited for it.
    IdempotencyInProgress,
    "Another request with this `Idempotency-Key` is still being processed (the retry waited two seconds for \
     it). Retry later to get its answer.",
    "A request with this Idempotency-Key is still being processed"
);

plain_response!(
    /// 412 for a stale `If-Match`.
    PreconditionFailed,
    "`If-Match` names a version other than the stored one: someone changed the resource since. \
     Nothing was changed; fetch it again for its current `ETag`.",
    "Precondition Failed: the resource has changed; fetch it again for its current ETag"
);

plain_response!(
    /// 413 for a body over the limit.
    PayloadTooLarge,
    "The body is larger than 1 MiB.",
    "Request body too large: the limit is 1 MiB"
);

plain_response!(
    /// 415 for a body that is not JSON.
    UnsupportedMediaType,
    "The body's `Content-Type` is not JSON (`application/json` or `application/*+json`; a missing one is \
     read as JSON).",
    "Unsupported media type: send the body as application/json"
);

plain_response!(
    /// 500: a bug; never leaks its cause.
    InternalError,
    "An unexpected failure. The body never says more; the cause is logged with the request's `x-request-id`.",
    "Internal server error"
);

/// 503: the store is unreachable or too slow; carries `Retry-After`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unavailable;

impl<'r> ToResponse<'r> for Unavailable {
    fn response() -> (&'r str, RefOr<Response>) {
        let response = plain(
            "The store is unreachable or did not answer within the configured timeout. Nothing hangs: the \
             answer comes within that timeout, and the service recovers by itself when the store is back.",
            "Database unavailable",
        )
        .header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(SchemaType::new(Type::Integer)).minimum(Some(0))))
                .description(Some("Seconds to wait before retrying."))
                .build(),
        );
        ("Unavailable", response.build().into())
    }
}

/// 422: the request is malformed; lists every problem.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InvalidRequest;

impl<'r> ToResponse<'r> for InvalidRequest {
    fn response() -> (&'r str, RefOr<Response>) {
        let example: Value = json!({"detail": [
            {"loc": ["body", "status"], "msg": "Input should be 'backlog', 'todo', 'in_progress', 'in_review', 'blocked', 'done' or 'cancelled'", "type": "enum"},
            {"loc": ["query", "stauts"], "msg": "Extra inputs are not permitted", "type": "extra_forbidden"}
        ]});
        let response = ResponseBuilder::new()
            .description(
                "The request is malformed. Every problem is listed, each with its `loc` (starting with `body`, \
                 `query`, `path` or `header`). Bodies that are not valid JSON are `json_invalid`; unknown body \
                 fields and unknown query parameters are `extra_forbidden`; enum values that match nothing are \
                 `enum`, with the accepted values in `msg`. A request is validated before anything is looked \
                 up, so a bad body to an unknown id is a 422, not a 404.",
            )
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name(HttpValidationError::name())))
                    .example(Some(example))
                    .build(),
            );
        ("InvalidRequest", response.build().into())
    }
}

/// A header of an error response: an integer or a string, described.
fn error_header(integer: bool, description: &str) -> utoipa::openapi::header::Header {
    let schema_type = if integer { Type::Integer } else { Type::String };
    HeaderBuilder::new()
        .schema(Some(ObjectBuilder::new().schema_type(SchemaType::new(schema_type))))
        .description(Some(description))
        .build()
}

/// 401: the route needs an API key and the request has no valid one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NotAuthenticated;

impl<'r> ToResponse<'r> for NotAuthenticated {
    fn response() -> (&'r str, RefOr<Response>) {
        let response = plain(
            "API keys are required (at least one exists, or the server requires them) and the request has no \
             valid one: no `Authorization: Bearer <key>` header (`Not authenticated`), or a malformed, unknown \
             or revoked key (`Invalid API key`).",
            "Not authenticated",
        )
        .header("WWW-Authenticate", error_header(false, "`Bearer`: the scheme to authenticate with."));
        ("NotAuthenticated", response.build().into())
    }
}

plain_response!(
    /// 403 for a read key on a route that writes.
    ReadOnlyKey,
    "The API key has the `read` scope, which allows `GET` only; writing needs a `write` key.",
    "Not enough permissions: this API key may only read"
);

/// 429: the client's rate limit is exhausted; carries `Retry-After`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TooManyRequests;

impl<'r> ToResponse<'r> for TooManyRequests {
    fn response() -> (&'r str, RefOr<Response>) {
        let response = plain(
            "The client — its API key, or its address when it has none — made more requests than the \
             configured rate allows. Nothing was done; retry after `Retry-After` seconds.",
            "Too many requests: retry after 6 seconds",
        )
        .header("Retry-After", error_header(true, "Seconds to wait before retrying."));
        ("TooManyRequests", response.build().into())
    }
}
