//! Latency percentiles for the contenders that measure themselves (the
//! driver ceiling), computed the way `wrk --latency` reports them: over
//! every completed request, by rank.

use std::time::Duration;

/// Latencies recorded by one or more workers.
#[derive(Debug, Default, Clone)]
pub struct Latencies {
    micros: Vec<u64>,
}

impl Latencies {
    /// Records one completed operation.
    pub fn record(&mut self, elapsed: Duration) {
        self.micros.push(u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX));
    }

    /// Adds another worker's recordings.
    pub fn merge(&mut self, other: Self) {
        self.micros.extend(other.micros);
    }

    /// How many operations were recorded.
    #[must_use]
    pub fn count(&self) -> usize {
        self.micros.len()
    }

    /// The `q`-quantile (0.5 for the median) in milliseconds; 0 when empty.
    #[must_use]
    pub fn quantile_ms(&self, q: f64) -> f64 {
        let mut sorted = self.micros.clone();
        sorted.sort_unstable();
        let Some(last) = sorted.len().checked_sub(1) else { return 0.0 };
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let rank = ((last as f64) * q.clamp(0.0, 1.0)).round() as usize;
        #[allow(clippy::cast_precision_loss)]
        let micros = sorted[rank.min(last)] as f64;
        micros / 1000.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_one_to_a_hundred_milliseconds_is_about_fifty() {
        let mut all = Latencies::default();
        let mut other = Latencies::default();
        for ms in 1..=50 {
            all.record(Duration::from_millis(ms));
            other.record(Duration::from_millis(ms + 50));
        }
        all.merge(other);
        assert_eq!(all.count(), 100);
        assert!((all.quantile_ms(0.5) - 50.0).abs() <= 1.0, "{}", all.quantile_ms(0.5));
        assert!((all.quantile_ms(0.99) - 99.0).abs() <= 1.0, "{}", all.quantile_ms(0.99));
    }

    #[test]
    fn nothing_recorded_reads_as_zero() {
        assert!(Latencies::default().quantile_ms(0.99).abs() < f64::EPSILON);
    }
}
