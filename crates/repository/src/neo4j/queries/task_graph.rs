//! The task graph: `(:Task)-[:BLOCKS]->(:Task)` edges, the blocker
//! pointing at the task it blocks (see `crate::neo4j::task_graph`).

use neo4rs::{BoltType, Query};
use trm_domain::{Direction, TaskId, WalkDepth};

use super::{TASK_COLUMNS, TASK_ENTRIES};
use crate::neo4j::values::id_param;

/// Takes the write lock of the one `TaskGraphLock` node, held until the
/// transaction ends: every write that adds `BLOCKS` edges takes it before
/// anything else, so their cycle checks run one at a time, each seeing
/// the edges of the one before (see `crate::neo4j::task_graph`). The
/// increment is what takes the lock (a `SET` to the same value would not).
pub(in crate::neo4j) const LOCK_TASK_GRAPH: &str =
    "MERGE (lock:TaskGraphLock {name: 'blocks'}) SET lock.taken = coalesce(lock.taken, 0) + 1";

/// The ids of `$blocked_by` that name no task, one row (`key`) each.
pub(in crate::neo4j) const MISSING_BLOCKERS: &str = keep_plan!(
    "UNWIND $blocked_by AS key \
     OPTIONAL MATCH (blocker:Task {uid: key}) USING INDEX blocker:Task(uid) \
     WITH key, blocker WHERE blocker IS NULL \
     RETURN key"
);

/// The shortest path along `BLOCKS` edges from task `$uid` to one of
/// `$blocked_by`, as `path` (the ids along it, the task first); no row
/// when there is none — then no new edge `blocker → task` closes a cycle.
pub(in crate::neo4j) const FIND_CYCLE: &str = keep_plan!(
    "MATCH (t:Task {uid: $uid}) USING INDEX t:Task(uid) \
     UNWIND $blocked_by AS key \
     MATCH (blocker:Task {uid: key}) USING INDEX blocker:Task(uid) \
     WHERE blocker <> t \
     MATCH found = shortestPath((t)-[:BLOCKS*]->(blocker)) \
     WITH found, key ORDER BY length(found), key LIMIT 1 \
     RETURN [step IN nodes(found) | step.uid] AS path"
);

/// Makes task `$uid`'s incoming `BLOCKS` edges exactly those from
/// `$blocked_by`, and returns one row whose `missing` lists the ids that
/// named no task here. The caller has checked they exist, but without
/// locking them: one deleted since (and committed) is missing here, and the
/// caller fails rather than answer with an edge it did not store. One
/// deleted between this statement's match and its `MERGE` fails the
/// statement with EntityNotFound, which the caller retries.
pub(in crate::neo4j) const SET_BLOCKERS: &str = keep_plan!(
    "MATCH (t:Task {uid: $uid}) USING INDEX t:Task(uid) \
     OPTIONAL MATCH (stale:Task)-[edge:BLOCKS]->(t) WHERE NOT stale.uid IN $blocked_by \
     DELETE edge \
     WITH DISTINCT t \
     CALL (t) { \
        UNWIND $blocked_by AS key \
        OPTIONAL MATCH (blocker:Task {uid: key}) USING INDEX blocker:Task(uid) \
        FOREACH (found IN CASE WHEN blocker IS NULL THEN [] ELSE [blocker] END | MERGE (found)-[:BLOCKS]->(t)) \
        RETURN collect(CASE WHEN blocker IS NULL THEN key END) AS missing \
     } \
     RETURN missing"
);

/// Before the tasks `$uids` are deleted together: each surviving task that
/// loses something by it — a blocker among them, or its parent — is one
/// version further (once, however much it loses) and changed at `$now` at
/// least, and its id comes back, oldest first, as `uid`. The edges
/// themselves go with the tasks' `DETACH DELETE`: a sub-task whose parent
/// goes is detached.
pub(in crate::neo4j) const RELEASE_SURVIVORS: &str = keep_plan!(
    "UNWIND $uids AS key \
     MATCH (t:Task {uid: key}) USING INDEX t:Task(uid) \
     CALL (t) { \
        MATCH (t)-[:BLOCKS]->(other:Task) RETURN other \
        UNION \
        MATCH (other:Task)-[:IS_SUBTASK_OF]->(t) RETURN other \
     } \
     WITH DISTINCT other WHERE NOT other.uid IN $uids \
     SET other.version = other.version + 1, \
         other.updated_at = CASE WHEN other.updated_at > $now THEN other.updated_at ELSE $now END \
     RETURN other.uid AS uid ORDER BY other.created_at, other.uid"
);

/// The tasks at most `depth` `BLOCKS` edges from task `id` in `direction`,
/// each once with its shortest distance (`depth`), by distance then oldest
/// first. One shortest path per task found: a breadth-first walk, not an
/// enumeration of every path. The bound is part of the text (Cypher takes
/// no parameter there); it is a number from 1 to 25, never client text.
#[must_use]
pub(in crate::neo4j) fn walk_tasks(id: TaskId, direction: Direction, depth: WalkDepth) -> Query {
    let step = walk_step(direction);
    let text = format!(
        "MATCH (start:Task {{uid: $uid}}) USING INDEX start:Task(uid) \
         MATCH path = ANY SHORTEST (start){step}{{1,{}}}(t:Task) \
         WHERE t <> start \
         WITH t, min(length(path)) AS depth \
         RETURN depth, {TASK_COLUMNS} ORDER BY depth, t.created_at, t.uid",
        depth.get()
    );
    neo4rs::query(&text).param("uid", id_param(id))
}

/// The edge of a walk from task `id` in `direction`, as written between the
/// two nodes.
const fn walk_step(direction: Direction) -> &'static str {
    match direction {
        Direction::Blockers => "<-[:BLOCKS]-",
        Direction::Dependents => "-[:BLOCKS]->",
    }
}

/// Part `part` of `parts` of a walk of at least two steps (see
/// `crate::neo4j::task_graph::walk`): the tasks one edge from task `id` in
/// `direction`, taken in uid order and dealt out to the parts in turn,
/// with those at most `depth - 1` edges from them; each once with its
/// shortest distance from `id` through this part's first tasks, in no
/// order. A task reached from two parts comes from each, and the smaller
/// depth is the walk's.
///
/// One row, `walked`: a list of maps, each a task's [`TASK_ENTRIES`] and
/// its `depth` (empty when there is no task `id`, or when this part has
/// nothing to walk). Sent as one row, a thousand tasks cost Neo4j about a
/// millisecond less than as a thousand rows, and the server a fifth less
/// to decode. `None` for a walk of one step, which is [`walk_tasks`].
#[must_use]
pub(in crate::neo4j) fn walk_tasks_part(
    id: TaskId,
    direction: Direction,
    depth: WalkDepth,
    part: u8,
    parts: u8,
) -> Option<Query> {
    let further = depth.get().checked_sub(1).filter(|&further| further > 0)?;
    let walked = format!("collect({{depth: depth, {TASK_ENTRIES}}})");
    Some(walk_part(id, direction, further, &walked, part, parts))
}

/// Part `part` of `parts` of a walk, as [`walk_tasks_part`], that reads
/// only which tasks it reaches and at which version (see
/// `crate::neo4j::walk_cache`): its row's `walked` is a list of
/// `[depth, uid, version]`. A walk of one step is parts too, each reading
/// its share of the first tasks.
#[must_use]
pub(in crate::neo4j) fn walk_versions_part(
    id: TaskId,
    direction: Direction,
    depth: WalkDepth,
    part: u8,
    parts: u8,
) -> Query {
    let further = depth.get().saturating_sub(1);
    walk_part(id, direction, further, "collect([depth, t.uid, t.version])", part, parts)
}

/// A part of a walk from task `$uid`: its share of the first tasks, each
/// walked at most `further` edges on, every task reached once with its
/// smallest `depth`; returned as the one aggregate `walked`. `range` with
/// no first tasks still yields index 0 (`range(0, -1, 2)` is `[0]`), so
/// the missing first task is filtered out.
fn walk_part(id: TaskId, direction: Direction, further: u8, walked: &str, part: u8, parts: u8) -> Query {
    let step = walk_step(direction);
    // Cypher takes no `{0,0}`: a walk of one step is its first tasks.
    let onwards = if further == 0 {
        "WITH first AS t, 1 AS depth".to_owned()
    } else {
        format!(
            "MATCH path = ANY SHORTEST (first){step}{{0,{further}}}(t:Task) \
             WITH t, min(length(path)) + 1 AS depth"
        )
    };
    let text = format!(
        "MATCH (start:Task {{uid: $uid}}) USING INDEX start:Task(uid) \
         WITH COLLECT {{ MATCH (start){step}(first:Task) RETURN first ORDER BY first.uid }} AS firsts \
         UNWIND range($part, size(firsts) - 1, $parts) AS i \
         WITH firsts[i] AS first WHERE first IS NOT NULL \
         {onwards} \
         RETURN {walked} AS walked"
    );
    neo4rs::query(&text).param("uid", id_param(id)).param("part", i64::from(part)).param("parts", i64::from(parts))
}

/// The `$blocked_by` parameter: a task's blockers.
pub(in crate::neo4j) fn blockers_param(blockers: &[TaskId]) -> BoltType {
    BoltType::List(blockers.iter().map(|&id| id_param(id)).collect::<Vec<_>>().into())
}
