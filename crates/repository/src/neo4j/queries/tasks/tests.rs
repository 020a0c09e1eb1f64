//! The task queries' texts: parameters, index hints, plans.

use trm_domain::{Cursor, ProjectId, Tag, TaskStatus, Timestamp, UserId};
use uuid::Uuid;

use super::*;

#[test]
fn filter_values_travel_as_parameters_never_as_query_text() {
    let sneaky = "x' OR 1=1 //";
    let filter = TaskFilter {
        project_id: Some(ProjectId::new()),
        statuses: vec![TaskStatus::Todo, TaskStatus::Blocked],
        tag: Tag::parse(sneaky).ok(),
        ..TaskFilter::default()
    };
    let after = Cursor::new(Timestamp::now(), Uuid::new_v4());
    let page = PageRequest::new(3, Some(after)).unwrap_or_default();
    let query = list_tasks(&filter, page);
    assert!(!query.query().contains(sneaky));
    assert!(!query.query().contains("todo"));
    for key in ["project_id", "statuses", "tag", "after_at", "after_uid", "limit"] {
        assert!(query.has_param_key(key), "missing ${key}");
    }
}

#[test]
fn every_task_read_keeps_its_plan_and_names_its_index() {
    let id = TaskId::new();
    let project = TaskFilter { project_id: Some(ProjectId::new()), ..TaskFilter::default() };
    let assignee = TaskFilter { assignee_id: Some(UserId::new()), ..TaskFilter::default() };
    let reads = [
        (get_task(id), "USING INDEX t:Task(uid)"),
        (get_tasks(&[id]), "USING INDEX t:Task(uid)"),
        (list_tasks(&TaskFilter::default(), PageRequest::first()), "USING INDEX t:Task(created_at)"),
        (list_tasks(&project, PageRequest::first()), "USING INDEX anchor:Project(uid)"),
        (list_tasks(&assignee, PageRequest::first()), "USING INDEX anchor:User(uid)"),
    ];
    for (query, hint) in reads {
        let text = query.query();
        assert!(text.starts_with("CYPHER replan=skip "), "{text}");
        assert!(text.contains(hint), "{text}");
    }
}

#[test]
fn an_unfiltered_list_reads_along_the_created_at_index() {
    let query = list_tasks(&TaskFilter::default(), PageRequest::first());
    assert!(query.query().contains("USING INDEX t:Task(created_at)"), "{}", query.query());
}

#[test]
fn a_list_of_one_status_reads_along_the_composite_index_in_its_order() {
    let filter = TaskFilter { statuses: vec![TaskStatus::Todo], ..TaskFilter::default() };
    let text = list_tasks(&filter, PageRequest::first()).query().to_owned();
    assert!(text.contains("USING INDEX t:Task(status, created_at)"), "{text}");
    assert!(text.contains("ORDER BY t.status, t.created_at, t.uid LIMIT $limit"), "{text}");
}

#[test]
fn a_list_by_project_guards_each_plan_behind_its_own_call() {
    let filter = TaskFilter { project_id: Some(ProjectId::new()), ..TaskFilter::default() };
    let text = list_tasks(&filter, PageRequest::first()).query().to_owned();
    assert!(text.contains("degree * degree <= $limit * total AS walk_relationships"), "{text}");
    assert!(text.contains("WITH anchor WHERE walk_relationships CALL (anchor) {"), "{text}");
    assert!(text.contains("WITH anchor WHERE NOT walk_relationships CALL (anchor) {"), "{text}");
}

#[test]
fn a_forced_plan_replaces_the_choice() {
    let filter = TaskFilter { assignee_id: Some(UserId::new()), ..TaskFilter::default() };
    let page = PageRequest::first();
    let walk = list_tasks_planned(&filter, page, AnchoredListPlan::RelationshipWalk).query().to_owned();
    assert!(walk.contains("WITH anchor, true AS walk_relationships"), "{walk}");
    let index = list_tasks_planned(&filter, page, AnchoredListPlan::IndexWalk).query().to_owned();
    assert!(index.contains("WITH anchor, false AS walk_relationships"), "{index}");
    assert!(index.contains("MATCH (anchor:User {uid: $assignee_id})"), "{index}");
}

#[test]
fn a_blocked_list_starts_from_the_blocks_edges_unless_a_node_or_a_search_is_narrower() {
    let blocked = TaskFilter { blocked: Some(true), ..TaskFilter::default() };
    for sort in [trm_domain::TaskSort::CreatedAt, trm_domain::TaskSort::DueDateDesc] {
        let text = list_tasks(&TaskFilter { sort, ..blocked.clone() }, PageRequest::first()).query().to_owned();
        assert!(text.contains("USING SCAN edge:BLOCKS"), "{text}");
        assert!(!text.contains("EXISTS { (blocker:Task)"), "no check task by task: {text}");
    }
    let in_project = TaskFilter { project_id: Some(ProjectId::new()), ..blocked.clone() };
    let text = list_tasks(&in_project, PageRequest::first()).query().to_owned();
    assert!(!text.contains("USING SCAN edge:BLOCKS") && text.contains("EXISTS { (blocker:Task)"), "{text}");
    let unblocked = TaskFilter { blocked: Some(false), ..TaskFilter::default() };
    let text = list_tasks(&unblocked, PageRequest::first()).query().to_owned();
    assert!(text.contains("NOT EXISTS { (blocker:Task)"), "{text}");
}

/// The `$walk_budget` a query was given.
fn walk_budget(query: &Query) -> Option<i64> {
    query.get_params().get::<i64>("walk_budget").ok()
}

#[test]
fn a_list_by_a_node_checks_the_node_after_its_index_walks_budget_of_entries_in_every_order() {
    let filter =
        TaskFilter { project_id: Some(ProjectId::new()), tag: Tag::parse("rare").ok(), ..TaskFilter::default() };
    for sort in trm_domain::TaskSort::ALL {
        let query = list_tasks(&TaskFilter { sort, ..filter.clone() }, PageRequest::first());
        let text = query.query();
        assert!(text.contains("degree * degree <= $limit * total AS walk_relationships"), "{sort:?}: {text}");
        assert!(
            text.contains("LIMIT $walk_budget WITH t WHERE (t)-[:IS_PART_OF_PROJECT]->(anchor) AND $tag IN t.tags"),
            "{sort:?}: the budget counts entries, not matches: {text}"
        );
        assert!(text.contains("walk_relationships AS by_relationships"), "{sort:?}: {text}");
        assert_eq!(walk_budget(&query), Some(ANCHORED_WALK_BUDGET), "{sort:?}");
    }
}

#[test]
fn a_forced_index_walk_reads_as_many_entries_as_it_takes() {
    let filter = TaskFilter { assignee_id: Some(UserId::new()), ..TaskFilter::default() };
    for sort in [trm_domain::TaskSort::CreatedAt, trm_domain::TaskSort::DueDateDesc] {
        let query = list_tasks_planned(
            &TaskFilter { sort, ..filter.clone() },
            PageRequest::first(),
            AnchoredListPlan::IndexWalk,
        );
        assert_eq!(walk_budget(&query), Some(i64::MAX), "{sort:?}");
    }
}

#[test]
fn only_a_short_page_of_a_list_by_a_node_read_by_the_cheapest_plan_may_stop_at_the_walk_budget() {
    let page = PageRequest::new(10, None).unwrap_or_default();
    let by_project = TaskFilter { project_id: Some(ProjectId::new()), ..TaskFilter::default() };
    let cheapest = AnchoredListPlan::Cheapest;
    assert!(may_stop_at_walk_budget(&by_project, page, cheapest, 0));
    assert!(may_stop_at_walk_budget(&by_project, page, cheapest, 10));
    assert!(!may_stop_at_walk_budget(&by_project, page, cheapest, 11), "a full page and one more");
    for forced in [AnchoredListPlan::IndexWalk, AnchoredListPlan::RelationshipWalk] {
        assert!(!may_stop_at_walk_budget(&by_project, page, forced, 3), "{forced:?}");
    }
    let searched = TaskFilter { search: trm_domain::search::SearchQuery::parse("viec").ok(), ..by_project };
    assert!(!may_stop_at_walk_budget(&searched, page, cheapest, 3), "a search reads its matches");
    assert!(!may_stop_at_walk_budget(&TaskFilter::default(), page, cheapest, 3), "no node");
    let by_parent = TaskFilter { parent_id: Some(TaskId::new()), ..TaskFilter::default() };
    assert!(may_stop_at_walk_budget(&by_parent, page, cheapest, 3));
}

#[test]
fn the_status_counts_read_the_status_index_once_for_every_status() {
    let query = count_tasks_by_status();
    assert!(query.query().contains("USING INDEX t:Task(status, created_at)"), "{}", query.query());
    let statuses: Vec<String> = query.get_params().get("statuses").unwrap();
    let every: Vec<String> = TaskStatus::VARIANTS.iter().map(|status| status.as_str().to_owned()).collect();
    assert_eq!(statuses, every);
}
