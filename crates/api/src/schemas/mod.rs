//! The response bodies of the API, and the OpenAPI schemas of the values
//! request bodies carry.
//!
//! Responses are plain serializable structs built from entities, so the
//! wire format is declared here, not inferred from the domain; their
//! schemas are derived from the structs themselves. The request bodies are
//! defined once, with their schemas, in [`crate::wire`]; the query
//! parameters, which are not read through serde, are described by
//! documentation types ([`query::TaskListQuery`], …) whose tests check them
//! against the readers; the enums' schemas are generated from the domain's
//! EnumAdapter tables ([`enums`]).

pub(crate) mod alias;
pub(crate) mod errors;
pub(crate) mod event;
pub(crate) mod health;
pub(crate) mod overview;
pub(crate) mod query;
pub(crate) mod task;
pub(crate) mod user;
pub(crate) mod webhook;
