//! The repository traits: what the service layer may ask of a store.

use async_trait::async_trait;
use trm_domain::search::SearchQuery;
use trm_domain::{
    ApiKey, ApiKeyId, Attempt, Cursor, Delivery, DeliveryId, DeliveryState, DomainEvent, EventMetadata, EventPosition,
    KeyHash, KeyName, LoggedEvent, Page, PageRequest, Project, ProjectId, ProjectStatus, Tag, Task, TaskId, TaskStatus,
    TaskType, Timestamp, User, UserId, Webhook, WebhookId,
};
use uuid::Uuid;

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

/// Which projects a list returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectFilter {
    /// Only projects in this status.
    pub status: Option<ProjectStatus>,
}

/// What a cascading delete did: the entities it changed or removed on the
/// way, and every event it stored for the whole delete, in log order.
#[derive(Debug, Clone, PartialEq)]
pub struct Cascade<T> {
    /// The entities the cascade reached (deleted task ids, unassigned tasks),
    /// oldest first.
    pub affected: Vec<T>,
    /// The events stored with the delete, in log order.
    pub events: Vec<DomainEvent>,
}

/// Storage of tasks and their relationships.
///
/// Every write takes the events that describe it and stores them in the
/// durable event log (see [`EventLog`]) in the same transaction as the
/// change: a write that is acknowledged has its events, one that fails
/// has none.
///
/// Lists are in keyset order — `created_at`, then `uid`, oldest first — and a
/// page holds at most `page.limit()` items, read through an index rather than
/// a scan of every task.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait TaskRepository: Send + Sync + 'static {
    /// Stores a new task together with its project and assignee
    /// relationships and its `events`, atomically.
    ///
    /// # Errors
    /// MUST return [`StoreError::MissingReference`] (`Project` or `User`) if
    /// `task.project_id` or `task.assignee_id` names nothing stored, and then
    /// store nothing.
    async fn create_task(&self, task: &Task, events: &[DomainEvent]) -> Result<(), StoreError>;

    /// Stores many new tasks, with their relationships, in one transaction:
    /// all of them or none. For importers, which would otherwise pay a
    /// round trip and a commit per task. `events` are stored with them.
    ///
    /// # Errors
    /// MUST return [`StoreError::MissingReferences`] listing every task (by
    /// its index in `tasks`, with the kind it names: `Project` before `User`
    /// for one task naming neither) whose `project_id` or `assignee_id`
    /// names nothing stored, and then store nothing.
    async fn create_tasks(&self, tasks: &[Task], events: &[DomainEvent]) -> Result<(), StoreError>;

    /// The task with this id, if any.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn get_task(&self, id: TaskId) -> Result<Option<Task>, StoreError>;

    /// One page of the tasks matching `filter`.
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
    /// `task.version - 1`, and [`StoreError::MissingReference`] if a new
    /// project or assignee does not exist — in each case changing nothing.
    async fn update_task(&self, task: &Task, events: &[DomainEvent]) -> Result<(), StoreError>;

    /// Deletes a task and its relationships, storing `events`. With
    /// `expected_version`, only if the stored version is that one (checked
    /// atomically with the delete).
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`] if no such task exists and
    /// [`StoreError::VersionConflict`] on a version mismatch.
    async fn delete_task(
        &self,
        id: TaskId,
        expected_version: Option<u64>,
        events: &[DomainEvent],
    ) -> Result<(), StoreError>;

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

/// Storage of projects. Writes store their events as [`TaskRepository`]'s
/// do.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ProjectRepository: Send + Sync + 'static {
    /// Stores a new project and its `events`.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn create_project(&self, project: &Project, events: &[DomainEvent]) -> Result<(), StoreError>;

    /// The project with this id, if any.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn get_project(&self, id: ProjectId) -> Result<Option<Project>, StoreError>;

    /// One page of the projects matching `filter`, in keyset order.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn list_projects(&self, filter: &ProjectFilter, page: PageRequest) -> Result<Page<Project>, StoreError>;

    /// Replaces a stored project by `project`, whose `version` is the stored
    /// one plus one; check and write are one atomic step.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`] if no such project exists and
    /// [`StoreError::VersionConflict`] if the stored version is not
    /// `project.version - 1`.
    async fn update_project(&self, project: &Project, events: &[DomainEvent]) -> Result<(), StoreError>;

    /// Deletes a project. With `cascade`, its tasks go too, in the same
    /// transaction; the ids of the deleted tasks are returned, oldest first.
    /// With `metadata`, the delete stores `task.deleted` for each of them,
    /// oldest first, then `project.deleted`, each with that metadata, and
    /// returns those events; without (the event log is off), none.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`] if no such project exists,
    /// [`StoreError::HasTasks`] if it has tasks and `cascade` is false, and
    /// [`StoreError::VersionConflict`] if `expected_version` is given and
    /// differs — in each case deleting nothing.
    async fn delete_project(
        &self,
        id: ProjectId,
        cascade: bool,
        expected_version: Option<u64>,
        metadata: Option<EventMetadata>,
    ) -> Result<Cascade<TaskId>, StoreError>;

    /// How many projects exist.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn count_projects(&self) -> Result<u64, StoreError>;
}

/// Whether a store can serve requests right now, for readiness probes.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait HealthCheck: Send + Sync + 'static {
    /// Performs the cheapest real round trip to the store.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store does not answer.
    async fn ping(&self) -> Result<(), StoreError>;
}

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

/// How long a remembered response answers retries: 24 hours, in
/// microseconds. An older entry counts as absent (and is purged lazily).
pub const IDEMPOTENCY_TTL_MICROS: i64 = 24 * 60 * 60 * 1_000_000;

/// How long a claim may stay in progress: one minute, in microseconds. A
/// claim never completed nor released (its server crashed mid-request) is
/// abandoned after this and may be claimed again, rather than blocking its
/// key for a day. Every store operation times out within seconds, so a
/// request still running after a minute has failed.
pub const IDEMPOTENCY_LEASE_MICROS: i64 = 60 * 1_000_000;

/// The first successful response to a request sent with an
/// `Idempotency-Key`, kept as plain data so the store stays HTTP-agnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// The status code (a 2xx).
    pub status: u16,
    /// The `Location` header, if the response had one.
    pub location: Option<String>,
    /// The `ETag` header, if the response had one.
    pub etag: Option<String>,
    /// The body, as sent (JSON text).
    pub body: String,
}

/// What [`IdempotencyRepository::claim`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key was free (or expired): the caller owns it and must
    /// [`complete`](IdempotencyRepository::complete) or
    /// [`release`](IdempotencyRepository::release) it.
    Claimed,
    /// A request with this key and fingerprint already succeeded: answer
    /// this and do nothing.
    Replay(StoredResponse),
    /// A request with this key and fingerprint is still being processed.
    InProgress,
    /// The key was used with a different request body.
    Mismatch,
}

/// Storage of idempotency keys and the responses they stand for.
///
/// Entries are identified by `(scope, key)` — the route and the client's
/// key — and that pair is unique *in the store itself* (a primary key, a
/// uniqueness constraint), so of two racing claims exactly one is
/// [`Claim::Claimed`], across server instances and restarts.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait IdempotencyRepository: Send + Sync + 'static {
    /// Claims `(scope, key)` for a request whose body hashes to
    /// `fingerprint`, at `now`. An entry older than
    /// [`IDEMPOTENCY_TTL_MICROS`], or still in progress after
    /// [`IDEMPOTENCY_LEASE_MICROS`], counts as absent and is replaced.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn claim(&self, scope: &str, key: &str, fingerprint: &str, now: Timestamp) -> Result<Claim, StoreError>;

    /// Remembers the successful `response` of a claimed key, so that later
    /// claims with the same fingerprint replay it.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn complete(&self, scope: &str, key: &str, response: &StoredResponse) -> Result<(), StoreError>;

    /// Forgets a claimed key whose request failed, so a retry runs afresh;
    /// a completed entry is left alone.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn release(&self, scope: &str, key: &str) -> Result<(), StoreError>;
}

/// Which key a revoke names: its id, or the name of the active key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySelector {
    /// The key with this id.
    Id(ApiKeyId),
    /// The active key with this name (names are unique among active keys).
    Name(KeyName),
}

/// Storage of API keys: their metadata and the SHA-256 of each secret,
/// never the secret itself.
///
/// The hash is unique and indexed — keys are found *by* it — and the name is
/// unique among active keys, both enforced by the store itself (an index, a
/// constraint), so two racing creates cannot both take one name.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait ApiKeyRepository: Send + Sync + 'static {
    /// Stores a new key with the hash of its secret.
    ///
    /// # Errors
    /// MUST return [`StoreError::Duplicate`]`("name")` if an active key has
    /// the same name, and then store nothing.
    async fn create_key(&self, key: &ApiKey, hash: &KeyHash) -> Result<(), StoreError>;

    /// The active key whose secret hashes to `hash`; `None` for an unknown
    /// or revoked key.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn find_active_key(&self, hash: &KeyHash) -> Result<Option<ApiKey>, StoreError>;

    /// Every key, revoked ones included, oldest first (by `created_at`, then
    /// id).
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn list_keys(&self) -> Result<Vec<ApiKey>, StoreError>;

    /// Revokes the active key `which` names, at `now`, and returns it as it
    /// now is. A revoked key stays listed but authenticates nobody.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`]`(ApiKey)` if no *active* key
    /// matches (an unknown or already revoked one), changing nothing.
    async fn revoke_key(&self, which: &KeySelector, now: Timestamp) -> Result<ApiKey, StoreError>;

    /// How many keys are active: none means the API may be open (see the
    /// access rules of the server).
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn count_active_keys(&self) -> Result<u64, StoreError>;
}

/// Which events a read of the log returns; every set field must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Only events of one of these types (`task.created`); empty means any.
    pub event_types: Vec<String>,
    /// Only events about entities of this type (`task`, `project`, `user`).
    pub entity_type: Option<String>,
    /// Only events about this entity.
    pub entity_id: Option<Uuid>,
}

/// The durable event log: every event any write stored, each at its
/// [`EventPosition`] in one strictly increasing order of the store.
///
/// The order is the commit order: once a reader has seen an event at
/// position `p`, no event committed later is placed below `p`. A reader
/// that tails [`events_after`](EventLog::events_after) from the last
/// position it saw therefore sees every event exactly once, in order — the
/// relay to live subscribers, NATS and webhooks, and every instance sharing
/// the store, read it this way.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait EventLog: Send + Sync + 'static {
    /// Up to `limit` events matching `filter` whose position is after
    /// `after`, oldest first.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn events_after(
        &self,
        filter: &EventFilter,
        after: EventPosition,
        limit: u32,
    ) -> Result<Vec<LoggedEvent>, StoreError>;

    /// Up to `limit` events matching `filter` whose position is before
    /// `before` (all of them with `None`), newest first.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn events_before(
        &self,
        filter: &EventFilter,
        before: Option<EventPosition>,
        limit: u32,
    ) -> Result<Vec<LoggedEvent>, StoreError>;

    /// The position of the event with this id; `None` if the log does not
    /// hold it (never stored, or pruned).
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn position_of(&self, event_id: Uuid) -> Result<Option<EventPosition>, StoreError>;

    /// The newest position ever assigned — it never goes back, even when
    /// retention pruned the newest events; [`EventPosition::START`] for a
    /// log that never held one.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn last_position(&self) -> Result<EventPosition, StoreError>;

    /// Deletes up to `limit` of the oldest events stamped before `before`
    /// and returns how many it deleted; a caller prunes in bounded batches
    /// until fewer than `limit` go. Positions are never reused.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn prune(&self, before: Timestamp, limit: u32) -> Result<u64, StoreError>;
}

/// Storage of webhook subscriptions, their deliveries, and the leases by
/// which one server instance at a time works on a subscription.
///
/// A subscription is worked on by whoever holds its lease: that instance
/// queues its next event ([`enqueue_delivery`](Self::enqueue_delivery),
/// which moves the subscription's cursor) and makes the attempts. A lease
/// that is not released (its holder was killed) expires, and another
/// instance takes the subscription over, resuming its pending delivery.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait WebhookRepository: Send + Sync + 'static {
    /// Stores a new subscription.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn create_webhook(&self, webhook: &Webhook) -> Result<(), StoreError>;

    /// The subscription with this id, if any.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn get_webhook(&self, id: WebhookId) -> Result<Option<Webhook>, StoreError>;

    /// Every subscription, oldest first (by `created_at`, then id).
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn list_webhooks(&self) -> Result<Vec<Webhook>, StoreError>;

    /// Replaces what an owner may change — `url`, `event_types`,
    /// `description`, `active`, `disabled_reason`, `updated_at` — leaving
    /// the secret, the cursor and the lease alone. When it re-activates a
    /// subscription (stored inactive, `webhook.active` true), every failed
    /// delivery of it becomes pending again, due at `webhook.updated_at`.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`]`(Webhook)` if no such
    /// subscription exists.
    async fn update_webhook(&self, webhook: &Webhook) -> Result<(), StoreError>;

    /// Deletes a subscription and its deliveries.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`]`(Webhook)` if no such
    /// subscription exists.
    async fn delete_webhook(&self, id: WebhookId) -> Result<(), StoreError>;

    /// Leases up to `limit` *active* subscriptions whose lease is free or
    /// expired (`lease_until` at or before `now`) to `owner` until
    /// `lease_until`, atomically — of two racing claimers, each
    /// subscription goes to one — and returns them as they now are.
    ///
    /// The dispatcher asks after every commit, so when nothing is claimable
    /// (no subscription at all, the usual case) an implementation SHOULD
    /// find that out with a read and not take a write transaction.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn claim_webhooks(
        &self,
        owner: Uuid,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<Webhook>, StoreError>;

    /// Frees the subscription's lease if `owner` holds it; otherwise does
    /// nothing.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn release_webhook(&self, id: WebhookId, owner: Uuid) -> Result<(), StoreError>;

    /// The subscription's oldest pending delivery (by `created_at`, then
    /// id), if any.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn next_delivery(&self, webhook: WebhookId) -> Result<Option<Delivery>, StoreError>;

    /// Stores a new delivery and, with `advance_to`, moves the
    /// subscription's cursor (`after`) there, in one transaction. With
    /// `advance_to`, only while `owner` holds the subscription's lease:
    /// returns whether it did, and stores nothing if not. Without (a ping),
    /// the delivery is stored whoever holds the lease, and `true` returned.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn enqueue_delivery(
        &self,
        delivery: &Delivery,
        advance_to: Option<EventPosition>,
        owner: Uuid,
    ) -> Result<bool, StoreError>;

    /// Appends `attempt` to a delivery and sets its state and next due time.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`]`(Delivery)` if no such delivery
    /// exists.
    async fn record_attempt(
        &self,
        delivery: DeliveryId,
        attempt: &Attempt,
        state: DeliveryState,
        next_attempt_at: Option<Timestamp>,
    ) -> Result<(), StoreError>;

    /// Marks the subscription inactive with `reason`, at `now`.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`]`(Webhook)` if no such
    /// subscription exists.
    async fn disable_webhook(&self, id: WebhookId, reason: &str, now: Timestamp) -> Result<(), StoreError>;

    /// Up to `limit` of the subscription's deliveries, newest first (by
    /// `created_at`, then id, descending), those before `before` when given.
    ///
    /// # Errors
    /// Only [`StoreError::Unavailable`] or [`StoreError::Unexpected`].
    async fn list_deliveries(
        &self,
        webhook: WebhookId,
        before: Option<Cursor>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError>;

    /// Makes one of the subscription's deliveries pending again, due at
    /// `now`, and returns it as it now is.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`]`(Delivery)` if the subscription
    /// has no such delivery.
    async fn redeliver(&self, webhook: WebhookId, delivery: DeliveryId, now: Timestamp)
    -> Result<Delivery, StoreError>;
}
