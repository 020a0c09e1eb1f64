//! Request-body decoding, fed arbitrary bytes.
//!
//! Every body a client can send is read by [`parse_object`] and then by one
//! of the body types, then converted into its domain value. Whatever the bytes — broken or deep JSON, invalid
//! UTF-8, wrong types, huge numbers — each step must end in a value or in an
//! error whose response is a 4xx: never a panic, never a 5xx.
#![no_main]

use actix_web::ResponseError as _;
use libfuzzer_sys::fuzz_target;
use trm_api::wire::{
    ApiError, ProjectCreateBody, ProjectUpdateBody, TaskBulkCreateBody, TaskCreateBody, TaskUpdateBody, UserCreateBody,
    UserUpdateBody, WebhookCreateBody, WebhookUpdateBody, parse_object, read,
};

fuzz_target!(|data: &[u8]| {
    let body = match parse_object(data) {
        Ok(body) => body,
        Err(error) => return answers_4xx(&error),
    };
    check(read::<TaskCreateBody>(body.clone()));
    check(read::<TaskUpdateBody>(body.clone()));
    check(read::<TaskBulkCreateBody>(body.clone()));
    check(read::<ProjectCreateBody>(body.clone()));
    check(read::<ProjectUpdateBody>(body.clone()));
    check(read::<UserCreateBody>(body.clone()));
    check(read::<UserUpdateBody>(body.clone()));
    check(read::<WebhookCreateBody>(body.clone()));
    check(read::<WebhookUpdateBody>(body));
});

fn check<T>(result: Result<T, ApiError>) {
    if let Err(error) = result {
        answers_4xx(&error);
    }
}

fn answers_4xx(error: &ApiError) {
    let response = error.error_response();
    assert!(response.status().is_client_error(), "{error:?} answered {}", response.status());
}
