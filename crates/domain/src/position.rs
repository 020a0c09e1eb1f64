//! Where a task stands in a list read in some [`TaskSort`]: its key, and
//! the cursor just after it.
//!
//! A cursor into a sorted list carries the sort it was made for and the
//! last item's sort key besides its `created_at` and `uid`: the next page
//! starts strictly after that whole position, so a walk neither skips nor
//! repeats a task whose sort key does not change during the walk. Apart
//! from [`crate::sort`] (the orders) and [`crate::paging`] (cursors), which
//! it joins to the task, so that neither needs the other.

use crate::error::FieldErrorKind;
use crate::paging::{Cursor, SortedPosition};
use crate::sort::{SortField, TaskSort};
use crate::task::Task;

impl TaskSort {
    /// The task's key under this sort, in the stores' integer form
    /// (microseconds for times, the level for priority); `None` for the
    /// `created_at` sorts (no key besides the tie-break) and for a task
    /// without a due date.
    #[must_use]
    pub fn key_of(self, task: &Task) -> Option<i64> {
        match self.field() {
            SortField::CreatedAt => None,
            SortField::UpdatedAt => Some(task.updated_at.as_micros()),
            SortField::DueDate => task.due_date.map(|due| due.as_micros()),
            SortField::Priority => Some(i64::from(task.priority.level())),
        }
    }

    /// The position just after `task` in this order.
    #[must_use]
    pub fn cursor_of(self, task: &Task) -> Cursor {
        let sorted = (self != Self::CreatedAt).then(|| SortedPosition { sort: self, key: self.key_of(task) });
        Cursor { sorted, ..task.cursor() }
    }

    /// The sort a cursor was made for.
    #[must_use]
    pub fn of_cursor(cursor: &Cursor) -> Self {
        cursor.sorted.map_or(Self::CreatedAt, |sorted| sorted.sort)
    }

    /// Checks that `cursor` was made for this sort: a position in one
    /// order means nothing in another.
    ///
    /// # Errors
    /// An error naming the sort the cursor was made for.
    pub fn check_cursor(self, cursor: &Cursor) -> Result<(), FieldErrorKind> {
        let made_for = Self::of_cursor(cursor);
        if made_for == self {
            Ok(())
        } else {
            Err(FieldErrorKind::Invalid(format!(
                "the cursor was made for sort={}, not sort={}; start again from the first page",
                made_for.as_str(),
                self.as_str()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_fits_only_the_sort_it_was_made_for() {
        let title = crate::values::Title::parse("Sorted").unwrap();
        let task = Task::create(crate::task::NewTask::new(title), crate::time::Timestamp::now()).unwrap();
        let cursor = TaskSort::DueDateDesc.cursor_of(&task);
        assert!(TaskSort::DueDateDesc.check_cursor(&cursor).is_ok());
        assert!(TaskSort::DueDate.check_cursor(&cursor).is_err());
        assert_eq!(TaskSort::CreatedAt.cursor_of(&task), task.cursor());
        assert!(TaskSort::CreatedAt.check_cursor(&task.cursor()).is_ok());
    }
}
