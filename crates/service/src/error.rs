//! What a use case can answer besides success.

use trm_domain::{EntityKind, FieldError, FieldErrorKind, FieldPath, ValidationErrors, bulk_item_path};
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

    /// The request conflicts with the stored state (a project that still has
    /// tasks, a username that is taken, a write that kept losing races).
    #[error("{0}")]
    Conflict(String),

    /// The client's `If-Match` version is not the stored one; nothing changed.
    #[error("the entity has changed since the version the request was based on")]
    PreconditionFailed,

    /// The store is unreachable or too slow; retrying later may succeed.
    #[error("the store is unavailable")]
    Unavailable(#[source] anyhow::Error),

    /// A bug or corrupt data; the cause is for the log, not the client.
    #[error(transparent)]
    Unexpected(anyhow::Error),
}

impl From<ValidationErrors> for ServiceError {
    fn from(errors: ValidationErrors) -> Self {
        Self::Invalid(errors)
    }
}

impl From<StoreError> for ServiceError {
    /// The default translation of store answers; use cases override the ones
    /// whose meaning depends on the request (a version conflict, say).
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(kind) => Self::NotFound(kind),
            StoreError::MissingReference(kind) => {
                let field = match kind {
                    EntityKind::Project => "project_id",
                    EntityKind::User => "assignee_id",
                    EntityKind::Task => "task_id",
                    EntityKind::ApiKey => "api_key_id",
                    EntityKind::Webhook => "webhook_id",
                    EntityKind::Delivery => "delivery_id",
                };
                Self::Invalid(FieldError::new(field, FieldErrorKind::UnknownReference(kind)).into())
            }
            StoreError::MissingReferences(missing) => {
                let mut errors = ValidationErrors::new();
                for (index, kind) in missing {
                    let field = if kind == EntityKind::User { "assignee_id" } else { "project_id" };
                    let path = FieldPath::field(field).within(&bulk_item_path(index));
                    errors.push(FieldError::at(path, FieldErrorKind::UnknownReference(kind)));
                }
                Self::Invalid(errors)
            }
            StoreError::VersionConflict => Self::PreconditionFailed,
            StoreError::HasTasks => {
                Self::Conflict("Project still has tasks; delete them first or pass cascade=true".to_owned())
            }
            StoreError::Duplicate(what) => Self::Conflict(format!("{what} is already taken")),
            StoreError::Unavailable(cause) => Self::Unavailable(cause),
            StoreError::Unexpected(cause) => Self::Unexpected(cause),
        }
    }
}
