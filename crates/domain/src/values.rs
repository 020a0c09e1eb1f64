//! Validated value types.
//!
//! Each type here can only be built through its `parse`/`new` function, which
//! enforces the contract's rule; holding one is proof that it is valid. The
//! error is the bare [`FieldErrorKind`] because the field's *name* belongs to
//! the caller (a project's title and a task's title share [`Title`]).

use std::fmt;
use std::ops::Deref;

use serde::Serialize;

use crate::error::{FieldError, FieldErrorKind, FieldPath, ValidationErrors};

/// Checks a character count against an inclusive range.
fn check_length(text: &str, min: usize, max: usize) -> Result<(), FieldErrorKind> {
    let length = text.chars().count();
    if length < min {
        Err(FieldErrorKind::StringTooShort(min))
    } else if length > max {
        Err(FieldErrorKind::StringTooLong(max))
    } else {
        Ok(())
    }
}

/// The regular expression, in the dialect of JSON Schema and OpenAPI
/// (ECMA-262), that a trimmed text field matches exactly when trimming does
/// not leave it blank: it has a character that is not white space. The
/// API documents it as the `pattern` of titles, tags and full names, so a
/// client that generates requests from the document sends no blank text.
///
/// Why not `\S`: dialects disagree on white space, and the domain's rule is
/// Rust's (`str::trim`, Unicode `White_Space`). ECMA-262's `\s` leaves out
/// U+0085 (NEXT LINE), which `trim` removes, and takes in U+FEFF, which
/// `trim` keeps; a title of a single U+0085 was documented valid and then
/// rejected. The class lists `White_Space` itself, and a test checks it
/// against `char::is_whitespace` for every character.
pub const NOT_BLANK_PATTERN: &str = r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";

/// A task's or project's title: trimmed, 1–200 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Title(String);

impl Title {
    /// The longest title accepted, in characters.
    pub const MAX_CHARS: usize = 200;

    /// Trims and checks a title.
    ///
    /// # Errors
    /// `StringTooShort(1)` when blank after trimming, `StringTooLong(200)` when
    /// longer than 200 characters.
    pub fn parse(text: &str) -> Result<Self, FieldErrorKind> {
        let trimmed = text.trim();
        check_length(trimmed, 1, Self::MAX_CHARS)?;
        Ok(Self(trimmed.to_owned()))
    }

    /// The title's text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Title {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Title {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Free-form text describing a task or project: at most 10,000 characters,
/// kept exactly as sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Description(String);

impl Description {
    /// The longest description accepted, in characters.
    pub const MAX_CHARS: usize = 10_000;

    /// Checks a description's length.
    ///
    /// # Errors
    /// `StringTooLong(10000)` when longer than 10,000 characters.
    pub fn parse(text: &str) -> Result<Self, FieldErrorKind> {
        check_length(text, 0, Self::MAX_CHARS)?;
        Ok(Self(text.to_owned()))
    }

    /// The description's text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Description {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

/// One label on a task: trimmed, 1–64 characters, matched exactly by filters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Tag(String);

impl Tag {
    /// The longest tag accepted, in characters.
    pub const MAX_CHARS: usize = 64;

    /// Trims and checks a tag.
    ///
    /// # Errors
    /// `StringTooShort(1)` when blank, `StringTooLong(64)` when too long.
    pub fn parse(text: &str) -> Result<Self, FieldErrorKind> {
        let trimmed = text.trim();
        check_length(trimmed, 1, Self::MAX_CHARS)?;
        Ok(Self(trimmed.to_owned()))
    }

    /// The tag's text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A task's labels: at most 50 distinct tags, in the order first given.
///
/// Duplicates are dropped rather than rejected: a client that sends
/// `["ui", "ui"]` means the task is tagged `ui`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(transparent)]
pub struct Tags(Vec<Tag>);

impl Tags {
    /// The most tags a task may carry.
    pub const MAX_COUNT: usize = 50;

    /// Validates every tag and the count, dropping duplicates.
    ///
    /// # Errors
    /// One error per invalid tag (at `tags[i]`), or `TooLong(50)` at `tags`
    /// when more than 50 distinct tags remain. Paths are relative to `field`.
    pub fn parse<S: AsRef<str>>(field: &str, texts: &[S]) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let mut tags: Vec<Tag> = Vec::with_capacity(texts.len().min(Self::MAX_COUNT));
        for (index, text) in texts.iter().enumerate() {
            match Tag::parse(text.as_ref()) {
                Ok(tag) if !tags.contains(&tag) => tags.push(tag),
                Ok(_) => {}
                Err(kind) => errors.push(FieldError::at(FieldPath::field(field).index(index), kind)),
            }
        }
        if errors.is_empty() && tags.len() > Self::MAX_COUNT {
            errors.push(FieldError::new(field, FieldErrorKind::TooLong(Self::MAX_COUNT)));
        }
        errors.into_result(Self(tags))
    }

    /// Builds tags from values already validated, e.g. read from a store.
    ///
    /// Duplicates are dropped; the count is trusted because only validated
    /// tag lists are ever stored.
    #[must_use]
    pub fn from_tags(tags: impl IntoIterator<Item = Tag>) -> Self {
        let mut unique: Vec<Tag> = Vec::new();
        for tag in tags {
            if !unique.contains(&tag) {
                unique.push(tag);
            }
        }
        Self(unique)
    }

    /// The tags, in order.
    #[must_use]
    pub fn as_slice(&self) -> &[Tag] {
        &self.0
    }

    /// The tags as plain strings, in order.
    pub fn iter_str(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(Tag::as_str)
    }

    /// Whether there are no tags.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// How much work a task is estimated to be, in its effort unit: a finite
/// number, zero or more.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct EffortEstimate(f64);

impl EffortEstimate {
    /// Checks an estimate.
    ///
    /// # Errors
    /// `FiniteNumber` for NaN or infinities, `GreaterThanEqual(0)` below zero.
    pub fn new(value: f64) -> Result<Self, FieldErrorKind> {
        if !value.is_finite() {
            Err(FieldErrorKind::FiniteNumber)
        } else if value < 0.0 {
            Err(FieldErrorKind::GreaterThanEqual("0".into()))
        } else {
            // Normalize -0.0 so it is written as 0.
            Ok(Self(value + 0.0))
        }
    }

    /// The estimate.
    #[must_use]
    pub const fn value(self) -> f64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The characters [`NOT_BLANK_PATTERN`]'s negated class lists, read
    /// from its text (escapes `\t`, `\r`, `\uXXXX`, literals, `a-b` ranges).
    fn not_blank_class() -> Vec<(char, char)> {
        let body = NOT_BLANK_PATTERN.strip_prefix("[^").and_then(|rest| rest.strip_suffix(']')).unwrap();
        let mut atoms: Vec<Option<char>> = Vec::new(); // `None` is a range's `-`
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            atoms.push(match c {
                '\\' => match chars.next().unwrap() {
                    't' => Some('\t'),
                    'r' => Some('\r'),
                    'u' => {
                        let hex: String = chars.by_ref().take(4).collect();
                        char::from_u32(u32::from_str_radix(&hex, 16).unwrap())
                    }
                    other => panic!("unexpected escape \\{other}"),
                },
                '-' => None,
                literal => Some(literal),
            });
        }
        let mut ranges = Vec::new();
        let mut i = 0;
        while i < atoms.len() {
            let first = atoms[i].unwrap();
            if atoms.get(i + 1) == Some(&None) {
                ranges.push((first, atoms[i + 2].unwrap()));
                i += 3;
            } else {
                ranges.push((first, first));
                i += 1;
            }
        }
        ranges
    }

    #[test]
    fn the_not_blank_pattern_lists_exactly_what_trimming_removes() {
        let class = not_blank_class();
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            let listed = class.iter().any(|&(low, high)| (low..=high).contains(&c));
            assert_eq!(listed, c.is_whitespace(), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn a_title_of_a_character_ecma_does_not_call_white_space_follows_rust() {
        assert_eq!(Title::parse("\u{85}"), Err(FieldErrorKind::StringTooShort(1)));
        assert_eq!(Title::parse("\u{feff}").unwrap().as_str(), "\u{feff}");
    }

    #[test]
    fn titles_are_trimmed() {
        assert_eq!(Title::parse("  Write the docs \n").unwrap().as_str(), "Write the docs");
    }

    #[test]
    fn a_blank_title_is_too_short() {
        assert_eq!(Title::parse("   "), Err(FieldErrorKind::StringTooShort(1)));
        assert_eq!(Title::parse(""), Err(FieldErrorKind::StringTooShort(1)));
    }

    #[test]
    fn titles_are_measured_in_characters_not_bytes() {
        assert!(Title::parse(&"é".repeat(200)).is_ok());
        assert_eq!(Title::parse(&"é".repeat(201)), Err(FieldErrorKind::StringTooLong(200)));
    }

    #[test]
    fn descriptions_are_kept_verbatim_up_to_ten_thousand_characters() {
        assert_eq!(Description::parse("  spaced  ").unwrap().as_str(), "  spaced  ");
        assert!(Description::parse(&"x".repeat(10_000)).is_ok());
        assert!(Description::parse(&"x".repeat(10_001)).is_err());
    }

    #[test]
    fn duplicate_tags_are_dropped_in_order() {
        let tags = Tags::parse("tags", &["ui", "backend", "ui", " backend "]).unwrap();
        assert_eq!(tags.iter_str().collect::<Vec<_>>(), ["ui", "backend"]);
    }

    #[test]
    fn each_bad_tag_is_reported_at_its_index() {
        let long = "x".repeat(65);
        let errors = Tags::parse("tags", &["ok", "", &long]).unwrap_err();
        let rendered: Vec<String> = errors.errors().iter().map(ToString::to_string).collect();
        assert_eq!(
            rendered,
            ["tags[1]: String should have at least 1 character", "tags[2]: String should have at most 64 characters"]
        );
    }

    #[test]
    fn more_than_fifty_distinct_tags_are_rejected() {
        let many: Vec<String> = (0..51).map(|i| format!("t{i}")).collect();
        assert!(Tags::parse("tags", &many).is_err());
        assert!(Tags::parse("tags", &many[..50]).is_ok());
    }

    #[test]
    fn effort_must_be_finite_and_not_negative() {
        assert!(EffortEstimate::new(0.0).is_ok());
        assert!(EffortEstimate::new(2.5).is_ok());
        assert!(EffortEstimate::new(-0.5).is_err());
        assert!(EffortEstimate::new(f64::NAN).is_err());
        assert!(EffortEstimate::new(f64::INFINITY).is_err());
    }

    proptest! {
        #[test]
        fn a_parsed_title_parses_to_itself(text in "\\PC{0,250}") {
            if let Ok(title) = Title::parse(&text) {
                prop_assert_eq!(Title::parse(title.as_str()), Ok(title.clone()));
                prop_assert!(!title.as_str().trim().is_empty());
                prop_assert!(title.as_str().chars().count() <= Title::MAX_CHARS);
            }
        }

        #[test]
        fn parsed_tags_are_distinct_and_bounded(texts in proptest::collection::vec("\\PC{0,70}", 0..60)) {
            if let Ok(tags) = Tags::parse("tags", &texts) {
                let list: Vec<&str> = tags.iter_str().collect();
                let mut sorted = list.clone();
                sorted.sort_unstable();
                sorted.dedup();
                prop_assert_eq!(sorted.len(), list.len());
                prop_assert!(list.len() <= Tags::MAX_COUNT);
            }
        }
    }
}
