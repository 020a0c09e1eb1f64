//! The contract's enums and the EnumAdapter that normalizes their spellings.
//!
//! TRM-OS clients send enum values in many spellings — `"In Progress"`,
//! `"IN_PROGRESS"`, `"inProgress"`, `"wip"`. The [`EnumAdapter`] maps each to
//! one canonical lower-snake-case value:
//!
//! 1. the input is reduced to a *key*: lower-cased, with spaces, hyphens and
//!    underscores removed (which also erases camelCase boundaries);
//! 2. the key is looked up among the canonical values' keys, then in the
//!    enum's documented synonym table;
//! 3. anything else is an error that lists the accepted values.
//!
//! Step 3 is the deliberate difference from TRM-OS's adapter, which mapped
//! unknown values to a default and so silently lost what the client meant.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::FieldErrorKind;

/// The normalization key of a spelling: lower case, no separators.
///
/// Two spellings are the same value exactly when their keys are equal.
#[must_use]
pub fn normalization_key(input: &str) -> String {
    input.chars().filter(|c| !(c.is_whitespace() || *c == '-' || *c == '_')).flat_map(char::to_lowercase).collect()
}

/// A closed set of canonical values with a synonym table.
///
/// Implemented by every enum of the contract, so each normalizes the same way
/// and reports unknown values the same way.
pub trait EnumAdapter: Sized + Copy + PartialEq + 'static {
    /// Every value, in the contract's order (the order error messages list).
    const VARIANTS: &'static [Self];

    /// Extra spellings, as normalization keys (see [`normalization_key`]),
    /// with the value each means.
    const SYNONYMS: &'static [(&'static str, Self)];

    /// The canonical spelling, the only one ever written out.
    fn as_str(self) -> &'static str;

    /// Maps any accepted spelling to its value.
    ///
    /// # Errors
    /// Returns [`FieldErrorKind::Enum`] listing the accepted values when the
    /// input matches neither a canonical value nor a synonym.
    fn normalize(input: &str) -> Result<Self, FieldErrorKind> {
        // The canonical spelling — what every stored row and most requests
        // carry — without building a single key (measured: the keys were
        // ~1% of a task lookup's instructions, see docs/benchmarks.md).
        if let Some(value) = Self::VARIANTS.iter().copied().find(|value| value.as_str() == input) {
            return Ok(value);
        }
        let key = normalization_key(input);
        if key.is_empty() {
            return Err(Self::unknown());
        }
        Self::VARIANTS
            .iter()
            .copied()
            .find(|value| normalization_key(value.as_str()) == key)
            .or_else(|| Self::SYNONYMS.iter().find(|(synonym, _)| *synonym == key).map(|(_, value)| *value))
            .ok_or_else(Self::unknown)
    }

    /// The error for a value that matches nothing.
    #[must_use]
    fn unknown() -> FieldErrorKind {
        FieldErrorKind::Enum(Self::accepted())
    }

    /// The canonical values, for error messages and documentation.
    #[must_use]
    fn accepted() -> Vec<String> {
        Self::VARIANTS.iter().map(|value| value.as_str().to_owned()).collect()
    }
}

/// Serializes and deserializes an [`EnumAdapter`] enum by its spellings, so the
/// wire and the stores always carry the canonical value.
macro_rules! serde_via_adapter {
    ($name:ident) => {
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                <$name as EnumAdapter>::normalize(&text).map_err(serde::de::Error::custom)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = FieldErrorKind;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$name as EnumAdapter>::normalize(s)
            }
        }
    };
}

/// Where a task is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum TaskStatus {
    /// Known but not planned yet.
    Backlog,
    /// Planned, not started. The default.
    #[default]
    Todo,
    /// Being worked on.
    InProgress,
    /// Done, awaiting review.
    InReview,
    /// Cannot proceed.
    Blocked,
    /// Finished; sets the task's `completed_at`.
    Done,
    /// Abandoned.
    Cancelled,
}

impl EnumAdapter for TaskStatus {
    const VARIANTS: &'static [Self] =
        &[Self::Backlog, Self::Todo, Self::InProgress, Self::InReview, Self::Blocked, Self::Done, Self::Cancelled];
    const SYNONYMS: &'static [(&'static str, Self)] = &[
        ("pending", Self::Todo),
        ("open", Self::Todo),
        ("new", Self::Todo),
        ("wip", Self::InProgress),
        ("doing", Self::InProgress),
        ("review", Self::InReview),
        ("completed", Self::Done),
        ("complete", Self::Done),
        ("closed", Self::Done),
        ("finished", Self::Done),
        ("canceled", Self::Cancelled),
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::Backlog => "backlog",
            Self::Todo => "todo",
            Self::InProgress => "in_progress",
            Self::InReview => "in_review",
            Self::Blocked => "blocked",
            Self::Done => "done",
            Self::Cancelled => "cancelled",
        }
    }
}
serde_via_adapter!(TaskStatus);

/// What kind of work a task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskType {
    /// New behaviour.
    Feature,
    /// Wrong behaviour to fix.
    Bug,
    /// Upkeep.
    Chore,
    /// Finding things out.
    Research,
    /// Writing things down.
    Documentation,
    /// Talking things over.
    Meeting,
    /// Better existing behaviour.
    Improvement,
}

impl EnumAdapter for TaskType {
    const VARIANTS: &'static [Self] =
        &[Self::Feature, Self::Bug, Self::Chore, Self::Research, Self::Documentation, Self::Meeting, Self::Improvement];
    const SYNONYMS: &'static [(&'static str, Self)] = &[
        ("doc", Self::Documentation),
        ("docs", Self::Documentation),
        ("enhancement", Self::Improvement),
        ("defect", Self::Bug),
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::Feature => "feature",
            Self::Bug => "bug",
            Self::Chore => "chore",
            Self::Research => "research",
            Self::Documentation => "documentation",
            Self::Meeting => "meeting",
            Self::Improvement => "improvement",
        }
    }
}
serde_via_adapter!(TaskType);

/// How urgent a task is. On the wire it is the integer level (`0`, `1`, `2`);
/// the names are accepted on input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Priority {
    /// Level 0. The default.
    #[default]
    Normal,
    /// Level 1.
    High,
    /// Level 2.
    Urgent,
}

impl Priority {
    /// The integer level written on the wire and in the stores.
    #[must_use]
    pub const fn level(self) -> u8 {
        match self {
            Self::Normal => 0,
            Self::High => 1,
            Self::Urgent => 2,
        }
    }

    /// The priority of an integer level.
    ///
    /// # Errors
    /// Returns the enum error when the level is not 0, 1 or 2.
    pub fn from_level(level: i64) -> Result<Self, FieldErrorKind> {
        match level {
            0 => Ok(Self::Normal),
            1 => Ok(Self::High),
            2 => Ok(Self::Urgent),
            _ => Err(Self::unknown()),
        }
    }
}

impl EnumAdapter for Priority {
    const VARIANTS: &'static [Self] = &[Self::Normal, Self::High, Self::Urgent];
    const SYNONYMS: &'static [(&'static str, Self)] = &[("0", Self::Normal), ("1", Self::High), ("2", Self::Urgent)];

    fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::High => "high",
            Self::Urgent => "urgent",
        }
    }

    fn accepted() -> Vec<String> {
        Self::VARIANTS.iter().map(|p| format!("{} ({})", p.level(), p.as_str())).collect()
    }
}

impl Serialize for Priority {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(self.level())
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.level())
    }
}

/// The unit an effort estimate is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum EffortUnit {
    /// Hours. The default.
    #[default]
    Hours,
    /// Days.
    Days,
    /// Story points.
    StoryPoints,
}

impl EnumAdapter for EffortUnit {
    const VARIANTS: &'static [Self] = &[Self::Hours, Self::Days, Self::StoryPoints];
    const SYNONYMS: &'static [(&'static str, Self)] = &[
        ("h", Self::Hours),
        ("hour", Self::Hours),
        ("d", Self::Days),
        ("day", Self::Days),
        ("sp", Self::StoryPoints),
        ("points", Self::StoryPoints),
        ("storypoint", Self::StoryPoints),
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::Hours => "hours",
            Self::Days => "days",
            Self::StoryPoints => "story_points",
        }
    }
}
serde_via_adapter!(EffortUnit);

/// Where a project is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ProjectStatus {
    /// Being worked on. The default.
    #[default]
    Active,
    /// Paused.
    OnHold,
    /// Finished.
    Completed,
    /// Kept for the record only.
    Archived,
}

impl EnumAdapter for ProjectStatus {
    const VARIANTS: &'static [Self] = &[Self::Active, Self::OnHold, Self::Completed, Self::Archived];
    const SYNONYMS: &'static [(&'static str, Self)] = &[];

    fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::OnHold => "on_hold",
            Self::Completed => "completed",
            Self::Archived => "archived",
        }
    }
}
serde_via_adapter!(ProjectStatus);

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn all_normalize_to<E: EnumAdapter + fmt::Debug>(spellings: &[&str], expected: E) {
        for spelling in spellings {
            assert_eq!(E::normalize(spelling), Ok(expected), "{spelling:?}");
        }
    }

    #[test]
    fn every_task_status_example_of_the_contract_normalizes() {
        all_normalize_to(&["ToDo", "TODO", "to do", "to-do", "todo"], TaskStatus::Todo);
        all_normalize_to(
            &["InProgress", "IN_PROGRESS", "in progress", "wip", "doing", "in_progress"],
            TaskStatus::InProgress,
        );
        all_normalize_to(&["InReview", "review", "in_review"], TaskStatus::InReview);
        all_normalize_to(&["completed", "complete", "closed", "finished", "done"], TaskStatus::Done);
        all_normalize_to(&["canceled", "cancelled"], TaskStatus::Cancelled);
        all_normalize_to(&["pending", "open", "new"], TaskStatus::Todo);
        all_normalize_to(&["backlog"], TaskStatus::Backlog);
        all_normalize_to(&["blocked"], TaskStatus::Blocked);
    }

    #[test]
    fn every_task_type_example_of_the_contract_normalizes() {
        all_normalize_to(&["Feature", "FEATURE", "feature"], TaskType::Feature);
        all_normalize_to(&["doc", "docs", "documentation"], TaskType::Documentation);
        all_normalize_to(&["enhancement", "improvement"], TaskType::Improvement);
        all_normalize_to(&["defect", "bug"], TaskType::Bug);
        all_normalize_to(&["chore"], TaskType::Chore);
        all_normalize_to(&["research"], TaskType::Research);
        all_normalize_to(&["meeting"], TaskType::Meeting);
    }

    #[test]
    fn priorities_accept_levels_and_names() {
        all_normalize_to(&["normal", "0"], Priority::Normal);
        all_normalize_to(&["high", "HIGH", "1"], Priority::High);
        all_normalize_to(&["urgent", "2"], Priority::Urgent);
        assert_eq!(Priority::from_level(2), Ok(Priority::Urgent));
        assert!(Priority::from_level(3).is_err());
        assert!(Priority::from_level(-1).is_err());
    }

    #[test]
    fn every_effort_unit_example_of_the_contract_normalizes() {
        all_normalize_to(&["h", "hour", "hours"], EffortUnit::Hours);
        all_normalize_to(&["d", "day", "days"], EffortUnit::Days);
        all_normalize_to(&["sp", "points", "story_points", "Story Points"], EffortUnit::StoryPoints);
    }

    #[test]
    fn every_project_status_example_of_the_contract_normalizes() {
        all_normalize_to(&["OnHold", "on hold", "on_hold"], ProjectStatus::OnHold);
        all_normalize_to(&["active"], ProjectStatus::Active);
        all_normalize_to(&["completed"], ProjectStatus::Completed);
        all_normalize_to(&["archived"], ProjectStatus::Archived);
    }

    #[test]
    fn unknown_values_are_rejected_with_the_accepted_list() {
        let error = TaskStatus::normalize("someday").unwrap_err();
        assert_eq!(
            error.to_string(),
            "Input should be 'backlog', 'todo', 'in_progress', 'in_review', 'blocked', 'done' or 'cancelled'"
        );
        assert!(TaskType::normalize("epic").is_err());
        assert!(EffortUnit::normalize("weeks").is_err());
        assert!(ProjectStatus::normalize("deleted").is_err());
        assert!(Priority::normalize("low").is_err());
    }

    #[test]
    fn blank_and_separator_only_values_are_rejected() {
        for blank in ["", "   ", "-_-", "\t"] {
            assert!(TaskStatus::normalize(blank).is_err(), "{blank:?}");
        }
    }

    #[test]
    fn canonical_values_are_what_is_written() {
        assert_eq!(serde_json_like(TaskStatus::InProgress), "in_progress");
        assert_eq!(EffortUnit::StoryPoints.to_string(), "story_points");
        assert_eq!(ProjectStatus::OnHold.to_string(), "on_hold");
        assert_eq!(Priority::Urgent.to_string(), "2");
    }

    fn serde_json_like(status: TaskStatus) -> String {
        status.as_str().to_owned()
    }

    /// Every accepted spelling of `E`: canonical values and synonyms.
    fn spellings<E: EnumAdapter>() -> Vec<(String, E)> {
        E::VARIANTS
            .iter()
            .map(|v| (v.as_str().to_owned(), *v))
            .chain(E::SYNONYMS.iter().map(|(s, v)| ((*s).to_owned(), *v)))
            .collect()
    }

    /// Rewrites a spelling with arbitrary case and separators, driven by `noise`.
    fn disguise(spelling: &str, noise: &[u8]) -> String {
        let mut out = String::new();
        for (i, c) in spelling.chars().filter(|c| *c != '_').enumerate() {
            let n = noise.get(i % noise.len().max(1)).copied().unwrap_or(0);
            match n % 4 {
                0 => out.push(' '),
                1 => out.push('-'),
                2 => out.push('_'),
                _ => {}
            }
            if n & 0x10 == 0 {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
        }
        out
    }

    fn check_disguises<E: EnumAdapter + fmt::Debug>(noise: &[u8]) {
        for (spelling, value) in spellings::<E>() {
            let disguised = disguise(&spelling, noise);
            assert_eq!(E::normalize(&disguised), Ok(value), "{spelling} disguised as {disguised:?}");
        }
    }

    fn check_canonical_fixed_points<E: EnumAdapter + fmt::Debug>() {
        for value in E::VARIANTS {
            assert_eq!(E::normalize(value.as_str()), Ok(*value));
            assert_eq!(E::normalize(E::normalize(value.as_str()).unwrap().as_str()), Ok(*value));
        }
    }

    #[test]
    fn normalizing_a_canonical_value_returns_it() {
        check_canonical_fixed_points::<TaskStatus>();
        check_canonical_fixed_points::<TaskType>();
        check_canonical_fixed_points::<Priority>();
        check_canonical_fixed_points::<EffortUnit>();
        check_canonical_fixed_points::<ProjectStatus>();
    }

    proptest! {
        #[test]
        fn case_and_separators_never_matter(noise in proptest::collection::vec(any::<u8>(), 1..32)) {
            check_disguises::<TaskStatus>(&noise);
            check_disguises::<TaskType>(&noise);
            check_disguises::<Priority>(&noise);
            check_disguises::<EffortUnit>(&noise);
            check_disguises::<ProjectStatus>(&noise);
        }

        #[test]
        fn normalization_is_idempotent_for_any_input(input in "\\PC{0,24}") {
            if let Ok(value) = TaskStatus::normalize(&input) {
                prop_assert_eq!(TaskStatus::normalize(value.as_str()), Ok(value));
            }
        }

        #[test]
        fn any_input_either_normalizes_or_lists_accepted_values(input in "\\PC{0,24}") {
            match TaskType::normalize(&input) {
                Ok(value) => prop_assert!(TaskType::VARIANTS.contains(&value)),
                Err(FieldErrorKind::Enum(accepted)) => prop_assert_eq!(accepted.len(), TaskType::VARIANTS.len()),
                Err(other) => prop_assert!(false, "unexpected error {other:?}"),
            }
        }
    }
}
