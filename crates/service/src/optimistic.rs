//! Optimistic concurrency, shared by every update use case.
//!
//! An update reads the entity, computes the next version from it, and asks
//! the store to write that version *only if the stored one is still the one
//! read* (the stores check and write atomically). Losing that race means
//! someone else wrote in between:
//!
//! * with `If-Match`, the client based its change on a version that is gone:
//!   [`ServiceError::PreconditionFailed`];
//! * without, the client asked for "these fields, whatever the rest is", so
//!   the change is re-applied on a fresh read, a few times, before giving up
//!   with [`ServiceError::Conflict`] ([`ConflictReason::ChangedConcurrently`]).

use std::future::Future;

use trm_domain::EntityKind;
use trm_repository::StoreError;

use crate::error::{ConflictReason, ServiceError};

/// How often an update without `If-Match` re-reads and retries after losing
/// a race, before answering 409.
const ATTEMPTS: usize = 3;

/// An entity with a version, as every updatable entity has.
pub(crate) trait Versioned {
    /// The stored version this value is at.
    fn version(&self) -> u64;
}

impl Versioned for trm_domain::Task {
    fn version(&self) -> u64 {
        self.version
    }
}

impl Versioned for trm_domain::Project {
    fn version(&self) -> u64 {
        self.version
    }
}

impl Versioned for trm_domain::User {
    fn version(&self) -> u64 {
        self.version
    }
}

/// The outcome of an update: the entity as read, and as written (`None`
/// when the change changed nothing, so nothing was written).
pub(crate) struct Updated<T> {
    /// The entity the change was applied to.
    pub(crate) before: T,
    /// The entity written, one version on.
    pub(crate) after: Option<T>,
}

/// Runs the read–change–conditional-write cycle described in the module
/// docs.
///
/// `load` reads the current entity (its not-found error is the caller's);
/// `change` computes the next version, or `None` for a no-op; `write` stores
/// it — given the entity as read, to describe the change in its events —
/// failing with [`StoreError::VersionConflict`] when it lost the race;
/// `answers` is the use case's reading of the write's other store answers
/// (a missing reference is a field of its request, say).
pub(crate) async fn update<T, Load, Loaded, Write, Written>(
    kind: EntityKind,
    if_match: Option<u64>,
    mut load: Load,
    mut change: impl FnMut(&T) -> Result<Option<T>, ServiceError>,
    answers: impl Fn(StoreError) -> ServiceError,
    mut write: Write,
) -> Result<Updated<T>, ServiceError>
where
    T: Versioned,
    Load: FnMut() -> Loaded,
    Loaded: Future<Output = Result<T, ServiceError>>,
    Write: FnMut(&T, T) -> Written,
    Written: Future<Output = Result<T, StoreError>>,
{
    for _ in 0..ATTEMPTS {
        let before = load().await?;
        if if_match.is_some_and(|expected| expected != before.version()) {
            return Err(ServiceError::PreconditionFailed);
        }
        let Some(next) = change(&before)? else {
            return Ok(Updated { before, after: None });
        };
        match write(&before, next).await {
            Ok(after) => return Ok(Updated { before, after: Some(after) }),
            Err(StoreError::VersionConflict) if if_match.is_none() => {}
            Err(other) => return Err(answers(other)),
        }
    }
    Err(ServiceError::Conflict(ConflictReason::ChangedConcurrently(kind)))
}
