//! The documentation of values task bodies carry that the derive cannot
//! describe (a tag, a date or date-time), and a task found by a walk of
//! the task graph ([`TaskAtDepth`]). The request bodies are defined,
//! read and documented once, in [`crate::wire`]; the response is the
//! domain's [`trm_domain::Task`] itself.

use serde::Serialize;
use trm_domain::Task;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type};
use utoipa::{PartialSchema, ToSchema};

/// A task reached by a walk of the task graph (`…/blockers`,
/// `…/dependents`), with how far it is.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = TaskAtDepth)]
pub(crate) struct TaskAtDepth {
    /// The fewest `BLOCKS` edges between it and the task walked from: 1 for
    /// a direct blocker or dependent.
    #[schema(minimum = 1, maximum = 25)]
    pub depth: u8,
    /// The task.
    pub task: Task,
}

impl From<(u8, Task)> for TaskAtDepth {
    fn from((depth, task): (u8, Task)) -> Self {
        Self { depth, task }
    }
}

/// One tag in a request body, as documentation: a string with something
/// besides whitespace, 1–64 characters. Written by hand because utoipa's
/// derive puts no length or pattern on the items of a `Vec<String>`, and a
/// client generating requests from the document should not be told `""` is
/// a tag.
pub(crate) struct TagSchema;

impl PartialSchema for TagSchema {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(trm_domain::Tag::MAX_CHARS))
            .pattern(Some(trm_domain::NOT_BLANK_PATTERN))
            .description(Some("Trimmed; 1–64 characters after trimming."))
            .into()
    }
}

impl ToSchema for TagSchema {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Tag")
    }
}

/// A date-time without an offset (`2026-11-26T10:00:00`, optionally with
/// fractional seconds, of which microseconds are kept; a space for the `T`
/// is accepted too), as
/// Python's `datetime.isoformat()` writes a naive date-time: the readers
/// take it as UTC. No JSON Schema format names it, so it is documented by
/// this pattern, which admits only dates that exist in every year (the
/// 29th of February is left out) and times of day: every string it admits
/// is one the readers accept.
pub const NAIVE_DATE_TIME_PATTERN: &str = concat!(
    "^[0-9]{4}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)",
    "[T ](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]+)?$"
);

/// A `start_date` or `due_date` in a request body, as documentation: an
/// RFC 3339 date-time, a date-time without an offset (UTC) or a plain
/// date. Written by hand because the derive would say only "a string", and
/// a client generating requests from the document should be told which
/// strings are dates.
pub(crate) struct DateInputSchema;

impl PartialSchema for DateInputSchema {
    fn schema() -> RefOr<Schema> {
        let string = |format: KnownFormat| {
            ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(format)))
        };
        OneOfBuilder::new()
            .item(string(KnownFormat::DateTime).description(Some("An RFC 3339 date-time, any offset; stored in UTC.")))
            .item(string(KnownFormat::Date).description(Some("A calendar date: midnight UTC.")))
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(NAIVE_DATE_TIME_PATTERN))
                    .description(Some("A date-time without an offset (Python's `isoformat()`): read as UTC.")),
            )
            .description(Some(
                "An RFC 3339 date-time (`2026-12-01T17:00:00Z`), a date-time without an offset, read as UTC \
                 (`2026-12-01T17:00:00`, `2026-12-01T17:00:00.123456`), or a date (`2026-12-01`, midnight UTC).",
            ))
            .into()
    }
}

impl ToSchema for DateInputSchema {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("DateOrDateTime")
    }
}

#[cfg(test)]
mod tests {
    use trm_domain::Timestamp;

    use super::*;

    #[test]
    fn every_text_the_naive_date_time_pattern_admits_is_read_and_others_it_refuses() {
        let pattern = regex::Regex::new(NAIVE_DATE_TIME_PATTERN).unwrap();
        for text in [
            "2026-11-26T10:00:00",
            "2026-11-26 23:59:59",
            "2026-11-26T10:00:00.123456",
            "2026-11-26T10:00:00.123456789",
            "2026-11-26T10:00:00.1234567891234",
            "2026-01-31T00:00:00",
            "2026-04-30T00:00:00",
            "2026-02-28T00:00:00",
            "0000-12-31T00:00:00",
        ] {
            assert!(pattern.is_match(text), "{text}");
            assert!(Timestamp::parse(text).is_ok(), "{text}");
        }
        for text in [
            "2026-02-29T00:00:00",
            "2026-02-30T00:00:00",
            "2026-04-31T00:00:00",
            "2026-13-01T00:00:00",
            "2026-11-26T24:00:00",
            "2026-11-26T10:60:00",
            "2026-11-26T10:00",
            "2026-11-26T10:00:00.",
            "2026-11-26T10:00:00Z",
            "2026-11-26",
        ] {
            assert!(!pattern.is_match(text), "{text}");
        }
        // Every day of every month of a common year, at a few times.
        for day in 0..365 {
            let date = chrono::NaiveDate::from_yo_opt(2027, day + 1).unwrap();
            for time in ["00:00:00", "23:59:59.999999"] {
                let text = format!("{date}T{time}");
                assert!(pattern.is_match(&text), "{text}");
                assert!(Timestamp::parse(&text).is_ok(), "{text}");
            }
        }
    }
}
