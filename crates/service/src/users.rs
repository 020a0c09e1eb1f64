//! The user use cases.

use std::sync::Arc;

use async_trait::async_trait;
use trm_domain::{EntityKind, EventKind, NewUser, Page, PageRequest, Task, Timestamp, User, UserId, UserPatch};
use trm_repository::{StoreError, UserFilter, UserRepository};

use crate::error::{ConflictReason, ServiceError, Unique};
use crate::events::{EventPublisher, NoEvents, current_metadata, event_about, logged};
use crate::optimistic;

/// What can be done with users; the HTTP layer depends on this trait.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait UserUseCases: Send + Sync + 'static {
    /// One page of the users matching `filter`, oldest first.
    async fn list_users(&self, filter: UserFilter, page: PageRequest) -> Result<Page<User>, ServiceError>;

    /// Creates a user; a username taken (in any case) is a
    /// [`ServiceError::Conflict`] ([`ConflictReason::Taken`]).
    async fn create_user(&self, new: NewUser) -> Result<User, ServiceError>;

    /// The user with this id.
    async fn get_user(&self, id: UserId) -> Result<User, ServiceError>;

    /// Applies `patch`; see [`TaskUseCases::update_task`](crate::TaskUseCases::update_task).
    /// Renaming to a username taken (in any case) is a [`ServiceError::Conflict`].
    async fn update_user(&self, id: UserId, patch: UserPatch, if_match: Option<u64>) -> Result<User, ServiceError>;

    /// Deletes a user, unassigning their tasks in the same transaction;
    /// returns those tasks as they now are (each one version further).
    async fn delete_user(&self, id: UserId, if_match: Option<u64>) -> Result<Vec<Task>, ServiceError>;
}

/// The user use cases over a [`UserRepository`].
#[derive(Clone)]
pub struct UserService {
    users: Arc<dyn UserRepository>,
    events: Arc<dyn EventPublisher>,
    /// Whether writes store their events (the event log is on).
    log_events: bool,
}

impl UserService {
    /// The use cases over this store, publishing no events.
    pub fn new(users: Arc<dyn UserRepository>) -> Self {
        Self { users, events: Arc::new(NoEvents), log_events: true }
    }

    /// The same use cases, publishing an event after every committed write.
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
impl UserUseCases for UserService {
    #[tracing::instrument(skip(self), err(level = "debug"))]
    async fn list_users(&self, filter: UserFilter, page: PageRequest) -> Result<Page<User>, ServiceError> {
        self.users.list_users(&filter, page).await.map_err(ServiceError::from_store)
    }

    #[tracing::instrument(skip_all, fields(username = %new.username.as_str()), err(level = "debug"))]
    async fn create_user(&self, new: NewUser) -> Result<User, ServiceError> {
        let user = User::create(new, Timestamp::now());
        let events = logged(self.log_events, || {
            vec![event_about(EntityKind::User, EventKind::Created, *user.uid.as_uuid(), &user)]
        });
        self.users.create_user(&user, &events).await.map_err(writing_a_user)?;
        self.events.committed(&events);
        Ok(user)
    }

    #[tracing::instrument(skip(self), err(level = "debug"))]
    async fn get_user(&self, id: UserId) -> Result<User, ServiceError> {
        self.users.get_user(id).await.map_err(ServiceError::from_store)?.ok_or(ServiceError::NotFound(EntityKind::User))
    }

    #[tracing::instrument(skip(self, patch), err(level = "debug"))]
    async fn update_user(&self, id: UserId, patch: UserPatch, if_match: Option<u64>) -> Result<User, ServiceError> {
        let updated = optimistic::update(
            EntityKind::User,
            if_match,
            || self.get_user(id),
            |current| Ok(current.patched(patch.clone(), Timestamp::now())),
            writing_a_user,
            |_before, next| {
                let events = logged(self.log_events, || {
                    vec![event_about(EntityKind::User, EventKind::Updated, *next.uid.as_uuid(), &next)]
                });
                async move {
                    self.users.update_user(&next, &events).await?;
                    self.events.committed(&events);
                    Ok(next)
                }
            },
        )
        .await?;
        Ok(updated.after.unwrap_or(updated.before))
    }

    #[tracing::instrument(skip(self), err(level = "debug"))]
    async fn delete_user(&self, id: UserId, if_match: Option<u64>) -> Result<Vec<Task>, ServiceError> {
        let metadata = self.log_events.then(current_metadata);
        let deleted =
            self.users.delete_user(id, if_match, Timestamp::now(), metadata).await.map_err(ServiceError::from_store)?;
        self.events.committed(&deleted.events);
        Ok(deleted.affected)
    }
}

/// What the store's answers to writing a user (a create or an update)
/// mean: a duplicate is the username, the one value of a user that must be
/// unique.
fn writing_a_user(error: StoreError) -> ServiceError {
    match error {
        StoreError::Duplicate("username") => ServiceError::Conflict(ConflictReason::Taken(Unique::Username)),
        other => ServiceError::from_store(other),
    }
}

#[cfg(test)]
mod tests {
    use trm_domain::{Email, Username};
    use trm_repository::{Cascade, MockUserRepository};

    use super::*;

    fn new_user(name: &str) -> NewUser {
        NewUser::new(Username::parse(name).unwrap(), Email::parse("someone@example.com").unwrap())
    }

    fn service(users: MockUserRepository) -> UserService {
        UserService::new(Arc::new(users))
    }

    #[tokio::test]
    async fn creating_a_user_stores_an_active_user_at_version_one() {
        let mut users = MockUserRepository::new();
        users.expect_create_user().withf(|u, _| u.is_active && u.version == 1).times(1).returning(|_, _| Ok(()));
        let user = service(users).create_user(new_user("ada")).await.unwrap();
        assert_eq!(user.username.as_str(), "ada");
    }

    #[tokio::test]
    async fn a_taken_username_is_a_conflict() {
        let mut users = MockUserRepository::new();
        users.expect_create_user().returning(|_, _| Err(StoreError::Duplicate("username")));
        let result = service(users).create_user(new_user("ada")).await;
        assert!(matches!(result, Err(ServiceError::Conflict(ConflictReason::Taken(Unique::Username)))), "{result:?}");
    }

    #[tokio::test]
    async fn renaming_to_a_taken_username_is_a_conflict() {
        let user = User::create(new_user("ada"), Timestamp::now());
        let id = user.uid;
        let mut users = MockUserRepository::new();
        users.expect_get_user().returning(move |_| Ok(Some(user.clone())));
        users.expect_update_user().times(1).returning(|_, _| Err(StoreError::Duplicate("username")));
        let patch = UserPatch { username: Some(Username::parse("grace").unwrap()), ..UserPatch::default() };
        let result = service(users).update_user(id, patch, None).await;
        assert!(matches!(result, Err(ServiceError::Conflict(ConflictReason::Taken(Unique::Username)))), "{result:?}");
    }

    #[tokio::test]
    async fn deleting_a_user_returns_the_tasks_it_unassigned() {
        let mut users = MockUserRepository::new();
        users
            .expect_delete_user()
            .withf(|_, if_match, _, _| if_match.is_none())
            .returning(|_, _, _, _| Ok(Cascade { affected: vec![], events: vec![] }));
        assert!(service(users).delete_user(UserId::new(), None).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn deleting_a_missing_user_is_not_found() {
        let mut users = MockUserRepository::new();
        users.expect_delete_user().returning(|_, _, _, _| Err(StoreError::NotFound(EntityKind::User)));
        let result = service(users).delete_user(UserId::new(), None).await;
        assert!(matches!(result, Err(ServiceError::NotFound(EntityKind::User))));
    }

    #[tokio::test]
    async fn a_user_update_that_changes_nothing_writes_nothing() {
        let user = User::create(new_user("ada"), Timestamp::now());
        let id = user.uid;
        let mut users = MockUserRepository::new();
        users.expect_get_user().returning(move |_| Ok(Some(user.clone())));
        users.expect_update_user().never();
        let same =
            service(users).update_user(id, UserPatch { is_active: Some(true), ..UserPatch::default() }, None).await;
        assert_eq!(same.unwrap().version, 1);
    }
}
