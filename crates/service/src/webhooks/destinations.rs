//! Which destinations a webhook may call.
//!
//! A subscription names a URL; the server then makes requests to it from
//! inside the network it runs in. Left unchecked, that lets anyone who may
//! manage webhooks probe internal services (server-side request forgery).
//! So a host that resolves to a loopback, private, link-local, unspecified
//! or otherwise non-public address is refused — unless the operator allows
//! private destinations (`TRM__WEBHOOKS__ALLOW_PRIVATE_DESTINATIONS`), as
//! the tests do for their receivers on 127.0.0.1. The check runs when a
//! subscription is created or changed, and again before every delivery
//! (a name may resolve elsewhere later).

use std::net::IpAddr;

use async_trait::async_trait;
use trm_domain::WebhookUrl;

/// Decides whether a URL may be called.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait Destinations: Send + Sync + 'static {
    /// `Ok` when the URL may be called; otherwise why not, for the 422.
    async fn check(&self, url: &WebhookUrl) -> Result<(), String>;
}

/// The default policy: resolve the host and refuse non-public addresses
/// unless private destinations are allowed.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResolvingDestinations {
    /// Whether loopback and private addresses are allowed.
    pub allow_private: bool,
}

/// Whether an address is one a public webhook may not point at.
#[must_use]
pub fn is_non_public(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                // Carrier-grade NAT, 100.64.0.0/10.
                || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64)
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                // Unique local fc00::/7 and link-local fe80::/10.
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || v6.to_ipv4_mapped().is_some_and(|v4| is_non_public(IpAddr::V4(v4)))
        }
    }
}

#[async_trait]
impl Destinations for ResolvingDestinations {
    async fn check(&self, url: &WebhookUrl) -> Result<(), String> {
        if self.allow_private {
            return Ok(());
        }
        let (host, port) = url.host_and_port();
        let addresses: Vec<IpAddr> = match host.parse::<IpAddr>() {
            Ok(address) => vec![address],
            Err(_) => tokio::net::lookup_host((host.as_str(), port))
                .await
                .map_err(|_| format!("the host {host} does not resolve"))?
                .map(|socket| socket.ip())
                .collect(),
        };
        match addresses.iter().find(|address| is_non_public(**address)) {
            Some(address) => Err(format!(
                "the host {host} resolves to {address}, a loopback, private or link-local address; \
                 webhooks may only call public addresses"
            )),
            None if addresses.is_empty() => Err(format!("the host {host} does not resolve")),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> WebhookUrl {
        WebhookUrl::parse(text).unwrap()
    }

    #[tokio::test]
    async fn loopback_private_and_link_local_addresses_are_refused_by_default() {
        let policy = ResolvingDestinations::default();
        for forbidden in [
            "http://127.0.0.1:9000/",
            "http://10.1.2.3/",
            "http://192.168.0.10/",
            "http://172.16.5.5/",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/",
            "http://[fe80::1]/",
            "http://[fd00::1]/",
            "http://0.0.0.0/",
            "http://localhost:8080/",
        ] {
            assert!(policy.check(&url(forbidden)).await.is_err(), "{forbidden}");
        }
    }

    #[tokio::test]
    async fn public_addresses_are_allowed_and_private_ones_when_configured() {
        assert!(ResolvingDestinations::default().check(&url("https://93.184.216.34/hook")).await.is_ok());
        let permissive = ResolvingDestinations { allow_private: true };
        assert!(permissive.check(&url("http://127.0.0.1:9000/")).await.is_ok());
    }
}
