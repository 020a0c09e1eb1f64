//! A page of a task list read in another order than the default
//! (`sort=`, see [`trm_domain::sort`]).
//!
//! Without a project, assignee or search, a page walks the composite range
//! index `(key, created_at)` of its sort (`created_at` alone for
//! `-created_at`) forwards or backwards from the cursor: the tie-break
//! follows the sort's direction, so the index gives the order and the walk
//! stops after a page. Tasks without a due date are not in the
//! `(due_date, created_at)` index; they come last in both directions, read
//! along `created_at` by a second walk that only runs when the dated tasks
//! left do not fill the page. A list by project, assignee or parent
//! chooses between walking that node's relationships and sorting the
//! matches, and the same index walks checking each entry's relationship to
//! the node, within a budget of entries (see [`super::list_tasks`]); a
//! search sorts its matches
//! (unless it matches so many that the store walks the order's index
//! instead: `crate::neo4j::search_walk`), and so does `blocked=true`, read
//! from the `BLOCKS` edges.

use neo4rs::{BoltType, Query};
use trm_domain::{PageRequest, SortField, TaskSort, Timestamp};

use super::tasks::{Anchor, AnchoredListPlan, SEARCHED_TASKS, search_params, where_clause};
use super::{KEEP_PLAN, TASK_COLUMNS};
use crate::neo4j::values::datetime_param;

/// Where a sorted page's candidates come from.
pub(super) enum Candidates<'a> {
    /// Every task, along the sort's index.
    Index,
    /// The tasks related to one node, reached as the plan says, an index
    /// walk reading at most so many entries.
    Anchored(&'a Anchor, AnchoredListPlan, i64),
    /// The matches of the filter's search.
    Searched,
    /// The tasks with an open blocker (`blocked=true`), found from the
    /// `BLOCKS` edges (see [`BLOCKED_TASKS`]).
    Blocked,
}

/// The tasks with a blocker that is neither `done` nor `cancelled`
/// (`$unblocking`), each once, bound to `t`: read from the `BLOCKS`
/// relationships (a scan of that type's token index: as many rows as
/// edges), not checked task by task along an index, which reads every task
/// older than the blocked ones before a page of them has gone by.
pub(super) const BLOCKED_TASKS: &str = "MATCH (blocker:Task)-[edge:BLOCKS]->(t:Task) USING SCAN edge:BLOCKS \
     WHERE NOT blocker.status IN $unblocking WITH DISTINCT t ";

/// The task property a sort orders by.
fn property(field: SortField) -> &'static str {
    match field {
        SortField::CreatedAt => "created_at",
        SortField::UpdatedAt => "updated_at",
        SortField::DueDate => "due_date",
        SortField::Priority => "priority",
    }
}

/// "Strictly after `(created_at, uid)`" in direction `op`, written so that
/// its first conjunct is a range seek read in the list's order and the
/// rest a filter on the rows sharing the cursor's time. The rest is a
/// `CASE`, not an `OR`: the planner splits an `OR` into a union of two
/// seeks, whose rows it must then de-duplicate and sort — every task before
/// the cursor (measured: seconds a page at 200,000 tasks) — where the
/// `CASE` keeps one ordered walk that stops after a page.
fn after_created(op: &str) -> String {
    format!(
        "t.created_at {op}= $after_at AND CASE WHEN t.created_at = $after_at THEN t.uid {op} $after_uid ELSE true END"
    )
}

/// The Cypher of one page in `sort`'s order. `conditions` are the filter's
/// checks on `t` (a single status included); `params` hold their values,
/// the cursor's `after_at`/`after_uid` and `limit`.
pub(super) fn sorted_tasks(
    sort: TaskSort,
    candidates: &Candidates<'_>,
    search: Option<&trm_domain::search::SearchQuery>,
    page: PageRequest,
    conditions: &[String],
    mut params: Vec<(&'static str, BoltType)>,
) -> Query {
    let field = sort.field();
    let key = property(field);
    let (dir, op) = if sort.descending() { ("DESC", "<") } else { ("ASC", ">") };
    // The cursor's key: `Some(None)` after an undated task.
    let after_key = page.after.map(|after| after.sorted.and_then(|sorted| sorted.key));
    if let Some(Some(value)) = after_key {
        let value = match field {
            SortField::Priority => BoltType::from(value),
            _ => datetime_param(Timestamp::from_micros_clamped(value)),
        };
        params.push(("after_key", value));
    }
    if let (Candidates::Searched, Some(search)) = (candidates, search) {
        params.extend(search_params(search));
    }
    let (prelude, imports) = match candidates {
        Candidates::Anchored(Anchor { label, param, from_anchor, .. }, plan, walk_budget) => {
            params.push(("walk_budget", BoltType::from(*walk_budget)));
            let prelude = format!(
                "MATCH (anchor:{label} {{uid: ${param}}}) USING INDEX anchor:{label}(uid) \
                 WITH anchor, COUNT {{ (anchor){from_anchor}() }} AS degree \
                 CALL () {{ MATCH (every:Task) RETURN count(every) AS total }} \
                 WITH anchor, {} AS walk_relationships ",
                plan.walk_relationships_when()
            );
            (prelude, "anchor, walk_relationships")
        }
        _ => (String::new(), ""),
    };
    // An index walk's entries, `own` holding its seeks.
    let index_walk = |indexed: &str, own: &mut Vec<String>| {
        own.push("t.created_at IS NOT NULL".to_owned());
        format!("MATCH (t:Task) USING INDEX t:Task({indexed}) ")
    };
    // One walk: its source, its own conditions and its order.
    let walk = |indexed: &str, mut own: Vec<String>, order: &str| match candidates {
        Candidates::Anchored(Anchor { from_anchor, to_anchor, .. }, ..) => {
            // Either plan, behind its condition (see `super::list_tasks`);
            // the index walk's budget counts entries, so the node and the
            // filter are checked after it.
            let by_relationships = [&own[..], conditions].concat();
            let checked = [vec![format!("(t){to_anchor}(anchor)")], conditions.to_vec()].concat();
            let entries = index_walk(indexed, &mut own);
            format!(
                "CALL (anchor, walk_relationships) {{ \
                   WITH anchor WHERE walk_relationships \
                   CALL (anchor) {{ MATCH (anchor){from_anchor}(t:Task) {}\
                     RETURN t ORDER BY {order} LIMIT $limit }} \
                   RETURN t \
                   UNION ALL \
                   WITH anchor WHERE NOT walk_relationships \
                   CALL (anchor) {{ {entries}{}WITH t ORDER BY {order} LIMIT $walk_budget \
                     WITH t {}RETURN t ORDER BY {order} LIMIT $limit }} \
                   RETURN t \
                 }} WITH t",
                where_clause(&by_relationships),
                where_clause(&own),
                where_clause(&checked),
            )
        }
        _ => {
            let source = match candidates {
                Candidates::Searched => SEARCHED_TASKS.to_owned(),
                Candidates::Blocked => BLOCKED_TASKS.to_owned(),
                Candidates::Index | Candidates::Anchored(..) => index_walk(indexed, &mut own),
            };
            own.extend(conditions.iter().cloned());
            format!("{source}{}WITH t ORDER BY {order} LIMIT $limit", where_clause(&own))
        }
    };
    let keyed_order = format!("t.{key} {dir}, t.created_at {dir}, t.uid {dir}");
    let composite = format!("{key}, created_at");
    // The walks, in list order; each runs only while the page is not full.
    let mut walks: Vec<String> = Vec::new();
    match (field, after_key) {
        (SortField::CreatedAt, after) => {
            walks.push(walk("created_at", after.map(|_| after_created(op)).into_iter().collect(), &keyed_order));
        }
        (_, None) => walks.push(walk(&composite, vec![format!("t.{key} IS NOT NULL")], &keyed_order)),
        (_, Some(Some(_))) => {
            // The rest of the cursor's key (a seek on the key and a range
            // on `created_at`), then the keys beyond it: one walk from the
            // cursor would read every task sharing its key before it (a
            // priority is shared by a third of the tasks).
            let same_key = vec![format!("t.{key} = $after_key"), after_created(op)];
            walks.push(walk(&composite, same_key, &keyed_order));
            walks.push(walk(&composite, vec![format!("t.{key} {op} $after_key")], &keyed_order));
        }
        // After an undated task: only undated ones follow.
        (_, Some(None)) => {}
    }
    if field == SortField::DueDate {
        let mut own = vec![format!("t.{key} IS NULL")];
        if let Some(None) = after_key {
            own.push(after_created(op));
        }
        walks.push(walk("created_at", own, &format!("t.created_at {dir}, t.uid {dir}")));
    }
    let keep = if imports.is_empty() { String::new() } else { format!("{imports}, ") };
    // Each walk is guarded in a CALL of its own, so that a full page never
    // starts the next walk (the undated tasks' one reads along every task).
    let parts: String = walks
        .iter()
        .map(|walk| {
            format!(
                "CALL ({keep}rows) {{ WITH {keep}rows WHERE size(rows) < $limit \
                 CALL ({imports}) {{ {walk} RETURN t }} RETURN collect(t) AS part }} WITH {keep}rows + part AS rows "
            )
        })
        .collect();
    // A list by a node says which plan it took (see `super::list_tasks`).
    let plan_taken = if imports.is_empty() { "" } else { ", walk_relationships AS by_relationships" };
    let text = format!(
        "{KEEP_PLAN}{prelude}WITH {keep}[] AS rows {parts}\
         WITH {keep}rows[..$limit] AS rows UNWIND range(0, size(rows) - 1) AS i \
         WITH {keep}rows[i] AS t, i RETURN {TASK_COLUMNS}{plan_taken} ORDER BY i"
    );
    params.into_iter().fold(neo4rs::query(&text), |query, (key, value)| query.param(key, value))
}

#[cfg(test)]
mod tests {
    use trm_domain::{Cursor, PageRequest, SortedPosition, TaskSort, Timestamp};
    use uuid::Uuid;

    use crate::ports::TaskFilter;

    #[test]
    fn a_sorted_page_after_a_cursor_seeks_its_index_without_an_or_the_planner_would_split() {
        for sort in TaskSort::ALL.into_iter().filter(|sort| *sort != TaskSort::CreatedAt) {
            let filter = TaskFilter { sort, ..TaskFilter::default() };
            let after = Cursor {
                sorted: Some(SortedPosition { sort, key: Some(1) }),
                ..Cursor::new(Timestamp::now(), Uuid::new_v4())
            };
            let page = PageRequest::new(10, Some(after)).unwrap_or_default();
            let query = super::super::list_tasks(&filter, page);
            let text = query.query();
            assert!(text.starts_with("CYPHER replan=skip "), "{text}");
            assert!(text.contains("USING INDEX t:Task("), "{text}");
            assert!(!text.contains(" OR "), "an OR becomes a union of seeks and a sort of every row: {text}");
            for key in ["after_at", "after_uid", "limit"] {
                assert!(query.has_param_key(key), "missing ${key}");
            }
        }
    }
}
