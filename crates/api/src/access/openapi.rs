//! The OpenAPI document's side of access control: the `bearer` security
//! scheme, so Swagger UI's "Authorize" button takes a key and sends it, and
//! on every `/api/v1` operation the requirement and the answers access
//! control may give (401, 403 for the writes, 429).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, Ref, RefOr};
use utoipa::{Modify, ToResponse};

use crate::schemas::errors::{NotAuthenticated, ReadOnlyKey, TooManyRequests};

/// The scheme's name in `components.securitySchemes`.
pub const SCHEME: &str = "bearer";

/// Adds the scheme and, to each `/api/v1` operation, its requirement and
/// responses.
#[derive(Debug, Clone, Copy)]
pub struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, document: &mut Document) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("trm_…")
            .description(Some(
                "An API key from `trm-server keys create --name NAME --scope read|write`, sent as \
                 `Authorization: Bearer <key>`. Required on every `/api/v1` route once any key exists (or \
                 when the server is configured to require keys); a `read` key may only `GET`.",
            ))
            .build();
        let components = document.components.get_or_insert_with(Default::default);
        components.security_schemes.insert(SCHEME.to_owned(), RefOr::T(SecurityScheme::Http(scheme)));
        for (name, response) in [NotAuthenticated::response(), ReadOnlyKey::response(), TooManyRequests::response()] {
            components.responses.insert(name.to_owned(), response);
        }
        let requirement = SecurityRequirement::new(SCHEME, Vec::<String>::new());
        for (path, item) in &mut document.paths.paths {
            if !path.starts_with("/api/v1") {
                continue;
            }
            let reads = [&mut item.get, &mut item.head, &mut item.options];
            let writes = [&mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
            let operations = reads.into_iter().map(|op| (op, false)).chain(writes.into_iter().map(|op| (op, true)));
            for (operation, writes) in operations {
                let Some(operation) = operation.as_mut() else { continue };
                operation.security = Some(vec![requirement.clone()]);
                let responses = &mut operation.responses.responses;
                let mut refer = |status: &str, name: &str| {
                    responses.entry(status.to_owned()).or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
                };
                refer("401", NotAuthenticated::response().0);
                if writes {
                    refer("403", ReadOnlyKey::response().0);
                }
                refer("429", TooManyRequests::response().0);
            }
        }
    }
}
