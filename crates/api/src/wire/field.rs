//! A body field as sent, and the collector that reads fields into domain
//! values while keeping every problem.

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use trm_domain::{FieldError, FieldErrorKind, ValidationErrors};

use crate::error::{ApiError, Source};

/// A field of a request body as sent: absent, `null`, or a value.
///
/// A PATCH needs all three apart (absent keeps, `null` clears), and the
/// value stays raw JSON so that its conversion, not serde, says what is
/// wrong with it — with the domain's own message, beside every other
/// problem of the body. Fields of this type are `#[serde(default)]`, which
/// is what makes an absent field [`Field::Absent`].
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Field {
    /// Not in the body.
    #[default]
    Absent,
    /// Sent as `null`.
    Null,
    /// Sent as anything else.
    Value(Value),
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(deserializer)? {
            Value::Null => Self::Null,
            value => Self::Value(value),
        })
    }
}

/// A field of a body with its name on the wire, as [`Problems`] reads it.
pub type Named<'n> = (&'n str, Field);

/// `named!(body.title)`: the field `title` of `body` with its wire name,
/// taken from the field itself so the two cannot differ (the bodies rename
/// nothing).
macro_rules! named {
    ($body:ident . $field:ident) => {
        (stringify!($field), $body.$field)
    };
}
pub(crate) use named;

/// Reads the fields of one body into domain values, collecting every
/// problem instead of stopping at the first, at the field's name.
#[derive(Debug, Default)]
pub struct Problems {
    errors: ValidationErrors,
}

impl Problems {
    /// Starts with no problem.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem.
    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    fn check<T>(
        &mut self,
        name: &str,
        value: &Value,
        parse: impl FnOnce(&Value) -> Result<T, FieldErrorKind>,
    ) -> Option<T> {
        parse(value).map_err(|kind| self.errors.push(FieldError::new(name, kind))).ok()
    }

    /// A field or, in its place, its alias (`name` for `title`, as TRM-OS's
    /// clients send it): what was sent and the spelling it was sent under,
    /// so that problems are reported where the client put the value. Both
    /// at once is a problem at the alias, and the field's own is read.
    pub fn either<'n>(&mut self, (name, field): Named<'n>, (alias, aliased): Named<'n>) -> Named<'n> {
        match (field, aliased) {
            (Field::Absent, Field::Absent) => (name, Field::Absent),
            (Field::Absent, aliased) => (alias, aliased),
            (field, Field::Absent) => (name, field),
            (field, _) => {
                let message = format!("`{alias}` is an alias of `{name}`: give one of them, not both");
                self.errors.push(FieldError::new(alias, FieldErrorKind::Invalid(message)));
                (name, field)
            }
        }
    }

    /// A field that must be present and not null.
    pub fn required<T>(
        &mut self,
        (name, field): Named<'_>,
        parse: impl FnOnce(&Value) -> Result<T, FieldErrorKind>,
    ) -> Option<T> {
        match field {
            Field::Absent => {
                self.errors.push(FieldError::new(name, FieldErrorKind::Missing));
                None
            }
            Field::Null => {
                self.errors.push(FieldError::new(name, FieldErrorKind::NotNullable));
                None
            }
            Field::Value(value) => self.check(name, &value, parse),
        }
    }

    /// A field that may be absent (`None`) but, when present, not null.
    pub fn optional<T>(
        &mut self,
        (name, field): Named<'_>,
        parse: impl FnOnce(&Value) -> Result<T, FieldErrorKind>,
    ) -> Option<T> {
        match field {
            Field::Absent => None,
            Field::Null => {
                self.errors.push(FieldError::new(name, FieldErrorKind::NotNullable));
                None
            }
            Field::Value(value) => self.check(name, &value, parse),
        }
    }

    /// A nullable field: `None` when absent (or wrong), `Some(None)` for
    /// `null`.
    #[allow(clippy::option_option)] // absent and null differ
    pub fn nullable<T>(
        &mut self,
        (name, field): Named<'_>,
        parse: impl FnOnce(&Value) -> Result<T, FieldErrorKind>,
    ) -> Option<Option<T>> {
        match field {
            Field::Absent => None,
            Field::Null => Some(None),
            Field::Value(value) => self.check(name, &value, parse).map(Some),
        }
    }

    /// A non-nullable field whose parser reports several problems at once
    /// (a list, whose items each have a path).
    pub fn optional_multi<T>(
        &mut self,
        (name, field): Named<'_>,
        parse: impl FnOnce(&Value) -> Result<T, ValidationErrors>,
    ) -> Option<T> {
        match field {
            Field::Absent => None,
            Field::Null => {
                self.errors.push(FieldError::new(name, FieldErrorKind::NotNullable));
                None
            }
            Field::Value(value) => match parse(&value) {
                Ok(parsed) => Some(parsed),
                Err(errors) => {
                    errors.into_iter().for_each(|error| self.errors.push(error));
                    None
                }
            },
        }
    }

    /// Ends reading: every property of `unknown` (the body's catch-all) is
    /// `extra_forbidden`, after the problems of the fields.
    ///
    /// # Errors
    /// Every problem found, as one 422.
    pub fn finish<T>(mut self, unknown: &Map<String, Value>, value: Option<T>) -> Result<T, ApiError> {
        for name in unknown.keys() {
            self.errors.push(FieldError::new(name, FieldErrorKind::ExtraForbidden));
        }
        match value {
            Some(value) if self.errors.is_empty() => Ok(value),
            _ => Err(ApiError::invalid(Source::Body, &self.errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Deserialize)]
    struct Body {
        #[serde(default)]
        title: Field,
        #[serde(default)]
        name: Field,
        #[serde(flatten)]
        extra: Map<String, Value>,
    }

    fn text(value: &Value) -> Result<String, FieldErrorKind> {
        value.as_str().map(str::to_owned).ok_or(FieldErrorKind::WrongType("string"))
    }

    fn title_or_name(body: Value) -> Result<String, ApiError> {
        let body: Body = serde_json::from_value(body).unwrap();
        let mut problems = Problems::new();
        let title = problems.either(named!(body.title), named!(body.name));
        let title = problems.required(title, text);
        problems.finish(&body.extra, title)
    }

    fn problems(error: ApiError) -> Vec<(Vec<Value>, String)> {
        let ApiError::Invalid(details) = error else { panic!("expected a 422, got {error:?}") };
        details.into_iter().map(|detail| (detail.loc, detail.kind)).collect()
    }

    #[test]
    fn a_field_is_absent_null_or_a_value_as_sent() {
        let body: Body = serde_json::from_value(json!({"title": null, "colour": "red"})).unwrap();
        assert_eq!((body.title, body.name), (Field::Null, Field::Absent));
        let body: Body = serde_json::from_value(json!({"name": 5})).unwrap();
        assert_eq!(body.name, Field::Value(json!(5)));
    }

    #[test]
    fn unknown_fields_are_each_reported_after_the_fields_problems() {
        let error = title_or_name(json!({"title": 5, "colour": "red", "size": 3})).unwrap_err();
        assert_eq!(
            problems(error),
            [
                (vec![json!("body"), json!("title")], "string_type".to_owned()),
                (vec![json!("body"), json!("colour")], "extra_forbidden".to_owned()),
                (vec![json!("body"), json!("size")], "extra_forbidden".to_owned()),
            ]
        );
    }

    #[test]
    fn a_property_named_like_the_catch_all_is_an_unknown_property_too() {
        let error = title_or_name(json!({"title": "x", "extra": 1})).unwrap_err();
        assert_eq!(problems(error), [(vec![json!("body"), json!("extra")], "extra_forbidden".to_owned())]);
    }

    #[test]
    fn a_field_is_read_under_its_own_name_or_under_its_alias() {
        assert_eq!(title_or_name(json!({"title": "Launch"})).unwrap(), "Launch");
        assert_eq!(title_or_name(json!({"name": "Launch"})).unwrap(), "Launch");
    }

    #[test]
    fn a_field_sent_under_both_spellings_is_refused_at_the_alias() {
        let ApiError::Invalid(details) = title_or_name(json!({"title": "a", "name": "b"})).unwrap_err() else {
            panic!()
        };
        assert_eq!(details.len(), 1);
        assert_eq!(details[0].loc, [json!("body"), json!("name")]);
        assert_eq!(details[0].kind, "value_error");
        assert!(details[0].msg.contains("alias of `title`"), "{}", details[0].msg);
    }

    #[test]
    fn a_problem_with_an_aliased_field_is_reported_where_the_client_put_it() {
        let at_name = vec![json!("body"), json!("name")];
        assert_eq!(problems(title_or_name(json!({"name": 5})).unwrap_err())[0].0, at_name);
        assert_eq!(problems(title_or_name(json!({"name": null})).unwrap_err())[0].0, at_name);
        assert_eq!(
            problems(title_or_name(json!({})).unwrap_err()),
            [(vec![json!("body"), json!("title")], "missing".to_owned())]
        );
    }
}
