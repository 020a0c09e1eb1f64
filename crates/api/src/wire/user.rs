//! The user bodies: `POST /api/v1/users/` and `PATCH /api/v1/users/{uid}`.
//!
//! Every field is checked by the domain's own parsers (through the crate's
//! `values` module), so the HTTP layer and the stores cannot disagree on
//! what a valid user is. What the conversion cannot check is uniqueness: a
//! username taken (in any case) comes back from the service as a 409.

use serde::Deserialize;
use serde_json::{Map, Value};
use trm_domain::{NewUser, UserPatch};
use utoipa::ToSchema;

use super::RequestBody;
use super::field::{Field, Problems, named};
use crate::error::ApiError;
use crate::values;

/// The body of `POST /api/v1/users/`, as sent; converts into a [`NewUser`].
#[derive(Debug, Deserialize, ToSchema)]
#[schema(
    as = UserCreate,
    description = "A new user. `username` and `email` are required, the rest optional; a property not listed \
                   here is a 422 (`extra_forbidden`). A username already taken, in any case, is a 409.",
    example = json!({
        "username": "ada.lovelace", "email": "ada@example.com", "full_name": "Ada Lovelace", "is_active": true
    })
)]
pub struct UserCreateBody {
    /// 3–64 letters, digits, `_`, `.` or `-` (surrounding whitespace is
    /// trimmed); unique regardless of case. Kept as written.
    #[schema(value_type = String, required = true, min_length = 3, max_length = 64, pattern = "^[A-Za-z0-9_.-]{3,64}$", examples("ada.lovelace"))]
    #[serde(default)]
    pub username: Field,
    /// A valid address: `local@domain.tld`, at most 254 characters, no
    /// spaces.
    #[schema(value_type = String, required = true, format = Email, max_length = 254, examples("ada@example.com"))]
    #[serde(default)]
    pub email: Field,
    /// Trimmed; 1–200 characters. Defaults to `null`.
    #[schema(
        value_type = Option<String>,
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
    )]
    #[serde(default)]
    pub full_name: Field,
    /// Defaults to `true`. A JSON boolean: `"true"` or `1` is a 422.
    #[schema(value_type = Option<bool>, nullable = false, default = true)]
    #[serde(default)]
    pub is_active: Field,
    /// Every property the body does not name: each is a 422 (`extra_forbidden`).
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: Map<String, Value>,
}

/// The body of `PATCH /api/v1/users/{uid}`, as sent; converts into a
/// [`UserPatch`]: absent fields are kept, `null` clears `full_name` and is
/// refused for the others.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(
    as = UserUpdate,
    description = "A change to a user: properties present are changed, properties absent are kept, and `null` \
                   clears `full_name` (`null` for the others is a 422). A property not listed here is a 422 \
                   (`extra_forbidden`). Renaming to a username already taken, in any case, is a 409.",
    example = json!({"full_name": null, "is_active": false})
)]
pub struct UserUpdateBody {
    /// 3–64 letters, digits, `_`, `.` or `-`; unique regardless of case.
    #[schema(value_type = Option<String>, min_length = 3, max_length = 64, pattern = "^[A-Za-z0-9_.-]{3,64}$", nullable = false)]
    #[serde(default)]
    pub username: Field,
    /// A valid address.
    #[schema(value_type = Option<String>, format = Email, max_length = 254, nullable = false)]
    #[serde(default)]
    pub email: Field,
    /// Trimmed; 1–200 characters; `null` clears it.
    #[schema(
        value_type = Option<String>,
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
    )]
    #[serde(default)]
    pub full_name: Field,
    /// Activate (`true`) or deactivate (`false`) the user; their tasks stay
    /// assigned either way.
    #[schema(value_type = Option<bool>, nullable = false)]
    #[serde(default)]
    pub is_active: Field,
    /// Every property the body does not name: each is a 422 (`extra_forbidden`).
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: Map<String, Value>,
}

impl RequestBody for UserCreateBody {
    type Value = NewUser;
}

impl TryFrom<UserCreateBody> for NewUser {
    type Error = ApiError;

    /// # Errors
    /// A 422 listing every problem: a missing or malformed username or
    /// email, a blank or over-long full name, an `is_active` that is not a
    /// boolean, and unknown fields.
    fn try_from(body: UserCreateBody) -> Result<Self, ApiError> {
        let mut problems = Problems::new();
        let username = problems.required(named!(body.username), values::username);
        let email = problems.required(named!(body.email), values::email);
        let full_name = problems.nullable(named!(body.full_name), values::full_name).flatten();
        let is_active = problems.optional(named!(body.is_active), values::boolean);
        let new = username.zip(email).map(|(username, email)| Self {
            full_name,
            is_active: is_active.unwrap_or(true),
            ..Self::new(username, email)
        });
        problems.finish(&body.unknown, new)
    }
}

impl RequestBody for UserUpdateBody {
    type Value = UserPatch;
}

impl TryFrom<UserUpdateBody> for UserPatch {
    type Error = ApiError;

    /// # Errors
    /// A 422 listing every problem, as for a create.
    fn try_from(body: UserUpdateBody) -> Result<Self, ApiError> {
        let mut problems = Problems::new();
        let patch = Self {
            username: problems.optional(named!(body.username), values::username),
            email: problems.optional(named!(body.email), values::email),
            full_name: problems.nullable(named!(body.full_name), values::full_name),
            is_active: problems.optional(named!(body.is_active), values::boolean),
        };
        problems.finish(&body.unknown, Some(patch))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use trm_domain::FullName;

    use super::*;
    use crate::wire::{parse_object, read};

    fn body(value: &Value) -> Map<String, Value> {
        parse_object(value.to_string().as_bytes()).unwrap()
    }

    fn new_user(body: Map<String, Value>) -> Result<NewUser, ApiError> {
        read::<UserCreateBody>(body)
    }

    fn user_patch(body: Map<String, Value>) -> Result<UserPatch, ApiError> {
        read::<UserUpdateBody>(body)
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
