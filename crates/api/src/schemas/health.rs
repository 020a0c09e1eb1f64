//! The bodies of the health probes.
//!
//! Fixed bodies, for people reading a probe's answer by hand; orchestrators
//! only look at the status code. A failed readiness check is an ordinary
//! 503 in the contract's error shape (`{"detail": "Database unavailable"}`).

use serde::Serialize;
use utoipa::ToSchema;

/// The body of a 200 from `GET /livez`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub(crate) struct Liveness {
    /// Always `ok`: a process that can answer is alive.
    pub status: LivenessStatus,
}

impl Liveness {
    /// The only answer.
    pub(crate) const OK: Self = Self { status: LivenessStatus::Ok };
}

/// The one value of a liveness answer's `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LivenessStatus {
    /// Alive.
    Ok,
}

/// The body of a 200 from `GET /readyz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"status": "ready"}))]
pub(crate) struct Readiness {
    /// Always `ready`: the store answered in time.
    pub status: ReadinessStatus,
}

impl Readiness {
    /// The only successful answer.
    pub(crate) const READY: Self = Self { status: ReadinessStatus::Ready };
}

/// The one value of a readiness answer's `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ReadinessStatus {
    /// Ready to serve.
    Ready,
}
