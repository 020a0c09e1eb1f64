//! `[auth]`, `[rate_limit]` and `[cors]`: access control, applied by
//! [`crate::access`].

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// API keys.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthSettings {
    /// Unset: keys are required once one exists, and a non-loopback
    /// address is refused while none does. `true`: keys are required even
    /// before the first exists. `false`: serving a non-loopback address with
    /// no key is allowed (keys, once created, are still required). An
    /// `Option` because unset and an explicit `false` differ.
    pub required: Option<bool>,
    /// Whether `/docs`, `/openapi.json` and `/metrics` stay open while keys
    /// are required.
    pub public_docs: bool,
    /// Seconds a verified key (and whether any key exists) is trusted
    /// without asking the store: the longest a revoke made elsewhere takes
    /// to reach this server. 0 asks the store on every request.
    pub cache_ttl_secs: f64,
}

impl AuthSettings {
    /// The cache lifetime as a duration.
    #[must_use]
    pub fn cache_ttl(&self) -> Duration {
        Duration::from_secs_f64(self.cache_ttl_secs.max(0.0))
    }
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self { required: None, public_docs: true, cache_ttl_secs: trm_service::DEFAULT_CACHE_TTL.as_secs_f64() }
    }
}

/// Per-client rate limits.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitSettings {
    /// Unset: on unless the server binds a loopback address (where the
    /// only clients are local). `true`/`false` forces it.
    pub enabled: Option<bool>,
    /// Sustained requests per minute per client.
    pub per_minute: u32,
    /// Requests a client may make at once before the rate applies.
    pub burst: u32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self { enabled: None, per_minute: 600, burst: 100 }
    }
}

/// Cross-origin requests from browsers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CorsSettings {
    /// Origins (`https://app.example.com`) allowed to call the API; empty
    /// keeps CORS closed.
    pub allowed_origins: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::configuration::tests::load_with;

    #[test]
    fn access_control_defaults_to_keys_when_they_exist_public_docs_and_closed_cors() {
        let settings = load_with(&[]).unwrap();
        assert_eq!(settings.auth, AuthSettings { required: None, public_docs: true, cache_ttl_secs: 5.0 });
        assert_eq!(settings.rate_limit.enabled, None);
        assert!(settings.cors.allowed_origins.is_empty());
    }

    #[test]
    fn an_explicit_false_is_told_apart_from_an_unset_requirement() {
        let off = load_with(&[("TRM__AUTH__REQUIRED", "false")]).unwrap();
        assert_eq!(off.auth.required, Some(false));
        let on = load_with(&[("TRM__AUTH__REQUIRED", "TRUE"), ("TRM__AUTH__PUBLIC_DOCS", "false")]).unwrap();
        assert_eq!(on.auth.required, Some(true));
        assert!(!on.auth.public_docs);
    }

    #[test]
    fn rate_limits_and_cors_origins_come_from_the_environment() {
        let settings = load_with(&[
            ("TRM__RATE_LIMIT__ENABLED", "true"),
            ("TRM__RATE_LIMIT__PER_MINUTE", "120"),
            ("TRM__RATE_LIMIT__BURST", "10"),
            ("TRM__CORS__ALLOWED_ORIGINS", "https://app.example.com,http://localhost:3000"),
        ])
        .unwrap();
        assert_eq!(settings.rate_limit, RateLimitSettings { enabled: Some(true), per_minute: 120, burst: 10 });
        assert_eq!(settings.cors.allowed_origins, ["https://app.example.com", "http://localhost:3000"]);
        let one = load_with(&[("TRM__CORS__ALLOWED_ORIGINS", "https://app.example.com")]).unwrap();
        assert_eq!(one.cors.allowed_origins, ["https://app.example.com"]);
    }

    #[test]
    fn a_bad_rate_limit_or_origin_stops_start_up_naming_it() {
        let error = format!("{:#}", load_with(&[("TRM__RATE_LIMIT__BURST", "0")]).unwrap_err());
        assert!(error.contains("rate_limit.burst"), "{error}");
        let error = format!("{:#}", load_with(&[("TRM__CORS__ALLOWED_ORIGINS", "*")]).unwrap_err());
        assert!(error.contains("cors.allowed_origins"), "{error}");
    }
}
