//! The task use cases.

use std::sync::Arc;

use async_trait::async_trait;
use trm_domain::{
    Blockers, Direction, DomainEvent, EntityKind, EventKind, FieldError, FieldErrorKind, FieldPath, MAX_SUBTASK_LEVELS,
    NewTask, Page, PageRequest, Task, TaskId, TaskPatch, Timestamp, ValidationErrors, WalkDepth, bulk_item_path,
};
use trm_repository::{StoreError, TaskFilter, TaskRepository};

use crate::error::{ConflictReason, ServiceError};
use crate::events::{EventPublisher, NoEvents, current_metadata, event_about, logged};
use crate::optimistic;

/// What can be done with tasks. The HTTP layer depends on this trait, not on
/// [`TaskService`], so its tests can substitute a mock (feature `mocks`).
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait TaskUseCases: Send + Sync + 'static {
    /// One page of the tasks matching `filter`, oldest first.
    async fn list_tasks(&self, filter: TaskFilter, page: PageRequest) -> Result<Page<Task>, ServiceError>;

    /// One page of the direct sub-tasks of task `id` matching `filter`
    /// (whose own `parent_id` is ignored); [`ServiceError::NotFound`] when
    /// there is no such task, rather than an empty list.
    async fn list_subtasks(
        &self,
        id: TaskId,
        filter: TaskFilter,
        page: PageRequest,
    ) -> Result<Page<Task>, ServiceError>;

    /// Creates a task. A `project_id` or `assignee_id` naming nothing stored
    /// is invalid at that field, a blocker naming no task at
    /// `blocked_by[i]` (its place in the request).
    async fn create_task(&self, new: NewTask) -> Result<Task, ServiceError>;

    /// Creates many tasks at once, all or none, and returns them in request
    /// order. Every problem of every item — its own fields, a project or
    /// assignee naming nothing stored — is reported together, at
    /// `tasks[i]…`; then nothing is stored. Blockers naming no task are
    /// reported (at `tasks[i].blocked_by[j]`) once every project and
    /// assignee exists.
    async fn create_tasks(&self, new: Vec<NewTask>) -> Result<Vec<Task>, ServiceError>;

    /// The task with this id.
    async fn get_task(&self, id: TaskId) -> Result<Task, ServiceError>;

    /// Applies `patch`. With `if_match`, only when the stored version is that
    /// one ([`ServiceError::PreconditionFailed`] otherwise). A patch that
    /// changes nothing returns the stored task unchanged, version included.
    /// New blockers must exist (`blocked_by[i]` otherwise) and must not wait,
    /// directly or not, for the task ([`ConflictReason::DependencyCycle`]).
    /// A new parent must exist and leave the nesting within
    /// [`MAX_SUBTASK_LEVELS`] (`parent_id` otherwise), and must not be the
    /// task or one of its sub-tasks ([`ConflictReason::SubtaskCycle`]).
    async fn update_task(&self, id: TaskId, patch: TaskPatch, if_match: Option<u64>) -> Result<Task, ServiceError>;

    /// Deletes a task and its relationships; with `if_match`, only at that
    /// version. A task with sub-tasks is a
    /// [`ConflictReason::TaskHasSubtasks`] unless `cascade`, which deletes
    /// its whole subtree (a `task.deleted` for each, sub-tasks before their
    /// parent). The surviving tasks a deleted one blocked lose it as a
    /// blocker (each one version further, with a `task.updated` event);
    /// they are returned as they now are, oldest first.
    async fn delete_task(&self, id: TaskId, cascade: bool, if_match: Option<u64>) -> Result<Vec<Task>, ServiceError>;

    /// The tasks at most `depth` `BLOCKS` edges from task `id` in
    /// `direction`, each once at its smallest distance, by distance then
    /// oldest first.
    async fn walk_tasks(
        &self,
        id: TaskId,
        direction: Direction,
        depth: WalkDepth,
    ) -> Result<Vec<(u8, Task)>, ServiceError>;
}

/// The task use cases over any [`TaskRepository`].
///
/// Holds the repository as a trait object: the store is chosen at run time
/// from configuration, and one virtual call per request is noise next to the
/// I/O it stands for.
#[derive(Clone)]
pub struct TaskService {
    tasks: Arc<dyn TaskRepository>,
    events: Arc<dyn EventPublisher>,
    /// Whether writes store their events (the event log is on).
    log_events: bool,
}

impl TaskService {
    /// The use cases over this store, publishing no events.
    pub fn new(tasks: Arc<dyn TaskRepository>) -> Self {
        Self { tasks, events: Arc::new(NoEvents), log_events: true }
    }

    /// The same use cases, telling `events` what every committed write
    /// stored in the event log.
    #[must_use]
    pub fn with_events(self, events: Arc<dyn EventPublisher>) -> Self {
        Self { events, ..self }
    }

    /// The same use cases storing no events at all (the setting
    /// `events.enabled = false`): writes pass none to the store, and
    /// nothing is streamed, kept or delivered.
    #[must_use]
    pub fn without_event_log(self) -> Self {
        Self { log_events: false, ..self }
    }
}

#[async_trait]
impl TaskUseCases for TaskService {
    #[tracing::instrument(skip(self), err(level = "debug"))]
    async fn list_tasks(&self, filter: TaskFilter, page: PageRequest) -> Result<Page<Task>, ServiceError> {
        self.tasks.list_tasks(&filter, page).await.map_err(ServiceError::from_store)
    }

    #[tracing::instrument(skip(self), err(level = "debug"))]
    async fn list_subtasks(
        &self,
        id: TaskId,
        filter: TaskFilter,
        page: PageRequest,
    ) -> Result<Page<Task>, ServiceError> {
        self.get_task(id).await?;
        let filter = TaskFilter { parent_id: Some(id), ..filter };
        self.tasks.list_tasks(&filter, page).await.map_err(ServiceError::from_store)
    }

    #[tracing::instrument(skip_all, fields(title = %new.title), err(level = "debug"))]
    async fn create_task(&self, new: NewTask) -> Result<Task, ServiceError> {
        let blockers = new.blocked_by.clone();
        let task = Task::create(new, Timestamp::now())?;
        let events = logged(self.log_events, || {
            vec![event_about(EntityKind::Task, EventKind::Created, *task.uid.as_uuid(), &task)]
        });
        self.tasks.create_task(&task, &events).await.map_err(|error| writing_a_task(error, Some(&blockers)))?;
        tracing::debug!(task = %task.uid, "task created");
        self.events.committed(&events);
        Ok(task)
    }

    #[tracing::instrument(skip_all, fields(tasks = new.len()), err(level = "debug"))]
    async fn create_tasks(&self, new: Vec<NewTask>) -> Result<Vec<Task>, ServiceError> {
        let blockers: Vec<Blockers> = new.iter().map(|item| item.blocked_by.clone()).collect();
        let tasks = Task::create_many(new, Timestamp::now())?;
        let events: Vec<DomainEvent> = logged(self.log_events, || {
            tasks
                .iter()
                .map(|task| event_about(EntityKind::Task, EventKind::Created, *task.uid.as_uuid(), task))
                .collect()
        });
        self.tasks.create_tasks(&tasks, &events).await.map_err(|error| creating_tasks_in_bulk(error, &blockers))?;
        tracing::debug!(tasks = tasks.len(), "tasks created in bulk");
        self.events.committed(&events);
        Ok(tasks)
    }

    #[tracing::instrument(skip(self), err(level = "debug"))]
    async fn get_task(&self, id: TaskId) -> Result<Task, ServiceError> {
        self.tasks.get_task(id).await.map_err(ServiceError::from_store)?.ok_or(ServiceError::NotFound(EntityKind::Task))
    }

    #[tracing::instrument(skip(self, patch), err(level = "debug"))]
    async fn update_task(&self, id: TaskId, patch: TaskPatch, if_match: Option<u64>) -> Result<Task, ServiceError> {
        let updated = optimistic::update(
            EntityKind::Task,
            if_match,
            || self.get_task(id),
            |current| Ok(current.patched(patch.clone(), Timestamp::now())?),
            |error| writing_a_task(error, patch.blocked_by.as_ref()),
            |before, next| {
                let events =
                    logged(self.log_events, || DomainEvent::task_updated(&next, before.is_done(), &current_metadata()));
                async move {
                    self.tasks.update_task(&next, &events).await?;
                    self.events.committed(&events);
                    Ok(next)
                }
            },
        )
        .await?;
        Ok(updated.after.unwrap_or(updated.before))
    }

    #[tracing::instrument(skip(self), err(level = "debug"))]
    async fn delete_task(&self, id: TaskId, cascade: bool, if_match: Option<u64>) -> Result<Vec<Task>, ServiceError> {
        let metadata = self.log_events.then(current_metadata);
        let deleted = self.tasks.delete_task(id, if_match, cascade, Timestamp::now(), metadata).await.map_err(
            |error| match error {
                StoreError::HasSubtasks => ServiceError::Conflict(ConflictReason::TaskHasSubtasks),
                other => ServiceError::from_store(other),
            },
        )?;
        self.events.committed(&deleted.events);
        Ok(deleted.affected)
    }

    #[tracing::instrument(skip(self), err(level = "debug"))]
    async fn walk_tasks(
        &self,
        id: TaskId,
        direction: Direction,
        depth: WalkDepth,
    ) -> Result<Vec<(u8, Task)>, ServiceError> {
        self.tasks.walk_tasks(id, direction, depth).await.map_err(ServiceError::from_store)
    }
}

/// What the store's answers to writing one task (a create or an update)
/// mean: a project, user or parent task it names that does not exist is
/// the request's `project_id`, `assignee_id` or `parent_id`; a blocker
/// naming no task is the request's `blocked_by[i]`, at its place in
/// `blockers` (the request's list); a cycle is a conflict naming it; a
/// nesting too deep is the request's `parent_id`.
fn writing_a_task(error: StoreError, blockers: Option<&Blockers>) -> ServiceError {
    match error {
        StoreError::MissingBlockers(missing) => match missing_blockers(&missing, |_| blockers, false) {
            Some(errors) => ServiceError::Invalid(errors),
            None => ServiceError::from_store(StoreError::MissingBlockers(missing)),
        },
        StoreError::DependencyCycle(path) => ServiceError::Conflict(ConflictReason::DependencyCycle(path)),
        StoreError::SubtaskCycle(path) => ServiceError::Conflict(ConflictReason::SubtaskCycle(path)),
        StoreError::NestingTooDeep(_) => ServiceError::Invalid(too_deep(FieldPath::field("parent_id")).into()),
        StoreError::MissingReference(kind) => match reference_field(kind) {
            Some(field) => ServiceError::Invalid(FieldError::new(field, FieldErrorKind::UnknownReference(kind)).into()),
            None => ServiceError::from_store(StoreError::MissingReference(kind)),
        },
        other => ServiceError::from_store(other),
    }
}

/// What the store's answers to a bulk create mean: each item naming a
/// project or user that does not exist is invalid at that item's field,
/// `tasks[i].project_id` or `tasks[i].assignee_id`; each blocker naming no
/// task is invalid at `tasks[i].blocked_by[j]`, its place in the item.
fn creating_tasks_in_bulk(error: StoreError, blockers: &[Blockers]) -> ServiceError {
    match error {
        StoreError::MissingBlockers(missing) => match missing_blockers(&missing, |index| blockers.get(index), true) {
            Some(errors) => ServiceError::Invalid(errors),
            None => ServiceError::from_store(StoreError::MissingBlockers(missing)),
        },
        StoreError::MissingReferences(missing) => {
            let mut errors = ValidationErrors::new();
            for &(index, kind) in &missing {
                let Some(field) = reference_field(kind) else {
                    return ServiceError::from_store(StoreError::MissingReferences(missing.clone()));
                };
                let path = FieldPath::field(field).within(&bulk_item_path(index));
                errors.push(FieldError::at(path, FieldErrorKind::UnknownReference(kind)));
            }
            ServiceError::Invalid(errors)
        }
        StoreError::NestingTooDeep(items) => {
            let mut errors = ValidationErrors::new();
            for index in items {
                errors.push(too_deep(FieldPath::field("parent_id").within(&bulk_item_path(index))));
            }
            ServiceError::Invalid(errors)
        }
        other => ServiceError::from_store(other),
    }
}

/// The problem of a parent nested so deep already that the task (with its
/// sub-tasks) would go below the deepest level allowed.
fn too_deep(path: FieldPath) -> FieldError {
    let rule = format!("sub-tasks nest at most {MAX_SUBTASK_LEVELS} levels deep");
    FieldError::at(path, FieldErrorKind::Invalid(rule))
}

/// Each missing blocker `(i, id)` as an unknown task at `blocked_by[j]`,
/// where `j` is its place in the request list `blockers_of(i)`, within
/// item `i` of a bulk create (or the body itself, for a write of one).
/// `None` when the store named a blocker the request did not: a bug.
fn missing_blockers<'b>(
    missing: &[(usize, TaskId)],
    blockers_of: impl Fn(usize) -> Option<&'b Blockers>,
    bulk: bool,
) -> Option<ValidationErrors> {
    let mut errors = ValidationErrors::new();
    for &(index, id) in missing {
        let place = blockers_of(index)?.index_of(id)?;
        let field = FieldPath::field("blocked_by").index(place);
        let path = if bulk { field.within(&bulk_item_path(index)) } else { field };
        errors.push(FieldError::at(path, FieldErrorKind::UnknownReference(EntityKind::Task)));
    }
    Some(errors)
}

/// The field of a task that names an entity of `kind`, if a task names
/// such entities at all.
const fn reference_field(kind: EntityKind) -> Option<&'static str> {
    match kind {
        EntityKind::Project => Some("project_id"),
        EntityKind::User => Some("assignee_id"),
        EntityKind::Task => Some("parent_id"),
        _ => None,
    }
}

#[cfg(test)]
mod graph_tests;
#[cfg(test)]
mod tests;
