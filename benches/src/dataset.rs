//! The benchmark data set: `tasks` tasks spread over a fixed number of
//! projects, every value a pure function of its index.
//!
//! Determinism is the point: the seeder writes these values in bulk, the
//! harness asks the real server for one of them and compares the answer
//! with [`Dataset::task`], which proves the bulk writer matched the
//! adapter's schema; and two runs measure the same data.
//!
//! Shape: task `i` belongs to project `i % PROJECTS`; statuses cycle within
//! a project, so the list workload's filter (project 0, `todo`) matches one
//! task in [`STATUS_CYCLE`]`.len()` of that project's — a page of 100 needs
//! about 700 of the project's tasks read in `created_at` order, whatever
//! the total. Tasks are created 1 ms apart, in index order.
//!
//! For the task list's search and sort (issue 18): one task in
//! [`SEARCH_EVERY`] has [`SEARCH_PLACE`] in its title, so the search
//! [`SEARCH_QUERY`] (typed without diacritics) matches 1% of the set; two
//! tasks in three have a due date, scattered over [`DUE_SPREAD_DAYS`] days
//! after their creation and unrelated to it, so `sort=-due_date` reads
//! neither in creation order nor without tasks that have none.
//!
//! The dependency graph the graph workloads walk is made of the last tasks
//! of the set ([`Dataset::chain`], [`Dataset::tree`]): it is laid by the
//! harness through the API, so it is whatever the adapters make of it.

use trm_domain::{
    Description, EffortEstimate, EffortUnit, Priority, Project, ProjectId, ProjectStatus, Tag, Tags, Task, TaskId,
    TaskStatus, TaskType, Timestamp, Title,
};
use uuid::Uuid;

/// Projects the tasks are spread over; independent of the scale, so a
/// project holds a tenth of the tasks at every scale.
pub const PROJECTS: u64 = 10;

/// The statuses tasks cycle through within a project.
pub const STATUS_CYCLE: [TaskStatus; 7] = [
    TaskStatus::Todo,
    TaskStatus::InProgress,
    TaskStatus::Backlog,
    TaskStatus::InReview,
    TaskStatus::Blocked,
    TaskStatus::Done,
    TaskStatus::Cancelled,
];

/// The types tasks cycle through.
const TYPES: [TaskType; 7] = [
    TaskType::Feature,
    TaskType::Bug,
    TaskType::Chore,
    TaskType::Documentation,
    TaskType::Improvement,
    TaskType::Research,
    TaskType::Meeting,
];

/// 2026-01-01T00:00:00Z in microseconds: when task 0 was created.
const EPOCH_MICROS: i64 = 1_767_225_600_000_000;

/// Distinguishes the id streams of projects and tasks.
const PROJECT_STREAM: u64 = 0x5052_4f4a;
const TASK_STREAM: u64 = 0x5441_534b;

/// One task in this many has [`SEARCH_PLACE`] in its title.
pub const SEARCH_EVERY: u64 = 100;

/// The words a searched task carries, as Vietnamese users write them.
pub const SEARCH_PLACE: &str = "ở Đà Nẵng";

/// The search the `q` workload sends: [`SEARCH_PLACE`] as typed on a
/// keyboard without diacritics.
pub const SEARCH_QUERY: &str = "da nang";

/// Due dates fall within this many days after a task's creation.
pub const DUE_SPREAD_DAYS: u64 = 60;

/// Tasks in the dependency chain of the `blockers` workload.
pub const CHAIN_LENGTH: u64 = 10;

/// Tasks in the dependency tree of the `blockers` workload: a full binary
/// tree of ten levels, so `depth=10` reaches every one of them.
pub const TREE_SIZE: u64 = 1023;

/// A day, in microseconds.
const DAY_MICROS: i64 = 86_400_000_000;

/// The status the list workload filters on.
pub const LIST_STATUS: TaskStatus = TaskStatus::Todo;

/// A data set of a given size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dataset {
    /// How many tasks it holds.
    pub tasks: u64,
}

/// A bad value in the generator itself: a bug, reported rather than
/// panicking (the domain types validate even generated values).
#[derive(Debug, thiserror::Error)]
#[error("the data set generator produced an invalid value: {0}")]
pub struct GeneratorError(String);

impl GeneratorError {
    /// An error saying `what` went wrong.
    #[must_use]
    pub const fn new(what: String) -> Self {
        Self(what)
    }
}

fn invalid(what: impl std::fmt::Debug) -> GeneratorError {
    GeneratorError(format!("{what:?}"))
}

/// SplitMix64: a fast, well-mixed, dependency-free hash of the index.
const fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A random-looking (version 4) UUID determined by `stream` and `index`.
fn stable_uuid(stream: u64, index: u64) -> Uuid {
    let high = mix(stream.rotate_left(32) ^ index);
    let low = mix(high ^ stream);
    let mut bytes = [0_u8; 16];
    bytes[..8].copy_from_slice(&high.to_be_bytes());
    bytes[8..].copy_from_slice(&low.to_be_bytes());
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

fn at(micros: i64) -> Result<Timestamp, GeneratorError> {
    Timestamp::from_micros(micros).ok_or_else(|| invalid(micros))
}

/// The small numbers the generator works with, as the `i64` the domain
/// types take; saturates (never reached: indexes stay far below).
fn small(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// Picks `items[index % len]`.
fn cycle<T: Copy>(items: &[T], index: u64) -> T {
    let len = u64::try_from(items.len()).unwrap_or(1);
    items[usize::try_from(index % len).unwrap_or_default()]
}

impl Dataset {
    /// The id of project `p`.
    #[must_use]
    pub fn project_id(p: u64) -> ProjectId {
        ProjectId::from_uuid(stable_uuid(PROJECT_STREAM, p))
    }

    /// The id of task `i`.
    #[must_use]
    pub fn task_id(i: u64) -> TaskId {
        TaskId::from_uuid(stable_uuid(TASK_STREAM, i))
    }

    /// Project `p`, created before every task.
    ///
    /// # Errors
    /// Only if the generator itself is broken.
    pub fn project(p: u64) -> Result<Project, GeneratorError> {
        let created = at(EPOCH_MICROS - 1_000_000 + small(p))?;
        Ok(Project {
            uid: Self::project_id(p),
            title: Title::parse(&format!("Benchmark project {p}")).map_err(invalid)?,
            description: None,
            status: ProjectStatus::Active,
            parent_id: None,
            created_at: created,
            updated_at: created,
            version: 1,
        })
    }

    /// Task `i`: in project `i % PROJECTS`, with a status, type, priority
    /// and estimate that vary with `i`, one tag, every second one described.
    ///
    /// # Errors
    /// Only if the generator itself is broken.
    pub fn task(i: u64) -> Result<Task, GeneratorError> {
        let created = at(EPOCH_MICROS.saturating_add(small(i).saturating_mul(1000)))?;
        let description = if i.is_multiple_of(2) {
            Some(Description::parse(&format!("Seeded for the benchmarks; task number {i}.")).map_err(invalid)?)
        } else {
            None
        };
        Ok(Task {
            uid: Self::task_id(i),
            title: Title::parse(&if i.is_multiple_of(SEARCH_EVERY) {
                format!("Benchmark task {i} {SEARCH_PLACE}")
            } else {
                format!("Benchmark task {i}")
            })
            .map_err(invalid)?,
            description,
            status: cycle(&STATUS_CYCLE, i / PROJECTS),
            task_type: Some(cycle(&TYPES, i)),
            priority: Priority::from_level(small(i % 3)).map_err(invalid)?,
            project_id: Some(Self::project_id(i % PROJECTS)),
            assignee_id: None,
            #[allow(clippy::cast_precision_loss)]
            effort_estimate: Some(EffortEstimate::new((i % 16) as f64 * 0.5).map_err(invalid)?),
            effort_unit: EffortUnit::Hours,
            start_date: None,
            due_date: if i.is_multiple_of(3) {
                None
            } else {
                let days = small(mix(i) % DUE_SPREAD_DAYS).saturating_add(1);
                Some(at(created.as_micros().saturating_add(days.saturating_mul(DAY_MICROS)))?)
            },
            completed_at: None,
            tags: Tags::from_tags([Tag::parse("bench").map_err(invalid)?]),
            blocked_by: Vec::new(),
            parent_id: None,
            created_at: created,
            updated_at: created,
            version: 1,
        })
    }

    /// The project the list workload filters on.
    #[must_use]
    pub fn list_project() -> ProjectId {
        Self::project_id(0)
    }

    /// The tasks of the dependency chain, first blocker first: each one
    /// blocks the next. The last tasks of the set but the tree's.
    #[must_use]
    pub fn chain(&self) -> Vec<TaskId> {
        let start = self.tasks.saturating_sub(TREE_SIZE + CHAIN_LENGTH);
        (start..start + CHAIN_LENGTH).map(Self::task_id).collect()
    }

    /// The task the edge workload gives a blocker and takes it away again:
    /// the one before the chain, in no graph of its own.
    #[must_use]
    pub fn relinked(&self) -> TaskId {
        Self::task_id(self.tasks.saturating_sub(TREE_SIZE + CHAIN_LENGTH + 1))
    }

    /// Whether task `i` is one the harness lays into the dependency graph
    /// (the relinked task, the chain, the tree): its blockers, version and
    /// `updated_at` then differ from the generated ones in a reused store.
    #[must_use]
    pub fn in_graph(&self, i: u64) -> bool {
        i >= self.tasks.saturating_sub(TREE_SIZE + CHAIN_LENGTH + 1)
    }

    /// The tasks of the dependency tree, in heap order: task `k` is
    /// blocked by tasks `2k + 1` and `2k + 2`, so the first is blocked,
    /// transitively, by every other. The last tasks of the set.
    #[must_use]
    pub fn tree(&self) -> Vec<TaskId> {
        let start = self.tasks.saturating_sub(TREE_SIZE);
        (start..start + TREE_SIZE).map(Self::task_id).collect()
    }

    /// `n` task indexes spread evenly over the whole set, for the lookup
    /// workload (so lookups touch the whole store, not one hot corner).
    #[must_use]
    pub fn sample_indexes(&self, n: u64) -> Vec<u64> {
        let n = n.clamp(1, self.tasks.max(1));
        let step = (self.tasks / n).max(1);
        (0..n).map(|k| k * step + (k % step.max(1))).filter(|&i| i < self.tasks).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_index_always_gives_the_same_task() {
        assert_eq!(Dataset::task(12_345).ok(), Dataset::task(12_345).ok());
        assert_ne!(Dataset::task_id(1), Dataset::task_id(2));
    }

    #[test]
    fn project_and_task_ids_never_collide() {
        assert_ne!(Dataset::project_id(0).to_string(), Dataset::task_id(0).to_string());
    }

    #[test]
    fn the_list_filter_matches_one_task_of_its_project_in_seven() {
        let matching = (0..7_000)
            .filter_map(|i| Dataset::task(i).ok())
            .filter(|t| t.project_id == Some(Dataset::list_project()) && t.status == LIST_STATUS)
            .count();
        assert_eq!(matching, 100);
    }

    #[test]
    fn the_search_matches_one_task_in_a_hundred_and_two_in_three_are_due() {
        let tasks: Vec<Task> = (0..10_000).filter_map(|i| Dataset::task(i).ok()).collect();
        let query = trm_domain::search::SearchQuery::parse(SEARCH_QUERY).unwrap();
        let found = tasks.iter().filter(|t| query.matches(&trm_domain::search::index_text([t.title.as_str()]))).count();
        assert_eq!(found, 100);
        assert_eq!(tasks.iter().filter(|t| t.due_date.is_some()).count(), 6_666);
        assert!(tasks.iter().all(|t| t.due_date.is_none_or(|due| due > t.created_at)));
    }

    #[test]
    fn the_graph_is_made_of_distinct_tasks_at_the_end_of_the_set() {
        let set = Dataset { tasks: 10_000 };
        let mut all: Vec<TaskId> = set.chain().into_iter().chain(set.tree()).collect();
        assert_eq!(all.len(), 1_033);
        assert_eq!(all.last(), Some(&Dataset::task_id(9_999)));
        all.sort_by_key(ToString::to_string);
        all.dedup();
        assert_eq!(all.len(), 1_033);
    }

    #[test]
    fn samples_stay_inside_the_set_and_are_distinct() {
        let set = Dataset { tasks: 10_000 };
        let samples = set.sample_indexes(1_000);
        assert_eq!(samples.len(), 1_000);
        assert!(samples.iter().all(|&i| i < 10_000));
        let mut unique = samples.clone();
        unique.dedup();
        assert_eq!(unique.len(), samples.len());
    }
}
