//! The OpenAPI 3.1 document, served at `/openapi.json`.
//!
//! Built with `utoipa` from three sources, each as close to the code as it
//! can be:
//!
//! * the operations, from the `#[utoipa::path]` attributes on the handlers —
//!   paths, parameters, bodies, responses and their headers;
//! * the response schemas, derived from the types that are actually
//!   serialized: the domain's entities themselves ([`trm_domain::Task`],
//!   [`trm_domain::Project`], [`trm_domain::User`], derived beside their
//!   `Serialize` behind the domain's `openapi` feature), the 422 entries;
//! * the request schemas, derived from the body types that are actually
//!   deserialized ([`crate::wire`]), which [`CrossCutting`] closes and gives
//!   the `title`/`name` rule ([`crate::wire::amend_schemas`]);
//! * the query parameters, from documentation types next to their readers,
//!   and the enums, generated from the domain's EnumAdapter tables.
//!
//! [`CrossCutting`] then adds what every operation shares: the
//! `x-request-id` header on every response, the optional `x-request-id`
//! request header, and the 500; and, under `/api/v1`, `X-TRM-Bookmark` on
//! the writes' answers and as an optional header of the reads. The tests check the document against the
//! route table in both directions, resolve every `$ref`, and tie each
//! documentation type to the code that reads what it documents.
//!
//! Not in the document, as in FastAPI's: `/openapi.json` itself and the
//! Swagger UI at `/docs` (see [`crate::routes::Documented`]); the document's
//! description says where they are.

mod consistency;
pub mod docs;

use trm_domain::openapi::PriorityInput;
use trm_domain::{EffortUnit, Priority, Project, ProjectStatus, Task, TaskId, TaskSort, TaskStatus, TaskType, User};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{OpenApi as Document, Ref, RefOr, Required};
use utoipa::{Modify, OpenApi, ToResponse};

use crate::access::openapi::BearerAuth;
use crate::error::LocationItemSchema;
use crate::handlers::{events, health, metrics, overview, projects, task_graph, tasks, users, webhooks};
use crate::schemas::errors::{
    DeliveryNotFound, DependencyCycle, HttpError, HttpValidationError, IdempotencyInProgress, InternalError,
    InvalidRequest, PayloadTooLarge, PreconditionFailed, ProjectCycle, ProjectHasTasks, ProjectNotFound,
    TaskHasSubtasks, TaskNotFound, Unavailable, UnsupportedMediaType, UserNotFound, UsernameTaken, WebhookNotFound,
};
use crate::schemas::event::EventResponse;
use crate::schemas::health::{Liveness, Readiness};
use crate::schemas::overview::OverviewResponse;
use crate::schemas::webhook::{AttemptResponse, DeliveryResponse, EventTypeSchema, WebhookCreated, WebhookResponse};
use crate::wire::{
    ProjectCreateBody, ProjectUpdateBody, TaskBulkCreateBody, TaskCreateBody, TaskUpdateBody, UserCreateBody,
    UserUpdateBody, WebhookCreateBody, WebhookUpdateBody,
};

/// The document's introduction, shown at the top of the Swagger UI.
const DESCRIPTION: &str = "\
Tasks, projects and users of TRM: a task is part of at most one project (the `IS_PART_OF_PROJECT` \
relationship) and assigned to at most one user (`ASSIGNED_TO`).

* **JSON** in and out, UTF-8. Collection paths answer with and without the trailing slash \
(`/api/v1/tasks/` and `/api/v1/tasks`), with no redirect; this document lists the first.
* **Ids** are server-generated UUID v4 strings. A path id that is not a well-formed id is a 404.
* **Timestamps** are RFC 3339 in UTC with a `Z` suffix and microseconds: `2026-11-26T03:12:45.123456Z`.
* **Enums** are written in their canonical lower snake_case form; on input the EnumAdapter accepts other \
spellings and documented synonyms (see each enum's schema), and rejects anything else with a 422 that lists \
the accepted values.
* **Errors** have FastAPI's shape: `{\"detail\": \"Task not found\"}`, and for 422s \
`{\"detail\": [{\"loc\": [...], \"msg\": \"...\", \"type\": \"...\"}]}` with one entry per problem. Unknown \
body fields and unknown query parameters are 422s. Bodies over 1 MiB are 413s.
* **Concurrency**: each entity carries a `version`; its `ETag` is that version in quotes. Send it back in \
`If-Match` on PATCH or DELETE to have the change applied only if nobody changed the entity since (412 \
otherwise).
* **Idempotent creates**: send an `Idempotency-Key` header (1 to 255 visible ASCII characters) with a \
POST that creates, and a retry of the same request within 24 hours answers the first successful response \
again and creates nothing, even when retries race. The same key with a different body is a 422 at \
`[\"header\", \"Idempotency-Key\"]`; a failed attempt is not remembered.
* **Paging**: lists are oldest first and paged by `limit` and an opaque `cursor`; a `Link: <...>; \
rel=\"next\"` header announces the next page.
* **Authentication**: once any API key exists (or when the server requires keys), every `/api/v1` route \
needs `Authorization: Bearer <key>` — 401 without a valid key, 403 for a `read` key on a write. Use \
\"Authorize\" above to send one from this page.
* **Rate limits**, when configured, answer 429 with `Retry-After`.
* **Tracing**: every response carries `x-request-id`, echoing the client's when it sent one.
* **Read-your-writes** (Neo4j): a write's response carries `X-TRM-Bookmark`; send it back on a later \
read and that read sees the write even when a Neo4j cluster's followers answer reads.

Not listed as operations: this document itself, at `GET /openapi.json`, and the Swagger UI, at `GET /docs`.

The full reference, with examples, is `docs/api.md` in the project's repository.";

/// The document, as `utoipa` builds it from the attributes below.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "TRM task API",
        description = DESCRIPTION,
        license(name = "MIT", identifier = "MIT"),
    ),
    paths(
        tasks::list,
        tasks::create,
        tasks::create_many,
        tasks::get,
        tasks::update,
        tasks::delete,
        task_graph::blockers,
        task_graph::dependents,
        task_graph::subtasks,
        projects::list,
        projects::create,
        projects::get,
        projects::update,
        projects::delete,
        projects::tasks,
        users::list,
        users::create,
        users::get,
        users::update,
        users::delete,
        overview::overview,
        events::stream,
        events::history,
        events::task_history,
        events::project_history,
        events::user_history,
        webhooks::create,
        webhooks::list,
        webhooks::get,
        webhooks::update,
        webhooks::delete,
        webhooks::deliveries,
        webhooks::redeliver,
        webhooks::ping,
        health::livez,
        health::readyz,
        metrics::metrics,
    ),
    components(
        schemas(
            Task,
            TaskId,
            crate::schemas::task::TaskAtDepth,
            TaskCreateBody,
            TaskBulkCreateBody,
            TaskUpdateBody,
            Project,
            ProjectCreateBody,
            ProjectUpdateBody,
            User,
            UserCreateBody,
            UserUpdateBody,
            TaskStatus,
            TaskType,
            TaskSort,
            Priority,
            PriorityInput,
            EffortUnit,
            ProjectStatus,
            LocationItemSchema,
            HttpError,
            HttpValidationError,
            Liveness,
            Readiness,
            EventResponse,
            WebhookResponse,
            WebhookCreated,
            WebhookCreateBody,
            WebhookUpdateBody,
            DeliveryResponse,
            AttemptResponse,
            EventTypeSchema,
            OverviewResponse,
        ),
        responses(
            TaskNotFound,
            ProjectNotFound,
            WebhookNotFound,
            DeliveryNotFound,
            ProjectHasTasks,
            TaskHasSubtasks,
            ProjectCycle,
            DependencyCycle,
            UserNotFound,
            UsernameTaken,
            IdempotencyInProgress,
            PreconditionFailed,
            PayloadTooLarge,
            UnsupportedMediaType,
            InvalidRequest,
            Unavailable,
            InternalError,
        ),
    ),
    tags(
        (name = "tasks", description = "Units of work, each part of at most one project."),
        (name = "projects", description = "Groups of tasks. A project with tasks is deleted only with `cascade=true`."),
        (name = "users", description = "People tasks are assigned to. Usernames are unique regardless of case; \
                                        deleting a user unassigns their tasks."),
        (name = "webhooks", description = "Subscriptions to the durable event log, delivered at least once, in log \
                                           order, signed per the Standard Webhooks specification. Managing them \
                                           needs a write key once keys exist."),
        (name = "health", description = "Probes for orchestrators and load balancers."),
        (name = "metrics", description = "Prometheus metrics of this instance."),
    ),
    modifiers(&BearerAuth, &CrossCutting),
)]
struct ApiDoc;

/// Adds what every operation shares, so no handler attribute can forget it.
struct CrossCutting;

/// The request id header, as named on the wire.
const REQUEST_ID: &str = "x-request-id";

impl Modify for CrossCutting {
    fn modify(&self, document: &mut Document) {
        document.info.version = env!("CARGO_PKG_VERSION").to_owned();
        if let Some(components) = document.components.as_mut() {
            crate::wire::amend_schemas(components);
        }
        let request_id = HeaderBuilder::new()
            .schema(Some(ObjectBuilder::new().schema_type(SchemaType::new(Type::String))))
            .description(Some(
                "The request's id: the client's own `x-request-id` when it sent a usable one (up to 128 \
                 characters of letters, digits and `-_.:/+=`), a fresh UUID otherwise. Logged with everything \
                 the request caused.",
            ))
            .build();
        let parameter = ParameterBuilder::new()
            .name(REQUEST_ID)
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "An id for this request, echoed in the response and written to the logs. Ids longer than 128 \
                 characters, or with characters other than letters, digits and `-_.:/+=`, are replaced by a \
                 fresh one.",
            ))
            .schema(Some(ObjectBuilder::new().schema_type(SchemaType::new(Type::String))))
            .build();
        let internal_error = InternalError::response().0;
        for item in document.paths.paths.values_mut() {
            for operation in operations_mut(item) {
                add_to_operation(operation, &parameter, &request_id, internal_error);
            }
        }
        consistency::add_bookmark_headers(document);
        if let Some(components) = document.components.as_mut() {
            for response in components.responses.values_mut() {
                if let RefOr::T(response) = response {
                    response.headers.insert(REQUEST_ID.to_owned(), RefOr::T(request_id.clone()));
                }
            }
        }
    }
}

/// Adds the request id parameter, the request id response header (to the
/// responses written inline; the shared ones get it in `components`), and
/// the 500.
fn add_to_operation(
    operation: &mut Operation,
    parameter: &utoipa::openapi::path::Parameter,
    request_id: &utoipa::openapi::header::Header,
    internal_error: &str,
) {
    operation.parameters.get_or_insert_with(Vec::new).push(RefOr::T(parameter.clone()));
    for response in operation.responses.responses.values_mut() {
        if let RefOr::T(response) = response {
            response.headers.insert(REQUEST_ID.to_owned(), RefOr::T(request_id.clone()));
        }
    }
    operation
        .responses
        .responses
        .entry("500".to_owned())
        .or_insert_with(|| RefOr::Ref(Ref::from_response_name(internal_error)));
}

/// Every operation of a path item, whatever its method.
fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .flatten()
}

/// The OpenAPI document of every route the API serves (but the two that
/// serve the documentation), as a server that requires keys serves it.
#[must_use]
pub fn document() -> Document {
    ApiDoc::openapi()
}

/// The document as a server that requires no key right now serves it: the
/// same, but no operation requires the `bearer` scheme. The scheme stays in
/// the components (Swagger UI's "Authorize" still takes a key), and 401/403
/// stay listed, since creating the first key closes the API at once.
///
/// A client or fuzzer generating requests from the document then sees what
/// the server does: requests without a key succeed.
#[must_use]
pub fn open_document() -> Document {
    let mut document = document();
    for item in document.paths.paths.values_mut() {
        for operation in operations_mut(item) {
            operation.security = None;
        }
    }
    document
}
