//! `/openapi.json` and the Swagger UI at `/docs`, served from the binary.
//!
//! The OpenAPI document is built and serialized once per process, on first
//! request ([`crate::openapi`] says what is in it). The Swagger UI's files
//! are compiled into the binary by `utoipa-swagger-ui` from the copy that
//! the `utoipa-swagger-ui-vendored` crate ships, so neither building nor
//! browsing needs any network: every asset comes from this server, and the
//! UI's online validator (which would call swagger.io) is switched off.
//!
//! The page itself is our own small HTML, not the distribution's
//! `index.html`, because it must work at both `/docs` and `/docs/`: the
//! distribution's relative asset paths (`./swagger-ui.css`) resolve to the
//! site root at `/docs`, so the page written for `/docs` prefixes them with
//! `docs/`. Relative paths, rather than absolute ones, keep the page working
//! behind a proxy that mounts the service under a prefix.

use std::sync::{Arc, LazyLock};

use actix_web::http::header::{CacheControl, CacheDirective, ContentType, HeaderValue, X_CONTENT_TYPE_OPTIONS};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use utoipa_swagger_ui::Config;

use crate::access::AccessControl;
use crate::error::ApiError;

/// Where the Swagger UI finds the document.
pub const OPENAPI_PATH: &str = "/openapi.json";

/// The serialized document of a server requiring keys, or why it could not
/// be serialized.
static OPENAPI_JSON: LazyLock<Result<Bytes, String>> = LazyLock::new(|| {
    serde_json::to_vec(&crate::openapi::document()).map(Bytes::from).map_err(|error| error.to_string())
});

/// The same for a server requiring no key ([`crate::openapi::open_document`]).
static OPEN_OPENAPI_JSON: LazyLock<Result<Bytes, String>> = LazyLock::new(|| {
    serde_json::to_vec(&crate::openapi::open_document()).map(Bytes::from).map_err(|error| error.to_string())
});

/// The Swagger UI's configuration, which `utoipa-swagger-ui` writes into
/// its `swagger-initializer.js`.
static SWAGGER_CONFIG: LazyLock<Arc<Config<'static>>> = LazyLock::new(|| {
    Arc::new(
        Config::new([OPENAPI_PATH])
            // FastAPI's layout: the API, without the top bar that loads other documents.
            .use_base_layout()
            // The badge would send the document to validator.swagger.io.
            .validator_url("none")
            .display_request_duration(true)
            .filter(true),
    )
});

/// How long browsers may keep a UI asset; they change only with the binary.
const ASSET_MAX_AGE_SECONDS: u32 = 3600;

/// `GET /openapi.json`: the OpenAPI 3.1 document of the API, as this server
/// is right now: its operations require the `bearer` scheme only while the
/// API requires keys.
///
/// # Errors
/// 503 when the key store cannot say whether keys exist; 500 if the
/// document cannot be serialized (a bug).
pub async fn openapi_json(access: Option<web::Data<AccessControl>>) -> Result<HttpResponse, ApiError> {
    let secured = match access {
        Some(access) => access.api_requires_keys().await?,
        None => false,
    };
    let document = if secured { &*OPENAPI_JSON } else { &*OPEN_OPENAPI_JSON };
    match document {
        Ok(bytes) => Ok(HttpResponse::Ok().insert_header(ContentType::json()).body(bytes.clone())),
        Err(error) => Err(ApiError::Internal(anyhow::anyhow!("cannot serialize the OpenAPI document: {error}"))),
    }
}

/// The Swagger UI page, its assets found through `base` (a relative path
/// ending in `/`).
fn swagger_page(base: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>TRM task API - Swagger UI</title>
    <link rel="stylesheet" type="text/css" href="{base}swagger-ui.css">
    <link rel="stylesheet" type="text/css" href="{base}index.css">
    <link rel="icon" type="image/png" href="{base}favicon-32x32.png" sizes="32x32">
    <link rel="icon" type="image/png" href="{base}favicon-16x16.png" sizes="16x16">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="{base}swagger-ui-bundle.js" charset="UTF-8"></script>
    <script src="{base}swagger-ui-standalone-preset.js" charset="UTF-8"></script>
    <script src="{base}swagger-initializer.js" charset="UTF-8"></script>
  </body>
</html>
"#
    )
}

/// The page as a response.
fn page_response(base: &str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(ContentType::html())
        .insert_header(CacheControl(vec![CacheDirective::NoCache]))
        .body(swagger_page(base))
}

/// `GET /docs` and `GET /docs/` (and `/docs/index.html`): the Swagger UI page.
pub async fn swagger_ui(request: HttpRequest) -> HttpResponse {
    page_response(if request.path().ends_with('/') { "./" } else { "docs/" })
}

/// `GET /docs/{file}`: one file of the Swagger UI distribution (but
/// `index.html`, which is our page, as at `/docs/`).
///
/// # Errors
/// 404 for a file the distribution does not have; 500 if the initializer
/// cannot be written (a bug).
pub async fn swagger_ui_asset(file: web::Path<String>) -> Result<HttpResponse, ApiError> {
    if file.as_str() == "index.html" {
        return Ok(page_response("./"));
    }
    let served = utoipa_swagger_ui::serve(&file, SWAGGER_CONFIG.clone())
        .map_err(|error| ApiError::Internal(anyhow::anyhow!("cannot serve the Swagger UI's {file}: {error}")))?;
    let Some(asset) = served else {
        return Err(ApiError::NoRoute);
    };
    let body = match asset.bytes {
        std::borrow::Cow::Borrowed(bytes) => Bytes::from_static(bytes),
        std::borrow::Cow::Owned(bytes) => Bytes::from(bytes),
    };
    let mut response = HttpResponse::Ok();
    response
        .content_type(asset.content_type)
        .insert_header((X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .insert_header(CacheControl(vec![CacheDirective::Public, CacheDirective::MaxAge(ASSET_MAX_AGE_SECONDS)]));
    if asset.gzpipped {
        response.insert_header(actix_web::http::header::ContentEncoding::Gzip);
    }
    Ok(response.body(body))
}
