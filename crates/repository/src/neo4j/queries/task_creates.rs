//! Creating tasks: one statement for a whole batch of creates (group
//! commit, bulk create, or a lone create as a batch of one), with each
//! task's relationships — and, with the event log on, its events.

use neo4rs::{BoltType, Query};
#[cfg(doc)]
use trm_domain::MAX_SUBTASK_LEVELS;
use trm_domain::Task;

use super::{KEEP_PLAN, blockers_param, max_parent_ancestors};
use crate::neo4j::values::{map, optional_id_param, task_props};

/// Creates the tasks of `$rows` with their relationships, in one statement:
/// each row is `{props, project_id, assignee_id, blocked_by, parent_id}`,
/// and one whose project, assignee, parent or a blocker names nothing
/// stored, or whose parent is already [`MAX_SUBTASK_LEVELS`]` - 1` levels
/// deep, creates nothing. Every row in gives one row out — `uid`,
/// `project_found`/`assignee_found`/`parent_found` (true when none was
/// named), `missing_blockers` (the ids naming no task) and `too_deep` — so
/// that each task of a batch gets its own answer. A new task needs no
/// cycle check: nothing waits for it, nor is under it, yet. (A batch with
/// parents runs under the task graph's lock, so no parent moves deeper
/// meanwhile: see `crate::neo4j::task_graph`.)
///
/// `$create` is the clause that creates the task `t` from `row.props`: see
/// [`CREATE_TASKS`] and [`CREATE_TASKS_INDEXED`].
macro_rules! create_tasks_with {
    ($create:expr) => {
        concat!(
            "UNWIND $rows AS row \
     OPTIONAL MATCH (p:Project {uid: row.project_id}) USING INDEX p:Project(uid) \
     OPTIONAL MATCH (u:User {uid: row.assignee_id}) USING INDEX u:User(uid) \
     OPTIONAL MATCH (parent:Task {uid: row.parent_id}) USING INDEX parent:Task(uid) \
     CALL (row) { \
        UNWIND row.blocked_by AS key \
        OPTIONAL MATCH (blocker:Task {uid: key}) USING INDEX blocker:Task(uid) \
        RETURN collect(blocker) AS blockers, collect(CASE WHEN blocker IS NULL THEN key END) AS missing_blockers \
     } \
     WITH row, p, u, parent, blockers, missing_blockers, \
          row.project_id IS NULL OR p IS NOT NULL AS project_found, \
          row.assignee_id IS NULL OR u IS NOT NULL AS assignee_found, \
          row.parent_id IS NULL OR parent IS NOT NULL AS parent_found, \
          parent IS NOT NULL AND COUNT { (parent)-[:IS_SUBTASK_OF*1..10]->() } > $max_parent_ancestors AS too_deep \
     FOREACH (_ IN CASE WHEN project_found AND assignee_found AND parent_found AND NOT too_deep \
                        AND size(missing_blockers) = 0 THEN [1] ELSE [] END | \
        ",
            $create,
            " \
        FOREACH (up IN CASE WHEN parent IS NULL THEN [] ELSE [parent] END | CREATE (t)-[:IS_SUBTASK_OF]->(up)) \
        FOREACH (project IN CASE WHEN p IS NULL THEN [] ELSE [p] END | CREATE (t)-[:IS_PART_OF_PROJECT]->(project)) \
        FOREACH (user IN CASE WHEN u IS NULL THEN [] ELSE [u] END | CREATE (t)-[:ASSIGNED_TO]->(user)) \
        FOREACH (blocker IN blockers | CREATE (blocker)-[:BLOCKS]->(t))) \
     RETURN row.props.uid AS uid, project_found, assignee_found, parent_found, too_deep, missing_blockers"
        )
    };
}

/// `create_tasks_with!` for tasks whose words wait for the background
/// indexer (`crate::neo4j::search_words`): what group commit and a lone
/// create write, so that their commits leave the full-text index alone.
const CREATE_TASKS: &str = create_tasks_with!("CREATE (t:Task:SearchPending) SET t += row.props");

/// `create_tasks_with!` for tasks written straight into the full-text
/// index: their words in `search_text` with their creation windows
/// (`search_time`), as the indexer would leave them, and no wait. What a
/// bulk create writes: its transaction of up to 1,000 tasks is one refresh
/// of the index, as a batch of the indexer is, so the indexer's two later
/// writes of each task are saved. New tasks have no older words a search
/// could find them by, and a search reads the index as of one moment, so
/// it finds all of a bulk create's tasks or, running while it commits,
/// none.
const CREATE_TASKS_INDEXED: &str = create_tasks_with!(concat!(
    "CREATE (t:Task) SET t += row.props \
     SET t.search_text = t.pending_search_text, t.search_time = ",
    search_time_of_t!(),
    " REMOVE t.pending_search_text"
));

/// Creates `tasks` and links each to its project and assignee in one
/// statement (`CREATE_TASKS`), their words left for the background
/// indexer: what the adapter sends for a batch of concurrent creates and —
/// as a batch of one — for a lone create.
#[must_use]
pub fn create_tasks(tasks: &[Task]) -> Query {
    create_tasks_query(CREATE_TASKS, tasks)
}

/// [`create_tasks`] with the tasks' words written straight into the
/// full-text index (`CREATE_TASKS_INDEXED`): what the adapter sends for
/// a bulk create.
#[must_use]
pub fn create_tasks_indexed(tasks: &[Task]) -> Query {
    create_tasks_query(CREATE_TASKS_INDEXED, tasks)
}

/// `statement`, one of the `create_tasks_with!` statements, with the rows
/// of `tasks`.
fn create_tasks_query(statement: &str, tasks: &[Task]) -> Query {
    let rows: Vec<BoltType> = tasks
        .iter()
        .map(|task| {
            map(vec![
                ("props", task_props(task)),
                ("project_id", optional_id_param(task.project_id)),
                ("assignee_id", optional_id_param(task.assignee_id)),
                ("blocked_by", blockers_param(&task.blocked_by)),
                ("parent_id", optional_id_param(task.parent_id)),
            ])
        })
        .collect();
    neo4rs::query(&format!("{KEEP_PLAN}{statement}"))
        .param("rows", BoltType::List(rows.into()))
        .param("max_parent_ancestors", max_parent_ancestors())
}

/// [`CREATE_TASKS`] with each created task's events, in the same
/// statement: each row also has `events`, the properties of its events (see
/// `events::event_props`). The tasks and their events are created first,
/// each event linked from its task — no lookup of the entity, no second
/// round trip; then the statement takes positions for the events from the
/// `EventSequence` node and gives them out in row order, each task's events
/// in their own order (one pass over the batch's events: a bulk create
/// numbers 1,000 of them). The node's lock is
/// held until the transaction ends, which is why it must be the
/// transaction's last statement (the log's ordering argument, in
/// `super::events`), and why it is taken last: concurrent batches create
/// their tasks and events at the same time, and only wait for each other
/// to number them and commit. A task whose project or assignee is missing
/// creates nothing and takes no position. A missing sequence node (the
/// schema set-up makes it) is made.
const CREATE_TASKS_LOGGED: &str = "UNWIND $rows AS row \
     OPTIONAL MATCH (p:Project {uid: row.project_id}) USING INDEX p:Project(uid) \
     OPTIONAL MATCH (u:User {uid: row.assignee_id}) USING INDEX u:User(uid) \
     OPTIONAL MATCH (parent:Task {uid: row.parent_id}) USING INDEX parent:Task(uid) \
     CALL (row) { \
        UNWIND row.blocked_by AS key \
        OPTIONAL MATCH (blocker:Task {uid: key}) USING INDEX blocker:Task(uid) \
        RETURN collect(blocker) AS blockers, collect(CASE WHEN blocker IS NULL THEN key END) AS missing_blockers \
     } \
     WITH row, p, u, parent, blockers, missing_blockers, \
          parent IS NOT NULL AND COUNT { (parent)-[:IS_SUBTASK_OF*1..10]->() } > $max_parent_ancestors AS too_deep \
     WITH row, p, u, parent, blockers, missing_blockers, too_deep, \
          (row.project_id IS NULL OR p IS NOT NULL) AND (row.assignee_id IS NULL OR u IS NOT NULL) \
          AND (row.parent_id IS NULL OR parent IS NOT NULL) AND NOT too_deep \
          AND size(missing_blockers) = 0 AS ok \
     CALL (row, p, u, parent, blockers, ok) { \
        WITH row, p, u, parent, blockers WHERE ok \
        CREATE (t:Task:SearchPending) SET t += row.props \
        FOREACH (project IN CASE WHEN p IS NULL THEN [] ELSE [p] END | CREATE (t)-[:IS_PART_OF_PROJECT]->(project)) \
        FOREACH (user IN CASE WHEN u IS NULL THEN [] ELSE [u] END | CREATE (t)-[:ASSIGNED_TO]->(user)) \
        FOREACH (up IN CASE WHEN parent IS NULL THEN [] ELSE [parent] END | CREATE (t)-[:IS_SUBTASK_OF]->(up)) \
        FOREACH (blocker IN blockers | CREATE (blocker)-[:BLOCKS]->(t)) \
        WITH t, row \
        UNWIND range(0, size(row.events) - 1) AS k \
        CREATE (t)-[:GENERATES_EVENT]->(event:Event) SET event += row.events[k] \
        RETURN collect([k, event]) AS events \
     } \
     WITH collect({row: row, p: p, u: u, parent: parent, too_deep: too_deep, \
                   missing_blockers: missing_blockers, events: events}) AS batch \
     CALL (batch) { \
        UNWIND batch AS x \
        UNWIND x.events AS numbered \
        WITH collect(numbered[1]) AS events \
        MERGE (sequence:EventSequence {name: 'events'}) ON CREATE SET sequence.last = 0 \
        SET sequence.last = sequence.last + size(events) \
        WITH events, sequence.last - size(events) AS base \
        FOREACH (i IN range(0, size(events) - 1) | FOREACH (event IN [events[i]] | SET event.position = base + i + 1)) \
        RETURN size(events) AS taken \
     } \
     UNWIND batch AS x \
     RETURN x.row.props.uid AS uid, \
            x.row.project_id IS NULL OR x.p IS NOT NULL AS project_found, \
            x.row.assignee_id IS NULL OR x.u IS NOT NULL AS assignee_found, \
            x.row.parent_id IS NULL OR x.parent IS NOT NULL AS parent_found, \
            x.too_deep AS too_deep, \
            x.missing_blockers AS missing_blockers";

/// Creates `tasks` with `events_of` each (their properties, see
/// `events::event_props`) in one statement ([`CREATE_TASKS_LOGGED`]): what
/// the adapter sends for a batch of creates when the event log is on.
pub(in crate::neo4j) fn create_tasks_logged(tasks: &[Task], events_of: impl Fn(&Task) -> Vec<BoltType>) -> Query {
    let rows: Vec<BoltType> = tasks
        .iter()
        .map(|task| {
            map(vec![
                ("props", task_props(task)),
                ("project_id", optional_id_param(task.project_id)),
                ("assignee_id", optional_id_param(task.assignee_id)),
                ("blocked_by", blockers_param(&task.blocked_by)),
                ("parent_id", optional_id_param(task.parent_id)),
                ("events", BoltType::List(events_of(task).into())),
            ])
        })
        .collect();
    neo4rs::query(&format!("{KEEP_PLAN}{CREATE_TASKS_LOGGED}"))
        .param("rows", BoltType::List(rows.into()))
        .param("max_parent_ancestors", max_parent_ancestors())
}
