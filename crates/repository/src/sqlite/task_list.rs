//! The SQL of one page of a task list: its filters, its order and where the
//! page starts.
//!
//! Every order is one index walk: `(created_at, uid)` for the `created_at`
//! sorts and `(key, created_at, uid)` for the others (migration 0008),
//! read forwards or backwards — the tie-break follows the sort's direction,
//! so no order needs a sort of its own. Tasks without a due date come last
//! in both directions: a due-date page is the dated tasks after the cursor,
//! then the undated ones, each part one index range of at most a page, and
//! only the (at most two pages of) rows read are sorted.

use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};
use trm_domain::{EnumAdapter as _, PageRequest, SortField, TaskSort, TaskStatus, Timestamp};

use super::rows::TASK_COLUMNS;
use super::search_order;
use crate::ports::{Overdue, TaskFilter};

/// Parameters bound by number as the SQL is written.
#[derive(Default)]
struct Params(Vec<Value>);

impl Params {
    /// Binds `value`; returns its placeholder.
    fn bind(&mut self, value: Value) -> String {
        self.0.push(value);
        format!("?{}", self.0.len())
    }
}

/// How many matches of a list's filters make them dense enough to read a
/// page in another order than `created_at` by walking that order's index
/// (see [`walks_sort_index`]): past it, a walk reads about `limit × tasks ÷
/// matches` index entries, at most a hundred times a page at a million
/// tasks, and the sort it saves would have sorted at least this many.
pub(super) const DENSE_FILTER_MATCHES: i64 = 10_000;

/// Whether a page of `filter` in an order other than `created_at` should
/// walk that order's index, filtering as it goes (`true`), rather than let
/// SQLite read the filter's own index and sort every match.
///
/// SQLite keeps no statistics of the tasks' columns, so it takes an
/// equality on an indexed column (a status, a project) for a handful of
/// rows and sorts them: at a million tasks a page of `status=todo` by
/// `-updated_at` sorted a quarter of a million rows (4.8 s). Whether the
/// walk or the sort is cheaper depends on how many tasks match, so this
/// counts them, up to [`DENSE_FILTER_MATCHES`] (through the filter's
/// index: about a millisecond at most). A search is left to its own
/// index.
pub(super) fn walks_sort_index(conn: &Connection, filter: &TaskFilter, dense: i64) -> rusqlite::Result<bool> {
    if filter.sort.field() == SortField::CreatedAt || filter.search.is_some() {
        return Ok(false);
    }
    let mut params = Params::default();
    let conditions = filter_conditions(filter, &mut params);
    if conditions.is_empty() {
        return Ok(false);
    }
    let limit = params.bind(Value::Integer(dense));
    let sql = format!("SELECT count(*) FROM (SELECT 1 FROM tasks WHERE {} LIMIT {limit})", conditions.join(" AND "));
    let matches: i64 = conn.prepare_cached(&sql)?.query_row(params_from_iter(params.0), |row| row.get(0))?;
    Ok(matches >= dense)
}

/// How many entries of its order's index a walk may read for one page
/// (see [`walk_fills_page`]): about 20 ms of lookups; a sort of what the
/// filter matches is no dearer past it.
pub(super) const WALK_BUDGET: i64 = 10_000;

/// Whether walking the sort's index for this `page` of `filter` reads at
/// most `budget` index entries: the page fills within them, or the index
/// ends. The count of [`walks_sort_index`] cannot see where in the order
/// the matches are: when they all come late (cancelled tasks by
/// `-updated_at`, every recent update being of another status), a walk
/// would read past everything before them. This reads the first `budget`
/// entries after the cursor and stops as soon as it has the page's matches.
pub(super) fn walk_fills_page(
    conn: &Connection,
    filter: &TaskFilter,
    page: PageRequest,
    budget: i64,
) -> rusqlite::Result<bool> {
    let mut params = Params::default();
    let conditions = filter_conditions(filter, &mut params);
    let Some((index, bounds)) = keyed_walk(filter.sort, page, &mut params) else {
        return Ok(true); // nothing keyed is left to walk
    };
    let (dir, bounds) = (if filter.sort.descending() { "DESC" } else { "ASC" }, bounds.join(" AND "));
    let column = sort_column(filter.sort.field());
    let budget_slot = params.bind(Value::Integer(budget));
    let prefix = format!(
        "SELECT uid AS walked_uid FROM tasks INDEXED BY {index} WHERE {bounds} \
         ORDER BY {column} {dir}, created_at {dir}, uid {dir} LIMIT {budget_slot}"
    );
    let rows = params.bind(Value::Integer(i64::from(page.limit()) + 1));
    let matched = format!(
        "SELECT count(*) FROM (SELECT 1 FROM ({prefix}) AS walked CROSS JOIN tasks ON tasks.uid = walked.walked_uid \
         WHERE {} LIMIT {rows})",
        if conditions.is_empty() { "1".to_owned() } else { conditions.join(" AND ") }
    );
    let walked = format!("SELECT count(*) FROM ({prefix})");
    let params = params.0;
    let found: i64 = conn.prepare_cached(&matched)?.query_row(params_from_iter(params.iter()), |row| row.get(0))?;
    if found > i64::from(page.limit()) {
        return Ok(true);
    }
    // Short of a page: fine if the walk ran out of index, not of budget.
    // (Its text names every parameter, as SQLite wants, though it needs
    // only the prefix's.)
    let walked = format!("{walked} WHERE {rows} IS NOT NULL");
    let entries: i64 = conn.prepare_cached(&walked)?.query_row(params_from_iter(params.iter()), |row| row.get(0))?;
    Ok(entries < budget)
}

/// The column of a sort's key.
fn sort_column(field: SortField) -> &'static str {
    match field {
        SortField::CreatedAt => "created_at",
        SortField::UpdatedAt => "updated_at",
        SortField::DueDate => "due_date",
        SortField::Priority => "priority",
    }
}

/// The index a page in `sort` walks and the conditions that bound its
/// walk — the key present, after the cursor — bound in `params`; `None`
/// when the page is in `created_at` order or after an undated task (no
/// keyed task is left).
fn keyed_walk(sort: TaskSort, page: PageRequest, params: &mut Params) -> Option<(&'static str, Vec<String>)> {
    let index = match sort.field() {
        SortField::CreatedAt => return None,
        SortField::UpdatedAt => "tasks_by_updated",
        SortField::DueDate => "tasks_by_due",
        SortField::Priority => "tasks_by_priority",
    };
    let column = sort_column(sort.field());
    let op = if sort.descending() { "<" } else { ">" };
    let mut bounds = vec![format!("{column} IS NOT NULL")];
    match page.after.map(|after| (after, after.sorted.and_then(|sorted| sorted.key))) {
        None => {}
        Some((after, Some(key))) => {
            let key = params.bind(Value::Integer(key));
            let at = params.bind(Value::Integer(after.created_at.as_micros()));
            let uid = params.bind(Value::Text(after.uid.hyphenated().to_string()));
            bounds.push(format!("({column}, created_at, uid) {op} ({key}, {at}, {uid})"));
        }
        Some((_, None)) => return None,
    }
    Some((index, bounds))
}

/// How a page in another order than `created_at` reads its tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reading {
    /// Through the filter's own indexes (or its search), sorting what
    /// matches: SQLite's own plan.
    Sorted,
    /// Along the order's index, filtering as it goes (see
    /// [`walks_sort_index`]).
    AlongSortIndex,
    /// Along the order's index, every entry, each with whether the
    /// filter's conditions hold of it as a last column, `wanted` (the
    /// search aside, and a task outside the search index unwanted): the
    /// caller checks the search itself (see `search_walk`).
    Walked,
}

/// The query of one page of `filter`, and its parameters, read as
/// `reading` says.
///
/// Only fixed fragments are concatenated; every value is a bound parameter.
/// `search` is the filter's search in FTS5's language (`search_words`),
/// unused by a [`Reading::Walked`] page.
pub(super) fn list_query(
    filter: &TaskFilter,
    page: PageRequest,
    search: Option<&str>,
    reading: Reading,
) -> (String, Vec<Value>) {
    let mut params = Params::default();
    let mut conditions = filter_conditions(filter, &mut params);
    let walked = reading == Reading::Walked && filter.sort.field() != SortField::CreatedAt;
    // What a row holds: a task, and when walked, whether it is wanted.
    let columns = if walked {
        conditions.push("search_id IS NOT NULL".to_owned());
        // (A condition on a missing value is NULL, not false: coalesced.)
        let wanted = format!("{TASK_COLUMNS}, coalesce(({}), 0) AS wanted", conditions.join(" AND "));
        conditions.clear();
        wanted
    } else {
        TASK_COLUMNS.to_owned()
    };
    let search = if walked { None } else { search };
    if let (Some(search), false) = (search, filter.sort.field() == SortField::CreatedAt) {
        // In another order, the matches are read through the index in its
        // own order, and sorted.
        let slot = params.bind(Value::Text(search.to_owned()));
        conditions.push(format!("search_id IN (SELECT rowid FROM task_search WHERE task_search MATCH {slot})"));
    }
    let rows = i64::from(page.limit()) + 1;
    let limit = params.bind(Value::Integer(rows));
    let sort = filter.sort;
    let dir = if sort.descending() { "DESC" } else { "ASC" };
    let op = if sort.descending() { "<" } else { ">" };
    let after_created = page.after.map(|after| {
        let at = params.bind(Value::Integer(after.created_at.as_micros()));
        let uid = params.bind(Value::Text(after.uid.hyphenated().to_string()));
        (at, uid)
    });
    let select_from = |source: &str, mut extra: Vec<String>, order: &str| {
        extra.extend(conditions.iter().cloned());
        let filter_sql = if extra.is_empty() { String::new() } else { format!("WHERE {} ", extra.join(" AND ")) };
        format!("SELECT {columns} FROM {source} {filter_sql}ORDER BY {order} LIMIT {limit}")
    };
    let select = |extra: Vec<String>, order: &str| select_from("tasks", extra, order);
    let (column, sort_index) = match sort.field() {
        SortField::CreatedAt => {
            if let Some(search) = search {
                let after = page.after.map(|after| after.created_at).zip(after_created.as_ref());
                let sql =
                    search_in_list_order(search, &conditions, after, sort.descending(), (rows, &limit), &mut params);
                return (sql, params.0);
            }
            let keyset = after_created.map(|(at, uid)| format!("(created_at, uid) {op} ({at}, {uid})"));
            return (select(keyset.into_iter().collect(), &format!("created_at {dir}, uid {dir}")), params.0);
        }
        SortField::UpdatedAt => ("updated_at", "tasks_by_updated"),
        SortField::DueDate => ("due_date", "tasks_by_due"),
        SortField::Priority => ("priority", "tasks_by_priority"),
    };
    // The keyed part, along the order's own index when told to.
    let keyed_source =
        if reading == Reading::Sorted { "tasks".to_owned() } else { format!("tasks INDEXED BY {sort_index}") };
    let keyed = |extra: Vec<String>, order: &str| select_from(&keyed_source, extra, order);
    // The cursor's key: `Some(None)` after an undated task.
    let after_key = page.after.map(|after| after.sorted.and_then(|sorted| sorted.key));
    let keyed_order = format!("{column} {dir}, created_at {dir}, uid {dir}");
    let unkeyed_order = format!("created_at {dir}, uid {dir}");
    let mut parts: Vec<String> = Vec::new();
    match (after_key, &after_created) {
        (None, _) => parts.push(keyed(vec![format!("{column} IS NOT NULL")], &keyed_order)),
        (Some(Some(key)), Some((at, uid))) => {
            let key = params.bind(Value::Integer(key));
            parts.push(keyed(
                vec![format!("{column} IS NOT NULL"), format!("({column}, created_at, uid) {op} ({key}, {at}, {uid})")],
                &keyed_order,
            ));
        }
        _ => {}
    }
    if sort.field() == SortField::DueDate {
        let mut undated = vec![format!("{column} IS NULL")];
        if let (Some(None), Some((at, uid))) = (after_key, &after_created) {
            undated.push(format!("(created_at, uid) {op} ({at}, {uid})"));
        }
        parts.push(select(undated, &unkeyed_order));
    }
    let sql = match parts.as_slice() {
        // After an undated task in an order whose key is never missing
        // (a cursor this API did not make): nothing follows.
        // (The cursor's bound values are named all the same: SQLite wants
        // every parameter it is given in the text.)
        [] => {
            let named = after_created.map(|(at, uid)| format!(" AND {at} IS NOT NULL AND {uid} IS NOT NULL"));
            select(vec![format!("0{}", named.unwrap_or_default())], &keyed_order)
        }
        [one] => one.clone(),
        parts => {
            let union: Vec<String> = parts.iter().map(|part| format!("SELECT * FROM ({part})")).collect();
            let columns = if walked { format!("{TASK_COLUMNS}, wanted") } else { TASK_COLUMNS.to_owned() };
            format!(
                "SELECT {columns} FROM ({}) ORDER BY {column} IS NULL, {keyed_order} LIMIT {limit}",
                union.join(" UNION ALL ")
            )
        }
    };
    (sql, params.0)
}

/// The filter's conditions on a task row.
fn filter_conditions(filter: &TaskFilter, params: &mut Params) -> Vec<String> {
    let mut conditions: Vec<String> = Vec::new();
    if let Some(project) = filter.project_id {
        let slot = params.bind(Value::Text(project.to_string()));
        conditions.push(if filter.include_subprojects {
            // The project's subtree, walked down its `parent_uid` index.
            format!(
                "project_id IN (WITH RECURSIVE subtree (uid) AS (SELECT {slot} \
                 UNION SELECT p.uid FROM projects p JOIN subtree s ON p.parent_uid = s.uid) SELECT uid FROM subtree)"
            )
        } else {
            format!("project_id = {slot}")
        });
    }
    match filter.statuses.as_slice() {
        [] => {}
        // An equality, so the planner can seek `(project_id, status, …)`.
        [status] => conditions.push(format!("status = {}", params.bind(Value::Text(status.as_str().to_owned())))),
        statuses => {
            let slots: Vec<String> = statuses.iter().map(|s| params.bind(Value::Text(s.as_str().to_owned()))).collect();
            conditions.push(format!("status IN ({})", slots.join(", ")));
        }
    }
    if let Some(task_type) = filter.task_type {
        conditions.push(format!("task_type = {}", params.bind(Value::Text(task_type.as_str().to_owned()))));
    }
    if let Some(parent) = filter.parent_id {
        conditions.push(format!("parent_id = {}", params.bind(Value::Text(parent.to_string()))));
    }
    if let Some(assignee) = filter.assignee_id {
        conditions.push(format!("assignee_id = {}", params.bind(Value::Text(assignee.to_string()))));
    }
    if let Some(tag) = &filter.tag {
        let slot = params.bind(Value::Text(tag.as_str().to_owned()));
        conditions.push(format!("uid IN (SELECT task_uid FROM task_tags WHERE tag = {slot})"));
    }
    if let Some(before) = filter.due_before {
        conditions.push(format!("due_date < {}", params.bind(Value::Integer(before.as_micros()))));
    }
    if let Some(after) = filter.due_after {
        conditions.push(format!("due_date > {}", params.bind(Value::Integer(after.as_micros()))));
    }
    if let Some(Overdue { overdue, at }) = filter.overdue {
        let at = params.bind(Value::Integer(at.as_micros()));
        let (done, cancelled) = (TaskStatus::Done.as_str(), TaskStatus::Cancelled.as_str());
        let overdue_at = format!("(due_date < {at} AND status NOT IN ('{done}', '{cancelled}'))");
        conditions.push(if overdue { overdue_at } else { format!("NOT coalesce({overdue_at}, 0)") });
    }
    if let Some(blocked) = filter.blocked {
        // The store's own count of open blockers (migration 0012), so that
        // `blocked=true` in list order is a walk of its partial index.
        conditions.push(if blocked { "open_blockers > 0" } else { "open_blockers = 0" }.to_owned());
    }
    conditions
}

/// Matches a search page reads beyond its own, so that it usually holds
/// every match of the millisecond it ends in and need not read that
/// millisecond again.
const READ_AHEAD: i64 = 16;

/// A search page in `created_at` order, read through the search index in
/// its numbers' order (which is list order by millisecond; see
/// `search_order`): the first `limit` matches after the cursor, with every
/// match of the millisecond they end in, sorted. So a page reads about a
/// page of matches however many there are.
fn search_in_list_order(
    search: &str,
    conditions: &[String],
    after: Option<(Timestamp, &(String, String))>,
    descending: bool,
    (rows, limit): (i64, &str),
    params: &mut Params,
) -> String {
    let query = params.bind(Value::Text(search.to_owned()));
    let (dir, op) = if descending { ("DESC", "<") } else { ("ASC", ">") };
    // After a cursor, the walk starts at the cursor's millisecond: only the
    // matches of that millisecond need the exact comparison.
    let cursor = after.map(|(created_at, (at, uid))| {
        let (first, last) = search_order::numbers_for(created_at);
        let (first, last) = (params.bind(Value::Integer(first)), params.bind(Value::Integer(last)));
        let (start, past) = if descending {
            (format!("task_search.rowid <= {last}"), format!("task_search.rowid < {first}"))
        } else {
            (format!("task_search.rowid >= {first}"), format!("task_search.rowid > {last}"))
        };
        (start, past, format!("(created_at, uid) {op} ({at}, {uid})"))
    });
    let matches = if conditions.is_empty() {
        // Nothing to check on a task but (perhaps) the cursor: the page's
        // tasks are read once, by the final select, in `uid` order.
        let after = cursor.map_or_else(String::new, |(start, past, exact)| {
            format!(" AND {start} AND ({past} OR (SELECT {exact} FROM tasks WHERE tasks.uid = numbered.uid))")
        });
        format!(
            "SELECT task_search.rowid AS number, numbered.uid AS uid FROM task_search \
             JOIN tasks numbered ON numbered.search_id = task_search.rowid WHERE task_search MATCH {query}{after}"
        )
    } else {
        // A task is found by its number; its unqualified columns are the
        // conditions' (the index's only column is `words`).
        let mut wanted: Vec<String> = conditions.to_vec();
        wanted.extend(cursor.map(|(start, _, exact)| format!("{start} AND {exact}")));
        let wanted = wanted.iter().map(|condition| format!(" AND {condition}")).collect::<String>();
        format!(
            "SELECT task_search.rowid AS number, tasks.uid AS uid FROM task_search, tasks \
             WHERE task_search MATCH {query} AND tasks.search_id = task_search.rowid{wanted}"
        )
    };
    let bits = search_order::SLOT_BITS;
    let mask = (1_i64 << bits) - 1;
    let read = params.bind(Value::Integer(rows + READ_AHEAD));
    let last = params.bind(Value::Integer(rows - 1));
    let beyond = if descending { "< first_number".to_owned() } else { format!("> (first_number | {mask})") };
    // `read`: the matches a page needs, and a few more; `settled`: whether
    // they hold every match of the millisecond the page ends in (fewer
    // than asked were left, or one after that millisecond was read).
    // Only when not is the millisecond read again.
    format!(
        "WITH read AS ({matches} ORDER BY task_search.rowid {dir} LIMIT {read}), \
         last_row AS (SELECT number FROM read ORDER BY number {dir} LIMIT 1 OFFSET {last}), \
         last_millisecond AS (SELECT (number >> {bits}) << {bits} AS first_number FROM last_row), \
         settled AS (SELECT (SELECT count(*) FROM read) < {read} \
           OR EXISTS (SELECT 1 FROM read, last_millisecond WHERE number {beyond}) AS done) \
         SELECT {TASK_COLUMNS} FROM tasks WHERE uid IN (\
         SELECT uid FROM read UNION \
         SELECT uid FROM ({matches} AND task_search.rowid BETWEEN \
         (SELECT first_number FROM last_millisecond) AND (SELECT first_number | {mask} FROM last_millisecond)) \
         WHERE NOT (SELECT done FROM settled)) \
         ORDER BY created_at {dir}, uid {dir} LIMIT {limit}"
    )
}
