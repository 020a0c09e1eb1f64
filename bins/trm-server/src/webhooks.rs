//! The HTTP client webhook deliveries go out through: the
//! [`WebhookSender`] port over `reqwest`, with TLS by rustls on the `ring`
//! provider and the platform's certificate verifier.
//!
//! Redirects are not followed (a receiver that moved answers 3xx, which is
//! a failed attempt: following it would bypass the destination check), and
//! every attempt is bounded by the dispatcher's timeout.

use std::time::Duration;

use anyhow::Context as _;
use async_trait::async_trait;
use trm_domain::WebhookUrl;
use trm_service::webhooks::dispatcher::{SendOutcome, WebhookSender};

/// Delivers over HTTP(S).
#[derive(Debug, Clone)]
pub struct HttpSender {
    client: reqwest::Client,
}

impl HttpSender {
    /// A client for deliveries.
    ///
    /// # Errors
    /// When the TLS configuration cannot be built.
    pub fn new() -> anyhow::Result<Self> {
        // Installed once per process; a second install (another
        // application in the same process) keeps the first, which is ring too.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("trm-server/", env!("CARGO_PKG_VERSION"), " (webhooks)"))
            .build()
            .context("cannot build the webhook HTTP client")?;
        Ok(Self { client })
    }
}

#[async_trait]
impl WebhookSender for HttpSender {
    async fn send(
        &self,
        url: &WebhookUrl,
        headers: Vec<(String, String)>,
        body: String,
        timeout: Duration,
    ) -> SendOutcome {
        let mut request = self.client.post(url.as_str()).timeout(timeout).body(body);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        match request.send().await {
            Ok(response) => SendOutcome { status_code: Some(response.status().as_u16()), error: None },
            Err(error) if error.is_timeout() => {
                SendOutcome { status_code: None, error: Some(format!("no answer within {} s", timeout.as_secs())) }
            }
            Err(error) => {
                let mut message = error.to_string();
                let mut source = std::error::Error::source(&error);
                while let Some(cause) = source {
                    message.push_str(": ");
                    message.push_str(&cause.to_string());
                    source = cause.source();
                }
                SendOutcome { status_code: None, error: Some(message) }
            }
        }
    }
}
