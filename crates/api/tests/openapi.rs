//! The OpenAPI document against what the application really does.
//!
//! The document is written by hand in attributes, and a request body's
//! schema is derived from a type whose fields hold raw JSON, so these tests
//! are what keeps it true: the routes it lists are exactly the routes served
//! (checked against the one route table, in both directions); every property
//! of a request schema is one the body's conversion accepts, with the
//! nullability it gives it, and nothing else is accepted; every documented query
//! parameter is read by its route; every documented success answers with its
//! status, headers and properties; every `$ref` resolves.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod support;

use std::collections::BTreeSet;

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::{Map, Value, json};
use support::{Answer, a_project, a_task, a_user, all_well, concrete, send, store_down};
use trm_api::USERNAME_PATTERN;
use trm_api::routes::{Documented, ROUTES, Verb};
use trm_api::wire::{
    ApiError, ProjectCreateBody, ProjectUpdateBody, TaskCreateBody, TaskUpdateBody, UserCreateBody, UserUpdateBody,
    read,
};
use trm_domain::{NewProject, NewTask, NewUser, ProjectPatch, TaskPatch, UserPatch};

const VERBS: [Verb; 4] = [Verb::Get, Verb::Post, Verb::Patch, Verb::Delete];

fn new_task(body: Map<String, Value>) -> Result<NewTask, ApiError> {
    read::<TaskCreateBody>(body)
}

fn task_patch(body: Map<String, Value>) -> Result<TaskPatch, ApiError> {
    read::<TaskUpdateBody>(body)
}

fn new_project(body: Map<String, Value>) -> Result<NewProject, ApiError> {
    read::<ProjectCreateBody>(body)
}

fn project_patch(body: Map<String, Value>) -> Result<ProjectPatch, ApiError> {
    read::<ProjectUpdateBody>(body)
}

fn new_user(body: Map<String, Value>) -> Result<NewUser, ApiError> {
    read::<UserCreateBody>(body)
}

fn user_patch(body: Map<String, Value>) -> Result<UserPatch, ApiError> {
    read::<UserUpdateBody>(body)
}

/// A body reader, answering the problems it found.
type Reader<'a> = &'a dyn Fn(Map<String, Value>) -> Vec<(Vec<Value>, String)>;

fn document() -> Value {
    serde_json::to_value(trm_api::openapi::document()).unwrap()
}

/// Follows a `$ref` (once), or returns the value itself.
fn resolve<'d>(document: &'d Value, value: &'d Value) -> &'d Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => document
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("{reference} does not resolve")),
        None => value,
    }
}

fn component<'d>(document: &'d Value, name: &str) -> &'d Value {
    document.pointer(&format!("/components/schemas/{name}")).unwrap_or_else(|| panic!("no schema {name}"))
}

fn property_names(schema: &Value) -> Vec<String> {
    schema["properties"].as_object().map(|properties| properties.keys().cloned().collect()).unwrap_or_default()
}

fn required(schema: &Value) -> BTreeSet<String> {
    schema["required"].as_array().into_iter().flatten().filter_map(|name| name.as_str().map(str::to_owned)).collect()
}

/// The properties of which exactly one is required: a schema's `oneOf`
/// of `required` lists (`title` and its alias `name`), in their order.
fn alternatives(schema: &Value) -> Vec<String> {
    // The `oneOf` of the schema itself, or of one rule of its `allOf`.
    let rules = schema["allOf"].as_array().into_iter().flatten().chain(std::iter::once(schema));
    rules.flat_map(|rule| rule["oneOf"].as_array().into_iter().flatten().flat_map(required)).collect()
}

/// Whether a property's schema admits `null`.
/// The pairs of properties never sent together (a field and its alias),
/// but `title` and `name` (see [`alternatives`]): a `not` of two `required`
/// names in the schema's `allOf`.
fn exclusive_pairs(schema: &Value) -> Vec<(String, String)> {
    schema["allOf"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|rule| match rule["not"]["required"].as_array().map(Vec::as_slice) {
            Some([Value::String(a), Value::String(b)]) if a != "title" => Some((a.clone(), b.clone())),
            _ => None,
        })
        .collect()
}

/// The other property of `property`'s exclusive pair, if it is in one.
fn sibling(pairs: &[(String, String)], property: &str) -> Option<String> {
    pairs.iter().find_map(|(a, b)| {
        if a == property {
            Some(b.clone())
        } else if b == property {
            Some(a.clone())
        } else {
            None
        }
    })
}

fn is_nullable(property: &Value) -> bool {
    let in_type = property["type"].as_array().is_some_and(|types| types.contains(&json!("null")));
    let in_one_of = property["oneOf"].as_array().is_some_and(|schemas| schemas.contains(&json!({"type": "null"})));
    in_type || in_one_of
}

/// Every `(method, path)` the document lists.
fn documented_operations(document: &Value) -> BTreeSet<(String, String)> {
    let mut operations = BTreeSet::new();
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        for method in item.as_object().into_iter().flatten().map(|(method, _)| method) {
            operations.insert((method.clone(), path.clone()));
        }
    }
    operations
}

/// Every operation, with its method and path.
fn operations(document: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            all.push((method.clone(), path.clone(), operation.clone()));
        }
    }
    all
}

/// The example of an operation's request body, if it takes one.
fn body_example(document: &Value, operation: &Value) -> Option<Value> {
    let schema = operation.pointer("/requestBody/content/application~1json/schema")?;
    Some(resolve(document, schema)["example"].clone())
}

/// A request for an operation: its path made concrete, its body example.
fn request(document: &Value, method: &str, path: &str, operation: &Value, query: &str) -> TestRequest {
    let uri = if query.is_empty() { concrete(path) } else { format!("{}?{query}", concrete(path)) };
    let request = match method {
        "get" => TestRequest::get(),
        "post" => TestRequest::post(),
        "patch" => TestRequest::patch(),
        "delete" => TestRequest::delete(),
        other => panic!("no test request for {other}"),
    }
    .uri(&uri);
    match body_example(document, operation) {
        Some(example) => request.set_json(example),
        None => request,
    }
}

/// The query string of every documented query parameter at its example
/// value (arrays repeat the parameter).
fn documented_query(operation: &Value) -> String {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        if parameter["in"] != "query" {
            continue;
        }
        let name = parameter["name"].as_str().unwrap_or_default().to_owned();
        let example = &parameter["example"];
        assert!(!example.is_null(), "query parameter {name} has no example");
        let values = example.as_array().cloned().unwrap_or_else(|| vec![example.clone()]);
        for value in values {
            let text = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
            pairs.push((name.clone(), text));
        }
    }
    serde_urlencoded::to_string(&pairs).unwrap()
}

/// `(loc, type)` of each problem of a 422, or nothing for a success.
fn problems<T>(result: Result<T, ApiError>) -> Vec<(Vec<Value>, String)> {
    match result {
        Ok(_) => Vec::new(),
        Err(ApiError::Invalid(details)) => details.into_iter().map(|detail| (detail.loc, detail.kind)).collect(),
        Err(other) => panic!("a body reader answered {other:?}"),
    }
}

fn object(value: &Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_else(|| panic!("{value} is not an object"))
}

fn with(mut body: Map<String, Value>, name: &str, value: Value) -> Map<String, Value> {
    body.insert(name.to_owned(), value);
    body
}

#[actix_web::test]
async fn the_document_is_openapi_3_1_served_at_openapi_json() {
    let answer = send(store_down(), TestRequest::get().uri("/openapi.json")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.headers["content-type"].starts_with("application/json"));
    assert!(answer.headers.contains_key("x-request-id"));
    let served = answer.json();
    // An app without key management is open: its document is the open one.
    assert_eq!(served, serde_json::to_value(trm_api::openapi::open_document()).unwrap());
    assert!(served["openapi"].as_str().is_some_and(|version| version.starts_with("3.1.")), "{}", served["openapi"]);
    assert_eq!(served["info"]["title"], "TRM task API");
}

#[test]
fn every_route_the_app_serves_is_documented_and_every_documented_route_is_in_the_route_table() {
    let in_table: BTreeSet<(String, String)> = ROUTES
        .iter()
        .filter(|route| route.documented == Documented::Yes)
        .map(|route| (route.verb.openapi_key().to_owned(), route.path.to_owned()))
        .collect();
    let in_document = documented_operations(&document());
    let undocumented: Vec<_> = in_table.difference(&in_document).collect();
    assert!(undocumented.is_empty(), "served but not documented: {undocumented:?}");
    let unserved: Vec<_> = in_document.difference(&in_table).collect();
    assert!(unserved.is_empty(), "documented but not in the route table: {unserved:?}");
}

#[test]
fn only_the_documentation_itself_is_left_out_of_the_document_and_its_description_says_where_it_is() {
    let omitted: Vec<&str> =
        ROUTES.iter().filter(|route| route.documented == Documented::Omitted).map(|route| route.path).collect();
    assert_eq!(omitted, ["/openapi.json", "/docs/", "/docs/{file}"]);
    let description = document()["info"]["description"].as_str().unwrap_or_default().to_owned();
    assert!(description.contains("`GET /openapi.json`") && description.contains("`GET /docs`"), "{description}");
}

#[actix_web::test]
async fn every_route_in_the_table_is_served_with_and_without_a_collections_trailing_slash() {
    for route in ROUTES {
        let spellings = route.spellings();
        if route.path.ends_with('/') {
            assert_eq!(spellings.len(), 2, "{route:?}");
        }
        for spelling in spellings {
            let request = match route.verb {
                Verb::Get => TestRequest::get(),
                Verb::Post => TestRequest::post().set_json(json!({})),
                Verb::Patch => TestRequest::patch().set_json(json!({})),
                Verb::Delete => TestRequest::delete(),
            }
            .uri(&concrete(spelling));
            let answer = send(store_down(), request).await;
            assert!(!answer.is_unrouted(), "{:?} {spelling}: {} {}", route.verb, answer.status, answer.text());
        }
    }
}

#[actix_web::test]
async fn a_method_the_route_table_does_not_list_for_a_path_is_a_405_naming_those_it_does() {
    let paths: BTreeSet<&str> = ROUTES.iter().map(|route| route.path).collect();
    for path in paths {
        let allowed: Vec<String> =
            ROUTES.iter().filter(|route| route.path == path).map(|route| route.verb.method().to_string()).collect();
        for verb in VERBS {
            if ROUTES.iter().any(|route| route.path == path && route.verb == verb) {
                continue;
            }
            let request = TestRequest::default().method(verb.method()).uri(&concrete(path));
            let answer = send(store_down(), request).await;
            assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{verb:?} {path}");
            assert_eq!(answer.json(), json!({"detail": "Method Not Allowed"}));
            assert_eq!(answer.headers.get("allow"), Some(&allowed.join(", ")), "{verb:?} {path}");
        }
    }
}

#[test]
fn every_operation_has_a_unique_id_a_summary_and_a_tag() {
    let mut ids = BTreeSet::new();
    for (method, path, operation) in operations(&document()) {
        let id = operation["operationId"].as_str().unwrap_or_default().to_owned();
        assert!(!id.is_empty() && ids.insert(id.clone()), "{method} {path}: operationId {id:?}");
        assert!(operation["summary"].as_str().is_some_and(|s| !s.is_empty()), "{method} {path}: no summary");
        assert!(operation["tags"].as_array().is_some_and(|tags| tags.len() == 1), "{method} {path}: tags");
    }
}

#[test]
fn every_reference_in_the_document_resolves() {
    fn walk(document: &Value, value: &Value, count: &mut usize) {
        match value {
            Value::Object(map) => {
                if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                    assert!(document.pointer(reference.trim_start_matches('#')).is_some(), "{reference}");
                    *count += 1;
                }
                map.values().for_each(|inner| walk(document, inner, count));
            }
            Value::Array(items) => items.iter().for_each(|inner| walk(document, inner, count)),
            _ => {}
        }
    }
    let document = document();
    let mut count = 0;
    walk(&document, &document, &mut count);
    assert!(count > 50, "only {count} references: is the document complete?");
}

#[test]
fn every_response_documents_the_request_id_and_every_operation_its_500() {
    let document = document();
    for (method, path, operation) in operations(&document) {
        let responses = operation["responses"].as_object().cloned().unwrap_or_default();
        assert!(responses.contains_key("500"), "{method} {path}: no 500");
        for (status, response) in responses {
            let response = resolve(&document, &response);
            assert!(response["headers"]["x-request-id"].is_object(), "{method} {path} {status}: no x-request-id");
            if status != "204" && !status.starts_with('2') {
                let schema = response.pointer("/content/application~1json/schema").cloned().unwrap_or_default();
                assert!(
                    schema["$ref"] == "#/components/schemas/HTTPError"
                        || schema["$ref"] == "#/components/schemas/HTTPValidationError",
                    "{method} {path} {status}: the error body is not in the contract's shape"
                );
            }
        }
        let takes_request_id = operation["parameters"]
            .as_array()
            .is_some_and(|parameters| parameters.iter().any(|p| p["name"] == "x-request-id" && p["in"] == "header"));
        assert!(takes_request_id, "{method} {path}: no x-request-id parameter");
    }
}

#[test]
fn every_api_read_takes_a_bookmark_and_every_api_writes_success_returns_one() {
    let document = document();
    for (method, path, operation) in operations(&document) {
        if !path.starts_with("/api/v1") {
            continue;
        }
        let context = format!("{method} {path}");
        if method == "get" {
            let parameter =
                operation["parameters"].as_array().into_iter().flatten().find(|p| p["name"] == "X-TRM-Bookmark");
            let parameter = parameter.unwrap_or_else(|| panic!("{context}: no X-TRM-Bookmark parameter"));
            assert_eq!(parameter["in"], "header", "{context}");
            assert_eq!(parameter["required"], false, "{context}");
            let pattern = format!("^[!-~]{{1,{}}}$", trm_service::consistency::MAX_BOOKMARK_LENGTH);
            assert_eq!(parameter["schema"]["pattern"], pattern, "{context}: what Bookmark::parse takes");
            assert!(operation["responses"]["422"].is_object(), "{context}: the header's 422 is not listed");
        } else {
            for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                if status.starts_with('2') {
                    let header = &resolve(&document, response)["headers"]["X-TRM-Bookmark"];
                    assert!(header.is_object(), "{context} {status}: no X-TRM-Bookmark header");
                }
            }
        }
    }
}

#[test]
fn the_contracts_query_parameters_are_documented_with_their_limits() {
    let document = document();
    let list = document.pointer("/paths/~1api~1v1~1tasks~1/get/parameters").cloned().unwrap_or_default();
    let parameter = |name: &str| -> Value {
        list.as_array().into_iter().flatten().find(|p| p["name"] == name).cloned().unwrap_or_default()
    };
    assert_eq!(parameter("status")["schema"]["type"], "array");
    assert_eq!(parameter("status")["explode"], true);
    assert_eq!(parameter("limit")["schema"]["minimum"], 1);
    assert_eq!(parameter("limit")["schema"]["maximum"], 500);
    assert_eq!(parameter("limit")["schema"]["default"], 100);
    assert_eq!(parameter("cursor")["schema"]["type"], "string");
    let sorts = document.pointer("/components/schemas/TaskSort/enum").cloned().unwrap_or_default();
    assert_eq!(
        sorts,
        json!([
            "created_at",
            "-created_at",
            "updated_at",
            "-updated_at",
            "due_date",
            "-due_date",
            "priority",
            "-priority"
        ])
    );
    assert_eq!(parameter("sort")["schema"]["$ref"], "#/components/schemas/TaskSort");
    for (method, path, operation) in operations(&document) {
        let parameters = operation["parameters"].as_array().cloned().unwrap_or_default();
        for cursor in parameters.iter().filter(|p| p["name"] == "cursor") {
            let pattern = &cursor["schema"]["pattern"];
            // The event log pages by position, every other list by its keyset.
            // Task lists take sorted cursors too.
            let expected = if path.ends_with("history") {
                trm_api::POSITION_CURSOR_PATTERN
            } else if path.ends_with("/tasks/") || path.ends_with("/subtasks") {
                trm_api::TASK_CURSOR_PATTERN
            } else {
                trm_api::CURSOR_PATTERN
            };
            assert_eq!(pattern, expected, "{method} {path}: the cursor's published pattern");
        }
    }
    let delete = document.pointer("/paths/~1api~1v1~1projects~1{uid}/delete/parameters").cloned().unwrap_or_default();
    let cascade = delete.as_array().into_iter().flatten().find(|p| p["name"] == "cascade").cloned();
    assert_eq!(cascade.map(|p| p["schema"]["type"].clone()), Some(json!("boolean")));
}

#[actix_web::test]
async fn every_documented_query_parameter_and_body_example_is_accepted_by_its_route() {
    let document = document();
    for (method, path, operation) in operations(&document) {
        let query = documented_query(&operation);
        let answer = send(store_down(), request(&document, &method, &path, &operation, &query)).await;
        assert_ne!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{method} {path}?{query}: {}", answer.text());
        assert!(!answer.is_unrouted(), "{method} {path}");
    }
}

#[actix_web::test]
async fn an_undocumented_query_parameter_is_rejected_by_every_documented_route() {
    let document = document();
    for (method, path, operation) in operations(&document) {
        let answer = send(store_down(), request(&document, &method, &path, &operation, "undocumented=1")).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{method} {path}");
        assert_eq!(
            answer.json()["detail"],
            json!([{"loc": ["query", "undocumented"], "msg": "Extra inputs are not permitted", "type": "extra_forbidden"}]),
            "{method} {path}"
        );
    }
}

/// Checks a JSON value's properties against a response schema.
fn assert_shape(document: &Value, schema: &Value, body: &Value, context: &str) {
    let schema = resolve(document, schema);
    if schema["type"] == "array" {
        let items = body.as_array().unwrap_or_else(|| panic!("{context}: not an array: {body}"));
        assert!(!items.is_empty(), "{context}: the mocks return one item");
        items.iter().for_each(|item| assert_shape(document, &schema["items"], item, context));
        return;
    }
    let keys: BTreeSet<String> = object(body).keys().cloned().collect();
    let properties: BTreeSet<String> = property_names(schema).into_iter().collect();
    assert_eq!(keys, properties, "{context}: properties");
    assert_eq!(required(schema), properties, "{context}: every property is always present");
    for (name, value) in object(body) {
        if value.is_null() {
            assert!(is_nullable(&schema["properties"][&name]), "{context}: {name} is null but not nullable");
        }
    }
}

#[actix_web::test]
async fn every_documented_success_answers_with_its_status_headers_and_properties() {
    let document = document();
    for (method, path, operation) in operations(&document) {
        let answer = send(all_well(), request(&document, &method, &path, &operation, "")).await;
        let context = format!("{method} {path}");
        let successes: Vec<(String, Value)> = operation["responses"]
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(status, _)| status.starts_with('2'))
            .map(|(status, response)| (status.clone(), response.clone()))
            .collect();
        assert_eq!(successes.len(), 1, "{context}: one success");
        let (status, response) = &successes[0];
        assert_eq!(answer.status.as_str(), status, "{context}: {}", answer.text());
        for header in response["headers"].as_object().into_iter().flatten().map(|(name, _)| name.to_ascii_lowercase()) {
            // Only a store that gives bookmarks (Neo4j) sets it, which these
            // mocked use cases are not; `src/consistency/tests.rs` and the
            // end-to-end `tests/api/consistency.rs` check it is sent.
            if header == "x-trm-bookmark" {
                continue;
            }
            assert!(answer.headers.contains_key(&header), "{context}: no {header} header");
        }
        let other_content = response["content"].as_object().and_then(|content| content.keys().next().cloned());
        match (response.pointer("/content/application~1json/schema"), other_content) {
            (Some(schema), _) => assert_shape(&document, schema, &answer.json(), &context),
            // Not JSON (the event stream, the Prometheus text of /metrics):
            // the documented type; the bodies have tests of their own.
            (None, Some(media_type)) => {
                assert_eq!(answer.headers["content-type"], media_type, "{context}: content type");
            }
            (None, None) => assert!(answer.bytes.is_empty(), "{context}: a body where none is documented"),
        }
    }
}

/// Checks a create schema and its reader: the example is a valid body that
/// names every property, each property alone (with the required ones) is
/// accepted, a required one left out is `missing`, and an unknown one is
/// `extra_forbidden`.
fn assert_create_schema_matches_reader<T>(name: &str, read: impl Fn(Map<String, Value>) -> Result<T, ApiError>) {
    let document = document();
    let schema = component(&document, name);
    assert_eq!(schema["additionalProperties"], false, "{name}");
    let example = object(&schema["example"]);
    let properties = property_names(schema);
    // Of alternatives (`title` or its alias `name`) the example shows one;
    // each of the others is shown with its value.
    let alternatives = alternatives(schema);
    let shown = alternatives.iter().find(|property| example.contains_key(*property)).cloned();
    // Of a field and its alias never sent together, the example shows one.
    let pairs = exclusive_pairs(schema);
    let mut mentioned: BTreeSet<String> = example.keys().cloned().collect();
    mentioned.extend(alternatives.iter().cloned());
    mentioned.extend(pairs.iter().flat_map(|(a, b)| [a.clone(), b.clone()]));
    assert_eq!(mentioned, properties.iter().cloned().collect(), "{name}: the example shows every property");
    assert_eq!(problems(read(example.clone())), [], "{name}: the example is a valid body");
    let example_value = |property: &str| match example.get(property) {
        Some(value) => value.clone(),
        None => match sibling(&pairs, property).and_then(|other| example.get(&other).cloned()) {
            Some(value) => value,
            None => example[shown.as_deref().unwrap_or_else(|| panic!("{name}: no example for {property}"))].clone(),
        },
    };

    let required = required(schema);
    let minimal: Map<String, Value> = example
        .iter()
        .filter(|(key, _)| required.contains(*key) || shown.as_ref() == Some(*key))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for property in &properties {
        let mut body = minimal.clone();
        if alternatives.contains(property) {
            body.retain(|key, _| !alternatives.contains(key));
        }
        if let Some(other) = sibling(&pairs, property) {
            body.remove(&other);
        }
        let body = with(body, property, example_value(property));
        assert_eq!(problems(read(body)), [], "{name}: {property} is accepted");
    }
    for property in &required {
        let mut body = example.clone();
        body.remove(property);
        assert_eq!(problems(read(body)), [(vec![json!("body"), json!(property)], "missing".to_owned())], "{name}");
    }
    if let Some(first) = alternatives.first() {
        let mut body = example.clone();
        body.retain(|key, _| !alternatives.contains(key));
        assert_eq!(problems(read(body)), [(vec![json!("body"), json!(first)], "missing".to_owned())], "{name}");
    }
    let body = with(example, "colour", json!("red"));
    assert_eq!(problems(read(body)), [(vec![json!("body"), json!("colour")], "extra_forbidden".to_owned())]);
}

/// Checks an update schema and its reader: its example is valid, each
/// property alone (at the create example's value) is accepted, `null` is
/// accepted exactly for the properties the schema makes nullable, and an
/// unknown property is `extra_forbidden`.
fn assert_update_schema_matches_reader<T>(
    name: &str,
    create: &str,
    read: impl Fn(Map<String, Value>) -> Result<T, ApiError>,
) {
    let document = document();
    let schema = component(&document, name);
    assert_eq!(schema["additionalProperties"], false, "{name}");
    assert!(required(schema).is_empty(), "{name}: nothing is required in a PATCH");
    assert_eq!(problems(read(object(&schema["example"]))), [], "{name}: the example is a valid body");
    let create = component(&document, create);
    let values = object(&create["example"]);
    let alternatives = alternatives(create);
    let shown = alternatives.iter().find(|property| values.contains_key(*property));
    let pairs = exclusive_pairs(schema);
    for property in property_names(schema) {
        // An alternative the create example does not show takes the value of the one it does.
        let stand_in = if alternatives.contains(&property) { shown.cloned() } else { sibling(&pairs, &property) };
        let value = values
            .get(&property)
            .or_else(|| stand_in.and_then(|other| values.get(&other)))
            .cloned()
            .unwrap_or_else(|| panic!("{name}: no example for {property}"));
        assert_eq!(problems(read(with(Map::new(), &property, value))), [], "{name}: {property} is accepted");
        let null = problems(read(with(Map::new(), &property, Value::Null)));
        if is_nullable(&schema["properties"][&property]) {
            assert_eq!(null, [], "{name}: {property} is documented as nullable");
        } else {
            assert_eq!(
                null,
                [(vec![json!("body"), json!(property)], "null_not_allowed".to_owned())],
                "{name}: {property} is documented as not nullable"
            );
        }
    }
    let body = with(Map::new(), "colour", json!("red"));
    assert_eq!(problems(read(body)), [(vec![json!("body"), json!("colour")], "extra_forbidden".to_owned())]);
}

#[test]
fn every_request_body_schema_is_closed_as_its_conversion_refuses_unknown_properties() {
    let document = document();
    let mut bodies = 0;
    for (method, path, operation) in operations(&document) {
        let Some(schema) = operation.pointer("/requestBody/content/application~1json/schema") else { continue };
        bodies += 1;
        assert_eq!(resolve(&document, schema)["additionalProperties"], false, "{method} {path}");
    }
    assert_eq!(bodies, 9, "task, bulk, project, user and webhook bodies");
}

#[test]
fn every_property_of_the_task_create_schema_is_read_by_new_task_and_nothing_else_is() {
    assert_create_schema_matches_reader("TaskCreate", new_task);
}

#[test]
fn every_property_of_the_task_update_schema_is_read_by_task_patch_with_its_documented_nullability() {
    assert_update_schema_matches_reader("TaskUpdate", "TaskCreate", task_patch);
}

#[test]
fn every_property_of_the_project_create_schema_is_read_by_new_project_and_nothing_else_is() {
    assert_create_schema_matches_reader("ProjectCreate", new_project);
}

#[test]
fn every_property_of_the_project_update_schema_is_read_by_project_patch_with_its_documented_nullability() {
    assert_update_schema_matches_reader("ProjectUpdate", "ProjectCreate", project_patch);
}

#[test]
fn every_property_of_the_user_create_schema_is_read_by_new_user_and_nothing_else_is() {
    assert_create_schema_matches_reader("UserCreate", new_user);
}

#[test]
fn every_property_of_the_user_update_schema_is_read_by_user_patch_with_its_documented_nullability() {
    assert_update_schema_matches_reader("UserUpdate", "UserCreate", user_patch);
}

#[test]
fn the_username_rule_is_documented_as_the_domain_checks_it() {
    let document = document();
    for name in ["User", "UserCreate", "UserUpdate"] {
        let username = &component(&document, name)["properties"]["username"];
        assert_eq!(username["pattern"], USERNAME_PATTERN, "{name}");
        assert_eq!((username["minLength"].as_u64(), username["maxLength"].as_u64()), (Some(3), Some(64)), "{name}");
    }
    let create = component(&document, "UserCreate");
    assert_eq!(required(create), BTreeSet::from(["username".to_owned(), "email".to_owned()]));
    assert_eq!(create["properties"]["is_active"]["default"], true);
    assert_eq!(create["properties"]["email"]["format"], "email");
}

#[test]
fn name_is_documented_as_the_alias_of_title_one_of_them_on_create_never_both() {
    let document = document();
    for create in ["TaskCreate", "ProjectCreate"] {
        let schema = component(&document, create);
        assert_eq!(alternatives(schema), ["title", "name"], "{create}");
        assert!(required(schema).is_empty(), "{create}: the oneOf says which is required");
        assert_eq!(schema["properties"]["name"]["minLength"], 1, "{create}");
    }
    let task_update = component(&document, "TaskUpdate");
    assert_eq!(task_update["not"], json!({"required": ["title", "name"]}));
    let project_update = component(&document, "ProjectUpdate");
    assert!(
        project_update["allOf"].as_array().unwrap().contains(&json!({"not": {"required": ["title", "name"]}})),
        "ProjectUpdate: not both, beside the parent's pair"
    );
    let both = object(&json!({"title": "x", "name": "x"}));
    for (what, found) in [
        ("new_task", problems(new_task(both.clone()))),
        ("task_patch", problems(task_patch(both.clone()))),
        ("new_project", problems(new_project(both.clone()))),
        ("project_patch", problems(project_patch(both.clone()))),
    ] {
        assert_eq!(found, [(vec![json!("body"), json!("name")], "value_error".to_owned())], "{what}");
    }
}

#[test]
fn parent_project_id_is_documented_as_the_alias_of_parent_id_never_both() {
    let document = document();
    for body in ["ProjectCreate", "ProjectUpdate"] {
        let schema = component(&document, body);
        let pair = ("parent_id".to_owned(), "parent_project_id".to_owned());
        assert_eq!(exclusive_pairs(schema), [pair], "{body}");
        assert!(is_nullable(&schema["properties"]["parent_project_id"]), "{body}: null detaches, as parent_id");
    }
    let parent = json!("3f0b6c9e-8d1a-4c2b-9e5f-1a2b3c4d5e6f");
    let both = object(&json!({"title": "x", "parent_id": parent, "parent_project_id": parent}));
    for (what, found) in
        [("new_project", problems(new_project(both.clone()))), ("project_patch", problems(project_patch(both)))]
    {
        assert_eq!(found, [(vec![json!("body"), json!("parent_project_id")], "value_error".to_owned())], "{what}");
    }
    let project = component(&document, "Project");
    assert!(required(project).contains("parent_id"), "every project response names its parent, null when none");
}

#[test]
fn a_date_without_an_offset_is_documented_as_the_readers_take_it() {
    let document = document();
    let date = component(&document, "DateOrDateTime");
    let patterns: Vec<&str> =
        date["oneOf"].as_array().into_iter().flatten().filter_map(|choice| choice["pattern"].as_str()).collect();
    assert_eq!(patterns, [trm_api::NAIVE_DATE_TIME_PATTERN]);
    let body = object(&json!({"title": "x", "start_date": "2026-11-26T10:00:00", "due_date": "2026-11-27"}));
    assert_eq!(problems(new_task(body)), []);
}

#[test]
fn every_trimmed_text_that_must_not_be_blank_documents_the_domains_own_pattern() {
    let document = document();
    let fields = [
        ("TaskCreate", "title"),
        ("TaskCreate", "name"),
        ("TaskUpdate", "title"),
        ("TaskUpdate", "name"),
        ("ProjectCreate", "title"),
        ("ProjectCreate", "name"),
        ("ProjectUpdate", "title"),
        ("ProjectUpdate", "name"),
        ("UserCreate", "full_name"),
        ("UserUpdate", "full_name"),
    ];
    for (name, field) in fields {
        let property = &component(&document, name)["properties"][field];
        assert_eq!(property["pattern"], trm_domain::NOT_BLANK_PATTERN, "{name}.{field}");
    }
    for name in ["TaskCreate", "TaskUpdate"] {
        let tag = resolve(&document, &component(&document, name)["properties"]["tags"]["items"]);
        assert_eq!(tag["pattern"], trm_domain::NOT_BLANK_PATTERN, "{name}.tags[]");
    }
    let text = document.to_string();
    assert!(!text.contains(r#""pattern":"\\S""#), "a `\\S` pattern is left: ECMA-262 and Rust disagree on it");
}

#[test]
fn a_text_of_white_space_the_pattern_admits_is_not_blank_to_the_readers() {
    // U+FEFF is white space to ECMA-262 but not to Rust: the documented
    // pattern admits it, and so do the readers.
    let body = object(&json!({"title": "\u{feff}"}));
    assert!(new_task(body).is_ok());
    // U+0085 is white space to Rust but not to ECMA-262: the pattern
    // refuses it, and so do the readers.
    let body = object(&json!({"title": "\u{85}"}));
    assert_eq!(problems(new_task(body)), vec![(vec![json!("body"), json!("title")], "string_too_short".to_owned())]);
}

#[test]
fn the_user_routes_document_their_filter_and_the_409_for_a_taken_username() {
    let document = document();
    let list = document.pointer("/paths/~1api~1v1~1users~1/get/parameters").cloned().unwrap_or_default();
    let is_active = list.as_array().into_iter().flatten().find(|p| p["name"] == "is_active").cloned();
    assert_eq!(is_active.map(|p| p["schema"]["type"].clone()), Some(json!("boolean")));
    for pointer in ["/paths/~1api~1v1~1users~1/post", "/paths/~1api~1v1~1users~1{uid}/patch"] {
        let conflict = document.pointer(&format!("{pointer}/responses/409")).cloned().unwrap_or_default();
        assert_eq!(conflict["$ref"], "#/components/responses/UsernameTaken", "{pointer}");
    }
    let not_found = document.pointer("/components/responses/UserNotFound/content/application~1json/example");
    assert_eq!(not_found, Some(&json!({"detail": "User not found"})));
}

#[test]
fn the_server_managed_properties_of_a_response_are_refused_by_the_body_readers() {
    let document = document();
    let cases: [(&str, &str, Reader<'_>); 6] = [
        ("Task", "TaskCreate", &|body| problems(new_task(with(body, "title", json!("x"))))),
        ("Task", "TaskUpdate", &|body| problems(task_patch(body))),
        ("Project", "ProjectCreate", &|body| problems(new_project(with(body, "title", json!("x"))))),
        ("Project", "ProjectUpdate", &|body| problems(project_patch(body))),
        ("User", "UserCreate", &|body| {
            problems(new_user(with(with(body, "username", json!("ada")), "email", json!("ada@example.com"))))
        }),
        ("User", "UserUpdate", &|body| problems(user_patch(body))),
    ];
    for (response, request, read) in cases {
        let writable = property_names(component(&document, request));
        let managed: Vec<String> =
            property_names(component(&document, response)).into_iter().filter(|p| !writable.contains(p)).collect();
        assert!(managed.contains(&"uid".to_owned()) && managed.contains(&"version".to_owned()), "{request}");
        for property in managed {
            let found = read(with(Map::new(), &property, json!("x")));
            assert_eq!(found, [(vec![json!("body"), json!(property)], "extra_forbidden".to_owned())], "{request}");
        }
    }
}

#[test]
fn a_serialized_task_project_and_user_have_exactly_the_properties_their_schemas_list() {
    let document = document();
    let task = serde_json::to_value(a_task()).unwrap();
    assert_shape(&document, &json!({"$ref": "#/components/schemas/Task"}), &task, "Task");
    let project = serde_json::to_value(a_project()).unwrap();
    assert_shape(&document, &json!({"$ref": "#/components/schemas/Project"}), &project, "Project");
    let user = serde_json::to_value(a_user()).unwrap();
    assert_shape(&document, &json!({"$ref": "#/components/schemas/User"}), &user, "User");
}

#[test]
fn the_response_examples_have_exactly_the_properties_their_schemas_list() {
    let document = document();
    for name in ["Task", "Project", "User", "HTTPError", "HTTPValidationError", "Liveness", "Readiness"] {
        let schema = component(&document, name);
        let example = &schema["example"];
        let keys: BTreeSet<String> = object(example).keys().cloned().collect();
        assert_eq!(keys, property_names(schema).into_iter().collect(), "{name}");
    }
}

#[actix_web::test]
async fn real_error_bodies_have_the_documented_shapes() {
    let document = document();
    let plain: Answer = send(store_down(), TestRequest::get().uri(&concrete("/api/v1/tasks/{uid}"))).await;
    assert_shape(&document, &json!({"$ref": "#/components/schemas/HTTPError"}), &plain.json(), "503");
    let invalid = send(store_down(), TestRequest::post().uri("/api/v1/tasks/").set_json(json!({"tags": [1]}))).await;
    let body = invalid.json();
    assert_eq!(object(&body).keys().collect::<Vec<_>>(), ["detail"]);
    for entry in body["detail"].as_array().into_iter().flatten() {
        assert_shape(&document, &json!({"$ref": "#/components/schemas/ValidationError"}), entry, "422");
        for item in entry["loc"].as_array().into_iter().flatten() {
            assert!(item.is_string() || item.is_u64(), "{item}");
        }
    }
}

#[test]
fn the_enum_schemas_are_the_domains_canonical_values() {
    use trm_domain::{EffortUnit, EnumAdapter, ProjectStatus, TaskStatus, TaskType};
    fn canonical<E: EnumAdapter>() -> Value {
        E::VARIANTS.iter().map(|value| value.as_str()).collect()
    }
    let document = document();
    assert_eq!(component(&document, "TaskStatus")["enum"], canonical::<TaskStatus>());
    assert_eq!(component(&document, "TaskType")["enum"], canonical::<TaskType>());
    assert_eq!(component(&document, "EffortUnit")["enum"], canonical::<EffortUnit>());
    assert_eq!(component(&document, "ProjectStatus")["enum"], canonical::<ProjectStatus>());
    assert_eq!(component(&document, "Priority")["enum"], json!([0, 1, 2]));
    let description = component(&document, "TaskStatus")["description"].as_str().unwrap_or_default().to_owned();
    assert!(description.contains("synonyms") && description.contains("`canceled` → `cancelled`"), "{description}");
}

/// Whether `value` conforms to `schema`, for the keywords the document uses
/// (`$ref`, `type`, `enum`, `oneOf`, `allOf`, `not`, `properties`, `required`,
/// `additionalProperties: false`, `items`, lengths, patterns and bounds). Formats are
/// annotations in OpenAPI 3.1, as in JSON Schema, and are not checked.
fn conforms(document: &Value, schema: &Value, value: &Value) -> Result<(), String> {
    let schema = resolve(document, schema);
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::Array(types) => types.iter().filter_map(Value::as_str).collect(),
            other => other.as_str().into_iter().collect(),
        };
        let matches = |name: &str| match name {
            "null" => value.is_null(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            _ => false,
        };
        if !types.iter().any(|name| matches(name)) {
            return Err(format!("{value} is not of type {types:?}"));
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        return Err(format!("{value} is not one of {allowed:?}"));
    }
    if let Some(choices) = schema.get("oneOf").and_then(Value::as_array) {
        let matching = choices.iter().filter(|choice| conforms(document, choice, value).is_ok()).count();
        if matching != 1 {
            return Err(format!("{value} matches {matching} of the oneOf choices"));
        }
    }
    for part in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        conforms(document, part, value)?;
    }
    if let Some(excluded) = schema.get("not")
        && conforms(document, excluded, value).is_ok()
    {
        return Err(format!("{value} matches what `not` excludes"));
    }
    if let Some(text) = value.as_str() {
        let well_formed = match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
            Some("date") => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok() && text.len() == 10,
            _ => true,
        };
        if !well_formed {
            return Err(format!("{value} is not of its format"));
        }
        if let Some(pattern) = schema.get("pattern").and_then(Value::as_str)
            && !regex::Regex::new(pattern).map_err(|error| error.to_string())?.is_match(text)
        {
            return Err(format!("{value} does not match {pattern}"));
        }
        let length = text.chars().count();
        if schema.get("minLength").and_then(Value::as_u64).is_some_and(|min| (length as u64) < min)
            || schema.get("maxLength").and_then(Value::as_u64).is_some_and(|max| (length as u64) > max)
        {
            return Err(format!("{value} has the wrong length"));
        }
    }
    if let Some(number) = value.as_f64()
        && (schema.get("minimum").and_then(Value::as_f64).is_some_and(|min| number < min)
            || schema.get("maximum").and_then(Value::as_f64).is_some_and(|max| number > max))
    {
        return Err(format!("{value} is out of bounds"));
    }
    if let Some(items) = value.as_array() {
        if schema.get("maxItems").and_then(Value::as_u64).is_some_and(|max| items.len() as u64 > max) {
            return Err(format!("{value} has too many items"));
        }
        if let Some(item_schema) = schema.get("items") {
            for item in items {
                conforms(document, item_schema, item)?;
            }
        }
    }
    if let Some(fields) = value.as_object() {
        let properties = schema.get("properties").and_then(Value::as_object);
        for name in required(schema) {
            if !fields.contains_key(&name) {
                return Err(format!("{name} is missing"));
            }
        }
        for (name, field) in fields {
            match properties.and_then(|properties| properties.get(name)) {
                Some(property) => conforms(document, property, field).map_err(|error| format!("{name}: {error}"))?,
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    return Err(format!("{name} is not allowed"));
                }
                None => {}
            }
        }
    }
    Ok(())
}

#[test]
fn the_schema_checker_of_these_tests_rejects_what_it_should() {
    let document = document();
    let task_create = json!({"$ref": "#/components/schemas/TaskCreate"});
    assert!(conforms(&document, &task_create, &json!({"title": "x", "status": "todo"})).is_ok());
    assert!(conforms(&document, &task_create, &json!({"title": "x", "status": "In Progress"})).is_err());
    assert!(conforms(&document, &task_create, &json!({"title": ""})).is_err());
    assert!(conforms(&document, &task_create, &json!({"status": "todo"})).is_err());
    assert!(conforms(&document, &task_create, &json!({"title": "x", "colour": "red"})).is_err());
    assert!(conforms(&document, &task_create, &json!({"title": "x", "task_type": null})).is_ok());
    assert!(conforms(&document, &task_create, &json!({"title": "x", "status": null})).is_err());
    assert!(conforms(&document, &task_create, &json!({"title": "x", "priority": 3})).is_err());
    assert!(conforms(&document, &task_create, &json!({"title": "x", "due_date": "2026-12-01"})).is_ok());
    assert!(conforms(&document, &task_create, &json!({"title": "x", "due_date": "2026-12-01T17:00:00Z"})).is_ok());
    assert!(conforms(&document, &task_create, &json!({"title": "x", "due_date": "next week"})).is_err());
    assert!(conforms(&document, &task_create, &json!({"title": "x", "due_date": "2026-12-01T17:00:00"})).is_ok());
    assert!(conforms(&document, &task_create, &json!({"title": "x", "due_date": "2026-12-01 17:00:00.5"})).is_ok());
    assert!(conforms(&document, &task_create, &json!({"title": "x", "due_date": "2026-02-30T17:00:00"})).is_err());
    assert!(conforms(&document, &task_create, &json!({"title": " "})).is_err());
    assert!(conforms(&document, &task_create, &json!({"name": "x"})).is_ok());
    assert!(conforms(&document, &task_create, &json!({"name": "x", "title": "x"})).is_err());
    assert!(conforms(&document, &task_create, &json!({"name": ""})).is_err());
    let task_update = json!({"$ref": "#/components/schemas/TaskUpdate"});
    assert!(conforms(&document, &task_update, &json!({})).is_ok());
    assert!(conforms(&document, &task_update, &json!({"name": "x"})).is_ok());
    assert!(conforms(&document, &task_update, &json!({"name": "x", "title": "y"})).is_err());
    let user_create = json!({"$ref": "#/components/schemas/UserCreate"});
    assert!(conforms(&document, &user_create, &json!({"username": "ada", "email": "ada@example.com"})).is_ok());
    assert!(conforms(&document, &user_create, &json!({"username": "ab", "email": "ada@example.com"})).is_err());
    assert!(
        conforms(&document, &user_create, &json!({"username": "ada", "email": "ada@example.com", "is_active": null}))
            .is_err()
    );
    assert!(
        conforms(&document, &user_create, &json!({"username": "ada", "email": "ada@example.com", "full_name": null}))
            .is_ok()
    );
}

#[test]
fn every_example_in_the_document_conforms_to_its_own_schema() {
    let document = document();
    let mut checked = 0;
    for (name, schema) in document["components"]["schemas"].as_object().into_iter().flatten() {
        let examples = schema.get("example").into_iter().chain(schema["examples"].as_array().into_iter().flatten());
        for example in examples {
            conforms(&document, schema, example).unwrap_or_else(|error| panic!("the example of {name}: {error}"));
            checked += 1;
        }
        for (property, property_schema) in schema["properties"].as_object().into_iter().flatten() {
            for example in property_schema["examples"].as_array().into_iter().flatten() {
                conforms(&document, property_schema, example)
                    .unwrap_or_else(|error| panic!("an example of {name}.{property}: {error}"));
                checked += 1;
            }
        }
    }
    for (method, path, operation) in operations(&document) {
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            if let Some(example) = parameter.get("example") {
                conforms(&document, &parameter["schema"], example)
                    .unwrap_or_else(|error| panic!("{method} {path} {}: {error}", parameter["name"]));
                checked += 1;
            }
        }
    }
    for (name, response) in document["components"]["responses"].as_object().into_iter().flatten() {
        let content = &response["content"]["application/json"];
        conforms(&document, &content["schema"], &content["example"])
            .unwrap_or_else(|error| panic!("the example of the {name} response: {error}"));
        checked += 1;
    }
    assert!(checked > 30, "only {checked} examples");
}

#[test]
fn the_idempotency_key_header_is_documented_on_every_create() {
    let document = document();
    for path in ["/api/v1/tasks/", "/api/v1/projects/", "/api/v1/users/"] {
        let operation = &document["paths"][path]["post"];
        let documented = operation["parameters"].as_array().into_iter().flatten().any(|parameter| {
            parameter["name"] == "Idempotency-Key"
                && parameter["in"] == "header"
                && parameter["required"] != true
                && parameter["schema"]["maxLength"] == trm_api::MAX_KEY_LENGTH
        });
        assert!(documented, "POST {path}: no Idempotency-Key header parameter");
        assert!(operation["responses"]["409"].is_object(), "POST {path}: no 409 for a key still in progress");
    }
}
