//! The enums' JSON shape as OpenAPI schemas (the `openapi` feature).
//!
//! The entities derive `utoipa::ToSchema` next to their `Serialize`, so the
//! schema of a response body is derived from the very type that writes it.
//! Their enums need schemas written by hand, because the derive cannot see
//! what the EnumAdapter accepts: each schema here is *generated from the
//! adapter's tables* — the canonical values from `VARIANTS`, the synonyms
//! from `SYNONYMS` — so a document cannot drift from what is accepted.
//!
//! Each schema lists the canonical values as its `enum` (what is written,
//! and what a client should send), and its description says what else is
//! accepted on input: any spelling that differs only in case, spaces,
//! hyphens, underscores or camelCase boundaries, and the synonyms, listed.

use std::borrow::Cow;

use serde_json::Value;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::enums::{EffortUnit, EnumAdapter, Priority, ProjectStatus, TaskStatus, TaskType};
use crate::ids::TaskId;
use crate::sort::TaskSort;

/// What every enum's description says about input spellings.
fn accepted_spellings<E: EnumAdapter>() -> String {
    let mut text = String::from(
        "Always written as one of the canonical values listed in `enum`. On input the EnumAdapter \
         normalizes the spelling: case, spaces, hyphens, underscores and camelCase boundaries are \
         ignored (`In Progress`, `IN_PROGRESS`, `in-progress` and `inProgress` are all the same \
         value)",
    );
    if E::SYNONYMS.is_empty() {
        text.push('.');
    } else {
        let synonyms: Vec<String> =
            E::SYNONYMS.iter().map(|(synonym, value)| format!("`{synonym}` → `{}`", value.as_str())).collect();
        text.push_str(", and these synonyms are accepted: ");
        text.push_str(&synonyms.join(", "));
        text.push('.');
    }
    text.push_str(" Any other value is a 422 whose message lists the accepted values.");
    text
}

/// The schema of an EnumAdapter enum: a string, one of the canonical values.
fn string_enum<E: EnumAdapter>(what: &str, default: Option<E>) -> Schema {
    let canonical: Vec<&'static str> = E::VARIANTS.iter().map(|value| value.as_str()).collect();
    let example = default.or_else(|| E::VARIANTS.first().copied()).map(|value| Value::from(value.as_str()));
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::String))
        .enum_values(Some(canonical))
        .description(Some(format!("{what} {}", accepted_spellings::<E>())))
        .default(default.map(|value| Value::from(value.as_str())))
        .examples(example)
        .into()
}

/// Gives a string EnumAdapter enum its schema, a component named after it.
macro_rules! string_enum_schema {
    ($enum:ident, $what:literal, $default:expr) => {
        impl PartialSchema for $enum {
            fn schema() -> RefOr<Schema> {
                string_enum::<$enum>($what, $default).into()
            }
        }

        impl ToSchema for $enum {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($enum))
            }
        }
    };
}

string_enum_schema!(
    TaskStatus,
    "Where a task is in its life; `done` sets the task's `completed_at`, leaving `done` clears it.",
    Some(TaskStatus::default())
);
string_enum_schema!(TaskType, "What kind of work a task is.", None);
string_enum_schema!(EffortUnit, "The unit of `effort_estimate`.", Some(EffortUnit::default()));
string_enum_schema!(ProjectStatus, "Where a project is in its life.", Some(ProjectStatus::default()));

/// The integer levels of [`Priority`], in order.
fn priority_levels() -> Vec<u8> {
    Priority::VARIANTS.iter().map(|priority| priority.level()).collect()
}

/// What the priority levels mean, for descriptions.
fn priority_meanings() -> String {
    let meanings: Vec<String> =
        Priority::VARIANTS.iter().map(|priority| format!("`{}` {}", priority.level(), priority.as_str())).collect();
    meanings.join(", ")
}

/// A priority as it is written: its integer level.
impl PartialSchema for Priority {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::Integer))
            .enum_values(Some(priority_levels()))
            .description(Some(format!(
                "How urgent a task is, as its integer level: {}. Requests may also name it; see `PriorityInput`.",
                priority_meanings()
            )))
            .default(Some(Value::from(Priority::default().level())))
            .into()
    }
}

impl ToSchema for Priority {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Priority")
    }
}

/// What a request may send for a priority: the level or its name. A type of
/// its own because it is wider than what is written ([`Priority`]'s schema),
/// and a client generated from the document should be told both.
#[derive(Debug, Clone, Copy)]
pub struct PriorityInput;

impl PartialSchema for PriorityInput {
    fn schema() -> RefOr<Schema> {
        let names: Vec<&'static str> = Priority::VARIANTS.iter().map(|priority| priority.as_str()).collect();
        OneOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(SchemaType::new(Type::Integer)).enum_values(Some(priority_levels())))
            .item(
                ObjectBuilder::new()
                    .schema_type(SchemaType::new(Type::String))
                    .enum_values(Some(names))
                    .description(Some("The level's name, in any case; the level as a string (`\"1\"`) also works.")),
            )
            .description(Some(format!(
                "A priority: the integer level ({}) or its name. Always written back as the level. Any other value \
                 is a 422 listing the accepted values.",
                priority_meanings()
            )))
            .default(Some(Value::from(Priority::default().level())))
            .examples([Value::from(Priority::High.level()), Value::from(Priority::Urgent.as_str())])
            .into()
    }
}

impl ToSchema for PriorityInput {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("PriorityInput")
    }
}

/// A task's id as it is written: a UUID string. Lists of ids (a task's
/// `blocked_by`) need it as a component, because the derive puts no format
/// on the items of a list of strings.
impl PartialSchema for TaskId {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
            .description(Some("A task's `uid`."))
            .into()
    }
}

impl ToSchema for TaskId {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("TaskId")
    }
}

/// The orders of a task list (the `sort` query parameter), generated from
/// the list of them. Unlike the other
/// enums, its spellings are exact: `-` means descending.
impl PartialSchema for TaskSort {
    fn schema() -> RefOr<Schema> {
        let values: Vec<&'static str> = TaskSort::ALL.iter().map(|sort| sort.as_str()).collect();
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .enum_values(Some(values))
            .description(Some(
                "The order of a task list: by `created_at` (the default), `updated_at`, `due_date` or \
                 `priority` (normal, high, urgent), ascending, or descending with a leading `-` \
                 (`-priority`: urgent first). Ties are broken by `created_at`, then `uid`, in the same \
                 direction, so `-x` is `x` read backwards; tasks without a due date come last in both \
                 directions. Exactly these spellings; any other value is a 422.",
            ))
            .default(Some(Value::from(TaskSort::default().as_str())))
            .examples(Some(Value::from(TaskSort::DueDateDesc.as_str())))
            .into()
    }
}

impl ToSchema for TaskSort {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("TaskSort")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json<S: PartialSchema>() -> Value {
        serde_json::to_value(S::schema()).unwrap_or_default()
    }

    #[test]
    fn enum_schemas_list_exactly_the_canonical_values() {
        assert_eq!(
            json::<TaskStatus>()["enum"],
            serde_json::json!(["backlog", "todo", "in_progress", "in_review", "blocked", "done", "cancelled"])
        );
        assert_eq!(json::<ProjectStatus>()["enum"], serde_json::json!(["active", "on_hold", "completed", "archived"]));
        assert_eq!(json::<Priority>()["enum"], serde_json::json!([0, 1, 2]));
    }

    #[test]
    fn every_documented_synonym_normalizes_to_the_value_it_is_documented_with() {
        let description = json::<TaskStatus>()["description"].as_str().unwrap_or_default().to_owned();
        assert!(description.contains("`wip` → `in_progress`"), "{description}");
        for (synonym, value) in TaskStatus::SYNONYMS {
            assert!(description.contains(&format!("`{synonym}` → `{}`", value.as_str())));
            assert_eq!(TaskStatus::normalize(synonym), Ok(*value));
        }
    }

    #[test]
    fn the_spellings_the_description_promises_are_accepted() {
        for spelling in ["In Progress", "IN_PROGRESS", "in-progress", "inProgress"] {
            assert_eq!(TaskStatus::normalize(spelling), Ok(TaskStatus::InProgress), "{spelling}");
        }
    }
}
