//! The SSE stream at the HTTP layer, on tokio's paused clock: frames are
//! written as events are published, and an idle stream sends a keep-alive
//! comment every 15 seconds so proxies keep the connection open.

// Tests report failure by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::MessageBody as _;
use actix_web::test::{self, TestRequest};
use trm_api::AppState;
use trm_domain::{DomainEvent, EntityKind, EventKind, EventMetadata};
use trm_service::{
    EventBus, EventPublisher as _, MockHealthUseCases, MockOverviewUseCases, MockProjectUseCases, MockTaskUseCases,
    MockUserUseCases,
};

fn state(events: Arc<EventBus>) -> AppState {
    AppState {
        tasks: Arc::new(MockTaskUseCases::new()),
        projects: Arc::new(MockProjectUseCases::new()),
        users: Arc::new(MockUserUseCases::new()),
        overview: Arc::new(MockOverviewUseCases::new()),
        health: Arc::new(MockHealthUseCases::new()),
        idempotency: Arc::new(trm_service::MockIdempotencyUseCases::new()),
        metrics: Arc::default(),
        events,
    }
}

/// `elapsed` is `seconds`, to the timer's millisecond granularity.
fn assert_about(elapsed: Duration, seconds: u64) {
    let expected = Duration::from_secs(seconds);
    assert!(elapsed >= expected && elapsed < expected + Duration::from_millis(20), "{elapsed:?}, not {expected:?}");
}

#[actix_web::test]
async fn an_idle_stream_sends_a_keep_alive_comment_every_fifteen_seconds_and_events_as_they_come() {
    tokio::time::pause();
    let bus = Arc::new(EventBus::new(16, 16));
    let app = test::init_service(trm_api::app(state(bus.clone()))).await;
    let response = test::call_service(&app, TestRequest::get().uri("/api/v1/events").to_request()).await;
    assert_eq!(response.headers().get("content-type").unwrap(), "text/event-stream");
    let mut body = pin!(response.into_body());
    let mut next_chunk = async || {
        let chunk = std::future::poll_fn(|cx| body.as_mut().poll_next(cx)).await.unwrap().ok().unwrap();
        String::from_utf8(chunk.to_vec()).unwrap()
    };

    let started = tokio::time::Instant::now();
    assert_eq!(next_chunk().await, ": keep-alive\n\n");
    assert_about(started.elapsed(), 15);

    let event = DomainEvent::new(
        EntityKind::Task,
        EventKind::Created,
        uuid::Uuid::nil(),
        serde_json::json!({}),
        EventMetadata::default(),
    );
    let id = event.event_id;
    bus.publish(event);
    let frame = next_chunk().await;
    assert!(frame.starts_with(&format!("id: {id}\nevent: task.created\ndata: {{")), "{frame}");
    assert!(frame.ends_with("\n\n"));
    assert_about(started.elapsed(), 15); // events are written at once

    assert_eq!(next_chunk().await, ": keep-alive\n\n");
    assert_about(started.elapsed(), 30);
}
