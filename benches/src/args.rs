//! A minimal `--key value` reader for the suite's binaries, which are run
//! by a script and need no more (no help screens, no subcommands).

use std::collections::HashMap;
use std::str::FromStr;

use anyhow::{Context as _, anyhow};

/// The `--key value` pairs of a command line.
#[derive(Debug, Default)]
pub struct Args {
    values: HashMap<String, String>,
}

impl Args {
    /// Reads `std::env::args()`.
    ///
    /// # Errors
    /// On an argument that is not `--key value`.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::parse(std::env::args().skip(1))
    }

    /// Reads `--key value` pairs.
    ///
    /// # Errors
    /// On an argument that is not `--key value`.
    pub fn parse(args: impl IntoIterator<Item = String>) -> anyhow::Result<Self> {
        let mut values = HashMap::new();
        let mut args = args.into_iter();
        while let Some(key) = args.next() {
            let name = key.strip_prefix("--").ok_or_else(|| anyhow!("expected --key value, found {key:?}"))?;
            let value = args.next().ok_or_else(|| anyhow!("--{name} needs a value"))?;
            values.insert(name.to_owned(), value);
        }
        Ok(Self { values })
    }

    /// The text of `--key`, if given.
    #[must_use]
    pub fn text(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// The text of `--key`, which must be given.
    ///
    /// # Errors
    /// When it is missing.
    pub fn required(&self, key: &str) -> anyhow::Result<&str> {
        self.text(key).ok_or_else(|| anyhow!("--{key} is required"))
    }

    /// `--key` parsed, or `default` when absent.
    ///
    /// # Errors
    /// When present but not parseable.
    pub fn parsed<T: FromStr>(&self, key: &str, default: T) -> anyhow::Result<T>
    where
        T::Err: std::error::Error + Send + Sync + 'static,
    {
        self.text(key).map_or(Ok(default), |text| text.parse().with_context(|| format!("bad --{key} {text:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> anyhow::Result<Args> {
        Args::parse(list.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn pairs_are_read_and_parsed() -> anyhow::Result<()> {
        let args = args(&["--tasks", "10000", "--url", "sqlite://x.db"])?;
        assert_eq!(args.parsed("tasks", 1_u64)?, 10_000);
        assert_eq!(args.required("url")?, "sqlite://x.db");
        assert_eq!(args.parsed("absent", 7_u32)?, 7);
        Ok(())
    }

    #[test]
    fn a_key_without_a_value_is_refused() {
        assert!(args(&["--tasks"]).is_err());
        assert!(args(&["tasks", "1"]).is_err());
    }
}
