//! Reading the durable event log: history, tailing, resuming a stream, an
//! entity's own history, and retention.

use std::sync::Arc;

use async_trait::async_trait;
use trm_domain::{EntityKind, EventPosition, LoggedEvent, Timestamp};
use trm_repository::{EventFilter, EventLog};
use uuid::Uuid;

use crate::error::ServiceError;

/// How many events (or webhook deliveries) one retention pass deletes per
/// transaction: bounded, so pruning a large backlog never holds the
/// store's writer for long.
pub const PRUNE_BATCH: u32 = 1000;

/// What can be read of the event log. The HTTP layer depends on this trait,
/// so its tests can substitute a mock (feature `mocks`).
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait EventUseCases: Send + Sync + 'static {
    /// Up to `limit` events matching `filter` before `before` (from the
    /// newest with `None`), newest first.
    async fn newest(
        &self,
        filter: EventFilter,
        before: Option<EventPosition>,
        limit: u32,
    ) -> Result<Vec<LoggedEvent>, ServiceError>;

    /// Up to `limit` events matching `filter` after `after`, oldest first.
    async fn after(
        &self,
        filter: EventFilter,
        after: EventPosition,
        limit: u32,
    ) -> Result<Vec<LoggedEvent>, ServiceError>;

    /// Where a reader that last saw `event_id` resumes: after that event,
    /// or — when the log no longer holds it (older than the retention, or
    /// never stored) — from the oldest event retained.
    async fn resume_point(&self, event_id: Uuid) -> Result<EventPosition, ServiceError>;

    /// The newest position committed: where a reader that wants only what
    /// is committed from now on starts (a live stream, which skips what the
    /// relay still hands it from before).
    async fn log_end(&self) -> Result<EventPosition, ServiceError>;

    /// Up to `limit` events about one entity after `after`, oldest first.
    ///
    /// # Errors
    /// [`ServiceError::NotFound`] when the entity never had an event (its
    /// history is empty from the start).
    async fn entity_history(
        &self,
        entity: EntityKind,
        id: Uuid,
        after: EventPosition,
        limit: u32,
    ) -> Result<Vec<LoggedEvent>, ServiceError>;

    /// Deletes every event stamped before `cutoff`, in bounded batches;
    /// returns how many went.
    async fn prune_before(&self, cutoff: Timestamp) -> Result<u64, ServiceError>;
}

/// The event-log use cases over any [`EventLog`].
#[derive(Clone)]
pub struct EventHistoryService {
    log: Arc<dyn EventLog>,
}

impl EventHistoryService {
    /// The use cases over this store's log.
    pub fn new(log: Arc<dyn EventLog>) -> Self {
        Self { log }
    }
}

#[async_trait]
impl EventUseCases for EventHistoryService {
    async fn newest(
        &self,
        filter: EventFilter,
        before: Option<EventPosition>,
        limit: u32,
    ) -> Result<Vec<LoggedEvent>, ServiceError> {
        self.log.events_before(&filter, before, limit).await.map_err(ServiceError::from_store)
    }

    async fn after(
        &self,
        filter: EventFilter,
        after: EventPosition,
        limit: u32,
    ) -> Result<Vec<LoggedEvent>, ServiceError> {
        self.log.events_after(&filter, after, limit).await.map_err(ServiceError::from_store)
    }

    async fn resume_point(&self, event_id: Uuid) -> Result<EventPosition, ServiceError> {
        Ok(self.log.position_of(event_id).await.map_err(ServiceError::from_store)?.unwrap_or(EventPosition::START))
    }

    async fn log_end(&self) -> Result<EventPosition, ServiceError> {
        self.log.last_position().await.map_err(ServiceError::from_store)
    }

    async fn entity_history(
        &self,
        entity: EntityKind,
        id: Uuid,
        after: EventPosition,
        limit: u32,
    ) -> Result<Vec<LoggedEvent>, ServiceError> {
        let filter =
            EventFilter { entity_type: Some(entity.key().to_owned()), entity_id: Some(id), ..EventFilter::default() };
        let events = self.log.events_after(&filter, after, limit).await.map_err(ServiceError::from_store)?;
        if events.is_empty() && after == EventPosition::START {
            return Err(ServiceError::NotFound(entity));
        }
        Ok(events)
    }

    async fn prune_before(&self, cutoff: Timestamp) -> Result<u64, ServiceError> {
        let mut total = 0;
        loop {
            let deleted = self.log.prune(cutoff, PRUNE_BATCH).await.map_err(ServiceError::from_store)?;
            total += deleted;
            if deleted < u64::from(PRUNE_BATCH) {
                return Ok(total);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use trm_repository::MockEventLog;

    use super::*;

    #[tokio::test]
    async fn an_entity_that_never_had_an_event_has_no_history() {
        let mut log = MockEventLog::new();
        log.expect_events_after().returning(|_, _, _| Ok(Vec::new()));
        let result = EventHistoryService::new(Arc::new(log))
            .entity_history(EntityKind::Task, Uuid::new_v4(), EventPosition::START, 10)
            .await;
        assert!(matches!(result, Err(ServiceError::NotFound(EntityKind::Task))));
    }

    #[tokio::test]
    async fn a_page_past_the_end_of_an_entitys_history_is_empty_not_missing() {
        let mut log = MockEventLog::new();
        log.expect_events_after().returning(|_, _, _| Ok(Vec::new()));
        let result = EventHistoryService::new(Arc::new(log))
            .entity_history(EntityKind::Task, Uuid::new_v4(), EventPosition(42), 10)
            .await;
        assert!(result.unwrap().is_empty());
    }

    #[tokio::test]
    async fn an_event_the_log_no_longer_holds_resumes_from_the_oldest_retained() {
        let mut log = MockEventLog::new();
        log.expect_position_of().returning(|_| Ok(None));
        let point = EventHistoryService::new(Arc::new(log)).resume_point(Uuid::new_v4()).await.unwrap();
        assert_eq!(point, EventPosition::START);
    }

    #[tokio::test]
    async fn pruning_deletes_in_bounded_batches_until_a_batch_comes_back_short() {
        let mut log = MockEventLog::new();
        let mut sequence = mockall::Sequence::new();
        for deleted in [u64::from(PRUNE_BATCH), u64::from(PRUNE_BATCH), 7] {
            log.expect_prune()
                .withf(|_, limit| *limit == PRUNE_BATCH)
                .times(1)
                .in_sequence(&mut sequence)
                .returning(move |_, _| Ok(deleted));
        }
        let total = EventHistoryService::new(Arc::new(log)).prune_before(Timestamp::now()).await.unwrap();
        assert_eq!(total, 2 * u64::from(PRUNE_BATCH) + 7);
    }
}
