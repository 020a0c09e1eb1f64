//! What the documentation tests share: the app with use cases that always
//! succeed or always fail, and a way to send it a request.

#![allow(dead_code, unreachable_pub)] // each test crate uses a part
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use actix_web::web::Bytes;
use serde_json::Value;
use trm_api::AppState;
use trm_domain::{Email, NewProject, NewTask, NewUser, Page, Project, Task, Timestamp, Title, User, Username};
use trm_service::{MockHealthUseCases, MockProjectUseCases, MockTaskUseCases, MockUserUseCases, ServiceError};

/// What came back.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HashMap<String, String>,
    pub bytes: Bytes,
}

impl Answer {
    /// The body as JSON (`null` when empty or not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    /// Whether the app answered as it does for a path no route serves, or
    /// for a method the path does not take.
    pub fn is_unrouted(&self) -> bool {
        self.status == StatusCode::METHOD_NOT_ALLOWED
            || (self.status == StatusCode::NOT_FOUND && self.json() == serde_json::json!({"detail": "Not Found"}))
    }
}

/// Sends `request` to a fresh app over `state`.
pub async fn send(state: AppState, request: TestRequest) -> Answer {
    let app = test::init_service(trm_api::app(state)).await;
    let response = test::call_service(&app, request.to_request()).await;
    let status = response.status();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap_or_default().to_owned()))
        .collect();
    // An event stream never ends: what it sent matters, not its end.
    let streaming =
        response.headers().get("content-type").is_some_and(|value| value.as_bytes().starts_with(b"text/event-stream"));
    let bytes = if streaming { actix_web::web::Bytes::new() } else { test::read_body(response).await };
    Answer { status, headers, bytes }
}

pub fn a_task() -> Task {
    Task::create(NewTask::new(Title::parse("Write the docs").unwrap()), Timestamp::now()).unwrap()
}

pub fn a_project() -> Project {
    Project::create(NewProject::new(Title::parse("Launch").unwrap()), Timestamp::now())
}

pub fn a_user() -> User {
    User::create(
        NewUser::new(Username::parse("ada.lovelace").unwrap(), Email::parse("ada@example.com").unwrap()),
        Timestamp::now(),
    )
}

fn down() -> ServiceError {
    ServiceError::Unavailable(anyhow::anyhow!("the store is down"))
}

/// Every use case answers 503: whatever reaches the service fails there, so
/// an answer other than 503 was decided by the HTTP layer.
pub fn store_down() -> AppState {
    let mut tasks = MockTaskUseCases::new();
    tasks.expect_list_tasks().returning(|_, _| Err(down()));
    tasks.expect_create_task().returning(|_| Err(down()));
    tasks.expect_create_tasks().returning(|_| Err(down()));
    tasks.expect_get_task().returning(|_| Err(down()));
    tasks.expect_update_task().returning(|_, _, _| Err(down()));
    tasks.expect_delete_task().returning(|_, _, _| Err(down()));
    tasks.expect_walk_tasks().returning(|_, _, _| Err(down()));
    tasks.expect_list_subtasks().returning(|_, _, _| Err(down()));
    let mut projects = MockProjectUseCases::new();
    projects.expect_list_projects().returning(|_, _| Err(down()));
    projects.expect_create_project().returning(|_| Err(down()));
    projects.expect_get_project().returning(|_| Err(down()));
    projects.expect_update_project().returning(|_, _, _| Err(down()));
    projects.expect_delete_project().returning(|_, _, _| Err(down()));
    projects.expect_list_project_tasks().returning(|_, _, _| Err(down()));
    let mut users = MockUserUseCases::new();
    users.expect_list_users().returning(|_, _| Err(down()));
    users.expect_create_user().returning(|_| Err(down()));
    users.expect_get_user().returning(|_| Err(down()));
    users.expect_update_user().returning(|_, _, _| Err(down()));
    users.expect_delete_user().returning(|_, _| Err(down()));
    let mut health = MockHealthUseCases::new();
    health.expect_check_ready().returning(|| Err(down()));
    AppState {
        tasks: Arc::new(tasks),
        projects: Arc::new(projects),
        users: Arc::new(users),
        health: Arc::new(health),
        overview: Arc::new(failing_overview()),
        events: Arc::new(trm_service::EventBus::new(16)),
        history: Arc::new(failing_history()),
        webhooks: Arc::new(failing_webhooks()),
        idempotency: Arc::new(trm_service::MockIdempotencyUseCases::new()),
        metrics: Arc::default(),
    }
}

/// Webhook use cases whose store is down.
fn failing_webhooks() -> trm_service::MockWebhookUseCases {
    let mut webhooks = trm_service::MockWebhookUseCases::new();
    webhooks.expect_create_webhook().returning(|_| Err(down()));
    webhooks.expect_list_webhooks().returning(|| Err(down()));
    webhooks.expect_get_webhook().returning(|_| Err(down()));
    webhooks.expect_update_webhook().returning(|_, _| Err(down()));
    webhooks.expect_delete_webhook().returning(|_| Err(down()));
    webhooks.expect_deliveries().returning(|_, _, _| Err(down()));
    webhooks.expect_redeliver().returning(|_, _| Err(down()));
    webhooks.expect_ping().returning(|_| Err(down()));
    webhooks
}

/// Webhook use cases over one subscription with one delivery; every
/// delivery log has a full page, so it has a next one.
fn a_webhook_with_a_delivery() -> trm_service::MockWebhookUseCases {
    let now = trm_domain::Timestamp::now();
    let webhook = trm_domain::Webhook {
        id: trm_domain::WebhookId::new(),
        url: trm_domain::WebhookUrl::parse("https://hooks.example.com/trm").unwrap(),
        event_types: vec!["task.created".into()],
        description: Some("agents".into()),
        active: true,
        disabled_reason: None,
        secret: trm_domain::WebhookSecret::generate().unwrap(),
        created_at: now,
        updated_at: now,
        after: trm_domain::EventPosition::START,
    };
    let mut delivery = trm_domain::Delivery::new(webhook.id, uuid::Uuid::new_v4(), "task.created", "{}".into(), now);
    delivery.attempts.push(trm_domain::Attempt {
        at: now,
        status_code: Some(503),
        duration_ms: 12,
        error: Some("the receiver answered 503".into()),
    });
    let mut webhooks = trm_service::MockWebhookUseCases::new();
    let one = webhook.clone();
    webhooks.expect_create_webhook().returning(move |_| Ok(one.clone()));
    let one = webhook.clone();
    webhooks.expect_list_webhooks().returning(move || Ok(vec![one.clone()]));
    let one = webhook.clone();
    webhooks.expect_get_webhook().returning(move |_| Ok(one.clone()));
    webhooks.expect_update_webhook().returning(move |_, _| Ok(webhook.clone()));
    webhooks.expect_delete_webhook().returning(|_| Ok(()));
    let one = delivery.clone();
    webhooks.expect_deliveries().returning(move |_, _, limit| Ok(vec![one.clone(); limit as usize]));
    let one = delivery.clone();
    webhooks.expect_redeliver().returning(move |_, _| Ok(one.clone()));
    webhooks.expect_ping().returning(move |_| Ok(delivery.clone()));
    webhooks
}

/// An event log that cannot be read.
fn failing_history() -> trm_service::MockEventUseCases {
    let mut history = trm_service::MockEventUseCases::new();
    history.expect_newest().returning(|_, _, _| Err(down()));
    history.expect_after().returning(|_, _, _| Err(down()));
    history.expect_resume_point().returning(|_| Err(down()));
    history.expect_log_end().returning(|| Err(down()));
    history.expect_entity_history().returning(|_, _, _, _| Err(down()));
    history
}

/// Every use case succeeds, and every list has a next page.
pub fn all_well() -> AppState {
    let mut tasks = MockTaskUseCases::new();
    tasks.expect_list_tasks().returning(|_, _| {
        let task = a_task();
        Ok(Page { next: Some(task.cursor()), items: vec![task] })
    });
    tasks.expect_create_task().returning(|new| Ok(Task::create(new, Timestamp::now()).unwrap()));
    tasks.expect_create_tasks().returning(|new| Ok(Task::create_many(new, Timestamp::now()).unwrap()));
    tasks.expect_get_task().returning(|_| Ok(a_task()));
    tasks.expect_update_task().returning(|_, _, _| Ok(a_task()));
    tasks.expect_delete_task().returning(|_, _, _| Ok(Vec::new()));
    tasks.expect_walk_tasks().returning(|_, _, _| Ok(vec![(1, a_task())]));
    tasks.expect_list_subtasks().returning(|_, _, _| {
        let task = a_task();
        Ok(Page { next: Some(task.cursor()), items: vec![task] })
    });
    let mut projects = MockProjectUseCases::new();
    projects.expect_list_projects().returning(|_, _| {
        let project = a_project();
        Ok(Page { next: Some(project.cursor()), items: vec![project] })
    });
    projects.expect_create_project().returning(|new| Ok(Project::create(new, Timestamp::now())));
    projects.expect_get_project().returning(|_| Ok(a_project()));
    projects.expect_update_project().returning(|_, _, _| Ok(a_project()));
    projects.expect_delete_project().returning(|_, _, _| Ok(Vec::new()));
    projects.expect_list_project_tasks().returning(|_, _, _| {
        let task = a_task();
        Ok(Page { next: Some(task.cursor()), items: vec![task] })
    });
    let mut users = MockUserUseCases::new();
    users.expect_list_users().returning(|_, _| {
        let user = a_user();
        Ok(Page { next: Some(user.cursor()), items: vec![user] })
    });
    users.expect_create_user().returning(|new| Ok(User::create(new, Timestamp::now())));
    users.expect_get_user().returning(|_| Ok(a_user()));
    users.expect_update_user().returning(|_, _, _| Ok(a_user()));
    users.expect_delete_user().returning(|_, _| Ok(Vec::new()));
    let mut health = MockHealthUseCases::new();
    health.expect_check_ready().returning(|| Ok(()));
    AppState {
        tasks: Arc::new(tasks),
        projects: Arc::new(projects),
        users: Arc::new(users),
        health: Arc::new(health),
        overview: Arc::new(an_overview()),
        events: Arc::new(trm_service::EventBus::new(16)),
        history: Arc::new(one_event_logged()),
        webhooks: Arc::new(a_webhook_with_a_delivery()),
        idempotency: Arc::new(trm_service::MockIdempotencyUseCases::new()),
        metrics: Arc::default(),
    }
}

/// A concrete path for a route's path template: ids for `{uid}`, `{id}` and
/// `{delivery_id}`, a real Swagger UI file for `{file}`.
pub fn concrete(path: &str) -> String {
    path.replace("{uid}", "3f0b6c9e-8d1a-4c2b-9e5f-1a2b3c4d5e6f")
        .replace("{id}", "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d")
        .replace("{delivery_id}", "5c1f2e3d-4b5a-4c6d-8e7f-9a0b1c2d3e4f")
        .replace("{file}", "swagger-ui.css")
}

/// An event log that always has a full page (so every history has a next
/// page) of one event.
fn one_event_logged() -> trm_service::MockEventUseCases {
    let task = a_task();
    let event = trm_domain::DomainEvent::new(
        trm_domain::EntityKind::Task,
        trm_domain::EventKind::Created,
        *task.uid.as_uuid(),
        serde_json::to_value(&task).unwrap(),
        trm_domain::EventMetadata::default(),
    );
    let logged = trm_domain::LoggedEvent { position: trm_domain::EventPosition(1), event };
    let mut history = trm_service::MockEventUseCases::new();
    let newest = logged.clone();
    history.expect_newest().returning(move |_, _, limit| Ok(vec![newest.clone(); limit as usize]));
    let after = logged.clone();
    history.expect_after().returning(move |_, _, limit| Ok(vec![after.clone(); limit as usize]));
    history.expect_resume_point().returning(|_| Ok(trm_domain::EventPosition::START));
    history.expect_log_end().returning(|| Ok(trm_domain::EventPosition::START));
    history.expect_entity_history().returning(move |_, _, _, limit| Ok(vec![logged.clone(); limit as usize]));
    history
}

/// An overview use case whose store is down.
fn failing_overview() -> trm_service::MockOverviewUseCases {
    let mut overview = trm_service::MockOverviewUseCases::new();
    overview.expect_overview().returning(|| Err(down()));
    overview
}

/// An overview use case answering with one of everything.
fn an_overview() -> trm_service::MockOverviewUseCases {
    let mut overview = trm_service::MockOverviewUseCases::new();
    overview.expect_overview().returning(|| {
        let tasks_by_status =
            <trm_domain::TaskStatus as trm_domain::EnumAdapter>::VARIANTS.iter().map(|status| (*status, 1)).collect();
        Ok(trm_service::Overview {
            tasks_by_status,
            task_count: 7,
            project_count: 1,
            user_count: 1,
            recent_tasks: vec![a_task()],
        })
    });
    overview
}
