//! API keys: who may call the API, and whether they may change anything.
//!
//! A key is a long random secret (`trm_` and 43 characters of base64url: 256
//! bits from the OS's CSPRNG). The plaintext exists twice only: in the
//! answer to the command that created it, and in the clients that use it.
//! Stores keep its SHA-256 ([`KeyHash`]) and look keys up *by that hash*.
//!
//! Why a plain SHA-256 and not a password hash (argon2): the key has 256
//! bits of entropy, so nothing is gained by slowing a brute force down — it
//! is already out of reach — while every request pays the hashing cost.
//! Why no constant-time comparison: nothing compares a presented key with a
//! stored one byte by byte; the store finds the hash through an index, and
//! timing that lookup tells an attacker at most about the *hash* of their
//! guess, which says nothing about any real key.
//!
//! The plaintext travels as a [`Secret`], whose `Debug` and `Display` print
//! a redaction, so it cannot reach a log by accident.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::ids::ApiKeyId;
use crate::time::Timestamp;

/// What a key allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyScope {
    /// Reading only: `GET` requests.
    Read,
    /// Reading and writing: every request.
    Write,
}

impl KeyScope {
    /// Whether a key of this scope may do what `needed` asks: a write key
    /// may read, a read key may not write.
    #[must_use]
    pub const fn allows(self, needed: Self) -> bool {
        matches!((self, needed), (Self::Write, _) | (Self::Read, Self::Read))
    }

    /// The canonical name (`read`, `write`), as stores and the CLI write it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }
}

impl fmt::Display for KeyScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a text is not a key scope, a key name or a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// The scope is neither `read` nor `write`.
    #[error("the scope must be `read` or `write`, not `{0}`")]
    UnknownScope(String),
    /// The key name breaks the naming rule.
    #[error("a key name is 1 to 64 letters, digits, `_`, `.` or `-`, and is not itself a UUID")]
    InvalidName,
}

impl FromStr for KeyScope {
    type Err = AccessError;

    /// `read` or `write`, in any case.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "read" => Ok(Self::Read),
            "write" => Ok(Self::Write),
            _ => Err(AccessError::UnknownScope(text.to_owned())),
        }
    }
}

/// A key's name, chosen by the operator to tell keys apart (`ci`,
/// `dashboard.prod`).
///
/// Names are what `keys revoke` accepts besides ids, so a name must never
/// read as an id: a UUID is refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyName(String);

impl KeyName {
    /// Checks a name (surrounding whitespace is ignored).
    ///
    /// # Errors
    /// [`AccessError::InvalidName`] when it is empty, longer than 64
    /// characters, has other characters than letters, digits, `_`, `.` and
    /// `-`, or is a UUID.
    pub fn parse(text: &str) -> Result<Self, AccessError> {
        let text = text.trim();
        let fine = (1..=64).contains(&text.len())
            && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
            && uuid::Uuid::parse_str(text).is_err();
        if fine { Ok(Self(text.to_owned())) } else { Err(AccessError::InvalidName) }
    }

    /// The name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The prefix of every key: tells a TRM key apart from other secrets (and
/// lets secret scanners recognise one that leaked).
pub const KEY_PREFIX: &str = "trm_";

/// Random bytes in a key.
const KEY_BYTES: usize = 32;

/// Characters in a key: the prefix and the base64url (unpadded) of the bytes.
const KEY_LENGTH: usize = KEY_PREFIX.len() + 43;

/// A key's plaintext; printing it shows `Secret(***)`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A fresh key: 256 bits from the operating system's CSPRNG.
    ///
    /// # Errors
    /// When the operating system cannot supply randomness (then no key is
    /// better than a weak one).
    pub fn generate() -> Result<Self, ring::error::Unspecified> {
        let mut bytes = [0_u8; KEY_BYTES];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)?;
        Ok(Self(format!("{KEY_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))))
    }

    /// Wraps a presented key, if it has the shape of one — a cheap check
    /// that spares the store lookups for junk.
    #[must_use]
    pub fn presented(text: &str) -> Option<Self> {
        let shaped = text.len() == KEY_LENGTH
            && text.starts_with(KEY_PREFIX)
            && text[KEY_PREFIX.len()..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        shaped.then(|| Self(text.to_owned()))
    }

    /// The plaintext, for the one place that must show it (the CLI's answer
    /// to `keys create`).
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The SHA-256 the stores keep instead of the key.
    #[must_use]
    pub fn hash(&self) -> KeyHash {
        let digest = ring::digest::digest(&ring::digest::SHA256, self.0.as_bytes());
        KeyHash(digest.as_ref().iter().map(|byte| format!("{byte:02x}")).collect())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// The SHA-256 of a key, 64 lower-case hex digits: what stores keep and
/// look keys up by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyHash(String);

impl KeyHash {
    /// Wraps a hash read back from a store.
    #[must_use]
    pub const fn from_stored(hex: String) -> Self {
        Self(hex)
    }

    /// The hex digits.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An API key as the system knows it — never with its secret or hash, so
/// listing keys cannot leak either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// Server-assigned id.
    pub id: ApiKeyId,
    /// The operator's name for it; unique among active keys.
    pub name: KeyName,
    /// What it allows.
    pub scope: KeyScope,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was revoked; a revoked key authenticates nobody.
    pub revoked_at: Option<Timestamp>,
}

impl ApiKey {
    /// A new, active key named `name` with `scope`, created at `now`.
    #[must_use]
    pub fn create(name: KeyName, scope: KeyScope, now: Timestamp) -> Self {
        Self { id: ApiKeyId::new(), name, scope, created_at: now, revoked_at: None }
    }

    /// Whether it still authenticates.
    #[must_use]
    pub const fn is_active(&self) -> bool {
        self.revoked_at.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_key_may_read_and_a_read_key_may_not_write() {
        assert!(KeyScope::Write.allows(KeyScope::Read));
        assert!(KeyScope::Write.allows(KeyScope::Write));
        assert!(KeyScope::Read.allows(KeyScope::Read));
        assert!(!KeyScope::Read.allows(KeyScope::Write));
    }

    #[test]
    fn scopes_parse_in_any_case_and_nothing_else_does() {
        assert_eq!("READ".parse(), Ok(KeyScope::Read));
        assert_eq!(" write ".parse(), Ok(KeyScope::Write));
        assert!("admin".parse::<KeyScope>().is_err());
    }

    #[test]
    fn a_generated_key_has_the_documented_shape_and_is_accepted_as_presented() {
        let secret = Secret::generate().unwrap();
        assert_eq!(secret.expose().len(), 47);
        assert!(secret.expose().starts_with("trm_"));
        assert_eq!(Secret::presented(secret.expose()), Some(secret));
    }

    #[test]
    fn two_generated_keys_differ() {
        assert_ne!(Secret::generate().unwrap(), Secret::generate().unwrap());
    }

    #[test]
    fn text_without_the_shape_of_a_key_is_not_presented() {
        let good = Secret::generate().unwrap();
        for junk in ["", "trm_", "Bearer", &good.expose()[1..], &format!("{}x", good.expose())] {
            assert_eq!(Secret::presented(junk), None, "{junk:?}");
        }
        let bad_char = format!("trm_{}", "é".repeat(21));
        assert_eq!(Secret::presented(&bad_char), None);
    }

    #[test]
    fn a_secret_never_prints_its_value() {
        let secret = Secret::generate().unwrap();
        assert!(!format!("{secret:?}").contains(&secret.expose()[4..]));
        assert!(!secret.to_string().contains(&secret.expose()[4..]));
    }

    #[test]
    fn the_hash_is_the_hex_sha256_of_the_whole_key() {
        // SHA-256("abc"), the FIPS 180-2 test vector.
        let hash = Secret("abc".to_owned()).hash();
        assert_eq!(hash.as_str(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn names_are_short_plain_words_and_never_uuids() {
        assert_eq!(KeyName::parse(" ci.deploy-1 ").unwrap().as_str(), "ci.deploy-1");
        for bad in ["", "has space", "ünïcode", &"x".repeat(65), "3f0b6c9e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"] {
            assert!(KeyName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_new_key_is_active_until_revoked() {
        let mut key = ApiKey::create(KeyName::parse("ci").unwrap(), KeyScope::Read, Timestamp::now());
        assert!(key.is_active());
        key.revoked_at = Some(Timestamp::now());
        assert!(!key.is_active());
    }
}
