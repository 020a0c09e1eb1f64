//! Tests of [`super`]: the header in, the scope, the header out.

use actix_web::middleware::from_fn;
use actix_web::{App, HttpResponse, test, web};
use serde_json::{Value, json};

use super::*;
use crate::error::ApiError;

/// An app whose routes stand in for a read, a write and a read that Neo4j
/// refused the bookmark of.
macro_rules! app {
    () => {
        test::init_service(
            App::new()
                .route("/read", web::get().to(|| async { HttpResponse::Ok().json(consistency::wait_for()) }))
                .route(
                    "/write",
                    web::post().to(|| async {
                        consistency::record("bm:1".to_owned());
                        consistency::record("bm:2".to_owned());
                        HttpResponse::Created().finish()
                    }),
                )
                .route(
                    "/refused",
                    web::get().to(|| async {
                        consistency::reject();
                        Err::<HttpResponse, _>(ApiError::Internal(anyhow::anyhow!("InvalidBookmark")))
                    }),
                )
                .route(
                    "/unknown",
                    web::get().to(|| async {
                        Err::<HttpResponse, _>(ApiError::from(trm_service::ServiceError::BookmarkUnknown))
                    }),
                )
                .wrap(from_fn(carry_bookmarks)),
        )
        .await
    };
}

fn header_of(response: &ServiceResponse<impl MessageBody>) -> Option<&str> {
    response.headers().get(&BOOKMARK_HEADER).and_then(|value| value.to_str().ok())
}

#[actix_web::test]
async fn a_write_answers_the_bookmark_of_its_last_commit() {
    let app = app!();
    let response = test::call_service(&app, test::TestRequest::post().uri("/write").to_request()).await;
    assert_eq!(response.status(), 201);
    assert_eq!(header_of(&response), Some("bm:2"));
}

#[actix_web::test]
async fn a_read_sees_the_bookmark_it_was_sent_and_answers_none_itself() {
    let app = app!();
    let request = test::TestRequest::get().uri("/read").insert_header(("X-TRM-Bookmark", " FB:kcwQ+/= ")).to_request();
    let response = test::call_service(&app, request).await;
    assert_eq!(response.status(), 200);
    assert_eq!(header_of(&response), None);
    let body: Value = test::read_body_json(response).await;
    assert_eq!(body, json!(["FB:kcwQ+/="]));
    let response = test::call_service(&app, test::TestRequest::get().uri("/read").to_request()).await;
    let body: Value = test::read_body_json(response).await;
    assert_eq!(body, json!([]), "no header, no wait");
}

#[actix_web::test]
async fn a_header_that_is_no_bookmark_is_a_422_at_the_header() {
    let app = app!();
    for malformed in ["two words", "", &"x".repeat(1025)] {
        let request = test::TestRequest::get().uri("/read").insert_header(("X-TRM-Bookmark", malformed)).to_request();
        let response = test::call_service(&app, request).await;
        assert_eq!(response.status(), 422, "{malformed:?}");
        let body: Value = test::read_body_json(response).await;
        assert_eq!(body["detail"][0]["loc"], json!(["header", "X-TRM-Bookmark"]));
        assert_eq!(body["detail"][0]["type"], "bookmark_invalid");
    }
}

#[actix_web::test]
async fn a_bookmark_neo4j_does_not_recognise_is_a_422_not_the_handlers_500() {
    let app = app!();
    let request = test::TestRequest::get().uri("/refused").insert_header(("X-TRM-Bookmark", "bm:unknown")).to_request();
    let response = test::call_service(&app, request).await;
    assert_eq!(response.status(), 422);
    let body: Value = test::read_body_json(response).await;
    assert_eq!(body["detail"][0]["loc"], json!(["header", "X-TRM-Bookmark"]));
    assert_eq!(body["detail"][0]["type"], "bookmark_unknown");
}

#[actix_web::test]
async fn a_use_case_that_reports_an_unknown_bookmark_is_answered_422_at_the_header() {
    let app = app!();
    let request = test::TestRequest::get().uri("/unknown").insert_header(("X-TRM-Bookmark", "bm:unknown")).to_request();
    let response = test::call_service(&app, request).await;
    assert_eq!(response.status(), 422);
    let body: Value = test::read_body_json(response).await;
    assert_eq!(body["detail"][0]["loc"], json!(["header", "X-TRM-Bookmark"]));
    assert_eq!(body["detail"][0]["type"], "bookmark_unknown");
}
