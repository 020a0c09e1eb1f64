//! A search page in list order that reads about a page of matches, however
//! many the search has.
//!
//! # Why
//! The full-text index answers a search with every match, in its own order
//! (relevance). A page in list order (`created_at`, then `uid`) then has to
//! read and sort them all: 10,000 rows for a word in 1% of a million tasks,
//! 13 times the cost of the plain page (`docs/benchmarks.md`). A page needs
//! only the first `limit` matches after its cursor, and Lucene can narrow a
//! search by more terms, but not by a range of times.
//!
//! # How
//! Every indexed task also carries `search_time` (`search_time_of_t!`,
//! written with the words by the background indexer): the time it was
//! created as terms of a tree of windows. Level `a` windows are 2^10 ms
//! (about a second), each level's windows are eight of the level below,
//! and level `k`'s are 2^40 ms (about 35 years). A term is the level's
//! letter and the window's number (`a8796819209634 b1099602401204 …`),
//! numbered from a key that no time makes negative
//! (`creation_key_of_t!`).
//!
//! A page asks the index for the search's matches in the level-`a` window
//! of its start (the cursor, or the oldest task); then, while fewer than a
//! page were found, for those in the rest of the level-`b` window around
//! it (up to seven `a` windows after the one read), then in the rest of
//! the level-`c` window, and so on; the last step asks for every match
//! outside the level-`k` window. Each step covers the time right after what
//! the steps before it covered, so once a page has been found, no match not
//! yet read can come before any of them: the page is the first `limit` of
//! those found, sorted. A step reads at most the eight windows of its
//! level, so a page reads at most about eight pages of matches when they
//! are spread evenly, and the steps not needed do not run; nor do those
//! whose windows begin after the store's newest task, which hold nothing
//! yet (a task written since is waiting for the index, and read apart).
//! Every step is a `CALL` behind its condition, in one query: one round
//! trip. The steps only count their matches; the page then reads the
//! windows of every step that ran in one more query of the index (carrying
//! the matched nodes from step to step as lists made Neo4j count each list
//! once per row of the page's sort: ~20 MB a page).
//!
//! The tasks waiting for the index (`SearchPending`) are not in it with
//! their current words; they are found by their pending words, as in
//! `SEARCHED_TASKS`, and counted with the matches found up to each step's
//! end.
//!
//! Only the default order (`created_at` ascending) reads windows: the other
//! sorts, and `-created_at`, read every match and sort them.

use super::{KEEP_PLAN, RETURN_TASK};

/// The full-text index of tasks: their words (`search_text`) and their
/// creation windows (`search_time`).
pub(in crate::neo4j) const SEARCH_INDEX: &str = "task_words";

/// `search_time` of the task bound to `t`, for tools that write tasks the
/// way the adapter's indexer does (the benchmark's seeder).
pub const SEARCH_TIME_OF_T: &str = search_time_of_t!();

/// What `creation_key_of_t!` adds to a millisecond since 1970: 2^53, more
/// than any time Neo4j or `chrono` can hold is before 1970.
const ORIGIN_MS: i64 = 1 << 53;

/// The width of a level-`a` window: 2^10 ms.
const FIRST_WINDOW_BITS: u32 = 10;

/// Each level's windows are 2^3 = 8 of the level below.
const LEVEL_BITS: u32 = 3;

/// The windows of one level in one of the next.
const FAN_OUT: i64 = 1 << LEVEL_BITS;

/// The levels' letters, finest first.
const LEVELS: &[u8] = b"abcdefghijk";

/// The width of a window of `level` (0 for `a`), in milliseconds.
fn window_ms(level: usize) -> i64 {
    let level = u32::try_from(level).unwrap_or(u32::MAX);
    1_i64 << (FIRST_WINDOW_BITS + LEVEL_BITS * level)
}

/// The letter of `level`.
fn letter(level: usize) -> char {
    char::from(LEVELS[level])
}

/// The Cypher text of a search page in list order. `conditions`, each
/// ANDed to every match: the list's other filters and its cursor.
/// `after_cursor`: whether the page has one (`$after_at`); without one the
/// windows start at the oldest task. Parameters: those of
/// `tasks::search_params`, `$limit`, and the conditions' own.
pub(super) fn windowed_search(conditions: &[String], after_cursor: bool) -> String {
    let also: String = conditions.iter().map(|condition| format!(" AND {condition}")).collect();
    // The oldest or the newest task's key, along the `created_at` index.
    // The range names the type: another program's task with a local time
    // (no zone) is not this store's, and sorts apart from them.
    let end = |order: &str, name: &str| {
        format!(
            "CALL () {{ MATCH (t:Task) USING INDEX t:Task(created_at) \
               WHERE t.created_at > datetime('-999999999-01-01T00:00Z') \
               WITH t ORDER BY t.created_at {order} LIMIT 1 RETURN collect({}) AS {name} }} ",
            creation_key_of_t!()
        )
    };
    let start = if after_cursor {
        format!("{}WITH pending, newest, $after_at.epochMillis + {ORIGIN_MS} AS start ", end("DESC", "newest"))
    } else {
        format!(
            "{}{}WITH pending, newest, coalesce(oldest[0], 0) AS start ",
            end("DESC", "newest"),
            end("ASC", "oldest")
        )
    };
    let steps = steps();
    // Counting: the waiting matches' keys, then each step's matches while
    // fewer than a page were counted up to the end of the windows before
    // it and its windows begin before the newest task; `reach` is the last
    // step that ran.
    let mut text = format!(
        "{KEEP_PLAN}CALL () {{ {}{also} RETURN collect({}) AS pending }} {start}\
         WITH pending, start, coalesce(newest[0], 0) AS newest, 0 AS found, 0 AS reach ",
        pending_matches!(),
        creation_key_of_t!()
    );
    for (number, step) in steps.iter().enumerate() {
        let when = step.when.as_deref().unwrap_or("true");
        text += &format!(
            "CALL (start, pending, found, newest) {{ WITH start, pending, found, newest WHERE {when} \
               CALL db.index.fulltext.queryNodes('{SEARCH_INDEX}', {lucene}) YIELD node AS t \
               WITH t WHERE NOT t:SearchPending{also} RETURN count(t) AS more \
             }} WITH pending, start, newest, found + more AS found, \
                CASE WHEN {when} THEN {number} ELSE reach END AS reach ",
            lucene = step.lucene,
        );
    }
    // Reading: the waiting matches and, in one query of the index, the
    // windows of every step up to `reach` (a step before it was skipped
    // only for having no windows), or every match once the last step ran;
    // each match once, in list order. Counting first and reading after
    // keeps lists out of the rows sorted: Neo4j counts a list a row holds
    // once per row, and lists of nodes made a page's sort hold ~20 MB.
    let last = steps.len() - 1;
    let windows: String = steps
        .iter()
        .enumerate()
        .filter_map(|(number, step)| {
            let terms = step.terms.as_deref()?;
            Some(match step.windows.as_deref() {
                None => terms.to_owned(),
                Some(any) => format!("CASE WHEN reach >= {number} AND {any} THEN {terms} ELSE '' END"),
            })
        })
        .collect::<Vec<_>>()
        .join(" + ");
    let lucene =
        format!("CASE WHEN reach = {last} THEN $search ELSE $search + ' +search_time:(' + {windows} + ')' END");
    text + &format!(
        "CALL (start, reach) {{ {pending}{also} RETURN t \
           UNION \
           WITH start, reach CALL db.index.fulltext.queryNodes('{SEARCH_INDEX}', {lucene}) YIELD node AS t \
           WITH t WHERE NOT t:SearchPending{also} RETURN t \
         }} \
         WITH t ORDER BY t.created_at, t.uid LIMIT $limit {RETURN_TASK} ORDER BY t.created_at, t.uid",
        pending = pending_matches!()
    )
}

/// One step of a page's search: a query of the index for some windows.
struct Step {
    /// When it runs (none: always), on `start`, `pending` (the waiting
    /// matches' keys) and `found` (the matches counted so far).
    when: Option<String>,
    /// Whether it has windows to read at all (none: always).
    windows: Option<String>,
    /// Its windows' terms, space-separated, a Cypher expression on
    /// `start` (none: the last step, everything outside a window).
    terms: Option<String>,
    /// Its query of the index, a Cypher expression on `start` and `$search`.
    lucene: String,
}

/// The steps of a page's search, in order: the start's level-`a` window,
/// the rest of its window of each level above, everything outside its
/// level-`k` window.
fn steps() -> Vec<Step> {
    // Fewer than a page counted up to the end of the start's window of
    // `level`: the windows' matches so far, and the waiting ones before it.
    let short_of_a_page = |level: usize| {
        let width = window_ms(level);
        format!("found + size([key IN pending WHERE key < (start / {width} + 1) * {width}]) < $limit")
    };
    let within = |terms: &str| format!("$search + ' +search_time:(' + {terms} + ')'");
    let own = format!("' {}' + toString(start / {})", letter(0), window_ms(0));
    let mut steps = vec![Step { when: None, windows: None, lucene: within(&own), terms: Some(own) }];
    // The rest of the start's window of each level above, as windows of
    // the level below; none when the start's is the last of them.
    for level in 1..LEVELS.len() {
        let (width, below) = (window_ms(level), window_ms(level - 1));
        let last = FAN_OUT - 1;
        let siblings = format!("start / {below} % {FAN_OUT} < {last}");
        let terms = format!(
            "reduce(terms = '', w IN range(start / {below} + 1, start / {width} * {FAN_OUT} + {last}) | \
             terms + ' {}' + toString(w))",
            letter(level - 1)
        );
        // Its first window begins before the newest task: later ones hold
        // nothing yet (a task written meanwhile is waiting, read apart).
        let begun = format!("(start / {below} + 1) * {below} <= newest");
        steps.push(Step {
            when: Some(format!("{siblings} AND {begun} AND {}", short_of_a_page(level - 1))),
            windows: Some(siblings),
            lucene: within(&terms),
            terms: Some(terms),
        });
    }
    let top = LEVELS.len() - 1;
    let width = window_ms(top);
    steps.push(Step {
        when: Some(format!("(start / {width} + 1) * {width} <= newest AND {}", short_of_a_page(top))),
        windows: None,
        terms: None,
        lucene: format!("$search + ' -search_time:{}' + toString(start / {})", letter(top), window_ms(top)),
    });
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_indexed_terms_are_the_windows_the_search_reads() {
        let key = creation_key_of_t!();
        assert!(key.contains(&format!("+ {ORIGIN_MS})")), "{key}");
        let terms = SEARCH_TIME_OF_T;
        assert!(terms.contains(&format!("'{}' + toString({key} / {})", letter(0), window_ms(0))), "{terms}");
        let letters = std::str::from_utf8(LEVELS).unwrap();
        assert!(terms.contains(&format!("range(1, {})", LEVELS.len() - 1)), "{terms}");
        assert!(terms.contains(&format!("substring('{letters}', level, 1)")), "{terms}");
        assert!(terms.contains(&format!("2 ^ ({FIRST_WINDOW_BITS} + {LEVEL_BITS} * level)")), "{terms}");
        let text = windowed_search(&[], true);
        assert!(text.contains(&format!("$after_at.epochMillis + {ORIGIN_MS}")), "{text}");
        assert!(text.contains(&format!("collect({key}) AS pending")), "{text}");
    }

    #[test]
    fn a_window_of_the_coarsest_level_spans_decades() {
        let years = window_ms(LEVELS.len() - 1) / 1000 / 86_400 / 365;
        assert!((30..40).contains(&years), "{years}");
        assert_eq!(window_ms(1), window_ms(0) * FAN_OUT);
    }

    #[test]
    fn each_level_runs_only_while_short_of_a_page_and_the_last_reads_outside_the_coarsest_window() {
        let text = windowed_search(&["t.status = $status".to_owned()], false);
        let steps = LEVELS.len() + 1;
        assert_eq!(text.matches("db.index.fulltext.queryNodes('task_words'").count(), steps + 1, "counted, read");
        assert_eq!(text.matches("< $limit").count(), 2 * (steps - 1), "every step but the first is conditional");
        assert!(text.contains("' -search_time:k' + toString(start / 1099511627776)"), "{text}");
        assert!(text.contains("USING INDEX t:Task(created_at)"), "the oldest task, read along the index: {text}");
        assert_eq!(text.matches("AND t.status = $status").count(), steps + 3, "every query and the waiting");
        assert!(text.contains(&format!("CASE WHEN reach = {} THEN $search ELSE", steps - 1)), "{text}");
    }
}
