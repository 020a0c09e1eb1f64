//! Search that understands how Vietnamese users type.
//!
//! TRM-OS teams title their tasks in Vietnamese, with its diacritics
//! ("Công việc ở Đà Nẵng"), and look for them the way they type on any
//! keyboard: with or without the marks, in any case — "cong viec",
//! "CÔNG VIỆC", "da nang". So text is *folded* before it is compared:
//! lower-cased, decomposed (Unicode canonical decomposition) with its
//! combining marks dropped, and `đ` — a letter of its own, which no
//! decomposition touches — turned into `d`. What remains is split into
//! words: the runs of letters and digits.
//!
//! Both stores answer a search alike because neither folds anything itself:
//! the domain folds a task's title, description and tags into its
//! [`index_text`] once, when the task is written, and folds the query into a
//! [`SearchQuery`]; a store indexes and matches those words exactly (SQLite
//! with FTS5, Neo4j with a full-text index over a whitespace analyzer). A
//! task matches when it has every word of the query, the last one also as
//! the beginning of a word, since a user is still typing it.

use unicode_normalization::UnicodeNormalization as _;
use unicode_normalization::char::is_combining_mark;

use crate::error::FieldErrorKind;

/// The longest query accepted, in characters: a search box, not a document.
pub const MAX_QUERY_CHARS: usize = 200;

/// `text` folded as a Vietnamese user types it: lower case, no diacritics,
/// `đ` as `d`. Characters that are neither letters nor digits are kept, so
/// [`words`] can split on them.
#[must_use]
pub fn fold(text: &str) -> String {
    let unmarked = |text: &str| -> String { text.nfd().filter(|c| !is_combining_mark(*c)).collect() };
    // Marks go before and after lower-casing: a letter may gain one when it
    // is lower-cased (`İ` becomes `i` and a dot above).
    let lower: String = unmarked(text).chars().flat_map(char::to_lowercase).collect();
    unmarked(&lower).chars().map(|c| if c == 'đ' { 'd' } else { c }).collect()
}

/// The folded words of `text`, in order: its runs of letters and digits.
#[must_use]
pub fn words(text: &str) -> Vec<String> {
    fold(text).split(|c: char| !c.is_alphanumeric()).filter(|word| !word.is_empty()).map(str::to_owned).collect()
}

/// What a store indexes for one entity: the folded words of all its
/// searchable `parts` (a task's title, description and tags), separated by
/// single spaces, so that any tokenizer that splits on spaces sees exactly
/// the domain's words.
#[must_use]
pub fn index_text<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    parts.into_iter().flat_map(words).collect::<Vec<_>>().join(" ")
}

/// A search as the user typed it, folded into the words a store looks for.
///
/// Holds at least one word; every word but the last must be a word of the
/// text, the last may begin one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    words: Vec<String>,
}

impl SearchQuery {
    /// Reads a search.
    ///
    /// # Errors
    /// [`FieldErrorKind::StringTooLong`] beyond [`MAX_QUERY_CHARS`];
    /// [`FieldErrorKind::Invalid`] when it holds no letter or digit, so
    /// there is nothing to look for.
    pub fn parse(query: &str) -> Result<Self, FieldErrorKind> {
        Self::from_search_box(query)?
            .ok_or_else(|| FieldErrorKind::Invalid("a search needs at least one letter or digit".to_owned()))
    }

    /// Reads what a search box sends (the task list's `q`): like
    /// [`SearchQuery::parse`], but a box left empty, or holding no letter or
    /// digit, is no search at all (`None`), as users expect of one.
    ///
    /// # Errors
    /// [`FieldErrorKind::StringTooLong`] beyond [`MAX_QUERY_CHARS`].
    pub fn from_search_box(query: &str) -> Result<Option<Self>, FieldErrorKind> {
        if query.chars().count() > MAX_QUERY_CHARS {
            return Err(FieldErrorKind::StringTooLong(MAX_QUERY_CHARS));
        }
        let words = words(query);
        Ok((!words.is_empty()).then_some(Self { words }))
    }

    /// The words that must each be a whole word of the text: all but the last.
    #[must_use]
    pub fn whole_words(&self) -> &[String] {
        &self.words[..self.words.len() - 1]
    }

    /// The last word, which may also be the beginning of a word of the text.
    #[must_use]
    pub fn prefix(&self) -> &str {
        self.words.last().map_or("", String::as_str)
    }

    /// Whether an entity whose [`index_text`] is `indexed` matches: the
    /// meaning both stores implement, and what their contract tests compare
    /// against.
    #[must_use]
    pub fn matches(&self, indexed: &str) -> bool {
        let text: Vec<&str> = indexed.split(' ').collect();
        self.whole_words().iter().all(|word| text.contains(&word.as_str()))
            && text.iter().any(|word| word.starts_with(self.prefix()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_is_folded_to_what_a_keyboard_without_marks_types() {
        assert_eq!(fold("Công việc ở Đà Nẵng"), "cong viec o da nang");
        assert_eq!(fold("ĂÂÊÔƠƯĐ ăâêôơưđ"), "aaeooud aaeooud");
        assert_eq!(fold("Thiết kế giao diện người dùng"), "thiet ke giao dien nguoi dung");
        assert_eq!(fold("Kiểm thử hồi quy"), "kiem thu hoi quy");
    }

    #[test]
    fn words_are_the_runs_of_letters_and_digits() {
        assert_eq!(words("  Sửa lỗi #42: đăng-nhập (v2.1)!"), ["sua", "loi", "42", "dang", "nhap", "v2", "1"]);
        assert!(words(" ,;- ").is_empty());
    }

    #[test]
    fn the_index_text_joins_every_part_s_words_with_single_spaces() {
        assert_eq!(index_text(["Công việc", "Ở  Đà Nẵng", "backend"]), "cong viec o da nang backend");
        assert_eq!(index_text([]), "");
    }

    #[test]
    fn cong_viec_and_capitals_with_marks_both_find_cong_viec() {
        let indexed = index_text(["Công việc tuần này"]);
        for query in ["cong viec", "CÔNG VIỆC", "công việc", "Cong Viec"] {
            assert!(SearchQuery::parse(query).unwrap().matches(&indexed), "{query}");
        }
    }

    #[test]
    fn da_nang_finds_da_nang_with_its_d_bar() {
        assert!(SearchQuery::parse("da nang").unwrap().matches(&index_text(["Chi nhánh Đà Nẵng"])));
    }

    #[test]
    fn the_last_word_may_be_the_beginning_of_a_word_the_others_may_not() {
        let indexed = index_text(["Triển khai máy chủ"]);
        assert!(SearchQuery::parse("trien kh").unwrap().matches(&indexed), "a word still being typed");
        assert!(!SearchQuery::parse("tri khai").unwrap().matches(&indexed), "an earlier word is whole");
        assert!(!SearchQuery::parse("trien khai may chu moi").unwrap().matches(&indexed), "every word is needed");
    }

    #[test]
    fn a_query_without_a_letter_or_digit_is_invalid_but_an_empty_search_box_is_no_search() {
        assert!(matches!(SearchQuery::parse(" -- "), Err(FieldErrorKind::Invalid(_))));
        assert!(matches!(SearchQuery::parse(""), Err(FieldErrorKind::Invalid(_))));
        assert_eq!(SearchQuery::from_search_box(""), Ok(None));
        assert_eq!(SearchQuery::from_search_box(" -- "), Ok(None));
        assert_eq!(SearchQuery::from_search_box("Đà"), Ok(Some(SearchQuery::parse("da").unwrap())));
    }

    #[test]
    fn a_query_too_long_is_invalid_however_many_words_it_holds() {
        let too_long = "a".repeat(MAX_QUERY_CHARS + 1);
        assert_eq!(SearchQuery::parse(&too_long), Err(FieldErrorKind::StringTooLong(MAX_QUERY_CHARS)));
        assert_eq!(SearchQuery::from_search_box(&too_long), Err(FieldErrorKind::StringTooLong(MAX_QUERY_CHARS)));
        assert!(SearchQuery::parse(&"a".repeat(MAX_QUERY_CHARS)).is_ok());
        let many = vec!["x"; MAX_QUERY_CHARS / 2].join(" ");
        assert_eq!(SearchQuery::parse(&many).map(|query| query.whole_words().len()), Ok(MAX_QUERY_CHARS / 2 - 1));
    }

    #[test]
    fn the_query_keeps_its_words_in_order_with_the_last_as_prefix() {
        let query = SearchQuery::parse("Đà Nẵ").unwrap();
        assert_eq!(query.whole_words(), ["da"]);
        assert_eq!(query.prefix(), "na");
    }

    proptest::proptest! {
        #[test]
        fn folding_is_idempotent_and_never_leaves_a_mark_or_a_capital(text in "\\PC{0,40}") {
            let folded = fold(&text);
            proptest::prop_assert_eq!(fold(&folded), folded.clone());
            proptest::prop_assert!(!folded.chars().any(is_combining_mark));
            proptest::prop_assert!(!folded.contains('đ'));
            proptest::prop_assert!(folded.chars().all(|c| c.to_lowercase().eq([c])), "no capital: {:?}", folded);
        }

        #[test]
        fn every_text_finds_itself_by_any_of_its_words(text in "[a-zA-Zà-ỹĐđ ]{1,40}") {
            let indexed = index_text([text.as_str()]);
            for word in words(&text) {
                proptest::prop_assert!(SearchQuery::parse(&word).map(|query| query.matches(&indexed)).unwrap_or(false));
            }
        }
    }
}
