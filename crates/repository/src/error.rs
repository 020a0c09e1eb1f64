//! The one error type every store returns.

use trm_domain::{EntityKind, ProjectId, TaskId};

/// Why a store operation did not happen.
///
/// Variants other than [`Unavailable`](StoreError::Unavailable) and
/// [`Unexpected`](StoreError::Unexpected) are *answers* a caller acts on (a
/// 404, a 409, a 412); those two are failures, and the operation wrote
/// nothing.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The entity to change or delete does not exist.
    #[error("{0} not found")]
    NotFound(EntityKind),

    /// A write named a related entity (a task's project or assignee) that
    /// does not exist; nothing was written.
    #[error("the referenced {0} does not exist")]
    MissingReference(EntityKind),

    /// A write of many entities at once (a bulk create) named related
    /// entities that do not exist: each item that did, by its index in the
    /// write and the kind it named, in index order. Nothing was written.
    #[error("{} items reference entities that do not exist", .0.len())]
    MissingReferences(Vec<(usize, EntityKind)>),

    /// A write of tasks named blockers that do not exist: each, by the
    /// index of its task in the write (0 for a write of one) and the id it
    /// named. Nothing was written.
    #[error("{} blockers do not exist", .0.len())]
    MissingBlockers(Vec<(usize, TaskId)>),

    /// A task's new blocker would close a dependency cycle: the ids along
    /// it, from the blocker back to itself. Nothing was written.
    #[error("the blockers would close a dependency cycle")]
    DependencyCycle(Vec<TaskId>),

    /// A task's new parent is the task itself or one of its sub-tasks: the
    /// ids along the loop it would make, from the task, up through its
    /// would-be ancestors, back to itself. Nothing was written.
    #[error("the parent would make the task its own ancestor")]
    SubtaskCycle(Vec<TaskId>),

    /// A write of tasks would nest sub-tasks more than
    /// [`trm_domain::MAX_SUBTASK_LEVELS`] levels deep: the index of each
    /// task in the write that would (0 for a write of one). Nothing was
    /// written.
    #[error("sub-tasks would nest too deep")]
    NestingTooDeep(Vec<usize>),
    /// A project's new parent is the project itself or one of its
    /// sub-projects: the ids along the loop it would make, from the
    /// project, up through its would-be ancestors, back to itself. Nothing
    /// was written.
    #[error("the parent would make the project its own ancestor")]
    ProjectCycle(Vec<ProjectId>),

    /// Under its new parent a project (with its sub-projects) would nest
    /// more than [`trm_domain::MAX_PROJECT_LEVELS`] levels deep. Nothing
    /// was written.
    #[error("projects would nest too deep")]
    ProjectTooDeep,

    /// The stored version is not the one the write expected: someone else
    /// changed the entity first. Nothing was written.
    #[error("the stored version differs from the expected one")]
    VersionConflict,

    /// A project still has tasks and the delete was not a cascade.
    #[error("the project still has tasks")]
    HasTasks,

    /// A task still has sub-tasks and the delete was not a cascade.
    #[error("the task still has sub-tasks")]
    HasSubtasks,
    /// A project still has sub-projects and the delete was not a cascade.
    #[error("the project still has sub-projects")]
    HasSubprojects,

    /// A value that must be unique is taken (e.g. a username).
    #[error("{0} is already taken")]
    Duplicate(&'static str),

    /// A read was asked to wait for a bookmark (read-your-writes on a Neo4j
    /// cluster) that the store does not recognise: one from another
    /// database, or from before a restore. Nothing was read; the request
    /// that carried it is answered 422, and is not a fault of the store.
    #[error("the store does not recognise the bookmark to wait for")]
    BookmarkUnknown,

    /// The store cannot be reached or did not answer in time. Callers answer
    /// 503 and may retry; the store recovers by itself.
    #[error("the store is unavailable")]
    Unavailable(#[source] anyhow::Error),

    /// Anything else: a bug or corrupt data. The cause is kept for the log.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl StoreError {
    /// The variant, in snake_case: a small fixed vocabulary for metric
    /// labels and log fields, where the message (which may name an entity
    /// or carry a driver's text) would not do.
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "not_found",
            Self::MissingReference(_) => "missing_reference",
            Self::MissingReferences(_) => "missing_references",
            Self::MissingBlockers(_) => "missing_blockers",
            Self::DependencyCycle(_) => "dependency_cycle",
            Self::SubtaskCycle(_) => "subtask_cycle",
            Self::NestingTooDeep(_) => "nesting_too_deep",
            Self::VersionConflict => "version_conflict",
            Self::HasTasks => "has_tasks",
            Self::HasSubtasks => "has_subtasks",
            Self::ProjectCycle(_) => "project_cycle",
            Self::ProjectTooDeep => "project_too_deep",
            Self::HasSubprojects => "has_subprojects",
            Self::Duplicate(_) => "duplicate",
            Self::BookmarkUnknown => "bookmark_unknown",
            Self::Unavailable(_) => "unavailable",
            Self::Unexpected(_) => "unexpected",
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_variant_has_its_own_kind() {
        let errors = [
            StoreError::NotFound(EntityKind::Task),
            StoreError::MissingReference(EntityKind::Project),
            StoreError::MissingReferences(vec![(0, EntityKind::User)]),
            StoreError::MissingBlockers(vec![(0, TaskId::new())]),
            StoreError::DependencyCycle(vec![TaskId::new()]),
            StoreError::SubtaskCycle(vec![TaskId::new()]),
            StoreError::NestingTooDeep(vec![0]),
            StoreError::VersionConflict,
            StoreError::HasTasks,
            StoreError::HasSubtasks,
            StoreError::ProjectCycle(vec![ProjectId::new()]),
            StoreError::ProjectTooDeep,
            StoreError::HasSubprojects,
            StoreError::Duplicate("username"),
            StoreError::BookmarkUnknown,
            StoreError::Unavailable(anyhow::anyhow!("down")),
            StoreError::Unexpected(anyhow::anyhow!("bug")),
        ];
        let kinds: HashSet<&str> = errors.iter().map(StoreError::kind).collect();
        assert_eq!(kinds.len(), errors.len());
        assert_eq!(StoreError::Unavailable(anyhow::anyhow!("down")).kind(), "unavailable");
    }
}
