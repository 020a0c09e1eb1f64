//! The seeder's own Cypher: bulk writes the adapter never sends. (The
//! reads the driver ceiling measures are the adapter's own,
//! `trm_repository::neo4j::queries`.)

use trm_repository::neo4j::queries::SEARCH_TIME_OF_T;

/// The seeder's bulk insert: one batch of tasks (`$rows`, each a map with
/// `props`, the adapter's property map with the task's words, and
/// `project_id`), each given its search windows as the adapter's indexer
/// gives them ([`SEARCH_TIME_OF_T`]) and linked to its project as the
/// adapter links it.
#[must_use]
pub fn seed_tasks() -> String {
    format!(
        "UNWIND $rows AS row \
         CREATE (t:Task) SET t = row.props \
         SET t.search_time = {SEARCH_TIME_OF_T} \
         WITH t, row MATCH (p:Project {{uid: row.project_id}}) \
         CREATE (t)-[:IS_PART_OF_PROJECT]->(p)"
    )
}

/// Deletes up to 2,000 tasks (10,000 with their relationships overflowed
/// the bench Neo4j's 256 MiB of transaction memory); run until it reports 0 before
/// [`WIPE_BATCH`], so that no project is deleted with all its tasks'
/// relationships in one transaction (a project the create workloads grew
/// to 100,000 relationships overflows Neo4j's transaction memory).
pub const WIPE_TASKS_BATCH: &str = "MATCH (t:Task) WITH t LIMIT 2000 DETACH DELETE t RETURN count(*) AS deleted";

/// Deletes up to 2,000 nodes of the benchmark's labels; run until it
/// reports 0, so no single transaction grows with the store.
pub const WIPE_BATCH: &str = "MATCH (n) WHERE n:Task OR n:Project OR n:User OR n:IdempotencyKey \
     WITH n LIMIT 2000 DETACH DELETE n RETURN count(*) AS deleted";

/// The title of every task the create workloads add (`post`, `mix`, `bulk`
/// in `bench/lua/workload.lua`, and the raw driver's `post`); the data
/// set's are `Benchmark task {i}`.
pub const CREATED_TITLE: &str = "Benchmark create";

/// Deletes up to 2,000 of the tasks that create workloads added: every
/// task created after `$seeded_until`, the data set's newest `created_at`
/// (its tasks are created 1 ms apart in early 2026; a workload's get the
/// clock's time). Sought through the `created_at` index, so that each batch
/// reads only such tasks: a label scan would read past the million seeded
/// ones for every batch, minutes after a run of writes at a million tasks.
pub const DELETE_CREATED_BATCH: &str = "MATCH (t:Task) USING INDEX t:Task(created_at) \
     WHERE t.created_at > $seeded_until \
     WITH t LIMIT 2000 DETACH DELETE t RETURN count(*) AS deleted";

/// Deletes up to 2,000 events: the data set is seeded without any, so
/// every `:Event` was logged by an earlier run's writes. Run until it
/// reports 0, so that each run starts from the same store instead of one
/// that grows with every run (the creates' tasks go, and so must their
/// events).
pub const DELETE_EVENTS_BATCH: &str = "MATCH (e:Event) WITH e LIMIT 2000 DETACH DELETE e RETURN count(*) AS deleted";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_created_tasks_are_sought_through_the_created_at_index() {
        assert!(DELETE_CREATED_BATCH.contains("USING INDEX t:Task(created_at)"), "{DELETE_CREATED_BATCH}");
        assert!(DELETE_CREATED_BATCH.contains("t.created_at > $seeded_until"), "{DELETE_CREATED_BATCH}");
    }

    #[test]
    fn the_bulk_insert_reads_its_rows_from_a_parameter() {
        let seed = seed_tasks();
        assert!(seed.starts_with("UNWIND $rows AS row"), "{seed}");
        assert!(seed.contains(SEARCH_TIME_OF_T), "the indexer's search windows: {seed}");
    }
}
