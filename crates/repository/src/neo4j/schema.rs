//! The constraints and indexes the store relies on, created idempotently,
//! once, by the first operation that needs them.
//!
//! * Uniqueness of `uid` on every label: lookups by id expect one node, and
//!   each constraint is also the index that makes them cheap.
//! * Uniqueness of `User.username` (the contract's rule) and of
//!   `User.username_key`, its lower-case form, which makes usernames unique
//!   regardless of case: Neo4j constrains properties, not expressions.
//! * Uniqueness of `IdempotencyKey.key_id`: two racing requests with one
//!   `Idempotency-Key` cannot both claim it; its `created_at` is indexed for
//!   the purge of expired keys.
//! * Uniqueness of `ApiKey.id`, of `ApiKey.key_hash` (the index every
//!   authentication reads through) and of `ApiKey.active_name`, the name of
//!   an active key, so names are unique among active keys.
//! * Range indexes on `created_at` for `Task` and `Project`: lists are in
//!   `created_at` order, and reading a page along this index costs the page,
//!   not a sort of every node. `Task.status` and `Project.status` are indexed
//!   for the status filters, `Task.task_type` for the type filter.
//! * The event log (`super::events`): range indexes on `Event.event_id`
//!   (resuming after an event), `Event.position` (the log's order, read
//!   along that index), `entity_id` (histories), `(event_type, position)`
//!   and `(entity_type, position)` (the log's filters, each read in
//!   position order) and `timestamp` (retention), and the one
//!   `EventSequence` node positions are taken from. Ids and positions are
//!   unique by construction (UUID v7, the sequence's lock): a uniqueness
//!   constraint would only add a check and a lock to every logged write.
//! * Webhooks (`super::webhooks`): uniqueness of `Webhook.id` and of
//!   `WebhookDelivery.id`, an index on `Webhook.created_at` (lists and
//!   claims go oldest first) and composite ones on `WebhookDelivery
//!   (webhook_id, created_at)`, a subscription's deliveries in order, and
//!   `(webhook_id, state, created_at)`, its next pending one, and
//!   `(state, created_at)`, the oldest succeeded ones for retention.
//! * A composite range index on `Task (status, created_at)`: a list filtered
//!   by one status reads that status's tasks already in list order (see
//!   [`super::queries::list_tasks`]).
//! * Composite range indexes on `Task (due_date, created_at)`,
//!   `(updated_at, created_at)` and `(priority, created_at)`: a list in one
//!   of those orders (`sort=`) walks its index either way from the cursor
//!   (see `super::queries::sorted_tasks`).
//! * A full-text index `task_words` on `Task.search_text`, the task's
//!   words folded by the domain (`trm_domain::search`), and on
//!   `Task.search_time`, the windows of time its creation falls in (see
//!   `super::queries::search_windows`), with Lucene's whitespace analyzer:
//!   the words are folded already, so the index only splits them, and
//!   finds exactly what the SQLite store's FTS5 index finds. Tasks stored
//!   before search existed get their words once ([`index_stored_tasks`]),
//!   and tasks stored before the windows existed get those once
//!   ([`give_stored_tasks_search_time`]), each recorded by a `SchemaStep`
//!   node; the index is created after both, so that an upgraded store
//!   fills it once. (Earlier versions' `task_search`, on the words alone,
//!   is dropped: every instance of a store must run the same version.)
//!
//! Schema statements cannot share a transaction with data, so each runs on
//! its own. `IF NOT EXISTS` makes them no-ops once done; two stores starting
//! together may still race to create the same rule, so "already exists"
//! answers count as success. Indexes are awaited online, because a query
//! planned while an index is still populating would scan instead.
//!
//! Neo4j may be down when the store starts, so the set-up is not part of
//! connecting: every operation first makes sure it has run
//! ([`Inner::ensure_schema`]). It runs once, on a task of its own behind an
//! async mutex: an operation that times out stops waiting for it but does
//! not cancel it (a cold server can take seconds to create the rules,
//! longer than one request may wait), the next operation waits for the same
//! task, and after a failure the next operation starts a new one.

use std::sync::atomic::Ordering;
use std::time::Duration;

use neo4rs::Graph;

use super::errors::{driver_error, unavailable_after};
use super::{Inner, queries};
use crate::error::StoreError;

/// Neo4j's answers meaning "an equivalent rule exists already".
const ALREADY_EXISTS: &[&str] = &[
    "Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists",
    "Neo.ClientError.Schema.ConstraintAlreadyExists",
    "Neo.ClientError.Schema.IndexAlreadyExists",
];

/// Creates whatever of the schema is missing.
async fn create(graph: &Graph) -> Result<(), StoreError> {
    for statement in queries::SCHEMA_STATEMENTS {
        // Boxed: the driver's retrying future is tens of kilobytes.
        match Box::pin(graph.run(neo4rs::query(statement))).await {
            Ok(()) => {}
            Err(neo4rs::Error::Neo4j(error)) if ALREADY_EXISTS.contains(&error.code()) => {}
            Err(error) => return Err(driver_error("cannot create the Neo4j schema")(error)),
        }
    }
    Box::pin(graph.run(neo4rs::query(queries::AWAIT_INDEXES)))
        .await
        .map_err(driver_error("the Neo4j indexes did not come online"))?;
    index_stored_tasks(graph).await?;
    give_stored_tasks_search_time(graph).await?;
    for statement in queries::SEARCH_INDEX_STATEMENTS {
        match Box::pin(graph.run(neo4rs::query(statement))).await {
            Ok(()) => {}
            Err(neo4rs::Error::Neo4j(error)) if ALREADY_EXISTS.contains(&error.code()) => {}
            Err(error) => return Err(driver_error("cannot create the Neo4j search index")(error)),
        }
    }
    Box::pin(graph.run(neo4rs::query(queries::AWAIT_INDEXES)))
        .await
        .map_err(driver_error("the Neo4j search index did not come online"))?;
    tracing::debug!("the Neo4j constraints and indexes are in place");
    Ok(())
}

/// How many stored tasks [`index_stored_tasks`] reads and writes at a time.
const INDEXING_BATCH: i64 = 2000;

/// Gives every task stored before search existed its folded words, once:
/// in batches along the `uid` index, each its own transaction, skipping
/// tasks that have words (written since, or by an earlier attempt cut
/// short), so an attempt that fails or times out is resumed by the next.
/// A `SchemaStep` node records that it is done.
async fn index_stored_tasks(graph: &Graph) -> Result<(), StoreError> {
    let failed = |what| driver_error(what);
    let mut done = Box::pin(graph.execute(neo4rs::query(queries::SEARCH_BACKFILL_DONE)))
        .await
        .map_err(failed("cannot read the schema steps"))?;
    let row = done.next().await.map_err(failed("cannot read the schema steps"))?;
    if row.and_then(|row| row.get::<i64>("done").ok()).unwrap_or(0) > 0 {
        return Ok(());
    }
    let mut after = String::new();
    loop {
        let query =
            neo4rs::query(queries::UNINDEXED_TASKS).param("after", after.as_str()).param("batch", INDEXING_BATCH);
        let mut found = Box::pin(graph.execute(query)).await.map_err(failed("cannot read the unindexed tasks"))?;
        let mut rows: Vec<neo4rs::BoltType> = Vec::new();
        while let Some(row) = found.next().await.map_err(failed("cannot read the unindexed tasks"))? {
            let uid: String = row.get("uid").unwrap_or_default();
            let title: String = row.get("title").unwrap_or_default();
            let description: Option<String> = row.get("description").unwrap_or_default();
            let tags: Vec<String> = row.get("tags").unwrap_or_default();
            let parts =
                std::iter::once(title.as_str()).chain(description.as_deref()).chain(tags.iter().map(String::as_str));
            let words = trm_domain::search::index_text(parts);
            rows.push(super::values::map(vec![("uid", uid.as_str().into()), ("words", words.as_str().into())]));
            after = uid;
        }
        if rows.is_empty() {
            break;
        }
        let count = rows.len();
        Box::pin(
            graph.run(neo4rs::query(queries::INDEX_TASK_WORDS).param("rows", neo4rs::BoltType::List(rows.into()))),
        )
        .await
        .map_err(failed("cannot index the stored tasks' words"))?;
        tracing::info!(tasks = count, "indexed the words of tasks stored before search existed");
    }
    Box::pin(graph.run(neo4rs::query(queries::MARK_SEARCH_BACKFILL_DONE)))
        .await
        .map_err(failed("cannot record a schema step"))
}

/// Gives every task stored before search windows existed its creation
/// windows (`search_time`), once: in batches along the `uid` index, each
/// its own transaction computing them from `created_at` in Neo4j, so an
/// attempt that fails or times out is resumed by the next. About 20 s for a
/// million tasks on the benchmark machine. A `SchemaStep` node records that
/// it is done.
async fn give_stored_tasks_search_time(graph: &Graph) -> Result<(), StoreError> {
    let failed = |what| driver_error(what);
    let mut done = Box::pin(graph.execute(neo4rs::query(queries::SEARCH_TIME_BACKFILL_DONE)))
        .await
        .map_err(failed("cannot read the schema steps"))?;
    let row = done.next().await.map_err(failed("cannot read the schema steps"))?;
    if row.and_then(|row| row.get::<i64>("done").ok()).unwrap_or(0) > 0 {
        return Ok(());
    }
    let mut after = String::new();
    loop {
        let query = neo4rs::query(queries::GIVE_TASKS_SEARCH_TIME)
            .param("after", after.as_str())
            .param("batch", SEARCH_TIME_BATCH);
        let mut given =
            Box::pin(graph.execute(query)).await.map_err(failed("cannot give tasks their search windows"))?;
        let row = given.next().await.map_err(failed("cannot give tasks their search windows"))?;
        // Read to the end: an auto-commit statement commits once its last
        // record has been pulled.
        while given.next().await.map_err(failed("cannot give tasks their search windows"))?.is_some() {}
        let read = row.as_ref().and_then(|row| row.get::<i64>("read").ok()).unwrap_or(0);
        if read == 0 {
            break;
        }
        after = row.and_then(|row| row.get::<String>("last").ok()).unwrap_or_default();
        tracing::info!(tasks = read, "gave tasks stored before search windows existed theirs");
    }
    Box::pin(graph.run(neo4rs::query(queries::MARK_SEARCH_TIME_BACKFILL_DONE)))
        .await
        .map_err(failed("cannot record a schema step"))
}

/// How many stored tasks [`give_stored_tasks_search_time`] writes at a
/// time: the write is computed in Neo4j, so a batch is one round trip.
const SEARCH_TIME_BATCH: i64 = 5000;

/// The longest one schema set-up attempt may take; it runs on its own task,
/// so this bounds the attempt, not any request.
const SCHEMA_TIMEOUT: Duration = Duration::from_secs(120);

impl Inner {
    /// Creates the constraints and indexes unless a previous call did, or
    /// waits for the set-up already under way.
    pub(super) async fn ensure_schema(&self) -> Result<(), StoreError> {
        if self.schema_ready.load(Ordering::Acquire) {
            return Ok(());
        }
        let mut running = self.schema_task.lock().await;
        if self.schema_ready.load(Ordering::Acquire) {
            return Ok(());
        }
        let task = running.get_or_insert_with(|| {
            let graph = self.graph.clone();
            tokio::spawn(async move {
                let _held = graph.usage.checkout();
                let set_up = async {
                    let writer = graph.route.writer().await?;
                    create(&writer).await
                };
                tokio::time::timeout(SCHEMA_TIMEOUT, set_up)
                    .await
                    .unwrap_or_else(|_elapsed| Err(unavailable_after("set the schema up", SCHEMA_TIMEOUT)))
            })
        });
        // Awaited by reference: if this caller gives up, the task stays in
        // the slot for the next one.
        let outcome = task.await;
        *running = None;
        match outcome {
            Ok(Ok(())) => {
                self.schema_ready.store(true, Ordering::Release);
                Ok(())
            }
            Ok(Err(error)) => Err(error),
            Err(join_error) => {
                Err(StoreError::Unexpected(anyhow::Error::new(join_error).context("the Neo4j schema set-up panicked")))
            }
        }
    }
}
