//! The repository contract, written once and run against every store.
//!
//! Each test below is a generic async function over a [`Backend`]; the
//! `contract!` macro instantiates every one of them for SQLite (always) and
//! for Neo4j (when `TRM_TEST_NEO4J_URI` is set; see [`support::Neo4j`]), so
//! the two stores are held to the very same expectations — which is what
//! lets the service use either without knowing which.
//!
//! Run against a local server with:
//! `TRM_TEST_NEO4J_URI=bolt://127.0.0.1:7687 TRM_TEST_NEO4J_USER=neo4j
//! TRM_TEST_NEO4J_PASSWORD=trm-dev-password TRM_REQUIRE_NEO4J=1 cargo test -p trm-repository`.
//!
//! The tests that need no server at all (an unreachable Neo4j must fail
//! fast, not hang) are at the end.

// Tests state their expectations with `unwrap`: a failure is the report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "contract/support.rs"]
mod support;

#[path = "contract/api_keys.rs"]
mod api_keys;

#[path = "contract/driver.rs"]
mod driver;

#[path = "contract/group_commit.rs"]
mod group_commit;

use api_keys::*;
use group_commit::*;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use support::{Backend, at, full_task, plus, project, project_in, task, unique_tag, unique_window};
use trm_domain::{
    Cursor, EntityKind, FullName, Page, PageRequest, ProjectId, ProjectStatus, Tag, Tags, Task, TaskId, TaskStatus,
    TaskType, Timestamp, Title, User, UserId, Username,
};
use trm_repository::neo4j::{Neo4jOptions, Neo4jStore};
use trm_repository::{
    Claim, HealthCheck, IDEMPOTENCY_LEASE_MICROS, IDEMPOTENCY_TTL_MICROS, IdempotencyRepository, ProjectFilter,
    ProjectRepository, StoreError, StoredResponse, TaskFilter, TaskRepository, UserFilter, UserRepository,
};

/// Instantiates each named contract test for every store.
macro_rules! contract {
    ($($test:ident),+ $(,)?) => {
        /// The contract on the embedded store.
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test(&super::support::Sqlite).await;
                }
            )+
        }

        /// The contract on Neo4j, when a server is configured.
        mod neo4j {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let Some(backend) = super::support::Neo4j::from_env() else { return };
                    super::$test(&backend).await;
                }
            )+
        }
    };
}

/// Instantiates each named list test on Neo4j once more for each plan a list
/// by project or assignee can take (see `trm_repository::neo4j::queries`).
macro_rules! on_every_list_plan {
    ($($test:ident),+ $(,)?) => {
        on_every_list_plan!(@plan neo4j_relationship_walk, RelationshipWalk, $($test),+);
        on_every_list_plan!(@plan neo4j_index_walk, IndexWalk, $($test),+);
    };
    (@plan $module:ident, $plan:ident, $($test:ident),+) => {
        /// Lists by project or assignee forced onto one plan.
        mod $module {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let Some(backend) = super::support::Neo4j::from_env() else { return };
                    let backend = backend.with_list_plan(trm_repository::neo4j::AnchoredListPlan::$plan);
                    super::$test(&backend).await;
                }
            )+
        }
    };
}

on_every_list_plan!(
    the_project_filter_follows_the_relationship,
    the_status_filter_matches_any_of_several_statuses,
    the_type_filter_matches_exactly,
    the_assignee_filter_follows_the_relationship,
    filters_combine,
    keyset_paging_yields_every_task_once_in_order,
    keyset_paging_by_project_and_one_status_yields_every_match_once_in_order,
    a_list_with_no_match_is_an_empty_last_page,
);

/// Task lookups on Neo4j with coalescing turned off, each its own query
/// (`Neo4jOptions::lookup_queries` 0); the other Neo4j tests coalesce.
mod neo4j_uncoalesced {
    macro_rules! uncoalesced {
        ($($test:ident),+ $(,)?) => {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let Some(backend) = super::support::Neo4j::from_env() else { return };
                    super::$test(&backend.with_lookup_queries(0)).await;
                }
            )+
        };
    }

    uncoalesced!(
        a_created_task_reads_back_with_every_field,
        an_unknown_task_is_none,
        concurrent_lookups_each_get_their_own_task,
    );
}

contract!(
    a_store_answers_a_ping,
    a_created_task_reads_back_with_every_field,
    concurrent_lookups_each_get_their_own_task,
    a_task_with_only_required_fields_reads_back_with_none_fields,
    an_unknown_task_is_none,
    a_task_naming_an_unknown_project_is_not_stored,
    a_task_naming_an_unknown_assignee_is_not_stored,
    an_update_needs_the_stored_version,
    updating_an_unknown_task_is_not_found,
    of_two_racing_updates_from_one_version_exactly_one_wins,
    an_update_replaces_the_project_relationship,
    an_update_replaces_the_assignee_relationship,
    an_update_naming_an_unknown_project_changes_nothing,
    deleting_a_task_checks_its_version,
    deleting_an_unknown_task_is_not_found,
    a_project_round_trips_and_updates_with_its_version,
    a_project_with_tasks_is_not_deleted_without_cascade,
    a_task_cannot_join_a_project_while_it_is_deleted,
    a_cascade_delete_takes_the_tasks_and_returns_their_ids_oldest_first,
    deleting_a_project_checks_existence_and_version,
    the_project_filter_follows_the_relationship,
    the_status_filter_matches_any_of_several_statuses,
    the_type_filter_matches_exactly,
    the_assignee_filter_follows_the_relationship,
    the_tag_filter_matches_an_exact_tag,
    filters_combine,
    keyset_paging_yields_every_task_once_in_order,
    keyset_paging_by_project_and_one_status_yields_every_match_once_in_order,
    keyset_paging_through_an_unfiltered_list_yields_every_task_once_in_order,
    a_list_with_no_match_is_an_empty_last_page,
    projects_page_in_keyset_order_and_filter_by_status,
    a_created_user_reads_back_with_every_field,
    usernames_are_unique_regardless_of_case,
    of_two_racing_creates_of_one_username_exactly_one_wins,
    a_user_update_needs_the_stored_version,
    deleting_a_user_unassigns_their_tasks,
    deleting_a_user_checks_existence_and_version,
    users_page_in_keyset_order_and_filter_by_activity,
    the_recent_tasks_are_the_newest_first,
    the_counts_include_what_was_stored,
    an_idempotency_key_is_claimed_once_and_replays_its_response,
    an_idempotency_key_with_another_fingerprint_is_a_mismatch,
    a_released_idempotency_key_can_be_claimed_again,
    an_expired_idempotency_key_can_be_claimed_again,
    an_abandoned_idempotency_claim_can_be_claimed_again,
    idempotency_keys_are_scoped_by_route,
    of_racing_claims_of_one_idempotency_key_exactly_one_wins,
    an_api_key_is_found_by_its_hash_until_revoked,
    an_active_key_name_is_unique_but_a_revoked_name_can_be_reused,
    revoking_an_unknown_or_revoked_key_is_not_found,
    keys_are_listed_oldest_first_with_every_field,
    the_active_key_count_follows_creates_and_revokes,
    concurrent_creates_mixing_valid_and_invalid_each_get_their_own_answer,
    of_many_racing_updates_from_one_version_exactly_one_wins,
    of_many_racing_creates_of_one_username_exactly_one_wins,
    of_many_racing_claims_of_one_idempotency_key_exactly_one_wins,
    a_bulk_create_stores_every_task_across_projects,
    a_bulk_create_naming_missing_references_stores_nothing_and_names_each,
    concurrent_bulk_creates_and_single_creates_all_land_once,
);

/// The writes under concurrency once more with group commit turned off
/// (`write_batch` 1: every write its own transaction), on both stores.
mod unbatched {
    macro_rules! unbatched {
        ($($test:ident),+ $(,)?) => {
            /// On the embedded store.
            mod sqlite {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $test() {
                        super::super::$test(&super::super::support::SqliteUnbatched).await;
                    }
                )+
            }

            /// On Neo4j, when a server is configured.
            mod neo4j {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $test() {
                        let Some(backend) = super::super::support::Neo4j::from_env() else { return };
                        super::super::$test(&backend.with_write_batch(1)).await;
                    }
                )+
            }
        };
    }

    unbatched!(
        a_task_naming_an_unknown_project_is_not_stored,
        of_two_racing_updates_from_one_version_exactly_one_wins,
        concurrent_creates_mixing_valid_and_invalid_each_get_their_own_answer,
        of_many_racing_updates_from_one_version_exactly_one_wins,
        of_many_racing_creates_of_one_username_exactly_one_wins,
        of_many_racing_claims_of_one_idempotency_key_exactly_one_wins,
        a_bulk_create_naming_missing_references_stores_nothing_and_names_each,
        concurrent_bulk_creates_and_single_creates_all_land_once,
    );
}

/// A page request, for brevity.
fn page(limit: i64, after: Option<Cursor>) -> PageRequest {
    PageRequest::new(limit, after).unwrap()
}

/// A filter on one project.
fn in_project(project: ProjectId) -> TaskFilter {
    TaskFilter { project_id: Some(project), ..TaskFilter::default() }
}

/// A filter on one tag.
fn tagged(tag: &str) -> TaskFilter {
    TaskFilter { tag: Some(Tag::parse(tag).unwrap()), ..TaskFilter::default() }
}

/// The ids of a page's tasks, in order.
fn ids(page: &Page<Task>) -> Vec<TaskId> {
    page.items.iter().map(|task| task.uid).collect()
}

/// Every task matching `filter`, paging with `limit` until the last page;
/// fails the test if a page is over-full or the paging does not end.
async fn list_all(store: &impl TaskRepository, filter: &TaskFilter, limit: i64) -> Vec<Task> {
    let mut all = Vec::new();
    let mut after = None;
    for _ in 0..100 {
        let page = store.list_tasks(filter, page(limit, after)).await.unwrap();
        assert!(page.items.len() <= usize::try_from(limit).unwrap());
        all.extend(page.items);
        match page.next {
            Some(next) => after = Some(next),
            None => return all,
        }
    }
    panic!("paging did not end");
}

/// Stores a new project and returns its id.
async fn stored_project(store: &impl ProjectRepository) -> ProjectId {
    let project = project("Contract");
    store.create_project(&project).await.unwrap();
    project.uid
}

/// The task after `change`, one version on.
fn next_version(task: &Task, change: impl FnOnce(&mut Task)) -> Task {
    let mut next = task.clone();
    change(&mut next);
    next.version = task.version + 1;
    next
}

async fn a_store_answers_a_ping<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    fixture.store.ping().await.unwrap();
}

async fn a_created_task_reads_back_with_every_field<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let user = fixture.add_user().await;
    let task = full_task(project, user, &unique_tag());
    store.create_task(&task).await.unwrap();

    let read = store.get_task(task.uid).await.unwrap().unwrap();
    assert_eq!(read, task);
    // The details equality could hide behind a lenient PartialEq:
    assert_eq!(read.created_at.to_string(), "2026-11-26T03:12:45.000001Z");
    assert_eq!(read.start_date.unwrap().to_string(), "2026-11-26T03:12:45.123456Z");
    assert_eq!(read.due_date.unwrap().to_string(), "2026-12-01T23:59:59.999999Z");
    assert_eq!(read.completed_at, Some(task.created_at));
    let tags: Vec<&str> = read.tags.iter_str().collect();
    assert_eq!(tags, task.tags.iter_str().collect::<Vec<_>>(), "tags keep their order");
    assert_eq!(read.project_id, Some(project));
    assert_eq!(read.assignee_id, Some(user));
}

async fn a_task_with_only_required_fields_reads_back_with_none_fields<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let task = task("Bare", None);
    fixture.store.create_task(&task).await.unwrap();

    let read = fixture.store.get_task(task.uid).await.unwrap().unwrap();
    assert_eq!(read, task);
    assert_eq!(read.description, None);
    assert_eq!(read.task_type, None);
    assert_eq!(read.project_id, None);
    assert_eq!(read.assignee_id, None);
    assert_eq!(read.effort_estimate, None);
    assert_eq!((read.start_date, read.due_date, read.completed_at), (None, None, None));
    assert!(read.tags.is_empty());
    assert_eq!(read.version, 1);
}

async fn an_unknown_task_is_none<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    assert_eq!(fixture.store.get_task(TaskId::new()).await.unwrap(), None);
}

async fn concurrent_lookups_each_get_their_own_task<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let user = fixture.add_user().await;
    let mut stored = Vec::new();
    for n in 0..12 {
        let task = if n % 3 == 0 { full_task(project, user, &unique_tag()) } else { task("Lookup", Some(project)) };
        store.create_task(&task).await.unwrap();
        stored.push(task);
    }
    let unknown: Vec<TaskId> = (0..4).map(|_| TaskId::new()).collect();

    // Far more lookups than connections, every id asked for several times,
    // all in flight at once: a store that shares queries between them must
    // still give each its own answer.
    let asked: Vec<(TaskId, Option<&Task>)> = (0..240)
        .map(|n| match n % 4 {
            3 => (unknown[n % unknown.len()], None),
            _ => {
                let task = &stored[(n * 7) % stored.len()];
                (task.uid, Some(task))
            }
        })
        .collect();
    let answers = futures::future::join_all(asked.iter().map(|(id, _)| store.get_task(*id))).await;

    for ((id, expected), answer) in asked.iter().zip(answers) {
        assert_eq!(answer.unwrap().as_ref(), *expected, "the lookup of {id}");
    }
}

async fn a_task_naming_an_unknown_project_is_not_stored<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let tag = unique_tag();
    let mut task = task("Orphan", Some(ProjectId::new()));
    task.tags = Tags::parse("tags", &[tag.as_str()]).unwrap();

    let error = fixture.store.create_task(&task).await.unwrap_err();
    assert!(matches!(error, StoreError::MissingReference(EntityKind::Project)), "{error:?}");
    assert_eq!(fixture.store.get_task(task.uid).await.unwrap(), None);
    assert!(list_all(&fixture.store, &tagged(&tag), 10).await.is_empty());
}

async fn a_task_naming_an_unknown_assignee_is_not_stored<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let project = stored_project(&fixture.store).await;
    let mut task = task("Unassignable", Some(project));
    task.assignee_id = Some(trm_domain::UserId::new());

    let error = fixture.store.create_task(&task).await.unwrap_err();
    assert!(matches!(error, StoreError::MissingReference(EntityKind::User)), "{error:?}");
    assert_eq!(fixture.store.get_task(task.uid).await.unwrap(), None);
    assert!(list_all(&fixture.store, &in_project(project), 10).await.is_empty(), "no relationship was left behind");
}

async fn an_update_needs_the_stored_version<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let original = task("Versioned", None);
    store.create_task(&original).await.unwrap();

    let renamed = next_version(&original, |t| t.title = Title::parse("Renamed").unwrap());
    store.update_task(&renamed).await.unwrap();
    assert_eq!(store.get_task(original.uid).await.unwrap().unwrap(), renamed);

    // Another writer still holding version 1 must not overwrite version 2.
    let stale = next_version(&original, |t| t.title = Title::parse("Stale").unwrap());
    let error = store.update_task(&stale).await.unwrap_err();
    assert!(matches!(error, StoreError::VersionConflict), "{error:?}");
    // Nor may a writer that skips a version.
    let mut skipping = next_version(&renamed, |t| t.status = TaskStatus::Blocked);
    skipping.version += 1;
    let error = store.update_task(&skipping).await.unwrap_err();
    assert!(matches!(error, StoreError::VersionConflict), "{error:?}");
    assert_eq!(store.get_task(original.uid).await.unwrap().unwrap(), renamed, "a conflict changes nothing");
}

async fn updating_an_unknown_task_is_not_found<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let ghost = next_version(&task("Ghost", None), |_| {});
    let error = fixture.store.update_task(&ghost).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound(EntityKind::Task)), "{error:?}");
    assert_eq!(fixture.store.get_task(ghost.uid).await.unwrap(), None, "an update never creates");
}

async fn of_two_racing_updates_from_one_version_exactly_one_wins<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    for round in 0..12 {
        let original = task("Raced", None);
        store.create_task(&original).await.unwrap();
        let left = next_version(&original, |t| t.title = Title::parse("Left").unwrap());
        let right = next_version(&original, |t| t.title = Title::parse("Right").unwrap());

        let (a, b) = tokio::join!(store.update_task(&left), store.update_task(&right));
        let winners = [&a, &b].iter().filter(|outcome| outcome.is_ok()).count();
        assert_eq!(winners, 1, "round {round}: {a:?} / {b:?}");
        let loser = if a.is_ok() { b } else { a };
        assert!(matches!(loser, Err(StoreError::VersionConflict)), "round {round}: {loser:?}");
        let stored = store.get_task(original.uid).await.unwrap().unwrap();
        assert_eq!(stored.version, 2);
        assert!(stored == left || stored == right);
    }
}

async fn an_update_replaces_the_project_relationship<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let first = stored_project(store).await;
    let second = stored_project(store).await;
    let original = task("Mover", Some(first));
    store.create_task(&original).await.unwrap();

    let moved = next_version(&original, |t| t.project_id = Some(second));
    store.update_task(&moved).await.unwrap();
    assert_eq!(store.get_task(original.uid).await.unwrap().unwrap().project_id, Some(second));
    assert!(list_all(store, &in_project(first), 10).await.is_empty());
    assert_eq!(ids(&store.list_tasks(&in_project(second), page(10, None)).await.unwrap()), [original.uid]);

    let cleared = next_version(&moved, |t| t.project_id = None);
    store.update_task(&cleared).await.unwrap();
    assert_eq!(store.get_task(original.uid).await.unwrap().unwrap().project_id, None);
    assert!(list_all(store, &in_project(second), 10).await.is_empty());
    // The project no longer has tasks, so it can go without a cascade.
    assert_eq!(store.delete_project(second, false, None).await.unwrap(), []);
}

async fn an_update_replaces_the_assignee_relationship<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let (ann, bob) = (fixture.add_user().await, fixture.add_user().await);
    let mut original = task("Handed over", None);
    original.assignee_id = Some(ann);
    store.create_task(&original).await.unwrap();

    let by_ann = TaskFilter { assignee_id: Some(ann), ..TaskFilter::default() };
    let by_bob = TaskFilter { assignee_id: Some(bob), ..TaskFilter::default() };
    let handed = next_version(&original, |t| t.assignee_id = Some(bob));
    store.update_task(&handed).await.unwrap();
    assert_eq!(store.get_task(original.uid).await.unwrap().unwrap().assignee_id, Some(bob));
    assert!(list_all(store, &by_ann, 10).await.is_empty());
    assert_eq!(ids(&store.list_tasks(&by_bob, page(10, None)).await.unwrap()), [original.uid]);

    let unassigned = next_version(&handed, |t| t.assignee_id = None);
    store.update_task(&unassigned).await.unwrap();
    assert_eq!(store.get_task(original.uid).await.unwrap().unwrap().assignee_id, None);
    assert!(list_all(store, &by_bob, 10).await.is_empty());
}

async fn an_update_naming_an_unknown_project_changes_nothing<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let home = stored_project(store).await;
    let original = task("Stays", Some(home));
    store.create_task(&original).await.unwrap();

    let astray = next_version(&original, |t| {
        t.project_id = Some(ProjectId::new());
        t.title = Title::parse("Should not stick").unwrap();
    });
    let error = store.update_task(&astray).await.unwrap_err();
    assert!(matches!(error, StoreError::MissingReference(EntityKind::Project)), "{error:?}");
    assert_eq!(store.get_task(original.uid).await.unwrap().unwrap(), original);
    assert_eq!(ids(&store.list_tasks(&in_project(home), page(10, None)).await.unwrap()), [original.uid]);
}

async fn deleting_a_task_checks_its_version<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let doomed = task("Doomed", Some(project));
    store.create_task(&doomed).await.unwrap();

    let error = store.delete_task(doomed.uid, Some(7)).await.unwrap_err();
    assert!(matches!(error, StoreError::VersionConflict), "{error:?}");
    assert!(store.get_task(doomed.uid).await.unwrap().is_some(), "a conflict deletes nothing");

    store.delete_task(doomed.uid, Some(1)).await.unwrap();
    assert_eq!(store.get_task(doomed.uid).await.unwrap(), None);
    assert!(list_all(store, &in_project(project), 10).await.is_empty(), "its relationships went with it");

    let unversioned = task("Deleted without a version", None);
    store.create_task(&unversioned).await.unwrap();
    store.delete_task(unversioned.uid, None).await.unwrap();
    assert_eq!(store.get_task(unversioned.uid).await.unwrap(), None);
}

async fn deleting_an_unknown_task_is_not_found<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    for expected in [None, Some(1)] {
        let error = fixture.store.delete_task(TaskId::new(), expected).await.unwrap_err();
        assert!(matches!(error, StoreError::NotFound(EntityKind::Task)), "{error:?}");
    }
}

async fn a_project_round_trips_and_updates_with_its_version<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let mut original = project("Launch");
    original.description = Some(trm_domain::Description::parse("with a description").unwrap());
    original.created_at = at("2026-11-26T03:12:45.654321Z");
    store.create_project(&original).await.unwrap();
    assert_eq!(store.get_project(original.uid).await.unwrap().unwrap(), original);
    assert_eq!(store.get_project(ProjectId::new()).await.unwrap(), None);

    let mut held = original.clone();
    held.status = ProjectStatus::OnHold;
    held.description = None;
    held.version = 2;
    store.update_project(&held).await.unwrap();
    assert_eq!(store.get_project(original.uid).await.unwrap().unwrap(), held);

    let error = store.update_project(&held).await.unwrap_err();
    assert!(matches!(error, StoreError::VersionConflict), "{error:?}");
    let mut ghost = project("Ghost");
    ghost.version = 2;
    let error = store.update_project(&ghost).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound(EntityKind::Project)), "{error:?}");
    assert_eq!(store.get_project(ghost.uid).await.unwrap(), None);
}

async fn a_project_with_tasks_is_not_deleted_without_cascade<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let member = task("Member", Some(project));
    store.create_task(&member).await.unwrap();

    let error = store.delete_project(project, false, None).await.unwrap_err();
    assert!(matches!(error, StoreError::HasTasks), "{error:?}");
    assert!(store.get_project(project).await.unwrap().is_some());
    assert_eq!(store.get_task(member.uid).await.unwrap().unwrap().project_id, Some(project));
}

async fn a_task_cannot_join_a_project_while_it_is_deleted<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    for round in 0..12 {
        let project = stored_project(store).await;
        let joiner = task("Joiner", Some(project));
        let (created, deleted) = tokio::join!(store.create_task(&joiner), store.delete_project(project, false, None));
        match (&created, &deleted) {
            // The task came first: the project stays, with its task.
            (Ok(()), Err(StoreError::HasTasks)) => {
                assert_eq!(store.get_task(joiner.uid).await.unwrap().unwrap().project_id, Some(project));
                assert!(store.get_project(project).await.unwrap().is_some());
            }
            // The delete came first: the task was never stored.
            (Err(StoreError::MissingReference(EntityKind::Project)), Ok(removed)) => {
                assert!(removed.is_empty());
                assert_eq!(store.get_task(joiner.uid).await.unwrap(), None);
            }
            _ => panic!("round {round}: create {created:?}, delete {deleted:?}"),
        }
    }
}

async fn a_cascade_delete_takes_the_tasks_and_returns_their_ids_oldest_first<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let bystander_project = stored_project(store).await;
    let start = at("2026-03-01T00:00:00Z");
    // Created out of order, one pair sharing a timestamp (ties go by uid).
    let mut tasks: Vec<Task> = [3, 1, 2, 2, 0]
        .iter()
        .map(|offset| {
            let mut task = task("Member", Some(project));
            task.created_at = plus(start, *offset);
            task
        })
        .collect();
    for task in &tasks {
        store.create_task(task).await.unwrap();
    }
    let bystander = task("Bystander", Some(bystander_project));
    store.create_task(&bystander).await.unwrap();

    let deleted = store.delete_project(project, true, Some(1)).await.unwrap();
    tasks.sort_by_key(|task| task.cursor());
    assert_eq!(deleted, tasks.iter().map(|task| task.uid).collect::<Vec<_>>());
    assert_eq!(store.get_project(project).await.unwrap(), None);
    for task in &tasks {
        assert_eq!(store.get_task(task.uid).await.unwrap(), None);
    }
    assert!(store.get_task(bystander.uid).await.unwrap().is_some(), "other projects' tasks stay");

    let empty = stored_project(store).await;
    assert_eq!(store.delete_project(empty, true, None).await.unwrap(), []);
}

async fn deleting_a_project_checks_existence_and_version<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let error = store.delete_project(ProjectId::new(), true, None).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound(EntityKind::Project)), "{error:?}");

    let project = stored_project(store).await;
    let member = task("Member", Some(project));
    store.create_task(&member).await.unwrap();
    let error = store.delete_project(project, true, Some(2)).await.unwrap_err();
    assert!(matches!(error, StoreError::VersionConflict), "{error:?}");
    assert!(store.get_project(project).await.unwrap().is_some());
    assert!(store.get_task(member.uid).await.unwrap().is_some(), "a conflict cascades nothing");
}

async fn the_project_filter_follows_the_relationship<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let (mine, theirs) = (stored_project(store).await, stored_project(store).await);
    let a = task("A", Some(mine));
    let b = task("B", Some(theirs));
    let c = task("C", Some(mine));
    for task in [&a, &b, &c] {
        store.create_task(task).await.unwrap();
    }
    let listed = list_all(store, &in_project(mine), 10).await;
    assert_eq!(listed.iter().map(|t| t.uid).collect::<HashSet<_>>(), HashSet::from([a.uid, c.uid]));
    assert!(listed.iter().all(|t| t.project_id == Some(mine)));
}

async fn the_status_filter_matches_any_of_several_statuses<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let mut expected = HashSet::new();
    for status in [TaskStatus::Todo, TaskStatus::Blocked, TaskStatus::Done, TaskStatus::InProgress] {
        let mut task = task("Stateful", Some(project));
        task.status = status;
        store.create_task(&task).await.unwrap();
        if matches!(status, TaskStatus::Todo | TaskStatus::Blocked) {
            expected.insert(task.uid);
        }
    }
    let filter = TaskFilter { statuses: vec![TaskStatus::Todo, TaskStatus::Blocked], ..in_project(project) };
    let listed = list_all(store, &filter, 10).await;
    assert_eq!(listed.iter().map(|t| t.uid).collect::<HashSet<_>>(), expected);

    let done = TaskFilter { statuses: vec![TaskStatus::Done], ..in_project(project) };
    assert_eq!(list_all(store, &done, 10).await.len(), 1);
    let none = TaskFilter { statuses: vec![TaskStatus::Cancelled], ..in_project(project) };
    assert!(list_all(store, &none, 10).await.is_empty());
}

async fn the_type_filter_matches_exactly<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let mut bug = task("Bug", Some(project));
    bug.task_type = Some(TaskType::Bug);
    let mut feature = task("Feature", Some(project));
    feature.task_type = Some(TaskType::Feature);
    let untyped = task("Untyped", Some(project));
    for task in [&bug, &feature, &untyped] {
        store.create_task(task).await.unwrap();
    }
    let filter = TaskFilter { task_type: Some(TaskType::Bug), ..in_project(project) };
    assert_eq!(list_all(store, &filter, 10).await.iter().map(|t| t.uid).collect::<Vec<_>>(), [bug.uid]);
}

async fn the_assignee_filter_follows_the_relationship<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let (ann, bob) = (fixture.add_user().await, fixture.add_user().await);
    let mut for_ann = task("Ann's", None);
    for_ann.assignee_id = Some(ann);
    let mut for_bob = task("Bob's", None);
    for_bob.assignee_id = Some(bob);
    store.create_task(&for_ann).await.unwrap();
    store.create_task(&for_bob).await.unwrap();

    let filter = TaskFilter { assignee_id: Some(ann), ..TaskFilter::default() };
    let listed = list_all(store, &filter, 10).await;
    assert_eq!(listed.iter().map(|t| t.uid).collect::<Vec<_>>(), [for_ann.uid]);
    assert_eq!(listed[0].assignee_id, Some(ann));
}

async fn the_tag_filter_matches_an_exact_tag<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let tag = unique_tag();
    let mut exact = task("Exact", None);
    exact.tags = Tags::parse("tags", &["other", tag.as_str()]).unwrap();
    let mut near = task("Near", None);
    near.tags = Tags::parse("tags", &[format!("{tag}x"), tag.to_uppercase()]).unwrap();
    store.create_task(&exact).await.unwrap();
    store.create_task(&near).await.unwrap();

    let listed = list_all(store, &tagged(&tag), 10).await;
    assert_eq!(listed.iter().map(|t| t.uid).collect::<Vec<_>>(), [exact.uid]);
}

async fn filters_combine<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let user = fixture.add_user().await;
    let tag = unique_tag();
    let mut target = task("Target", Some(project));
    target.status = TaskStatus::Blocked;
    target.task_type = Some(TaskType::Chore);
    target.assignee_id = Some(user);
    target.tags = Tags::parse("tags", &[tag.as_str()]).unwrap();
    store.create_task(&target).await.unwrap();
    // Each decoy differs from the target in exactly one respect.
    let decoys: [fn(&mut Task); 4] = [
        |t| t.status = TaskStatus::Todo,
        |t| t.task_type = Some(TaskType::Bug),
        |t| t.assignee_id = None,
        |t| t.tags = Tags::default(),
    ];
    for change in decoys {
        let mut decoy = target.clone();
        decoy.uid = TaskId::new();
        change(&mut decoy);
        store.create_task(&decoy).await.unwrap();
    }
    let filter = TaskFilter {
        project_id: Some(project),
        statuses: vec![TaskStatus::Blocked, TaskStatus::Done],
        task_type: Some(TaskType::Chore),
        assignee_id: Some(user),
        tag: Some(Tag::parse(&tag).unwrap()),
    };
    assert_eq!(list_all(store, &filter, 10).await.iter().map(|t| t.uid).collect::<Vec<_>>(), [target.uid]);
    let without_project = TaskFilter { project_id: None, ..filter };
    assert_eq!(list_all(store, &without_project, 10).await.iter().map(|t| t.uid).collect::<Vec<_>>(), [target.uid]);
}

async fn keyset_paging_yields_every_task_once_in_order<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let start = at("2026-06-01T12:00:00.000001Z");
    // Seven tasks, three of them sharing one microsecond, created out of order.
    let mut tasks: Vec<Task> = [5, 0, 2, 2, 2, 9, 1]
        .iter()
        .map(|offset| {
            let mut task = task("Paged", Some(project));
            task.created_at = plus(start, *offset);
            task
        })
        .collect();
    for task in &tasks {
        store.create_task(task).await.unwrap();
    }
    tasks.sort_by_key(Task::cursor);

    let filter = in_project(project);
    let first = store.list_tasks(&filter, page(3, None)).await.unwrap();
    assert_eq!(ids(&first), tasks[..3].iter().map(|t| t.uid).collect::<Vec<_>>());
    assert_eq!(first.next, Some(tasks[2].cursor()));
    let second = store.list_tasks(&filter, page(3, first.next)).await.unwrap();
    assert_eq!(ids(&second), tasks[3..6].iter().map(|t| t.uid).collect::<Vec<_>>());
    let third = store.list_tasks(&filter, page(3, second.next)).await.unwrap();
    assert_eq!(ids(&third), [tasks[6].uid]);
    assert_eq!(third.next, None);

    assert_eq!(list_all(store, &filter, 3).await, tasks, "every task once, in order, read back whole");
    let exact = store.list_tasks(&filter, page(7, None)).await.unwrap();
    assert_eq!((exact.items.len(), exact.next), (7, None), "a full last page announces no next one");
}

async fn keyset_paging_by_project_and_one_status_yields_every_match_once_in_order<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let (project, other) = (stored_project(store).await, stored_project(store).await);
    let user = fixture.add_user().await;
    let start = at("2026-07-01T08:00:00.000001Z");
    // Matches and near misses (another status, another project), several
    // sharing one microsecond, created out of order.
    let mut matches = Vec::new();
    for (n, offset) in [6, 3, 3, 3, 3, 8, 3, 0, 5].iter().enumerate() {
        let mut task = task("Sorted", Some(if n % 4 == 3 { other } else { project }));
        task.created_at = plus(start, *offset);
        task.status = if n % 3 == 2 { TaskStatus::Done } else { TaskStatus::InProgress };
        task.assignee_id = Some(user);
        store.create_task(&task).await.unwrap();
        if task.project_id == Some(project) && task.status == TaskStatus::InProgress {
            matches.push(task);
        }
    }
    matches.sort_by_key(Task::cursor);
    assert!(matches.len() >= 4, "the data set pages at least twice");

    let by_project = TaskFilter { statuses: vec![TaskStatus::InProgress], ..in_project(project) };
    assert_eq!(list_all(store, &by_project, 2).await, matches, "by project: every match once, in order");
    let first = store.list_tasks(&by_project, page(2, None)).await.unwrap();
    assert_eq!(ids(&first), matches[..2].iter().map(|t| t.uid).collect::<Vec<_>>());

    let by_assignee =
        TaskFilter { statuses: vec![TaskStatus::InProgress], assignee_id: Some(user), ..TaskFilter::default() };
    let mut assigned = list_all(store, &by_assignee, 2).await;
    assigned.retain(|t| t.project_id == Some(project));
    assert_eq!(assigned, matches, "by assignee: every match once, in order");
}

async fn keyset_paging_through_an_unfiltered_list_yields_every_task_once_in_order<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    // A window of creation times of this test's own, so other tests' tasks
    // in a shared database stay outside it.
    let window = unique_window();
    let mut tasks: Vec<Task> = [4, 0, 3, 3, 1, 6, 2]
        .iter()
        .map(|offset| {
            let mut task = task("Windowed", None);
            task.created_at = plus(window, *offset);
            task
        })
        .collect();
    for task in &tasks {
        store.create_task(task).await.unwrap();
    }
    tasks.sort_by_key(Task::cursor);

    let start = Cursor { created_at: plus(window, -1), uid: uuid::Uuid::nil() };
    let mut seen = Vec::new();
    let mut after = Some(start);
    while seen.len() < tasks.len() {
        let page = store.list_tasks(&TaskFilter::default(), page(3, after)).await.unwrap();
        assert!(page.items.len() <= 3);
        seen.extend(page.items.into_iter().filter(|t| t.created_at <= plus(window, 6)));
        after = page.next;
        assert!(after.is_some() || seen.len() == tasks.len(), "the list ended early");
    }
    assert_eq!(seen, tasks);

    let statuses = TaskFilter { statuses: vec![TaskStatus::Todo], ..TaskFilter::default() };
    let first = store.list_tasks(&statuses, page(3, Some(start))).await.unwrap();
    assert_eq!(ids(&first), tasks[..3].iter().map(|t| t.uid).collect::<Vec<_>>());
}

async fn a_list_with_no_match_is_an_empty_last_page<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let empty = store.list_tasks(&in_project(project), page(3, None)).await.unwrap();
    assert_eq!((empty.items.len(), empty.next), (0, None));
    let empty = store.list_tasks(&tagged(&unique_tag()), PageRequest::first()).await.unwrap();
    assert_eq!((empty.items.len(), empty.next), (0, None));
    let nowhere = TaskFilter { project_id: Some(ProjectId::new()), ..TaskFilter::default() };
    assert!(store.list_tasks(&nowhere, page(3, None)).await.unwrap().items.is_empty());
}

async fn projects_page_in_keyset_order_and_filter_by_status<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let window = unique_window();
    let statuses = [
        ProjectStatus::Active,
        ProjectStatus::Archived,
        ProjectStatus::Active,
        ProjectStatus::OnHold,
        ProjectStatus::Active,
        ProjectStatus::Completed,
        ProjectStatus::Active,
    ];
    let mut projects: Vec<_> = [3, 0, 3, 5, 1, 2, 6]
        .iter()
        .zip(statuses)
        .map(|(offset, status)| project_in(status, plus(window, *offset)))
        .collect();
    for project in &projects {
        store.create_project(project).await.unwrap();
    }
    projects.sort_by_key(trm_domain::Project::cursor);
    let in_window = |p: &trm_domain::Project| p.created_at <= plus(window, 6);

    let start = Cursor { created_at: plus(window, -1), uid: uuid::Uuid::nil() };
    let mut seen = Vec::new();
    let mut after = Some(start);
    while seen.len() < projects.len() {
        let page = store.list_projects(&ProjectFilter::default(), page(3, after)).await.unwrap();
        assert!(page.items.len() <= 3);
        seen.extend(page.items.into_iter().filter(in_window));
        after = page.next;
        assert!(after.is_some() || seen.len() == projects.len(), "the list ended early");
    }
    assert_eq!(seen, projects);

    let active = ProjectFilter { status: Some(ProjectStatus::Active) };
    let page = store.list_projects(&active, page(10, Some(start))).await.unwrap();
    let listed: Vec<_> = page.items.into_iter().filter(in_window).collect();
    let expected: Vec<_> = projects.iter().filter(|p| p.status == ProjectStatus::Active).cloned().collect();
    assert_eq!(listed, expected);
}

async fn a_created_user_reads_back_with_every_field<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let mut full = support::user();
    full.full_name = Some(FullName::parse("Ada Lovelace").unwrap());
    full.is_active = false;
    full.created_at = at("2026-11-26T03:12:45.654321Z");
    store.create_user(&full).await.unwrap();
    assert_eq!(store.get_user(full.uid).await.unwrap().unwrap(), full);

    let bare = support::user();
    store.create_user(&bare).await.unwrap();
    let read = store.get_user(bare.uid).await.unwrap().unwrap();
    assert_eq!(read, bare);
    assert_eq!((read.full_name, read.is_active), (None, true));
    assert_eq!(store.get_user(UserId::new()).await.unwrap(), None);
}

async fn usernames_are_unique_regardless_of_case<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let first = support::user();
    store.create_user(&first).await.unwrap();

    let mut shouting = support::user();
    shouting.username = Username::parse(&first.username.as_str().to_uppercase()).unwrap();
    let error = store.create_user(&shouting).await.unwrap_err();
    assert!(matches!(error, StoreError::Duplicate("username")), "{error:?}");
    assert_eq!(store.get_user(shouting.uid).await.unwrap(), None, "a duplicate stores nothing");

    let second = support::user();
    store.create_user(&second).await.unwrap();
    let mut renamed = second.clone();
    renamed.username = Username::parse(&first.username.as_str().to_uppercase()).unwrap();
    renamed.version = 2;
    let error = store.update_user(&renamed).await.unwrap_err();
    assert!(matches!(error, StoreError::Duplicate("username")), "{error:?}");
    assert_eq!(store.get_user(second.uid).await.unwrap().unwrap(), second, "a duplicate changes nothing");

    // A user may change the case of their own name.
    let mut recased = first.clone();
    recased.username = Username::parse(&first.username.as_str().to_uppercase()).unwrap();
    recased.version = 2;
    store.update_user(&recased).await.unwrap();
    assert_eq!(store.get_user(first.uid).await.unwrap().unwrap(), recased);
}

async fn of_two_racing_creates_of_one_username_exactly_one_wins<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    for round in 0..6 {
        let left = support::user();
        let mut right = support::user();
        right.username = Username::parse(&left.username.as_str().to_uppercase()).unwrap();
        let (a, b) = tokio::join!(store.create_user(&left), store.create_user(&right));
        let winners = [&a, &b].iter().filter(|outcome| outcome.is_ok()).count();
        assert_eq!(winners, 1, "round {round}: {a:?} / {b:?}");
        let loser = if a.is_ok() { b } else { a };
        assert!(matches!(loser, Err(StoreError::Duplicate("username"))), "round {round}: {loser:?}");
    }
}

async fn a_user_update_needs_the_stored_version<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let original = support::user();
    store.create_user(&original).await.unwrap();

    let mut deactivated = original.clone();
    deactivated.is_active = false;
    deactivated.full_name = Some(FullName::parse("Grace Hopper").unwrap());
    deactivated.version = 2;
    store.update_user(&deactivated).await.unwrap();
    assert_eq!(store.get_user(original.uid).await.unwrap().unwrap(), deactivated);

    let error = store.update_user(&deactivated).await.unwrap_err();
    assert!(matches!(error, StoreError::VersionConflict), "{error:?}");
    let mut ghost = support::user();
    ghost.version = 2;
    let error = store.update_user(&ghost).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound(EntityKind::User)), "{error:?}");
    assert_eq!(store.get_user(ghost.uid).await.unwrap(), None);
}

async fn deleting_a_user_unassigns_their_tasks<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let (leaving, staying) = (fixture.add_user().await, fixture.add_user().await);
    let start = at("2026-04-01T08:00:00Z");
    let mut theirs: Vec<Task> = [2, 0, 1]
        .iter()
        .map(|offset| {
            let mut task = task("Theirs", Some(project));
            task.assignee_id = Some(leaving);
            task.created_at = plus(start, *offset);
            task.updated_at = task.created_at;
            task
        })
        .collect();
    for task in &theirs {
        store.create_task(task).await.unwrap();
    }
    let mut other = task("Someone else's", Some(project));
    other.assignee_id = Some(staying);
    store.create_task(&other).await.unwrap();

    let now = at("2026-05-01T00:00:00.000007Z");
    let unassigned = store.delete_user(leaving, Some(1), now).await.unwrap();
    theirs.sort_by_key(Task::cursor);
    let expected: Vec<Task> = theirs
        .iter()
        .map(|task| Task { assignee_id: None, version: task.version + 1, updated_at: now, ..task.clone() })
        .collect();
    assert_eq!(unassigned, expected, "the tasks as they now are, oldest first");
    for task in &expected {
        assert_eq!(&store.get_task(task.uid).await.unwrap().unwrap(), task);
    }
    assert_eq!(store.get_user(leaving).await.unwrap(), None);
    let by_leaver = TaskFilter { assignee_id: Some(leaving), ..TaskFilter::default() };
    assert!(list_all(store, &by_leaver, 10).await.is_empty());
    assert_eq!(store.get_task(other.uid).await.unwrap().unwrap(), other, "other users' tasks are untouched");

    let idle = fixture.add_user().await;
    assert_eq!(store.delete_user(idle, None, now).await.unwrap(), []);
}

async fn deleting_a_user_checks_existence_and_version<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let error = store.delete_user(UserId::new(), None, Timestamp::now()).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound(EntityKind::User)), "{error:?}");

    let user = fixture.add_user().await;
    let mut assigned = task("Assigned", None);
    assigned.assignee_id = Some(user);
    store.create_task(&assigned).await.unwrap();
    let error = store.delete_user(user, Some(3), Timestamp::now()).await.unwrap_err();
    assert!(matches!(error, StoreError::VersionConflict), "{error:?}");
    assert!(store.get_user(user).await.unwrap().is_some());
    assert_eq!(store.get_task(assigned.uid).await.unwrap().unwrap(), assigned, "a conflict unassigns nothing");
}

async fn users_page_in_keyset_order_and_filter_by_activity<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let window = unique_window();
    let mut users: Vec<User> = [3, 0, 3, 5, 1, 2, 6]
        .iter()
        .enumerate()
        .map(|(index, offset)| {
            let mut user = support::user();
            user.created_at = plus(window, *offset);
            user.is_active = index % 3 != 0;
            user
        })
        .collect();
    for user in &users {
        store.create_user(user).await.unwrap();
    }
    users.sort_by_key(User::cursor);
    let in_window = |u: &User| u.created_at <= plus(window, 6);

    let start = Cursor { created_at: plus(window, -1), uid: uuid::Uuid::nil() };
    let mut seen = Vec::new();
    let mut after = Some(start);
    while seen.len() < users.len() {
        let page = store.list_users(&UserFilter::default(), page(3, after)).await.unwrap();
        assert!(page.items.len() <= 3);
        seen.extend(page.items.into_iter().filter(in_window));
        after = page.next;
        assert!(after.is_some() || seen.len() == users.len(), "the list ended early");
    }
    assert_eq!(seen, users);

    let inactive = UserFilter { is_active: Some(false) };
    let listed: Vec<User> =
        store.list_users(&inactive, page(10, Some(start))).await.unwrap().items.into_iter().filter(in_window).collect();
    let expected: Vec<User> = users.iter().filter(|u| !u.is_active).cloned().collect();
    assert_eq!(listed, expected);
}

/// Neo4j's own view of what the store wrote: the contract's graph schema.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neo4j_stores_the_contract_graph_shape() {
    let Some(backend) = support::Neo4j::from_env() else { return };
    let graph = backend.graph();
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let user = fixture.add_user().await;
    let task = full_task(project, user, &unique_tag());
    store.create_task(&task).await.unwrap();

    let query = neo4rs::query(
        "MATCH (t:Task {uid: $uid}) \
         RETURN EXISTS { (t)-[:IS_PART_OF_PROJECT]->(:Project {uid: $project}) } AS in_project, \
                EXISTS { (t)-[:ASSIGNED_TO]->(:User {uid: $user}) } AS assigned, \
                t.project_id IS NULL AND t.assignee_id IS NULL AS no_id_properties, \
                valueType(t.created_at) AS created_at, t.created_at.offsetSeconds AS offset, \
                valueType(t.due_date) AS due_date, valueType(t.tags) AS tags, \
                valueType(t.priority) AS priority, valueType(t.version) AS version, \
                t.status AS status, t.task_type AS task_type, t.effort_unit AS effort_unit, \
                t.created_at = datetime($created_at) AS exact",
    )
    .param("uid", task.uid.to_string())
    .param("project", project.to_string())
    .param("user", user.to_string())
    .param("created_at", "2026-11-26T03:12:45.000001Z");
    let mut rows = graph.execute(query).await.unwrap();
    let row = rows.next().await.unwrap().expect("the task node exists");
    assert!(row.get::<bool>("in_project").unwrap(), "(:Task)-[:IS_PART_OF_PROJECT]->(:Project)");
    assert!(row.get::<bool>("assigned").unwrap(), "(:Task)-[:ASSIGNED_TO]->(:User)");
    assert!(row.get::<bool>("no_id_properties").unwrap(), "relationships, not id properties");
    assert_eq!(row.get::<String>("created_at").unwrap(), "ZONED DATETIME NOT NULL");
    assert_eq!(row.get::<i64>("offset").unwrap(), 0, "stored in UTC");
    assert_eq!(row.get::<String>("due_date").unwrap(), "ZONED DATETIME NOT NULL");
    assert_eq!(row.get::<String>("tags").unwrap(), "LIST<STRING NOT NULL> NOT NULL");
    assert_eq!(row.get::<String>("priority").unwrap(), "INTEGER NOT NULL");
    assert_eq!(row.get::<String>("version").unwrap(), "INTEGER NOT NULL");
    assert_eq!(row.get::<String>("status").unwrap(), "done");
    assert_eq!(row.get::<String>("task_type").unwrap(), "documentation");
    assert_eq!(row.get::<String>("effort_unit").unwrap(), "story_points");
    assert!(row.get::<bool>("exact").unwrap(), "microseconds stored exactly");

    let query = neo4rs::query(
        "MATCH (u:User {uid: $user}) \
         RETURN u.username_key = toLower(u.username) AS keyed, valueType(u.is_active) AS is_active, \
                valueType(u.created_at) AS created_at",
    )
    .param("user", user.to_string());
    let mut rows = graph.execute(query).await.unwrap();
    let row = rows.next().await.unwrap().expect("the user node exists");
    assert!(row.get::<bool>("keyed").unwrap(), "the lower-case key backs case-insensitive uniqueness");
    assert_eq!(row.get::<String>("is_active").unwrap(), "BOOLEAN NOT NULL");
    assert_eq!(row.get::<String>("created_at").unwrap(), "ZONED DATETIME NOT NULL");

    let mut schema = graph
        .execute(neo4rs::query(
            "SHOW INDEXES YIELD type, labelsOrTypes, properties, state, owningConstraint \
             RETURN type, labelsOrTypes[0] + '.' + properties[0] AS on, state, owningConstraint IS NOT NULL AS unique",
        ))
        .await
        .unwrap();
    let mut indexes = HashSet::new();
    while let Some(row) = schema.next().await.unwrap() {
        let on: String = row.get("on").unwrap_or_default();
        let kind: String = row.get("type").unwrap();
        let unique: bool = row.get("unique").unwrap();
        assert_eq!(row.get::<String>("state").unwrap(), "ONLINE", "{on}");
        indexes.insert(format!("{kind} {on}{}", if unique { " unique" } else { "" }));
    }
    for expected in [
        "RANGE Task.uid unique",
        "RANGE Project.uid unique",
        "RANGE User.uid unique",
        "RANGE User.username unique",
        "RANGE User.username_key unique",
        "RANGE Task.status",
        "RANGE Task.created_at",
        "RANGE Project.created_at",
    ] {
        assert!(indexes.contains(expected), "missing {expected} among {indexes:?}");
    }
}

/// Options pointing at `address`, with a short timeout.
fn options_for(address: std::net::SocketAddr, timeout: Duration) -> Neo4jOptions {
    let mut options = Neo4jOptions::new(format!("bolt://{address}"), "neo4j", "irrelevant");
    options.operation_timeout = timeout;
    options
}

/// Every operation of a store, each expected to fail as unavailable within
/// `budget`.
async fn assert_every_operation_unavailable(store: &Neo4jStore, budget: Duration) {
    let task = task("Never stored", None);
    let project = project("Never stored");
    let operations: Vec<(&str, futures::future::BoxFuture<'_, Result<(), StoreError>>)> = vec![
        ("ping", Box::pin(store.ping())),
        ("create_task", Box::pin(store.create_task(&task))),
        ("get_task", Box::pin(async { store.get_task(task.uid).await.map(drop) })),
        (
            "list_tasks",
            Box::pin(async { store.list_tasks(&TaskFilter::default(), PageRequest::first()).await.map(drop) }),
        ),
        ("update_task", Box::pin(store.update_task(&task))),
        ("delete_task", Box::pin(store.delete_task(task.uid, None))),
        ("create_project", Box::pin(store.create_project(&project))),
        ("get_project", Box::pin(async { store.get_project(project.uid).await.map(drop) })),
        ("delete_project", Box::pin(async { store.delete_project(project.uid, true, None).await.map(drop) })),
    ];
    // All at once: each must fail on its own within the budget, and the
    // test takes one timeout rather than nine.
    let started = Instant::now();
    let outcomes = futures::future::join_all(operations.into_iter().map(|(name, operation)| async move {
        let outcome = operation.await;
        (name, outcome, started.elapsed())
    }))
    .await;
    for (name, outcome, took) in outcomes {
        assert!(matches!(outcome, Err(StoreError::Unavailable(_))), "{name}: {outcome:?}");
        assert!(took <= budget, "{name} took {took:?}, more than {budget:?}");
    }
}

#[tokio::test]
async fn a_neo4j_store_on_a_closed_port_starts_and_answers_unavailable_at_once() {
    // Bind and release a port: nothing listens there any more.
    let address = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let timeout = Duration::from_secs(2);
    let started = Instant::now();
    let store = Neo4jStore::connect(options_for(address, timeout)).await.unwrap();
    assert!(started.elapsed() <= timeout + Duration::from_millis(500), "connecting must not wait for the server");
    // A refused connection is known at once: well within the timeout.
    assert_every_operation_unavailable(&store, timeout / 2).await;
}

#[tokio::test]
async fn a_neo4j_store_whose_server_never_answers_is_unavailable_within_the_timeout() {
    // A listener that never accepts: the TCP connect succeeds (the kernel
    // queues it) but the Bolt handshake is never answered — the case the
    // driver itself does not bound.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let timeout = Duration::from_millis(800);
    let store = Neo4jStore::connect(options_for(listener.local_addr().unwrap(), timeout)).await.unwrap();
    assert_every_operation_unavailable(&store, timeout + Duration::from_millis(500)).await;
    drop(listener);
}

async fn the_recent_tasks_are_the_newest_first<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    // Far beyond every other test's window (which ends before the year
    // 2800), and later on every run: these are the newest tasks stored.
    let year_5000 = 95_617_584_000_000_000_i64;
    let base = Timestamp::from_micros(year_5000 + Timestamp::now().as_micros()).unwrap();
    let mut created = Vec::new();
    for n in 0..3 {
        let mut task = task(&format!("recent {n}"), None);
        task.created_at = plus(base, n);
        task.updated_at = task.created_at;
        store.create_task(&task).await.unwrap();
        created.push(task);
    }
    let recent: Vec<TaskId> = store.recent_tasks(2).await.unwrap().iter().map(|t| t.uid).collect();
    assert_eq!(recent, [created[2].uid, created[1].uid]);
    let read = store.recent_tasks(1).await.unwrap();
    assert_eq!(read[0], created[2], "recent tasks read back whole");
    for task in created {
        store.delete_task(task.uid, None).await.unwrap();
    }
}

async fn the_counts_include_what_was_stored<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    fixture.add_user().await;
    for n in 0..3 {
        let mut blocked = task(&format!("blocked {n}"), Some(project));
        blocked.status = TaskStatus::Blocked;
        store.create_task(&blocked).await.unwrap();
    }
    let by_status = store.count_tasks_by_status().await.unwrap();
    let blocked = by_status.iter().find(|(status, _)| *status == TaskStatus::Blocked).map(|(_, n)| *n);
    assert!(blocked.is_some_and(|n| n >= 3), "{by_status:?}");
    let statuses: HashSet<TaskStatus> = by_status.iter().map(|(status, _)| *status).collect();
    assert_eq!(statuses.len(), by_status.len(), "each status is counted once");
    assert!(store.count_projects().await.unwrap() >= 1);
    assert!(store.count_users().await.unwrap() >= 1);
}

/// A key no other test (or earlier run against the same server) uses.
fn idempotency_key() -> String {
    format!("key-{}", uuid::Uuid::new_v4())
}

/// A response as the API would remember it.
fn stored_response() -> StoredResponse {
    StoredResponse {
        status: 201,
        location: Some("/api/v1/tasks/3f0b6c9e-0000-4000-8000-000000000000".to_owned()),
        etag: Some("\"1\"".to_owned()),
        body: r#"{"uid":"3f0b6c9e-0000-4000-8000-000000000000"}"#.to_owned(),
    }
}

const SCOPE: &str = "POST /api/v1/tasks/";

async fn an_idempotency_key_is_claimed_once_and_replays_its_response<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let key = idempotency_key();
    let now = Timestamp::now();
    assert_eq!(store.claim(SCOPE, &key, "fp-a", now).await.unwrap(), Claim::Claimed);
    assert_eq!(store.claim(SCOPE, &key, "fp-a", now).await.unwrap(), Claim::InProgress);
    store.complete(SCOPE, &key, &stored_response()).await.unwrap();
    assert_eq!(store.claim(SCOPE, &key, "fp-a", Timestamp::now()).await.unwrap(), Claim::Replay(stored_response()));
    // A completed entry is not forgotten by a stray release.
    store.release(SCOPE, &key).await.unwrap();
    assert_eq!(store.claim(SCOPE, &key, "fp-a", Timestamp::now()).await.unwrap(), Claim::Replay(stored_response()));
}

async fn an_idempotency_key_with_another_fingerprint_is_a_mismatch<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let key = idempotency_key();
    assert_eq!(store.claim(SCOPE, &key, "fp-a", Timestamp::now()).await.unwrap(), Claim::Claimed);
    assert_eq!(store.claim(SCOPE, &key, "fp-b", Timestamp::now()).await.unwrap(), Claim::Mismatch);
    store.complete(SCOPE, &key, &stored_response()).await.unwrap();
    assert_eq!(store.claim(SCOPE, &key, "fp-b", Timestamp::now()).await.unwrap(), Claim::Mismatch);
}

async fn a_released_idempotency_key_can_be_claimed_again<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let key = idempotency_key();
    assert_eq!(store.claim(SCOPE, &key, "fp-a", Timestamp::now()).await.unwrap(), Claim::Claimed);
    store.release(SCOPE, &key).await.unwrap();
    // Even with another body: a failed attempt is not remembered.
    assert_eq!(store.claim(SCOPE, &key, "fp-b", Timestamp::now()).await.unwrap(), Claim::Claimed);
}

async fn an_expired_idempotency_key_can_be_claimed_again<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let key = idempotency_key();
    let now = Timestamp::now();
    let long_ago = Timestamp::from_micros(now.as_micros() - IDEMPOTENCY_TTL_MICROS - 3_600_000_000).unwrap();
    assert_eq!(store.claim(SCOPE, &key, "fp-a", long_ago).await.unwrap(), Claim::Claimed);
    store.complete(SCOPE, &key, &stored_response()).await.unwrap();
    assert_eq!(store.claim(SCOPE, &key, "fp-b", now).await.unwrap(), Claim::Claimed);
    assert_eq!(store.claim(SCOPE, &key, "fp-b", now).await.unwrap(), Claim::InProgress);
}

async fn idempotency_keys_are_scoped_by_route<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let key = idempotency_key();
    assert_eq!(store.claim(SCOPE, &key, "fp-a", Timestamp::now()).await.unwrap(), Claim::Claimed);
    assert_eq!(store.claim("POST /api/v1/projects/", &key, "fp-b", Timestamp::now()).await.unwrap(), Claim::Claimed);
}

async fn of_racing_claims_of_one_idempotency_key_exactly_one_wins<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    for round in 0..4 {
        let key = idempotency_key();
        let claims = futures::future::join_all((0..6).map(|_| {
            let store = fixture.store.clone();
            let key = key.clone();
            tokio::spawn(async move { store.claim(SCOPE, &key, "fp-a", Timestamp::now()).await })
        }))
        .await;
        let claims: Vec<Claim> = claims.into_iter().map(|joined| joined.unwrap().unwrap()).collect();
        let winners = claims.iter().filter(|claim| **claim == Claim::Claimed).count();
        assert_eq!(winners, 1, "round {round}: {claims:?}");
        assert!(claims.iter().all(|claim| matches!(claim, Claim::Claimed | Claim::InProgress)), "{claims:?}");
    }
}

async fn an_abandoned_idempotency_claim_can_be_claimed_again<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let key = idempotency_key();
    let now = Timestamp::now();
    let before_the_lease = Timestamp::from_micros(now.as_micros() - IDEMPOTENCY_LEASE_MICROS - 1_000_000).unwrap();
    assert_eq!(store.claim(SCOPE, &key, "fp-a", before_the_lease).await.unwrap(), Claim::Claimed);
    assert_eq!(store.claim(SCOPE, &key, "fp-a", now).await.unwrap(), Claim::Claimed);
    // A completed entry outlives the lease.
    store.complete(SCOPE, &key, &stored_response()).await.unwrap();
    let later = Timestamp::from_micros(now.as_micros() + 2 * IDEMPOTENCY_LEASE_MICROS).unwrap();
    assert_eq!(store.claim(SCOPE, &key, "fp-a", later).await.unwrap(), Claim::Replay(stored_response()));
}
