//! `ETag` and `If-Match`: optimistic concurrency on the wire.
//!
//! An entity's ETag is its `version` in quotes. A client that sends the
//! ETag back in `If-Match` gets its PATCH or DELETE applied only if nobody
//! changed the entity since — otherwise 412 and nothing changes.

use actix_web::HttpRequest;
use actix_web::http::header;

/// The ETag of an entity at `version`.
#[must_use]
pub(crate) fn etag(version: u64) -> String {
    format!("\"{version}\"")
}

/// The version an `If-Match` header requires, if any.
///
/// `*` (or no header) requires nothing. A header naming no version this API
/// could have issued requires version 0, which no entity ever has (versions
/// start at 1), so the request fails its precondition as HTTP says it must.
/// `If-Match` compares strongly (RFC 9110 §13.1.1): a weak tag (`W/"3"`)
/// never matches, whatever its value.
#[must_use]
pub(crate) fn if_match(request: &HttpRequest) -> Option<u64> {
    let value = request.headers().get(header::IF_MATCH)?;
    let Ok(text) = value.to_str() else {
        return Some(0);
    };
    let mut versions = Vec::new();
    for tag in text.split(',').map(str::trim) {
        if tag == "*" {
            return None;
        }
        if tag.starts_with("W/") {
            versions.push(0);
            continue;
        }
        let version = tag.strip_prefix('"').and_then(|t| t.strip_suffix('"')).and_then(|t| t.parse::<u64>().ok());
        versions.push(version.unwrap_or(0));
    }
    // A list of several ETags is satisfied by the first one we issued.
    Some(versions.into_iter().find(|v| *v > 0).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn with(value: &str) -> Option<u64> {
        if_match(&TestRequest::default().insert_header((header::IF_MATCH, value)).to_http_request())
    }

    #[test]
    fn if_match_reads_strong_etags_and_never_matches_a_weak_one() {
        assert_eq!(with("\"3\""), Some(3));
        assert_eq!(with("W/\"4\""), Some(0));
        assert_eq!(with("W/\"4\", \"5\""), Some(5));
        assert_eq!(with("*"), None);
        assert_eq!(if_match(&TestRequest::default().to_http_request()), None);
    }

    #[test]
    fn an_if_match_we_never_issued_can_never_match() {
        assert_eq!(with("\"abc\""), Some(0));
        assert_eq!(with("3"), Some(0));
    }
}
