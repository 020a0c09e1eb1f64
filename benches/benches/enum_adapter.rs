//! Criterion benches of the EnumAdapter: normalizing the canonical
//! spelling, a synonym in another case, and an unknown value (which builds
//! the error listing every accepted one) — the work done for every enum in
//! every request body and query string.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use trm_domain::{EnumAdapter, TaskStatus, TaskType};

fn normalize(c: &mut Criterion) {
    let mut group = c.benchmark_group("enum_adapter");
    group.bench_function("task_status_canonical", |b| {
        b.iter(|| TaskStatus::normalize(black_box("in_progress")));
    });
    group.bench_function("task_status_synonym_mixed_case", |b| {
        b.iter(|| TaskStatus::normalize(black_box("In Progress")));
    });
    group.bench_function("task_type_synonym", |b| b.iter(|| TaskType::normalize(black_box("defect"))));
    group.bench_function("task_status_unknown", |b| b.iter(|| TaskStatus::normalize(black_box("someday"))));
    group.bench_function("task_status_as_str", |b| b.iter(|| black_box(TaskStatus::InReview).as_str()));
    group.finish();
}

criterion_group!(benches, normalize);
criterion_main!(benches);
