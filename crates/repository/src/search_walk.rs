//! A search page in another order than `created_at`, when the search
//! matches much of the store: read along the order's index, each task's
//! words checked as it goes by — the part both stores share.
//!
//! A store's search index hands out its matches in its own order (SQLite:
//! list order; Neo4j: by score), so a page by priority, say, reads every
//! match through it and sorts them. For a word most tasks hold that is
//! every task: `q=task&sort=-priority` at a million tasks took past the
//! 5 s request timeout on SQLite and about 3 s on Neo4j. Walking the
//! priority index instead finds a page of such matches within a few
//! hundred entries. The walk needs no help from the search index: a
//! task's indexed words are the domain's folding of its title, description
//! and tags, which the walk reads anyway, so it folds them again and asks
//! [`SearchQuery::matches`] — the meaning both indexes implement, and what
//! the contract tests compare them against.
//!
//! A walk reads the order's index a statement at a time ([`SearchWalk`]),
//! each statement the store's own list page of the filter without its
//! search, after the last entry read. After each, the matches found so far
//! project how many entries the page needs (before the first match, only
//! the entries read are known); the walk gives up for the sort when the
//! projection passes half the search's matches ([`within_budget`]), which
//! the store counts through its index: up to [`DENSE_SEARCH_MATCHES`] to
//! decide to walk at all, further (up to [`MOST_SEARCH_MATCHES_COUNTED`])
//! only when a walk needs it. A search matching one task in a hundred
//! gives up after one statement; matches that come after more tasks that
//! do not match than the budget allows are sorted, as before.

use trm_domain::search::SearchQuery;
use trm_domain::{Cursor, FieldErrorKind, PageRequest, Task, TaskSort};

use crate::rules::task_search_text;

/// The fewest matches for which a search walks its order: below, sorting
/// them is cheaper than most walks.
pub(crate) const DENSE_SEARCH_MATCHES: i64 = 10_000;

/// The most matches counted, and so the longest walk: a sort of more
/// would take about as long as a walk of half as many entries.
pub(crate) const MOST_SEARCH_MATCHES_COUNTED: i64 = 100_000;

/// How many entries a walk reads a statement.
pub(crate) const ENTRIES_A_STATEMENT: u32 = PageRequest::MAX_LIMIT;

/// Whether a walk may read `entries` entries for a search with `matches`
/// matches: half as many. An entry read and checked costs about what two
/// matches found and sorted do (measured on SQLite at a million tasks:
/// 8 µs and 4 µs), so the walk and a sort after a failed one never take
/// much more than twice the better of the two.
pub(crate) const fn within_budget(entries: usize, matches: usize) -> bool {
    entries.saturating_mul(2) <= matches
}

/// How many entries a walk may read: what [`within_budget`] allows for
/// the search's matches counted so far. The store counts them lazily: up
/// to [`DENSE_SEARCH_MATCHES`] first (under it, no walk), further, up to
/// [`MOST_SEARCH_MATCHES_COUNTED`], only when a walk needs more — a
/// search most tasks match fills its page at once and is never counted
/// past that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WalkBudget {
    counted: usize,
    counted_all: bool,
}

impl WalkBudget {
    /// The budget after counting the search's matches up to `dense`;
    /// `None` when there were fewer: no walk.
    pub(crate) fn after_counting(counted: usize, dense: i64) -> Option<Self> {
        (counted >= usize::try_from(dense).unwrap_or(usize::MAX)).then_some(Self { counted, counted_all: false })
    }

    /// Whether deciding on `entries` needs the matches counted further.
    pub(crate) const fn needs_more_counted(&self, entries: usize) -> bool {
        !self.counted_all && !within_budget(entries, self.counted)
    }

    /// Takes the matches counted as far as they will be.
    pub(crate) const fn counted_further(&mut self, counted: usize) {
        self.counted = counted;
        self.counted_all = true;
    }

    /// Whether a walk may read `entries` entries in all.
    pub(crate) const fn allows(&self, entries: usize) -> bool {
        within_budget(entries, self.counted)
    }

    /// The search's matches counted so far.
    pub(crate) const fn matches_counted(&self) -> usize {
        self.counted
    }

    /// Whether the matches are counted as far as they will be.
    pub(crate) const fn counted_all(&self) -> bool {
        self.counted_all
    }
}

/// A walk in progress: the matches found, and where the next statement
/// starts.
pub(crate) struct SearchWalk<'a> {
    search: &'a SearchQuery,
    sort: TaskSort,
    /// A statement's page: its size, after the last entry read.
    statement: PageRequest,
    /// The page's tasks and one more, if there is one.
    wanted: usize,
    found: Vec<Task>,
    walked: usize,
}

/// What a walk does after a statement.
#[derive(Debug, PartialEq)]
pub(crate) enum Step {
    /// The page's tasks and one more if there is one: the page is done.
    Page(Vec<Task>),
    /// Read the next statement, if the budget allows `entries` in all.
    Continue {
        /// The entries the page is projected to need, those read included;
        /// before the first match, those read.
        entries: usize,
    },
}

impl<'a> SearchWalk<'a> {
    /// A walk for `page` of a list searching `search` in `sort`'s order,
    /// reading `statement` entries a statement.
    ///
    /// # Errors
    /// When `statement` is not a valid page size (1 to 500).
    pub(crate) fn new(
        search: &'a SearchQuery,
        sort: TaskSort,
        page: PageRequest,
        statement: u32,
    ) -> Result<Self, FieldErrorKind> {
        let wanted = usize::try_from(page.limit()).unwrap_or(usize::MAX).saturating_add(1);
        let statement = PageRequest::new(i64::from(statement), page.after)?;
        Ok(Self { search, sort, statement, wanted, found: Vec::with_capacity(wanted), walked: 0 })
    }

    /// The page the next statement reads: the filter's list page, without
    /// its search (its answer holds one entry past the page: all are read).
    pub(crate) const fn next_statement(&self) -> PageRequest {
        self.statement
    }

    /// Takes what a statement read — each entry with whether the filter's
    /// other conditions hold of it — in list order.
    pub(crate) fn take(&mut self, read: Vec<(Task, bool)>) -> Step {
        let ended = read.len() <= usize::try_from(self.statement.limit()).unwrap_or(usize::MAX);
        self.walked += read.len();
        if let Some((last, _)) = read.last() {
            self.statement.after = Some(self.cursor_of(last));
        }
        for (task, kept) in read {
            if kept && self.search.matches(&task_search_text(&task)) {
                self.found.push(task);
                if self.found.len() == self.wanted {
                    return Step::Page(std::mem::take(&mut self.found));
                }
            }
        }
        if ended {
            return Step::Page(std::mem::take(&mut self.found));
        }
        if self.found.is_empty() {
            // Nothing to project from: the matches may just come later
            // (tasks that do not match bunched first in the order — the
            // newest ones, an import), so the walk goes on while the
            // entries read are within the budget.
            return Step::Continue { entries: self.walked };
        }
        let projected = (self.wanted - self.found.len()).saturating_mul(self.walked) / self.found.len();
        Step::Continue { entries: self.walked.saturating_add(projected) }
    }

    fn cursor_of(&self, task: &Task) -> Cursor {
        self.sort.cursor_of(task)
    }
}

#[cfg(test)]
mod tests {
    use trm_domain::{NewTask, Timestamp, Title};

    use super::*;

    fn task(title: &str, micros: i64) -> Task {
        Task::create(NewTask::new(Title::parse(title).unwrap()), Timestamp::from_micros(micros).unwrap()).unwrap()
    }

    fn titles(tasks: &[Task]) -> Vec<&str> {
        tasks.iter().map(|task| task.title.as_str()).collect()
    }

    #[test]
    fn a_walk_keeps_the_matches_whose_other_conditions_hold_until_the_page_and_one_more() {
        let search = SearchQuery::parse("viec").unwrap();
        let page = PageRequest::new(2, None).unwrap();
        let mut walk = SearchWalk::new(&search, TaskSort::CreatedAtDesc, page, 5).unwrap();
        let read = vec![
            (task("Việc một", 6), true),
            (task("Chuyện khác", 5), true),
            (task("Việc bị lọc", 4), false),
            (task("Viec hai", 3), true),
            (task("Việc ba", 2), true),
            (task("Việc bốn", 1), true),
        ];
        let Step::Page(found) = walk.take(read) else { panic!("three matches: the page is full") };
        assert_eq!(titles(&found), ["Việc một", "Viec hai", "Việc ba"]);
    }

    #[test]
    fn a_walk_projects_the_entries_its_page_needs_from_the_matches_so_far() {
        let search = SearchQuery::parse("viec").unwrap();
        let page = PageRequest::new(3, None).unwrap();
        let mut walk = SearchWalk::new(&search, TaskSort::CreatedAtDesc, page, 3).unwrap();
        // Four entries read (a statement and one), one match: three more
        // matches are wanted, twelve entries at that rate.
        let read = vec![
            (task("Việc một", 8), true),
            (task("Khác", 7), true),
            (task("Khác nữa", 6), true),
            (task("Khác mãi", 5), true),
        ];
        assert_eq!(walk.take(read), Step::Continue { entries: 16 });
        let after = walk.next_statement().after.unwrap();
        assert_eq!(after.created_at, Timestamp::from_micros(5).unwrap(), "the next statement starts after the last");
        // The index ends within the next statement: the page is what it found.
        let Step::Page(found) = walk.take(vec![(task("Việc hai", 4), true)]) else { panic!("the index ended") };
        assert_eq!(titles(&found), ["Việc một", "Việc hai"]);
    }

    #[test]
    fn a_walk_goes_on_past_a_statement_without_a_match_as_far_as_its_entries_unless_the_index_ended() {
        let search = SearchQuery::parse("viec").unwrap();
        let page = PageRequest::new(3, None).unwrap();
        let mut walk = SearchWalk::new(&search, TaskSort::CreatedAtDesc, page, 1).unwrap();
        assert_eq!(
            walk.take(vec![(task("Khác", 4), true), (task("Khác nữa", 3), true)]),
            Step::Continue { entries: 2 }
        );
        assert_eq!(walk.take(vec![(task("Việc", 2), true), (task("Khác", 1), true)]), Step::Continue { entries: 16 });
        let mut walk = SearchWalk::new(&search, TaskSort::CreatedAtDesc, page, 2).unwrap();
        assert_eq!(walk.take(vec![(task("Khác", 2), true)]), Step::Page(Vec::new()), "nothing left to find");
    }

    #[test]
    fn a_budget_is_counted_further_only_when_a_walk_needs_it() {
        assert_eq!(WalkBudget::after_counting(9, 10), None, "too few matches to walk for");
        let mut budget = WalkBudget::after_counting(10, 10).unwrap();
        assert!(budget.allows(5) && !budget.needs_more_counted(5));
        assert!(!budget.allows(6) && budget.needs_more_counted(6));
        budget.counted_further(12);
        assert!(budget.allows(6) && !budget.allows(7));
        assert!(!budget.needs_more_counted(7), "counted as far as it goes");
    }

    #[test]
    fn a_walk_may_read_half_as_many_entries_as_its_search_has_matches() {
        assert!(within_budget(5_000, 10_000));
        assert!(!within_budget(5_001, 10_000));
        assert!(!within_budget(usize::MAX, usize::MAX - 1));
    }
}
