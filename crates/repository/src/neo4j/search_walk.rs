//! A search page in another order than `created_at` on Neo4j: the walk of
//! the crate's `search_walk`, each statement the list page of the filter
//! without its search (a walk of the order's index), its budget counted
//! through the full-text index.
//!
//! A list by a project, assignee or parent walks too: its statements are
//! that node's list, which reads the order's index checking each task's
//! relationship (or, for a node of few tasks, sorts them). That walk has a
//! budget of its own (`queries::may_stop_at_walk_budget`): a statement it
//! cut short leaves this walk not knowing where the index stands, so the
//! page goes to the sort.

use neo4rs::Row;
use trm_domain::search::SearchQuery;
use trm_domain::{PageRequest, Task, TaskSort};

use super::Connections;
use super::queries::{self, AnchoredListPlan};
use super::transactions::fetch_all;
use super::values::{column_bool, column_integer, task_from_row};
use crate::error::StoreError;
use crate::ports::TaskFilter;
use crate::search_walk::{
    DENSE_SEARCH_MATCHES, ENTRIES_A_STATEMENT, MOST_SEARCH_MATCHES_COUNTED, SearchWalk, Step, WalkBudget,
};

/// The tasks of `page` of `filter` and one more if there is one, found by
/// walking its order's index; `None` when the list is not one to walk
/// (no search, the default order, too few matches) or the walk gave up:
/// the caller then reads the page as before.
pub(super) async fn walk_search(
    graph: &Connections,
    filter: &TaskFilter,
    page: PageRequest,
    plan: AnchoredListPlan,
) -> Result<Option<Vec<Task>>, StoreError> {
    let Some(search) = &filter.search else { return Ok(None) };
    // The default order reads the index a few windows of time at a time
    // (`queries::search_windows`).
    if filter.sort == TaskSort::CreatedAt {
        return Ok(None);
    }
    let dense = count_matches(graph, search, DENSE_SEARCH_MATCHES).await?;
    let Some(mut budget) = WalkBudget::after_counting(dense, DENSE_SEARCH_MATCHES) else { return Ok(None) };
    let unsearched = TaskFilter { search: None, ..filter.clone() };
    let mut walk = SearchWalk::new(search, filter.sort, page, ENTRIES_A_STATEMENT).map_err(|problem| {
        StoreError::Unexpected(anyhow::anyhow!("a walk's statement is out of range: {problem:?}"))
    })?;
    loop {
        let Some(rows) = read_statement(graph, &unsearched, walk.next_statement(), plan, search, &mut budget).await?
        else {
            return Ok(None);
        };
        // The statement checked the filter's other conditions itself.
        let read = rows.iter().map(|row| task_from_row(row).map(|task| (task, true))).collect::<Result<_, _>>()?;
        match walk.take(read) {
            Step::Page(found) => return Ok(Some(found)),
            Step::Continue { entries } => {
                if budget.needs_more_counted(entries) {
                    budget.counted_further(count_matches(graph, search, MOST_SEARCH_MATCHES_COUNTED).await?);
                }
                if !budget.allows(entries) {
                    return Ok(None);
                }
            }
        }
    }
}

/// The rows of one statement of a walk: `statement` of the list of
/// `unsearched`; `None` when that list stopped at its own walk's budget
/// (a list by a node, see `queries::may_stop_at_walk_budget`) even with
/// the search's matches counted as far as they go.
///
/// A statement of a node's list asks for ten times a page's tasks, so its
/// index walk may read as many entries as the search has matches: about
/// half what sorting them costs. A statement cut short at the matches
/// counted so far is read again once with them counted further.
async fn read_statement(
    graph: &Connections,
    unsearched: &TaskFilter,
    statement: PageRequest,
    plan: AnchoredListPlan,
    search: &SearchQuery,
    budget: &mut WalkBudget,
) -> Result<Option<Vec<Row>>, StoreError> {
    loop {
        let walk_budget = match plan {
            AnchoredListPlan::Cheapest => i64::try_from(budget.matches_counted()).unwrap_or(i64::MAX),
            forced => forced.walk_budget(),
        };
        let query = queries::list_tasks_within(unsearched, statement, plan, walk_budget);
        let rows = fetch_all(graph, query, "cannot walk a search's order").await?;
        let cut_short = queries::may_stop_at_walk_budget(unsearched, statement, plan, rows.len())
            && !rows.first().map(|row| column_bool(row, "by_relationships")).transpose()?.unwrap_or(false);
        if !cut_short {
            return Ok(Some(rows));
        }
        let counted = budget.matches_counted();
        if budget.counted_all() {
            return Ok(None);
        }
        budget.counted_further(count_matches(graph, search, MOST_SEARCH_MATCHES_COUNTED).await?);
        if budget.matches_counted() <= counted {
            return Ok(None);
        }
    }
}

/// How many tasks the full-text index finds for `search`, up to `most`.
async fn count_matches(graph: &Connections, search: &SearchQuery, most: i64) -> Result<usize, StoreError> {
    let rows = fetch_all(graph, queries::count_search_matches(search, most), "cannot count a search's matches").await?;
    let matches = rows.first().map(|row| column_integer(row, "matches")).transpose()?.unwrap_or(0);
    Ok(usize::try_from(matches).unwrap_or(0))
}
