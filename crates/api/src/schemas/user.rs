//! The username rule as documented (the request bodies are in
//! [`crate::wire`]; the response is the domain's [`trm_domain::User`]).

/// The pattern a username matches (after surrounding whitespace is
/// trimmed), as the domain's [`trm_domain::Username::parse`] checks it.
pub const USERNAME_PATTERN: &str = "^[A-Za-z0-9_.-]{3,64}$";

#[cfg(test)]
mod tests {
    use trm_domain::Username;

    use super::*;

    #[test]
    fn the_documented_pattern_is_the_one_the_domain_reports() {
        let Err(trm_domain::FieldErrorKind::PatternMismatch(pattern)) = Username::parse("a b c") else { panic!() };
        assert_eq!(pattern, USERNAME_PATTERN);
    }
}
