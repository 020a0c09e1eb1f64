//! Webhooks: subscriptions that receive the durable event log over HTTP,
//! signed per the Standard Webhooks specification, at least once, in log
//! order per subscription.
//!
//! This module holds the vocabulary — a [`Webhook`] with its validated
//! [`WebhookUrl`] and its [`WebhookSecret`], a [`Delivery`] with its
//! [`Attempt`]s — and the two rules that are pure functions: how a delivery
//! is signed ([`WebhookSecret::sign`]) and when the next attempt is due
//! ([`RetrySchedule`]). Storing, claiming and sending are the other layers'.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::FieldErrorKind;
use crate::event::EventPosition;
pub use crate::ids::{DeliveryId, WebhookId};
use crate::time::Timestamp;

/// The prefix of every secret, as the Standard Webhooks libraries expect.
pub const SECRET_PREFIX: &str = "whsec_";

/// Bytes of key material in a generated secret (192 bits).
const SECRET_BYTES: usize = 24;

/// The longest URL a subscription may name.
pub const MAX_URL_LENGTH: usize = 2048;

/// A signing secret, `whsec_` and the base64 of its key bytes; printing it
/// shows `WebhookSecret(***)`.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(***)")
    }
}

impl WebhookSecret {
    /// A fresh secret from the operating system's CSPRNG.
    ///
    /// # Errors
    /// When the operating system cannot supply randomness.
    pub fn generate() -> Result<Self, ring::error::Unspecified> {
        let mut bytes = [0_u8; SECRET_BYTES];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)?;
        Ok(Self(format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))))
    }

    /// A stored secret, if it has the shape of one.
    #[must_use]
    pub fn from_stored(text: &str) -> Option<Self> {
        let key = text.strip_prefix(SECRET_PREFIX)?;
        STANDARD.decode(key).ok().filter(|bytes| !bytes.is_empty()).map(|_| Self(text.to_owned()))
    }

    /// The secret as text, for the store and the one answer that shows it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The `webhook-signature` header of a delivery: `v1,` and the base64
    /// HMAC-SHA256 of `{id}.{timestamp}.{body}`, keyed with the secret's
    /// decoded bytes — the Standard Webhooks scheme, byte for byte.
    #[must_use]
    pub fn sign(&self, id: &str, timestamp: i64, body: &str) -> String {
        let key_bytes = STANDARD.decode(&self.0[SECRET_PREFIX.len()..]).unwrap_or_default();
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key_bytes);
        let tag = ring::hmac::sign(&key, format!("{id}.{timestamp}.{body}").as_bytes());
        format!("v1,{}", STANDARD.encode(tag.as_ref()))
    }
}

/// Where deliveries go: an absolute `http` or `https` URL with a host.
/// Whether that host may be reached (loopback and private addresses are
/// refused by default) needs name resolution, which is the service's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    /// Checks the text is an absolute `http`/`https` URL with a host.
    ///
    /// # Errors
    /// [`FieldErrorKind::Invalid`] saying what is wrong.
    pub fn parse(text: &str) -> Result<Self, FieldErrorKind> {
        let text = text.trim();
        if text.len() > MAX_URL_LENGTH {
            return Err(FieldErrorKind::Invalid(format!("URL longer than {MAX_URL_LENGTH} characters")));
        }
        let rest = text
            .strip_prefix("http://")
            .or_else(|| text.strip_prefix("https://"))
            .ok_or_else(|| FieldErrorKind::Invalid("URL scheme should be 'http' or 'https'".into()))?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let (host, port) = match authority.strip_prefix('[') {
            Some(bracketed) => {
                let (host, after) = bracketed.split_once(']').unwrap_or((bracketed, "?"));
                let valid = !host.is_empty() && host.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
                (
                    if valid { host } else { "" },
                    after.strip_prefix(':').or(if after.is_empty() { None } else { Some("x") }),
                )
            }
            None => match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            },
        };
        let host_ok = !host.is_empty()
            && (authority.starts_with('[')
                || (host.starts_with(|c: char| c.is_ascii_alphanumeric())
                    && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')));
        if !host_ok {
            return Err(FieldErrorKind::Invalid("URL should have a host of letters, digits, dots and dashes".into()));
        }
        if port.is_some_and(|port| port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit())) {
            return Err(FieldErrorKind::Invalid("URL port should be 1 to 5 digits".into()));
        }
        if !text.bytes().all(|byte| byte.is_ascii_graphic()) {
            return Err(FieldErrorKind::Invalid(
                "URL should be visible ASCII characters only (percent-encode the rest)".into(),
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// The URL as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The host the URL names (without brackets for IPv6), and its port.
    #[must_use]
    pub fn host_and_port(&self) -> (String, u16) {
        let (rest, default_port) = match self.0.strip_prefix("https://") {
            Some(rest) => (rest, 443),
            None => (self.0.strip_prefix("http://").unwrap_or(&self.0), 80),
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host_port = authority.rsplit('@').next().unwrap_or_default();
        let (host, port) = match host_port.strip_prefix('[') {
            Some(bracketed) => {
                let (host, after) = bracketed.split_once(']').unwrap_or((bracketed, ""));
                (host, after.strip_prefix(':'))
            }
            None => match host_port.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (host_port, None),
            },
        };
        (host.to_owned(), port.and_then(|port| port.parse().ok()).unwrap_or(default_port))
    }
}

/// A subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    /// Its id.
    pub id: WebhookId,
    /// Where deliveries go.
    pub url: WebhookUrl,
    /// The event types it receives; empty: all.
    pub event_types: Vec<String>,
    /// What it is for, in the owner's words.
    pub description: Option<String>,
    /// Whether deliveries are made.
    pub active: bool,
    /// Why it was disabled, when the retry schedule of a delivery ran out.
    pub disabled_reason: Option<String>,
    /// The signing secret.
    pub secret: WebhookSecret,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// The log position of the last event handed to it: it receives the
    /// events after this one.
    pub after: EventPosition,
}

impl Webhook {
    /// Whether it receives events of this type.
    #[must_use]
    pub fn wants(&self, event_type: &str) -> bool {
        self.event_types.is_empty() || self.event_types.iter().any(|wanted| wanted == event_type)
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// Not delivered yet; attempted when due.
    Pending,
    /// A receiver answered 2xx.
    Succeeded,
    /// The retry schedule ran out (the subscription was disabled).
    Failed,
}

impl DeliveryState {
    /// The wire and store spelling.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    /// Reads the store spelling.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(Self::Pending),
            "succeeded" => Some(Self::Succeeded),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// One try at a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    /// When it was made.
    pub at: Timestamp,
    /// The receiver's status code; `None` when none came (refused, timed out).
    pub status_code: Option<u16>,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// What went wrong, when something did.
    pub error: Option<String>,
}

/// One event (or ping) on its way to one subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Its id, sent as `webhook-id`.
    pub id: DeliveryId,
    /// The subscription.
    pub webhook_id: WebhookId,
    /// The event delivered.
    pub event_id: Uuid,
    /// Its type (`webhook.ping` for a ping).
    pub event_type: String,
    /// The request body: the event's JSON.
    pub payload: String,
    /// Where it stands.
    pub state: DeliveryState,
    /// Every attempt so far, oldest first.
    pub attempts: Vec<Attempt>,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<Timestamp>,
    /// When it was queued.
    pub created_at: Timestamp,
}

impl Delivery {
    /// A delivery of `event_id` (whose JSON is `payload`), due at `now`.
    #[must_use]
    pub fn new(webhook_id: WebhookId, event_id: Uuid, event_type: &str, payload: String, now: Timestamp) -> Self {
        Self {
            id: DeliveryId::new(),
            webhook_id,
            event_id,
            event_type: event_type.to_owned(),
            payload,
            state: DeliveryState::Pending,
            attempts: Vec::new(),
            next_attempt_at: Some(now),
            created_at: now,
        }
    }
}

/// The delays between attempts (`TRM__WEBHOOKS__RETRY_SCHEDULE_SECS`): with
/// `n` delays a delivery is attempted `n + 1` times in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySchedule(Vec<Duration>);

impl RetrySchedule {
    /// The contract's default: 5 s, 30 s, 2 min, 10 min, 1 h, 6 h.
    #[must_use]
    pub fn standard() -> Self {
        Self([5, 30, 120, 600, 3600, 21_600].map(Duration::from_secs).to_vec())
    }

    /// A schedule of these delays.
    #[must_use]
    pub const fn new(delays: Vec<Duration>) -> Self {
        Self(delays)
    }

    /// After `failed` failed attempts, how long until the next one — with
    /// up to a fifth of jitter either way, from `jitter` in `[0, 1)` — or
    /// `None` when the schedule is exhausted.
    #[must_use]
    pub fn next_delay(&self, failed: usize, jitter: f64) -> Option<Duration> {
        let delay = *self.0.get(failed.checked_sub(1)?)?;
        let factor = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
        Some(delay.mul_f64(factor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_matches_the_standard_webhooks_test_vector() {
        // The test vector of the Standard Webhooks reference libraries.
        let secret = WebhookSecret::from_stored("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let signature = secret.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, r#"{"test": 2432232314}"#);
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn generated_secrets_have_the_standard_prefix_and_never_print() {
        let secret = WebhookSecret::generate().unwrap();
        assert!(secret.expose().starts_with("whsec_"));
        assert_eq!(STANDARD.decode(&secret.expose()[6..]).unwrap().len(), SECRET_BYTES);
        assert_eq!(format!("{secret:?}"), "WebhookSecret(***)");
        assert!(WebhookSecret::from_stored("nope").is_none());
    }

    #[test]
    fn only_absolute_http_and_https_urls_with_a_host_are_accepted() {
        for good in ["http://127.0.0.1:9000/hook", "https://hooks.example.com/x?y=1", "http://[::1]:8080/"] {
            assert!(WebhookUrl::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "ftp://example.com",
            "example.com/hook",
            "http://",
            "https:///path",
            "http://a b/",
            "",
            "https://p#\u{82}\u{8}",
        ] {
            assert!(WebhookUrl::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(WebhookUrl::parse("http://[::1]:8080/x").unwrap().host_and_port(), ("::1".into(), 8080));
        assert!(WebhookUrl::parse("https://user@h.example/x").is_err(), "no user information");
        assert!(WebhookUrl::parse("http://r:03773*").is_err(), "a port is digits");
        assert_eq!(WebhookUrl::parse("https://h.example:8443/x").unwrap().host_and_port(), ("h.example".into(), 8443));
    }

    #[test]
    fn the_schedule_lists_the_delays_between_attempts_with_bounded_jitter() {
        let schedule = RetrySchedule::new(vec![Duration::from_secs(1), Duration::from_secs(10)]);
        assert_eq!(schedule.next_delay(1, 0.5), Some(Duration::from_secs(1)));
        assert_eq!(schedule.next_delay(2, 0.0), Some(Duration::from_secs(8)));
        assert_eq!(schedule.next_delay(2, 1.0), Some(Duration::from_secs(12)));
        assert_eq!(schedule.next_delay(3, 0.5), None, "three attempts in all");
        assert_eq!(RetrySchedule::standard().next_delay(6, 0.5), Some(Duration::from_secs(21_600)));
    }
}
