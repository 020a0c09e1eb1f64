//! The one route table: every route the application serves, and nothing else.
//!
//! [`ROUTES`] lists each `(method, path)` once, with the [`Endpoint`] that
//! answers it. [`configure`] registers exactly these routes with actix-web
//! (nothing is registered by hand elsewhere), and the tests compare the same
//! table with the OpenAPI document in both directions: every documented
//! route is served, and every served route is documented unless the table
//! says why not. So a route cannot be added, removed or renamed in one place
//! and forgotten in the other.
//!
//! Paths are written as OpenAPI writes them (`/api/v1/tasks/{uid}`). A path
//! ending in `/` is a collection: the contract has it answer without the
//! trailing slash too, with no redirect, so [`configure`] registers both
//! spellings while the document lists only the canonical one (as FastAPI,
//! whose clients this API serves, documents `/api/v1/tasks/`).
//!
//! Methods a path does not list answer 405 in the contract's error shape;
//! paths no route matches fall through to the app's 404.

use actix_web::http::Method;
use actix_web::{HttpResponse, Resource, Route as ActixRoute, web};

use crate::error::ApiError;
use crate::handlers::{events, health, metrics, overview, projects, task_graph, tasks, users, webhooks};
use crate::openapi::docs;

/// An HTTP method a route answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verb {
    /// `GET` (only: a `HEAD` is a 405, as for any method a path does not list).
    Get,
    /// `POST`.
    Post,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
}

impl Verb {
    /// The method as actix-web names it.
    #[must_use]
    pub const fn method(self) -> Method {
        match self {
            Self::Get => Method::GET,
            Self::Post => Method::POST,
            Self::Patch => Method::PATCH,
            Self::Delete => Method::DELETE,
        }
    }

    /// The method as OpenAPI spells it (the key under a path item).
    #[must_use]
    pub const fn openapi_key(self) -> &'static str {
        match self {
            Self::Get => "get",
            Self::Post => "post",
            Self::Patch => "patch",
            Self::Delete => "delete",
        }
    }
}

/// Whether a route belongs in the OpenAPI document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Documented {
    /// It is an operation of the API and the document describes it.
    Yes,
    /// It serves the documentation itself (the document, the Swagger UI), and
    /// is left out as FastAPI leaves out `/openapi.json` and `/docs`; the
    /// document's description says where they are.
    Omitted,
}

/// What answers a route: one handler each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `tasks::list`.
    ListTasks,
    /// `tasks::create`.
    CreateTask,
    /// `tasks::create_many`.
    CreateTasks,
    /// `tasks::get`.
    GetTask,
    /// `tasks::update`.
    UpdateTask,
    /// `tasks::delete`.
    DeleteTask,
    /// `projects::list`.
    ListProjects,
    /// `projects::create`.
    CreateProject,
    /// `projects::get`.
    GetProject,
    /// `projects::update`.
    UpdateProject,
    /// `projects::delete`.
    DeleteProject,
    /// `projects::tasks`.
    ListProjectTasks,
    /// `users::list`.
    ListUsers,
    /// `users::create`.
    CreateUser,
    /// `users::get`.
    GetUser,
    /// `users::update`.
    UpdateUser,
    /// `users::delete`.
    DeleteUser,
    /// `overview::overview`.
    Overview,
    /// `events::stream`.
    StreamEvents,
    /// `events::history`.
    EventHistory,
    /// `events::task_history`.
    TaskHistory,
    /// `task_graph::blockers`.
    TaskBlockers,
    /// `task_graph::dependents`.
    TaskDependents,
    /// `task_graph::subtasks`.
    TaskSubtasks,
    /// `events::project_history`.
    ProjectHistory,
    /// `events::user_history`.
    UserHistory,
    /// `webhooks::create`.
    CreateWebhook,
    /// `webhooks::list`.
    ListWebhooks,
    /// `webhooks::get`.
    GetWebhook,
    /// `webhooks::update`.
    UpdateWebhook,
    /// `webhooks::delete`.
    DeleteWebhook,
    /// `webhooks::deliveries`.
    ListWebhookDeliveries,
    /// `webhooks::redeliver`.
    RedeliverWebhookDelivery,
    /// `webhooks::ping`.
    PingWebhook,
    /// `health::livez`.
    Livez,
    /// `health::readyz`.
    Readyz,
    /// `metrics::metrics`.
    Metrics,
    /// `docs::openapi_json`.
    OpenApiDocument,
    /// `docs::swagger_ui`.
    SwaggerUi,
    /// `docs::swagger_ui_asset`.
    SwaggerUiAsset,
}

impl Endpoint {
    /// The actix-web route calling this endpoint's handler for `verb`.
    fn route(self, verb: Verb) -> ActixRoute {
        let route = web::method(verb.method());
        match self {
            Self::ListTasks => route.to(tasks::list),
            Self::CreateTask => route.to(tasks::create),
            Self::CreateTasks => route.to(tasks::create_many),
            Self::GetTask => route.to(tasks::get),
            Self::UpdateTask => route.to(tasks::update),
            Self::DeleteTask => route.to(tasks::delete),
            Self::ListProjects => route.to(projects::list),
            Self::CreateProject => route.to(projects::create),
            Self::GetProject => route.to(projects::get),
            Self::UpdateProject => route.to(projects::update),
            Self::DeleteProject => route.to(projects::delete),
            Self::ListProjectTasks => route.to(projects::tasks),
            Self::ListUsers => route.to(users::list),
            Self::CreateUser => route.to(users::create),
            Self::GetUser => route.to(users::get),
            Self::UpdateUser => route.to(users::update),
            Self::DeleteUser => route.to(users::delete),
            Self::Overview => route.to(overview::overview),
            Self::StreamEvents => route.to(events::stream),
            Self::EventHistory => route.to(events::history),
            Self::TaskHistory => route.to(events::task_history),
            Self::TaskBlockers => route.to(task_graph::blockers),
            Self::TaskDependents => route.to(task_graph::dependents),
            Self::TaskSubtasks => route.to(task_graph::subtasks),
            Self::ProjectHistory => route.to(events::project_history),
            Self::UserHistory => route.to(events::user_history),
            Self::CreateWebhook => route.to(webhooks::create),
            Self::ListWebhooks => route.to(webhooks::list),
            Self::GetWebhook => route.to(webhooks::get),
            Self::UpdateWebhook => route.to(webhooks::update),
            Self::DeleteWebhook => route.to(webhooks::delete),
            Self::ListWebhookDeliveries => route.to(webhooks::deliveries),
            Self::RedeliverWebhookDelivery => route.to(webhooks::redeliver),
            Self::PingWebhook => route.to(webhooks::ping),
            Self::Livez => route.to(health::livez),
            Self::Readyz => route.to(health::readyz),
            Self::Metrics => route.to(metrics::metrics),
            Self::OpenApiDocument => route.to(docs::openapi_json),
            Self::SwaggerUi => route.to(docs::swagger_ui),
            Self::SwaggerUiAsset => route.to(docs::swagger_ui_asset),
        }
    }
}

/// One row of the route table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// The method.
    pub verb: Verb,
    /// The path, as OpenAPI writes it; see the [module docs](self) for the
    /// trailing slash.
    pub path: &'static str,
    /// The handler.
    pub endpoint: Endpoint,
    /// Whether the OpenAPI document describes it.
    pub documented: Documented,
}

impl Route {
    const fn api(verb: Verb, path: &'static str, endpoint: Endpoint) -> Self {
        Self { verb, path, endpoint, documented: Documented::Yes }
    }

    const fn docs(path: &'static str, endpoint: Endpoint) -> Self {
        Self { verb: Verb::Get, path, endpoint, documented: Documented::Omitted }
    }

    /// Every path spelling actix-web serves this route at: the path itself
    /// and, for a collection, the path without its trailing slash.
    #[must_use]
    pub fn spellings(&self) -> Vec<&'static str> {
        match self.path.strip_suffix('/') {
            Some(bare) if !bare.is_empty() => vec![self.path, bare],
            _ => vec![self.path],
        }
    }
}

/// Every route the application serves.
pub const ROUTES: &[Route] = &[
    Route::api(Verb::Get, "/api/v1/tasks/", Endpoint::ListTasks),
    Route::api(Verb::Post, "/api/v1/tasks/", Endpoint::CreateTask),
    // Before `{uid}`, which would otherwise take `bulk` for an id.
    Route::api(Verb::Post, "/api/v1/tasks/bulk", Endpoint::CreateTasks),
    Route::api(Verb::Get, "/api/v1/tasks/{uid}", Endpoint::GetTask),
    Route::api(Verb::Patch, "/api/v1/tasks/{uid}", Endpoint::UpdateTask),
    Route::api(Verb::Delete, "/api/v1/tasks/{uid}", Endpoint::DeleteTask),
    Route::api(Verb::Get, "/api/v1/tasks/{uid}/history", Endpoint::TaskHistory),
    Route::api(Verb::Get, "/api/v1/tasks/{uid}/blockers", Endpoint::TaskBlockers),
    Route::api(Verb::Get, "/api/v1/tasks/{uid}/dependents", Endpoint::TaskDependents),
    Route::api(Verb::Get, "/api/v1/tasks/{uid}/subtasks", Endpoint::TaskSubtasks),
    Route::api(Verb::Get, "/api/v1/projects/", Endpoint::ListProjects),
    Route::api(Verb::Post, "/api/v1/projects/", Endpoint::CreateProject),
    Route::api(Verb::Get, "/api/v1/projects/{uid}", Endpoint::GetProject),
    Route::api(Verb::Patch, "/api/v1/projects/{uid}", Endpoint::UpdateProject),
    Route::api(Verb::Delete, "/api/v1/projects/{uid}", Endpoint::DeleteProject),
    Route::api(Verb::Get, "/api/v1/projects/{uid}/tasks/", Endpoint::ListProjectTasks),
    Route::api(Verb::Get, "/api/v1/projects/{uid}/history", Endpoint::ProjectHistory),
    Route::api(Verb::Get, "/api/v1/users/", Endpoint::ListUsers),
    Route::api(Verb::Post, "/api/v1/users/", Endpoint::CreateUser),
    Route::api(Verb::Get, "/api/v1/users/{uid}", Endpoint::GetUser),
    Route::api(Verb::Patch, "/api/v1/users/{uid}", Endpoint::UpdateUser),
    Route::api(Verb::Delete, "/api/v1/users/{uid}", Endpoint::DeleteUser),
    Route::api(Verb::Get, "/api/v1/users/{uid}/history", Endpoint::UserHistory),
    Route::api(Verb::Get, "/api/v1/overview", Endpoint::Overview),
    Route::api(Verb::Get, "/api/v1/events", Endpoint::StreamEvents),
    Route::api(Verb::Get, "/api/v1/events/history", Endpoint::EventHistory),
    Route::api(Verb::Get, "/api/v1/webhooks", Endpoint::ListWebhooks),
    Route::api(Verb::Post, "/api/v1/webhooks", Endpoint::CreateWebhook),
    Route::api(Verb::Get, "/api/v1/webhooks/{id}", Endpoint::GetWebhook),
    Route::api(Verb::Patch, "/api/v1/webhooks/{id}", Endpoint::UpdateWebhook),
    Route::api(Verb::Delete, "/api/v1/webhooks/{id}", Endpoint::DeleteWebhook),
    Route::api(Verb::Get, "/api/v1/webhooks/{id}/deliveries", Endpoint::ListWebhookDeliveries),
    Route::api(
        Verb::Post,
        "/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver",
        Endpoint::RedeliverWebhookDelivery,
    ),
    Route::api(Verb::Post, "/api/v1/webhooks/{id}/ping", Endpoint::PingWebhook),
    Route::api(Verb::Get, "/livez", Endpoint::Livez),
    Route::api(Verb::Get, "/readyz", Endpoint::Readyz),
    Route::api(Verb::Get, "/metrics", Endpoint::Metrics),
    Route::docs("/openapi.json", Endpoint::OpenApiDocument),
    Route::docs("/docs/", Endpoint::SwaggerUi),
    Route::docs("/docs/{file}", Endpoint::SwaggerUiAsset),
];

/// A resource answering 405 in the contract's shape to methods it lacks,
/// with the `Allow` header naming the ones it has.
fn resource(paths: &[&'static str], verbs: &[Verb]) -> Resource {
    let paths: Vec<String> = paths.iter().map(|p| (*p).to_owned()).collect();
    let allow = verbs.iter().map(|verb| verb.method().to_string()).collect::<Vec<_>>().join(", ");
    web::resource(paths).default_service(web::to(move || {
        let allow = allow.clone();
        async move { Err::<HttpResponse, _>(ApiError::MethodNotAllowed { allow }) }
    }))
}

/// Registers every route of [`ROUTES`]: one resource per path, carrying
/// every method the table lists for it, in table order.
pub fn configure(config: &mut web::ServiceConfig) {
    let mut paths: Vec<&'static str> = Vec::new();
    for route in ROUTES {
        if !paths.contains(&route.path) {
            paths.push(route.path);
        }
    }
    for path in paths {
        let routes: Vec<&Route> = ROUTES.iter().filter(|route| route.path == path).collect();
        let spellings = routes.first().map(|route| route.spellings()).unwrap_or_default();
        let verbs: Vec<Verb> = routes.iter().map(|route| route.verb).collect();
        let resource = routes
            .into_iter()
            .fold(resource(&spellings, &verbs), |resource, route| resource.route(route.endpoint.route(route.verb)));
        config.service(resource);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn no_route_is_listed_twice() {
        let mut seen = HashSet::new();
        for route in ROUTES {
            assert!(seen.insert((route.verb, route.path)), "{route:?} is listed twice");
        }
    }

    #[test]
    fn collections_are_also_served_without_the_trailing_slash() {
        let tasks = ROUTES.iter().find(|route| route.endpoint == Endpoint::ListTasks).map(Route::spellings);
        assert_eq!(tasks, Some(vec!["/api/v1/tasks/", "/api/v1/tasks"]));
        let task = ROUTES.iter().find(|route| route.endpoint == Endpoint::GetTask).map(Route::spellings);
        assert_eq!(task, Some(vec!["/api/v1/tasks/{uid}"]));
    }
}
