//! A search page in another order than `created_at`, when the search
//! matches much of the store: read along the order's index, each task's
//! words checked as it goes by.
//!
//! The search index hands out its matches in its own order (list order),
//! so a page by priority, say, reads every match through it and sorts
//! them. For a word most tasks hold that is every task: `q=task&sort=-priority`
//! at a million tasks took longer than the request timeout. Walking the
//! priority index instead finds a page of such matches within a few
//! hundred entries. Checking a task against the index's own words one at a
//! time is no help (FTS5 seeks a rowid by reading the word's list up to
//! it: measured, 26 s a page for the newest tasks), but the words are the
//! domain's folding of the task's title, description and tags, which the
//! walk reads anyway; so it folds them again and asks the domain's
//! [`SearchQuery::matches`] — the meaning the index implements, and what
//! the contract tests compare both stores against.
//!
//! A walk reads at most a budget of entries, as many as the search has
//! matches (see [`WalkBudget`]): when the page's matches lie
//! beyond it (a filter that keeps few tasks; matches that all come late in
//! the order), it gives up, and the page is read through the search index
//! and sorted as before. A search with few matches is sorted at once.

use rusqlite::{Connection, params_from_iter};
use trm_domain::search::SearchQuery;
use trm_domain::{PageRequest, Task};

use super::rows::{TASK_COLUMN_COUNT, task_from_row};
use super::task_list::{Reading, list_query};
use crate::ports::TaskFilter;
use crate::rules::task_search_text;

/// The fewest matches for which a search walks its order: below, sorting
/// them is cheaper than most walks.
pub(super) const DENSE_SEARCH_MATCHES: i64 = 10_000;

/// The most matches counted, and so the longest walk: a sort of more
/// would take about as long as a walk of as many entries.
pub(super) const MOST_SEARCH_MATCHES_COUNTED: i64 = 100_000;

/// How many entries a walk reads a statement.
pub(super) const ENTRIES_A_STATEMENT: u32 = PageRequest::MAX_LIMIT;

/// How many index entries a walk for a search may read before giving up
/// for a sort: half as many as the search has matches, counted up to
/// [`MOST_SEARCH_MATCHES_COUNTED`] — an entry read and checked costs about
/// what two matches found and sorted do (measured at a million tasks:
/// 8 µs and 4 µs), so the walk and the sort after it never take much more
/// than twice the better of the two.
///
/// Counted lazily: to [`DENSE_SEARCH_MATCHES`] first (under it, no walk),
/// further only when a walk needs more — a search most tasks match fills
/// its page at once and is never counted past that.
pub(super) struct WalkBudget<'a> {
    conn: &'a Connection,
    expression: &'a str,
    counted: usize,
    most: i64,
    counted_all: bool,
}

impl<'a> WalkBudget<'a> {
    /// The budget for the search `expression` (FTS5's language); `None`
    /// when it matches fewer than `dense` tasks.
    pub(super) fn of(
        conn: &'a Connection,
        expression: &'a str,
        dense: i64,
        most: i64,
    ) -> rusqlite::Result<Option<Self>> {
        let counted = count_matches(conn, expression, dense)?;
        let budget =
            Self { conn, expression, counted, most, counted_all: counted < usize::try_from(dense).unwrap_or(0) };
        Ok((!budget.counted_all).then_some(budget))
    }

    /// Whether a walk may read `entries` entries in all.
    pub(super) fn allows(&mut self, entries: usize) -> rusqlite::Result<bool> {
        let needed = entries.saturating_mul(2);
        if needed > self.counted && !self.counted_all {
            self.counted = count_matches(self.conn, self.expression, self.most)?;
            self.counted_all = true;
        }
        Ok(needed <= self.counted)
    }
}

/// How many tasks the search `expression` matches, up to `most`.
fn count_matches(conn: &Connection, expression: &str, most: i64) -> rusqlite::Result<usize> {
    let matches: i64 = conn
        .prepare_cached("SELECT count(*) FROM (SELECT 1 FROM task_search WHERE task_search MATCH ?1 LIMIT ?2)")?
        .query_row(rusqlite::params![expression, most], |row| row.get(0))?;
    Ok(usize::try_from(matches).unwrap_or(0))
}

/// The tasks of `page` of `filter` — whose order is not `created_at` —
/// and one more if there is one, as the list query would give them, found
/// by walking the order's index, `statement` entries at a time, and
/// checking `search` on each task; `None` when the page would not fill
/// within the entries the budget `allows`, as soon as the rate of matches
/// among those read says so (a search matching one task in a hundred is
/// given up after a statement, not after the 10,000 entries a page of it
/// would take).
pub(super) fn walk_search(
    conn: &Connection,
    filter: &TaskFilter,
    search: &SearchQuery,
    page: PageRequest,
    statement: u32,
    mut allows: impl FnMut(usize) -> rusqlite::Result<bool>,
) -> rusqlite::Result<Option<Vec<Task>>> {
    let wanted = usize::try_from(page.limit()).unwrap_or(usize::MAX).saturating_add(1);
    let mut found: Vec<Task> = Vec::with_capacity(wanted);
    let (mut after, mut walked) = (page.after, 0_usize);
    loop {
        // A statement's page reads one entry past its limit: all are walked.
        let entries = PageRequest::new(i64::from(statement), after).map_err(|problem| {
            rusqlite::Error::ToSqlConversionFailure(format!("a walk's page is out of range: {problem:?}").into())
        })?;
        let (sql, params) = list_query(filter, entries, None, Reading::Walked);
        let read: Vec<(Task, bool)> = conn
            .prepare_cached(&sql)?
            .query_map(params_from_iter(params), |row| Ok((task_from_row(row)?, row.get(TASK_COLUMN_COUNT)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let ended = read.len() <= usize::try_from(statement).unwrap_or(usize::MAX);
        walked += read.len();
        after = read.last().map(|(task, _)| filter.sort.cursor_of(task));
        for (task, kept) in read {
            if kept && search.matches(&task_search_text(&task)) {
                found.push(task);
                if found.len() == wanted {
                    return Ok(Some(found));
                }
            }
        }
        if ended {
            return Ok(Some(found));
        }
        // Gives up as soon as the matches so far say the page will not
        // fill within the budget: none yet, or too few for what it allows.
        let projected = (wanted - found.len()).saturating_mul(walked) / found.len().max(1);
        if found.is_empty() || !allows(walked.saturating_add(projected))? {
            return Ok(None);
        }
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;
    use trm_domain::{EnumAdapter as _, NewTask, Page, TaskSort, TaskStatus, Timestamp, Title};

    use super::super::rows::{TASK_COLUMNS, placeholders, task_values};
    use super::super::schema::migrate;
    use super::super::search_pending;
    use super::super::search_words::match_expression;
    use super::super::tasks::index_task_words;
    use super::*;

    /// A store of `count` searchable tasks: every one a "việc", every third
    /// also a "việc nhà", the others of a "công ty"; statuses, priorities,
    /// due dates (some missing) and update times vary, and creation times
    /// come in pairs, so that every order has ties to break.
    fn searchable_tasks(count: i64) -> Connection {
        titled_tasks(count, |n| if n % 3 == 0 { format!("Việc nhà {n}") } else { format!("Việc công ty {n}") })
    }

    /// Like [`searchable_tasks`], titled by `title`.
    fn titled_tasks(count: i64, title: impl Fn(i64) -> String) -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        search_pending::prepare(&conn).unwrap();
        let tx = conn.transaction().unwrap();
        let insert = format!("INSERT INTO tasks ({TASK_COLUMNS}) VALUES ({})", placeholders(TASK_COLUMN_COUNT));
        let statuses = [TaskStatus::Todo, TaskStatus::InProgress, TaskStatus::Done];
        for n in 0..count {
            let new = NewTask::new(Title::parse(&title(n)).unwrap());
            let task = Task::create(new, Timestamp::from_micros(1_000 + n / 2).unwrap()).unwrap();
            tx.execute(&insert, params_from_iter(task_values(&task))).unwrap();
            let due = (n % 4 != 0).then_some(5_000 + (n * 7) % 11);
            let status = statuses[usize::try_from((n / 3) % 3).unwrap()].as_str();
            tx.execute(
                "UPDATE tasks SET status = ?1, priority = ?2, due_date = ?3, updated_at = ?4 WHERE uid = ?5",
                rusqlite::params![status, (n / 2) % 3, due, 9_000 + (n * 13) % 17, task.uid.to_string()],
            )
            .unwrap();
            index_task_words(&tx, &task).unwrap();
        }
        search_pending::flush(&tx).unwrap();
        tx.commit().unwrap();
        conn
    }

    fn searching(conn: &Connection, words: &str, sort: TaskSort, statuses: Vec<TaskStatus>) -> TaskFilter {
        let search = SearchQuery::parse(words).unwrap();
        assert!(!match_expression(conn, &search).unwrap().is_empty());
        TaskFilter { search: Some(search), sort, statuses, ..TaskFilter::default() }
    }

    /// Every page of `filter`, four at a time, each after the last one's
    /// cursor, read by `read` (the page's tasks and one more, if any).
    fn all_pages(filter: &TaskFilter, read: impl Fn(PageRequest) -> Vec<Task>) -> Vec<Vec<String>> {
        let mut pages = Vec::new();
        let mut page = PageRequest::new(4, None).unwrap();
        loop {
            let listed = Page::from_overfetched(read(page), page, |task| filter.sort.cursor_of(task));
            pages.push(listed.items.iter().map(|task| task.uid.to_string()).collect());
            match listed.next {
                Some(next) => page = PageRequest::new(4, Some(next)).unwrap(),
                None => return pages,
            }
        }
    }

    /// A budget of `most` entries.
    fn within(most: usize) -> impl FnMut(usize) -> rusqlite::Result<bool> {
        move |entries| Ok(entries <= most)
    }

    /// A page as the search index reads it, sorted.
    fn sorted_page(conn: &Connection, filter: &TaskFilter, page: PageRequest) -> Vec<Task> {
        let expression = match_expression(conn, filter.search.as_ref().unwrap()).unwrap();
        let (sql, params) = list_query(filter, page, Some(&expression), Reading::Sorted);
        conn.prepare(&sql)
            .unwrap()
            .query_map(params_from_iter(params), task_from_row)
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn a_search_walk_lists_what_the_search_index_lists_sorted() {
        let conn = searchable_tasks(40);
        for sort in
            TaskSort::ALL.into_iter().filter(|sort| *sort != TaskSort::CreatedAt && *sort != TaskSort::CreatedAtDesc)
        {
            for words in ["viec", "nha", "cong t", "VIỆC CÔNG"] {
                for statuses in [vec![], vec![TaskStatus::Todo], vec![TaskStatus::Done, TaskStatus::InProgress]] {
                    let filter = searching(&conn, words, sort, statuses);
                    let sorted = all_pages(&filter, |page| sorted_page(&conn, &filter, page));
                    assert!(sorted.concat().len() > 4, "{sort:?} {words:?}: more than a page");
                    let walked = all_pages(&filter, |page| {
                        walk_search(&conn, &filter, filter.search.as_ref().unwrap(), page, 500, within(1_000))
                            .unwrap()
                            .unwrap()
                    });
                    assert_eq!(walked, sorted, "{sort:?} {words:?} {:?}", filter.statuses);
                }
            }
        }
    }

    #[test]
    fn a_search_walk_gives_up_when_its_budget_goes_by_before_a_page_of_matches() {
        let conn = searchable_tasks(30);
        // The ten tasks "nhà" become the least urgent.
        conn.execute("UPDATE tasks SET priority = CASE WHEN title LIKE '%nhà%' THEN 0 ELSE 2 END", []).unwrap();
        let urgent_first = searching(&conn, "nha", TaskSort::PriorityDesc, vec![]);
        let search = urgent_first.search.clone().unwrap();
        let first = PageRequest::new(4, None).unwrap();
        assert_eq!(
            walk_search(&conn, &urgent_first, &search, first, 10, within(10)).unwrap(),
            None,
            "20 others come first"
        );
        let page = walk_search(&conn, &urgent_first, &search, first, 30, within(30)).unwrap().unwrap();
        assert_eq!(page.len(), 5, "a page and one more");
        let least_urgent_first = TaskFilter { sort: TaskSort::Priority, ..urgent_first.clone() };
        assert_eq!(walk_search(&conn, &least_urgent_first, &search, first, 5, within(5)).unwrap().unwrap().len(), 5);
        let everything = PageRequest::new(50, None).unwrap();
        let all = walk_search(&conn, &urgent_first, &search, everything, 500, within(1_000)).unwrap().unwrap();
        assert_eq!(all.len(), 10, "the index ends within the budget: every match");
    }

    #[test]
    fn a_search_walk_gives_up_after_a_statement_whose_matches_are_too_sparse_for_its_budget() {
        // One task in a hundred is rare among the first 600, every one after.
        let conn = titled_tasks(1_200, |n| {
            if n >= 600 || n % 100 == 0 { format!("Việc hiếm {n}") } else { format!("Việc {n}") }
        });
        // In order of their numbers, most recently updated first.
        let number = "CAST(replace(replace(title, 'Việc hiếm ', ''), 'Việc ', '') AS INTEGER)";
        conn.execute(&format!("UPDATE tasks SET updated_at = 100000 - {number}"), []).unwrap();
        let rare = searching(&conn, "hiem", TaskSort::UpdatedAtDesc, vec![]);
        let search = rare.search.clone().unwrap();
        let page = PageRequest::new(10, None).unwrap();
        // The first statement's 501 entries hold 6 matches: at that rate
        // the other 5 are 417 entries further, past a budget of 900 —
        // which a walk to the end of the next statement would have passed
        // too, after finding them at the 606th.
        assert_eq!(walk_search(&conn, &rare, &search, page, 500, within(900)).unwrap(), None);
        let found = walk_search(&conn, &rare, &search, page, 500, within(1_000)).unwrap().unwrap();
        assert_eq!(found.len(), 11, "a page and one more, the last 5 from the 601st entry on");
        assert!(found.iter().all(|task| task.title.as_str().contains("hiếm")));
    }

    #[test]
    fn a_search_walks_half_as_many_entries_as_it_has_matches_counted_only_as_far_as_needed() {
        let conn = searchable_tasks(30);
        let nha = match_expression(&conn, &SearchQuery::parse("nha").unwrap()).unwrap();
        assert!(WalkBudget::of(&conn, &nha, 11, 100).unwrap().is_none(), "ten tasks are of the house: too few");
        let mut budget = WalkBudget::of(&conn, &nha, 10, 100).unwrap().unwrap();
        assert!(budget.allows(5).unwrap() && !budget.allows(6).unwrap(), "half as many entries as matches");
        let viec = match_expression(&conn, &SearchQuery::parse("viec").unwrap()).unwrap();
        let mut budget = WalkBudget::of(&conn, &viec, 10, 25).unwrap().unwrap();
        assert_eq!((budget.counted, budget.counted_all), (10, false), "counted as far as dense");
        assert!(budget.allows(5).unwrap());
        assert_eq!(budget.counted, 10, "no need to count further");
        assert!(budget.allows(12).unwrap(), "counted further when needed");
        assert!(!budget.allows(13).unwrap(), "up to the most");
        assert_eq!((budget.counted, budget.counted_all), (25, true));
    }
}
