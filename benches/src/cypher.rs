//! The Cypher the Neo4j adapter sends, for the raw-driver ceiling.
//!
//! The adapter builds these texts privately (`trm-repository`'s
//! `neo4j::tasks`); they are repeated here, character for character, for
//! the two workloads the ceiling measures, so that the ceiling and the
//! server ask Neo4j exactly the same thing and the difference between them
//! is the server's own cost. If the adapter's text changes, change these.

/// The adapter's projection of a task (`values::RETURN_TASK`).
pub const RETURN_TASK: &str = "RETURN t {.*} AS task, \
     head([(t)-[:IS_PART_OF_PROJECT]->(project:Project) | project.uid]) AS project_id, \
     head([(t)-[:ASSIGNED_TO]->(user:User) | user.uid]) AS assignee_id";

/// `get_task`: one task by id; parameter `$uid`.
#[must_use]
pub fn get_task() -> String {
    format!("MATCH (t:Task {{uid: $uid}}) {RETURN_TASK}")
}

/// `list_tasks` filtered by project and status, first page; parameters
/// `$project_id`, `$statuses` and `$limit` (the page size plus one).
#[must_use]
pub fn list_project_tasks_by_status() -> String {
    format!(
        "MATCH (:Project {{uid: $project_id}})<-[:IS_PART_OF_PROJECT]-(t:Task) WHERE t.status IN $statuses \
         WITH t ORDER BY t.created_at, t.uid LIMIT $limit {RETURN_TASK} ORDER BY t.created_at, t.uid"
    )
}

/// The seeder's bulk insert: one batch of tasks (`$rows`, each a map with
/// `props`, the adapter's property map, and `project_id`), each linked to
/// its project as the adapter links it.
pub const SEED_TASKS: &str = "UNWIND $rows AS row \
     CREATE (t:Task) SET t = row.props \
     WITH t, row MATCH (p:Project {uid: row.project_id}) \
     CREATE (t)-[:IS_PART_OF_PROJECT]->(p)";

/// Deletes up to 10,000 nodes of the benchmark's labels; run until it
/// reports 0, so no single transaction grows with the store.
pub const WIPE_BATCH: &str = "MATCH (n) WHERE n:Task OR n:Project OR n:User OR n:IdempotencyKey \
     WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS deleted";

/// Deletes up to 10,000 of the tasks that create workloads added (the
/// seeded ones all belong to a project).
pub const DELETE_CREATED_BATCH: &str = "MATCH (t:Task) WHERE NOT (t)-[:IS_PART_OF_PROJECT]->() \
     WITH t LIMIT 10000 DETACH DELETE t RETURN count(*) AS deleted";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_statement_reads_through_parameters() {
        assert!(get_task().contains("$uid"));
        let list = list_project_tasks_by_status();
        for parameter in ["$project_id", "$statuses", "$limit"] {
            assert!(list.contains(parameter), "{parameter} missing from {list}");
        }
    }
}
