//! The rules both adapters apply to what they find in their store, written
//! once so that SQLite and Neo4j cannot drift apart on them: how a version
//! is stored, what a stored version means for a write that names one, how
//! an event-log position is stored, how a count of tasks by status is read
//! back, which words a task is found by and how a search is put to each
//! store's index.
//!
//! The stores differ in how they get at a row (SQL on a connection, Cypher
//! in a transaction); what the row then means is the contract's, and lives
//! here.

#[cfg(feature = "neo4j")]
use trm_domain::search::SearchQuery;
use trm_domain::search::index_text;
use trm_domain::{EntityKind, EnumAdapter as _, EventPosition, MAX_PROJECT_LEVELS, ProjectId, Task, TaskStatus};

use crate::error::StoreError;

/// How many of a subscription's deliveries one transaction of its delete
/// removes: a busy subscription keeps a retention period's deliveries —
/// millions — which one transaction would hold in memory at once (Neo4j)
/// or hold the only writer for seconds with (SQLite).
pub(crate) const DELIVERIES_DELETED_A_TRANSACTION: u32 = 1_000;

/// A version as both stores keep it: a signed 64-bit integer, the only
/// integer SQLite and Neo4j store. Versions are small counters; this
/// saturates rather than wraps in the absurd case.
pub(crate) fn version_value(version: u64) -> i64 {
    i64::try_from(version).unwrap_or(i64::MAX)
}

/// An event-log position as both stores keep it (and compare it, in a
/// read bounded by a position): a signed 64-bit integer, saturating like
/// [`version_value`].
pub(crate) fn position_value(position: EventPosition) -> i64 {
    i64::try_from(position.0).unwrap_or(i64::MAX)
}

/// Whether a write that expects `expected` (any version when `None`) may go
/// ahead, given the version `stored` for the entity (`None`: there is no
/// such entity of `kind`).
///
/// # Errors
/// [`StoreError::NotFound`] for `kind` when nothing is stored, whatever was
/// expected; [`StoreError::VersionConflict`] when another version than the
/// expected one is stored.
pub(crate) fn check_version(stored: Option<i64>, expected: Option<u64>, kind: EntityKind) -> Result<(), StoreError> {
    match (stored, expected) {
        (None, _) => Err(StoreError::NotFound(kind)),
        (Some(stored), Some(expected)) if stored != version_value(expected) => Err(StoreError::VersionConflict),
        _ => Ok(()),
    }
}

/// Whether `project` may sit under its parent, given `ancestry`: the
/// parent and its ancestors as stored, nearest first (`None`: the parent
/// does not exist), and `levels`, how deep the project's own subtree is (1
/// for a project without sub-projects, as a new one).
///
/// # Errors
/// [`StoreError::MissingReference`] (`Project`) for a parent that does not
/// exist; [`StoreError::ProjectCycle`] when the project is among the
/// ancestry (itself, or one of its sub-projects, would become its parent),
/// with the loop from the project up to itself; and
/// [`StoreError::ProjectTooDeep`] when the ancestry and the subtree together
/// exceed [`MAX_PROJECT_LEVELS`].
pub(crate) fn check_parent(
    project: ProjectId,
    ancestry: Option<&[ProjectId]>,
    levels: usize,
) -> Result<(), StoreError> {
    let Some(ancestry) = ancestry else { return Err(StoreError::MissingReference(EntityKind::Project)) };
    if let Some(at) = ancestry.iter().position(|&ancestor| ancestor == project) {
        let cycle = std::iter::once(project).chain(ancestry[..=at].iter().copied()).collect();
        return Err(StoreError::ProjectCycle(cycle));
    }
    if ancestry.len() + levels > MAX_PROJECT_LEVELS { Err(StoreError::ProjectTooDeep) } else { Ok(()) }
}

/// One row of a count of tasks by status, as a store returns it: the status
/// as stored (read through the EnumAdapter, like any stored enum) and the
/// number of tasks, which a store counts as a signed integer.
///
/// # Errors
/// [`StoreError::Unexpected`] when the stored status is not one the domain
/// knows: the data was written by something else, or edited by hand.
pub(crate) fn status_count(status: &str, count: i64) -> Result<(TaskStatus, u64), StoreError> {
    let status = TaskStatus::normalize(status)
        .map_err(|_| StoreError::Unexpected(anyhow::anyhow!("corrupt stored status {status:?}")))?;
    Ok((status, u64::try_from(count).unwrap_or_default()))
}

/// The words a store indexes for a task, so that the list's `q` finds it:
/// its title, description and tags, folded as Vietnamese users type.
pub(crate) fn task_search_text(task: &Task) -> String {
    let description = task.description.as_ref().map(|description| description.as_str());
    index_text(std::iter::once(task.title.as_str()).chain(description).chain(task.tags.iter_str()))
}

/// A search in Lucene's query language, for Neo4j's full-text index: every
/// whole word required, and the last one as a prefix, each in the words'
/// field (`+search_text:cong +search_text:vi*`; the index also holds each
/// task's creation windows, `search_time`, which a word must not match).
/// The words hold only lower-case letters and digits, none of them an
/// operator.
#[cfg(feature = "neo4j")]
pub(crate) fn lucene_query(search: &SearchQuery) -> String {
    let mut terms: Vec<String> = search.whole_words().iter().map(|word| format!("+search_text:{word}")).collect();
    terms.push(format!("+search_text:{}*", search.prefix()));
    terms.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_to_nothing_stored_is_not_found_whatever_it_expects() {
        for expected in [None, Some(1)] {
            assert!(matches!(
                check_version(None, expected, EntityKind::Task),
                Err(StoreError::NotFound(EntityKind::Task))
            ));
        }
    }

    #[test]
    fn a_write_expecting_another_version_than_the_stored_one_conflicts() {
        assert!(matches!(check_version(Some(2), Some(1), EntityKind::User), Err(StoreError::VersionConflict)));
        assert!(check_version(Some(2), Some(2), EntityKind::User).is_ok());
        assert!(check_version(Some(2), None, EntityKind::User).is_ok(), "no expectation accepts any version");
    }

    #[test]
    fn a_parent_must_exist_must_not_be_a_descendant_and_must_not_nest_too_deep() {
        let (me, parent, grandparent) = (ProjectId::new(), ProjectId::new(), ProjectId::new());
        assert!(matches!(check_parent(me, None, 1), Err(StoreError::MissingReference(EntityKind::Project))));
        assert!(check_parent(me, Some(&[parent, grandparent]), 1).is_ok());
        match check_parent(me, Some(&[parent, me, grandparent]), 1) {
            Err(StoreError::ProjectCycle(cycle)) => assert_eq!(cycle, [me, parent, me]),
            other => panic!("expected a cycle, got {other:?}"),
        }
        match check_parent(me, Some(&[me]), 1) {
            Err(StoreError::ProjectCycle(cycle)) => assert_eq!(cycle, [me, me], "its own parent"),
            other => panic!("expected a cycle, got {other:?}"),
        }
        let nine: Vec<ProjectId> = (0..9).map(|_| ProjectId::new()).collect();
        assert!(check_parent(me, Some(&nine), 1).is_ok(), "the tenth level");
        assert!(matches!(check_parent(me, Some(&nine), 2), Err(StoreError::ProjectTooDeep)));
        assert!(matches!(check_parent(me, Some(&nine[..5]), 6), Err(StoreError::ProjectTooDeep)));
    }

    #[test]
    fn a_version_beyond_what_a_store_keeps_saturates() {
        assert_eq!(version_value(7), 7);
        assert_eq!(version_value(u64::MAX), i64::MAX);
    }

    #[test]
    fn a_position_beyond_what_a_store_keeps_saturates() {
        assert_eq!(position_value(EventPosition(7)), 7);
        assert_eq!(position_value(EventPosition(u64::MAX)), i64::MAX);
    }

    #[test]
    fn a_stored_status_is_read_through_the_enum_adapter_and_a_corrupt_one_is_unexpected() {
        assert_eq!(status_count("in_progress", 3).ok(), Some((TaskStatus::InProgress, 3)));
        assert!(matches!(status_count("bogus", 3), Err(StoreError::Unexpected(_))));
        assert_eq!(status_count("todo", -1).ok(), Some((TaskStatus::Todo, 0)), "a negative count reads as none");
    }

    #[test]
    fn a_task_is_found_by_the_folded_words_of_its_title_description_and_tags() {
        let new = trm_domain::NewTask {
            description: Some(trm_domain::Description::parse("Kiểm thử").unwrap()),
            tags: trm_domain::Tags::from_tags(vec![trm_domain::Tag::parse("Hà-Nội").unwrap()]),
            ..trm_domain::NewTask::new(trm_domain::Title::parse("Công việc ở Đà Nẵng").unwrap())
        };
        let task = Task::create(new, trm_domain::Timestamp::now()).unwrap();
        assert_eq!(task_search_text(&task), "cong viec o da nang kiem thu ha noi");
    }

    #[cfg(feature = "neo4j")]
    #[test]
    fn a_search_reads_in_lucene_as_required_words_and_a_last_prefix() {
        assert_eq!(lucene_query(&SearchQuery::parse("Công vi").unwrap()), "+search_text:cong +search_text:vi*");
    }
}
