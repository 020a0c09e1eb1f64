//! The wire layer: every JSON request body, defined once.
//!
//! Each body is one type here ([`TaskCreateBody`], [`TaskUpdateBody`],
//! [`TaskBulkCreateBody`], [`ProjectCreateBody`], …) that serde fills and
//! utoipa documents, so a field's name, whether it may be `null` and what
//! it accepts are written in one place and cannot drift. Its fields hold
//! the JSON *as sent* — absent, `null` or a value ([`Field`]) — and every
//! property the type does not name lands in one `#[serde(flatten)]`
//! catch-all map. The conversion into the domain value
//! (`TryFrom<TaskCreateBody> for NewTask`, in the shape of
//! zero-to-production's `TryFrom<FormData> for NewSubscriber`) then reads
//! every field with the domain's own parsers and collects *every* problem
//! ([`Problems`]), unknown properties included, into one 422 in FastAPI's
//! shape — which a derive that deserialized straight into domain types
//! could not do: it stops at the first problem.
//!
//! The module is its own directory, not part of `schemas`, because it is
//! the crate's one public door to its readers: the fuzz targets read bodies
//! through it ([`parse_object`], [`read`] and the body types) and query
//! strings ([`QueryParams`], [`task_filter`], re-exported from the crate's
//! private `query` module), so what a client's input goes through is said
//! in one place, and every other module can stay private. `schemas` keeps
//! the responses and the documentation of value types (enums, dates, tags)
//! the bodies refer to.
//!
//! Two things of each body's OpenAPI schema the derive cannot say are added
//! to the document by [`amend_schemas`]: that it is closed
//! (`additionalProperties: false`, which serde's `deny_unknown_fields`
//! would give but cannot be combined with the catch-all), and which of
//! `title` and its alias `name` is required, and that a project's
//! `parent_id` and its alias `parent_project_id` are never both (see
//! [`crate::schemas::alias`]).

mod bulk;
mod field;
mod project;
mod task;
mod user;
mod webhook;

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use trm_domain::FieldErrorKind;
use utoipa::ToSchema;
use utoipa::openapi::schema::{AdditionalProperties, Schema};
use utoipa::openapi::{Components, Ref, RefOr};

pub use self::bulk::TaskBulkCreateBody;
pub use self::field::{Field, Named, Problems};
pub use self::project::{ProjectCreateBody, ProjectUpdateBody};
pub use self::task::{TaskCreateBody, TaskUpdateBody};
pub use self::user::{UserCreateBody, UserUpdateBody};
pub use self::webhook::{WebhookCreateBody, WebhookUpdateBody};
pub use crate::body::parse_object;
pub use crate::error::ApiError;
pub use crate::query::{FixedByPath, QueryParams, task_filter, task_list};
use crate::schemas::alias;

/// A request body: the wire type serde fills, and the domain value it
/// converts into (every problem collected, as one 422).
pub trait RequestBody: DeserializeOwned {
    /// What a valid body is, to the service.
    type Value: TryFrom<Self, Error = ApiError>;
}

/// Reads a JSON object (as [`parse_object`] gives it) as the body `B` and
/// converts it into its domain value.
///
/// # Errors
/// A 422 listing every problem of the body, in FastAPI's shape.
pub fn read<B: RequestBody>(object: Map<String, Value>) -> Result<B::Value, ApiError> {
    <B::Value as TryFrom<B>>::try_from(decode(object)?)
}

/// Reads a JSON object as the body `B`. Every field of a body accepts any
/// JSON value and the catch-all takes any property, so this fails only for
/// what is not an object.
fn decode<B: DeserializeOwned>(object: Map<String, Value>) -> Result<B, ApiError> {
    serde_json::from_value(Value::Object(object))
        .map_err(|_| ApiError::invalid_part(crate::error::Source::Body, FieldErrorKind::WrongType("dict")))
}

/// How a body's schema says which of `title` and its alias is required.
type TitleRule = fn(RefOr<Schema>) -> RefOr<Schema>;

/// Closes the schema of every request body (a property it does not list is
/// a 422) and adds the alias rules, in the document's components.
pub fn amend_schemas(components: &mut Components) {
    let bodies: [(Cow<'static, str>, Option<TitleRule>); 9] = [
        (TaskCreateBody::name(), Some(alias::exactly_one_title)),
        (TaskUpdateBody::name(), Some(alias::at_most_one_title)),
        (TaskBulkCreateBody::name(), None),
        (ProjectCreateBody::name(), Some(alias::project_create)),
        (ProjectUpdateBody::name(), Some(alias::project_update)),
        (UserCreateBody::name(), None),
        (UserUpdateBody::name(), None),
        (WebhookCreateBody::name(), None),
        (WebhookUpdateBody::name(), None),
    ];
    for (name, title_rule) in bodies {
        let Some(slot) = components.schemas.get_mut(name.as_ref()) else { continue };
        let mut schema = std::mem::replace(slot, RefOr::Ref(Ref::default()));
        if let RefOr::T(Schema::Object(object)) = &mut schema {
            object.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
        }
        *slot = match title_rule {
            Some(rule) => rule(schema),
            None => schema,
        };
    }
}
