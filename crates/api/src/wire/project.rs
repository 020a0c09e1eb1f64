//! The project bodies: `POST /api/v1/projects/` and
//! `PATCH /api/v1/projects/{uid}`.

use serde::Deserialize;
use serde_json::{Map, Value};
use trm_domain::{NewProject, ProjectId, ProjectPatch, ProjectStatus};
use utoipa::ToSchema;

use super::RequestBody;
use super::field::{Field, Problems, named};
use crate::error::ApiError;
use crate::values;

/// The body of `POST /api/v1/projects/`, as sent; converts into a
/// [`NewProject`]. Exactly one of `title` and its alias `name` is required.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(
    as = ProjectCreate,
    description = "A new project. `title` (or its alias `name`, not both) is required, the rest optional; \
                   `parent_project_id` is an alias of `parent_id` (not both). A property not listed here is a 422 \
                   (`extra_forbidden`).",
    example = json!({
        "title": "Launch", "description": "Everything for the launch", "status": "on_hold",
        "parent_id": "3f0b6c9e-8d1a-4c2b-9e5f-1a2b3c4d5e6f"
    })
)]
pub struct ProjectCreateBody {
    /// Trimmed; 1–200 characters after trimming.
    #[schema(
        value_type = String, required = true,
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]",
        examples("Launch")
    )]
    #[serde(default)]
    pub title: Field,
    /// An alias of `title`, as TRM-OS's clients send it: give one of the
    /// two, not both (a 422 at `["body", "name"]`). Responses say `title`.
    #[schema(
        value_type = Option<String>,
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]",
        nullable = false,
        examples("Launch")
    )]
    #[serde(default)]
    pub name: Field,
    /// Up to 10,000 characters.
    #[schema(value_type = Option<String>, max_length = 10000)]
    #[serde(default)]
    pub description: Field,
    /// Defaults to `active`.
    #[schema(value_type = Option<ProjectStatus>, nullable = false)]
    #[serde(default)]
    pub status: Field,
    /// The project this one is a sub-project of; absent or `null` for a
    /// top-level project. It must exist (422), and projects nest at most 10
    /// levels deep, the top-level one included (422 beyond).
    #[schema(value_type = Option<String>, format = Uuid)]
    #[serde(default)]
    pub parent_id: Field,
    /// An alias of `parent_id`, as TRM-OS's clients send it: give one of
    /// the two, not both (a 422 at `["body", "parent_project_id"]`).
    /// Responses say `parent_id`.
    #[schema(value_type = Option<String>, format = Uuid)]
    #[serde(default)]
    pub parent_project_id: Field,
    /// Every property the body does not name: each is a 422 (`extra_forbidden`).
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: Map<String, Value>,
}

/// The body of `PATCH /api/v1/projects/{uid}`, as sent; converts into a
/// [`ProjectPatch`]. `title` and its alias `name` are never both.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(
    as = ProjectUpdate,
    description = "A change to a project: properties present are changed, properties absent are kept, and \
                   `null` clears `description` and `parent_id` (`null` for the others is a 422). `name` is an \
                   alias of `title`, `parent_project_id` of `parent_id` (not both). A property not listed here is \
                   a 422 (`extra_forbidden`).",
    example = json!({"status": "completed", "description": null})
)]
pub struct ProjectUpdateBody {
    /// Trimmed; 1–200 characters after trimming.
    #[schema(
        value_type = Option<String>,
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]",
        nullable = false
    )]
    #[serde(default)]
    pub title: Field,
    /// An alias of `title`, as TRM-OS's clients send it: give one of the
    /// two, not both (a 422 at `["body", "name"]`).
    #[schema(
        value_type = Option<String>,
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]",
        nullable = false
    )]
    #[serde(default)]
    pub name: Field,
    /// Up to 10,000 characters; `null` clears it.
    #[schema(value_type = Option<String>, max_length = 10000)]
    #[serde(default)]
    pub description: Field,
    /// The new status.
    #[schema(value_type = Option<ProjectStatus>, nullable = false)]
    #[serde(default)]
    pub status: Field,
    /// The new parent project; `null` makes the project a top-level one.
    /// It must exist (422), may be neither the project itself nor one of
    /// its sub-projects (409, naming the loop), and projects nest at most
    /// 10 levels deep (422 beyond).
    #[schema(value_type = Option<String>, format = Uuid)]
    #[serde(default)]
    pub parent_id: Field,
    /// An alias of `parent_id`, as TRM-OS's clients send it: give one of
    /// the two, not both (a 422 at `["body", "parent_project_id"]`).
    #[schema(value_type = Option<String>, format = Uuid)]
    #[serde(default)]
    pub parent_project_id: Field,
    /// Every property the body does not name: each is a 422 (`extra_forbidden`).
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: Map<String, Value>,
}

impl RequestBody for ProjectCreateBody {
    type Value = NewProject;
}

impl TryFrom<ProjectCreateBody> for NewProject {
    type Error = ApiError;

    /// # Errors
    /// A 422 listing every problem.
    fn try_from(body: ProjectCreateBody) -> Result<Self, ApiError> {
        let mut problems = Problems::new();
        let title = problems.either(named!(body.title), named!(body.name));
        let title = problems.required(title, values::title);
        let description = problems.nullable(named!(body.description), values::description).flatten();
        let status = problems.optional(named!(body.status), values::enumerated::<ProjectStatus>);
        let parent = problems.either(named!(body.parent_id), named!(body.parent_project_id));
        let parent_id = problems.nullable(parent, values::uuid).flatten().map(ProjectId::from_uuid);
        let new =
            title.map(|title| Self { description, status: status.unwrap_or_default(), parent_id, ..Self::new(title) });
        problems.finish(&body.unknown, new)
    }
}

impl RequestBody for ProjectUpdateBody {
    type Value = ProjectPatch;
}

impl TryFrom<ProjectUpdateBody> for ProjectPatch {
    type Error = ApiError;

    /// # Errors
    /// A 422 listing every problem.
    fn try_from(body: ProjectUpdateBody) -> Result<Self, ApiError> {
        let mut problems = Problems::new();
        let title = problems.either(named!(body.title), named!(body.name));
        let parent = problems.either(named!(body.parent_id), named!(body.parent_project_id));
        let patch = Self {
            title: problems.optional(title, values::title),
            description: problems.nullable(named!(body.description), values::description),
            status: problems.optional(named!(body.status), values::enumerated::<ProjectStatus>),
            parent_id: problems.nullable(parent, values::uuid).map(|id| id.map(ProjectId::from_uuid)),
        };
        problems.finish(&body.unknown, Some(patch))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::wire::read;

    fn body(value: Value) -> Map<String, Value> {
        let Value::Object(map) = value else { panic!("not an object") };
        map
    }

    fn locations(error: ApiError) -> Vec<Vec<Value>> {
        let ApiError::Invalid(details) = error else { panic!("expected a 422, got {error:?}") };
        details.into_iter().map(|detail| detail.loc).collect()
    }

    #[test]
    fn a_project_may_be_created_and_renamed_with_name_as_trm_os_sends_it() {
        let new: NewProject = read::<ProjectCreateBody>(body(json!({"name": "Launch"}))).unwrap();
        assert_eq!(new.title.as_str(), "Launch");
        let patch: ProjectPatch = read::<ProjectUpdateBody>(body(json!({"name": "Relaunch"}))).unwrap();
        assert_eq!(patch.title.map(|title| title.as_str().to_owned()).as_deref(), Some("Relaunch"));
    }

    #[test]
    fn a_parent_is_read_under_its_name_or_trm_os_alias_and_null_detaches_in_a_patch() {
        let parent = "3f0b6c9e-8d1a-4c2b-9e5f-1a2b3c4d5e6f";
        let id = ProjectId::from_uuid(parent.parse().unwrap());
        for field in ["parent_id", "parent_project_id"] {
            let new: NewProject = read::<ProjectCreateBody>(body(json!({"title": "Sub", field: parent}))).unwrap();
            assert_eq!(new.parent_id, Some(id), "{field}");
            let patch: ProjectPatch = read::<ProjectUpdateBody>(body(json!({field: parent}))).unwrap();
            assert_eq!(patch.parent_id, Some(Some(id)), "{field}");
            let patch: ProjectPatch = read::<ProjectUpdateBody>(body(json!({field: null}))).unwrap();
            assert_eq!(patch.parent_id, Some(None), "{field}");
        }
        let absent: ProjectPatch = read::<ProjectUpdateBody>(body(json!({"title": "Sub"}))).unwrap();
        assert_eq!(absent.parent_id, None);
    }

    #[test]
    fn a_parent_sent_under_both_names_or_not_an_id_is_refused_where_it_was_sent() {
        let parent = "3f0b6c9e-8d1a-4c2b-9e5f-1a2b3c4d5e6f";
        let both = json!({"title": "Sub", "parent_id": parent, "parent_project_id": parent});
        let at_alias = [vec![json!("body"), json!("parent_project_id")]];
        assert_eq!(locations(read::<ProjectCreateBody>(body(both.clone())).unwrap_err()), at_alias);
        assert_eq!(locations(read::<ProjectUpdateBody>(body(both)).unwrap_err()), at_alias);
        let bad = json!({"title": "Sub", "parent_project_id": "nope"});
        assert_eq!(locations(read::<ProjectCreateBody>(body(bad)).unwrap_err()), at_alias);
    }

    #[test]
    fn a_project_body_with_both_name_and_title_is_refused_at_body_name() {
        let both = json!({"title": "Launch", "name": "Launch"});
        let at_name = [vec![json!("body"), json!("name")]];
        assert_eq!(locations(read::<ProjectCreateBody>(body(both.clone())).unwrap_err()), at_name);
        assert_eq!(locations(read::<ProjectUpdateBody>(body(both)).unwrap_err()), at_name);
    }
}
