//! `[webhooks]`: how deliveries to subscribers are timed and where they may go.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Webhook deliveries.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhooksSettings {
    /// Seconds between attempts of a failing delivery; `n` delays make
    /// `n + 1` attempts in all, after which the subscription is disabled.
    pub retry_schedule_secs: Vec<u64>,
    /// Whether subscriptions may call loopback, private and link-local
    /// addresses (refused by default: server-side request forgery).
    pub allow_private_destinations: bool,
    /// Seconds a receiver has to answer a delivery with a 2xx.
    pub timeout_secs: f64,
    /// Seconds an instance holds a subscription it works on; a killed
    /// instance's subscriptions are taken over after this.
    pub lease_secs: u64,
}

impl Default for WebhooksSettings {
    fn default() -> Self {
        Self {
            retry_schedule_secs: vec![5, 30, 120, 600, 3600, 21_600],
            allow_private_destinations: false,
            timeout_secs: 10.0,
            lease_secs: 60,
        }
    }
}

impl WebhooksSettings {
    /// The retry schedule.
    #[must_use]
    pub fn schedule(&self) -> trm_domain::RetrySchedule {
        trm_domain::RetrySchedule::new(self.retry_schedule_secs.iter().map(|secs| Duration::from_secs(*secs)).collect())
    }

    /// How long a claim on a subscription lasts.
    #[must_use]
    pub fn lease(&self) -> Duration {
        Duration::from_secs(self.lease_secs)
    }

    /// The receivers' deadline.
    #[must_use]
    pub fn timeout(&self) -> Duration {
        Duration::from_secs_f64(self.timeout_secs)
    }
}
