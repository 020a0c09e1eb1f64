//! User bodies: the response DTO, the body readers, and the documentation
//! types of the request bodies (see [`super::task`] for why the request
//! schemas are separate types, and how the tests tie them to the readers).
//!
//! Every field is checked by the domain's own parsers ([`Username::parse`],
//! [`Email::parse`], [`FullName::parse`], called by the crate's `values`
//! module), so the HTTP layer and the stores cannot disagree on what a valid
//! user is. What the readers cannot check is uniqueness: a username taken
//! (in any case) comes back from the service as a conflict, a 409.

use serde::Serialize;
use serde_json::{Map, Value};
use trm_domain::{Email, FullName, NewUser, Timestamp, User, UserId, UserPatch, Username};
use utoipa::ToSchema;

use crate::body::BodyFields;
use crate::error::ApiError;
use crate::values;

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

/// Reads a create body into a [`NewUser`].
///
/// # Errors
/// A 422 listing every problem: a missing or malformed username or email, a
/// blank or over-long full name, an `is_active` that is not a boolean, and
/// unknown fields.
pub fn new_user(body: Map<String, Value>) -> Result<NewUser, ApiError> {
    let mut fields = BodyFields::new(body);
    let username = fields.required("username", values::username);
    let email = fields.required("email", values::email);
    let full_name = fields.nullable("full_name", values::full_name).flatten();
    let is_active = fields.optional("is_active", values::boolean);
    let new = username.zip(email).map(|(username, email)| NewUser {
        full_name,
        is_active: is_active.unwrap_or(true),
        ..NewUser::new(username, email)
    });
    fields.finish(new)
}

/// Reads a PATCH body into a [`UserPatch`]: absent fields are kept, `null`
/// clears `full_name` and is refused for the others.
///
/// # Errors
/// A 422 listing every problem, as for [`new_user`].
pub fn user_patch(body: Map<String, Value>) -> Result<UserPatch, ApiError> {
    let mut fields = BodyFields::new(body);
    let patch = UserPatch {
        username: fields.optional("username", values::username),
        email: fields.optional("email", values::email),
        full_name: fields.nullable("full_name", values::full_name),
        is_active: fields.optional("is_active", values::boolean),
    };
    fields.finish(Some(patch))
}

/// The body of `POST /api/v1/users/`: documents what [`new_user`] reads.
#[derive(Debug, Clone, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    description = "A new user. `username` and `email` are required, the rest optional; a property not listed \
                   here is a 422 (`extra_forbidden`). A username already taken, in any case, is a 409.",
    example = json!({
        "username": "ada.lovelace", "email": "ada@example.com", "full_name": "Ada Lovelace", "is_active": true
    })
)]
pub struct UserCreate {
    /// 3–64 letters, digits, `_`, `.` or `-` (surrounding whitespace is
    /// trimmed); unique regardless of case. Kept as written.
    #[schema(min_length = 3, max_length = 64, pattern = "^[A-Za-z0-9_.-]{3,64}$", examples("ada.lovelace"))]
    pub username: String,
    /// A valid address: `local@domain.tld`, at most 254 characters, no
    /// spaces.
    #[schema(format = Email, max_length = 254, examples("ada@example.com"))]
    pub email: String,
    /// Trimmed; 1–200 characters. Defaults to `null`.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
    )]
    pub full_name: Option<String>,
    /// Defaults to `true`. A JSON boolean: `"true"` or `1` is a 422.
    #[schema(nullable = false, default = true)]
    pub is_active: Option<bool>,
}

/// The body of `PATCH /api/v1/users/{uid}`: documents what [`user_patch`]
/// reads.
#[derive(Debug, Clone, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    description = "A change to a user: properties present are changed, properties absent are kept, and `null` \
                   clears `full_name` (`null` for the others is a 422). A property not listed here is a 422 \
                   (`extra_forbidden`). Renaming to a username already taken, in any case, is a 409.",
    example = json!({"full_name": null, "is_active": false})
)]
pub struct UserUpdate {
    /// 3–64 letters, digits, `_`, `.` or `-`; unique regardless of case.
    #[schema(min_length = 3, max_length = 64, pattern = "^[A-Za-z0-9_.-]{3,64}$", nullable = false)]
    pub username: Option<String>,
    /// A valid address.
    #[schema(format = Email, max_length = 254, nullable = false)]
    pub email: Option<String>,
    /// Trimmed; 1–200 characters; `null` clears it.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
    )]
    pub full_name: Option<String>,
    /// Activate (`true`) or deactivate (`false`) the user; their tasks stay
    /// assigned either way.
    #[schema(nullable = false)]
    pub is_active: Option<bool>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::body::parse_object;

    fn body(value: &Value) -> Map<String, Value> {
        parse_object(value.to_string().as_bytes()).unwrap()
    }

    fn problems(error: ApiError) -> Vec<(String, String)> {
        let ApiError::Invalid(details) = error else { panic!("expected a 422, got {error:?}") };
        details
            .into_iter()
            .map(|d| {
                (d.loc.iter().map(|l| l.to_string().trim_matches('"').to_owned()).collect::<Vec<_>>().join("."), d.kind)
            })
            .collect()
    }

    #[test]
    fn a_minimal_body_reads_into_an_active_user_without_a_full_name() {
        let new = new_user(body(&json!({"username": " Ada ", "email": " ada@example.com "}))).unwrap();
        assert_eq!(new.username.as_str(), "Ada");
        assert_eq!(new.email.as_str(), "ada@example.com");
        assert_eq!(new.full_name, None);
        assert!(new.is_active);
    }

    #[test]
    fn every_optional_field_of_a_create_body_is_read() {
        let new = new_user(body(&json!({
            "username": "ada", "email": "ada@example.com", "full_name": " Ada Lovelace ", "is_active": false
        })))
        .unwrap();
        assert_eq!(new.full_name.as_ref().map(FullName::as_str), Some("Ada Lovelace"));
        assert!(!new.is_active);
        let new = new_user(body(&json!({"username": "ada", "email": "ada@example.com", "full_name": null}))).unwrap();
        assert_eq!(new.full_name, None);
    }

    #[test]
    fn every_problem_of_a_create_body_is_reported_at_its_field() {
        let mut found = problems(
            new_user(body(&json!({"username": "ab", "email": "ada", "full_name": "", "is_active": "yes", "role": 1})))
                .unwrap_err(),
        );
        found.sort();
        let mut expected: Vec<(String, String)> = [
            ("body.username", "string_too_short"),
            ("body.email", "value_error"),
            ("body.full_name", "string_too_short"),
            ("body.is_active", "bool_type"),
            ("body.role", "extra_forbidden"),
        ]
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
        expected.sort();
        assert_eq!(found, expected);
    }

    #[test]
    fn a_create_body_without_username_or_email_is_missing_both() {
        assert_eq!(
            problems(new_user(body(&json!({}))).unwrap_err()),
            [("body.username".to_owned(), "missing".to_owned()), ("body.email".to_owned(), "missing".to_owned())]
        );
    }

    #[test]
    fn a_username_with_other_characters_is_a_pattern_mismatch() {
        assert_eq!(
            problems(new_user(body(&json!({"username": "ada lovelace", "email": "ada@example.com"}))).unwrap_err()),
            [("body.username".to_owned(), "string_pattern_mismatch".to_owned())]
        );
    }

    #[test]
    fn the_documented_pattern_is_the_one_the_domain_reports() {
        let Err(trm_domain::FieldErrorKind::PatternMismatch(pattern)) = Username::parse("a b c") else { panic!() };
        assert_eq!(pattern, USERNAME_PATTERN);
    }

    #[test]
    fn a_user_patch_tells_absent_from_null_for_the_full_name() {
        let patch = user_patch(body(&json!({"full_name": null, "is_active": false}))).unwrap();
        assert_eq!(patch.full_name, Some(None));
        assert_eq!(patch.is_active, Some(false));
        assert_eq!(patch.username, None);
        assert_eq!(patch.email, None);
        assert_eq!(user_patch(body(&json!({}))).unwrap(), UserPatch::default());
    }

    #[test]
    fn null_for_a_user_field_that_cannot_be_cleared_is_rejected() {
        for field in ["username", "email", "is_active"] {
            let error = user_patch(body(&json!({ field: null }))).unwrap_err();
            assert_eq!(problems(error), [(format!("body.{field}"), "null_not_allowed".to_owned())]);
        }
    }

    #[test]
    fn server_managed_user_fields_cannot_be_written() {
        for field in ["uid", "version", "created_at", "updated_at"] {
            let error = user_patch(body(&json!({ field: "x" }))).unwrap_err();
            assert_eq!(problems(error), [(format!("body.{field}"), "extra_forbidden".to_owned())]);
        }
    }
}
