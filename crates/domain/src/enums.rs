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
mod tests;
