//! Task creates on Neo4j: one statement creates a batch of tasks with their
//! relationships and events, and tells each task what it named that does
//! not exist; concurrent creates share it (group commit, see
//! `super::coalesce`), each answered on its own.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Weak};

use neo4rs::{BoltType, Row, Txn};
use trm_domain::{DomainEvent, EntityKind, Task, TaskId};

use super::coalesce::{Coalescer, SharedFailure};
use super::errors::driver_error_or_concurrent_delete;
use super::events::event_props;
use super::task_graph::lock_graph;
use super::transactions::txn_fetch_all_with;
use super::values::{column_bool, column_task_ids, column_uuid};
use super::{Inner, Neo4jStore, queries};
use crate::consistency::{self, Scoped};
use crate::error::StoreError;

/// What a task of a create named that does not exist.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Missing {
    /// Its project, then its assignee, when named and missing.
    pub(super) kinds: Vec<EntityKind>,
    /// Its blockers naming no task.
    pub(super) blockers: Vec<TaskId>,
    /// Whether its parent is too deep already to take a sub-task.
    pub(super) too_deep: bool,
}

impl Missing {
    /// The answer for one create: the first missing reference, else the
    /// missing blockers (at index 0), else a parent too deep, else none (it
    /// was created).
    fn into_result(self) -> Result<(), StoreError> {
        match (self.kinds.first(), self.blockers.is_empty()) {
            (Some(&kind), _) => Err(StoreError::MissingReference(kind)),
            (None, false) => Err(StoreError::MissingBlockers(self.blockers.into_iter().map(|id| (0, id)).collect())),
            (None, true) if self.too_deep => Err(StoreError::NestingTooDeep(vec![0])),
            (None, true) => Ok(()),
        }
    }
}

/// How a create gives the full-text index its tasks' words (see
/// `super::search_words`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Words {
    /// Left for the background indexer: the commit does not touch the
    /// index. For creates of a few tasks, which would each refresh it.
    Pending,
    /// Written straight into the index, in the create's own commit: one
    /// refresh for the whole create. For bulk creates.
    Indexed,
}

/// Creates `tasks` in one statement ([`queries::create_tasks`], or
/// [`queries::create_tasks_indexed`] by `words`) and tells, per task, which
/// references it named that do not exist — its project, then its assignee,
/// its parent, and its blockers — and whether its parent was too deep;
/// none: it was created. A task with a missing reference creates nothing.
pub(super) async fn create(
    txn: &mut Txn,
    tasks: &[Task],
    words: Words,
) -> Result<HashMap<TaskId, Missing>, StoreError> {
    lock_graph_for_parents(txn, tasks).await?;
    let query = match words {
        Words::Pending => queries::create_tasks(tasks),
        Words::Indexed => queries::create_tasks_indexed(tasks),
    };
    let rows = txn_fetch_all_with(txn, query, create_failure).await?;
    missing_references(&rows)
}

/// A project or user deleted between a create statement's match and its
/// write fails it with EntityNotFound: retried, the write then finds the
/// reference missing.
fn create_failure(error: neo4rs::Error) -> StoreError {
    driver_error_or_concurrent_delete("cannot create the tasks")(error)
}

/// Takes the task graph's lock when a task of `tasks` names a parent: no
/// other write then moves that parent deeper between the statement's check
/// and its write (see `super::subtasks`).
async fn lock_graph_for_parents(txn: &mut Txn, tasks: &[Task]) -> Result<(), StoreError> {
    if tasks.iter().any(|task| task.parent_id.is_some()) { lock_graph(txn).await } else { Ok(()) }
}

/// Per task of a create statement's rows, the references it named that do
/// not exist.
fn missing_references(rows: &[Row]) -> Result<HashMap<TaskId, Missing>, StoreError> {
    rows.iter()
        .map(|row| {
            let mut kinds = Vec::new();
            if !column_bool(row, "project_found")? {
                kinds.push(EntityKind::Project);
            }
            if !column_bool(row, "assignee_found")? {
                kinds.push(EntityKind::User);
            }
            if !column_bool(row, "parent_found")? {
                kinds.push(EntityKind::Task);
            }
            let blockers = column_task_ids(row, "missing_blockers")?;
            let too_deep = column_bool(row, "too_deep")?;
            Ok((TaskId::from_uuid(column_uuid(row, "uid")?), Missing { kinds, blockers, too_deep }))
        })
        .collect()
}

/// Creates `tasks` and stores the events of those created — `events_of`
/// each — in the same statement ([`queries::create_tasks_logged`]), the
/// transaction's last; tells, per task, what [`create`] tells. Without
/// events (the log is off) it is [`create`].
async fn create_with_events(
    txn: &mut Txn,
    tasks: &[Task],
    events_of: &HashMap<TaskId, Vec<DomainEvent>>,
) -> Result<HashMap<TaskId, Missing>, StoreError> {
    if events_of.values().all(Vec::is_empty) {
        return create(txn, tasks, Words::Pending).await;
    }
    lock_graph_for_parents(txn, tasks).await?;
    let props = events_of
        .iter()
        .map(|(id, events)| Ok((*id, events.iter().map(event_props).collect::<Result<Vec<_>, StoreError>>()?)))
        .collect::<Result<HashMap<TaskId, Vec<BoltType>>, StoreError>>()?;
    let query = queries::create_tasks_logged(tasks, |task| props.get(&task.uid).cloned().unwrap_or_default());
    let rows = txn_fetch_all_with(txn, query, create_failure).await?;
    missing_references(&rows)
}

/// A create waiting for its batch: the task and its events, known by the
/// task's id.
#[derive(Clone)]
pub(super) struct PendingCreate(pub(super) Arc<(Task, Vec<DomainEvent>)>);

impl PendingCreate {
    fn task(&self) -> &Task {
        &self.0.0
    }
}

impl PartialEq for PendingCreate {
    fn eq(&self, other: &Self) -> bool {
        self.task().uid == other.task().uid
    }
}

impl Eq for PendingCreate {}

impl Hash for PendingCreate {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.task().uid.hash(state);
    }
}

/// What became of one create of a batch.
#[derive(Clone)]
pub(super) enum Created {
    /// The task is stored (the batch committed), with the commit's
    /// bookmark: the batch ran on a task of its own, outside the caller's
    /// consistency scope, so the caller records it.
    Stored(Option<Arc<str>>),
    /// Its project, assignee or blockers do not exist; nothing of it was
    /// stored.
    Missing(Missing),
    /// Its transaction failed, and so did its own retry.
    Failed(SharedFailure),
}

impl Created {
    /// The caller's answer; a stored create's bookmark goes to the
    /// caller's scope ([`crate::consistency::record`]).
    pub(super) fn into_result(self) -> Result<(), StoreError> {
        match self {
            Self::Stored(bookmark) => {
                if let Some(bookmark) = bookmark {
                    consistency::record(bookmark.to_string());
                }
                Ok(())
            }
            Self::Missing(missing) => missing.into_result(),
            Self::Failed(failure) => Err(failure.for_one_caller()),
        }
    }
}

/// The coalescer of the store's task creates (group commit): up to
/// `max_in_flight` transactions of up to `max_batch` creates each. A create
/// arriving while that many commit waits and shares the next (see
/// `super::coalesce`); on an idle store it goes out at once, alone.
///
/// It holds the store weakly: the store owns it.
pub(super) fn creates(store: Weak<Inner>, max_in_flight: usize, max_batch: usize) -> Coalescer<PendingCreate, Created> {
    Coalescer::new(
        max_in_flight,
        max_batch,
        Arc::new(move |batch| {
            let store = store.upgrade().map(|inner| Neo4jStore { inner });
            Box::pin(async move {
                let store = store.ok_or_else(|| StoreError::Unavailable(anyhow::anyhow!("the store was dropped")))?;
                Ok(store.create_together(batch).await)
            })
        }),
    )
}

impl Neo4jStore {
    /// Creates `batch` in one transaction, each task answered on its own;
    /// if the shared transaction fails, each is tried again alone, so one
    /// that cannot be stored does not fail the others.
    async fn create_together(&self, batch: Vec<PendingCreate>) -> HashMap<PendingCreate, Created> {
        let tasks: Arc<Vec<Task>> = Arc::new(batch.iter().map(|pending| pending.task().clone()).collect());
        let events: Arc<HashMap<TaskId, Vec<DomainEvent>>> =
            Arc::new(batch.iter().map(|pending| (pending.task().uid, pending.0.1.clone())).collect());
        // A scope of the batch's own, to catch the commit's bookmark.
        let Scoped { output: outcome, written, .. } = consistency::scope(
            None,
            self.write("create tasks", move |txn| {
                let (tasks, events) = (Arc::clone(&tasks), Arc::clone(&events));
                Box::pin(async move { create_with_events(txn, &tasks, &events).await })
            }),
        )
        .await;
        let bookmark: Option<Arc<str>> = written.map(|bookmark| bookmark.as_str().into());
        match outcome {
            Ok(missing) => batch
                .into_iter()
                .map(|pending| {
                    let created = match missing.get(&pending.task().uid) {
                        Some(missing) if *missing == Missing::default() => Created::Stored(bookmark.clone()),
                        Some(missing) => Created::Missing(missing.clone()),
                        None => Created::Failed(SharedFailure::from(StoreError::Unexpected(anyhow::anyhow!(
                            "the create statement returned no row for a task"
                        )))),
                    };
                    (pending, created)
                })
                .collect(),
            Err(error) if batch.len() > 1 => {
                tracing::warn!(
                    error = %anyhow::Error::new(error),
                    creates = batch.len(),
                    "a shared Neo4j create failed; retrying its creates alone"
                );
                let alone = batch.into_iter().map(|pending| async move {
                    let Scoped { output, written, .. } =
                        consistency::scope(None, self.create_alone(pending.task(), &pending.0.1)).await;
                    let created = match output {
                        Ok(()) => Created::Stored(written.map(|bookmark| bookmark.as_str().into())),
                        Err(StoreError::MissingReference(kind)) => {
                            Created::Missing(Missing { kinds: vec![kind], ..Missing::default() })
                        }
                        Err(StoreError::MissingBlockers(blockers)) => Created::Missing(Missing {
                            blockers: blockers.into_iter().map(|(_, id)| id).collect(),
                            ..Missing::default()
                        }),
                        Err(StoreError::NestingTooDeep(_)) => {
                            Created::Missing(Missing { too_deep: true, ..Missing::default() })
                        }
                        Err(error) => Created::Failed(SharedFailure::from(error)),
                    };
                    (pending, created)
                });
                futures::future::join_all(alone).await.into_iter().collect()
            }
            Err(error) => {
                let failure = SharedFailure::from(error);
                batch.into_iter().map(|pending| (pending, Created::Failed(failure.clone()))).collect()
            }
        }
    }

    /// Creates one task, with its events, in a transaction of its own.
    pub(super) async fn create_alone(&self, task: &Task, events: &[DomainEvent]) -> Result<(), StoreError> {
        let task = Arc::new(task.clone());
        let events = Arc::new(HashMap::from([(task.uid, events.to_vec())]));
        self.write("create a task", move |txn| {
            let (task, events) = (Arc::clone(&task), Arc::clone(&events));
            Box::pin(async move {
                let missing = create_with_events(txn, std::slice::from_ref(&*task), &events).await?;
                match missing.get(&task.uid) {
                    Some(missing) => missing.clone().into_result(),
                    None => Err(StoreError::Unexpected(anyhow::anyhow!("the create statement returned no row"))),
                }
            })
        })
        .await
        .inspect(|()| self.words_pending())
    }
}
