//! The task port: [`TaskRepository`] and the [`TaskFilter`] its lists take.

use async_trait::async_trait;
use trm_domain::search::SearchQuery;
use trm_domain::{
    Direction, DomainEvent, EventMetadata, Page, PageRequest, ProjectId, Tag, Task, TaskId, TaskSort, TaskStatus,
    TaskType, Timestamp, UserId, WalkDepth,
};

use super::Cascade;
#[cfg(doc)]
use super::EventLog;
use crate::error::StoreError;

/// Which tasks a list returns; every set field must match.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskFilter {
    /// Only tasks part of this project (`IS_PART_OF_PROJECT`).
    pub project_id: Option<ProjectId>,
    /// Only tasks in one of these statuses; empty means any.
    pub statuses: Vec<TaskStatus>,
    /// Only tasks of this type.
    pub task_type: Option<TaskType>,
    /// Only tasks assigned to this user (`ASSIGNED_TO`).
    pub assignee_id: Option<UserId>,
    /// Only tasks carrying this exact tag.
    pub tag: Option<Tag>,
    /// Only tasks whose title, description or tags hold every word of the
    /// search (the last one also as the beginning of a word), folded as
    /// [`trm_domain::search`] folds them.
    pub search: Option<SearchQuery>,
    /// Only tasks due strictly before this instant.
    pub due_before: Option<Timestamp>,
    /// Only tasks due strictly after this instant.
    pub due_after: Option<Timestamp>,
    /// Only the tasks overdue at an instant, or only those that are not.
    pub overdue: Option<Overdue>,
    /// The order of the list (see [`trm_domain::sort`]); the page's cursor,
    /// if any, must have been made for it (the API checks that).
    pub sort: TaskSort,
    /// `true`: only tasks with a blocker that is neither `done` nor
    /// `cancelled`; `false`: only tasks without one.
    pub blocked: Option<bool>,
    /// Only the direct sub-tasks of this task (`IS_SUBTASK_OF`).
    pub parent_id: Option<TaskId>,
    /// With `project_id`: the tasks of that project and of all its
    /// sub-projects, at every depth (`IS_SUBPROJECT_OF`), instead of that
    /// project's alone. Without `project_id`, nothing.
    pub include_subprojects: bool,
}

/// The `overdue` filter: whether the tasks listed are the overdue ones, and
/// the instant that is judged at — the caller's clock, so that both stores
/// (and every test) judge alike.
///
/// A task is overdue at `at` when it is due before `at` and neither `done`
/// nor `cancelled`; a task without a due date never is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overdue {
    /// `true`: only overdue tasks; `false`: only tasks that are not.
    pub overdue: bool,
    /// The instant the due dates are compared with.
    pub at: Timestamp,
}

/// Storage of tasks and their relationships.
///
/// Every write takes the events that describe it and stores them in the
/// durable event log (see [`EventLog`]) in the same transaction as the
/// change: a write that is acknowledged has its events, one that fails
/// has none.
///
/// Lists are in keyset order — by default `created_at`, then `uid`, oldest
/// first; else the filter's [`TaskSort`], ties by `created_at` then `uid` in
/// the sort's direction, tasks without a due date last — and a page holds at
/// most `page.limit()` items, read through an index rather than a scan of
/// every task.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait TaskRepository: Send + Sync + 'static {
    /// Stores a new task together with its project, assignee, blocker and
    /// parent relationships and its `events`, atomically.
    ///
    /// # Errors
    /// MUST return [`StoreError::MissingReference`] (`Project`, `User`, or
    /// `Task` for the parent, first missing in that order) if
    /// `task.project_id`, `task.assignee_id` or `task.parent_id` names
    /// nothing stored, else [`StoreError::MissingBlockers`] (at index 0) for
    /// each id of `task.blocked_by` naming no task, else
    /// [`StoreError::NestingTooDeep`] (`[0]`) if under its parent it would
    /// be deeper than [`trm_domain::MAX_SUBTASK_LEVELS`]; and then store
    /// nothing. (A new task cannot close a cycle: nothing waits for it or
    /// is its sub-task yet.)
    async fn create_task(&self, task: &Task, events: &[DomainEvent]) -> Result<(), StoreError>;

    /// Stores many new tasks, with their relationships, in one transaction:
    /// all of them or none. For importers, which would otherwise pay a
    /// round trip and a commit per task. `events` are stored with them.
    ///
    /// # Errors
    /// MUST return [`StoreError::MissingReferences`] listing every task (by
    /// its index in `tasks`, with the kind it names: `Project`, `User`,
    /// then `Task` for its parent) whose `project_id`, `assignee_id` or
    /// `parent_id` names nothing stored; else
    /// [`StoreError::MissingBlockers`] listing every blocker naming no
    /// task, by its task's index; else [`StoreError::NestingTooDeep`] with
    /// the index of every task nested too deep under its parent; and then
    /// store nothing.
    async fn create_tasks(&self, tasks: &[Task], events: &[DomainEvent]) -> Result<(), StoreError>;

    /// The task with this id, if any.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn get_task(&self, id: TaskId) -> Result<Option<Task>, StoreError>;

    /// One page of the tasks matching `filter`, in `filter.sort`'s order,
    /// each page's `next` cursor made for that sort
    /// ([`TaskSort::cursor_of`]).
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn list_tasks(&self, filter: &TaskFilter, page: PageRequest) -> Result<Page<Task>, StoreError>;

    /// Replaces a stored task by `task`, whose `version` is the stored one
    /// plus one, together with its relationships and `events`, atomically. The check of
    /// the stored version and the write are one atomic step, so of two
    /// racing updates from the same version exactly one succeeds.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`] if no such task exists,
    /// [`StoreError::VersionConflict`] if the stored version is not
    /// `task.version - 1`, [`StoreError::MissingReference`] if a new
    /// project or assignee does not exist, [`StoreError::MissingBlockers`]
    /// (at index 0) for blockers naming no task, and
    /// [`StoreError::DependencyCycle`] when a blocker already waits,
    /// directly or not, for the task, [`StoreError::MissingReference`]
    /// (`Task`) for a new parent that does not exist,
    /// [`StoreError::SubtaskCycle`] when the new parent is the task or one
    /// of its sub-tasks (at any depth), and [`StoreError::NestingTooDeep`]
    /// (`[0]`) when the task's subtree under its new parent would be deeper
    /// than [`trm_domain::MAX_SUBTASK_LEVELS`] — in each case changing
    /// nothing. The checks and the write are one atomic step: two
    /// concurrent updates can never close a cycle, nor nest too deep,
    /// between them.
    async fn update_task(&self, task: &Task, events: &[DomainEvent]) -> Result<(), StoreError>;

    /// Deletes a task and its relationships. With `expected_version`, only if
    /// the stored version is that one (checked atomically with the delete).
    /// With `cascade`, its sub-tasks go too, at every depth, in the same
    /// transaction.
    ///
    /// Each surviving task that a deleted one blocked loses it as a
    /// blocker and so changes: one version further, `updated_at` at least
    /// `now`. With `metadata` (the event log on), the delete stores
    /// `task.updated` for each of those, as it now is, then `task.deleted`
    /// for each deleted task, sub-tasks before their parent
    /// ([`DomainEvent::tasks_deleted`]). Returns those surviving tasks,
    /// oldest first, and the events.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`] if no such task exists,
    /// [`StoreError::VersionConflict`] on a version mismatch, and
    /// [`StoreError::HasSubtasks`] if it has sub-tasks and `cascade` is
    /// false — in each case deleting nothing.
    async fn delete_task(
        &self,
        id: TaskId,
        expected_version: Option<u64>,
        cascade: bool,
        now: Timestamp,
        metadata: Option<EventMetadata>,
    ) -> Result<Cascade<Task>, StoreError>;

    /// The tasks reached from task `id` along `BLOCKS` edges in
    /// `direction`, at most `depth` edges away: each once, with its
    /// smallest distance, ordered by distance, then oldest first
    /// (`created_at`, then `uid`).
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`] if no such task exists.
    async fn walk_tasks(
        &self,
        id: TaskId,
        direction: Direction,
        depth: WalkDepth,
    ) -> Result<Vec<(u8, Task)>, StoreError>;

    /// How many tasks are in each status; statuses without tasks may be
    /// absent.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn count_tasks_by_status(&self) -> Result<Vec<(TaskStatus, u64)>, StoreError>;

    /// The `limit` newest tasks, newest first (by `created_at`, then `uid`,
    /// descending), read through the index rather than sorted.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn recent_tasks(&self, limit: u32) -> Result<Vec<Task>, StoreError>;
}
