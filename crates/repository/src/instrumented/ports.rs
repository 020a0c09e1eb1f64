//! Every port, implemented by [`Instrumented`]: the same call on the
//! wrapped port, timed and recorded under the method's name.

use async_trait::async_trait;
use trm_domain::{
    Attempt, Cursor, Delivery, DeliveryId, DeliveryState, Direction, DomainEvent, EventMetadata, EventPosition,
    LoggedEvent, Page, PageRequest, Project, ProjectId, Task, TaskId, TaskStatus, Timestamp, User, UserId, WalkDepth,
    Webhook, WebhookId,
};
use uuid::Uuid;

use super::Instrumented;
use crate::error::StoreError;
use crate::ports::{
    Cascade, Claim, EventFilter, EventLog, HealthCheck, IdempotencyRepository, ProjectFilter, ProjectRepository,
    StoredResponse, TaskFilter, TaskRepository, UserFilter, UserRepository, WebhookRepository,
};

#[async_trait]
impl<T: TaskRepository + ?Sized> TaskRepository for Instrumented<T> {
    async fn create_task(&self, task: &Task, events: &[DomainEvent]) -> Result<(), StoreError> {
        self.observe("create_task", self.inner.create_task(task, events)).await
    }

    async fn create_tasks(&self, tasks: &[Task], events: &[DomainEvent]) -> Result<(), StoreError> {
        self.observe("create_tasks", self.inner.create_tasks(tasks, events)).await
    }

    async fn get_task(&self, id: TaskId) -> Result<Option<Task>, StoreError> {
        self.observe("get_task", self.inner.get_task(id)).await
    }

    async fn list_tasks(&self, filter: &TaskFilter, page: PageRequest) -> Result<Page<Task>, StoreError> {
        self.observe("list_tasks", self.inner.list_tasks(filter, page)).await
    }

    async fn update_task(&self, task: &Task, events: &[DomainEvent]) -> Result<(), StoreError> {
        self.observe("update_task", self.inner.update_task(task, events)).await
    }

    async fn delete_task(
        &self,
        id: TaskId,
        expected_version: Option<u64>,
        cascade: bool,
        now: Timestamp,
        metadata: Option<EventMetadata>,
    ) -> Result<Cascade<Task>, StoreError> {
        self.observe("delete_task", self.inner.delete_task(id, expected_version, cascade, now, metadata)).await
    }

    async fn walk_tasks(
        &self,
        id: TaskId,
        direction: Direction,
        depth: WalkDepth,
    ) -> Result<Vec<(u8, Task)>, StoreError> {
        self.observe("walk_tasks", self.inner.walk_tasks(id, direction, depth)).await
    }

    async fn count_tasks_by_status(&self) -> Result<Vec<(TaskStatus, u64)>, StoreError> {
        self.observe("count_tasks_by_status", self.inner.count_tasks_by_status()).await
    }

    async fn recent_tasks(&self, limit: u32) -> Result<Vec<Task>, StoreError> {
        self.observe("recent_tasks", self.inner.recent_tasks(limit)).await
    }
}

#[async_trait]
impl<T: ProjectRepository + ?Sized> ProjectRepository for Instrumented<T> {
    async fn create_project(&self, project: &Project, events: &[DomainEvent]) -> Result<(), StoreError> {
        self.observe("create_project", self.inner.create_project(project, events)).await
    }

    async fn get_project(&self, id: ProjectId) -> Result<Option<Project>, StoreError> {
        self.observe("get_project", self.inner.get_project(id)).await
    }

    async fn list_projects(&self, filter: &ProjectFilter, page: PageRequest) -> Result<Page<Project>, StoreError> {
        self.observe("list_projects", self.inner.list_projects(filter, page)).await
    }

    async fn update_project(&self, project: &Project, events: &[DomainEvent]) -> Result<(), StoreError> {
        self.observe("update_project", self.inner.update_project(project, events)).await
    }

    async fn delete_project(
        &self,
        id: ProjectId,
        cascade: bool,
        expected_version: Option<u64>,
        metadata: Option<EventMetadata>,
    ) -> Result<Cascade<TaskId>, StoreError> {
        self.observe("delete_project", self.inner.delete_project(id, cascade, expected_version, metadata)).await
    }

    async fn count_projects(&self) -> Result<u64, StoreError> {
        self.observe("count_projects", self.inner.count_projects()).await
    }
}

#[async_trait]
impl<T: UserRepository + ?Sized> UserRepository for Instrumented<T> {
    async fn create_user(&self, user: &User, events: &[DomainEvent]) -> Result<(), StoreError> {
        self.observe("create_user", self.inner.create_user(user, events)).await
    }

    async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        self.observe("get_user", self.inner.get_user(id)).await
    }

    async fn list_users(&self, filter: &UserFilter, page: PageRequest) -> Result<Page<User>, StoreError> {
        self.observe("list_users", self.inner.list_users(filter, page)).await
    }

    async fn update_user(&self, user: &User, events: &[DomainEvent]) -> Result<(), StoreError> {
        self.observe("update_user", self.inner.update_user(user, events)).await
    }

    async fn delete_user(
        &self,
        id: UserId,
        expected_version: Option<u64>,
        now: Timestamp,
        metadata: Option<EventMetadata>,
    ) -> Result<Cascade<Task>, StoreError> {
        self.observe("delete_user", self.inner.delete_user(id, expected_version, now, metadata)).await
    }

    async fn count_users(&self) -> Result<u64, StoreError> {
        self.observe("count_users", self.inner.count_users()).await
    }
}

#[async_trait]
impl<T: IdempotencyRepository + ?Sized> IdempotencyRepository for Instrumented<T> {
    async fn claim(&self, scope: &str, key: &str, fingerprint: &str, now: Timestamp) -> Result<Claim, StoreError> {
        self.observe("idempotency_claim", self.inner.claim(scope, key, fingerprint, now)).await
    }

    async fn complete(&self, scope: &str, key: &str, response: &StoredResponse) -> Result<(), StoreError> {
        self.observe("idempotency_complete", self.inner.complete(scope, key, response)).await
    }

    async fn release(&self, scope: &str, key: &str) -> Result<(), StoreError> {
        self.observe("idempotency_release", self.inner.release(scope, key)).await
    }
}

#[async_trait]
impl<T: HealthCheck + ?Sized> HealthCheck for Instrumented<T> {
    async fn ping(&self) -> Result<(), StoreError> {
        self.observe("ping", self.inner.ping()).await
    }
}

#[async_trait]
impl<T: EventLog + ?Sized> EventLog for Instrumented<T> {
    async fn events_after(
        &self,
        filter: &EventFilter,
        after: EventPosition,
        limit: u32,
    ) -> Result<Vec<LoggedEvent>, StoreError> {
        self.observe("events_after", self.inner.events_after(filter, after, limit)).await
    }

    async fn events_before(
        &self,
        filter: &EventFilter,
        before: Option<EventPosition>,
        limit: u32,
    ) -> Result<Vec<LoggedEvent>, StoreError> {
        self.observe("events_before", self.inner.events_before(filter, before, limit)).await
    }

    async fn position_of(&self, event_id: Uuid) -> Result<Option<EventPosition>, StoreError> {
        self.observe("event_position", self.inner.position_of(event_id)).await
    }

    async fn last_position(&self) -> Result<EventPosition, StoreError> {
        self.observe("last_event_position", self.inner.last_position()).await
    }

    async fn prune(&self, before: Timestamp, limit: u32) -> Result<u64, StoreError> {
        self.observe("prune_events", self.inner.prune(before, limit)).await
    }
}

#[async_trait]
impl<T: WebhookRepository + ?Sized> WebhookRepository for Instrumented<T> {
    async fn create_webhook(&self, webhook: &Webhook) -> Result<(), StoreError> {
        self.observe("create_webhook", self.inner.create_webhook(webhook)).await
    }

    async fn get_webhook(&self, id: WebhookId) -> Result<Option<Webhook>, StoreError> {
        self.observe("get_webhook", self.inner.get_webhook(id)).await
    }

    async fn list_webhooks(&self) -> Result<Vec<Webhook>, StoreError> {
        self.observe("list_webhooks", self.inner.list_webhooks()).await
    }

    async fn update_webhook(&self, webhook: &Webhook) -> Result<(), StoreError> {
        self.observe("update_webhook", self.inner.update_webhook(webhook)).await
    }

    async fn delete_webhook(&self, id: WebhookId) -> Result<(), StoreError> {
        self.observe("delete_webhook", self.inner.delete_webhook(id)).await
    }

    async fn claim_webhooks(
        &self,
        owner: Uuid,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<Webhook>, StoreError> {
        self.observe("claim_webhooks", self.inner.claim_webhooks(owner, now, lease_until, limit)).await
    }

    async fn release_webhook(&self, id: WebhookId, owner: Uuid) -> Result<(), StoreError> {
        self.observe("release_webhook", self.inner.release_webhook(id, owner)).await
    }

    async fn next_delivery(&self, webhook: WebhookId) -> Result<Option<Delivery>, StoreError> {
        self.observe("next_delivery", self.inner.next_delivery(webhook)).await
    }

    async fn enqueue_delivery(
        &self,
        delivery: &Delivery,
        advance_to: Option<EventPosition>,
        owner: Uuid,
    ) -> Result<bool, StoreError> {
        self.observe("enqueue_delivery", self.inner.enqueue_delivery(delivery, advance_to, owner)).await
    }

    async fn record_attempt(
        &self,
        delivery: DeliveryId,
        attempt: &Attempt,
        state: DeliveryState,
        next_attempt_at: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        self.observe("record_attempt", self.inner.record_attempt(delivery, attempt, state, next_attempt_at)).await
    }

    async fn disable_webhook(&self, id: WebhookId, reason: &str, now: Timestamp) -> Result<(), StoreError> {
        self.observe("disable_webhook", self.inner.disable_webhook(id, reason, now)).await
    }

    async fn list_deliveries(
        &self,
        webhook: WebhookId,
        before: Option<Cursor>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        self.observe("list_deliveries", self.inner.list_deliveries(webhook, before, limit)).await
    }

    async fn prune_deliveries(&self, before: Timestamp, limit: u32) -> Result<u64, StoreError> {
        self.observe("prune_deliveries", self.inner.prune_deliveries(before, limit)).await
    }

    async fn redeliver(
        &self,
        webhook: WebhookId,
        delivery: DeliveryId,
        now: Timestamp,
    ) -> Result<Delivery, StoreError> {
        self.observe("redeliver", self.inner.redeliver(webhook, delivery, now)).await
    }
}
