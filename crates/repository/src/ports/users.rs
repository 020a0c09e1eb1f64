//! The user port: [`UserRepository`] and its [`UserFilter`].

use async_trait::async_trait;
use trm_domain::{DomainEvent, EventMetadata, Page, PageRequest, Task, Timestamp, User, UserId};

use super::Cascade;
#[cfg(doc)]
use super::TaskRepository;
use crate::error::StoreError;

/// Which users a list returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// Only active (`true`) or inactive (`false`) users.
    pub is_active: Option<bool>,
}
/// Storage of users. Writes store their events as [`TaskRepository`]'s do.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait UserRepository: Send + Sync + 'static {
    /// Stores a new user and its `events`.
    ///
    /// # Errors
    /// MUST return [`StoreError::Duplicate`]`("username")` if another user has
    /// the same username regardless of case — enforced by the store itself
    /// (a constraint), so two racing creates cannot both succeed.
    async fn create_user(&self, user: &User, events: &[DomainEvent]) -> Result<(), StoreError>;

    /// The user with this id, if any.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError>;

    /// One page of the users matching `filter`, in keyset order.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn list_users(&self, filter: &UserFilter, page: PageRequest) -> Result<Page<User>, StoreError>;

    /// Replaces a stored user by `user`, whose `version` is the stored one
    /// plus one; check and write are one atomic step.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`], [`StoreError::VersionConflict`]
    /// or [`StoreError::Duplicate`]`("username")` as for the other entities.
    async fn update_user(&self, user: &User, events: &[DomainEvent]) -> Result<(), StoreError>;

    /// Deletes a user and, in the same transaction, unassigns every task
    /// assigned to them: each such task's `version` grows by one and its
    /// `updated_at` becomes `now`. Returns those tasks as they now are,
    /// oldest first. With `metadata`, the delete stores `task.updated` for
    /// each of them, then `user.deleted`, each with that metadata, and
    /// returns those events; without (the event log is off), none.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`] if no such user exists and
    /// [`StoreError::VersionConflict`] if `expected_version` is given and
    /// differs — in each case changing nothing.
    async fn delete_user(
        &self,
        id: UserId,
        expected_version: Option<u64>,
        now: Timestamp,
        metadata: Option<EventMetadata>,
    ) -> Result<Cascade<Task>, StoreError>;

    /// How many users exist.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn count_users(&self) -> Result<u64, StoreError>;
}
