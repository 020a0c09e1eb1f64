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
use trm_domain::{DomainEvent, EntityKind, EventKind, EventMetadata, EventPosition, LoggedEvent};
use trm_service::{
    EventBus, MockEventUseCases, MockHealthUseCases, MockOverviewUseCases, MockProjectUseCases, MockTaskUseCases,
    MockUserUseCases,
};

fn state(events: Arc<EventBus>, history: MockEventUseCases) -> AppState {
    AppState {
        tasks: Arc::new(MockTaskUseCases::new()),
        projects: Arc::new(MockProjectUseCases::new()),
        users: Arc::new(MockUserUseCases::new()),
        overview: Arc::new(MockOverviewUseCases::new()),
        health: Arc::new(MockHealthUseCases::new()),
        idempotency: Arc::new(trm_service::MockIdempotencyUseCases::new()),
        metrics: Arc::default(),
        events,
        history: Arc::new(history),
        webhooks: Arc::new(trm_service::MockWebhookUseCases::new()),
    }
}

fn logged(position: u64) -> LoggedEvent {
    let event = DomainEvent::new(
        EntityKind::Task,
        EventKind::Created,
        uuid::Uuid::new_v4(),
        serde_json::json!({}),
        EventMetadata::default(),
    );
    LoggedEvent { position: EventPosition(position), event }
}

/// A log whose newest event is at `position` (where a live stream starts).
fn log_ending_at(position: u64) -> MockEventUseCases {
    let mut history = MockEventUseCases::new();
    history.expect_log_end().returning(move || Ok(EventPosition(position)));
    history
}

/// The next chunk of a streaming body, as text.
async fn next_chunk<B: actix_web::body::MessageBody>(body: &mut std::pin::Pin<&mut B>) -> String {
    let chunk = std::future::poll_fn(|cx| body.as_mut().poll_next(cx)).await.unwrap().ok().unwrap();
    String::from_utf8(chunk.to_vec()).unwrap()
}

/// `elapsed` is `seconds`, to the timer's millisecond granularity.
fn assert_about(elapsed: Duration, seconds: u64) {
    let expected = Duration::from_secs(seconds);
    assert!(elapsed >= expected && elapsed < expected + Duration::from_millis(20), "{elapsed:?}, not {expected:?}");
}

#[actix_web::test]
async fn an_idle_stream_sends_a_keep_alive_comment_every_fifteen_seconds_and_events_as_they_come() {
    tokio::time::pause();
    let bus = Arc::new(EventBus::new(16));
    let app = test::init_service(trm_api::app(state(bus.clone(), log_ending_at(0)))).await;
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
    bus.publish(LoggedEvent { position: EventPosition(1), event });
    let frame = next_chunk().await;
    assert!(frame.starts_with(&format!("id: {id}\nevent: task.created\ndata: {{")), "{frame}");
    assert!(frame.ends_with("\n\n"));
    assert_about(started.elapsed(), 15); // events are written at once

    assert_eq!(next_chunk().await, ": keep-alive\n\n");
    assert_about(started.elapsed(), 30);
}

#[actix_web::test]
async fn a_stream_resumed_with_last_event_id_replays_the_log_then_goes_live_without_repeating() {
    let bus = Arc::new(EventBus::new(16));
    let resumed_from = uuid::Uuid::new_v4();
    let (sixth, seventh, eighth) = (logged(6), logged(7), logged(8));
    let mut history = MockEventUseCases::new();
    history.expect_resume_point().withf(move |id| *id == resumed_from).returning(|_| Ok(EventPosition(5)));
    let in_log = vec![sixth.clone(), seventh.clone()];
    history
        .expect_after()
        .withf(|_, after, _| *after == EventPosition(5))
        .times(1)
        .returning(move |_, _, _| Ok(in_log.clone()));
    let app = test::init_service(trm_api::app(state(bus.clone(), history))).await;
    let request = TestRequest::get()
        .uri("/api/v1/events")
        .insert_header(("last-event-id", resumed_from.to_string()))
        .to_request();
    let response = test::call_service(&app, request).await;
    assert_eq!(response.status(), 200);
    let mut body = pin!(response.into_body());
    let id_of = |frame: &str| frame.lines().next().unwrap().trim_start_matches("id: ").to_owned();
    assert_eq!(id_of(&next_chunk(&mut body).await), sixth.event.event_id.to_string());
    assert_eq!(id_of(&next_chunk(&mut body).await), seventh.event.event_id.to_string());
    // The live feed repeats the seventh (the relay published it too): skipped.
    bus.publish(seventh);
    bus.publish(eighth.clone());
    assert_eq!(id_of(&next_chunk(&mut body).await), eighth.event.event_id.to_string());
}

#[actix_web::test]
async fn a_subscriber_that_falls_behind_catches_up_from_the_log() {
    let bus = Arc::new(EventBus::new(2));
    let mut history = log_ending_at(0);
    let missed: Vec<LoggedEvent> = (2..=5).map(logged).collect();
    let replay = missed.clone();
    history
        .expect_after()
        .withf(|_, after, _| *after == EventPosition(1))
        .times(1)
        .returning(move |_, _, _| Ok(replay.clone()));
    let app = test::init_service(trm_api::app(state(bus.clone(), history))).await;
    let response = test::call_service(&app, TestRequest::get().uri("/api/v1/events").to_request()).await;
    let mut body = pin!(response.into_body());
    let first = logged(1);
    bus.publish(first.clone());
    let id_of = |frame: &str| frame.lines().next().unwrap().trim_start_matches("id: ").to_owned();
    assert_eq!(id_of(&next_chunk(&mut body).await), first.event.event_id.to_string());
    // Four more overflow the subscriber's buffer of two: it lags.
    for event in &missed {
        bus.publish(event.clone());
    }
    for expected in &missed {
        assert_eq!(id_of(&next_chunk(&mut body).await), expected.event.event_id.to_string());
    }
}

#[actix_web::test]
async fn a_live_stream_skips_what_the_log_held_when_it_opened() {
    let bus = Arc::new(EventBus::new(16));
    let app = test::init_service(trm_api::app(state(bus.clone(), log_ending_at(5)))).await;
    let response = test::call_service(&app, TestRequest::get().uri("/api/v1/events").to_request()).await;
    assert_eq!(response.status(), 200);
    let mut body = pin!(response.into_body());
    // The relay, catching up lazily, still hands the bus the fifth event.
    let (fifth, sixth) = (logged(5), logged(6));
    bus.publish(fifth);
    bus.publish(sixth.clone());
    let frame = next_chunk(&mut body).await;
    assert!(frame.starts_with(&format!("id: {}\n", sixth.event.event_id)), "{frame}");
}
