//! The kinds of entity the system stores.

use std::fmt;

/// Which kind of entity an error or event is about.
///
/// Errors such as "not found" name the entity they concern, so that the HTTP
/// layer can answer `{"detail": "Task not found"}` without guessing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityKind {
    /// A [`Task`](crate::Task).
    Task,
    /// A [`Project`](crate::Project).
    Project,
    /// A user (assignee of tasks).
    User,
    /// An [`ApiKey`](crate::ApiKey).
    ApiKey,
    /// A [`Webhook`](crate::Webhook) subscription.
    Webhook,
    /// A webhook [`Delivery`](crate::Delivery).
    Delivery,
}

impl EntityKind {
    /// The capitalised singular name used in messages ("Task not found").
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Task => "Task",
            Self::Project => "Project",
            Self::User => "User",
            Self::ApiKey => "API key",
            Self::Webhook => "Webhook",
            Self::Delivery => "Delivery",
        }
    }

    /// The lower-case name used in event types and entity-type fields.
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            Self::Task => "task",
            Self::Project => "project",
            Self::User => "user",
            Self::ApiKey => "api_key",
            Self::Webhook => "webhook",
            Self::Delivery => "delivery",
        }
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
