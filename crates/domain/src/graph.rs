//! The task graph: which tasks block which (`blocked_by`), and the rules
//! an edge must follow.
//!
//! A task's blockers are sent as a list of ids in request order; a problem
//! with one of them (it names nothing stored, it is the task itself) is
//! reported at that id's place in the request, so [`Blockers`] keeps the
//! request's order while the task itself ([`crate::Task::blocked_by`])
//! keeps the set, sorted, as responses show it.

use crate::error::{FieldError, FieldErrorKind, FieldPath, ValidationErrors};
use crate::ids::TaskId;

/// The blockers of a task as a request names them: distinct ids, in the
/// order first given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Blockers(Vec<TaskId>);

impl Blockers {
    /// The most blockers a task may have: enough for any real plan, few
    /// enough that a write (and its cycle check) stays bounded.
    pub const MAX_COUNT: usize = 100;

    /// The blockers of a request, duplicates dropped.
    ///
    /// # Errors
    /// `TooLong(100)` at `field` when more than 100 distinct ids remain.
    pub fn parse(field: &str, ids: &[TaskId]) -> Result<Self, ValidationErrors> {
        let mut unique: Vec<TaskId> = Vec::with_capacity(ids.len().min(Self::MAX_COUNT));
        for &id in ids {
            if !unique.contains(&id) {
                unique.push(id);
            }
        }
        if unique.len() > Self::MAX_COUNT {
            return Err(FieldError::new(field, FieldErrorKind::TooLong(Self::MAX_COUNT)).into());
        }
        Ok(Self(unique))
    }

    /// Where `id` is in the request (its first place), for a problem with it.
    #[must_use]
    pub fn index_of(&self, id: TaskId) -> Option<usize> {
        self.0.iter().position(|&blocker| blocker == id)
    }

    /// The ids, in request order.
    #[must_use]
    pub fn ids(&self) -> &[TaskId] {
        &self.0
    }

    /// The ids as a task keeps them: sorted (a set, shown in one order).
    #[must_use]
    pub fn sorted(&self) -> Vec<TaskId> {
        sorted_ids(self.0.iter().copied())
    }

    /// Fails at `blocked_by[i]` if the task `id` is among its own blockers:
    /// a task cannot wait for itself.
    ///
    /// # Errors
    /// The place of `id` in the list, when it is there.
    pub fn check_not_blocking_itself(&self, id: TaskId) -> Result<(), ValidationErrors> {
        match self.index_of(id) {
            Some(index) => Err(FieldError::at(
                FieldPath::field("blocked_by").index(index),
                FieldErrorKind::Invalid("a task cannot block itself".into()),
            )
            .into()),
            None => Ok(()),
        }
    }
}

/// Ids sorted and distinct: how a task's `blocked_by` is kept and shown.
#[must_use]
pub fn sorted_ids(ids: impl IntoIterator<Item = TaskId>) -> Vec<TaskId> {
    let mut ids: Vec<TaskId> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The deepest walk `GET …/blockers` and `…/dependents` take: far enough
/// for any real chain, bounded so one request's cost is too.
pub const MAX_WALK_DEPTH: u8 = 25;

/// How far a walk of the task graph goes: 1 (direct edges) to
/// [`MAX_WALK_DEPTH`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct WalkDepth(u8);

impl WalkDepth {
    /// Direct blockers or dependents only: the default.
    pub const DIRECT: Self = Self(1);

    /// A depth of 1 to 25.
    ///
    /// # Errors
    /// `GreaterThanEqual(1)` or `LessThanEqual(25)` for a depth out of range.
    pub fn new(depth: i64) -> Result<Self, FieldErrorKind> {
        if depth < 1 {
            return Err(FieldErrorKind::GreaterThanEqual("1".into()));
        }
        match u8::try_from(depth) {
            Ok(depth) if depth <= MAX_WALK_DEPTH => Ok(Self(depth)),
            _ => Err(FieldErrorKind::LessThanEqual(MAX_WALK_DEPTH.to_string())),
        }
    }

    /// The depth as a number.
    #[must_use]
    pub const fn get(self) -> u8 {
        self.0
    }
}

impl Default for WalkDepth {
    fn default() -> Self {
        Self::DIRECT
    }
}

/// Which way a walk of the task graph goes from its task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Towards the tasks it waits for (its `blocked_by`, theirs, …).
    Blockers,
    /// Towards the tasks that wait for it.
    Dependents,
}

/// How deep sub-tasks nest: a task, its sub-task, theirs, … at most this
/// many levels, the top one included. Deep enough for any real breakdown
/// of work, shallow enough that every check and walk of a task's ancestry
/// stays a handful of steps.
pub const MAX_SUBTASK_LEVELS: usize = 10;

/// A dependency cycle an edge would close, as the ids along it: it starts
/// and ends at the same task (`a → b → c → a`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle(pub Vec<TaskId>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_dropped_and_the_request_order_kept() {
        let (a, b) = (TaskId::new(), TaskId::new());
        let blockers = Blockers::parse("blocked_by", &[b, a, b]).unwrap();
        assert_eq!(blockers.ids(), [b, a]);
        assert_eq!(blockers.index_of(a), Some(1));
        let mut sorted = vec![a, b];
        sorted.sort_unstable();
        assert_eq!(blockers.sorted(), sorted);
    }

    #[test]
    fn more_than_a_hundred_distinct_blockers_are_refused() {
        let many: Vec<TaskId> = (0..101).map(|_| TaskId::new()).collect();
        assert!(Blockers::parse("blocked_by", &many).is_err());
        assert!(Blockers::parse("blocked_by", &many[..100]).is_ok());
    }

    #[test]
    fn a_task_blocking_itself_is_reported_at_its_place() {
        let (me, other) = (TaskId::new(), TaskId::new());
        let errors = Blockers::parse("blocked_by", &[other, me]).unwrap().check_not_blocking_itself(me).unwrap_err();
        assert_eq!(errors.errors()[0].to_string(), "blocked_by[1]: Value error, a task cannot block itself");
    }

    #[test]
    fn walk_depths_are_one_to_twenty_five() {
        assert_eq!(WalkDepth::new(1).map(WalkDepth::get), Ok(1));
        assert_eq!(WalkDepth::new(25).map(WalkDepth::get), Ok(25));
        assert!(WalkDepth::new(0).is_err());
        assert!(WalkDepth::new(26).is_err());
        assert!(WalkDepth::new(-3).is_err());
    }
}
