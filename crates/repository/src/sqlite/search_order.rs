//! The search index's numbers, in list order.
//!
//! FTS5 reads a word's matches in the order of its document numbers and
//! can stop after a page, while a list in `(created_at, uid)` order must
//! otherwise read and sort *every* match (10,000 of them for a word in 1%
//! of a million tasks) to show its first 100. So a task's number in the
//! index is not a counter but its place in the list, as far as a number
//! can know it: the millisecond it was created, shifted left by
//! [`SLOT_BITS`], plus a free slot within that millisecond. Numbers then
//! order tasks by creation millisecond exactly; only tasks of one
//! millisecond may be numbered out of `uid` order.
//!
//! A page of a search in `created_at` order therefore reads matches in
//! number order up to a page, adds every match of the millisecond the
//! page ended in (the only ones that could belong before its last rows),
//! and sorts those few by `(created_at, uid)`. `created_at` never changes,
//! so a number never does either. Migration 0013 renumbers the tasks of a
//! store made before.

use trm_domain::Timestamp;

/// Slots per millisecond: tasks created in one millisecond, at most.
pub const SLOT_BITS: u32 = 20;

/// The millisecond a number can name, at most (year 2248 and a bit);
/// later creation times share it, which keeps numbers in list order.
const LAST_MILLISECOND: i64 = i64::MAX >> SLOT_BITS;

/// The millisecond a number can name, at least; earlier creation times
/// share it.
const FIRST_MILLISECOND: i64 = i64::MIN >> SLOT_BITS;

/// The first and the last number of the millisecond of `created_at`: a
/// new task takes the lowest one above those taken. Public for bulk
/// loaders that write the index themselves (the benchmarks' seeder).
#[must_use]
pub fn numbers_for(created_at: Timestamp) -> (i64, i64) {
    let millisecond = created_at.as_micros().div_euclid(1000).clamp(FIRST_MILLISECOND, LAST_MILLISECOND);
    let first = millisecond << SLOT_BITS;
    (first, first | ((1 << SLOT_BITS) - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(micros: i64) -> Timestamp {
        Timestamp::from_micros_clamped(micros)
    }

    #[test]
    fn later_milliseconds_have_higher_numbers() {
        let times = [-1_500, -1_000, -1, 0, 999, 1_000, 1_764_800_000_000_000];
        for pair in times.windows(2) {
            let (earlier, later) = (numbers_for(at(pair[0])), numbers_for(at(pair[1])));
            assert!(earlier.1 < later.0 || earlier == later, "{pair:?}");
        }
        assert_eq!(numbers_for(at(0)), numbers_for(at(999)), "one millisecond");
        assert_eq!(numbers_for(at(-1)).1, -1, "the millisecond before the epoch ends at -1");
    }

    #[test]
    fn a_millisecond_has_its_slots_and_the_extremes_share_the_last_ones() {
        let (first, last) = numbers_for(at(1_764_800_000_123_456));
        assert_eq!(last - first, (1 << SLOT_BITS) - 1);
        assert_eq!(numbers_for(Timestamp::from_micros_clamped(i64::MAX)).1, i64::MAX);
        assert_eq!(numbers_for(Timestamp::from_micros_clamped(i64::MIN)).0, i64::MIN);
    }
}
