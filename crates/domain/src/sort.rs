//! The orders a task list can be read in, and where a cursor stands in one.
//!
//! Every order is total: the sort key, then `created_at`, then `uid`, all
//! in the sort's direction — so `-due_date` is exactly `due_date` read
//! backwards, and both are one index walk in either store. Tasks without a
//! due date come last in both directions (among themselves, by `created_at`
//! then `uid` in the sort's direction).
//!
//! Where a task stands in such an order (its key, the cursor after it) is
//! in [`crate::position`].

use crate::error::FieldErrorKind;

/// The order of a task list (the `sort` query parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum TaskSort {
    /// Oldest first: `created_at`. The default.
    #[default]
    CreatedAt,
    /// Newest first: `-created_at`.
    CreatedAtDesc,
    /// Least recently updated first: `updated_at`.
    UpdatedAt,
    /// Most recently updated first: `-updated_at`.
    UpdatedAtDesc,
    /// Soonest due first, undated last: `due_date`.
    DueDate,
    /// Latest due first, undated last: `-due_date`.
    DueDateDesc,
    /// Normal, then high, then urgent: `priority`.
    Priority,
    /// Urgent first: `-priority`.
    PriorityDesc,
}

/// What a [`TaskSort`] orders by, before the `created_at`, `uid` tie-break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortField {
    /// `created_at` itself: no key besides the tie-break.
    CreatedAt,
    /// `updated_at`, never missing.
    UpdatedAt,
    /// `due_date`, missing on tasks without one (they come last).
    DueDate,
    /// The priority level (0 normal, 1 high, 2 urgent).
    Priority,
}

impl TaskSort {
    /// Every sort, in the order of their wire codes.
    pub const ALL: [Self; 8] = [
        Self::CreatedAt,
        Self::CreatedAtDesc,
        Self::UpdatedAt,
        Self::UpdatedAtDesc,
        Self::DueDate,
        Self::DueDateDesc,
        Self::Priority,
        Self::PriorityDesc,
    ];

    /// The spelling of the `sort` parameter.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::CreatedAt => "created_at",
            Self::CreatedAtDesc => "-created_at",
            Self::UpdatedAt => "updated_at",
            Self::UpdatedAtDesc => "-updated_at",
            Self::DueDate => "due_date",
            Self::DueDateDesc => "-due_date",
            Self::Priority => "priority",
            Self::PriorityDesc => "-priority",
        }
    }

    /// Reads the `sort` parameter: exactly one of the eight spellings.
    ///
    /// # Errors
    /// The enum error listing the eight when `text` is none of them.
    pub fn parse(text: &str) -> Result<Self, FieldErrorKind> {
        Self::ALL
            .into_iter()
            .find(|sort| sort.as_str() == text)
            .ok_or_else(|| FieldErrorKind::Enum(Self::ALL.iter().map(|sort| sort.as_str().to_owned()).collect()))
    }

    /// What the sort orders by.
    #[must_use]
    pub const fn field(self) -> SortField {
        match self {
            Self::CreatedAt | Self::CreatedAtDesc => SortField::CreatedAt,
            Self::UpdatedAt | Self::UpdatedAtDesc => SortField::UpdatedAt,
            Self::DueDate | Self::DueDateDesc => SortField::DueDate,
            Self::Priority | Self::PriorityDesc => SortField::Priority,
        }
    }

    /// Whether the order is descending (key and tie-break alike).
    #[must_use]
    pub const fn descending(self) -> bool {
        matches!(self, Self::CreatedAtDesc | Self::UpdatedAtDesc | Self::DueDateDesc | Self::PriorityDesc)
    }

    /// The sort's number in a cursor's wire form.
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Self::CreatedAt => 0,
            Self::CreatedAtDesc => 1,
            Self::UpdatedAt => 2,
            Self::UpdatedAtDesc => 3,
            Self::DueDate => 4,
            Self::DueDateDesc => 5,
            Self::Priority => 6,
            Self::PriorityDesc => 7,
        }
    }

    /// The sort of a wire code; every byte names one (modulo eight), so
    /// every cursor of the published shape is a position in some order.
    #[must_use]
    pub const fn from_code(code: u8) -> Self {
        Self::ALL[(code % 8) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sort_reads_back_from_its_spelling_and_its_code() {
        for sort in TaskSort::ALL {
            assert_eq!(TaskSort::parse(sort.as_str()), Ok(sort));
            assert_eq!(TaskSort::from_code(sort.code()), sort);
        }
    }

    #[test]
    fn an_unknown_sort_is_an_enum_error_listing_the_eight() {
        let error = TaskSort::parse("title").unwrap_err();
        assert_eq!(error.type_name(), "enum");
        assert!(error.to_string().contains("'-priority'"), "{error}");
        assert!(TaskSort::parse("Created_At").is_err());
    }
}
