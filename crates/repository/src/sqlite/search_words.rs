//! The search's vocabulary: every word the index has ever held, so that
//! the last word of a search, which may be the beginning of a word, can be
//! asked as the whole words it begins.
//!
//! FTS5 answers a prefix (`"nang"*`) by reading and merging the complete
//! lists of every word the prefix begins before it returns a first match —
//! 10,000 entries for a word in 1% of a million tasks — so a page in list
//! order would cost every match even when it reads only a page of them.
//! An `OR` of whole words is read lazily, in number order, like one word.
//! So a search asks for the words the prefix begins when there are few
//! (at most [`MOST_WORDS_FOR_A_PREFIX`]), and for the prefix itself
//! otherwise. Words are recorded with the index, in the same transaction,
//! and never forgotten: a word no task holds any more matches nothing.

use rusqlite::{Connection, Transaction};
use trm_domain::search::SearchQuery;

use super::unexpected;
use crate::error::StoreError;

/// The most words a prefix is asked as; beyond, FTS5 merges them itself.
const MOST_WORDS_FOR_A_PREFIX: usize = 16;

/// Records the words of `words` (folded, separated by spaces) as known.
pub(super) fn remember(tx: &Transaction<'_>, words: &str) -> Result<(), StoreError> {
    let mut known = tx
        .prepare_cached("INSERT OR IGNORE INTO task_search_words (word) VALUES (?1)")
        .map_err(unexpected("cannot prepare the search vocabulary's insert"))?;
    let mut distinct: Vec<&str> = words.split(' ').filter(|word| !word.is_empty()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    for word in distinct {
        known.execute([word]).map_err(unexpected("cannot record a word of the search index"))?;
    }
    Ok(())
}

/// The search in FTS5's query language: every whole word, and the last
/// one as the words it begins (`"cong" AND ("viec" OR "vien")`), or as a
/// prefix (`"cong" AND "v"*`) when it begins too many. The words hold only
/// letters and digits, so quoting them is all the escaping they need.
pub(super) fn match_expression(conn: &Connection, search: &SearchQuery) -> Result<String, StoreError> {
    let mut terms: Vec<String> = search.whole_words().iter().map(|word| format!("\"{word}\"")).collect();
    let prefix = search.prefix();
    let begun = match after_every_word_beginning(prefix) {
        Some(end) => {
            let limit = i64::try_from(MOST_WORDS_FOR_A_PREFIX + 1).unwrap_or(i64::MAX);
            let mut words = conn
                .prepare_cached(
                    "SELECT word FROM task_search_words WHERE word >= ?1 AND word < ?2 ORDER BY word LIMIT ?3",
                )
                .map_err(unexpected("cannot prepare the search vocabulary's lookup"))?;
            let begun = words
                .query_map(rusqlite::params![prefix, end, limit], |row| row.get::<_, String>(0))
                .and_then(Iterator::collect::<rusqlite::Result<Vec<String>>>)
                .map_err(unexpected("cannot look up the words a search's prefix begins"))?;
            (begun.len() <= MOST_WORDS_FOR_A_PREFIX).then_some(begun)
        }
        None => None,
    };
    terms.push(match begun.as_deref() {
        // No word begins so: the prefix as a word, which nothing holds.
        Some([]) => format!("\"{prefix}\""),
        Some(words) => format!("({})", words.iter().map(|word| format!("\"{word}\"")).collect::<Vec<_>>().join(" OR ")),
        None => format!("\"{prefix}\"*"),
    });
    Ok(terms.join(" AND "))
}

/// The least string after every word that begins with `prefix` (its last
/// character, one up); `None` when there is no such character.
fn after_every_word_beginning(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    let last = chars.pop()?;
    let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32)?;
    chars.push(next);
    Some(chars.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary(words: &[&str]) -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::schema::migrate(&mut conn).unwrap();
        let tx = conn.transaction().unwrap();
        remember(&tx, &words.join(" ")).unwrap();
        tx.commit().unwrap();
        conn
    }

    fn expression(conn: &Connection, search: &str) -> String {
        match_expression(conn, &SearchQuery::parse(search).unwrap()).unwrap()
    }

    #[test]
    fn a_prefix_is_asked_as_the_few_words_it_begins() {
        let conn = vocabulary(&["cong", "viec", "vien", "vi", "vinh", "xa", "viec"]);
        assert_eq!(expression(&conn, "Công vie"), "\"cong\" AND (\"viec\" OR \"vien\")");
        assert_eq!(expression(&conn, "vi"), "(\"vi\" OR \"viec\" OR \"vien\" OR \"vinh\")");
    }

    #[test]
    fn a_prefix_no_word_begins_matches_nothing_and_one_of_many_words_stays_a_prefix() {
        let many: Vec<String> = (0..=MOST_WORDS_FOR_A_PREFIX).map(|n| format!("nha{n}")).collect();
        let conn = vocabulary(&many.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(expression(&conn, "cong qu"), "\"cong\" AND \"qu\"");
        assert_eq!(expression(&conn, "nh"), "\"nh\"*");
    }

    #[test]
    fn the_end_of_a_prefix_range_is_its_last_character_one_up() {
        assert_eq!(after_every_word_beginning("nang").as_deref(), Some("nanh"));
        assert_eq!(after_every_word_beginning("a\u{d7ff}").as_deref(), Some("a\u{e000}"), "past the surrogates");
        assert_eq!(after_every_word_beginning("a\u{10ffff}"), None);
    }
}
