//! Validation errors with a field path, in the vocabulary FastAPI clients parse.
//!
//! The domain reports *what* is wrong with *which* field; the HTTP layer adds
//! where the field came from (`body`, `query`, `path`, `header`) and renders
//! FastAPI's `{"loc": […], "msg": …, "type": …}` entries. The `type` names
//! follow pydantic's, because TRM-OS clients already branch on them.

use std::fmt;

use crate::entity::EntityKind;

/// One step of a path into a request: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    /// An object member, e.g. `title`.
    Key(String),
    /// An array element, e.g. the third tag.
    Index(usize),
}

/// Where in a request a problem is, relative to the request part it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldPath(Vec<PathSegment>);

impl FieldPath {
    /// The path of a top-level field.
    #[must_use]
    pub fn field(name: &str) -> Self {
        Self(vec![PathSegment::Key(name.to_owned())])
    }

    /// The path of the whole request part (the body itself, say).
    #[must_use]
    pub const fn root() -> Self {
        Self(Vec::new())
    }

    /// This path extended by an array index (`tags` → `tags[3]`).
    #[must_use]
    pub fn index(mut self, index: usize) -> Self {
        self.0.push(PathSegment::Index(index));
        self
    }

    /// This path seen from an enclosing value: `outer`'s segments, then
    /// this path's (`title` within `tasks[3]` is `tasks[3].title`), so the
    /// rules of one item can report problems of many items in one request.
    #[must_use]
    pub fn within(self, outer: &Self) -> Self {
        Self(outer.0.iter().cloned().chain(self.0).collect())
    }

    /// The segments, outermost first.
    #[must_use]
    pub fn segments(&self) -> &[PathSegment] {
        &self.0
    }
}

/// What is wrong with a field. Each kind has a stable machine-readable
/// [`type_name`](FieldErrorKind::type_name) and a human message.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldErrorKind {
    /// A required field is absent (or blank, for titles).
    Missing,
    /// The JSON type is wrong, e.g. a number where a string belongs; names the
    /// expected JSON type (`string`, `int`, `number`, `list`, `bool`, `dict`).
    WrongType(&'static str),
    /// `null` was sent for a field that cannot be cleared.
    NotNullable,
    /// A string is shorter than allowed (after trimming).
    StringTooShort(usize),
    /// A string is longer than allowed, in characters.
    StringTooLong(usize),
    /// A list holds fewer items than allowed.
    TooShort(usize),
    /// A list holds more items than allowed.
    TooLong(usize),
    /// A string does not match the pattern it must (given as a regex).
    PatternMismatch(String),
    /// A value of an enum matched nothing; carries the accepted values.
    Enum(Vec<String>),
    /// A number is below its minimum.
    GreaterThanEqual(String),
    /// A number is above its maximum.
    LessThanEqual(String),
    /// A number is NaN or infinite.
    FiniteNumber,
    /// Text that should be an integer is not one.
    IntParsing,
    /// Text that should be a date-time or date is not one (or does not exist).
    Datetime,
    /// Text that should be a UUID is not one.
    Uuid,
    /// An id that names no stored entity of the given kind.
    UnknownReference(EntityKind),
    /// A rule linking several fields or values, described in the message.
    Invalid(String),
    /// A field the schema does not know.
    ExtraForbidden,
    /// A body that is not valid JSON; carries the parser's description.
    JsonInvalid(String),
}

impl FieldErrorKind {
    /// The pydantic-style error type, e.g. `string_too_long`.
    #[must_use]
    pub fn type_name(&self) -> String {
        match self {
            Self::Missing => "missing".into(),
            Self::WrongType(expected) => format!("{expected}_type"),
            Self::NotNullable => "null_not_allowed".into(),
            Self::StringTooShort(_) => "string_too_short".into(),
            Self::StringTooLong(_) => "string_too_long".into(),
            Self::TooShort(_) => "too_short".into(),
            Self::TooLong(_) => "too_long".into(),
            Self::PatternMismatch(_) => "string_pattern_mismatch".into(),
            Self::Enum(_) => "enum".into(),
            Self::GreaterThanEqual(_) => "greater_than_equal".into(),
            Self::LessThanEqual(_) => "less_than_equal".into(),
            Self::FiniteNumber => "finite_number".into(),
            Self::IntParsing => "int_parsing".into(),
            Self::Datetime => "datetime_parsing".into(),
            Self::Uuid => "uuid_parsing".into(),
            Self::UnknownReference(_) | Self::Invalid(_) => "value_error".into(),
            Self::ExtraForbidden => "extra_forbidden".into(),
            Self::JsonInvalid(_) => "json_invalid".into(),
        }
    }
}

impl fmt::Display for FieldErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => f.write_str("Field required"),
            Self::WrongType(expected) => {
                let noun = match *expected {
                    "int" => "integer",
                    "dict" => "object",
                    "bool" => "boolean",
                    other => other,
                };
                write!(f, "Input should be a valid {noun}")
            }
            Self::NotNullable => f.write_str("Input should not be null: this field cannot be cleared"),
            Self::StringTooShort(min) => {
                let s = if *min == 1 { "" } else { "s" };
                write!(f, "String should have at least {min} character{s}")
            }
            Self::StringTooLong(max) => write!(f, "String should have at most {max} characters"),
            Self::TooShort(min) => {
                let s = if *min == 1 { "" } else { "s" };
                write!(f, "List should have at least {min} item{s}")
            }
            Self::TooLong(max) => write!(f, "List should have at most {max} items"),
            Self::PatternMismatch(pattern) => write!(f, "String should match pattern '{pattern}'"),
            Self::Enum(accepted) => write!(f, "Input should be {}", one_of(accepted)),
            Self::GreaterThanEqual(min) => write!(f, "Input should be greater than or equal to {min}"),
            Self::LessThanEqual(max) => write!(f, "Input should be less than or equal to {max}"),
            Self::FiniteNumber => f.write_str("Input should be a finite number"),
            Self::IntParsing => f.write_str("Input should be a valid integer"),
            Self::Datetime => f.write_str(
                "Input should be a valid date-time (RFC 3339, e.g. 2026-11-26T03:12:45Z) or date (YYYY-MM-DD)",
            ),
            Self::Uuid => f.write_str("Input should be a valid UUID"),
            Self::UnknownReference(kind) => {
                write!(f, "Value error, {kind} not found: no {} with this id exists", kind.key())
            }
            Self::Invalid(message) => write!(f, "Value error, {message}"),
            Self::ExtraForbidden => f.write_str("Extra inputs are not permitted"),
            Self::JsonInvalid(reason) => write!(f, "JSON decode error: {reason}"),
        }
    }
}

impl std::error::Error for FieldErrorKind {}

/// `'a', 'b' or 'c'`, as pydantic lists accepted values.
fn one_of(accepted: &[String]) -> String {
    let quoted: Vec<String> = accepted.iter().map(|v| format!("'{v}'")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// One problem with one field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// Where the problem is, relative to the request part.
    pub path: FieldPath,
    /// What the problem is.
    pub kind: FieldErrorKind,
}

impl FieldError {
    /// A problem with a top-level field.
    #[must_use]
    pub fn new(field: &str, kind: FieldErrorKind) -> Self {
        Self { path: FieldPath::field(field), kind }
    }

    /// A problem at an arbitrary path.
    #[must_use]
    pub const fn at(path: FieldPath, kind: FieldErrorKind) -> Self {
        Self { path, kind }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.path.segments().iter().enumerate() {
            match segment {
                PathSegment::Key(key) if i == 0 => f.write_str(key)?,
                PathSegment::Key(key) => write!(f, ".{key}")?,
                PathSegment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        write!(f, ": {}", self.kind)
    }
}

/// Every problem found in one request, so a client can fix them all at once.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValidationErrors(Vec<FieldError>);

impl ValidationErrors {
    /// No problems yet.
    #[must_use]
    pub const fn new() -> Self {
        Self(Vec::new())
    }

    /// Records a problem.
    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// Whether nothing was recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problems, in the order they were found.
    #[must_use]
    pub fn errors(&self) -> &[FieldError] {
        &self.0
    }

    /// `Ok(value)` when nothing was recorded, else `Err(self)`.
    ///
    /// # Errors
    /// Returns the collected errors when there is at least one.
    pub fn into_result<T>(self, value: T) -> Result<T, Self> {
        if self.is_empty() { Ok(value) } else { Err(self) }
    }
}

impl From<FieldError> for ValidationErrors {
    fn from(error: FieldError) -> Self {
        Self(vec![error])
    }
}

impl IntoIterator for ValidationErrors {
    type Item = FieldError;
    type IntoIter = std::vec::IntoIter<FieldError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for ValidationErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_errors_list_accepted_values_like_pydantic() {
        let kind = FieldErrorKind::Enum(vec!["a".into(), "b".into(), "c".into()]);
        assert_eq!(kind.to_string(), "Input should be 'a', 'b' or 'c'");
        assert_eq!(kind.type_name(), "enum");
    }

    #[test]
    fn errors_display_their_path() {
        let error = FieldError::at(FieldPath::field("tags").index(2), FieldErrorKind::StringTooLong(64));
        assert_eq!(error.to_string(), "tags[2]: String should have at most 64 characters");
    }
}
