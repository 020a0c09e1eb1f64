//! Tasks: the reads tools may send too (a lookup, a batch of lookups, a
//! filtered list), the creates, and the adapter's writes and counts.

use neo4rs::{BoltType, Query};
use trm_domain::search::SearchQuery;
use trm_domain::{EnumAdapter as _, PageRequest, TaskId, TaskSort, TaskStatus};

use super::sorted_tasks::{BLOCKED_TASKS, Candidates, sorted_tasks};
use super::{KEEP_PLAN, RETURN_TASK, TASK_COLUMNS};
use crate::neo4j::values::{datetime_param, id_param};
use crate::ports::{Overdue, TaskFilter};
use crate::rules::lucene_query;

/// The hint that pins a task lookup by id to the `uid` constraint's index.
const SEEK_TASK_UID: &str = "USING INDEX t:Task(uid)";

/// One task by id; no row when there is none.
#[must_use]
pub fn get_task(id: TaskId) -> Query {
    neo4rs::query(&format!("{KEEP_PLAN}MATCH (t:Task {{uid: $uid}}) {SEEK_TASK_UID} {RETURN_TASK}"))
        .param("uid", id_param(id))
}

/// Several tasks by id in one query, for lookups coalesced under load
/// (see `coalesce`): a row per task found, in no particular order, each
/// with the columns of [`get_task`] and `key`, the id exactly as it was
/// asked for; no row for an id with no task. Each id is its own seek on the
/// `uid` uniqueness constraint's index.
#[must_use]
pub fn get_tasks(ids: &[TaskId]) -> Query {
    let uids: Vec<BoltType> = ids.iter().map(|&id| id_param(id)).collect();
    neo4rs::query(&format!(
        "{KEEP_PLAN}UNWIND $uids AS key MATCH (t:Task {{uid: key}}) {SEEK_TASK_UID} RETURN key, {TASK_COLUMNS}"
    ))
    .param("uids", BoltType::List(uids.into()))
}

/// The keyset condition "strictly after the cursor", written so that its
/// first half is a range seek on a `created_at` index and the second a
/// filter on the few rows sharing the cursor's timestamp.
const AFTER_CURSOR: &str = "t.created_at >= $after_at AND (t.created_at > $after_at OR t.uid > $after_uid)";

/// The node a filtered list starts from, when it has one: the filter's
/// parent task, else its project, else its assignee. A list anchored at a node reads at most that
/// node's tasks.
pub(super) struct Anchor {
    pub(super) label: &'static str,
    /// The path from a task to the node, as written after `(t)`.
    pub(super) to_anchor: &'static str,
    /// The same path read from the node back to its tasks.
    pub(super) from_anchor: &'static str,
    pub(super) param: &'static str,
}

const PROJECT: Anchor = Anchor {
    label: "Project",
    to_anchor: "-[:IS_PART_OF_PROJECT]->",
    from_anchor: "<-[:IS_PART_OF_PROJECT]-",
    param: "project_id",
};
/// A project with its sub-projects at every depth (`include_subprojects`):
/// the tasks of any project of its subtree. A tree path is unique, so each
/// task is reached once.
const PROJECT_SUBTREE: Anchor = Anchor {
    label: "Project",
    to_anchor: "-[:IS_PART_OF_PROJECT]->(:Project)-[:IS_SUBPROJECT_OF*0..]->",
    from_anchor: "<-[:IS_SUBPROJECT_OF*0..]-(:Project)<-[:IS_PART_OF_PROJECT]-",
    param: "project_id",
};
const ASSIGNEE: Anchor =
    Anchor { label: "User", to_anchor: "-[:ASSIGNED_TO]->", from_anchor: "<-[:ASSIGNED_TO]-", param: "assignee_id" };
const PARENT: Anchor =
    Anchor { label: "Task", to_anchor: "-[:IS_SUBTASK_OF]->", from_anchor: "<-[:IS_SUBTASK_OF]-", param: "parent_id" };

/// The Cypher and parameters of one page of a filtered task list.
///
/// A page is read in list order along an index and stops after a page of
/// matches, instead of sorting every candidate: along the composite
/// `(status, created_at)` index when the filter names exactly one status,
/// else along `created_at`. The hints make that choice explicit, because a
/// status filter could tempt the planner into the status index and a sort.
/// The composite walk orders by `t.status, t.created_at, t.uid`: the same
/// order, since the status is fixed, but only an `ORDER BY` that spells out
/// the index's whole prefix lets the planner use the index's order and
/// stop early (with `t.created_at, t.uid` it reads every task of the status
/// and sorts them).
///
/// A list by project (or by assignee, or parent) has two plans, in every
/// order, and which is cheaper depends on that node's degree, which Neo4j's
/// planner does not know per node. Walking the node's relationships reads
/// all `degree` tasks and sorts the matches; walking the index reads about
/// `limit × total / degree` entries before a page of the node's tasks has
/// gone by (when its tasks are spread over the index), checking each one's
/// relationship. The query reads the degree and the task count (both O(1):
/// the degree store and the count store), and takes the relationship walk
/// when `degree² ≤ limit × total`. So a page costs at most about `√(limit ×
/// total)` reads: at a million tasks, a project of any size costs about
/// what it costs at ten thousand. Each plan sits in a `CALL` of its own
/// behind its condition: a bare `WHERE` on the condition would be checked
/// by the planner after the index seek, so the plan not taken would still
/// read the whole index.
///
/// The degree cannot tell where in the order the node's tasks are: a
/// project imported last has all its tasks after every other, and a filter
/// the node's tasks rarely pass (a tag) spreads its matches thinner than
/// the degree says. An index walk would then read most of the index (a
/// second at a million tasks). So the index walk reads at most
/// [`AnchoredListPlan::walk_budget`] entries, and the query returns
/// `by_relationships`, which plan it took: a page that the index walk left
/// short may have stopped at the budget, and [`reads_again_by_relationships`]
/// says when the caller must read it again with
/// [`AnchoredListPlan::RelationshipWalk`].
#[must_use]
pub fn list_tasks(filter: &TaskFilter, page: PageRequest) -> Query {
    list_tasks_planned(filter, page, AnchoredListPlan::Cheapest)
}

/// Which way a list by project or assignee reaches its tasks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AnchoredListPlan {
    /// The cheaper of the two for this node, chosen by the query itself
    /// from the node's degree and the task count (see [`list_tasks`]).
    #[default]
    Cheapest,
    /// Always follow the node's relationships, then sort the matches.
    RelationshipWalk,
    /// Always walk an index in list order, checking each task's
    /// relationship to the node.
    IndexWalk,
}

/// The most index entries the cheapest plan's index walk reads for one
/// page of a list by project, assignee or parent (the store's `$walk_budget`):
/// about 25 ms of Neo4j's time at a million tasks, what following the
/// relationships of a node of 15,000 tasks costs. Evenly spread, the tasks
/// of a node large enough for the index walk fill a page within `√(limit ×
/// total)` entries, 7,000 at a million tasks.
pub const ANCHORED_WALK_BUDGET: i64 = 10_000;

impl AnchoredListPlan {
    /// The Cypher condition, true when the relationship walk is taken.
    pub(super) fn walk_relationships_when(self) -> &'static str {
        match self {
            Self::Cheapest => "degree * degree <= $limit * total",
            Self::RelationshipWalk => "true",
            Self::IndexWalk => "false",
        }
    }

    /// The most index entries this plan's index walk reads for a page:
    /// [`ANCHORED_WALK_BUDGET`] when the relationship walk can take over;
    /// all of them when the index walk is forced.
    #[must_use]
    pub const fn walk_budget(self) -> i64 {
        match self {
            Self::Cheapest => ANCHORED_WALK_BUDGET,
            Self::RelationshipWalk | Self::IndexWalk => i64::MAX,
        }
    }
}

/// The node a filter's list starts from, if any: its parent task, else its
/// project (with its sub-projects when asked), else its assignee. A search
/// reads its matches instead, checking the node on each.
fn anchor_of(filter: &TaskFilter) -> Option<Anchor> {
    match (filter.parent_id, filter.project_id, filter.assignee_id) {
        (Some(_), _, _) => Some(PARENT),
        (None, Some(_), _) if filter.include_subprojects => Some(PROJECT_SUBTREE),
        (None, Some(_), _) => Some(PROJECT),
        (None, None, Some(_)) => Some(ASSIGNEE),
        (None, None, None) => None,
    }
}

/// Whether a page of `filter` read with `plan` that came back with `rows`
/// rows may have been cut short by the index walk's budget: the list starts
/// from a node (without a search), the plan could choose the index walk,
/// and the page is short. Its rows then say which plan the query took (the
/// column `by_relationships`; an empty page says nothing): after the index
/// walk, the caller reads the page again with
/// [`AnchoredListPlan::RelationshipWalk`].
#[must_use]
pub fn may_stop_at_walk_budget(filter: &TaskFilter, page: PageRequest, plan: AnchoredListPlan, rows: usize) -> bool {
    plan == AnchoredListPlan::Cheapest
        && filter.search.is_none()
        && anchor_of(filter).is_some()
        && rows <= usize::try_from(page.limit()).unwrap_or(usize::MAX)
}

/// [`list_tasks`] with the plan for lists by project or assignee given.
#[must_use]
pub fn list_tasks_planned(filter: &TaskFilter, page: PageRequest, plan: AnchoredListPlan) -> Query {
    list_tasks_within(filter, page, plan, plan.walk_budget())
}

/// [`list_tasks_planned`] with the index walk of a list by a node reading
/// at most `walk_budget` entries: a search's walk reads a statement of
/// many entries of the node's list, and sizes its budget by the search's
/// matches (see `crate::neo4j::search_walk`).
#[must_use]
pub fn list_tasks_within(filter: &TaskFilter, page: PageRequest, plan: AnchoredListPlan, walk_budget: i64) -> Query {
    let mut params: Vec<(&str, BoltType)> = Vec::new();
    // Conditions every plan checks on `t` besides its own seek.
    let mut conditions: Vec<String> = Vec::new();

    let anchor = match (filter.parent_id, filter.project_id, filter.assignee_id) {
        // A parent has few sub-tasks: the narrowest start.
        (Some(parent), project, assignee) => {
            params.push((PARENT.param, id_param(parent)));
            if let Some(project) = project {
                let to_project = if filter.include_subprojects { PROJECT_SUBTREE } else { PROJECT }.to_anchor;
                conditions.push(format!("EXISTS {{ (t){to_project}(:Project {{uid: $project_id}}) }}"));
                params.push((PROJECT.param, id_param(project)));
            }
            if let Some(assignee) = assignee {
                conditions.push("EXISTS { (t)-[:ASSIGNED_TO]->(:User {uid: $assignee_id}) }".to_owned());
                params.push((ASSIGNEE.param, id_param(assignee)));
            }
            Some(PARENT)
        }
        (None, Some(project), assignee) => {
            params.push((PROJECT.param, id_param(project)));
            if let Some(assignee) = assignee {
                conditions.push("EXISTS { (t)-[:ASSIGNED_TO]->(:User {uid: $assignee_id}) }".to_owned());
                params.push((ASSIGNEE.param, id_param(assignee)));
            }
            Some(if filter.include_subprojects { PROJECT_SUBTREE } else { PROJECT })
        }
        (None, None, Some(assignee)) => {
            params.push((ASSIGNEE.param, id_param(assignee)));
            Some(ASSIGNEE)
        }
        (None, None, None) => None,
    };
    if let Some(after) = page.after {
        params.push(("after_at", datetime_param(after.created_at)));
        params.push(("after_uid", id_param(after.uid.hyphenated())));
    }
    let single_status = match filter.statuses.as_slice() {
        [status] => {
            params.push(("status", BoltType::from(status.as_str())));
            true
        }
        [] => false,
        statuses => {
            conditions.push("t.status IN $statuses".to_owned());
            let statuses: Vec<BoltType> = statuses.iter().map(|s| BoltType::from(s.as_str())).collect();
            params.push(("statuses", BoltType::List(statuses.into())));
            false
        }
    };
    if let Some(task_type) = filter.task_type {
        conditions.push("t.task_type = $task_type".to_owned());
        params.push(("task_type", BoltType::from(task_type.as_str())));
    }
    if let Some(tag) = &filter.tag {
        conditions.push("$tag IN t.tags".to_owned());
        params.push(("tag", BoltType::from(tag.as_str())));
    }
    if let Some(before) = filter.due_before {
        conditions.push("t.due_date < $due_before".to_owned());
        params.push(("due_before", datetime_param(before)));
    }
    if let Some(after) = filter.due_after {
        conditions.push("t.due_date > $due_after".to_owned());
        params.push(("due_after", datetime_param(after)));
    }
    if let Some(Overdue { overdue, at }) = filter.overdue {
        let overdue_at = "(t.due_date < $overdue_at AND NOT t.status IN $finished)";
        conditions.push(if overdue { overdue_at.to_owned() } else { format!("NOT coalesce({overdue_at}, false)") });
        params.push(("overdue_at", datetime_param(at)));
        let finished = [TaskStatus::Done, TaskStatus::Cancelled].map(|status| BoltType::from(status.as_str()));
        params.push(("finished", BoltType::List(Vec::from(finished).into())));
    }
    // Without a narrower start (a node, a search), the blocked tasks are
    // found from the edges rather than checked along an index.
    let from_edges = filter.blocked == Some(true) && anchor.is_none() && filter.search.is_none();
    if let Some(blocked) = filter.blocked {
        let waiting = "EXISTS { (blocker:Task)-[:BLOCKS]->(t) WHERE NOT blocker.status IN $unblocking }";
        if !from_edges {
            conditions.push(if blocked { waiting.to_owned() } else { format!("NOT {waiting}") });
        }
        let unblocking = [TaskStatus::Done, TaskStatus::Cancelled].map(|status| BoltType::from(status.as_str()));
        params.push(("unblocking", BoltType::List(Vec::from(unblocking).into())));
    }
    params.push(("limit", BoltType::from(i64::from(page.limit()) + 1)));

    if filter.sort != TaskSort::CreatedAt {
        if single_status {
            conditions.push("t.status = $status".to_owned());
        }
        let candidates = match (&filter.search, &anchor) {
            (Some(_), Some(Anchor { label, to_anchor, param, .. })) => {
                conditions.push(format!("EXISTS {{ (t){to_anchor}(:{label} {{uid: ${param}}}) }}"));
                Candidates::Searched
            }
            (Some(_), None) => Candidates::Searched,
            (None, Some(anchor)) => Candidates::Anchored(anchor, plan, walk_budget),
            (None, None) if from_edges => Candidates::Blocked,
            (None, None) => Candidates::Index,
        };
        return sorted_tasks(filter.sort, &candidates, filter.search.as_ref(), page, &conditions, params);
    }

    if let Some(search) = &filter.search {
        return searched_tasks(search, anchor.as_ref(), single_status, page, conditions, params);
    }
    if from_edges {
        return blocked_tasks(single_status, page, conditions, params);
    }

    // The seek: the index, its conditions and the order it reads in.
    let (hint, order) = if single_status {
        ("USING INDEX t:Task(status, created_at)", "t.status, t.created_at, t.uid")
    } else {
        ("USING INDEX t:Task(created_at)", "t.created_at, t.uid")
    };
    let mut seek: Vec<String> = Vec::new();
    if single_status {
        seek.push("t.status = $status".to_owned());
    }
    if page.after.is_some() {
        seek.push(AFTER_CURSOR.to_owned());
    }
    // The relationship walk checks what the index walk seeks.
    let walked = [&seek[..], &conditions[..]].concat();
    if page.after.is_none() {
        // Lets the hinted index be scanned from its start.
        seek.push("t.created_at IS NOT NULL".to_owned());
    }
    if anchor.is_some() {
        params.push(("walk_budget", BoltType::from(walk_budget)));
    }

    let text = match anchor {
        None => {
            let all = [seek, conditions].concat();
            format!(
                "{KEEP_PLAN}MATCH (t:Task) {hint} {}WITH t ORDER BY {order} LIMIT $limit \
                 {RETURN_TASK} ORDER BY t.created_at, t.uid",
                where_clause(&all)
            )
        }
        Some(Anchor { label, to_anchor, from_anchor, param }) => {
            // The index walk's budget counts entries, so only the seek
            // comes before it; the node and the filter are checked after.
            let checked = [vec![format!("(t){to_anchor}(anchor)")], conditions].concat();
            let walk_when = plan.walk_relationships_when();
            format!(
                "{KEEP_PLAN}MATCH (anchor:{label} {{uid: ${param}}}) USING INDEX anchor:{label}(uid) \
                 WITH anchor, COUNT {{ (anchor){from_anchor}() }} AS degree \
                 CALL () {{ MATCH (every:Task) RETURN count(every) AS total }} \
                 WITH anchor, {walk_when} AS walk_relationships \
                 CALL (anchor, walk_relationships) {{ \
                   WITH anchor WHERE walk_relationships \
                   CALL (anchor) {{ \
                     MATCH (anchor){from_anchor}(t:Task) {}\
                     RETURN t ORDER BY t.created_at, t.uid LIMIT $limit \
                   }} \
                   RETURN t \
                   UNION ALL \
                   WITH anchor WHERE NOT walk_relationships \
                   CALL (anchor) {{ \
                     MATCH (t:Task) {hint} {}\
                     WITH t ORDER BY {order} LIMIT $walk_budget \
                     WITH t {}\
                     RETURN t ORDER BY {order} LIMIT $limit \
                   }} \
                   RETURN t \
                 }} \
                 WITH t, walk_relationships RETURN {TASK_COLUMNS}, walk_relationships AS by_relationships \
                 ORDER BY t.created_at, t.uid",
                where_clause(&walked),
                where_clause(&seek),
                where_clause(&checked),
            )
        }
    };
    params.into_iter().fold(neo4rs::query(&text), |query, (key, value)| query.param(key, value))
}

/// A page of a list with a search, in the default order: read window by
/// window of creation time, so that it costs about a page of matches (see
/// [`super::search_windows`]); every other filter (the anchor's
/// relationship included) is checked on each match.
fn searched_tasks(
    search: &SearchQuery,
    anchor: Option<&Anchor>,
    single_status: bool,
    page: PageRequest,
    mut conditions: Vec<String>,
    mut params: Vec<(&str, BoltType)>,
) -> Query {
    params.extend(search_params(search));
    if let Some(&Anchor { label, to_anchor, param, .. }) = anchor {
        conditions.push(format!("EXISTS {{ (t){to_anchor}(:{label} {{uid: ${param}}}) }}"));
    }
    if single_status {
        conditions.push("t.status = $status".to_owned());
    }
    if page.after.is_some() {
        conditions.push(AFTER_CURSOR.to_owned());
    }
    let text = super::search_windows::windowed_search(&conditions, page.after.is_some());
    params.into_iter().fold(neo4rs::query(&text), |query, (key, value)| query.param(key, value))
}

/// The tasks a search finds, as `t`, each once: those whose words wait for
/// the full-text index (labelled `SearchPending`, see
/// `crate::neo4j::search_words`) by their `pending_search_text`, the others
/// through the index. A task stops waiting only a while after the index got
/// its words, so a search that read it as waiting before, and the index
/// after, finds it on one side or the other (at worst on both, which the
/// `UNION` folds into one). Parameters: [`search_params`].
pub(super) const SEARCHED_TASKS: &str = concat!(
    "CALL () { ",
    pending_matches!(),
    "RETURN t \
       UNION \
       CALL db.index.fulltext.queryNodes('task_words', $search) YIELD node AS t \
       WITH t WHERE NOT t:SearchPending \
       RETURN t \
     } \
     WITH t "
);

/// How many tasks the full-text index finds for `search`, up to `most`:
/// whether a search page in another order than `created_at` walks that
/// order's index (see the crate's `search_walk`). Lucene scores every
/// match to keep the best `most`, so this costs about the matches, up to a
/// million (13–43 ms for a word of every task at a million tasks, counted
/// to 10,000); the tasks waiting for the index are not counted.
#[must_use]
pub fn count_search_matches(search: &SearchQuery, most: i64) -> Query {
    neo4rs::query(
        "CALL db.index.fulltext.queryNodes('task_words', $search, {limit: $most}) YIELD score \
         RETURN count(score) AS matches",
    )
    .param("search", lucene_query(search))
    .param("most", most)
}

/// The parameters of [`SEARCHED_TASKS`]: the search in Lucene's language
/// for the index, and its whole words and prefix for the pending tasks.
pub(super) fn search_params(search: &SearchQuery) -> [(&'static str, BoltType); 3] {
    let whole: Vec<BoltType> = search.whole_words().iter().map(|word| BoltType::from(word.as_str())).collect();
    [
        ("search", BoltType::from(lucene_query(search))),
        ("search_words", BoltType::List(whole.into())),
        ("search_prefix", BoltType::from(search.prefix())),
    ]
}

/// A page of `blocked=true` in the default order: the tasks with an open
/// blocker, from the `BLOCKS` edges ([`BLOCKED_TASKS`]), every other filter
/// checked on those, and the first of them in list order. It costs about
/// the number of edges, however old or new the blocked tasks are.
fn blocked_tasks(
    single_status: bool,
    page: PageRequest,
    mut conditions: Vec<String>,
    params: Vec<(&str, BoltType)>,
) -> Query {
    if single_status {
        conditions.push("t.status = $status".to_owned());
    }
    if page.after.is_some() {
        conditions.push(AFTER_CURSOR.to_owned());
    }
    let text = format!(
        "{KEEP_PLAN}{BLOCKED_TASKS}{}WITH t ORDER BY t.created_at, t.uid LIMIT $limit \
         {RETURN_TASK} ORDER BY t.created_at, t.uid",
        where_clause(&conditions)
    );
    params.into_iter().fold(neo4rs::query(&text), |query, (key, value)| query.param(key, value))
}

/// `WHERE a AND b … ` or nothing.
pub(super) fn where_clause(conditions: &[String]) -> String {
    if conditions.is_empty() { String::new() } else { format!("WHERE {} ", conditions.join(" AND ")) }
}

/// Takes the task's write lock, then reads its version (see [`crate::neo4j::transactions`] for
/// why in this order). The bump is overwritten by the write that follows, or
/// rolled back with the transaction.
pub(in crate::neo4j) const LOCK_TASK: &str = keep_plan!(
    "MATCH (t:Task {uid: $uid}) USING INDEX t:Task(uid) SET t.version = t.version + 1 RETURN t.version - 1 AS version"
);

/// Overwrites a task's properties; `null`s in `$props` remove properties.
/// The words in `$props` (`pending_search_text`) wait for the full-text
/// index (the task is labelled `SearchPending`) unless the task was not
/// waiting and the index holds those words already: then they are dropped,
/// and the index is not touched.
pub(in crate::neo4j) const UPDATE_TASK: &str = keep_plan!(
    "MATCH (t:Task {uid: $uid}) USING INDEX t:Task(uid) SET t += $props \
     WITH t, NOT t:SearchPending AND t.search_text = t.pending_search_text AS indexed \
     FOREACH (_ IN CASE WHEN indexed THEN [1] ELSE [] END | REMOVE t.pending_search_text) \
     FOREACH (_ IN CASE WHEN indexed THEN [] ELSE [1] END | SET t:SearchPending)"
);

/// Makes the task's relationships match `$project_id` and `$assignee_id`:
/// drops the ones to other nodes (or all, for `null`), creates the missing
/// ones, and reports whether the named project and user exist. The caller
/// rolls back when a named one does not. Its edge to a parent other than
/// `$parent_id` goes too; a new parent's edge is `SET_PARENT`'s, which
/// checks it first.
pub(in crate::neo4j) const LINK_TASK: &str = keep_plan!(
    "MATCH (t:Task {uid: $uid}) USING INDEX t:Task(uid) \
     OPTIONAL MATCH (t)-[stale:IS_PART_OF_PROJECT|ASSIGNED_TO|IS_SUBTASK_OF]->(other) \
     WHERE (type(stale) = 'IS_PART_OF_PROJECT' AND ($project_id IS NULL OR other.uid <> $project_id)) \
        OR (type(stale) = 'ASSIGNED_TO' AND ($assignee_id IS NULL OR other.uid <> $assignee_id)) \
        OR (type(stale) = 'IS_SUBTASK_OF' AND ($parent_id IS NULL OR other.uid <> $parent_id)) \
     DELETE stale \
     WITH DISTINCT t \
     OPTIONAL MATCH (p:Project {uid: $project_id}) USING INDEX p:Project(uid) \
     OPTIONAL MATCH (u:User {uid: $assignee_id}) USING INDEX u:User(uid) \
     FOREACH (project IN CASE WHEN p IS NULL THEN [] ELSE [p] END | MERGE (t)-[:IS_PART_OF_PROJECT]->(project)) \
     FOREACH (user IN CASE WHEN u IS NULL THEN [] ELSE [u] END | MERGE (t)-[:ASSIGNED_TO]->(user)) \
     RETURN p IS NOT NULL AS project_found, u IS NOT NULL AS assignee_found"
);

/// Deletes the tasks `$uids` (a subtree, sub-tasks first; a project's
/// tasks) with their relationships.
pub(in crate::neo4j) const DELETE_TASKS: &str = keep_plan!(
    "UNWIND $uids AS key \
     MATCH (t:Task {uid: key}) USING INDEX t:Task(uid) \
     DETACH DELETE t"
);

/// The number of tasks of each status stored, a row a status (zeros
/// included): each counted along the `(status, created_at)` index, which
/// reads index entries only, where a scan of the label read every task's
/// status from the property store (at a million tasks 120 ms against 280).
pub(in crate::neo4j) fn count_tasks_by_status() -> Query {
    let statuses: Vec<BoltType> = TaskStatus::VARIANTS.iter().map(|status| BoltType::from(status.as_str())).collect();
    neo4rs::query(&format!(
        "{KEEP_PLAN}UNWIND $statuses AS status \
         CALL (status) {{ \
           MATCH (t:Task) USING INDEX t:Task(status, created_at) \
           WHERE t.status = status AND t.created_at IS NOT NULL RETURN count(t) AS n \
         }} \
         RETURN status, n"
    ))
    .param("statuses", BoltType::List(statuses.into()))
}

/// The `limit` newest tasks, newest first: read backwards along the
/// `created_at` index, so the newest come first without sorting every task.
pub(in crate::neo4j) fn recent_tasks(limit: u32) -> Query {
    let text = format!(
        "MATCH (t:Task) USING INDEX t:Task(created_at) WHERE t.created_at IS NOT NULL \
         WITH t ORDER BY t.created_at DESC, t.uid DESC LIMIT $limit {RETURN_TASK}"
    );
    neo4rs::query(&text).param("limit", i64::from(limit))
}

#[cfg(test)]
mod tests;
