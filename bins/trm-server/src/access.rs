//! Turning the `auth`, `rate_limit` and `cors` settings into the API's
//! [`AccessControl`], and the start-up rule that keeps an unprotected API
//! off the network.
//!
//! The rule: with no active API key, the API is open — fine on loopback,
//! where only this machine can call it, and refused on any other address
//! unless `auth.required` is set explicitly: `true` (keys required, so the
//! API is closed until the first key exists) or `false` (the operator
//! knowingly serves an open API, e.g. behind an authenticating proxy).
//! Unset and `false` differ only here: a key, once created, is required
//! either way.
//!
//! When the store cannot be asked at start-up (Neo4j still down: the server
//! starts anyway and answers 503 until it is back), a non-loopback server
//! with `auth.required` unset requires keys rather than risk opening up.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use trm_api::access::AccessControl;
use trm_api::access::cors::AllowedOrigins;
use trm_api::access::rate_limit::RateLimit;
use trm_service::{AccessUseCases, ServiceError};

use crate::configuration::{RateLimitSettings, Settings};

/// Why the server will not start.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// An open API on a non-loopback address.
    #[error(
        "refusing to serve on {0}: no API key exists, so anyone who can reach this address could use the API. \
         Create a key with `trm-server keys create --name NAME --scope write`, bind 127.0.0.1, or set \
         TRM__AUTH__REQUIRED=false to serve without keys on purpose (or true to require keys before the first exists)"
    )]
    OpenOnTheNetwork(String),
    /// A setting that cannot be used (checked when loaded; kept for callers
    /// that build settings by hand).
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

/// Whether `host` is a loopback address (`127.0.0.0/8`, `::1`,
/// `localhost`); anything else, names included, may be reachable from
/// elsewhere.
#[must_use]
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The rate limit the settings ask for on `host`: on by default unless
/// loopback.
///
/// # Errors
/// When the rate or burst is zero.
pub fn rate_limit(settings: &RateLimitSettings, host: &str) -> Result<Option<RateLimit>, AccessError> {
    if !settings.enabled.unwrap_or(!is_loopback(host)) {
        return Ok(None);
    }
    let positive = |value: u32, key: &str| {
        NonZeroU32::new(value).ok_or_else(|| AccessError::Invalid(format!("{key} must be at least 1")))
    };
    Ok(Some(RateLimit {
        per_minute: positive(settings.per_minute, "rate_limit.per_minute")?,
        burst: positive(settings.burst, "rate_limit.burst")?,
    }))
}

/// The access control of a server with these settings over these keys.
///
/// # Errors
/// [`AccessError::OpenOnTheNetwork`] by the start-up rule above, and
/// [`AccessError::Invalid`] for unusable settings.
pub async fn control(settings: &Settings, keys: Arc<dyn AccessUseCases>) -> Result<AccessControl, AccessError> {
    let host = settings.server.host.as_str();
    let always_required = match settings.auth.required {
        Some(required) => required,
        None if is_loopback(host) => false,
        None => match keys.keys_exist().await {
            Ok(true) => false,
            Ok(false) => return Err(AccessError::OpenOnTheNetwork(host.to_owned())),
            Err(ServiceError::Unavailable(cause)) => {
                tracing::warn!(
                    error = format!("{cause:#}"),
                    "cannot tell whether API keys exist; requiring them until the store answers"
                );
                true
            }
            Err(other) => return Err(AccessError::Invalid(format!("cannot read the API keys: {other:#}"))),
        },
    };
    let origins = AllowedOrigins::parse(&settings.cors.allowed_origins)
        .map_err(|error| AccessError::Invalid(format!("cors.allowed_origins: {error}")))?;
    Ok(AccessControl::with_keys(keys)
        .always_required(always_required)
        .public_docs(settings.auth.public_docs)
        .rate_limited(rate_limit(&settings.rate_limit, host)?)
        .allow_origins(origins))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use trm_service::MockAccessUseCases;

    use super::*;
    use crate::configuration::load_from;

    fn settings(vars: &[(&str, &str)]) -> Settings {
        let env: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        load_from(&env).unwrap()
    }

    fn keys(exist: bool) -> Arc<dyn AccessUseCases> {
        let mut keys = MockAccessUseCases::new();
        keys.expect_keys_exist().returning(move || Ok(exist));
        Arc::new(keys)
    }

    #[test]
    fn loopback_addresses_are_recognised_and_nothing_else_is() {
        for host in ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"] {
            assert!(is_loopback(host), "{host}");
        }
        for host in ["0.0.0.0", "::", "192.168.1.10", "example.com", ""] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[tokio::test]
    async fn a_network_address_with_no_key_is_refused_with_advice() {
        let error = control(&settings(&[("TRM__SERVER__HOST", "0.0.0.0")]), keys(false)).await.unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("0.0.0.0") && message.contains("keys create") && message.contains("TRM__AUTH__REQUIRED")
        );
    }

    #[tokio::test]
    async fn a_network_address_starts_once_a_key_exists_or_when_told_explicitly() {
        assert!(control(&settings(&[("TRM__SERVER__HOST", "0.0.0.0")]), keys(true)).await.is_ok());
        for required in ["true", "false"] {
            let settings = settings(&[("TRM__SERVER__HOST", "0.0.0.0"), ("TRM__AUTH__REQUIRED", required)]);
            assert!(control(&settings, Arc::new(MockAccessUseCases::new())).await.is_ok(), "{required}");
        }
    }

    #[tokio::test]
    async fn loopback_starts_open_without_asking_the_store() {
        assert!(control(&settings(&[]), Arc::new(MockAccessUseCases::new())).await.is_ok());
    }

    #[tokio::test]
    async fn a_store_that_cannot_answer_at_start_up_does_not_open_a_network_address() {
        let mut keys = MockAccessUseCases::new();
        keys.expect_keys_exist().returning(|| Err(ServiceError::Unavailable(anyhow::anyhow!("down"))));
        let access = control(&settings(&[("TRM__SERVER__HOST", "0.0.0.0")]), Arc::new(keys)).await.unwrap();
        assert!(format!("{access:?}").contains("always_required: true"), "{access:?}");
    }

    #[test]
    fn rate_limiting_is_off_on_loopback_and_on_elsewhere_unless_configured() {
        let defaults = RateLimitSettings::default();
        assert_eq!(rate_limit(&defaults, "127.0.0.1").unwrap(), None);
        assert!(rate_limit(&defaults, "0.0.0.0").unwrap().is_some());
        let forced = RateLimitSettings { enabled: Some(true), ..defaults.clone() };
        assert!(rate_limit(&forced, "127.0.0.1").unwrap().is_some());
        let off = RateLimitSettings { enabled: Some(false), ..defaults };
        assert_eq!(rate_limit(&off, "0.0.0.0").unwrap(), None);
    }
}
