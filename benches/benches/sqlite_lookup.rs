//! Criterion bench of what the server's SQLite `get` costs below HTTP: one
//! task lookup through the adapter's port (`TaskRepository::get_task`), in
//! process, on a file store of 10,000 tasks in WAL mode, as the server opens
//! it. It includes the hop to the reader pool's blocking thread, the read
//! transaction, the `uid` index seek and the decoding into a domain `Task`;
//! nothing of actix-web, the middleware or JSON. The framework ceiling
//! serves a whole request in about 10 µs of CPU, so this figure alone says
//! how far the server on SQLite can get towards it (`docs/benchmarks.md`).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use trm_bench::dataset::{Dataset, PROJECTS};
use trm_repository::sqlite::SqliteStore;
use trm_repository::{ProjectRepository as _, TaskRepository as _};

const TASKS: u64 = 10_000;

fn lookup(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let dir = std::env::temp_dir().join(format!("trm-bench-sqlite-lookup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("store.db").display());
    let store = runtime.block_on(async {
        let store = SqliteStore::open(&url).await.unwrap();
        for p in 0..PROJECTS {
            store.create_project(&Dataset::project(p).unwrap(), &[]).await.unwrap();
        }
        for i in 0..TASKS {
            store.create_task(&Dataset::task(i).unwrap(), &[]).await.unwrap();
        }
        store
    });
    let ids: Vec<_> = (0..TASKS).step_by(7).map(Dataset::task_id).collect();
    let mut next = 0;
    c.bench_function("sqlite_lookup/get_task", |b| {
        b.iter(|| {
            next = (next + 1) % ids.len();
            let found = runtime.block_on(store.get_task(black_box(ids[next]))).unwrap();
            assert!(found.is_some());
        });
    });
    drop(store);
    drop(runtime);
    std::fs::remove_dir_all(&dir).unwrap();
}

criterion_group!(benches, lookup);
criterion_main!(benches);
