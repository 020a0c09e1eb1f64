//! Keyset paging, shared by every list and every store.
//!
//! Lists are ordered oldest first by `(created_at, uid)` — a total order,
//! because ids are unique — and a page continues strictly after the last
//! item of the previous one. Unlike offsets, a keyset cursor neither skips nor
//! repeats items when others are inserted or deleted between pages, and the
//! store reaches the page through an index instead of counting past every
//! earlier row.

use uuid::Uuid;

use crate::error::FieldErrorKind;
use crate::sort::TaskSort;
use crate::time::Timestamp;

/// The position just after an item: its creation time and id, and, in a
/// task list read in another order than the default, that order and the
/// item's key in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cursor {
    /// The item's `created_at`.
    pub created_at: Timestamp,
    /// The item's id, breaking ties between equal timestamps.
    pub uid: Uuid,
    /// The order the cursor was made for and the item's key in it; `None`
    /// for the default order (`created_at`, then `uid`, ascending), the
    /// only order of every list but the task list.
    pub sorted: Option<SortedPosition>,
}

impl Cursor {
    /// The position after the item created at `created_at` with id `uid`,
    /// in the default order.
    #[must_use]
    pub const fn new(created_at: Timestamp, uid: Uuid) -> Self {
        Self { created_at, uid, sorted: None }
    }
}

/// Where a cursor stands in a task list read in another order than the
/// default (see [`crate::sort`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SortedPosition {
    /// The order the cursor was made for.
    pub sort: TaskSort,
    /// The item's sort key ([`TaskSort::key_of`]): `None` for the
    /// `created_at` orders and for a task without a due date.
    pub key: Option<i64>,
}

/// Which page of a list to fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    limit: u32,
    /// Start strictly after this position; `None` for the first page.
    pub after: Option<Cursor>,
}

impl PageRequest {
    /// The page size when the client names none.
    pub const DEFAULT_LIMIT: u32 = 100;
    /// The largest page a client may ask for.
    pub const MAX_LIMIT: u32 = 500;

    /// A request for up to `limit` items after `after`.
    ///
    /// # Errors
    /// `GreaterThanEqual(1)` or `LessThanEqual(500)` when the limit is out of range.
    pub fn new(limit: i64, after: Option<Cursor>) -> Result<Self, FieldErrorKind> {
        if limit < 1 {
            return Err(FieldErrorKind::GreaterThanEqual("1".into()));
        }
        let limit = u32::try_from(limit)
            .ok()
            .filter(|limit| *limit <= Self::MAX_LIMIT)
            .ok_or_else(|| FieldErrorKind::LessThanEqual(Self::MAX_LIMIT.to_string()))?;
        Ok(Self { limit, after })
    }

    /// The first page at the default size.
    #[must_use]
    pub const fn first() -> Self {
        Self { limit: Self::DEFAULT_LIMIT, after: None }
    }

    /// The most items the page may hold.
    #[must_use]
    pub const fn limit(&self) -> u32 {
        self.limit
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::first()
    }
}

/// One page of a list, and where the next one starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items, in list order.
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched in list order.
    ///
    /// Stores fetch one row more than asked: its presence is how they know a
    /// next page exists without a second query. `position` gives an item's
    /// cursor.
    #[must_use]
    pub fn from_overfetched(mut rows: Vec<T>, request: PageRequest, position: impl Fn(&T) -> Cursor) -> Self {
        let limit = request.limit() as usize;
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(position)
        } else {
            None
        };
        Self { items: rows, next }
    }

    /// Transforms every item, keeping the paging position.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next: self.next }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_outside_one_to_five_hundred_are_rejected() {
        assert!(PageRequest::new(0, None).is_err());
        assert!(PageRequest::new(501, None).is_err());
        assert!(PageRequest::new(i64::MAX, None).is_err());
        assert_eq!(PageRequest::new(500, None).unwrap().limit(), 500);
    }

    #[test]
    fn an_overfetched_row_announces_a_next_page() {
        let request = PageRequest::new(2, None).unwrap();
        let at = Timestamp::now();
        let cursor = |n: &u128| Cursor::new(at, Uuid::from_u128(*n));
        let page = Page::from_overfetched(vec![1, 2, 3], request, cursor);
        assert_eq!(page.items, [1, 2]);
        assert_eq!(page.next, Some(cursor(&2)));
        let last = Page::from_overfetched(vec![1, 2], request, cursor);
        assert_eq!(last.next, None);
    }
}
