//! User responses, and the username rule as documented (the request bodies
//! are in [`crate::wire`]).

use serde::Serialize;
use trm_domain::{Email, FullName, Timestamp, User, UserId, Username};
use utoipa::ToSchema;

/// The pattern a username matches (after surrounding whitespace is
/// trimmed), as the domain's [`Username::parse`] checks it.
pub const USERNAME_PATTERN: &str = "^[A-Za-z0-9_.-]{3,64}$";

/// A user as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = User, example = json!({
    "uid": "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", "username": "ada.lovelace", "email": "ada@example.com",
    "full_name": "Ada Lovelace", "is_active": true,
    "created_at": "2026-11-26T03:12:45.123456Z", "updated_at": "2026-11-26T03:12:45.123456Z", "version": 1
}))]
pub struct UserResponse {
    /// Server-generated UUID.
    #[schema(value_type = String, format = Uuid)]
    pub uid: UserId,
    /// 3–64 letters, digits, `_`, `.` or `-`, as the user wrote it; unique
    /// regardless of case.
    #[schema(value_type = String, min_length = 3, max_length = 64, pattern = "^[A-Za-z0-9_.-]{3,64}$")]
    pub username: Username,
    /// The user's address.
    #[schema(value_type = String, format = Email, max_length = 254)]
    pub email: Email,
    /// Display name, 1–200 characters, or `null`.
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200, required = true)]
    pub full_name: Option<FullName>,
    /// Whether the user is active; inactive users keep their tasks.
    pub is_active: bool,
    /// Creation time (UTC, microseconds).
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Last change (UTC, microseconds).
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    /// Starts at 1 and grows by one on every update that changes something;
    /// the `ETag` is this number in quotes.
    #[schema(minimum = 1)]
    pub version: u64,
}

impl From<User> for UserResponse {
    fn from(user: User) -> Self {
        Self {
            uid: user.uid,
            username: user.username,
            email: user.email,
            full_name: user.full_name,
            is_active: user.is_active,
            created_at: user.created_at,
            updated_at: user.updated_at,
            version: user.version,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_pattern_is_the_one_the_domain_reports() {
        let Err(trm_domain::FieldErrorKind::PatternMismatch(pattern)) = Username::parse("a b c") else { panic!() };
        assert_eq!(pattern, USERNAME_PATTERN);
    }
}
