//! A search page in another order than `created_at` on Neo4j: the walk of
//! the crate's `search_walk`, each statement the list page of the filter
//! without its search (a walk of the order's index), its budget counted
//! through the full-text index.
//!
//! Only a list without a project, assignee or parent walks: with one, a
//! statement would be that node's list, which may sort the node's tasks or
//! stop at its own walk's budget (`queries::may_stop_at_walk_budget`)
//! short of the entries this walk counts on.

use trm_domain::search::SearchQuery;
use trm_domain::{PageRequest, Task, TaskSort};

use super::Connections;
use super::queries::{self, AnchoredListPlan};
use super::transactions::fetch_all;
use super::values::{column_integer, task_from_row};
use crate::error::StoreError;
use crate::ports::TaskFilter;
use crate::search_walk::{
    DENSE_SEARCH_MATCHES, ENTRIES_A_STATEMENT, MOST_SEARCH_MATCHES_COUNTED, SearchWalk, Step, WalkBudget,
};

/// The tasks of `page` of `filter` and one more if there is one, found by
/// walking its order's index; `None` when the list is not one to walk
/// (no search, the default order, a node to start from, too few matches)
/// or the walk gave up: the caller then reads the page as before.
pub(super) async fn walk_search(
    graph: &Connections,
    filter: &TaskFilter,
    page: PageRequest,
    plan: AnchoredListPlan,
) -> Result<Option<Vec<Task>>, StoreError> {
    let Some(search) = &filter.search else { return Ok(None) };
    let anchored = filter.project_id.is_some() || filter.assignee_id.is_some() || filter.parent_id.is_some();
    // The default order reads the index a few windows of time at a time
    // (`queries::search_windows`); `-created_at` sorts every match too.
    if filter.sort == TaskSort::CreatedAt || anchored {
        return Ok(None);
    }
    let dense = count_matches(graph, search, DENSE_SEARCH_MATCHES).await?;
    let Some(mut budget) = WalkBudget::after_counting(dense, DENSE_SEARCH_MATCHES) else { return Ok(None) };
    let unsearched = TaskFilter { search: None, ..filter.clone() };
    let mut walk = SearchWalk::new(search, filter.sort, page, ENTRIES_A_STATEMENT).map_err(|problem| {
        StoreError::Unexpected(anyhow::anyhow!("a walk's statement is out of range: {problem:?}"))
    })?;
    loop {
        let query = queries::list_tasks_planned(&unsearched, walk.next_statement(), plan);
        let rows = fetch_all(graph, query, "cannot walk a search's order").await?;
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

/// How many tasks the full-text index finds for `search`, up to `most`.
async fn count_matches(graph: &Connections, search: &SearchQuery, most: i64) -> Result<usize, StoreError> {
    let rows = fetch_all(graph, queries::count_search_matches(search, most), "cannot count a search's matches").await?;
    let matches = rows.first().map(|row| column_integer(row, "matches")).transpose()?.unwrap_or(0);
    Ok(usize::try_from(matches).unwrap_or(0))
}
