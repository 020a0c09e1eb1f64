//! Sub-projects: a project's parent (`IS_SUBPROJECT_OF`) set, changed and
//! cleared; the rules a parent must follow (it exists, it is neither the
//! project nor one of its sub-projects, the tree stays at most ten levels
//! deep), also under concurrency; the list filter by parent; a project's
//! task list widened to its whole subtree, paged; and deleting a project
//! that has sub-projects, and its tasks' blocked tasks outside it.

use trm_domain::search::SearchQuery;
use trm_domain::{
    EntityKind, EventMetadata, MAX_PROJECT_LEVELS, Project, ProjectId, Task, TaskId, TaskSort, TaskStatus, Timestamp,
    graph::sorted_ids,
};
use trm_repository::{ProjectFilter, ProjectRepository, StoreError, TaskFilter, TaskRepository};
use uuid::Uuid;

use super::group_commit::all_at_once;
use super::support::{Backend, ids, list_all, page, plus, project, task, unique_window};

/// A new project under `parent`.
fn child_of(title: &str, parent: Option<ProjectId>) -> Project {
    let mut child = project(title);
    child.parent_id = parent;
    child
}

/// Stores a new project under `parent` and returns it.
async fn stored_under(store: &impl ProjectRepository, title: &str, parent: Option<ProjectId>) -> Project {
    let child = child_of(title, parent);
    store.create_project(&child, &[]).await.unwrap();
    child
}

/// A chain of `levels` projects, each under the one before; the top first.
async fn chain(store: &impl ProjectRepository, levels: usize) -> Vec<Project> {
    let mut chain: Vec<Project> = Vec::with_capacity(levels);
    for level in 0..levels {
        let parent = chain.last().map(|project| project.uid);
        chain.push(stored_under(store, &format!("Level {}", level + 1), parent).await);
    }
    chain
}

/// The project one version on, under `parent`.
fn moved(project: &Project, parent: Option<ProjectId>) -> Project {
    Project { parent_id: parent, version: project.version + 1, ..project.clone() }
}

pub(crate) async fn a_parent_is_set_changed_and_cleared_with_the_project<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let (first, second) = (stored_under(store, "First", None).await, stored_under(store, "Second", None).await);
    let child = stored_under(store, "Child", Some(first.uid)).await;
    assert_eq!(store.get_project(child.uid).await.unwrap().unwrap(), child);
    assert_eq!(store.get_project(first.uid).await.unwrap().unwrap().parent_id, None);

    let under_second = moved(&child, Some(second.uid));
    store.update_project(&under_second, &[]).await.unwrap();
    assert_eq!(store.get_project(child.uid).await.unwrap().unwrap(), under_second);

    let top_level = moved(&under_second, None);
    store.update_project(&top_level, &[]).await.unwrap();
    assert_eq!(store.get_project(child.uid).await.unwrap().unwrap(), top_level);
    let filter = ProjectFilter { parent_id: Some(second.uid), ..ProjectFilter::default() };
    assert!(store.list_projects(&filter, page(10, None)).await.unwrap().items.is_empty(), "no edge left behind");
}

pub(crate) async fn a_parent_that_does_not_exist_is_refused_and_nothing_stored<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let orphan = child_of("Orphan", Some(ProjectId::new()));
    let error = store.create_project(&orphan, &[]).await.unwrap_err();
    assert!(matches!(error, StoreError::MissingReference(EntityKind::Project)), "{error:?}");
    assert_eq!(store.get_project(orphan.uid).await.unwrap(), None);

    let top = stored_under(store, "Top", None).await;
    let error = store.update_project(&moved(&top, Some(ProjectId::new())), &[]).await.unwrap_err();
    assert!(matches!(error, StoreError::MissingReference(EntityKind::Project)), "{error:?}");
    assert_eq!(store.get_project(top.uid).await.unwrap().unwrap(), top);
}

pub(crate) async fn a_project_under_itself_or_a_descendant_is_refused_naming_the_loop<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let levels = chain(store, 3).await;
    let (top, middle, bottom) = (&levels[0], &levels[1], &levels[2]);

    let error = store.update_project(&moved(top, Some(top.uid)), &[]).await.unwrap_err();
    match error {
        StoreError::ProjectCycle(path) => assert_eq!(path, [top.uid, top.uid], "its own parent"),
        other => panic!("expected a cycle, got {other:?}"),
    }
    let error = store.update_project(&moved(top, Some(bottom.uid)), &[]).await.unwrap_err();
    match error {
        StoreError::ProjectCycle(path) => assert_eq!(path, [top.uid, bottom.uid, middle.uid, top.uid]),
        other => panic!("expected a cycle, got {other:?}"),
    }
    for project in &levels {
        assert_eq!(&store.get_project(project.uid).await.unwrap().unwrap(), project, "nothing changed");
    }
}

pub(crate) async fn projects_nest_at_most_ten_levels_deep<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let levels = chain(store, MAX_PROJECT_LEVELS).await;
    let deepest = levels.last().unwrap();
    let too_deep = child_of("Eleventh", Some(deepest.uid));
    let error = store.create_project(&too_deep, &[]).await.unwrap_err();
    assert!(matches!(error, StoreError::ProjectTooDeep), "{error:?}");
    assert_eq!(store.get_project(too_deep.uid).await.unwrap(), None);

    // A two-level tree moved under the ninth level would reach eleven.
    let top = stored_under(store, "Subtree", None).await;
    let leaf = stored_under(store, "Leaf", Some(top.uid)).await;
    let error = store.update_project(&moved(&top, Some(levels[8].uid)), &[]).await.unwrap_err();
    assert!(matches!(error, StoreError::ProjectTooDeep), "{error:?}");
    assert_eq!(store.get_project(top.uid).await.unwrap().unwrap().parent_id, None);
    // Under the eighth it reaches ten exactly.
    store.update_project(&moved(&top, Some(levels[7].uid)), &[]).await.unwrap();
    assert_eq!(store.get_project(leaf.uid).await.unwrap().unwrap().parent_id, Some(top.uid));
}

pub(crate) async fn of_two_concurrent_re_parentings_closing_a_loop_exactly_one_succeeds<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    for round in 0..8 {
        // A under B and B under A, racing…
        let a = stored_under(&fixture.store, &format!("A{round}"), None).await;
        let b = stored_under(&fixture.store, &format!("B{round}"), None).await;
        // … and a four-project loop whose two closing edges share no
        // project: Q under P and S under R exist; P under S and R under Q
        // race.
        let p = stored_under(&fixture.store, &format!("P{round}"), None).await;
        let q = stored_under(&fixture.store, &format!("Q{round}"), Some(p.uid)).await;
        let r = stored_under(&fixture.store, &format!("R{round}"), None).await;
        let s = stored_under(&fixture.store, &format!("S{round}"), Some(r.uid)).await;
        let writes = [moved(&a, Some(b.uid)), moved(&b, Some(a.uid)), moved(&p, Some(s.uid)), moved(&r, Some(q.uid))];
        let answers = all_at_once(writes.len(), |n| {
            let store = fixture.store.clone();
            let write = writes[n].clone();
            async move { store.update_project(&write, &[]).await }
        })
        .await;
        for pair in answers.chunks(2) {
            assert_eq!(pair.iter().filter(|answer| answer.is_ok()).count(), 1, "round {round}: {pair:?}");
            let lost = pair.iter().find_map(|answer| answer.as_ref().err());
            assert!(matches!(lost, Some(StoreError::ProjectCycle(_))), "round {round}: {lost:?}");
        }
    }
}

pub(crate) async fn projects_filter_by_parent_to_its_direct_children_in_keyset_order<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let parent = stored_under(store, "Parent", None).await;
    let start = unique_window();
    let mut children = Vec::new();
    for offset in [3, 1, 2] {
        let mut child = child_of("Child", Some(parent.uid));
        child.created_at = plus(start, offset);
        child.updated_at = child.created_at;
        store.create_project(&child, &[]).await.unwrap();
        children.push(child);
    }
    // A grandchild is not a direct child.
    stored_under(store, "Grandchild", Some(children[0].uid)).await;
    children.sort_by_key(Project::cursor);

    let filter = ProjectFilter { parent_id: Some(parent.uid), ..ProjectFilter::default() };
    let first = store.list_projects(&filter, page(2, None)).await.unwrap();
    assert_eq!(first.items, children[..2]);
    let rest = store.list_projects(&filter, page(2, first.next)).await.unwrap();
    assert_eq!((rest.items.as_slice(), rest.next), (&children[2..], None));
    let nobody = ProjectFilter { parent_id: Some(ProjectId::new()), ..ProjectFilter::default() };
    assert!(store.list_projects(&nobody, page(10, None)).await.unwrap().items.is_empty());
}

pub(crate) async fn a_projects_task_list_widens_to_its_whole_subtree_with_every_filter_and_sort<B: Backend>(
    backend: &B,
) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let top = stored_under(store, "Top", None).await;
    let child = stored_under(store, "Child", Some(top.uid)).await;
    let grandchild = stored_under(store, "Grandchild", Some(child.uid)).await;
    let beside = stored_under(store, "Beside", None).await;
    let start = unique_window();
    let mut expected = Vec::new();
    for (n, project) in [top.uid, grandchild.uid, child.uid, top.uid, grandchild.uid, beside.uid].iter().enumerate() {
        let mut member = task(&format!("Member {n}"), Some(*project));
        member.created_at = plus(start, i64::try_from(n).unwrap());
        member.updated_at = member.created_at;
        member.status = if n % 2 == 0 { TaskStatus::Todo } else { TaskStatus::InProgress };
        store.create_task(&member, &[]).await.unwrap();
        if *project != beside.uid {
            expected.push(member);
        }
    }

    let subtree = TaskFilter { project_id: Some(top.uid), include_subprojects: true, ..TaskFilter::default() };
    let listed: Vec<TaskId> = list_all(store, &subtree, 2).await.iter().map(|task| task.uid).collect();
    assert_eq!(listed, expected.iter().map(|task| task.uid).collect::<Vec<_>>(), "paged, oldest first");
    let newest_first = TaskFilter { sort: TaskSort::parse("-created_at").unwrap(), ..subtree.clone() };
    let listed: Vec<TaskId> = list_all(store, &newest_first, 2).await.iter().map(|task| task.uid).collect();
    assert_eq!(listed, expected.iter().rev().map(|task| task.uid).collect::<Vec<_>>(), "paged, newest first");
    let expected_ids: Vec<TaskId> = expected.iter().map(|task| task.uid).collect();
    for sort in ["due_date", "-priority"] {
        // All undated and of one priority: in `created_at` order (descending for `-priority`).
        let sorted = TaskFilter { sort: TaskSort::parse(sort).unwrap(), ..subtree.clone() };
        let mut listed: Vec<TaskId> = list_all(store, &sorted, 2).await.iter().map(|task| task.uid).collect();
        if sort.starts_with('-') {
            listed.reverse();
        }
        assert_eq!(listed, expected_ids, "sort={sort}");
    }
    let searched = TaskFilter { search: Some(SearchQuery::parse("member").unwrap()), ..subtree.clone() };
    let listed: Vec<TaskId> = list_all(store, &searched, 2).await.iter().map(|task| task.uid).collect();
    assert_eq!(listed, expected_ids, "with a search");
    let todo = TaskFilter { statuses: vec![TaskStatus::Todo], ..subtree.clone() };
    let listed: Vec<TaskId> = list_all(store, &todo, 1).await.iter().map(|task| task.uid).collect();
    let todos: Vec<TaskId> =
        expected.iter().filter(|task| task.status == TaskStatus::Todo).map(|task| task.uid).collect();
    assert_eq!(listed, todos);

    let middle = TaskFilter { project_id: Some(child.uid), ..subtree.clone() };
    let from_middle = store.list_tasks(&middle, page(100, None)).await.unwrap();
    let below: Vec<TaskId> = expected
        .iter()
        .filter(|task| task.project_id == Some(child.uid) || task.project_id == Some(grandchild.uid))
        .map(|task| task.uid)
        .collect();
    assert_eq!(ids(&from_middle), below, "a subtree starts at its project");
    let own = TaskFilter { include_subprojects: false, ..subtree };
    let own_only: Vec<TaskId> =
        expected.iter().filter(|task| task.project_id == Some(top.uid)).map(|task| task.uid).collect();
    assert_eq!(ids(&store.list_tasks(&own, page(100, None)).await.unwrap()), own_only, "without: its own tasks");
}

pub(crate) async fn a_project_with_sub_projects_is_deleted_only_by_a_cascade_children_first<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let top = stored_under(store, "Top", None).await;
    let child = stored_under(store, "Child", Some(top.uid)).await;
    let grandchild = stored_under(store, "Grandchild", Some(child.uid)).await;
    let metadata = EventMetadata { request_id: Some(format!("req-{}", Uuid::new_v4().simple())) };

    let error = store.delete_project(top.uid, false, None, Some(metadata.clone())).await.unwrap_err();
    assert!(matches!(error, StoreError::HasSubprojects), "{error:?}");
    let deep = task("Deep", Some(grandchild.uid));
    store.create_task(&deep, &[]).await.unwrap();
    let error = store.delete_project(child.uid, false, None, Some(metadata.clone())).await.unwrap_err();
    assert!(matches!(error, StoreError::HasSubprojects), "{error:?}");
    let error = store.delete_project(grandchild.uid, false, None, Some(metadata.clone())).await.unwrap_err();
    assert!(matches!(error, StoreError::HasTasks), "{error:?}");
    for project in [&top, &child, &grandchild] {
        assert!(store.get_project(project.uid).await.unwrap().is_some(), "nothing deleted");
    }

    let cascade = store.delete_project(top.uid, true, Some(1), Some(metadata.clone())).await.unwrap();
    assert_eq!(cascade.affected, [deep.uid]);
    let events: Vec<(&str, Uuid)> =
        cascade.events.iter().map(|event| (event.event_type.as_str(), event.entity_id)).collect();
    assert_eq!(
        events,
        [
            ("task.deleted", *deep.uid.as_uuid()),
            ("project.deleted", *grandchild.uid.as_uuid()),
            ("project.deleted", *child.uid.as_uuid()),
            ("project.deleted", *top.uid.as_uuid()),
        ],
        "tasks, then projects children first"
    );
    assert!(cascade.events.iter().all(|event| event.metadata == metadata));
    for project in [&top, &child, &grandchild] {
        assert_eq!(store.get_project(project.uid).await.unwrap(), None);
    }
    assert_eq!(store.get_task(deep.uid).await.unwrap(), None);
}

pub(crate) async fn a_project_cascade_bumps_each_task_outside_that_lost_a_blocker<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let top = stored_under(store, "Top", None).await;
    let child = stored_under(store, "Child", Some(top.uid)).await;
    let start = unique_window();
    let inside = task("Inside", Some(top.uid));
    let deeper = task("Deeper", Some(child.uid));
    let other = task("Other", None);
    for member in [&inside, &deeper, &other] {
        store.create_task(member, &[]).await.unwrap();
    }
    // Created out of order: the updates come oldest first.
    let blocked = |title: &str, blockers: &[TaskId], offset: i64| {
        let mut blocked = task(title, None);
        blocked.blocked_by = sorted_ids(blockers.iter().copied());
        blocked.created_at = plus(start, offset);
        blocked.updated_at = blocked.created_at;
        blocked
    };
    let later = blocked("Later", &[inside.uid, deeper.uid], 2);
    let sooner = blocked("Sooner", &[deeper.uid, other.uid], 1);
    let untouched = blocked("Untouched", &[other.uid], 3);
    // A task inside blocked by one inside: it goes, no update for it.
    let mut inner = task("Inner", Some(child.uid));
    inner.blocked_by = vec![inside.uid];
    for member in [&later, &sooner, &untouched, &inner] {
        store.create_task(member, &[]).await.unwrap();
    }
    let metadata = EventMetadata { request_id: Some(format!("req-{}", Uuid::new_v4().simple())) };
    let before = Timestamp::now();

    let cascade = store.delete_project(top.uid, true, None, Some(metadata.clone())).await.unwrap();

    let mut deleted = vec![inside.uid, deeper.uid, inner.uid];
    deleted.sort_by_key(|id| store_order(&[&inside, &deeper, &inner], *id));
    assert_eq!(cascade.affected, deleted);
    let types: Vec<&str> = cascade.events.iter().map(|event| event.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "task.updated",
            "task.updated",
            "task.deleted",
            "task.deleted",
            "task.deleted",
            "project.deleted",
            "project.deleted"
        ]
    );
    for (event, survivor) in cascade.events.iter().zip([&sooner, &later]) {
        assert_eq!(event.entity_id, *survivor.uid.as_uuid());
        let now = store.get_task(survivor.uid).await.unwrap().unwrap();
        assert_eq!(now.version, 2, "one version further");
        assert!(now.updated_at >= before);
        assert!(now.blocked_by.iter().all(|blocker| !deleted.contains(blocker)));
        assert_eq!(event.data, serde_json::to_value(&now).unwrap(), "the task as it now is");
        assert_eq!(event.metadata, metadata);
    }
    assert_eq!(store.get_task(sooner.uid).await.unwrap().unwrap().blocked_by, [other.uid]);
    assert!(store.get_task(later.uid).await.unwrap().unwrap().blocked_by.is_empty());
    assert_eq!(store.get_task(untouched.uid).await.unwrap().unwrap().version, 1, "not blocked by a deleted task");
}

/// Where task `id` is among `tasks` in the stores' order (`created_at`,
/// then `uid`).
fn store_order(tasks: &[&Task], id: TaskId) -> (Timestamp, TaskId) {
    let task = tasks.iter().find(|task| task.uid == id).unwrap();
    (task.created_at, task.uid)
}

/// Neo4j keeps a project's parent as the contract's relationship,
/// `(:Project)-[:IS_SUBPROJECT_OF]->(:Project)`, never as a property; one
/// edge at most, gone when the project is detached.
pub(crate) async fn neo4j_stores_a_sub_project_as_an_is_subproject_of_relationship() {
    let Some(backend) = super::support::Neo4j::from_env() else { return };
    let graph = backend.graph();
    let fixture = backend.open().await;
    let store = &fixture.store;
    let (first, second) = (stored_under(store, "First", None).await, stored_under(store, "Second", None).await);
    let child = stored_under(store, "Child", Some(first.uid)).await;
    let child = moved(&child, Some(second.uid));
    store.update_project(&child, &[]).await.unwrap();
    let shape = || async {
        let query = neo4rs::query(
            "MATCH (p:Project {uid: $uid}) \
             RETURN [(p)-[:IS_SUBPROJECT_OF]->(parent:Project) | parent.uid] AS parents, \
                    p.parent_id IS NULL AND p.parent_project_id IS NULL AS no_id_properties",
        )
        .param("uid", child.uid.to_string());
        let mut rows = graph.execute(query).await.unwrap();
        let row = rows.next().await.unwrap().expect("the project node exists");
        (row.get::<Vec<String>>("parents").unwrap(), row.get::<bool>("no_id_properties").unwrap())
    };
    assert_eq!(shape().await, (vec![second.uid.to_string()], true), "one edge, to the new parent");
    store.update_project(&moved(&child, None), &[]).await.unwrap();
    assert_eq!(shape().await, (vec![], true), "detached: no edge");
}
