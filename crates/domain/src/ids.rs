//! Typed entity ids.
//!
//! Every id is a server-generated UUID v4, written hyphenated on the wire. A
//! distinct type per entity makes it a compile error to look a task up by a
//! project's id.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! entity_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh random (v4) id, as the server assigns on create.
            #[must_use]
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }

            /// Wraps an existing UUID, e.g. one read back from a store.
            #[must_use]
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The underlying UUID.
            #[must_use]
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }

            /// Parses the text form of an id; `None` when it is not a UUID.
            ///
            /// Callers decide what a malformed id means: in a path it is a
            /// 404 (no such entity can exist), in a body a 422.
            #[must_use]
            pub fn parse(text: &str) -> Option<Self> {
                Uuid::parse_str(text).ok().map(Self)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // Always the hyphenated lower-case form, whatever was parsed.
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }
    };
}

entity_id!(
    /// Identifies a [`Task`](crate::Task).
    TaskId
);
entity_id!(
    /// Identifies a [`Project`](crate::Project).
    ProjectId
);
entity_id!(
    /// Identifies a user, the assignee of tasks.
    UserId
);
entity_id!(
    /// Identifies an [`ApiKey`](crate::ApiKey); shown by `keys list`, so a key
    /// can be revoked without its secret.
    ApiKeyId
);

entity_id!(
    /// Identifies a [`Webhook`](crate::webhook::Webhook) subscription.
    WebhookId
);

entity_id!(
    /// Identifies one [`Delivery`](crate::webhook::Delivery): its
    /// `webhook-id` header, the same on every attempt of it, by which
    /// receivers drop duplicates.
    DeliveryId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_display_hyphenated_lowercase() {
        let id = TaskId::parse("3F0B6C9E-1C2D-4E5F-8A9B-0C1D2E3F4A5B").unwrap();
        assert_eq!(id.to_string(), "3f0b6c9e-1c2d-4e5f-8a9b-0c1d2e3f4a5b");
    }

    #[test]
    fn text_that_is_not_a_uuid_is_not_an_id() {
        assert!(TaskId::parse("project-123").is_none());
        assert!(TaskId::parse("").is_none());
    }

    #[test]
    fn fresh_ids_are_version_4() {
        assert_eq!(ProjectId::new().as_uuid().get_version_num(), 4);
    }
}
