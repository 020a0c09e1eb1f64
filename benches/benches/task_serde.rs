//! Criterion benches of task (de)serialization: a task to its response
//! JSON (what every read answers), a page of 100 of them, and a create
//! body from JSON text into a validated `NewTask` (what every create reads,
//! through the API's wire layer: the body type, then its conversion).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Map, Value};
use trm_api::wire::{TaskCreateBody, read};
use trm_bench::dataset::Dataset;

const CREATE_BODY: &str = r#"{"title": "Write the docs", "description": "All of them", "status": "In Progress",
    "task_type": "docs", "priority": "high", "effort_estimate": 3.5, "effort_unit": "hours",
    "start_date": "2026-11-26", "due_date": "2026-12-01T17:00:00Z", "tags": ["docs", "api"]}"#;

fn serialize(c: &mut Criterion) {
    let task = Dataset::task(42).unwrap();
    let page: Vec<_> = (0..100).map(|i| Dataset::task(i).unwrap()).collect();
    let mut group = c.benchmark_group("task_serde");
    group.bench_function("task_to_json", |b| {
        b.iter(|| serde_json::to_vec(black_box(&task)).unwrap());
    });
    group.throughput(Throughput::Elements(100));
    group.bench_function("page_of_100_to_json", |b| b.iter(|| serde_json::to_vec(black_box(&page)).unwrap()));
    group.finish();
}

fn deserialize(c: &mut Criterion) {
    let mut group = c.benchmark_group("task_serde");
    group.bench_function("create_body_from_json", |b| {
        b.iter(|| {
            let body: Map<String, Value> = serde_json::from_str(black_box(CREATE_BODY)).unwrap();
            read::<TaskCreateBody>(body).unwrap()
        });
    });
    group.finish();
}

criterion_group!(benches, serialize, deserialize);
criterion_main!(benches);
