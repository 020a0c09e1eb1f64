//! The project entity: a container that tasks join through
//! `IS_PART_OF_PROJECT`.

use serde::Serialize;

use crate::enums::ProjectStatus;
use crate::ids::ProjectId;
use crate::paging::Cursor;
use crate::time::Timestamp;
use crate::values::{Description, Title};

/// How deep projects nest: a project, its sub-project, theirs, … at most
/// this many levels, the top one included (as sub-tasks do). Deep enough
/// for any real organisation of work, shallow enough that every check and
/// walk of a project's ancestry stays a handful of steps.
pub const MAX_PROJECT_LEVELS: usize = 10;

/// A body of work that tasks are part of.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "uid": "9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d", "title": "Launch", "description": "Everything for the launch",
    "status": "active", "parent_id": null, "created_at": "2026-11-26T03:12:45.123456Z", "updated_at": "2026-11-26T03:12:45.123456Z",
    "version": 1
})))]
pub struct Project {
    /// Server-generated UUID.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub uid: ProjectId,
    /// What the project is: trimmed, 1–200 characters.
    #[cfg_attr(feature = "openapi", schema(value_type = String, min_length = 1, max_length = 200))]
    pub title: Title,
    /// Details, up to 10,000 characters.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 10000, required = true))]
    pub description: Option<Description>,
    /// Where the project is in its life.
    pub status: ProjectStatus,
    /// The project this one is a sub-project of (`IS_SUBPROJECT_OF`), or
    /// `null` for a top-level project. Projects nest at most
    /// [`MAX_PROJECT_LEVELS`] levels deep and never in a cycle.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid, required = true))]
    pub parent_id: Option<ProjectId>,
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

/// What a client supplies to create a project.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProject {
    /// Required title.
    pub title: Title,
    /// Optional details.
    pub description: Option<Description>,
    /// Starting status; `active` by default.
    pub status: ProjectStatus,
    /// The project it is a sub-project of, if any.
    pub parent_id: Option<ProjectId>,
}

impl NewProject {
    /// A project with this title and defaults for everything else.
    #[must_use]
    pub fn new(title: Title) -> Self {
        Self { title, description: None, status: ProjectStatus::default(), parent_id: None }
    }
}

/// A partial update of a project; see [`TaskPatch`](crate::TaskPatch) for the
/// meaning of the nested options.
#[derive(Debug, Clone, Default, PartialEq)]
#[allow(clippy::option_option)] // "absent" and "null" are distinct on the wire.
pub struct ProjectPatch {
    /// New title.
    pub title: Option<Title>,
    /// New or cleared description.
    pub description: Option<Option<Description>>,
    /// New status.
    pub status: Option<ProjectStatus>,
    /// New parent project, or `Some(None)` to make it a top-level project.
    pub parent_id: Option<Option<ProjectId>>,
}

impl Project {
    /// Creates a project from validated input at time `now`, with a fresh id.
    #[must_use]
    pub fn create(new: NewProject, now: Timestamp) -> Self {
        Self {
            uid: ProjectId::new(),
            title: new.title,
            description: new.description,
            status: new.status,
            parent_id: new.parent_id,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    /// The project after `patch`, or `None` when it changes nothing.
    #[must_use]
    pub fn patched(&self, patch: ProjectPatch, now: Timestamp) -> Option<Self> {
        let mut next = self.clone();
        let mut changed = false;
        if let Some(title) = patch.title.filter(|t| *t != next.title) {
            next.title = title;
            changed = true;
        }
        if let Some(description) = patch.description.filter(|d| *d != next.description) {
            next.description = description;
            changed = true;
        }
        if let Some(status) = patch.status.filter(|s| *s != next.status) {
            next.status = status;
            changed = true;
        }
        if let Some(parent) = patch.parent_id.filter(|p| *p != next.parent_id) {
            next.parent_id = parent;
            changed = true;
        }
        changed.then(|| {
            next.updated_at = now.max(self.updated_at);
            next.version = self.version + 1;
            next
        })
    }

    /// This project's position in a list, for keyset paging.
    #[must_use]
    pub fn cursor(&self) -> Cursor {
        Cursor::new(self.created_at, *self.uid.as_uuid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_project_is_active_at_version_one() {
        let project = Project::create(NewProject::new(Title::parse("Launch").unwrap()), Timestamp::now());
        assert_eq!(project.status, ProjectStatus::Active);
        assert_eq!(project.version, 1);
    }

    #[test]
    fn a_project_patch_bumps_the_version_only_on_change() {
        let project = Project::create(NewProject::new(Title::parse("Launch").unwrap()), Timestamp::now());
        let same = ProjectPatch { status: Some(ProjectStatus::Active), ..ProjectPatch::default() };
        assert_eq!(project.patched(same, Timestamp::now()), None);
        let hold = ProjectPatch { status: Some(ProjectStatus::OnHold), ..ProjectPatch::default() };
        assert_eq!(project.patched(hold, Timestamp::now()).unwrap().version, 2);
    }

    #[test]
    fn re_parenting_a_project_is_a_change_and_detaching_a_top_level_one_is_not() {
        let project = Project::create(NewProject::new(Title::parse("Launch").unwrap()), Timestamp::now());
        let detach = ProjectPatch { parent_id: Some(None), ..ProjectPatch::default() };
        assert_eq!(project.patched(detach.clone(), Timestamp::now()), None);
        let parent = ProjectId::new();
        let attach = ProjectPatch { parent_id: Some(Some(parent)), ..ProjectPatch::default() };
        let attached = project.patched(attach, Timestamp::now()).unwrap();
        assert_eq!((attached.parent_id, attached.version), (Some(parent), 2));
        let detached = attached.patched(detach, Timestamp::now()).unwrap();
        assert_eq!((detached.parent_id, detached.version), (None, 3));
    }
}
