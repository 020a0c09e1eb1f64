//! The overview: the state of everything at a glance, gathered concurrently.
//!
//! The seed's `asyncio.gather` in Rust: the four store reads behind an
//! overview are independent, so they run at once with `tokio::try_join!`
//! and the overview takes as long as the slowest, not the sum. If any one
//! fails, the overview fails as a whole (and the others are dropped) —
//! half an overview would be a wrong one.

use std::sync::Arc;

use async_trait::async_trait;
use trm_domain::{EnumAdapter, Task, TaskStatus};
use trm_repository::{ProjectRepository, TaskRepository, UserRepository};

use crate::error::ServiceError;

/// How many of the newest tasks an overview shows.
pub const RECENT_TASKS: u32 = 10;

/// The state of the store at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Overview {
    /// Every status with its task count, zeros included, in the contract's
    /// order of statuses.
    pub tasks_by_status: Vec<(TaskStatus, u64)>,
    /// All tasks.
    pub task_count: u64,
    /// All projects.
    pub project_count: u64,
    /// All users.
    pub user_count: u64,
    /// The ten newest tasks, newest first.
    pub recent_tasks: Vec<Task>,
}

/// The overview use case; the HTTP layer depends on this trait.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait OverviewUseCases: Send + Sync + 'static {
    /// Counts and the newest tasks, gathered concurrently.
    async fn overview(&self) -> Result<Overview, ServiceError>;
}

/// The overview over the three repositories.
#[derive(Clone)]
pub struct OverviewService {
    tasks: Arc<dyn TaskRepository>,
    projects: Arc<dyn ProjectRepository>,
    users: Arc<dyn UserRepository>,
}

impl OverviewService {
    /// The overview over these stores (usually one store serving all three).
    pub fn new(
        tasks: Arc<dyn TaskRepository>,
        projects: Arc<dyn ProjectRepository>,
        users: Arc<dyn UserRepository>,
    ) -> Self {
        Self { tasks, projects, users }
    }
}

#[async_trait]
impl OverviewUseCases for OverviewService {
    #[tracing::instrument(skip(self), err(level = "debug"))]
    async fn overview(&self) -> Result<Overview, ServiceError> {
        let (counted, recent_tasks, project_count, user_count) = tokio::try_join!(
            async { self.tasks.count_tasks_by_status().await.map_err(ServiceError::from_store) },
            async { self.tasks.recent_tasks(RECENT_TASKS).await.map_err(ServiceError::from_store) },
            async { self.projects.count_projects().await.map_err(ServiceError::from_store) },
            async { self.users.count_users().await.map_err(ServiceError::from_store) },
        )?;
        let tasks_by_status: Vec<(TaskStatus, u64)> = TaskStatus::VARIANTS
            .iter()
            .map(|status| {
                let count = counted.iter().filter(|(s, _)| s == status).map(|(_, n)| *n).sum();
                (*status, count)
            })
            .collect();
        let task_count = tasks_by_status.iter().map(|(_, n)| n).sum();
        Ok(Overview { tasks_by_status, task_count, project_count, user_count, recent_tasks })
    }
}
