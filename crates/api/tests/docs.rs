//! The Swagger UI at `/docs`: served from the binary, loading nothing from
//! anywhere else, pointing at `/openapi.json`.
//!
//! These tests read the page as a browser would: every `src` and `href` is
//! resolved against the page's own URL and fetched from the app. (Rendering
//! it in a real browser is a separate, headless-browser check.)

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod support;

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::json;
use support::{send, store_down};

/// The values of every `src="…"` and `href="…"` attribute in `html`.
fn referenced(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        let mut rest = html;
        while let Some(start) = rest.find(attribute) {
            rest = &rest[start + attribute.len()..];
            let end = rest.find('"').unwrap_or(rest.len());
            found.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
    }
    found
}

/// Resolves a relative reference against a page path, as a browser does.
fn resolve(page: &str, reference: &str) -> String {
    if reference.starts_with('/') {
        return reference.to_owned();
    }
    let directory = &page[..=page.rfind('/').unwrap_or(0)];
    format!("{directory}{}", reference.trim_start_matches("./"))
}

#[actix_web::test]
async fn the_docs_page_is_served_at_docs_with_and_without_the_slash_and_as_index_html() {
    for page in ["/docs", "/docs/", "/docs/index.html"] {
        let answer = send(store_down(), TestRequest::get().uri(page)).await;
        assert_eq!(answer.status, StatusCode::OK, "{page}");
        assert!(answer.text().contains("<title>TRM task API - Swagger UI</title>"), "{page}");
        assert!(answer.headers["content-type"].starts_with("text/html"), "{page}");
        assert!(answer.headers.contains_key("x-request-id"), "{page}");
        assert!(answer.text().contains("<div id=\"swagger-ui\"></div>"), "{page}");
    }
}

#[actix_web::test]
async fn every_asset_the_docs_page_references_is_local_and_served() {
    for page in ["/docs", "/docs/", "/docs/index.html"] {
        let html = send(store_down(), TestRequest::get().uri(page)).await.text();
        let references = referenced(&html);
        assert!(references.iter().any(|r| r.ends_with("swagger-ui-bundle.js")), "{page}: {references:?}");
        assert!(references.iter().any(|r| r.ends_with("swagger-initializer.js")), "{page}: {references:?}");
        for reference in references {
            assert!(!reference.contains("://") && !reference.starts_with("//"), "{page} loads {reference}");
            let path = resolve(page, &reference);
            assert!(path.starts_with("/docs/"), "{page}: {reference} resolves to {path}");
            let asset = send(store_down(), TestRequest::get().uri(&path)).await;
            assert_eq!(asset.status, StatusCode::OK, "{page}: {path}");
            assert!(!asset.bytes.is_empty(), "{path}");
            assert!(asset.headers.contains_key("x-request-id"), "{path}");
        }
    }
}

#[actix_web::test]
async fn the_swagger_ui_bundle_is_served_as_javascript() {
    let answer = send(store_down(), TestRequest::get().uri("/docs/swagger-ui-bundle.js")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.headers["content-type"].contains("javascript"), "{}", answer.headers["content-type"]);
    assert!(answer.bytes.len() > 100_000, "the bundle is {} bytes", answer.bytes.len());
    assert_eq!(answer.headers["x-content-type-options"], "nosniff");
}

#[actix_web::test]
async fn the_ui_loads_the_api_document_from_openapi_json_and_nothing_from_elsewhere() {
    let answer = send(store_down(), TestRequest::get().uri("/docs/swagger-initializer.js")).await;
    assert_eq!(answer.status, StatusCode::OK);
    let script = answer.text();
    assert!(script.contains("\"url\": \"/openapi.json\""), "{script}");
    assert!(script.contains("\"validatorUrl\": \"none\""), "{script}");
    assert!(!script.contains("petstore"), "{script}");
    assert!(!script.contains("https://") && !script.contains("http://"), "{script}");
    let document = send(store_down(), TestRequest::get().uri("/openapi.json")).await;
    assert_eq!(document.status, StatusCode::OK);
}

#[actix_web::test]
async fn the_stylesheets_import_nothing_from_the_network() {
    for path in ["/docs/swagger-ui.css", "/docs/index.css"] {
        let answer = send(store_down(), TestRequest::get().uri(path)).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        assert!(answer.headers["content-type"].starts_with("text/css"), "{path}");
        let css = answer.text();
        for remote in ["url(http", "url(\"http", "url('http", "url(//", "@import"] {
            assert!(!css.contains(remote), "{path} contains {remote}");
        }
    }
}

#[actix_web::test]
async fn a_file_the_ui_does_not_have_is_a_404_in_the_contract_shape() {
    let answer = send(store_down(), TestRequest::get().uri("/docs/nothing.js")).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.json(), json!({"detail": "Not Found"}));
    assert!(answer.headers.contains_key("x-request-id"));
}
