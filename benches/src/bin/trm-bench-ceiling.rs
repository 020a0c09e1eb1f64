//! The framework's ceiling: actix-web answering every request with one
//! fixed task's JSON, serialized once at start — no routing, no store, no
//! middleware. Whatever the real server loses against it is the cost of
//! everything the server does beyond HTTP.
//!
//! ```text
//! trm-bench-ceiling --port 18081 [--workers 2]
//! ```
//!
//! Workers default to the number of cores, as the server's do.

use actix_web::http::header::ContentType;
use actix_web::web::Bytes;
use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context as _;
use trm_bench::args::Args;
use trm_bench::dataset::Dataset;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::from_env()?;
    let port: u16 = args.parsed("port", 18_081)?;
    let workers: usize = args.parsed("workers", std::thread::available_parallelism().map_or(1, usize::from))?;
    let body = Bytes::from(serde_json::to_vec(&Dataset::task(0)?)?);
    HttpServer::new(move || {
        let body = body.clone();
        App::new().default_service(web::to(move || {
            let body = body.clone();
            async move { HttpResponse::Ok().content_type(ContentType::json()).body(body) }
        }))
    })
    .workers(workers)
    .bind(("127.0.0.1", port))
    .with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?
    .run()
    .await
    .context("the ceiling server failed")
}
