//! Timestamps as the contract writes them.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, SubsecRound, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::FieldErrorKind;

/// An instant in UTC with microsecond precision.
///
/// Microseconds are the contract's precision, and both stores keep exactly
/// that much, so a value written and read back compares equal — which keyset
/// paging on `created_at` relies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// The current time, truncated to microseconds.
    #[must_use]
    pub fn now() -> Self {
        Self::from_datetime(Utc::now())
    }

    /// Truncates any UTC date-time to the stored precision.
    #[must_use]
    pub fn from_datetime(at: DateTime<Utc>) -> Self {
        Self(at.trunc_subsecs(6))
    }

    /// Microseconds since the Unix epoch: the SQLite store's representation.
    #[must_use]
    pub fn as_micros(&self) -> i64 {
        self.0.timestamp_micros()
    }

    /// The inverse of [`Timestamp::as_micros`]; `None` outside chrono's range.
    #[must_use]
    pub fn from_micros(micros: i64) -> Option<Self> {
        DateTime::from_timestamp_micros(micros).map(Self)
    }

    /// Like [`Timestamp::from_micros`], but a value outside chrono's range is
    /// clamped to the nearest end of it. For positions, such as a paging
    /// cursor, where every instant orders correctly and none is invalid.
    #[must_use]
    pub fn from_micros_clamped(micros: i64) -> Self {
        Self::from_micros(micros).unwrap_or_else(|| {
            Self::from_datetime(if micros < 0 { DateTime::<Utc>::MIN_UTC } else { DateTime::<Utc>::MAX_UTC })
        })
    }

    /// The wrapped chrono value, for adapters that speak chrono natively.
    #[must_use]
    pub const fn as_datetime(&self) -> &DateTime<Utc> {
        &self.0
    }

    /// Parses what clients send for instants and dates.
    ///
    /// Accepted: RFC 3339 date-times with any offset (converted to UTC);
    /// date-times without an offset (`2026-11-26T10:00:00`, with or without
    /// fractional seconds), read as UTC, because that is what Python's
    /// `datetime.now().isoformat()` writes and TRM-OS's clients send it; and
    /// plain calendar dates `YYYY-MM-DD` (midnight UTC). A date that does not
    /// exist (`2026-02-30`) is rejected, never rolled over.
    ///
    /// # Errors
    /// [`FieldErrorKind::Datetime`] when the text is neither form; the
    /// caller knows the field and reports it.
    pub fn parse(text: &str) -> Result<Self, FieldErrorKind> {
        let text = text.trim();
        if let Ok(at) = DateTime::parse_from_rfc3339(text) {
            return Ok(Self::from_datetime(at.with_timezone(&Utc)));
        }
        // RFC 3339 requires the `T`, but a space is a common slip.
        if let Ok(at) = DateTime::parse_from_rfc3339(&text.replacen(' ', "T", 1)) {
            return Ok(Self::from_datetime(at.with_timezone(&Utc)));
        }
        // No offset at all: UTC. `%.f` also matches no fraction.
        for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
            if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
                return Ok(Self::from_datetime(at.and_utc()));
            }
        }
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
            && let Some(midnight) = date.and_hms_opt(0, 0, 0)
        {
            return Ok(Self(midnight.and_utc()));
        }
        Err(FieldErrorKind::Datetime)
    }
}

impl fmt::Display for Timestamp {
    /// `2026-11-26T03:12:45.123456Z`: UTC, `Z`, always six fraction digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Micros, true))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_print_in_utc_with_microseconds_and_z() {
        let at = Timestamp::parse("2026-11-26T05:12:45.123456789+02:00").unwrap();
        assert_eq!(at.to_string(), "2026-11-26T03:12:45.123456Z");
        let whole = Timestamp::parse("2026-11-26T03:12:45Z").unwrap();
        assert_eq!(whole.to_string(), "2026-11-26T03:12:45.000000Z");
    }

    #[test]
    fn a_plain_date_means_midnight_utc() {
        let at = Timestamp::parse("2026-01-31").unwrap();
        assert_eq!(at.to_string(), "2026-01-31T00:00:00.000000Z");
    }

    #[test]
    fn a_timestamp_without_an_offset_is_read_as_utc() {
        let at = Timestamp::parse("2026-11-26T10:00:00").unwrap();
        assert_eq!(at.to_string(), "2026-11-26T10:00:00.000000Z");
        let spaced = Timestamp::parse("2026-11-26 10:00:00").unwrap();
        assert_eq!(spaced, at);
    }

    #[test]
    fn python_isoformat_with_fractional_seconds_is_read_as_utc_to_the_microsecond() {
        let at = Timestamp::parse("2026-11-26T10:00:00.123456").unwrap();
        assert_eq!(at.to_string(), "2026-11-26T10:00:00.123456Z");
        let nanos = Timestamp::parse("2026-11-26T10:00:00.1234567").unwrap();
        assert_eq!(nanos.to_string(), "2026-11-26T10:00:00.123456Z");
        let long = Timestamp::parse("2026-11-26T10:00:00.123456789123");
        assert_eq!(long.map(|at| at.to_string()), Ok("2026-11-26T10:00:00.123456Z".to_owned()));
        let short = Timestamp::parse("2026-11-26T10:00:00.5").unwrap();
        assert_eq!(short.to_string(), "2026-11-26T10:00:00.500000Z");
    }

    #[test]
    fn a_naive_timestamp_that_is_not_a_time_is_rejected() {
        for text in ["2026-11-26T25:00:00", "2026-02-30T10:00:00", "2026-11-26T10:00", "2026-11-26T10:00:00."] {
            assert!(Timestamp::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn dates_that_do_not_exist_are_rejected() {
        assert!(Timestamp::parse("2026-02-30").is_err());
        assert!(Timestamp::parse("2026-13-01T00:00:00Z").is_err());
        assert!(Timestamp::parse("2026-02-29T00:00:00Z").is_err());
        assert!(Timestamp::parse("tomorrow").is_err());
    }

    #[test]
    fn micros_round_trip() {
        let now = Timestamp::now();
        assert_eq!(Timestamp::from_micros(now.as_micros()), Some(now));
    }
}
