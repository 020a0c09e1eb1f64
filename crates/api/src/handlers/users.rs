//! `/api/v1/users`.
//!
//! The same shape as tasks and projects: the query string and body are read
//! and validated completely before the service is called (so a bad body to
//! an unknown id is a 422, not a 404), and every rule that needs the store —
//! a username unique regardless of case, the `If-Match` version — is the
//! service's, coming back as a [`ServiceError`](trm_service::ServiceError)
//! that [`ApiError`] maps to its status.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use trm_domain::{EntityKind, User, UserId};
use trm_service::UserFilter;

use super::{entity_response, page_response, path_id};
use crate::AppState;
use crate::body::JsonObject;
use crate::conditional::if_match;
use crate::error::ApiError;
use crate::idempotency::{IdempotentRequest, KeyClaim};
use crate::query::QueryParams;
use crate::schemas::errors::{
    InvalidRequest, PayloadTooLarge, PreconditionFailed, Unavailable, UnsupportedMediaType, UserNotFound, UsernameTaken,
};
use crate::schemas::query::UserListQuery;
use crate::wire::{self, UserCreateBody, UserUpdateBody};

/// `GET /api/v1/users/`: one page of users, optionally only active or
/// inactive ones.
///
/// # Errors
/// 422 for unknown parameters or bad values (an `is_active` that is not a
/// boolean); 503 when the store is down.
#[utoipa::path(
    get,
    path = "/api/v1/users/",
    tag = "users",
    operation_id = "list_users",
    summary = "List users",
    description = "One page of the users, optionally only active or only inactive ones, oldest first (by \
                   `created_at`, then `uid`), as a JSON array. When more follow, a `Link` header names the next \
                   page.",
    params(UserListQuery),
    responses(
        (status = 200, description = "One page of users.", body = Vec<User>, headers(
            ("Link" = String, description = "`<URL with the next cursor>; rel=\"next\"` when another page follows \
                                             (a server-relative URL keeping the filters); absent on the last page."),
        )),
        (status = 422, response = InvalidRequest),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn list(request: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut query = QueryParams::parse(request.query_string())?;
    let filter = UserFilter { is_active: query.take_bool("is_active") };
    let page = query.take_page();
    query.finish()?;
    let page = state.users.list_users(filter, page).await?;
    Ok(page_response(&request, &page))
}

/// `POST /api/v1/users/`: 201 with the user, its `Location` and `ETag`.
///
/// # Errors
/// 422 for an invalid body, 409 for a username taken in any case, 413/415
/// for oversized or non-JSON bodies.
#[utoipa::path(
    post,
    path = "/api/v1/users/",
    tag = "users",
    operation_id = "create_user",
    summary = "Create a user",
    description = "Creates a user at version 1. `username` and `email` are required; `full_name` defaults to \
                   `null` and `is_active` to `true`. Usernames are unique regardless of case: one already taken \
                   is a 409, as is a retry whose first request with the same `Idempotency-Key` is still \
                   being processed (`{\"detail\": \"A request with this Idempotency-Key is still being \
                   processed\"}`).",
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "Makes the create safe to retry: a retry of the \
            same request with the same key within 24 hours answers the first successful response again (same \
            status, headers and body) and creates nothing. The same key with a different body is a 422 \
            (`idempotency_key_reused`); a failed attempt is not remembered. 1 to 255 visible ASCII characters.",
            max_length = 255, min_length = 1, pattern = "^[!-~]{1,255}$"),
    ),
    request_body(content = UserCreateBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Created.", body = User, headers(
            ("Location" = String, description = "The new user's path, `/api/v1/users/{uid}`."),
            ("ETag" = String, description = "The user's version in quotes, for `If-Match`."),
        )),
        (status = 409, response = UsernameTaken),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidRequest),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn create(
    request: HttpRequest,
    state: web::Data<AppState>,
    JsonObject(body): JsonObject,
) -> Result<HttpResponse, ApiError> {
    let idempotent = IdempotentRequest::read(&request, "POST /api/v1/users/", &body)?;
    let query = QueryParams::parse(request.query_string())?;
    let new = wire::read::<UserCreateBody>(body)?;
    query.finish()?;
    let key = match idempotent.claim(&state).await? {
        KeyClaim::Replay(answer) => return Ok(answer),
        KeyClaim::Fresh(key) => key,
    };
    let created = state.users.create_user(new).await.map_err(ApiError::from).map(|user| {
        let mut response = HttpResponse::Created();
        response.insert_header((header::LOCATION, format!("/api/v1/users/{}", user.uid)));
        entity_response(response, user.version, &user)
    });
    key.settle(created).await
}

/// `GET /api/v1/users/{uid}`.
///
/// # Errors
/// 404 for an unknown or malformed id.
#[utoipa::path(
    get,
    path = "/api/v1/users/{uid}",
    tag = "users",
    operation_id = "get_user",
    summary = "Get a user",
    params(("uid" = String, Path, format = Uuid, description = "The user's id.")),
    responses(
        (status = 200, description = "The user.", body = User, headers(
            ("ETag" = String, description = "The user's version in quotes, for `If-Match`."),
        )),
        (status = 404, response = UserNotFound),
        (status = 422, response = InvalidRequest),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn get(
    request: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(request.query_string())?.finish()?;
    let id = UserId::from_uuid(path_id(&uid, EntityKind::User)?);
    let user = state.users.get_user(id).await?;
    Ok(entity_response(HttpResponse::Ok(), user.version, &user))
}

/// `PATCH /api/v1/users/{uid}`: changes the fields present.
///
/// # Errors
/// 422 for an invalid body (checked before the id is looked up), 404 for an
/// unknown id, 409 for a username taken, 412 for a stale `If-Match`.
#[utoipa::path(
    patch,
    path = "/api/v1/users/{uid}",
    tag = "users",
    operation_id = "update_user",
    summary = "Change a user",
    description = "Fields present are changed, fields absent are kept, and `null` clears `full_name`. The body is \
                   validated before the user is looked up. A change grows `version` by one; a PATCH that changes \
                   nothing keeps it. Renaming to a username already taken, in any case, is a 409.",
    params(
        ("uid" = String, Path, format = Uuid, description = "The user's id."),
        ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on (`\"3\"`); \
                                                            `*` or none applies it to any version."),
    ),
    request_body(content = UserUpdateBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The user after the change.", body = User, headers(
            ("ETag" = String, description = "The user's version in quotes."),
        )),
        (status = 404, response = UserNotFound),
        (status = 409, response = UsernameTaken),
        (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidRequest),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn update(
    request: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
    JsonObject(body): JsonObject,
) -> Result<HttpResponse, ApiError> {
    let query = QueryParams::parse(request.query_string())?;
    let patch = wire::read::<UserUpdateBody>(body)?;
    query.finish()?;
    let id = UserId::from_uuid(path_id(&uid, EntityKind::User)?);
    let user = state.users.update_user(id, patch, if_match(&request)).await?;
    Ok(entity_response(HttpResponse::Ok(), user.version, &user))
}

/// `DELETE /api/v1/users/{uid}`: 204.
///
/// # Errors
/// 404 for an unknown id, 412 for a stale `If-Match`.
#[utoipa::path(
    delete,
    path = "/api/v1/users/{uid}",
    tag = "users",
    operation_id = "delete_user",
    summary = "Delete a user",
    description = "Deletes the user and unassigns their tasks, in the same transaction. Each task unassigned \
                   grows its `version` by one, so its `ETag` changes.",
    params(
        ("uid" = String, Path, format = Uuid, description = "The user's id."),
        ("If-Match" = Option<String>, Header, description = "Delete only at this `ETag`."),
    ),
    responses(
        (status = 204, description = "Deleted; their tasks are unassigned."),
        (status = 404, response = UserNotFound),
        (status = 412, response = PreconditionFailed),
        (status = 422, response = InvalidRequest),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn delete(
    request: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(request.query_string())?.finish()?;
    let id = UserId::from_uuid(path_id(&uid, EntityKind::User)?);
    state.users.delete_user(id, if_match(&request)).await?;
    Ok(HttpResponse::NoContent().finish())
}
