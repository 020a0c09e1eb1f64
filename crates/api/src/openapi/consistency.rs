//! `X-TRM-Bookmark` in the document: a response header of every write
//! under `/api/v1` (its 2xx answers), an optional request header of every
//! read there, with the 422 it can cause. Added here, once, like the
//! request id, so that no handler attribute can forget it.

use utoipa::ToResponse as _;
use utoipa::openapi::OpenApi as Document;
use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{Ref, RefOr, Required};

use crate::consistency::BOOKMARK_HEADER_NAME;
use crate::schemas::errors::InvalidRequest;
use trm_service::consistency::MAX_BOOKMARK_LENGTH;

/// Adds the header to the operations of `document`.
pub(super) fn add_bookmark_headers(document: &mut Document) {
    let (response_header, parameter) = (response_header(), parameter());
    let invalid_request = InvalidRequest::response().0;
    for (path, item) in &mut document.paths.paths {
        if !path.starts_with("/api/v1") {
            continue;
        }
        let PathItem { get, post, patch, put, delete, .. } = item;
        if let Some(read) = get {
            read.parameters.get_or_insert_with(Vec::new).push(RefOr::T(parameter.clone()));
            read.responses
                .responses
                .entry("422".to_owned())
                .or_insert_with(|| RefOr::Ref(Ref::from_response_name(invalid_request)));
        }
        for write in [post, patch, put, delete].into_iter().flatten() {
            for (status, response) in &mut write.responses.responses {
                if let (true, RefOr::T(response)) = (status.starts_with('2'), response) {
                    response.headers.insert(BOOKMARK_HEADER_NAME.to_owned(), RefOr::T(response_header.clone()));
                }
            }
        }
    }
}

fn string_schema() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::new(Type::String))
}

fn response_header() -> Header {
    HeaderBuilder::new()
        .schema(Some(string_schema()))
        .description(Some(
            "On Neo4j, the bookmark of the last transaction this request committed: send it back in \
             `X-TRM-Bookmark` on a later read to be sure that read sees this write, whichever cluster member \
             answers it. Absent on SQLite and when nothing was committed.",
        ))
        .build()
}

fn parameter() -> Parameter {
    ParameterBuilder::new()
        .name(BOOKMARK_HEADER_NAME)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "A bookmark from an earlier write's response. When Neo4j reads go to the cluster's readers, the \
             read waits (within the server's timeout, 503 beyond) until the member answering it has applied \
             that write; elsewhere it is accepted and changes nothing. Not a bookmark (1 to 1024 visible ASCII \
             characters), or one Neo4j does not recognise: 422 at `[\"header\", \"X-TRM-Bookmark\"]`.",
        ))
        .schema(Some(
            string_schema()
                .min_length(Some(1))
                .max_length(Some(MAX_BOOKMARK_LENGTH))
                .pattern(Some(format!("^[!-~]{{1,{MAX_BOOKMARK_LENGTH}}}$"))),
        ))
        .build()
}
