//! Tasks kept between walks of the task graph, each at the version it was
//! read at.
//!
//! # Why
//! A walk over a thousand tasks (`blockers?depth=10` from the root of a
//! dependency tree) spends most of Neo4j's time not walking but reading:
//! each task's fifteen properties and four relationships, then sending
//! its row — about two thirds of Neo4j's CPU for the walk on the benchmark
//! store. A dependency view is read far more often than its tasks change,
//! and every change of a task's answer grows its `version` (the ETag rests
//! on the same rule: a task with the version a client holds is the task
//! it holds). So a walk can ask Neo4j only which tasks it reaches, at
//! which version, and take the tasks it already holds at those versions
//! from here.
//!
//! # When
//! A walk from a start that no walk kept here began at reads every task in
//! full, as a walk without a cache does, and keeps them: asking for
//! versions first would only add a second query to read them all. A walk
//! from a start that one did asks for versions, takes what it holds and
//! reads the rest (see `super::task_graph::walk`). When most of a walk's
//! tasks were not held, its start is forgotten, so the next walk from it
//! reads in full again.
//!
//! # Bounds
//! The tasks are weighed by the bytes they hold and the cache by
//! [`super::Neo4jOptions::walk_cache_bytes`]; the least useful are
//! evicted first (S3-FIFO, `quick_cache`). What it holds is only ever a
//! copy of what a read returned: a task at a version it holds is that
//! task, so it is never stale, only absent. Each server instance keeps its
//! own; nothing is shared or invalidated between them.

use std::sync::Arc;

use quick_cache::Weighter;
use quick_cache::sync::Cache;
use trm_domain::{Direction, Task, TaskId};

/// The starts remembered per kept task: a start stands for a walk of about
/// this many tasks, so that the starts' cache is sized to the tasks'.
const TASKS_PER_START: usize = 16;

/// The bytes a task holds outside its own fields, counted for every task
/// besides its texts: the cache's entry, its `Arc`, allocator overhead.
const ENTRY_OVERHEAD: usize = 96;

/// Tasks by id, each at the version it was read at, and the starts of the
/// walks that kept them.
pub(super) struct WalkCache {
    tasks: Cache<TaskId, Arc<Task>, TaskWeight>,
    starts: Cache<(TaskId, Direction), ()>,
}

impl WalkCache {
    /// A cache holding up to about `bytes` of tasks; `None` for 0, which
    /// turns it off.
    pub(super) fn new(bytes: usize) -> Option<Self> {
        if bytes == 0 {
            return None;
        }
        let typical = std::mem::size_of::<Task>() + ENTRY_OVERHEAD + 256;
        let tasks = (bytes / typical).max(1);
        Some(Self {
            tasks: Cache::with_weighter(tasks, u64::try_from(bytes).unwrap_or(u64::MAX), TaskWeight),
            starts: Cache::new((tasks / TASKS_PER_START).max(1)),
        })
    }

    /// Whether a walk kept here began at `start` in `direction`, so that a
    /// walk from there is likely to find its tasks held.
    pub(super) fn walked_from(&self, start: TaskId, direction: Direction) -> bool {
        self.starts.get(&(start, direction)).is_some()
    }

    /// Remembers that the walk from `start` in `direction` kept its tasks.
    pub(super) fn remember_start(&self, start: TaskId, direction: Direction) {
        self.starts.insert((start, direction), ());
    }

    /// Forgets `start` in `direction`: the walk from there found too few of
    /// its tasks held for asking versions first to pay.
    pub(super) fn forget_start(&self, start: TaskId, direction: Direction) {
        self.starts.remove(&(start, direction));
    }

    /// Task `id` as held, if it is held at `version`.
    pub(super) fn task(&self, id: TaskId, version: u64) -> Option<Task> {
        self.tasks.get(&id).filter(|task| task.version == version).map(|task| Task::clone(&task))
    }

    /// Keeps `task` as read, in place of any older copy.
    pub(super) fn keep(&self, task: &Task) {
        self.tasks.insert(task.uid, Arc::new(task.clone()));
    }
}

/// A task's weight: the bytes it holds, its texts and lists included, so
/// that tasks with long descriptions take their share of the bound.
#[derive(Clone)]
struct TaskWeight;

impl Weighter<TaskId, Arc<Task>> for TaskWeight {
    fn weight(&self, _id: &TaskId, task: &Arc<Task>) -> u64 {
        let texts = task.title.as_str().len()
            + task.description.as_ref().map_or(0, |description| description.as_str().len())
            + task.tags.iter_str().map(str::len).sum::<usize>();
        let lists = (task.tags.as_slice().len() + task.blocked_by.len()) * std::mem::size_of::<String>();
        let bytes = std::mem::size_of::<Task>() + ENTRY_OVERHEAD + texts + lists;
        u64::try_from(bytes).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use trm_domain::{NewTask, Timestamp, Title};

    use super::*;

    fn task(title: &str, version: u64) -> Task {
        let new = NewTask::new(Title::parse(title).expect("a valid title"));
        let mut task = Task::create(new, Timestamp::now()).expect("a valid task");
        task.version = version;
        task
    }

    #[test]
    fn a_task_is_held_only_at_the_version_it_was_read_at() {
        let cache = WalkCache::new(1 << 20).expect("a cache");
        let read = task("Viết tài liệu", 3);
        cache.keep(&read);
        assert_eq!(cache.task(read.uid, 3), Some(read.clone()));
        assert_eq!(cache.task(read.uid, 4), None, "a newer version is not held");
        assert_eq!(cache.task(read.uid, 2), None, "nor an older one");
    }

    #[test]
    fn keeping_a_newer_read_replaces_the_older_copy() {
        let cache = WalkCache::new(1 << 20).expect("a cache");
        let mut read = task("Viết tài liệu", 3);
        cache.keep(&read);
        read.version = 4;
        read.title = Title::parse("Viết lại tài liệu").expect("a valid title");
        cache.keep(&read);
        assert_eq!(cache.task(read.uid, 4), Some(read.clone()));
        assert_eq!(cache.task(read.uid, 3), None);
    }

    #[test]
    fn a_start_is_remembered_per_direction_until_forgotten() {
        let cache = WalkCache::new(1 << 20).expect("a cache");
        let start = task("Gốc", 1).uid;
        assert!(!cache.walked_from(start, Direction::Blockers));
        cache.remember_start(start, Direction::Blockers);
        assert!(cache.walked_from(start, Direction::Blockers));
        assert!(!cache.walked_from(start, Direction::Dependents));
        cache.forget_start(start, Direction::Blockers);
        assert!(!cache.walked_from(start, Direction::Blockers));
    }

    #[test]
    fn the_cache_stays_within_its_bytes() {
        let bytes = 64 * 1024;
        let cache = WalkCache::new(bytes).expect("a cache");
        let tasks: Vec<Task> = (0..2_000).map(|i| task(&format!("Công việc {i}"), 1)).collect();
        for read in &tasks {
            cache.keep(read);
        }
        let held = tasks.iter().filter(|read| cache.task(read.uid, 1).is_some()).count();
        assert!(held > 0, "a cache of {bytes} bytes holds some tasks");
        assert!(held < 2_000, "but not 2,000 of them");
        assert!(cache.tasks.weight() <= u64::try_from(bytes).expect("small"));
    }

    #[test]
    fn a_cache_of_no_bytes_is_off() {
        assert!(WalkCache::new(0).is_none());
    }
}
