//! The sort part of the contract (the task list's `sort`): both stores list
//! in every order the domain defines ([`TaskSort`]) — the key, then
//! `created_at`, then `uid`, all in the sort's direction, tasks without a
//! due date last either way — whatever the filter (an index walk, a
//! project's tasks, a search), and a walk of pages of any size yields each
//! task exactly once, even while tasks are created and updated between
//! pages (every task whose sort key stays put).

use std::collections::HashMap;

use trm_domain::search::SearchQuery;
use trm_domain::{Priority, SortField, Tags, Task, TaskId, TaskSort, TaskStatus, Timestamp, Title};
use trm_repository::{TaskFilter, TaskRepository};
use uuid::Uuid;

use super::support::{
    Backend, list_all, next_version, page, plus, stored_project, tagged, task, unique_tag, unique_window,
};

/// The order the domain defines, computed here from the tasks alone.
fn in_order(tasks: &[Task], sort: TaskSort) -> Vec<TaskId> {
    let missing = |task: &Task| sort.field() == SortField::DueDate && task.due_date.is_none();
    let position = |task: &Task| (sort.key_of(task).unwrap_or(0), task.created_at, *task.uid.as_uuid());
    let mut sorted = tasks.to_vec();
    sorted.sort_by(|a, b| {
        missing(a).cmp(&missing(b)).then_with(|| {
            let order = position(a).cmp(&position(b));
            if sort.descending() { order.reverse() } else { order }
        })
    });
    sorted.iter().map(|task| task.uid).collect()
}

/// Tasks with every kind of tie: shared due dates, priorities, update and
/// creation times, and tasks without a due date.
fn tied_tasks(tag: &str, word: &str, project: Option<trm_domain::ProjectId>) -> Vec<Task> {
    let start = unique_window();
    let minute = 60_000_000;
    // (due in minutes from the window, or none; priority; created; updated)
    let shapes: [(Option<i64>, Priority, i64, i64); 10] = [
        (Some(5), Priority::Normal, 0, 3),
        (None, Priority::Urgent, 1, 1),
        (Some(5), Priority::High, 1, 2),
        (Some(-3), Priority::Urgent, 2, 3),
        (None, Priority::Normal, 2, 9),
        (Some(9), Priority::Normal, 3, 3),
        (Some(5), Priority::Urgent, 4, 4),
        (None, Priority::High, 5, 5),
        (Some(-3), Priority::High, 5, 6),
        (Some(0), Priority::Normal, 6, 9),
    ];
    shapes
        .iter()
        .enumerate()
        .map(|(n, &(due, priority, created, updated))| {
            let mut task = task(&format!("Sorted {word} {n}"), project);
            task.tags = Tags::parse("tags", &[tag]).unwrap();
            task.due_date = due.map(|due| plus(start, due * minute));
            task.priority = priority;
            task.created_at = plus(start, created * minute);
            task.updated_at = plus(start, updated * minute);
            task
        })
        .collect()
}

pub(crate) async fn every_sort_lists_in_its_order_with_undated_tasks_last_on_every_page_size<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let tag = unique_tag();
    let word = format!("w{}", Uuid::new_v4().simple());
    let tasks = tied_tasks(&tag, &word, Some(project));
    store.create_tasks(&tasks, &[]).await.unwrap();
    let filters = [
        ("by tag (an index walk)", tagged(&tag)),
        ("by project", TaskFilter { project_id: Some(project), ..TaskFilter::default() }),
        ("by search", TaskFilter { search: Some(SearchQuery::parse(&word).unwrap()), ..TaskFilter::default() }),
    ];
    for sort in TaskSort::ALL {
        let expected = in_order(&tasks, sort);
        for (name, filter) in &filters {
            let filter = TaskFilter { sort, ..filter.clone() };
            for limit in [1, 3, 4, 100] {
                let listed: Vec<TaskId> = list_all(store, &filter, limit).await.iter().map(|t| t.uid).collect();
                assert_eq!(listed, expected, "sort={} {name}, {limit} a page", sort.as_str());
            }
        }
    }
}

pub(crate) async fn a_cursor_carries_its_sort_and_key<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let tag = unique_tag();
    let tasks = tied_tasks(&tag, "cursor", None);
    store.create_tasks(&tasks, &[]).await.unwrap();
    let filter = TaskFilter { sort: TaskSort::DueDateDesc, ..tagged(&tag) };
    let first = store.list_tasks(&filter, page(2, None)).await.unwrap();
    let next = first.next.unwrap();
    assert_eq!(next, TaskSort::DueDateDesc.cursor_of(&first.items[1]));
    assert_eq!(next.sorted.unwrap().sort, TaskSort::DueDateDesc);
    // After the last dated task, the undated ones follow.
    let dated = tasks.iter().filter(|task| task.due_date.is_some()).count();
    let walked = store.list_tasks(&filter, page(i64::try_from(dated).unwrap(), None)).await.unwrap();
    let after_undated = store.list_tasks(&filter, page(100, walked.next)).await.unwrap();
    assert_eq!(after_undated.items.len(), tasks.len() - dated);
    assert!(after_undated.items.iter().all(|task| task.due_date.is_none()));
    // A position among undated tasks in an order whose key is never
    // missing (no cursor the API makes) is past every task.
    let mut past = TaskSort::Priority.cursor_of(&tasks[0]);
    past.sorted = past.sorted.map(|sorted| trm_domain::SortedPosition { key: None, ..sorted });
    let filter = TaskFilter { sort: TaskSort::Priority, ..tagged(&tag) };
    assert!(store.list_tasks(&filter, page(100, Some(past))).await.unwrap().items.is_empty());
}

pub(crate) async fn a_sorted_walk_yields_each_steady_task_once_while_others_are_created_and_updated<B: Backend>(
    backend: &B,
) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let tag = unique_tag();
    for sort in TaskSort::ALL {
        let mut tasks: HashMap<TaskId, Task> = HashMap::new();
        for task in tied_tasks(&tag, "walk", None) {
            store.create_task(&task, &[]).await.unwrap();
            tasks.insert(task.uid, task);
        }
        let steady_before: Vec<TaskId> = tasks.keys().copied().collect();
        let filter = TaskFilter { sort, ..tagged(&tag) };
        let mut seen: Vec<TaskId> = Vec::new();
        let mut moved: Vec<TaskId> = Vec::new();
        let mut after = None;
        let mut round: i64 = 0;
        loop {
            let listed = store.list_tasks(&filter, page(3, after)).await.unwrap();
            seen.extend(listed.items.iter().map(|task| task.uid));
            let Some(next) = listed.next else { break };
            after = Some(next);
            round += 1;
            // Between pages: a new task on each side of the cursor, and an
            // update to a task already read and to one not yet read.
            for offset in [-1_000_000_000_i64, 1_000_000_000] {
                let mut new = task(&format!("Created during the walk {round}"), None);
                new.tags = Tags::parse("tags", &[tag.as_str()]).unwrap();
                new.due_date = Some(plus(Timestamp::now(), offset));
                store.create_task(&new, &[]).await.unwrap();
            }
            for uid in [seen[0], *steady_before.iter().find(|uid| !seen.contains(uid)).unwrap_or(&seen[0])] {
                let stored = store.get_task(uid).await.unwrap().unwrap();
                let updated = next_version(&stored, |task| {
                    task.title = Title::parse(&format!("Updated during the walk {round}")).unwrap();
                    task.updated_at = Timestamp::now();
                });
                store.update_task(&updated, &[]).await.unwrap();
                if sort.field() == SortField::UpdatedAt {
                    moved.push(uid);
                }
            }
            assert!(round < 100, "the walk did not end");
        }
        for uid in steady_before.iter().filter(|uid| !moved.contains(uid)) {
            let times = seen.iter().filter(|seen| *seen == uid).count();
            assert_eq!(times, 1, "sort={}: a task whose key stayed put is listed once", sort.as_str());
        }
        if sort.field() != SortField::UpdatedAt {
            let mut unique = seen.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), seen.len(), "sort={}: no task is listed twice", sort.as_str());
        }
        // The next sort walks fresh tasks.
        for uid in list_all(store, &tagged(&tag), 100).await.iter().map(|task| task.uid) {
            store.delete_task(uid, None, false, Timestamp::now(), None).await.unwrap();
        }
    }
}

/// A project whose tasks all come after ten thousand others, in every
/// order a page is read in: on Neo4j, where a project this large has its
/// pages read along an index, checking each entry's project, the walk
/// spends its budget of entries before it reaches the project's tasks, and
/// the store reads the page again from the project's relationships. Its
/// pages are those of any list, with and without a status.
pub(crate) async fn a_project_whose_tasks_all_come_late_in_the_order_pages_like_any_list<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let start = unique_window();
    let minute = 60_000_000;
    let shaped = |title: String, n: i64, due: Option<i64>, project| {
        let mut task = task(&title, project);
        task.created_at = plus(start, n);
        task.updated_at = task.created_at;
        task.due_date = due.map(|due| plus(start, due * minute));
        task.priority = [Priority::Normal, Priority::High, Priority::Urgent][usize::try_from(n % 3).unwrap()];
        task
    };
    for batch in 0..11 {
        let earlier: Vec<Task> = (0..1_000)
            .map(|i| {
                let n = batch * 1_000 + i;
                shaped(format!("Earlier {n}"), n, (n % 2 == 0).then_some(n), None)
            })
            .collect();
        store.create_tasks(&earlier, &[]).await.unwrap();
    }
    let project = stored_project(store).await;
    let late: Vec<Task> = (0..1_500)
        .map(|k| {
            let mut task = shaped(format!("Late {k}"), 20_000 + k, (k % 3 != 0).then_some(20_000 + k), Some(project));
            task.status = [TaskStatus::Todo, TaskStatus::InProgress, TaskStatus::Done][usize::try_from(k % 3).unwrap()];
            task
        })
        .collect();
    for part in late.chunks(750) {
        store.create_tasks(part, &[]).await.unwrap();
    }
    let todo: Vec<Task> = late.iter().filter(|task| task.status == TaskStatus::Todo).cloned().collect();
    let sorts =
        [TaskSort::CreatedAt, TaskSort::UpdatedAt, TaskSort::DueDate, TaskSort::Priority, TaskSort::PriorityDesc];
    for sort in sorts {
        for (statuses, tasks) in [(vec![], &late), (vec![TaskStatus::Todo], &todo)] {
            let filter = TaskFilter { sort, statuses, project_id: Some(project), ..TaskFilter::default() };
            let listed: Vec<TaskId> = list_all(store, &filter, 25).await.iter().map(|task| task.uid).collect();
            assert_eq!(listed, in_order(tasks, sort), "sort={}, {} statuses", sort.as_str(), filter.statuses.len());
        }
    }
}
