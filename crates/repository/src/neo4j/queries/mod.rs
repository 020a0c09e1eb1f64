//! Every Cypher text the adapter sends, and only here: the adapter's other
//! modules bind parameters to these and run them. One file per port or
//! concern (`tasks`, `task_creates`, `sorted_tasks`, `search_windows`, `task_graph`,
//! `projects`, `users`, `events`, `webhooks`, `idempotency`, `api_keys`,
//! `schema`, `search_words`, `health`, `routing`), re-exported here so that
//! call sites read `queries::X`; this file holds the fragments several of
//! them share. Only fixed fragments are concatenated into a text; every
//! value that comes from a request travels as a Bolt parameter (`$uid`,
//! `$props`, …), so no input can change what a query does. Where a text
//! depends on the request (a list's filters), a small builder function here
//! assembles it from fixed fragments.
//!
//! The task reads are public, so that tools can send exactly what the
//! adapter sends: the benchmark's raw-driver ceiling measures Neo4j with
//! these very queries, one per request. (Under load the adapter sends
//! concurrent lookups together, [`get_tasks`]; with `lookup_queries` 0 it
//! sends [`get_task`] per lookup, as the ceiling does, and the difference
//! between the two is the server's own cost.) Each returns a
//! [`neo4rs::Query`] with its parameters bound, and a row of each has the
//! columns the adapter reads a task from: `task` (the node's properties),
//! `project_id` and `assignee_id`. The writes, and the reads of projects,
//! users, idempotency keys, API keys, events and webhooks, are for the
//! adapter alone.
//!
//! Every task query names the index it seeks (or walks from a node it has
//! found), so its plan does not depend on the graph's statistics, and
//! starts with `CYPHER replan=skip`: Neo4j keeps its cached plan when the
//! statistics move, instead of making a request wait while it plans the
//! query again (see `keep_plan!`).

/// Prefixes a query whose plan is fixed by its own text (index hints, seeks
/// on a bound node), so that Neo4j keeps the plan it has cached for it
/// instead of planning it again whenever the graph's statistics have moved:
/// a macro so that `concat!` can build constant queries with it.
///
/// Why: Neo4j discards a cached plan once a label's node count has diverged
/// enough from what it was planned with (as a growing graph does), and the
/// next request waits while the query is planned again. On the benchmark
/// machine that wait was ~500 ms for a task list and ~100 ms for a batched
/// lookup (`docs/benchmarks.md`, "Plans kept across statistics changes"); it
/// showed as the p99 of whole benchmark cells. A re-plan could not choose
/// better for these queries: each names its index, or walks from a node it
/// has already found, so only their cost estimate would change.
macro_rules! keep_plan {
    ($text:expr) => {
        concat!("CYPHER replan=skip ", $text)
    };
}

/// [`keep_plan!`] as a value, for query text built with `format!`.
pub(in crate::neo4j) const KEEP_PLAN: &str = keep_plan!("");

/// Every field a task read returns, each as `$field!(name, expression)`
/// with `t` bound to the task node, so that the same fields can be columns
/// ([`task_columns!`]) or the entries of a map ([`TASK_ENTRIES`]).
macro_rules! each_task_field {
    ($field:ident) => {
        concat!(
            $field!(
                "task",
                "t {.uid, .title, .description, .status, .task_type, .priority, .effort_estimate, .effort_unit, \
                    .start_date, .due_date, .completed_at, .tags, .created_at, .updated_at, .version}"
            ),
            ", ",
            $field!("project_id", "head([(t)-[:IS_PART_OF_PROJECT]->(project:Project) | project.uid])"),
            ", ",
            $field!("assignee_id", "head([(t)-[:ASSIGNED_TO]->(user:User) | user.uid])"),
            ", ",
            $field!("blocked_by", "[(blocker:Task)-[:BLOCKS]->(t) | blocker.uid]"),
            ", ",
            $field!("parent_id", "head([(t)-[:IS_SUBTASK_OF]->(parent:Task) | parent.uid])")
        )
    };
}

/// A task field as a column: `expression AS name`.
macro_rules! as_column {
    ($name:literal, $expression:literal) => {
        concat!($expression, " AS ", $name)
    };
}

/// A task field as a map entry: `name: expression`.
macro_rules! as_entry {
    ($name:literal, $expression:literal) => {
        concat!($name, ": ", $expression)
    };
}

/// The columns every task read returns, as a macro so that `concat!` can
/// build [`RETURN_TASK`] from them.
macro_rules! task_columns {
    () => {
        each_task_field!(as_column)
    };
}

/// Returns a task as a map `task` (the properties `values::task_from_row`
/// reads, named one by one: a task also carries its folded search words,
/// which only the full-text index reads, and `.*` would read them from
/// the string store for every row — about 5% of Neo4j's time on a
/// 1,000-task walk) with its relationships
/// as `project_id`, `assignee_id`, `blocked_by` (its blockers' ids) and
/// `parent_id`; appended to a query that has bound
/// the task node to `t`. A relationship duplicated by hand cannot multiply
/// the row: the comprehension takes the first.
pub(in crate::neo4j) const RETURN_TASK: &str = concat!("RETURN ", task_columns!());

/// The columns of [`RETURN_TASK`] as the entries of a map literal, for
/// a query that collects many tasks into one row (a walk's, see
/// [`walk_tasks_part`]); read back by `values::task_from_row` all the same.
pub(in crate::neo4j) const TASK_ENTRIES: &str = each_task_field!(as_entry);

/// The columns of [`RETURN_TASK`], for a `RETURN` that has more.
pub(in crate::neo4j) const TASK_COLUMNS: &str = task_columns!();

/// The key a task's creation time has in its search windows (see
/// `search_windows`): its millisecond since 1970, plus 2^53 so that every
/// time Neo4j or the domain can hold has a non-negative key, which integer
/// division then floors. A macro so that `concat!` can build constant
/// statements with it; `search_windows::ORIGIN_MS` is the same 2^53.
macro_rules! creation_key_of_t {
    () => {
        "(t.created_at.epochMillis + 9007199254740992)"
    };
}

/// A task's `search_time`: the search windows its creation falls in, one
/// term per level (`a` to `k`, windows of 2^10 ms growing eightfold a
/// level), each the level's letter and the window's number, for the task
/// bound to `t` (see `search_windows`, whose constants these numbers are).
macro_rules! search_time_of_t {
    () => {
        concat!(
            "reduce(terms = 'a' + toString(",
            creation_key_of_t!(),
            " / 1024), level IN range(1, 10) | terms + ' ' + substring('abcdefghijk', level, 1) + toString(",
            creation_key_of_t!(),
            " / toInteger(2 ^ (10 + 3 * level))))"
        )
    };
}

/// The tasks waiting for the full-text index (`SearchPending`, see
/// `crate::neo4j::search_words`) whose pending words match the search
/// (`$search_words`, `$search_prefix`), bound to `t`; a `WHERE` follows, so
/// that more conditions can be appended with `AND`.
macro_rules! pending_matches {
    () => {
        "MATCH (t:SearchPending) \
         WITH t, split(coalesce(t.pending_search_text, t.search_text), ' ') AS words \
         WHERE all(word IN $search_words WHERE word IN words) \
           AND any(word IN words WHERE word STARTS WITH $search_prefix) "
    };
}

// Declared after the macros, which they use.
mod api_keys;
mod events;
mod health;
mod idempotency;
mod projects;
mod routing;
mod schema;
mod search_windows;
mod search_words;
mod sorted_tasks;
mod subtasks;
mod task_creates;
mod task_graph;
mod tasks;
mod users;
mod webhooks;

pub(in crate::neo4j) use self::api_keys::*;
pub(in crate::neo4j) use self::events::*;
pub(in crate::neo4j) use self::health::*;
pub(in crate::neo4j) use self::idempotency::*;
pub(in crate::neo4j) use self::projects::*;
pub(in crate::neo4j) use self::routing::*;
pub(in crate::neo4j) use self::schema::*;
pub use self::search_windows::SEARCH_TIME_OF_T;
pub(in crate::neo4j) use self::search_words::*;
pub(in crate::neo4j) use self::subtasks::*;
pub(in crate::neo4j) use self::task_graph::*;
// The task reads are public (see above); the rest is the adapter's.
pub use self::task_creates::*;
pub use self::tasks::*;
pub(in crate::neo4j) use self::users::*;
pub(in crate::neo4j) use self::webhooks::*;
