//! What a use case can answer besides success.
//!
//! # One error type, typed reasons, translations owned by the use cases
//!
//! Every use case answers [`ServiceError`]: a program embedding this crate
//! matches one type whatever it called, and the HTTP layer maps it in one
//! place. What differs from one use case to the next is what a *store
//! answer* means, so that is where the translation lives:
//!
//! * the answers whose meaning is the same everywhere — the entity is not
//!   there, the stored version is not the expected one, the store is down or
//!   broken — are translated by [`ServiceError::from_store`], which every
//!   call into a store names explicitly (there is no `From<StoreError>`, so
//!   a `?` cannot pick a translation silently);
//! * the answers whose meaning depends on the request are translated by the
//!   use case that made it: a missing user is the `assignee_id` of a task
//!   create or update (`tasks.rs`), the `tasks[i].assignee_id` of a bulk
//!   create, a project with tasks is [`ConflictReason::ProjectHasTasks`] for
//!   a project delete (`projects.rs`), a duplicate is the username of a user
//!   (`users.rs`) or the name of an API key (`access.rs`). Reaching
//!   [`ServiceError::from_store`] instead, such an answer is a bug (a store
//!   answering what the use case never asked about) and becomes
//!   [`ServiceError::Unexpected`] rather than a guessed field.
//!
//! No wording for clients lives here: a conflict is a [`ConflictReason`],
//! and the HTTP layer chooses the sentence its clients read.

use std::fmt;

use trm_domain::{EntityKind, ProjectId, TaskId, ValidationErrors};
use trm_repository::StoreError;

/// Why a use case did not complete.
///
/// Each variant is one answer a caller (the HTTP layer, or a program
/// embedding the service) acts on differently; the HTTP mapping is
/// 422, 404, 409, 412, 503 and 500 in that order.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The input breaks a rule; every problem is listed with its field.
    #[error("invalid input: {0}")]
    Invalid(ValidationErrors),

    /// The entity does not exist.
    #[error("{0} not found")]
    NotFound(EntityKind),

    /// The request conflicts with the stored state; the reason says how, so
    /// a caller can act on it without reading a sentence.
    #[error("{0}")]
    Conflict(ConflictReason),

    /// The client's `If-Match` version is not the stored one; nothing changed.
    #[error("the entity has changed since the version the request was based on")]
    PreconditionFailed,

    /// The request asked to read after a write the store does not know of
    /// (a bookmark it does not recognise); nothing was read.
    #[error("the store does not recognise the bookmark to wait for")]
    BookmarkUnknown,

    /// The store is unreachable or too slow; retrying later may succeed.
    #[error("the store is unavailable")]
    Unavailable(#[source] anyhow::Error),

    /// A bug or corrupt data; the cause is for the log, not the client.
    #[error(transparent)]
    Unexpected(anyhow::Error),
}

/// How a request conflicts with the stored state.
///
/// Typed rather than a sentence: the service does not know who reads it
/// (the HTTP layer words each one for its clients), and a program embedding
/// the service matches on the reason. Deliberately not `#[non_exhaustive]`:
/// a new reason should fail to compile wherever reasons are worded, not
/// fall into a catch-all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConflictReason {
    /// The project still has tasks and the delete was not a cascade.
    ProjectHasTasks,
    /// A value that must be unique is already taken.
    Taken(Unique),
    /// An update without `If-Match` kept losing the race with other writes
    /// to this entity; nothing of it was applied, and retrying may succeed.
    ChangedConcurrently(EntityKind),
    /// A task's new blockers would close a dependency cycle: the tasks
    /// along it, from the blocker that closes it back to that blocker.
    DependencyCycle(Vec<TaskId>),
    /// A task's new parent is the task itself or one of its sub-tasks: the
    /// tasks along the loop it would make, from the task up through its
    /// would-be ancestors back to itself.
    SubtaskCycle(Vec<TaskId>),
    /// The task still has sub-tasks and the delete was not a cascade.
    TaskHasSubtasks,
    /// A project's new parent is the project itself or one of its
    /// sub-projects: the projects along the loop it would make, from the
    /// project up through its would-be ancestors back to itself.
    ProjectCycle(Vec<ProjectId>),
    /// The project still has sub-projects and the delete was not a cascade.
    ProjectHasSubprojects,
}

/// A value that must be unique among the stored ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unique {
    /// A user's username (regardless of case).
    Username,
    /// The name of an active API key.
    KeyName,
}

impl Unique {
    /// The field that holds the value.
    #[must_use]
    pub const fn field(self) -> &'static str {
        match self {
            Self::Username => "username",
            Self::KeyName => "name",
        }
    }
}

impl fmt::Display for ConflictReason {
    /// A plain description for logs and error chains; clients read the HTTP
    /// layer's wording instead.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ProjectHasTasks => f.write_str("the project still has tasks"),
            Self::Taken(what) => write!(f, "{} is already taken", what.field()),
            Self::ChangedConcurrently(kind) => write!(f, "the {} is being changed concurrently", kind.key()),
            Self::DependencyCycle(path) => {
                write!(f, "the blockers would close a cycle of {} tasks", path.len().saturating_sub(1))
            }
            Self::SubtaskCycle(path) => {
                write!(f, "the parent would close a loop of {} tasks", path.len().saturating_sub(1))
            }
            Self::TaskHasSubtasks => f.write_str("the task still has sub-tasks"),
            Self::ProjectCycle(path) => {
                write!(f, "the parent would close a loop of {} projects", path.len().saturating_sub(1))
            }
            Self::ProjectHasSubprojects => f.write_str("the project still has sub-projects"),
        }
    }
}

impl From<ValidationErrors> for ServiceError {
    fn from(errors: ValidationErrors) -> Self {
        Self::Invalid(errors)
    }
}

impl ServiceError {
    /// The translation of the store answers whose meaning is the same in
    /// every use case.
    ///
    /// A use case that can get an answer whose meaning depends on its
    /// request (a missing reference, a duplicate, a project with tasks)
    /// translates that one itself and passes the rest here; reaching here,
    /// such an answer is a bug, reported as [`ServiceError::Unexpected`]
    /// rather than guessed at.
    pub(crate) fn from_store(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(kind) => Self::NotFound(kind),
            StoreError::VersionConflict => Self::PreconditionFailed,
            StoreError::BookmarkUnknown => Self::BookmarkUnknown,
            StoreError::Unavailable(cause) => Self::Unavailable(cause),
            StoreError::Unexpected(cause) => Self::Unexpected(cause),
            answer @ (StoreError::MissingReference(_)
            | StoreError::MissingReferences(_)
            | StoreError::MissingBlockers(_)
            | StoreError::DependencyCycle(_)
            | StoreError::SubtaskCycle(_)
            | StoreError::NestingTooDeep(_)
            | StoreError::HasTasks
            | StoreError::HasSubtasks
            | StoreError::ProjectCycle(_)
            | StoreError::ProjectTooDeep
            | StoreError::HasSubprojects
            | StoreError::Duplicate(_)) => {
                let kind = answer.kind();
                Self::Unexpected(
                    anyhow::Error::new(answer)
                        .context(format!("the store answered `{kind}`, which this use case has no meaning for")),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_only_a_use_case_can_give_a_meaning_are_not_guessed() {
        let answers = [
            StoreError::MissingReference(EntityKind::User),
            StoreError::MissingReferences(vec![(0, EntityKind::Project)]),
            StoreError::MissingBlockers(vec![(0, TaskId::new())]),
            StoreError::DependencyCycle(vec![TaskId::new()]),
            StoreError::SubtaskCycle(vec![TaskId::new()]),
            StoreError::NestingTooDeep(vec![0]),
            StoreError::HasTasks,
            StoreError::HasSubtasks,
            StoreError::ProjectCycle(vec![ProjectId::new()]),
            StoreError::ProjectTooDeep,
            StoreError::HasSubprojects,
            StoreError::Duplicate("username"),
        ];
        for answer in answers {
            let error = ServiceError::from_store(answer);
            assert!(matches!(error, ServiceError::Unexpected(_)), "{error:?}");
        }
    }

    #[test]
    fn answers_with_one_meaning_are_translated_everywhere_alike() {
        assert!(matches!(
            ServiceError::from_store(StoreError::NotFound(EntityKind::Task)),
            ServiceError::NotFound(EntityKind::Task)
        ));
        assert!(matches!(ServiceError::from_store(StoreError::VersionConflict), ServiceError::PreconditionFailed));
        assert!(matches!(ServiceError::from_store(StoreError::BookmarkUnknown), ServiceError::BookmarkUnknown));
        assert!(matches!(
            ServiceError::from_store(StoreError::Unavailable(anyhow::anyhow!("down"))),
            ServiceError::Unavailable(_)
        ));
    }
}
