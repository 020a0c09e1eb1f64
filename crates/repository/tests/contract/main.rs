//! The repository contract, written once and run against every store.
//!
//! Each test is a generic async function over a [`support::Backend`], in
//! the module of the port it holds to its word: [`tasks`], [`projects`],
//! [`users`], sub-projects in [`subprojects`], [`idempotency`],
//! [`api_keys`], [`health`] (the ping), the
//! event log in [`events`], the task graph in [`task_graph`] and
//! [`subtasks`], webhook subscriptions and their leases in
//! [`webhooks`] and their deliveries in [`webhook_deliveries`], and the
//! writes under concurrency in [`group_commit`]. This file only
//! instantiates them: the `contract!` macro makes every one a test for
//! SQLite (always) and for Neo4j (when `TRM_TEST_NEO4J_URI` is set; see
//! [`support::Neo4j`]), so the two stores are held to the very same
//! expectations — which is what lets the service use either without
//! knowing which. Some run once more on Neo4j per list plan or without
//! lookup coalescing, or on both stores without group commit. [`driver`]
//! tests the patched Neo4j driver itself.
//!
//! Run against a local server with:
//! `TRM_TEST_NEO4J_URI=bolt://127.0.0.1:7687 TRM_TEST_NEO4J_USER=neo4j
//! TRM_TEST_NEO4J_PASSWORD=trm-dev-password TRM_REQUIRE_NEO4J=1 cargo test
//! --workspace --test contract`.
//!
//! The tests that are not per store — the graph shape Neo4j stores, and
//! an unreachable Neo4j failing fast rather than hanging (no server needed)
//! — are at the end.

// Tests state their expectations with `unwrap`: a failure is the report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api_keys;
mod driver;
mod events;
mod group_commit;
mod health;
mod idempotency;
mod projects;
mod search;
mod sorting;
mod subprojects;
mod subtasks;
mod support;
mod task_graph;
mod tasks;
mod users;
mod webhook_deliveries;
mod webhooks;

use api_keys::*;
use events::*;
use group_commit::*;
use health::*;
use idempotency::*;
use projects::*;
use search::*;
use sorting::*;
use subprojects::*;
use subtasks::*;
use task_graph::*;
use tasks::*;
use users::*;
use webhook_deliveries::*;
use webhooks::*;

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
    every_sort_lists_in_its_order_with_undated_tasks_last_on_every_page_size,
    a_projects_task_list_widens_to_its_whole_subtree_with_every_filter_and_sort,
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

/// Walks on Neo4j with no tasks kept between them
/// (`Neo4jOptions::walk_cache_bytes` 0), each reading every task; the
/// other Neo4j tests keep them.
mod neo4j_without_walk_cache {
    macro_rules! without_walk_cache {
        ($($test:ident),+ $(,)?) => {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let Some(backend) = super::support::Neo4j::from_env() else { return };
                    super::$test(&backend.with_walk_cache_bytes(0)).await;
                }
            )+
        };
    }

    without_walk_cache!(
        walks_reach_each_task_once_at_its_smallest_depth_in_order,
        a_walk_taken_again_reads_each_task_as_it_now_is,
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
    due_date_filters_and_overdue_judge_every_task_alike,
    filters_combine,
    keyset_paging_yields_every_task_once_in_order,
    keyset_paging_by_project_and_one_status_yields_every_match_once_in_order,
    keyset_paging_through_an_unfiltered_list_yields_every_task_once_in_order,
    a_list_with_no_match_is_an_empty_last_page,
    a_search_finds_vietnamese_text_with_or_without_marks_in_any_case,
    a_search_combines_with_the_filters_and_pages_without_loss,
    a_search_pages_in_list_order_either_way_through_tasks_of_one_millisecond,
    a_search_pages_in_list_order_through_matches_a_millisecond_to_centuries_apart,
    a_search_pages_through_the_newest_tasks_of_the_store,
    a_search_matching_ten_thousand_tasks_pages_in_another_order_like_any_list,
    a_task_is_found_by_its_current_words_and_not_after_it_is_deleted,
    tasks_created_together_are_found_by_their_words_at_once,
    every_sort_lists_in_its_order_with_undated_tasks_last_on_every_page_size,
    a_project_whose_tasks_all_come_late_in_the_order_pages_like_any_list,
    a_cursor_carries_its_sort_and_key,
    a_sorted_walk_yields_each_steady_task_once_while_others_are_created_and_updated,
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
    a_writes_events_are_logged_after_it_in_order,
    a_failed_write_logs_none_of_its_events,
    a_bulk_create_logs_its_tasks_events_in_their_order,
    concurrent_creates_mixing_valid_and_invalid_log_only_the_created,
    a_project_cascade_logs_each_task_deleted_then_the_project_deleted,
    a_user_delete_logs_each_unassigned_task_updated_then_the_user_deleted,
    an_entitys_history_outlives_it,
    the_log_filters_by_type_entity_type_and_entity,
    the_log_pages_both_ways_by_position,
    filtered_pages_of_the_log_come_in_position_order_both_ways,
    pruning_deletes_only_old_events_a_bounded_batch_at_a_time_and_never_reuses_positions,
    a_reader_tailing_the_log_sees_every_committed_event_once_in_order,
);

/// The task graph, in a module of its own so that the filter `task_graph`
/// selects all of it.
mod task_graph_on_every_store {
    use super::*;

    contract!(
        a_task_created_with_blockers_reads_back_with_them_sorted,
        a_task_naming_an_unknown_blocker_is_not_stored,
        a_bulk_create_naming_unknown_blockers_stores_nothing_and_names_each,
        an_update_replaces_the_blockers,
        an_update_naming_an_unknown_blocker_changes_nothing,
        an_edge_closing_a_cycle_is_refused_naming_the_cycle,
        of_two_concurrent_writes_closing_a_cycle_exactly_one_succeeds,
        deleting_a_task_unblocks_its_dependents_one_version_further,
        walks_reach_each_task_once_at_its_smallest_depth_in_order,
        a_walk_taken_again_reads_each_task_as_it_now_is,
        the_blocked_filter_counts_only_unfinished_blockers,
        a_blocker_deleted_while_it_is_set_never_leaves_a_dangling_or_silent_edge,
        concurrent_creates_naming_missing_blockers_each_get_their_own_answer,
    );
}

/// Sub-tasks, in a module of their own so that the filter `subtasks`
/// selects all of them.
mod subtasks_on_every_store {
    use super::*;

    contract!(
        a_sub_task_reads_back_with_its_parent_and_lists_under_it,
        a_parent_that_does_not_exist_is_refused_and_nothing_is_stored,
        a_task_cannot_go_under_itself_or_its_own_sub_tasks,
        sub_tasks_nest_at_most_ten_levels_deep,
        two_re_parentings_racing_to_close_a_loop_never_both_succeed,
        a_task_with_sub_tasks_is_deleted_only_in_a_cascade_children_first,
        a_project_cascade_detaches_its_tasks_sub_tasks_outside_it_one_version_further,
    );
}

/// Sub-projects, in a module of their own so that the filter
/// `subprojects` selects all of them.
mod subprojects_on_every_store {
    use super::*;

    contract!(
        a_parent_is_set_changed_and_cleared_with_the_project,
        a_parent_that_does_not_exist_is_refused_and_nothing_stored,
        a_project_under_itself_or_a_descendant_is_refused_naming_the_loop,
        projects_nest_at_most_ten_levels_deep,
        of_two_concurrent_re_parentings_closing_a_loop_exactly_one_succeeds,
        projects_filter_by_parent_to_its_direct_children_in_keyset_order,
        a_projects_task_list_widens_to_its_whole_subtree_with_every_filter_and_sort,
        a_project_with_sub_projects_is_deleted_only_by_a_cascade_children_first,
        a_project_cascade_bumps_each_task_outside_that_lost_a_blocker,
    );
}

/// The webhook part, in a module of its own so that the filter `webhooks`
/// selects all of it.
mod webhooks_on_every_store {
    use super::*;

    contract!(
        a_webhook_reads_back_with_its_secret_event_types_and_cursor,
        an_update_replaces_only_what_an_owner_may_change,
        deleting_a_webhook_deletes_all_its_deliveries_and_only_its,
        a_claim_leases_only_active_webhooks_and_none_already_leased_until_it_expires,
        racing_claimers_lease_disjoint_webhooks_that_together_are_all_of_them,
        claims_smaller_than_the_claimable_reach_every_webhook_in_turn,
        only_the_lease_holder_can_release_its_lease,
        only_the_lease_holder_advances_the_cursor_while_a_ping_needs_no_lease,
        the_next_delivery_is_the_oldest_pending_one,
        attempts_are_appended_in_order_and_set_the_state,
        deliveries_are_listed_newest_first_a_page_at_a_time,
        a_redelivery_makes_a_finished_delivery_pending_again,
        disabling_a_webhook_marks_it_inactive_with_its_reason,
        reactivating_a_webhook_makes_its_failed_deliveries_pending_again,
        retention_prunes_only_old_succeeded_deliveries_oldest_first_a_batch_at_a_time,
    );
}

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
        concurrent_creates_mixing_valid_and_invalid_log_only_the_created,
        of_two_concurrent_writes_closing_a_cycle_exactly_one_succeeds,
        of_two_concurrent_re_parentings_closing_a_loop_exactly_one_succeeds,
        concurrent_creates_naming_missing_blockers_each_get_their_own_answer,
        a_reader_tailing_the_log_sees_every_committed_event_once_in_order,
        racing_claimers_lease_disjoint_webhooks_that_together_are_all_of_them,
    );
}

/// Neo4j's own view of what the store wrote: the contract's graph schema.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neo4j_stores_the_contract_graph_shape() {
    tasks::neo4j_stores_the_contract_graph_shape().await;
}

/// Neo4j's own view of a sub-project: the `IS_SUBPROJECT_OF` relationship.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neo4j_stores_a_sub_project_as_an_is_subproject_of_relationship() {
    subprojects::neo4j_stores_a_sub_project_as_an_is_subproject_of_relationship().await;
}

/// Neo4j's background indexing of task words changes no search's answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neo4j_finds_tasks_by_their_current_words_before_and_after_indexing() {
    Box::pin(search::neo4j_finds_tasks_by_their_current_words_before_and_after_indexing()).await;
}

/// Neo4j hangs each event from its entity, however it was written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neo4j_links_each_event_from_its_entity() {
    events::neo4j_links_each_event_from_its_entity().await;
}

/// Neo4j's bulk create writes its tasks' words straight into the index.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neo4j_writes_the_words_of_a_bulk_create_straight_into_the_index() {
    search::neo4j_writes_the_words_of_a_bulk_create_straight_into_the_index().await;
}

/// A Neo4j store written before search existed is searchable after an upgrade.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neo4j_indexes_the_words_of_tasks_stored_before_search() {
    search::neo4j_indexes_the_words_of_tasks_stored_before_search().await;
}

/// A Neo4j store written before search windows existed gets them on an upgrade.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neo4j_gives_tasks_indexed_before_search_windows_theirs() {
    search::neo4j_gives_tasks_indexed_before_search_windows_theirs().await;
}

/// A Neo4j write that runs out of time says where it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neo4j_a_write_that_runs_out_of_time_says_where_it_was() {
    health::neo4j_a_write_that_runs_out_of_time_says_where_it_was().await;
}

/// Neo4j names what a stalled write waits for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neo4j_names_the_transaction_a_stalled_write_waits_for() {
    health::neo4j_names_the_transaction_a_stalled_write_waits_for().await;
}

#[tokio::test]
async fn a_neo4j_store_on_a_closed_port_starts_and_answers_unavailable_at_once() {
    health::a_neo4j_store_on_a_closed_port_starts_and_answers_unavailable_at_once().await;
}

#[tokio::test]
async fn a_neo4j_store_whose_server_never_answers_is_unavailable_within_the_timeout() {
    health::a_neo4j_store_whose_server_never_answers_is_unavailable_within_the_timeout().await;
}
