//! [`Cascade`]: what a cascading delete of a project or a user did.

use trm_domain::DomainEvent;

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
