//! The overview body.

use std::collections::BTreeMap;

use serde::Serialize;
use trm_domain::{EnumAdapter as _, Task};
use trm_service::Overview;
use utoipa::ToSchema;

/// Counts and the newest tasks, as `GET /api/v1/overview` returns them.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Overview)]
pub(crate) struct OverviewResponse {
    /// Every task status with its number of tasks, zeros included.
    #[schema(example = json!({"backlog": 0, "todo": 3, "in_progress": 1, "in_review": 0, "blocked": 0, "done": 2, "cancelled": 0}))]
    pub tasks_by_status: BTreeMap<String, u64>,
    /// How many tasks there are.
    pub task_count: u64,
    /// How many projects there are.
    pub project_count: u64,
    /// How many users there are.
    pub user_count: u64,
    /// The ten newest tasks, newest first.
    pub recent_tasks: Vec<Task>,
}

impl From<Overview> for OverviewResponse {
    fn from(overview: Overview) -> Self {
        Self {
            tasks_by_status: overview
                .tasks_by_status
                .into_iter()
                .map(|(status, count)| (status.as_str().to_owned(), count))
                .collect(),
            task_count: overview.task_count,
            project_count: overview.project_count,
            user_count: overview.user_count,
            recent_tasks: overview.recent_tasks,
        }
    }
}
