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
//! left do not fill the page. A list by project or assignee walks that
//! node's relationships and sorts the matches; a search sorts its matches.

use neo4rs::{BoltType, Query};
use trm_domain::{PageRequest, SortField, TaskSort, Timestamp};

use super::tasks::{Anchor, TASK_SEARCH_INDEX, where_clause};
use super::{KEEP_PLAN, TASK_COLUMNS};
use crate::neo4j::values::datetime_param;
use crate::rules::lucene_query;

/// Where a sorted page's candidates come from.
pub(super) enum Candidates<'a> {
    /// Every task, along the sort's index.
    Index,
    /// The tasks related to one node.
    Anchored(&'a Anchor),
    /// The matches of the filter's search.
    Searched,
}

/// The task property a sort orders by.
fn property(field: SortField) -> &'static str {
    match field {
        SortField::CreatedAt => "created_at",
        SortField::UpdatedAt => "updated_at",
        SortField::DueDate => "due_date",
        SortField::Priority => "priority",
    }
}

/// "Strictly after `(key, created_at, uid)`" in direction `op`, written so
/// that its first conjunct is a range seek on the key's index.
fn after_keyed(key: &str, op: &str) -> String {
    format!(
        "t.{key} {op}= $after_key AND (t.{key} {op} $after_key OR (t.{key} = $after_key AND \
         (t.created_at {op} $after_at OR (t.created_at = $after_at AND t.uid {op} $after_uid))))"
    )
}

/// "Strictly after `(created_at, uid)`" in direction `op`.
fn after_created(op: &str) -> String {
    format!("t.created_at {op}= $after_at AND (t.created_at {op} $after_at OR t.uid {op} $after_uid)")
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
        params.push(("search", BoltType::from(lucene_query(search))));
    }
    let (prelude, imports) = match candidates {
        Candidates::Anchored(Anchor { label, param, .. }) => {
            (format!("MATCH (anchor:{label} {{uid: ${param}}}) USING INDEX anchor:{label}(uid) "), "anchor")
        }
        _ => (String::new(), ""),
    };
    // One walk: its source, its own conditions and its order.
    let walk = |indexed: &str, mut own: Vec<String>, order: &str| {
        let source = match candidates {
            Candidates::Index => {
                own.push("t.created_at IS NOT NULL".to_owned());
                format!("MATCH (t:Task) USING INDEX t:Task({indexed}) ")
            }
            Candidates::Anchored(Anchor { relationship, .. }) => {
                format!("MATCH (anchor)<-[:{relationship}]-(t:Task) ")
            }
            Candidates::Searched => {
                format!("CALL db.index.fulltext.queryNodes('{TASK_SEARCH_INDEX}', $search) YIELD node AS t ")
            }
        };
        own.extend(conditions.iter().cloned());
        format!("{source}{}WITH t ORDER BY {order} LIMIT $limit", where_clause(&own))
    };
    let keyed_order = format!("t.{key} {dir}, t.created_at {dir}, t.uid {dir}");
    let keyed = match (field, after_key) {
        (SortField::CreatedAt, after) => {
            Some(walk("created_at", after.map(|_| after_created(op)).into_iter().collect(), &keyed_order))
        }
        (_, None) => Some(walk(&format!("{key}, created_at"), vec![format!("t.{key} IS NOT NULL")], &keyed_order)),
        (_, Some(Some(_))) => Some(walk(&format!("{key}, created_at"), vec![after_keyed(key, op)], &keyed_order)),
        // After an undated task: only undated ones follow.
        (_, Some(None)) => None,
    };
    let unkeyed = (field == SortField::DueDate).then(|| {
        let mut own = vec![format!("t.{key} IS NULL")];
        if let Some(None) = after_key {
            own.push(after_created(op));
        }
        walk("created_at", own, &format!("t.created_at {dir}, t.uid {dir}"))
    });
    let keep = if imports.is_empty() { String::new() } else { format!("{imports}, ") };
    let keyed = keyed.map_or_else(
        || format!("WITH {keep}[] AS keyed "),
        |walk| format!("CALL ({imports}) {{ {walk} RETURN collect(t) AS keyed }} "),
    );
    let with_imports = if imports.is_empty() { "keyed".to_owned() } else { format!("{imports}, keyed") };
    let unkeyed = unkeyed.map_or_else(
        || "WITH keyed, [] AS unkeyed ".to_owned(),
        // Guarded in a CALL of its own, so that a page the dated tasks
        // fill never starts the walk along every task.
        |walk| {
            format!(
                "CALL ({with_imports}) {{ WITH {with_imports} WHERE size(keyed) < $limit \
                 CALL ({imports}) {{ {walk} RETURN t }} RETURN collect(t) AS unkeyed }} "
            )
        },
    );
    let text = format!(
        "{KEEP_PLAN}{prelude}{keyed}{unkeyed}\
         WITH (keyed + unkeyed)[..$limit] AS rows UNWIND range(0, size(rows) - 1) AS i \
         WITH rows[i] AS t, i RETURN {TASK_COLUMNS} ORDER BY i"
    );
    params.into_iter().fold(neo4rs::query(&text), |query, (key, value)| query.param(key, value))
}
