//! Per-client rate limiting: a GCRA bucket (the `governor` crate) per
//! client, where a client is its API key when it presented a valid one and
//! its address otherwise.
//!
//! Keying on the verified key, not on the address, lets many clients behind
//! one NAT each have their quota, and keeps one key's quota the same
//! whichever address it calls from. Requests without a valid key — wrong
//! keys included — share their address's bucket, which is what bounds key
//! guessing. The address is the TCP peer: `X-Forwarded-For` is not trusted
//! (any client can write it), so behind a reverse proxy every keyless
//! client shares the proxy's bucket.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::Clock as _;
use governor::{DefaultKeyedRateLimiter, Quota};

/// How many requests a client may make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// The sustained rate: requests per minute, replenished evenly.
    pub per_minute: NonZeroU32,
    /// How many requests may come at once before the rate applies.
    pub burst: NonZeroU32,
}

/// Buckets tracked before stale ones are dropped.
const PRUNE_ABOVE: usize = 10_000;

/// Checks between two looks at the number of buckets.
const PRUNE_EVERY: u64 = 1024;

/// The buckets of every client, shared by every worker.
pub struct RateLimiter {
    limiter: DefaultKeyedRateLimiter<String>,
    checks: AtomicU64,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter").field("clients", &self.limiter.len()).finish_non_exhaustive()
    }
}

impl RateLimiter {
    /// Buckets of `limit` for every client.
    #[must_use]
    pub fn new(limit: RateLimit) -> Self {
        let quota = Quota::per_minute(limit.per_minute).allow_burst(limit.burst);
        Self { limiter: DefaultKeyedRateLimiter::dashmap(quota), checks: AtomicU64::new(0) }
    }

    /// Takes one request from `client`'s bucket.
    ///
    /// # Errors
    /// When the bucket is empty: how long until the next request would be
    /// allowed.
    pub fn check(&self, client: &str) -> Result<(), Duration> {
        if self.checks.fetch_add(1, Ordering::Relaxed).is_multiple_of(PRUNE_EVERY) && self.limiter.len() > PRUNE_ABOVE {
            // Buckets that have refilled completely hold no information.
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        self.limiter
            .check_key(&client.to_owned())
            .map_err(|not_until| not_until.wait_time_from(self.limiter.clock().now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(per_minute: u32, burst: u32) -> RateLimit {
        RateLimit { per_minute: NonZeroU32::new(per_minute).unwrap(), burst: NonZeroU32::new(burst).unwrap() }
    }

    #[test]
    fn a_client_gets_its_burst_and_then_waits() {
        let limiter = RateLimiter::new(limit(1, 3));
        for _ in 0..3 {
            assert!(limiter.check("ip:10.0.0.1").is_ok());
        }
        let wait = limiter.check("ip:10.0.0.1").unwrap_err();
        assert!(wait > Duration::from_secs(50) && wait <= Duration::from_secs(60), "{wait:?}");
    }

    #[test]
    fn clients_have_buckets_of_their_own() {
        let limiter = RateLimiter::new(limit(1, 1));
        assert!(limiter.check("key:a").is_ok());
        assert!(limiter.check("key:a").is_err());
        assert!(limiter.check("key:b").is_ok());
    }
}
