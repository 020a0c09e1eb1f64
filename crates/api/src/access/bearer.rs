//! Reading `Authorization: Bearer <key>` — defensively, since every byte of
//! it comes from whoever is calling.
//!
//! The scheme is matched case-insensitively (RFC 9110 §11.1); exactly one
//! header, visible ASCII only, one token after the scheme. Anything else —
//! a `Basic` header, an empty token, two headers, bytes that are not text —
//! is simply "no key", which the guard answers with 401, never 500.

use actix_web::http::header::{AUTHORIZATION, HeaderMap};

/// What the request's `Authorization` header holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credentials<'r> {
    /// No `Authorization` header at all.
    Absent,
    /// A header that is not one well-formed bearer token.
    Malformed,
    /// A bearer token (not yet checked to be a key).
    Bearer(&'r str),
}

/// Reads the bearer token of a request's headers.
#[must_use]
pub fn credentials(headers: &HeaderMap) -> Credentials<'_> {
    let mut values = headers.get_all(AUTHORIZATION);
    let Some(value) = values.next() else { return Credentials::Absent };
    if values.next().is_some() {
        return Credentials::Malformed;
    }
    let Ok(text) = value.to_str() else { return Credentials::Malformed };
    let Some((scheme, token)) = text.trim().split_once(' ') else { return Credentials::Malformed };
    let token = token.trim_start_matches(' ');
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.contains(char::is_whitespace) {
        return Credentials::Malformed;
    }
    Credentials::Bearer(token)
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::HeaderValue;

    use super::*;

    fn with(values: &[&[u8]]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(AUTHORIZATION, HeaderValue::from_bytes(value).unwrap());
        }
        headers
    }

    #[test]
    fn a_bearer_token_is_read_whatever_the_case_of_the_scheme() {
        assert_eq!(credentials(&with(&[b"Bearer trm_abc"])), Credentials::Bearer("trm_abc"));
        assert_eq!(credentials(&with(&[b"bearer   trm_abc "])), Credentials::Bearer("trm_abc"));
        assert_eq!(credentials(&with(&[b"BEARER trm_abc"])), Credentials::Bearer("trm_abc"));
    }

    #[test]
    fn no_header_is_absent() {
        assert_eq!(credentials(&HeaderMap::new()), Credentials::Absent);
    }

    #[test]
    fn anything_but_one_bearer_token_is_malformed() {
        for value in [
            &b"Basic dXNlcjpwYXNz"[..],
            b"Bearer",
            b"Bearer ",
            b"Bearertrm_abc",
            b"Bearer a b",
            b"Bearer \xff\xfe",
            b"trm_abc",
        ] {
            assert_eq!(credentials(&with(&[value])), Credentials::Malformed, "{value:?}");
        }
        assert_eq!(credentials(&with(&[b"Bearer a", b"Bearer b"])), Credentials::Malformed);
    }
}
