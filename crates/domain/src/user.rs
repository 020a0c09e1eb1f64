//! The user entity: someone tasks are assigned to (`ASSIGNED_TO`).

use serde::Serialize;

use crate::error::FieldErrorKind;
use crate::ids::UserId;
use crate::paging::Cursor;
use crate::time::Timestamp;

/// A login name: 3–64 letters, digits, `_`, `.` or `-`.
///
/// Unique regardless of case — the stores enforce that themselves — but kept
/// as the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    /// Checks a username (surrounding whitespace is ignored).
    ///
    /// # Errors
    /// `StringTooShort(3)`, `StringTooLong(64)`, or `PatternMismatch` for any
    /// other character.
    pub fn parse(text: &str) -> Result<Self, FieldErrorKind> {
        let text = text.trim();
        let length = text.chars().count();
        if length < 3 {
            return Err(FieldErrorKind::StringTooShort(3));
        }
        if length > 64 {
            return Err(FieldErrorKind::StringTooLong(64));
        }
        if !text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')) {
            return Err(FieldErrorKind::PatternMismatch("^[A-Za-z0-9_.-]{3,64}$".into()));
        }
        Ok(Self(text.to_owned()))
    }

    /// The username as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form uniqueness is checked on: lower case.
    #[must_use]
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

/// An e-mail address: `local@domain.tld`, at most 254 characters, no spaces.
///
/// Deliberately permissive beyond that shape: the only real check of an
/// address is sending mail to it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Checks an address (surrounding whitespace is ignored).
    ///
    /// # Errors
    /// `Invalid` describing what is wrong.
    pub fn parse(text: &str) -> Result<Self, FieldErrorKind> {
        let text = text.trim();
        let invalid = |why: &str| Err(FieldErrorKind::Invalid(format!("value is not a valid email address: {why}")));
        if text.chars().count() > 254 {
            return invalid("it is longer than 254 characters");
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return invalid("it contains whitespace");
        }
        let Some((local, domain)) = text.split_once('@') else {
            return invalid("it has no @-sign");
        };
        if local.is_empty() || domain.contains('@') {
            return invalid("there must be something before the single @-sign");
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2
            || labels.iter().any(|label| label.is_empty() || label.starts_with('-') || label.ends_with('-'))
        {
            return invalid("the part after the @-sign is not a valid domain");
        }
        Ok(Self(text.to_owned()))
    }

    /// The address.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's display name: trimmed, 1–200 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct FullName(String);

impl FullName {
    /// Checks a full name.
    ///
    /// # Errors
    /// `StringTooShort(1)` when blank, `StringTooLong(200)` when too long.
    pub fn parse(text: &str) -> Result<Self, FieldErrorKind> {
        let text = text.trim();
        match text.chars().count() {
            0 => Err(FieldErrorKind::StringTooShort(1)),
            n if n > 200 => Err(FieldErrorKind::StringTooLong(200)),
            _ => Ok(Self(text.to_owned())),
        }
    }

    /// The name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Someone tasks can be assigned to.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "uid": "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", "username": "ada.lovelace", "email": "ada@example.com",
    "full_name": "Ada Lovelace", "is_active": true,
    "created_at": "2026-11-26T03:12:45.123456Z", "updated_at": "2026-11-26T03:12:45.123456Z", "version": 1
})))]
pub struct User {
    /// Server-generated UUID.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub uid: UserId,
    /// 3–64 letters, digits, `_`, `.` or `-`, as the user wrote it; unique
    /// regardless of case.
    #[cfg_attr(feature = "openapi", schema(value_type = String, min_length = 3, max_length = 64, pattern = "^[A-Za-z0-9_.-]{3,64}$"))]
    pub username: Username,
    /// The user's address.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Email, max_length = 254))]
    pub email: Email,
    /// Display name, 1–200 characters, or `null`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, min_length = 1, max_length = 200, required = true))]
    pub full_name: Option<FullName>,
    /// Whether the user is active; inactive users keep their tasks.
    pub is_active: bool,
    /// Creation time (UTC, microseconds).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// Last change (UTC, microseconds).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    /// Starts at 1 and grows by one on every update that changes something:
    /// the basis of optimistic concurrency, the `ETag` is this number in quotes.
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub version: u64,
}

/// What a client supplies to create a user.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    /// Required, unique.
    pub username: Username,
    /// Required.
    pub email: Email,
    /// Optional.
    pub full_name: Option<FullName>,
    /// `true` by default.
    pub is_active: bool,
}

impl NewUser {
    /// An active user with no full name.
    #[must_use]
    pub fn new(username: Username, email: Email) -> Self {
        Self { username, email, full_name: None, is_active: true }
    }
}

/// A partial update of a user; see [`TaskPatch`](crate::TaskPatch).
#[derive(Debug, Clone, Default, PartialEq)]
#[allow(clippy::option_option)] // "absent" and "null" are distinct on the wire.
pub struct UserPatch {
    /// New username (still unique).
    pub username: Option<Username>,
    /// New address.
    pub email: Option<Email>,
    /// New or cleared full name.
    pub full_name: Option<Option<FullName>>,
    /// Activate or deactivate.
    pub is_active: Option<bool>,
}

impl User {
    /// Creates a user from validated input at time `now`, with a fresh id.
    #[must_use]
    pub fn create(new: NewUser, now: Timestamp) -> Self {
        Self {
            uid: UserId::new(),
            username: new.username,
            email: new.email,
            full_name: new.full_name,
            is_active: new.is_active,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    /// The user after `patch`, or `None` when it changes nothing.
    #[must_use]
    pub fn patched(&self, patch: UserPatch, now: Timestamp) -> Option<Self> {
        let mut next = self.clone();
        let mut changed = false;
        if let Some(username) = patch.username.filter(|u| *u != next.username) {
            next.username = username;
            changed = true;
        }
        if let Some(email) = patch.email.filter(|e| *e != next.email) {
            next.email = email;
            changed = true;
        }
        if let Some(full_name) = patch.full_name.filter(|f| *f != next.full_name) {
            next.full_name = full_name;
            changed = true;
        }
        if let Some(active) = patch.is_active.filter(|a| *a != next.is_active) {
            next.is_active = active;
            changed = true;
        }
        changed.then(|| {
            next.updated_at = now.max(self.updated_at);
            next.version = self.version + 1;
            next
        })
    }

    /// This user's position in a list, for keyset paging.
    #[must_use]
    pub fn cursor(&self) -> Cursor {
        Cursor::new(self.created_at, *self.uid.as_uuid())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn usernames_are_three_to_sixty_four_safe_characters() {
        assert!(Username::parse("ada").is_ok());
        assert!(Username::parse("ada.lovelace-1_x").is_ok());
        assert_eq!(Username::parse("ab"), Err(FieldErrorKind::StringTooShort(3)));
        assert_eq!(Username::parse(&"a".repeat(65)), Err(FieldErrorKind::StringTooLong(64)));
        assert!(matches!(Username::parse("ada lovelace"), Err(FieldErrorKind::PatternMismatch(_))));
        assert!(matches!(Username::parse("adé"), Err(FieldErrorKind::PatternMismatch(_))));
    }

    #[test]
    fn usernames_compare_uniquely_without_case() {
        assert_eq!(Username::parse("Ada").unwrap().key(), Username::parse("ADA").unwrap().key());
    }

    #[test]
    fn emails_need_a_local_part_and_a_domain() {
        assert!(Email::parse("ada@example.com").is_ok());
        assert!(Email::parse(" ada+trm@mail.example.org ").is_ok());
        for bad in ["ada", "@example.com", "ada@", "ada@example", "ada@@example.com", "a da@example.com", "ada@.com"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_user_patch_bumps_the_version_only_on_change() {
        let user = User::create(
            NewUser::new(Username::parse("ada").unwrap(), Email::parse("ada@example.com").unwrap()),
            Timestamp::now(),
        );
        assert_eq!(user.patched(UserPatch { is_active: Some(true), ..UserPatch::default() }, Timestamp::now()), None);
        let inactive = user.patched(UserPatch { is_active: Some(false), ..UserPatch::default() }, Timestamp::now());
        assert_eq!(inactive.map(|u| u.version), Some(2));
    }

    proptest! {
        #[test]
        fn a_parsed_username_parses_to_itself(text in "[ -~]{0,70}") {
            if let Ok(username) = Username::parse(&text) {
                prop_assert_eq!(Username::parse(username.as_str()), Ok(username.clone()));
            }
        }

        #[test]
        fn email_parsing_never_panics_and_is_stable(text in "\\PC{0,80}") {
            if let Ok(email) = Email::parse(&text) {
                prop_assert_eq!(Email::parse(email.as_str()), Ok(email.clone()));
            }
        }
    }
}
