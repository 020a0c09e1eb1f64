//! What the seeder hands the harness, as JSON: the ids and filter the
//! workloads request, and the exact body the server must answer for one
//! seeded task (the proof that the bulk writer matched the adapter).

use serde::{Deserialize, Serialize};

use crate::dataset::{self, Dataset, GeneratorError};

/// The seeded data, as the load generators need it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// How many tasks were seeded.
    pub tasks: u64,
    /// The project the list workload filters on.
    pub list_project: String,
    /// The status the list workload filters on.
    pub list_status: String,
    /// Task ids spread over the whole set, for the lookup workload.
    pub sample_uids: Vec<String>,
    /// The `q` of the search workload: it matches one task in a hundred.
    pub search_query: String,
    /// The dependency chain, first blocker first (each blocks the next).
    pub chain_uids: Vec<String>,
    /// The dependency tree in heap order (`k` is blocked by `2k+1`, `2k+2`).
    pub tree_uids: Vec<String>,
    /// The task the edge workload links to the tree's root and unlinks.
    pub relinked_uid: String,
    /// `GET /api/v1/tasks/{sample_uids[0]}` must answer exactly this body.
    pub expected_task: serde_json::Value,
}

impl Manifest {
    /// The manifest of `set`, with `samples` lookup ids.
    ///
    /// # Errors
    /// Only if the generator itself is broken.
    pub fn of(set: Dataset, samples: u64) -> Result<Self, GeneratorError> {
        let indexes = set.sample_indexes(samples);
        let first = indexes.first().copied().unwrap_or_default();
        let expected_task = serde_json::to_value(Dataset::task(first)?)
            .map_err(|error| GeneratorError::new(format!("task {first} does not serialize: {error}")))?;
        Ok(Self {
            tasks: set.tasks,
            list_project: Dataset::list_project().to_string(),
            list_status: trm_domain::EnumAdapter::as_str(dataset::LIST_STATUS).to_owned(),
            sample_uids: indexes.into_iter().map(|i| Dataset::task_id(i).to_string()).collect(),
            search_query: dataset::SEARCH_QUERY.to_owned(),
            chain_uids: set.chain().iter().map(ToString::to_string).collect(),
            relinked_uid: set.relinked().to_string(),
            tree_uids: set.tree().iter().map(ToString::to_string).collect(),
            expected_task,
        })
    }
}
