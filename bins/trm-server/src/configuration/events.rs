//! `[events]`: whether writes store domain events, how long they are kept,
//! and how they reach the other instances (NATS, else the durable log alone).

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Domain events across instances.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct EventsSettings {
    /// `nats://HOST:PORT` of the NATS server that relays events between
    /// instances; absent (or blank), each instance only sees its own events.
    pub nats_url: Option<String>,
    /// The NATS subject events are published on; instances sharing it see
    /// each other's events.
    pub subject: String,
    /// Whether writes store domain events at all. Off, nothing is stored,
    /// streamed, kept or delivered: for deployments that only need the
    /// entities, and to measure what the event log costs a write.
    pub enabled: bool,
    /// Days an event stays in the durable log before it is pruned.
    pub retention_days: u32,
    /// Longest wait, in milliseconds, between two reads of the event log
    /// for events other instances wrote (NATS, when configured, wakes the
    /// reader sooner).
    pub poll_interval_ms: u64,
}

impl EventsSettings {
    /// The subject used when none is configured.
    pub const DEFAULT_SUBJECT: &'static str = "trm.events";

    /// The retention when none is configured.
    pub const DEFAULT_RETENTION_DAYS: u32 = 30;

    /// How long events are kept.
    #[must_use]
    pub fn retention(&self) -> Duration {
        Duration::from_secs(u64::from(self.retention_days) * 24 * 60 * 60)
    }

    /// The longest wait between two reads of the event log.
    #[must_use]
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms)
    }

    /// The NATS URL, when one is configured and not blank.
    #[must_use]
    pub fn nats_url(&self) -> Option<&str> {
        self.nats_url.as_deref().map(str::trim).filter(|url| !url.is_empty())
    }
}

impl Default for EventsSettings {
    fn default() -> Self {
        Self {
            nats_url: None,
            subject: Self::DEFAULT_SUBJECT.to_owned(),
            enabled: true,
            retention_days: Self::DEFAULT_RETENTION_DAYS,
            poll_interval_ms: 500,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::configuration::tests::load_with;

    #[test]
    fn events_stay_in_process_unless_a_nats_url_is_configured() {
        let settings = load_with(&[]).unwrap();
        assert_eq!(settings.events, EventsSettings::default());
        assert_eq!(settings.events.nats_url(), None);
        assert_eq!(settings.events.subject, "trm.events");
        let blank = load_with(&[("TRM__EVENTS__NATS_URL", " ")]).unwrap();
        assert_eq!(blank.events.nats_url(), None, "a blank URL means no relay");
    }

    #[test]
    fn the_nats_relay_is_configured_from_the_environment() {
        let settings = load_with(&[
            ("TRM__EVENTS__NATS_URL", "nats://127.0.0.1:4222"),
            ("TRM__EVENTS__SUBJECT", "trm.staging.events"),
        ])
        .unwrap();
        assert_eq!(settings.events.nats_url(), Some("nats://127.0.0.1:4222"));
        assert_eq!(settings.events.subject, "trm.staging.events");
    }

    #[test]
    fn a_subject_with_wildcards_or_empty_tokens_is_rejected() {
        for subject in ["trm.*", "trm.>", "trm..events", "trm events", "."] {
            let error = format!("{:#}", load_with(&[("TRM__EVENTS__SUBJECT", subject)]).unwrap_err());
            assert!(error.contains("events.subject"), "{subject}: {error}");
        }
    }
}
