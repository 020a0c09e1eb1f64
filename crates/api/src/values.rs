//! Parsers from JSON values to domain values, one per kind of field.
//!
//! Each returns the bare [`FieldErrorKind`]; [`Problems`](crate::wire::Problems)
//! attaches the field name.

use serde_json::Value;
use trm_domain::{
    Blockers, Description, EffortEstimate, Email, EnumAdapter, FieldError, FieldErrorKind, FieldPath, FullName,
    Priority, Tags, TaskId, Timestamp, Title, Username, ValidationErrors,
};
use uuid::Uuid;

/// A JSON string, or `string_type`.
pub(crate) fn string(value: &Value) -> Result<&str, FieldErrorKind> {
    value.as_str().ok_or(FieldErrorKind::WrongType("string"))
}

/// A title (trimmed, 1–200 characters).
pub(crate) fn title(value: &Value) -> Result<Title, FieldErrorKind> {
    Title::parse(string(value)?)
}

/// A description (at most 10,000 characters).
pub(crate) fn description(value: &Value) -> Result<Description, FieldErrorKind> {
    Description::parse(string(value)?)
}

/// A JSON boolean, or `bool_type`.
///
/// Only `true` and `false`: unlike a query string, a body has a boolean
/// type of its own, so `"true"`, `1` or `"yes"` are refused rather than
/// guessed at (a body is written by a program, which can send the type).
pub(crate) fn boolean(value: &Value) -> Result<bool, FieldErrorKind> {
    value.as_bool().ok_or(FieldErrorKind::WrongType("bool"))
}

/// A username (3–64 letters, digits, `_`, `.`, `-`; surrounding whitespace
/// ignored).
pub(crate) fn username(value: &Value) -> Result<Username, FieldErrorKind> {
    Username::parse(string(value)?)
}

/// An e-mail address (`local@domain.tld`, at most 254 characters).
pub(crate) fn email(value: &Value) -> Result<Email, FieldErrorKind> {
    Email::parse(string(value)?)
}

/// A person's display name (trimmed, 1–200 characters).
pub(crate) fn full_name(value: &Value) -> Result<FullName, FieldErrorKind> {
    FullName::parse(string(value)?)
}

/// Any EnumAdapter enum, from any accepted spelling.
pub(crate) fn enumerated<E: EnumAdapter>(value: &Value) -> Result<E, FieldErrorKind> {
    value.as_str().map_or_else(|| Err(E::unknown()), E::normalize)
}

/// A priority: the level `0`–`2` (an integral number), or a name or level
/// as a string.
pub(crate) fn priority(value: &Value) -> Result<Priority, FieldErrorKind> {
    match value {
        Value::String(text) => Priority::normalize(text),
        Value::Number(number) => match (number.as_i64(), number.as_f64()) {
            (Some(level), _) => Priority::from_level(level),
            // 1.0 is the level 1; 1.5 is nothing.
            #[allow(clippy::cast_possible_truncation)]
            (None, Some(float)) if float.fract() == 0.0 && float.abs() < 1e6 => Priority::from_level(float as i64),
            _ => Err(Priority::unknown()),
        },
        _ => Err(Priority::unknown()),
    }
}

/// An entity id in a body.
pub(crate) fn uuid(value: &Value) -> Result<Uuid, FieldErrorKind> {
    Uuid::parse_str(string(value)?).map_err(|_| FieldErrorKind::Uuid)
}

/// An effort estimate: a finite JSON number, zero or more.
pub(crate) fn effort(value: &Value) -> Result<EffortEstimate, FieldErrorKind> {
    let number = value.as_f64().ok_or(FieldErrorKind::WrongType("number"))?;
    EffortEstimate::new(number)
}

/// An RFC 3339 date-time or a `YYYY-MM-DD` date.
pub(crate) fn timestamp(value: &Value) -> Result<Timestamp, FieldErrorKind> {
    value.as_str().ok_or(FieldErrorKind::Datetime).and_then(Timestamp::parse)
}

/// A task's blockers: an array of task ids (each malformed one reported at
/// its index); at most 100 distinct, duplicates dropped.
pub(crate) fn blockers(value: &Value) -> Result<Blockers, ValidationErrors> {
    let Some(items) = value.as_array() else {
        return Err(FieldError::new("blocked_by", FieldErrorKind::WrongType("list")).into());
    };
    let mut errors = ValidationErrors::new();
    let mut ids = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        match uuid(item) {
            Ok(id) => ids.push(TaskId::from_uuid(id)),
            Err(kind) => errors.push(FieldError::at(FieldPath::field("blocked_by").index(index), kind)),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Blockers::parse("blocked_by", &ids)
}

/// A tag list: an array of strings, each a valid tag; at most 50 distinct.
pub(crate) fn tags(value: &Value) -> Result<Tags, ValidationErrors> {
    let Some(items) = value.as_array() else {
        return Err(FieldError::new("tags", FieldErrorKind::WrongType("list")).into());
    };
    let mut errors = ValidationErrors::new();
    let mut texts = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        match item.as_str() {
            Some(text) => texts.push(text),
            None => {
                errors.push(FieldError::at(FieldPath::field("tags").index(index), FieldErrorKind::WrongType("string")))
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Tags::parse("tags", &texts)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn priorities_accept_levels_names_and_integral_floats() {
        assert_eq!(priority(&json!(1)), Ok(Priority::High));
        assert_eq!(priority(&json!(2.0)), Ok(Priority::Urgent));
        assert_eq!(priority(&json!("urgent")), Ok(Priority::Urgent));
        assert_eq!(priority(&json!("0")), Ok(Priority::Normal));
        assert!(priority(&json!(1.5)).is_err());
        assert!(priority(&json!(3)).is_err());
        assert!(priority(&json!(true)).is_err());
        assert!(priority(&json!(1e300)).is_err());
        assert!(priority(&json!(u64::MAX)).is_err());
    }

    #[test]
    fn enum_values_that_are_not_strings_list_the_accepted_values() {
        let error = enumerated::<trm_domain::TaskStatus>(&json!(3)).unwrap_err();
        assert_eq!(error.type_name(), "enum");
    }

    #[test]
    fn tags_that_are_not_strings_are_reported_at_their_index() {
        let errors = tags(&json!(["a", 2, "b", null])).unwrap_err();
        let paths: Vec<String> = errors.errors().iter().map(ToString::to_string).collect();
        assert_eq!(paths, ["tags[1]: Input should be a valid string", "tags[3]: Input should be a valid string"]);
    }

    #[test]
    fn dates_must_exist() {
        assert!(timestamp(&json!("2026-02-30")).is_err());
        assert!(timestamp(&json!(20260101)).is_err());
        assert!(timestamp(&json!("2026-02-28")).is_ok());
    }

    #[test]
    fn booleans_are_json_true_or_false_and_nothing_else() {
        assert_eq!(boolean(&json!(true)), Ok(true));
        assert_eq!(boolean(&json!(false)), Ok(false));
        for bad in [json!("true"), json!(1), json!(0), json!("yes"), json!([]), json!({})] {
            assert_eq!(boolean(&bad), Err(FieldErrorKind::WrongType("bool")), "{bad}");
        }
    }

    #[test]
    fn user_fields_are_read_through_the_domain_parsers() {
        assert_eq!(username(&json!(" ada.l ")).map(|u| u.as_str().to_owned()), Ok("ada.l".to_owned()));
        assert_eq!(username(&json!("ab")), Err(FieldErrorKind::StringTooShort(3)));
        assert_eq!(username(&json!(5)), Err(FieldErrorKind::WrongType("string")));
        assert!(email(&json!("ada@example.com")).is_ok());
        assert_eq!(email(&json!("ada")).map_err(|kind| kind.type_name()), Err("value_error".to_owned()));
        assert_eq!(full_name(&json!("  ")), Err(FieldErrorKind::StringTooShort(1)));
    }
}
