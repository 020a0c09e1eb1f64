//! The project entity: a container that tasks join through
//! `IS_PART_OF_PROJECT`.

use serde::Serialize;

use crate::enums::ProjectStatus;
use crate::ids::ProjectId;
use crate::paging::Cursor;
use crate::time::Timestamp;
use crate::values::{Description, Title};

/// A body of work that tasks are part of.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Project {
    /// Server-assigned id.
    pub uid: ProjectId,
    /// What the project is.
    pub title: Title,
    /// Details, if any.
    pub description: Option<Description>,
    /// Where the project is in its life.
    pub status: ProjectStatus,
    /// When the project was created.
    pub created_at: Timestamp,
    /// When the project last changed.
    pub updated_at: Timestamp,
    /// 1 on create, one more on every update that changes something.
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
}

impl NewProject {
    /// A project with this title and defaults for everything else.
    #[must_use]
    pub fn new(title: Title) -> Self {
        Self { title, description: None, status: ProjectStatus::default() }
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
}
