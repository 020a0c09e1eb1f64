//! The durable event log port: [`EventLog`] and the [`EventFilter`] its reads take.

use async_trait::async_trait;
use trm_domain::{EventPosition, LoggedEvent, Timestamp};
use uuid::Uuid;

use crate::error::StoreError;

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
