//! Request-body decoding, fed arbitrary bytes.
//!
//! Every body a client can send is read by [`parse_object`] and then by one
//! of the six body readers. Whatever the bytes — broken or deep JSON, invalid
//! UTF-8, wrong types, huge numbers — each step must end in a value or in an
//! error whose response is a 4xx: never a panic, never a 5xx.
#![no_main]

use actix_web::ResponseError as _;
use libfuzzer_sys::fuzz_target;
use trm_api::body::parse_object;
use trm_api::error::ApiError;
use trm_api::schemas::{project, task, user};

fuzz_target!(|data: &[u8]| {
    let body = match parse_object(data) {
        Ok(body) => body,
        Err(error) => return answers_4xx(&error),
    };
    read(task::new_task(body.clone()));
    read(task::task_patch(body.clone()));
    read(project::new_project(body.clone()));
    read(project::project_patch(body.clone()));
    read(user::new_user(body.clone()));
    read(user::user_patch(body));
});

fn read<T>(result: Result<T, ApiError>) {
    if let Err(error) = result {
        answers_4xx(&error);
    }
}

fn answers_4xx(error: &ApiError) {
    let response = error.error_response();
    assert!(response.status().is_client_error(), "{error:?} answered {}", response.status());
}
