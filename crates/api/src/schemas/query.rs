//! The query parameters of each route, as documentation types.
//!
//! Query strings are read by [`QueryParams`](crate::query::QueryParams),
//! parameter by parameter, rejecting any it was not asked for; these types
//! only describe them to OpenAPI. The tests send every documented parameter
//! (with its example value) to its route and check it is accepted, so a
//! parameter cannot be documented under a name the route does not read.

use utoipa::IntoParams;

use trm_domain::{ProjectStatus, TaskSort, TaskStatus, TaskType};

/// A cursor this API issued, for the examples.
const CURSOR_EXAMPLE: &str = "AAZhJVFAZ4A_C2yejRpMK55fGis8TV5v";

/// A cursor this API issued for `sort=-due_date` (the task lists' example
/// sort), for their examples.
const SORTED_CURSOR_EXAMPLE: &str = "BQEAAAAGY-K0XMAAAAZhJVFAZ4A_C2yejRpMK55fGis8TV5v";

/// The filters and paging of `GET /api/v1/tasks/`.
#[allow(dead_code)] // documentation: the query is read by `crate::query`, not into these fields
#[derive(Debug, Clone, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct TaskListQuery {
    /// Only tasks part of this project. Ids match exactly: a value that is
    /// not an id matches nothing (an empty list, not an error).
    #[param(example = "9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d")]
    pub project_id: Option<String>,
    /// Only tasks in one of these statuses. Repeat the parameter for several
    /// (`?status=todo&status=blocked` matches either); spellings are
    /// normalized as in bodies.
    #[param(value_type = Option<Vec<TaskStatus>>, style = Form, explode, example = json!(["todo", "blocked"]))]
    pub status: Option<Vec<TaskStatus>>,
    /// Only tasks of this type; spellings are normalized as in bodies.
    #[param(value_type = Option<TaskType>, example = "feature")]
    pub task_type: Option<TaskType>,
    /// Only tasks assigned to this user; a value that is not an id matches
    /// nothing.
    #[param(example = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d")]
    pub assignee_id: Option<String>,
    /// Only tasks carrying exactly this tag.
    #[param(example = "docs")]
    pub tag: Option<String>,
    /// Only the direct sub-tasks of this task; a value that is not an id
    /// matches nothing.
    #[param(example = "3f0b6c9e-8d1a-4c2b-9e5f-1a2b3c4d5e6f")]
    pub parent_id: Option<String>,
    /// Search: only tasks whose title, description or tags hold every word
    /// of `q` (the last word also as the beginning of a word), regardless of
    /// case and of Vietnamese diacritics — `cong viec` finds "Công việc",
    /// `da nang` finds "Đà Nẵng". At most 200 characters; one holding no
    /// letter or digit (an empty search box) is no search.
    #[param(max_length = 200, example = "cong viec")]
    pub q: Option<String>,
    /// Only tasks due strictly before this instant (a date-time; one without
    /// an offset is UTC, a bare date is its midnight). Tasks without a due
    /// date never match.
    #[param(format = DateTime, example = "2026-12-31T00:00:00Z")]
    pub due_before: Option<String>,
    /// Only tasks due strictly after this instant.
    #[param(format = DateTime, example = "2026-12-01T00:00:00Z")]
    pub due_after: Option<String>,
    /// `true`: only overdue tasks (due before now, neither `done` nor
    /// `cancelled`); `false`: only tasks that are not.
    #[param(example = true)]
    pub overdue: Option<bool>,
    /// The order: `created_at` (default), `-created_at`, `updated_at`,
    /// `-updated_at`, `due_date`, `-due_date`, `priority`, `-priority`
    /// (urgent first). Ties by `created_at`, then `uid`, in the sort's
    /// direction; tasks without a due date last in both directions. A
    /// cursor continues only the sort it was made for (another is a 422).
    #[param(value_type = Option<TaskSort>, example = "-due_date")]
    pub sort: Option<TaskSort>,
    /// `true`: only tasks with a blocker (`blocked_by`) that is neither
    /// `done` nor `cancelled`; `false`: only tasks without one.
    #[param(example = true)]
    pub blocked: Option<bool>,
    /// Page size: 1–500, default 100.
    #[param(minimum = 1, maximum = 500, default = 100, example = 50)]
    pub limit: Option<u32>,
    /// Where the page starts: the `cursor` of the previous page's
    /// `Link: rel="next"` URL. Opaque: follow the links, do not build one.
    /// It carries the sort it was made for: with another `sort` it is a 422.
    #[param(pattern = "^([A-Za-z0-9_-]{32}|[A-Za-z0-9_-]{48})$", example = json!(SORTED_CURSOR_EXAMPLE))]
    pub cursor: Option<String>,
}

/// The filters and paging of `GET /api/v1/projects/{uid}/tasks/`: those of
/// the task list, but `project_id`, which is the path's.
#[allow(dead_code)] // documentation: the query is read by `crate::query`, not into these fields
#[derive(Debug, Clone, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ProjectTaskListQuery {
    /// Only tasks in one of these statuses; repeat the parameter for several.
    #[param(value_type = Option<Vec<TaskStatus>>, style = Form, explode, example = json!(["todo", "blocked"]))]
    pub status: Option<Vec<TaskStatus>>,
    /// Only tasks of this type.
    #[param(value_type = Option<TaskType>, example = "feature")]
    pub task_type: Option<TaskType>,
    /// Only tasks assigned to this user; a value that is not an id matches
    /// nothing.
    #[param(example = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d")]
    pub assignee_id: Option<String>,
    /// Only tasks carrying exactly this tag.
    #[param(example = "docs")]
    pub tag: Option<String>,
    /// Only the direct sub-tasks of this task; a value that is not an id
    /// matches nothing.
    #[param(example = "3f0b6c9e-8d1a-4c2b-9e5f-1a2b3c4d5e6f")]
    pub parent_id: Option<String>,
    /// Search: only tasks whose title, description or tags hold every word
    /// of `q` (the last word also as the beginning of a word), regardless of
    /// case and of Vietnamese diacritics — `cong viec` finds "Công việc",
    /// `da nang` finds "Đà Nẵng". At most 200 characters; one holding no
    /// letter or digit (an empty search box) is no search.
    #[param(max_length = 200, example = "cong viec")]
    pub q: Option<String>,
    /// Only tasks due strictly before this instant (a date-time; one without
    /// an offset is UTC, a bare date is its midnight). Tasks without a due
    /// date never match.
    #[param(format = DateTime, example = "2026-12-31T00:00:00Z")]
    pub due_before: Option<String>,
    /// Only tasks due strictly after this instant.
    #[param(format = DateTime, example = "2026-12-01T00:00:00Z")]
    pub due_after: Option<String>,
    /// `true`: only overdue tasks (due before now, neither `done` nor
    /// `cancelled`); `false`: only tasks that are not.
    #[param(example = true)]
    pub overdue: Option<bool>,
    /// The order: `created_at` (default), `-created_at`, `updated_at`,
    /// `-updated_at`, `due_date`, `-due_date`, `priority`, `-priority`
    /// (urgent first). Ties by `created_at`, then `uid`, in the sort's
    /// direction; tasks without a due date last in both directions. A
    /// cursor continues only the sort it was made for (another is a 422).
    #[param(value_type = Option<TaskSort>, example = "-due_date")]
    pub sort: Option<TaskSort>,
    /// `true`: only tasks with a blocker (`blocked_by`) that is neither
    /// `done` nor `cancelled`; `false`: only tasks without one.
    #[param(example = true)]
    pub blocked: Option<bool>,
    /// `true`: the tasks of the project and of all its sub-projects, at
    /// every depth; `false` (the default): the project's own tasks.
    #[param(default = false, example = true)]
    pub include_subprojects: Option<bool>,
    /// Page size: 1–500, default 100.
    #[param(minimum = 1, maximum = 500, default = 100, example = 50)]
    pub limit: Option<u32>,
    /// Where the page starts: from the previous page's `Link: rel="next"`;
    /// with another `sort` than it was made for, a 422.
    #[param(pattern = "^([A-Za-z0-9_-]{32}|[A-Za-z0-9_-]{48})$", example = json!(SORTED_CURSOR_EXAMPLE))]
    pub cursor: Option<String>,
}

/// The filters and paging of `GET /api/v1/tasks/{uid}/subtasks`: those of
/// the task list, but `parent_id`, which is the path's.
#[allow(dead_code)] // documentation: the query is read by `crate::query`, not into these fields
#[derive(Debug, Clone, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SubtaskListQuery {
    /// Only tasks part of this project. A value that is not an id matches
    /// nothing.
    #[param(example = "9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d")]
    pub project_id: Option<String>,
    /// Only tasks in one of these statuses; repeat the parameter for several.
    #[param(value_type = Option<Vec<TaskStatus>>, style = Form, explode, example = json!(["todo", "blocked"]))]
    pub status: Option<Vec<TaskStatus>>,
    /// Only tasks of this type.
    #[param(value_type = Option<TaskType>, example = "feature")]
    pub task_type: Option<TaskType>,
    /// Only tasks assigned to this user; a value that is not an id matches
    /// nothing.
    #[param(example = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d")]
    pub assignee_id: Option<String>,
    /// Only tasks carrying exactly this tag.
    #[param(example = "docs")]
    pub tag: Option<String>,
    /// Search: only tasks whose title, description or tags hold every word
    /// of `q` (the last word also as the beginning of a word), regardless of
    /// case and of Vietnamese diacritics — `cong viec` finds "Công việc",
    /// `da nang` finds "Đà Nẵng". At most 200 characters; one holding no
    /// letter or digit (an empty search box) is no search.
    #[param(max_length = 200, example = "cong viec")]
    pub q: Option<String>,
    /// Only tasks due strictly before this instant (a date-time; one without
    /// an offset is UTC, a bare date is its midnight). Tasks without a due
    /// date never match.
    #[param(format = DateTime, example = "2026-12-31T00:00:00Z")]
    pub due_before: Option<String>,
    /// Only tasks due strictly after this instant.
    #[param(format = DateTime, example = "2026-12-01T00:00:00Z")]
    pub due_after: Option<String>,
    /// `true`: only overdue tasks (due before now, neither `done` nor
    /// `cancelled`); `false`: only tasks that are not.
    #[param(example = true)]
    pub overdue: Option<bool>,
    /// The order: `created_at` (default), `-created_at`, `updated_at`,
    /// `-updated_at`, `due_date`, `-due_date`, `priority`, `-priority`
    /// (urgent first). Ties by `created_at`, then `uid`, in the sort's
    /// direction; tasks without a due date last in both directions. A
    /// cursor continues only the sort it was made for (another is a 422).
    #[param(value_type = Option<TaskSort>, example = "-due_date")]
    pub sort: Option<TaskSort>,
    /// `true`: only tasks with a blocker (`blocked_by`) that is neither
    /// `done` nor `cancelled`; `false`: only tasks without one.
    #[param(example = true)]
    pub blocked: Option<bool>,
    /// Page size: 1–500, default 100.
    #[param(minimum = 1, maximum = 500, default = 100, example = 50)]
    pub limit: Option<u32>,
    /// Where the page starts: from the previous page's `Link: rel="next"`;
    /// with another `sort` than it was made for, a 422.
    #[param(pattern = "^([A-Za-z0-9_-]{32}|[A-Za-z0-9_-]{48})$", example = json!(SORTED_CURSOR_EXAMPLE))]
    pub cursor: Option<String>,
}

/// The filter and paging of `GET /api/v1/projects/`.
#[allow(dead_code)] // documentation: the query is read by `crate::query`, not into these fields
#[derive(Debug, Clone, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ProjectListQuery {
    /// Only projects in this status; spellings are normalized as in bodies.
    #[param(value_type = Option<ProjectStatus>, example = "active")]
    pub status: Option<ProjectStatus>,
    /// Only the direct sub-projects of this project. Ids match exactly: a
    /// value that is not an id matches nothing (an empty list, not an
    /// error).
    #[param(example = "9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d")]
    pub parent_id: Option<String>,
    /// Page size: 1–500, default 100.
    #[param(minimum = 1, maximum = 500, default = 100, example = 50)]
    pub limit: Option<u32>,
    /// Where the page starts: from the previous page's `Link: rel="next"`.
    #[param(pattern = "^[A-Za-z0-9_-]{32}$", example = json!(CURSOR_EXAMPLE))]
    pub cursor: Option<String>,
}

/// The options of `DELETE /api/v1/projects/{uid}`.
#[allow(dead_code)] // documentation: the query is read by `crate::query`, not into these fields
#[derive(Debug, Clone, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ProjectDeleteQuery {
    /// Also delete the project's sub-projects (at every depth) and the tasks
    /// of all of them, in the same transaction. Without it, deleting a
    /// project that has tasks or sub-projects is a 409. Accepts `true`/`false`,
    /// `1`/`0`, `yes`/`no`, `on`/`off`.
    #[param(default = false, example = true)]
    pub cascade: Option<bool>,
}

/// The options of `DELETE /api/v1/tasks/{uid}`.
#[allow(dead_code)] // documentation: the query is read by `crate::query`, not into these fields
#[derive(Debug, Clone, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct TaskDeleteQuery {
    /// Also delete the task's sub-tasks, at every depth, in the same
    /// transaction. Without it, deleting a task that has sub-tasks is a 409.
    /// Accepts `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`.
    #[param(default = false, example = true)]
    pub cascade: Option<bool>,
}

/// The filter and paging of `GET /api/v1/users/`.
#[allow(dead_code)] // documentation: the query is read by `crate::query`, not into these fields
#[derive(Debug, Clone, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct UserListQuery {
    /// Only active (`true`) or only inactive (`false`) users; all when
    /// absent. Accepts `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`; any
    /// other value is a 422.
    #[param(example = true)]
    pub is_active: Option<bool>,
    /// Page size: 1–500, default 100.
    #[param(minimum = 1, maximum = 500, default = 100, example = 50)]
    pub limit: Option<u32>,
    /// Where the page starts: from the previous page's `Link: rel="next"`.
    #[param(pattern = "^[A-Za-z0-9_-]{32}$", example = json!(CURSOR_EXAMPLE))]
    pub cursor: Option<String>,
}

/// The parameter of `GET /api/v1/tasks/{uid}/blockers` and `…/dependents`.
#[allow(dead_code)] // documentation: the query is read by `crate::handlers::task_graph`
#[derive(Debug, Clone, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct TaskGraphQuery {
    /// How many edges away to look: 1 (direct only, the default) to 25.
    #[param(minimum = 1, maximum = 25, default = 1, example = 3)]
    pub depth: Option<u8>,
}
