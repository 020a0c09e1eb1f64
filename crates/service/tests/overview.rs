//! The overview gathers its parts concurrently: with each part taking
//! simulated time (tokio's paused clock), the whole takes as long as the
//! slowest part, not the sum — and fails as a whole when one part fails.

// Test doubles report misuse by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::{Instant, sleep};
use trm_domain::{
    Direction, DomainEvent, EventMetadata, NewTask, Page, PageRequest, Project, ProjectId, Task, TaskId, TaskStatus,
    Timestamp, Title, User, UserId, WalkDepth,
};
use trm_repository::{
    Cascade, ProjectFilter, ProjectRepository, StoreError, TaskFilter, TaskRepository, UserFilter, UserRepository,
};
use trm_service::{OverviewService, OverviewUseCases, ServiceError};

/// A store whose overview reads each take a set time; nothing else is used.
struct SlowStore {
    counts: Duration,
    recent: Duration,
    projects: Duration,
    users: Duration,
    fail_users: bool,
}

const UNUSED: &str = "the overview reads only counts and recent tasks";

#[async_trait]
impl TaskRepository for SlowStore {
    async fn create_task(&self, _: &Task, _: &[DomainEvent]) -> Result<(), StoreError> {
        unreachable!("{UNUSED}")
    }
    async fn create_tasks(&self, _: &[Task], _: &[DomainEvent]) -> Result<(), StoreError> {
        unreachable!("{UNUSED}")
    }
    async fn get_task(&self, _: TaskId) -> Result<Option<Task>, StoreError> {
        unreachable!("{UNUSED}")
    }
    async fn list_tasks(&self, _: &TaskFilter, _: PageRequest) -> Result<Page<Task>, StoreError> {
        unreachable!("{UNUSED}")
    }
    async fn update_task(&self, _: &Task, _: &[DomainEvent]) -> Result<(), StoreError> {
        unreachable!("{UNUSED}")
    }
    async fn delete_task(
        &self,
        _: TaskId,
        _: Option<u64>,
        _: bool,
        _: Timestamp,
        _: Option<EventMetadata>,
    ) -> Result<Cascade<Task>, StoreError> {
        unreachable!("{UNUSED}")
    }
    async fn walk_tasks(&self, _: TaskId, _: Direction, _: WalkDepth) -> Result<Vec<(u8, Task)>, StoreError> {
        unreachable!("{UNUSED}")
    }
    async fn count_tasks_by_status(&self) -> Result<Vec<(TaskStatus, u64)>, StoreError> {
        sleep(self.counts).await;
        Ok(vec![(TaskStatus::Done, 2), (TaskStatus::Todo, 3)])
    }
    async fn recent_tasks(&self, limit: u32) -> Result<Vec<Task>, StoreError> {
        sleep(self.recent).await;
        assert_eq!(limit, 10);
        Ok(vec![Task::create(NewTask::new(Title::parse("newest").unwrap()), Timestamp::now()).unwrap()])
    }
}

#[async_trait]
impl ProjectRepository for SlowStore {
    async fn create_project(&self, _: &Project, _: &[DomainEvent]) -> Result<(), StoreError> {
        unreachable!("{UNUSED}")
    }
    async fn get_project(&self, _: ProjectId) -> Result<Option<Project>, StoreError> {
        unreachable!("{UNUSED}")
    }
    async fn list_projects(&self, _: &ProjectFilter, _: PageRequest) -> Result<Page<Project>, StoreError> {
        unreachable!("{UNUSED}")
    }
    async fn update_project(&self, _: &Project, _: &[DomainEvent]) -> Result<(), StoreError> {
        unreachable!("{UNUSED}")
    }
    async fn delete_project(
        &self,
        _: ProjectId,
        _: bool,
        _: Option<u64>,
        _: Option<EventMetadata>,
    ) -> Result<Cascade<TaskId>, StoreError> {
        unreachable!("{UNUSED}")
    }
    async fn count_projects(&self) -> Result<u64, StoreError> {
        sleep(self.projects).await;
        Ok(4)
    }
}

#[async_trait]
impl UserRepository for SlowStore {
    async fn create_user(&self, _: &User, _: &[DomainEvent]) -> Result<(), StoreError> {
        unreachable!("{UNUSED}")
    }
    async fn get_user(&self, _: UserId) -> Result<Option<User>, StoreError> {
        unreachable!("{UNUSED}")
    }
    async fn list_users(&self, _: &UserFilter, _: PageRequest) -> Result<Page<User>, StoreError> {
        unreachable!("{UNUSED}")
    }
    async fn update_user(&self, _: &User, _: &[DomainEvent]) -> Result<(), StoreError> {
        unreachable!("{UNUSED}")
    }
    async fn delete_user(
        &self,
        _: UserId,
        _: Option<u64>,
        _: Timestamp,
        _: Option<EventMetadata>,
    ) -> Result<Cascade<Task>, StoreError> {
        unreachable!("{UNUSED}")
    }
    async fn count_users(&self) -> Result<u64, StoreError> {
        sleep(self.users).await;
        if self.fail_users { Err(StoreError::Unavailable(anyhow::anyhow!("users are down"))) } else { Ok(5) }
    }
}

fn service(store: SlowStore) -> OverviewService {
    let store = Arc::new(store);
    OverviewService::new(store.clone(), store.clone(), store)
}

fn millis(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

#[tokio::test(start_paused = true)]
async fn the_overview_takes_as_long_as_its_slowest_part_not_the_sum() {
    let store = SlowStore {
        counts: millis(300),
        recent: millis(200),
        projects: millis(100),
        users: millis(400),
        fail_users: false,
    };
    let started = Instant::now();
    let overview = service(store).overview().await.unwrap();
    let took = started.elapsed();
    assert_eq!(took, millis(400), "the slowest part is 400 ms; run one after another they would take 1000 ms");
    assert_eq!((overview.task_count, overview.project_count, overview.user_count), (5, 4, 5));
    assert_eq!(overview.recent_tasks.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn every_status_is_counted_zeros_included_in_the_contracts_order() {
    let store =
        SlowStore { counts: millis(1), recent: millis(1), projects: millis(1), users: millis(1), fail_users: false };
    let overview = service(store).overview().await.unwrap();
    let statuses: Vec<&str> =
        overview.tasks_by_status.iter().map(|(s, _)| trm_domain::EnumAdapter::as_str(*s)).collect();
    assert_eq!(statuses, ["backlog", "todo", "in_progress", "in_review", "blocked", "done", "cancelled"]);
    let counts: Vec<u64> = overview.tasks_by_status.iter().map(|(_, n)| *n).collect();
    assert_eq!(counts, [0, 3, 0, 0, 0, 2, 0]);
}

#[tokio::test(start_paused = true)]
async fn one_failing_part_fails_the_overview_as_soon_as_it_fails() {
    let store = SlowStore {
        counts: millis(900),
        recent: millis(900),
        projects: millis(900),
        users: millis(50),
        fail_users: true,
    };
    let started = Instant::now();
    let result = service(store).overview().await;
    assert!(matches!(result, Err(ServiceError::Unavailable(_))));
    assert_eq!(started.elapsed(), millis(50), "the other parts are not waited for");
}
