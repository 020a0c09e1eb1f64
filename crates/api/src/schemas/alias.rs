//! `name`, the alias of `title` in task and project request bodies, and
//! `parent_project_id`, the alias of a project's `parent_id`, as
//! documentation.
//!
//! TRM-OS's clients send a task's or a project's title as `name`; the
//! bodies accept either spelling, never both
//! ([`crate::wire::Problems::either`]). The document must say exactly that
//! — Schemathesis sends whatever it says is valid and expects it accepted,
//! and whatever it says is invalid and expects it refused — so the schemas
//! of the create bodies require exactly one of the two (`oneOf` of the two
//! `required` lists) and those of the update bodies forbid both together
//! (`not`). utoipa's derive cannot write either keyword on an object, so the
//! derived schema of each body is amended with these
//! ([`crate::wire::amend_schemas`]).

use serde_json::{Value, json};
use utoipa::openapi::RefOr;
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::schema::Schema;

/// The field the alias stands for.
pub(crate) const TITLE: &str = "title";

/// The alias TRM-OS's clients use for [`TITLE`].
pub(crate) const TITLE_ALIAS: &str = "name";

/// The field a project's parent alias stands for.
pub(crate) const PARENT: &str = "parent_id";

/// The alias TRM-OS's clients use for a project's [`PARENT`].
pub(crate) const PARENT_ALIAS: &str = "parent_project_id";

/// A project create body's schema: exactly one of `title` and `name`, at
/// most one of `parent_id` and `parent_project_id` — one `allOf` of the two
/// rules, as one keyword: a schema's keywords added here are kept in a hash
/// map, so two of them would be written in a different order by each
/// process, and the document would differ from run to run.
#[must_use]
pub(crate) fn project_create(schema: RefOr<Schema>) -> RefOr<Schema> {
    let rules = json!([
        { "oneOf": [{ "required": [TITLE] }, { "required": [TITLE_ALIAS] }] },
        { "not": { "required": [PARENT, PARENT_ALIAS] } },
    ]);
    with_keyword(schema, "allOf", rules)
}

/// A project update body's schema: neither both of `title` and `name` nor
/// both of `parent_id` and `parent_project_id` — one `allOf` of the two
/// `not`s (one keyword, see [`project_create`]).
#[must_use]
pub(crate) fn project_update(schema: RefOr<Schema>) -> RefOr<Schema> {
    let rules =
        json!([{ "not": { "required": [TITLE, TITLE_ALIAS] } }, { "not": { "required": [PARENT, PARENT_ALIAS] } }]);
    with_keyword(schema, "allOf", rules)
}

/// A create body's schema: exactly one of `title` and `name` is required.
#[must_use]
pub(crate) fn exactly_one_title(schema: RefOr<Schema>) -> RefOr<Schema> {
    with_keyword(schema, "oneOf", json!([{ "required": [TITLE] }, { "required": [TITLE_ALIAS] }]))
}

/// An update body's schema: `title` and `name` are both optional, but not
/// both at once.
#[must_use]
pub(crate) fn at_most_one_title(schema: RefOr<Schema>) -> RefOr<Schema> {
    with_keyword(schema, "not", json!({ "required": [TITLE, TITLE_ALIAS] }))
}

/// Adds a JSON Schema keyword to an object schema (through its
/// extensions, which are written beside its other keywords) and takes
/// `title` and its alias out of its `required` list: the keyword says
/// which of them is required.
fn with_keyword(schema: RefOr<Schema>, keyword: &str, value: Value) -> RefOr<Schema> {
    match schema {
        RefOr::T(Schema::Object(mut object)) => {
            object.required.retain(|property| property != TITLE && property != TITLE_ALIAS);
            object.extensions.get_or_insert_with(Extensions::default).insert(keyword.to_owned(), value);
            RefOr::T(Schema::Object(object))
        }
        other => other,
    }
}
