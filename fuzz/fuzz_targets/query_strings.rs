//! Query-string decoding, fed arbitrary text.
//!
//! The task list reads the most parameters of any route: id, enum and tag
//! filters, repeated statuses, `sort`, `limit` and `cursor` (sorted or not). Whatever the query
//! string, reading it must end in a filter and a page or in an error whose
//! response is a 4xx: never a panic, never a 5xx.
#![no_main]

use actix_web::ResponseError as _;
use libfuzzer_sys::fuzz_target;
use trm_api::wire::{ApiError, FixedByPath, QueryParams, task_list};

fuzz_target!(|raw: &str| {
    let mut query = match QueryParams::parse(raw) {
        Ok(query) => query,
        Err(error) => return answers_4xx(&error),
    };
    let (_filter, page) = task_list(&mut query, FixedByPath::Nothing);
    assert!((1..=500).contains(&page.limit()), "a page of {} items", page.limit());
    if let Err(error) = query.finish() {
        answers_4xx(&error);
    }
});

fn answers_4xx(error: &ApiError) {
    let response = error.error_response();
    assert!(response.status().is_client_error(), "{error:?} answered {}", response.status());
}
