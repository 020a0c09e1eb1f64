//! The search part of the contract (the task list's `q`): both stores find
//! the tasks whose title, description or tags hold every word of a search,
//! the last one also as the beginning of a word, in Vietnamese as users
//! type it — with or without diacritics, in any case, `đ` as `d` — and
//! nothing else; a search combines with the other filters and with paging,
//! and follows a task through its updates and its deletion.
//!
//! Every fixture carries a word of its own test (`unique`), which every
//! query of that test names first: the Neo4j store is shared by the tests
//! running at once.

use trm_domain::search::{SearchQuery, index_text};
use trm_domain::{
    Description, EventMetadata, PageRequest, Priority, Tag, Tags, Task, TaskSort, TaskStatus, Timestamp, Title,
};
use trm_repository::{ProjectRepository, TaskFilter, TaskRepository};
use uuid::Uuid;

use super::support::{Backend, list_all, next_version, stored_project, task};

/// A word no other test's task holds.
fn unique() -> String {
    format!("w{}", Uuid::new_v4().simple())
}

fn searching(query: &str) -> TaskFilter {
    TaskFilter { search: Some(SearchQuery::parse(query).unwrap()), ..TaskFilter::default() }
}

fn titled(title: &str) -> Task {
    task(title, None)
}

/// The titles of what a search finds, in list order.
async fn found(store: &impl TaskRepository, filter: &TaskFilter) -> Vec<String> {
    list_all(store, filter, 2).await.iter().map(|task| task.title.as_str().to_owned()).collect()
}

/// What the domain's meaning of a search finds among `tasks`, in list order.
fn meant(tasks: &[Task], query: &str) -> Vec<String> {
    let search = SearchQuery::parse(query).unwrap();
    let mut matching: Vec<&Task> = tasks
        .iter()
        .filter(|task| {
            let description = task.description.as_ref().map(|description| description.as_str());
            let parts = std::iter::once(task.title.as_str()).chain(description).chain(task.tags.iter_str());
            search.matches(&index_text(parts))
        })
        .collect();
    matching.sort_by_key(|task| (task.created_at, task.uid));
    matching.iter().map(|task| task.title.as_str().to_owned()).collect()
}

pub(crate) async fn a_search_finds_vietnamese_text_with_or_without_marks_in_any_case<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let u = unique();
    let mut in_description = titled(&format!("Kế hoạch {u}"));
    in_description.description = Some(Description::parse("Rà soát công việc tuần này").unwrap());
    let mut in_tags = titled(&format!("Chi nhánh {u}"));
    in_tags.tags = Tags::from_tags(vec![Tag::parse("Đà-Nẵng").unwrap()]);
    let tasks = vec![
        titled(&format!("Công việc ở Đà Nẵng {u}")),
        in_description,
        in_tags,
        titled(&format!("Công nghệ mới {u}")),
        titled(&format!("Hà Nội {u}")),
    ];
    for task in &tasks {
        store.create_task(task, &[]).await.unwrap();
    }
    let cases: [(&str, &[&str]); 8] = [
        ("cong viec", &["Công việc ở Đà Nẵng", "Kế hoạch"]),
        ("CÔNG VIỆC", &["Công việc ở Đà Nẵng", "Kế hoạch"]),
        ("viec Cong", &["Công việc ở Đà Nẵng", "Kế hoạch"]),
        ("da nang", &["Công việc ở Đà Nẵng", "Chi nhánh"]),
        ("cong", &["Công việc ở Đà Nẵng", "Kế hoạch", "Công nghệ mới"]),
        ("con", &["Công việc ở Đà Nẵng", "Kế hoạch", "Công nghệ mới"]),
        ("con viec", &[]),
        ("ha noi", &["Hà Nội"]),
    ];
    for (words, titles) in cases {
        let query = format!("{u} {words}");
        let expected: Vec<String> = titles.iter().map(|title| format!("{title} {u}")).collect();
        let got = found(store, &searching(&query)).await;
        let mut got_sorted = got.clone();
        got_sorted.sort();
        let mut expected_sorted = expected.clone();
        expected_sorted.sort();
        assert_eq!(got_sorted, expected_sorted, "{query:?}");
        assert_eq!(got, meant(&tasks, &query), "{query:?}: the domain's meaning, in list order");
    }
}

pub(crate) async fn a_search_combines_with_the_filters_and_pages_without_loss<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let u = unique();
    let project = stored_project(store).await;
    let mut tasks = Vec::new();
    for n in 0..7 {
        let mut task = task(&format!("Sửa lỗi đăng nhập {n} {u}"), (n < 5).then_some(project));
        task.status = if n % 2 == 0 { TaskStatus::Todo } else { TaskStatus::Done };
        tasks.push(task);
    }
    tasks.push(task(&format!("Đăng ký {u}"), Some(project)));
    for task in &tasks {
        store.create_task(task, &[]).await.unwrap();
    }
    let query = format!("{u} sua loi dang nh");
    let in_project = TaskFilter { project_id: Some(project), ..searching(&query) };
    // The expected titles in list order: creation time, then id.
    tasks.sort_by_key(|task| (task.created_at, task.uid));
    let titles = |keep: &dyn Fn(usize) -> bool| -> Vec<String> {
        let numbered = |task: &&Task| (0..7).find(|n| task.title.as_str() == format!("Sửa lỗi đăng nhập {n} {u}"));
        tasks
            .iter()
            .filter(|task| numbered(task).is_some_and(keep))
            .map(|task| task.title.as_str().to_owned())
            .collect()
    };
    // Before and after the index has the words (the same on SQLite).
    for _ in 0..2 {
        assert_eq!(found(store, &searching(&query)).await, titles(&|_| true), "two at a time, in list order");
        assert_eq!(found(store, &in_project).await, titles(&|n| n < 5));
        let todo = TaskFilter { statuses: vec![TaskStatus::Todo], ..in_project.clone() };
        assert_eq!(found(store, &todo).await, titles(&|n| n < 5 && n % 2 == 0));
        assert_eq!(found(store, &searching(&format!("{u} dang"))).await.len(), 8, "đăng nhập and đăng ký");
        backend.settle_search(store).await;
    }
}

/// Matches created within a millisecond of each other and centuries apart,
/// before 1970 and after the next, so that a page's first `limit` matches
/// lie in windows of time of every size (Neo4j reads a page's matches a
/// window at a time, widening it while it has found fewer than a page).
pub(crate) async fn a_search_pages_in_list_order_through_matches_a_millisecond_to_centuries_apart<B: Backend>(
    backend: &B,
) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let u = unique();
    let now = Timestamp::now().as_micros();
    let (millisecond, second, day, year) = (1_000, 1_000_000, 86_400_000_000, 365 * 86_400_000_000_i64);
    let offsets = [
        0,
        0,
        0,
        1,
        millisecond - 1,
        millisecond,
        1_500 * millisecond,
        -3 * second,
        9 * second,
        70 * second,
        -70 * second,
        1_200 * second,
        day,
        -3 * day,
        40 * day,
        2 * year,
        -3 * year,
        20 * year,
        -30 * year,
        45 * year,
        -60 * year,
        200 * year,
        -500 * year,
    ];
    let mut tasks: Vec<Task> = Vec::new();
    for (n, offset) in offsets.iter().enumerate() {
        let words = if n % 4 == 3 { "Họp giao ban" } else { "Kiểm thử ở Đà Nẵng" };
        let mut task = titled(&format!("{words} {n} {u}"));
        task.created_at = Timestamp::from_micros_clamped(now + offset);
        task.updated_at = task.created_at;
        task.status = if n % 3 == 0 { TaskStatus::Done } else { TaskStatus::Todo };
        tasks.push(task);
    }
    tasks.reverse();
    for task in &tasks {
        store.create_task(task, &[]).await.unwrap();
    }
    let query = format!("{u} da nang");
    let expected = |statuses: &[TaskStatus]| -> Vec<String> {
        let mut matching: Vec<&Task> = tasks
            .iter()
            .filter(|task| !task.title.as_str().starts_with("Họp"))
            .filter(|task| statuses.is_empty() || statuses.contains(&task.status))
            .collect();
        matching.sort_by_key(|task| (task.created_at, task.uid));
        matching.iter().map(|task| task.title.as_str().to_owned()).collect()
    };
    for stage in ["as written", "indexed"] {
        if stage == "indexed" {
            backend.settle_search(store).await;
        }
        for statuses in [vec![], vec![TaskStatus::Todo]] {
            let filter = TaskFilter { statuses: statuses.clone(), ..searching(&query) };
            for limit in [1, 2, 3, 7, 100] {
                let got: Vec<String> =
                    list_all(store, &filter, limit).await.iter().map(|task| task.title.as_str().to_owned()).collect();
                assert_eq!(got, expected(&statuses), "{stage}, {statuses:?}, {limit} a page");
            }
        }
    }
}

pub(crate) async fn a_task_is_found_by_its_current_words_and_not_after_it_is_deleted<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let u = unique();
    let project = stored_project(store).await;
    let first = task(&format!("Báo cáo quý {u}"), Some(project));
    let second = task(&format!("Báo cáo năm {u}"), None);
    store.create_task(&first, &[]).await.unwrap();
    store.create_task(&second, &[]).await.unwrap();

    let renamed = next_version(&first, |task| task.title = Title::parse(&format!("Tổng kết quý {u}")).unwrap());
    store.update_task(&renamed, &[]).await.unwrap();
    assert!(found(store, &searching(&format!("{u} bao cao quy"))).await.is_empty(), "its old words are gone");
    assert_eq!(found(store, &searching(&format!("{u} tong ket"))).await, [format!("Tổng kết quý {u}")]);

    store.delete_task(second.uid, None, false, trm_domain::Timestamp::now(), None).await.unwrap();
    assert!(found(store, &searching(&format!("{u} bao cao"))).await.is_empty(), "a deleted task is not found");
    store.delete_project(project, true, None, Some(EventMetadata::default())).await.unwrap();
    assert!(found(store, &searching(&format!("{u} quy"))).await.is_empty(), "nor one deleted with its project");
}

/// Tasks created together (a bulk create) are found by their words as soon
/// as the create returns, in list order, and follow their updates — before
/// and after any background indexing.
pub(crate) async fn tasks_created_together_are_found_by_their_words_at_once<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let u = unique();
    let tasks = [titled(&format!("Khảo sát Đà Nẵng {u}")), titled(&format!("Báo cáo Huế {u}"))];
    store.create_tasks(&tasks, &[]).await.unwrap();
    assert_eq!(found(store, &searching(&format!("{u} da nang"))).await, [tasks[0].title.as_str()]);
    assert_eq!(found(store, &searching(&u)).await, meant(&tasks, &u));

    let moved = next_version(&tasks[0], |task| task.title = Title::parse(&format!("Khảo sát Hội An {u}")).unwrap());
    store.update_task(&moved, &[]).await.unwrap();
    for stage in ["as written", "indexed"] {
        if stage == "indexed" {
            backend.settle_search(store).await;
        }
        assert!(found(store, &searching(&format!("{u} da nang"))).await.is_empty(), "{stage}: its old words");
        assert_eq!(found(store, &searching(&format!("{u} hoi a"))).await, [moved.title.as_str()], "{stage}");
        assert_eq!(found(store, &searching(&format!("{u} HUẾ"))).await, [tasks[1].title.as_str()], "{stage}");
    }
    for task in &tasks {
        store.delete_task(task.uid, None, false, Timestamp::now(), None).await.unwrap();
    }
}

/// Neo4j writes the words of tasks created in bulk straight into the
/// full-text index, with their creation windows, instead of leaving them
/// waiting for the background indexer.
pub(crate) async fn neo4j_writes_the_words_of_a_bulk_create_straight_into_the_index() {
    let Some(backend) = super::support::Neo4j::from_env() else { return };
    let graph = backend.graph();
    let fixture = backend.open().await;
    let store = &fixture.store;
    let u = unique();
    let surveyed = titled(&format!("Khảo sát Đà Nẵng {u}"));
    store.create_tasks(std::slice::from_ref(&surveyed), &[]).await.unwrap();

    let words = index_text([surveyed.title.as_str()]);
    assert_eq!(neo4j_index_state(&graph, &surveyed).await, (false, Some(words)), "indexed, not waiting");
    let query = neo4rs::query(
        "MATCH (t:Task {uid: $uid}) RETURN t.search_time AS windows, t.pending_search_text IS NULL AS no_pending",
    )
    .param("uid", surveyed.uid.to_string());
    let mut rows = graph.execute(query).await.unwrap();
    let row = rows.next().await.unwrap().unwrap();
    let windows: String = row.get("windows").unwrap();
    assert_eq!(windows.split(' ').count(), 11, "a window of each level: {windows}");
    assert!(row.get::<bool>("no_pending").unwrap(), "nothing left for the indexer");
    assert_eq!(found(store, &searching(&format!("{u} da nang"))).await, [surveyed.title.as_str()]);
    store.delete_task(surveyed.uid, None, false, Timestamp::now(), None).await.unwrap();
}

/// A task stored before search existed (no `search_text`) is found once a
/// store has set its schema up: the Neo4j half of the upgrade (the SQLite
/// half is a unit test of its migrations).
pub(crate) async fn neo4j_indexes_the_words_of_tasks_stored_before_search() {
    let Some(backend) = super::support::Neo4j::from_env() else { return };
    let graph = backend.graph();
    let u = unique();
    let old = task(&format!("Việc cũ {u}"), None);
    // As an earlier version wrote it: the task's properties, no words.
    let created_at = old.created_at.to_string();
    graph
        .run(
            neo4rs::query(
                "CREATE (t:Task {uid: $uid, title: $title, status: 'todo', priority: 0, effort_unit: 'hours', \
                 tags: [], created_at: datetime($created_at), updated_at: datetime($created_at), version: 1}) \
                 WITH t MATCH (s:SchemaStep {name: 'task_search'}) DETACH DELETE s",
            )
            .param("uid", old.uid.to_string())
            .param("title", old.title.as_str())
            .param("created_at", created_at),
        )
        .await
        .unwrap();
    let fixture = backend.open().await;
    assert_eq!(found(&fixture.store, &searching(&format!("{u} viec cu"))).await, [format!("Việc cũ {u}")]);
    fixture.store.delete_task(old.uid, None, false, trm_domain::Timestamp::now(), None).await.unwrap();
}

/// The store's newest tasks, one of them just past the first window of time
/// a page starts from, are on its pages: Neo4j reads no window that begins
/// after the store's newest task, and must still read the one holding it.
pub(crate) async fn a_search_pages_through_the_newest_tasks_of_the_store<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let u = unique();
    // 1,500 years ahead: later than any other test's tasks (before the year
    // 2800) but those of `the_recent_tasks_are_the_newest_first` (the year
    // 5000 and after, while it runs), at the start of a window of 8,192 ms;
    // the last task 1,034 ms after the first, in the next window of 1,024 ms.
    let window = 8_192_000;
    let later = Timestamp::now().as_micros() + 1_500 * 365 * 86_400_000_000;
    let base = later - later.rem_euclid(window);
    let mut tasks: Vec<Task> = Vec::new();
    for (n, offset) in [0, 1_000, 1_034_000].into_iter().enumerate() {
        let mut task = titled(&format!("Kiểm kê kho {n} {u}"));
        task.created_at = Timestamp::from_micros_clamped(base + offset);
        task.updated_at = task.created_at;
        tasks.push(task);
    }
    for task in &tasks {
        store.create_task(task, &[]).await.unwrap();
    }
    let expected: Vec<String> = tasks.iter().map(|task| task.title.as_str().to_owned()).collect();
    for stage in ["as written", "indexed"] {
        if stage == "indexed" {
            backend.settle_search(store).await;
        }
        for limit in [1, 2, 3] {
            let got: Vec<String> = list_all(store, &searching(&format!("{u} kiem ke")), limit)
                .await
                .iter()
                .map(|task| task.title.as_str().to_owned())
                .collect();
            assert_eq!(got, expected, "{stage}, {limit} a page");
        }
    }
    for task in &tasks {
        store.delete_task(task.uid, None, false, Timestamp::now(), None).await.unwrap();
    }
}

/// A task indexed before search windows existed (words, no `search_time`)
/// gets its windows once a store has set its schema up, and is found.
pub(crate) async fn neo4j_gives_tasks_indexed_before_search_windows_theirs() {
    let Some(backend) = super::support::Neo4j::from_env() else { return };
    let graph = backend.graph();
    let u = unique();
    let old = task(&format!("Việc cũ {u}"), None);
    // As the previous version left it once indexed: words, no windows.
    let created_at = old.created_at.to_string();
    graph
        .run(
            neo4rs::query(
                "CREATE (t:Task {uid: $uid, title: $title, status: 'todo', priority: 0, effort_unit: 'hours', \
                 tags: [], created_at: datetime($created_at), updated_at: datetime($created_at), version: 1, \
                 search_text: $words}) \
                 WITH t MATCH (s:SchemaStep {name: 'task_search_time'}) DETACH DELETE s",
            )
            .param("uid", old.uid.to_string())
            .param("title", old.title.as_str())
            .param("created_at", created_at)
            .param("words", index_text([old.title.as_str()])),
        )
        .await
        .unwrap();
    let fixture = backend.open().await;
    assert_eq!(found(&fixture.store, &searching(&format!("{u} viec cu"))).await, [format!("Việc cũ {u}")]);
    let query =
        neo4rs::query("MATCH (t:Task {uid: $uid}) RETURN t.search_time AS windows").param("uid", old.uid.to_string());
    let mut rows = graph.execute(query).await.unwrap();
    let windows: String = rows.next().await.unwrap().unwrap().get("windows").unwrap();
    assert_eq!(windows.split(' ').count(), 11, "a window of each level: {windows}");
    fixture.store.delete_task(old.uid, None, false, trm_domain::Timestamp::now(), None).await.unwrap();
}

/// Whether Neo4j holds `task` as waiting for the full-text index, and the
/// words the index has for it.
async fn neo4j_index_state(graph: &neo4rs::Graph, task: &Task) -> (bool, Option<String>) {
    let query = neo4rs::query("MATCH (t:Task {uid: $uid}) RETURN t:SearchPending AS pending, t.search_text AS words")
        .param("uid", task.uid.to_string());
    let mut rows = graph.execute(query).await.unwrap();
    let row = rows.next().await.unwrap().unwrap();
    (row.get("pending").unwrap(), row.get("words").unwrap())
}

/// Neo4j moves a task's words into its full-text index in the background:
/// a search finds the task by its current words before and after they are
/// indexed, never by the words it had, and an update that keeps the words
/// leaves the index alone.
pub(crate) async fn neo4j_finds_tasks_by_their_current_words_before_and_after_indexing() {
    let Some(backend) = super::support::Neo4j::from_env() else { return };
    let graph = backend.graph();
    let fixture = backend.open().await;
    let store = &fixture.store;
    let u = unique();
    let planned = titled(&format!("Kế hoạch Đà Nẵng {u}"));
    store.create_task(&planned, &[]).await.unwrap();
    assert_eq!(found(store, &searching(&format!("{u} da nang"))).await, [planned.title.as_str()]);

    store.index_pending_search_words().await.unwrap();
    let words = index_text([planned.title.as_str()]);
    assert_eq!(neo4j_index_state(&graph, &planned).await, (false, Some(words.clone())));
    assert_eq!(found(store, &searching(&format!("{u} da nang"))).await, [planned.title.as_str()]);

    let started = next_version(&planned, |task| task.status = TaskStatus::InProgress);
    store.update_task(&started, &[]).await.unwrap();
    assert_eq!(neo4j_index_state(&graph, &started).await, (false, Some(words)), "same words: nothing to index");

    let moved = next_version(&started, |task| task.title = Title::parse(&format!("Kế hoạch Huế {u}")).unwrap());
    store.update_task(&moved, &[]).await.unwrap();
    assert!(found(store, &searching(&format!("{u} da nang"))).await.is_empty(), "the indexed words are stale");
    assert_eq!(found(store, &searching(&format!("{u} hue"))).await, [moved.title.as_str()]);
    store.index_pending_search_words().await.unwrap();
    assert_eq!(neo4j_index_state(&graph, &moved).await, (false, Some(index_text([moved.title.as_str()]))));
    assert!(found(store, &searching(&format!("{u} da nang"))).await.is_empty());
    assert_eq!(found(store, &searching(&format!("{u} hu"))).await, [moved.title.as_str()]);
    store.delete_task(moved.uid, None, false, Timestamp::now(), None).await.unwrap();
}

pub(crate) async fn a_search_pages_in_list_order_either_way_through_tasks_of_one_millisecond<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let u = unique();
    let start = Timestamp::now().as_micros();
    // Tasks sharing a microsecond, a millisecond (more of them than a page
    // and then some), or neither, stored in an order that is not the
    // list's, among tasks the search does not find.
    let offsets: Vec<i64> = [(0, 24), (300, 12), (999, 4), (1_000, 3), (-2_000, 2), (-1, 1), (5_000, 1)]
        .into_iter()
        .flat_map(|(offset, count)| std::iter::repeat_n(offset, count))
        .collect();
    let mut tasks: Vec<Task> = Vec::new();
    for (n, offset) in offsets.iter().enumerate() {
        let words = if n % 5 == 4 { "Họp giao ban" } else { "Sửa lỗi đăng nhập" };
        let mut task = titled(&format!("{words} {n} {u}"));
        task.created_at = Timestamp::from_micros_clamped(start + offset);
        task.updated_at = task.created_at;
        task.status = if n % 3 == 0 { TaskStatus::Done } else { TaskStatus::Todo };
        tasks.push(task);
    }
    tasks.reverse();
    for task in &tasks {
        store.create_task(task, &[]).await.unwrap();
    }
    let query = format!("{u} sua loi dang nh");
    let todo = |filter: TaskFilter| TaskFilter { statuses: vec![TaskStatus::Todo], ..filter };
    for sort in [TaskSort::CreatedAt, TaskSort::CreatedAtDesc] {
        for filter in [searching(&query), todo(searching(&query))] {
            let filter = TaskFilter { sort, ..filter };
            let mut expected: Vec<&Task> = tasks
                .iter()
                .filter(|task| !task.title.as_str().starts_with("Họp"))
                .filter(|task| filter.statuses.is_empty() || task.status == TaskStatus::Todo)
                .collect();
            expected.sort_by_key(|task| (task.created_at, task.uid));
            if sort == TaskSort::CreatedAtDesc {
                expected.reverse();
            }
            let expected: Vec<&str> = expected.iter().map(|task| task.title.as_str()).collect();
            for limit in [1, 2, 3, 5, 20, 100] {
                let got = list_all(store, &filter, limit).await;
                let got: Vec<&str> = got.iter().map(|task| task.title.as_str()).collect();
                assert_eq!(got, expected, "{sort:?}, {} statuses, {limit} a page", filter.statuses.len());
            }
        }
    }
}

/// A search matching more than 10,000 tasks, in another order than
/// `created_at`: where both stores walk the order's index, checking each
/// task's words, instead of sorting every match (Neo4j `-created_at`
/// too; SQLite reads that order through its search index). Its pages are those of
/// any sorted list, alone and within their project (on Neo4j, a walk of
/// the project's list). (Tagged with the test's own word, so that on the
/// shared Neo4j the walk reads this test's tasks only.)
pub(crate) async fn a_search_matching_ten_thousand_tasks_pages_in_another_order_like_any_list<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let project = stored_project(store).await;
    let u = unique();
    let tag = Tags::from_tags(vec![Tag::parse(&u).unwrap()]);
    let mut tasks: Vec<Task> = Vec::new();
    for batch in 0..11 {
        let created: Vec<Task> = (0..1_000)
            .map(|i| {
                let n = batch * 1_000 + i;
                let mut task = titled(&if n % 50 == 0 { format!("Khác {n}") } else { format!("Việc {n}") });
                task.priority = [Priority::Normal, Priority::High, Priority::Urgent][n % 3];
                task.tags = tag.clone();
                task.project_id = Some(project);
                task
            })
            .collect();
        store.create_tasks(&created, &[]).await.unwrap();
        tasks.extend(created);
    }
    let tagged = TaskFilter { tag: Some(Tag::parse(&u).unwrap()), ..searching(&format!("{u} viec")) };
    let in_project = TaskFilter { project_id: Some(project), ..searching(&format!("{u} viec")) };
    let sorts = [TaskSort::PriorityDesc, TaskSort::UpdatedAt, TaskSort::CreatedAtDesc];
    for (sort, search) in sorts.into_iter().flat_map(|sort| [(sort, &tagged), (sort, &in_project)]) {
        let filter = TaskFilter { sort, ..search.clone() };
        let mut expected: Vec<&Task> = tasks.iter().filter(|task| task.title.as_str().starts_with("Việc")).collect();
        // The sort's key, then creation time and id, all in its direction.
        expected.sort_by(|a, b| match sort {
            TaskSort::PriorityDesc => {
                (b.priority.level(), b.created_at, b.uid).cmp(&(a.priority.level(), a.created_at, a.uid))
            }
            TaskSort::UpdatedAt => (a.updated_at, a.created_at, a.uid).cmp(&(b.updated_at, b.created_at, b.uid)),
            _ => (b.created_at, b.uid).cmp(&(a.created_at, a.uid)),
        });
        let mut listed: Vec<String> = Vec::new();
        let mut page = PageRequest::new(100, None).unwrap();
        for _ in 0..2 {
            let found = store.list_tasks(&filter, page).await.unwrap();
            listed.extend(found.items.iter().map(|task| task.uid.to_string()));
            page = PageRequest::new(100, found.next).unwrap();
        }
        let wanted: Vec<String> = expected[..200].iter().map(|task| task.uid.to_string()).collect();
        assert_eq!(listed, wanted, "{sort:?}, in a project: {}", filter.project_id.is_some());
    }
}
