//! A search page in another order than `created_at` on SQLite: the walk
//! of the crate's `search_walk`, each statement a list page along the
//! order's index (`Reading::Walked`), its budget counted through FTS5.
//!
//! (Checking each task against the full-text index itself is no help:
//! FTS5 seeks a rowid by reading the word's list up to it — measured, 26 s
//! a page for the newest tasks.)

use rusqlite::{Connection, params_from_iter};
use trm_domain::search::SearchQuery;
use trm_domain::{PageRequest, Task};

use super::rows::{TASK_COLUMN_COUNT, task_from_row};
use super::task_list::{Reading, list_query};
use crate::ports::TaskFilter;
use crate::search_walk::{SearchWalk, Step, WalkBudget};

/// How many entries a walk for the search `expression` (FTS5's language)
/// may read (see `search_walk::WalkBudget`), counted through the index.
pub(super) struct SearchBudget<'a> {
    conn: &'a Connection,
    expression: &'a str,
    most: i64,
    budget: WalkBudget,
}

impl<'a> SearchBudget<'a> {
    /// The budget, counted up to `most` when needed; `None` when the search
    /// matches fewer than `dense` tasks.
    pub(super) fn of(
        conn: &'a Connection,
        expression: &'a str,
        dense: i64,
        most: i64,
    ) -> rusqlite::Result<Option<Self>> {
        let budget = WalkBudget::after_counting(count_matches(conn, expression, dense)?, dense);
        Ok(budget.map(|budget| Self { conn, expression, most, budget }))
    }

    /// Whether a walk may read `entries` entries in all.
    pub(super) fn allows(&mut self, entries: usize) -> rusqlite::Result<bool> {
        if self.budget.needs_more_counted(entries) {
            self.budget.counted_further(count_matches(self.conn, self.expression, self.most)?);
        }
        Ok(self.budget.allows(entries))
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
/// by walking the order's index `statement` entries at a time and checking
/// `search` on each task; `None` when the walk gives up (see
/// `search_walk`), as soon as the entries it projects are more than the
/// budget `allows`.
pub(super) fn walk_search(
    conn: &Connection,
    filter: &TaskFilter,
    search: &SearchQuery,
    page: PageRequest,
    statement: u32,
    mut allows: impl FnMut(usize) -> rusqlite::Result<bool>,
) -> rusqlite::Result<Option<Vec<Task>>> {
    let mut walk = SearchWalk::new(search, filter.sort, page, statement).map_err(|problem| {
        rusqlite::Error::ToSqlConversionFailure(format!("a walk's statement is out of range: {problem:?}").into())
    })?;
    loop {
        let (sql, params) = list_query(filter, walk.next_statement(), None, Reading::Walked);
        let read: Vec<(Task, bool)> = conn
            .prepare_cached(&sql)?
            .query_map(params_from_iter(params), |row| Ok((task_from_row(row)?, row.get(TASK_COLUMN_COUNT)?)))?
            .collect::<rusqlite::Result<_>>()?;
        match walk.take(read) {
            Step::Page(found) => return Ok(Some(found)),
            Step::Continue { entries } if allows(entries)? => {}
            Step::Continue { .. } => return Ok(None),
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
                let searched = searching(&conn, words, sort, vec![]);
                let filters = [
                    searched.clone(),
                    TaskFilter { statuses: vec![TaskStatus::Todo], ..searched.clone() },
                    TaskFilter { statuses: vec![TaskStatus::Done, TaskStatus::InProgress], ..searched.clone() },
                    // Undated tasks make the condition NULL, not false.
                    TaskFilter { due_before: Some(Timestamp::from_micros(5_006).unwrap()), ..searched.clone() },
                ];
                for filter in filters {
                    let sorted = all_pages(&filter, |page| sorted_page(&conn, &filter, page));
                    assert!(sorted.concat().len() > 4, "{sort:?} {words:?}: more than a page");
                    let walked = all_pages(&filter, |page| {
                        walk_search(&conn, &filter, filter.search.as_ref().unwrap(), page, 500, within(1_000))
                            .unwrap()
                            .unwrap()
                    });
                    assert_eq!(walked, sorted, "{sort:?} {words:?} {filter:?}");
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
    fn a_search_walk_reads_past_statements_without_a_match_while_its_budget_lasts() {
        // The 700 most recently updated tasks are of another kind: the
        // search's matches all come after them.
        let conn = titled_tasks(1_200, |n| if n < 700 { format!("Chuyện {n}") } else { format!("Việc {n}") });
        let number = "CAST(replace(replace(title, 'Chuyện ', ''), 'Việc ', '') AS INTEGER)";
        conn.execute(&format!("UPDATE tasks SET updated_at = 100000 - {number}"), []).unwrap();
        let recent_first = searching(&conn, "viec", TaskSort::UpdatedAtDesc, vec![]);
        let search = recent_first.search.clone().unwrap();
        let page = PageRequest::new(10, None).unwrap();
        let found = walk_search(&conn, &recent_first, &search, page, 500, within(1_000)).unwrap().unwrap();
        let titles: Vec<&str> = found.iter().map(|task| task.title.as_str()).collect();
        let expected: Vec<String> = (700..711).map(|n| format!("Việc {n}")).collect();
        assert_eq!(titles, expected, "a page and one more, after the first statement found none");
        assert_eq!(walk_search(&conn, &recent_first, &search, page, 500, within(500)).unwrap(), None, "no budget left");
    }

    #[test]
    fn a_search_walk_is_budgeted_by_its_matches_counted_through_the_index() {
        let conn = searchable_tasks(30);
        let nha = match_expression(&conn, &SearchQuery::parse("nha").unwrap()).unwrap();
        assert!(SearchBudget::of(&conn, &nha, 11, 100).unwrap().is_none(), "ten tasks are of the house: too few");
        let mut budget = SearchBudget::of(&conn, &nha, 10, 100).unwrap().unwrap();
        assert!(budget.allows(5).unwrap() && !budget.allows(6).unwrap(), "half as many entries as matches");
        let viec = match_expression(&conn, &SearchQuery::parse("viec").unwrap()).unwrap();
        let mut budget = SearchBudget::of(&conn, &viec, 10, 25).unwrap().unwrap();
        assert!(budget.allows(12).unwrap(), "counted further, up to 25, when needed");
        assert!(!budget.allows(13).unwrap());
    }
}
