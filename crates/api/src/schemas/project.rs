//! Project bodies: the response DTO, the body readers, and the
//! documentation types of the request bodies (see [`super::task`] for why
//! the request schemas are separate types, and how the tests tie them to
//! the readers).

use serde::Serialize;
use serde_json::{Map, Value};
use trm_domain::{Description, NewProject, Project, ProjectId, ProjectPatch, ProjectStatus, Timestamp, Title};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use utoipa::{PartialSchema, ToSchema};

use super::alias;
use super::enums::ProjectStatusSchema;
use crate::body::BodyFields;
use crate::error::ApiError;
use crate::values;

/// A project as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = Project, example = json!({
    "uid": "9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d", "title": "Launch", "description": "Everything for the launch",
    "status": "active", "created_at": "2026-11-26T03:12:45.123456Z", "updated_at": "2026-11-26T03:12:45.123456Z",
    "version": 1
}))]
pub struct ProjectResponse {
    /// Server-generated UUID.
    #[schema(value_type = String, format = Uuid)]
    pub uid: ProjectId,
    /// Trimmed, 1–200 characters.
    #[schema(value_type = String, min_length = 1, max_length = 200)]
    pub title: Title,
    /// Up to 10,000 characters.
    #[schema(value_type = Option<String>, max_length = 10000, required = true)]
    pub description: Option<Description>,
    /// Canonical status.
    #[schema(value_type = ProjectStatusSchema)]
    pub status: ProjectStatus,
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

/// The body of `POST /api/v1/projects/`: documents what [`new_project`]
/// reads.
///
/// Its schema is [`ProjectCreateFields`]'s, with exactly one of `title`
/// and its alias `name` required ([`alias::exactly_one_title`]).
#[derive(Debug, Clone, Copy)]
pub struct ProjectCreate;

impl PartialSchema for ProjectCreate {
    fn schema() -> RefOr<Schema> {
        alias::exactly_one_title(ProjectCreateFields::schema())
    }
}

impl ToSchema for ProjectCreate {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("ProjectCreate")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        ProjectCreateFields::schemas(schemas);
    }
}

/// The properties of [`ProjectCreate`], from which utoipa derives its
/// schema.
#[derive(Debug, Clone, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    description = "A new project. `title` (or its alias `name`, not both) is required, the rest optional; a \
                   property not listed here is a 422 (`extra_forbidden`).",
    example = json!({"title": "Launch", "description": "Everything for the launch", "status": "on_hold"})
)]
pub struct ProjectCreateFields {
    /// Trimmed; 1–200 characters after trimming.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]",
        examples("Launch")
    )]
    pub title: String,
    /// An alias of `title`, as TRM-OS's clients send it: give one of the
    /// two, not both (a 422 at `["body", "name"]`). Responses say `title`.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]",
        nullable = false,
        examples("Launch")
    )]
    pub name: Option<String>,
    /// Up to 10,000 characters.
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    /// Defaults to `active`.
    #[schema(value_type = Option<ProjectStatusSchema>, nullable = false)]
    pub status: Option<ProjectStatusSchema>,
}

/// The body of `PATCH /api/v1/projects/{uid}`: documents what
/// [`project_patch`] reads.
///
/// Its schema is [`ProjectUpdateFields`]'s, with `title` and its alias
/// `name` never both ([`alias::at_most_one_title`]).
#[derive(Debug, Clone, Copy)]
pub struct ProjectUpdate;

impl PartialSchema for ProjectUpdate {
    fn schema() -> RefOr<Schema> {
        alias::at_most_one_title(ProjectUpdateFields::schema())
    }
}

impl ToSchema for ProjectUpdate {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("ProjectUpdate")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        ProjectUpdateFields::schemas(schemas);
    }
}

/// The properties of [`ProjectUpdate`], from which utoipa derives its
/// schema.
#[derive(Debug, Clone, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    description = "A change to a project: properties present are changed, properties absent are kept, and \
                   `null` clears `description` (`null` for the others is a 422). `name` is an alias of `title` \
                   (not both). A property not listed here is a 422 (`extra_forbidden`).",
    example = json!({"status": "completed", "description": null})
)]
pub struct ProjectUpdateFields {
    /// Trimmed; 1–200 characters after trimming.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]",
        nullable = false
    )]
    pub title: Option<String>,
    /// An alias of `title`, as TRM-OS's clients send it: give one of the
    /// two, not both (a 422 at `["body", "name"]`).
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]",
        nullable = false
    )]
    pub name: Option<String>,
    /// Up to 10,000 characters; `null` clears it.
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    /// The new status.
    #[schema(value_type = Option<ProjectStatusSchema>, nullable = false)]
    pub status: Option<ProjectStatusSchema>,
}

impl From<Project> for ProjectResponse {
    fn from(project: Project) -> Self {
        Self {
            uid: project.uid,
            title: project.title,
            description: project.description,
            status: project.status,
            created_at: project.created_at,
            updated_at: project.updated_at,
            version: project.version,
        }
    }
}

/// Reads a create body into a [`NewProject`].
///
/// # Errors
/// A 422 listing every problem.
pub fn new_project(body: Map<String, Value>) -> Result<NewProject, ApiError> {
    let mut fields = BodyFields::new(body);
    let title = fields.required_or_alias(alias::TITLE, alias::TITLE_ALIAS, values::title);
    let description = fields.nullable("description", values::description).flatten();
    let status = fields.optional("status", values::enumerated::<ProjectStatus>);
    let new =
        title.map(|title| NewProject { description, status: status.unwrap_or_default(), ..NewProject::new(title) });
    fields.finish(new)
}

/// Reads a PATCH body into a [`ProjectPatch`].
///
/// # Errors
/// A 422 listing every problem.
pub fn project_patch(body: Map<String, Value>) -> Result<ProjectPatch, ApiError> {
    let mut fields = BodyFields::new(body);
    let patch = ProjectPatch {
        title: fields.optional_or_alias(alias::TITLE, alias::TITLE_ALIAS, values::title),
        description: fields.nullable("description", values::description),
        status: fields.optional("status", values::enumerated::<ProjectStatus>),
    };
    fields.finish(Some(patch))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::body::parse_object;

    fn body(value: &Value) -> Map<String, Value> {
        parse_object(value.to_string().as_bytes()).unwrap()
    }

    fn locations(error: ApiError) -> Vec<Vec<Value>> {
        let ApiError::Invalid(details) = error else { panic!("expected a 422, got {error:?}") };
        details.into_iter().map(|detail| detail.loc).collect()
    }

    #[test]
    fn a_project_may_be_created_and_renamed_with_name_as_trm_os_sends_it() {
        let new = new_project(body(&json!({"name": "Launch"}))).unwrap();
        assert_eq!(new.title.as_str(), "Launch");
        let patch = project_patch(body(&json!({"name": "Relaunch"}))).unwrap();
        assert_eq!(patch.title.map(|title| title.as_str().to_owned()).as_deref(), Some("Relaunch"));
    }

    #[test]
    fn a_project_body_with_both_name_and_title_is_refused_at_body_name() {
        let both = json!({"title": "Launch", "name": "Launch"});
        assert_eq!(locations(new_project(body(&both)).unwrap_err()), [vec![json!("body"), json!("name")]]);
        assert_eq!(locations(project_patch(body(&both)).unwrap_err()), [vec![json!("body"), json!("name")]]);
    }
}
