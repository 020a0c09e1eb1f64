//! [`TaskRepository`] on SQLite.

use std::collections::HashMap;
use std::sync::LazyLock;

use async_trait::async_trait;
use rusqlite::{Transaction, params_from_iter};
use trm_domain::{
    Direction, DomainEvent, EntityKind, EventMetadata, Page, PageRequest, SortField, Task, TaskId, TaskStatus,
    Timestamp, WalkDepth,
};
use uuid::Uuid;

use super::events::{append, encode, encode_born};
use super::rows::{TASK_COLUMN_COUNT, TASK_COLUMNS, exists, optional_value, placeholders, task_from_row, task_values};
use super::search_walk::{SearchBudget, walk_search};
use super::search_words::{match_expression, remember};
use super::subtasks::{has_subtasks, parent_problem, subtree};
use super::task_graph::{
    find_cycle, insert_blockers, missing_blockers, read_survivors, release_survivors, store_blockers, walk,
    with_blockers,
};
use super::task_list::{DENSE_FILTER_MATCHES, Reading, WALK_BUDGET, list_query, walk_fills_page, walks_sort_index};
use super::{SqliteStore, unexpected};
use super::{search_order, search_pending};
use crate::error::StoreError;
use crate::ports::{Cascade, TaskFilter, TaskRepository};
use crate::rules::{check_version, status_count, task_search_text};
use crate::search_walk::{DENSE_SEARCH_MATCHES, ENTRIES_A_STATEMENT, MOST_SEARCH_MATCHES_COUNTED};

/// Fails with `MissingReference` unless the task's project and assignee
/// exist, then with `MissingBlockers` (at index 0) unless its blockers do.
fn check_references(tx: &Transaction<'_>, task: &Task) -> Result<(), StoreError> {
    if let Some(&kind) = missing_references(tx, task)?.first() {
        return Err(StoreError::MissingReference(kind));
    }
    let missing = missing_blockers(tx, task)?;
    if missing.is_empty() { Ok(()) } else { Err(StoreError::MissingBlockers(missing_at(0, missing))) }
}

/// Missing blockers of the task at `index` of a write.
fn missing_at(index: usize, missing: Vec<TaskId>) -> Vec<(usize, TaskId)> {
    missing.into_iter().map(|id| (index, id)).collect()
}

/// The kinds of the task's references that name nothing stored: its
/// project, then its assignee, then its parent (a `Task`).
fn missing_references(tx: &Transaction<'_>, task: &Task) -> Result<Vec<EntityKind>, StoreError> {
    let mut missing = Vec::new();
    if let Some(project) = task.project_id {
        let found = exists(tx, "SELECT 1 FROM projects WHERE uid = ?1", &project.to_string())
            .map_err(unexpected("cannot look up the task's project"))?;
        if !found {
            missing.push(EntityKind::Project);
        }
    }
    if let Some(user) = task.assignee_id {
        let found = exists(tx, "SELECT 1 FROM users WHERE uid = ?1", &user.to_string())
            .map_err(unexpected("cannot look up the task's assignee"))?;
        if !found {
            missing.push(EntityKind::User);
        }
    }
    if let Some(parent) = task.parent_id {
        let found = exists(tx, "SELECT 1 FROM tasks WHERE uid = ?1", &parent.to_string())
            .map_err(unexpected("cannot look up the task's parent"))?;
        if !found {
            missing.push(EntityKind::Task);
        }
    }
    Ok(missing)
}

/// The statement that inserts a task row with its number in the search
/// index; made once, not per task (a bulk create inserts a thousand).
static INSERT_TASK: LazyLock<String> = LazyLock::new(|| {
    format!("INSERT INTO tasks ({TASK_COLUMNS}, search_id) VALUES ({})", placeholders(TASK_COLUMN_COUNT + 1))
});

/// A new task with the text its insert needs — its id and its folded
/// search words — made by the caller's task before the write is queued,
/// not by the one writer thread every write waits for.
struct NewTaskRow {
    task: Task,
    uid: String,
    words: String,
}

impl NewTaskRow {
    fn of(task: Task) -> Self {
        Self { uid: task.uid.to_string(), words: task_search_text(&task), task }
    }
}

/// Inserts a new task whose references are known to exist, with its tags,
/// its blockers, its number in the search index (from `numbers`) and its
/// words.
fn insert_task(tx: &Transaction<'_>, row: &NewTaskRow, numbers: &mut SearchNumbers) -> Result<(), StoreError> {
    let task = &row.task;
    let number = numbers.next(tx, task.created_at)?;
    let values = task_values(task).into_iter().chain(std::iter::once(rusqlite::types::Value::Integer(number)));
    tx.prepare_cached(&INSERT_TASK)
        .and_then(|mut insert| insert.execute(params_from_iter(values)))
        .map_err(unexpected("cannot insert the task"))?;
    insert_tags(tx, task)?;
    insert_blockers(tx, task)?;
    record_words(tx, &row.uid, number, &row.words, true)
}

/// Gives the tasks one write creates their numbers in the search index,
/// asking the index for the highest number taken once per millisecond of
/// creation rather than once per task: within one write nothing else
/// inserts tasks, so the next free number is the one after the last given.
#[derive(Default)]
struct SearchNumbers {
    /// The last number given, by the first number of its millisecond.
    last_given: HashMap<i64, i64>,
}

impl SearchNumbers {
    fn next(&mut self, tx: &Transaction<'_>, created_at: Timestamp) -> Result<i64, StoreError> {
        let (first, last) = search_order::numbers_for(created_at);
        let number = match self.last_given.get(&first) {
            Some(&given) if given < last => given + 1,
            Some(_) => return Err(too_many_in_one_millisecond()),
            None => new_search_number(tx, created_at)?,
        };
        self.last_given.insert(first, number);
        Ok(number)
    }
}

fn too_many_in_one_millisecond() -> StoreError {
    StoreError::Unexpected(anyhow::anyhow!("more tasks created in one millisecond than the search index numbers"))
}

/// Puts the task's folded words in the search index, in place of any it
/// had there.
pub(super) fn index_task_words(tx: &Transaction<'_>, task: &Task) -> Result<(), StoreError> {
    index_words(tx, &task.uid.to_string(), task.created_at, &task_search_text(task))
}

/// Puts `words` in the search index as the words of the stored task `uid`,
/// created at `created_at`, in place of any it had there: under its number
/// in the index (given once, on its first write, in list order; see
/// [`search_order`]) — which reach the index when the transaction commits
/// (see [`search_pending`]).
pub(super) fn index_words(
    tx: &Transaction<'_>,
    uid: &str,
    created_at: Timestamp,
    words: &str,
) -> Result<(), StoreError> {
    let numbered: Option<Option<i64>> = optional_value(tx, "SELECT search_id FROM tasks WHERE uid = ?1", &uid)
        .map_err(unexpected("cannot read the task's number in the search index"))?;
    match numbered {
        Some(Some(number)) => record_words(tx, uid, number, words, false),
        Some(None) => {
            let number = new_search_number(tx, created_at)?;
            tx.prepare_cached("UPDATE tasks SET search_id = ?1 WHERE uid = ?2")
                .and_then(|mut number_it| number_it.execute(rusqlite::params![number, uid]))
                .map_err(unexpected("cannot number the task in the search index"))?;
            record_words(tx, uid, number, words, true)
        }
        None => Err(StoreError::Unexpected(anyhow::anyhow!("no stored task {uid} to index the words of"))),
    }
}

/// The lowest number of the search index not yet taken in the millisecond
/// of `created_at` (see [`search_order`]).
fn new_search_number(tx: &Transaction<'_>, created_at: Timestamp) -> Result<i64, StoreError> {
    let (first, last) = search_order::numbers_for(created_at);
    let taken: Option<i64> = tx
        .prepare_cached("SELECT max(search_id) FROM tasks WHERE search_id BETWEEN ?1 AND ?2")
        .and_then(|mut highest| highest.query_row([first, last], |row| row.get(0)))
        .map_err(unexpected("cannot find a free number in the search index"))?;
    match taken {
        None => Ok(first),
        Some(taken) if taken < last => Ok(taken + 1),
        Some(_) => Err(too_many_in_one_millisecond()),
    }
}

/// Records `words` as the words of task `uid` under `number` for the
/// commit (`fresh`: a number given by this transaction, with no words in
/// the index to replace), and the words in the search's vocabulary.
fn record_words(tx: &Transaction<'_>, uid: &str, number: i64, words: &str, fresh: bool) -> Result<(), StoreError> {
    search_pending::record(tx, uid, number, words, fresh)?;
    remember(tx, words)
}

fn insert_tags(tx: &Transaction<'_>, task: &Task) -> Result<(), StoreError> {
    let mut insert = tx
        .prepare_cached("INSERT INTO task_tags (task_uid, tag) VALUES (?1, ?2)")
        .map_err(unexpected("cannot prepare the tag insert"))?;
    let uid = task.uid.to_string();
    for tag in task.tags.iter_str() {
        insert.execute([uid.as_str(), tag]).map_err(unexpected("cannot store a tag"))?;
    }
    Ok(())
}

/// Checks the stored version of a task inside a write transaction.
///
/// `expected` of `None` accepts any version.
pub(super) fn check_task_version(tx: &Transaction<'_>, id: TaskId, expected: Option<u64>) -> Result<(), StoreError> {
    let stored: Option<i64> = optional_value(tx, "SELECT version FROM tasks WHERE uid = ?1", &id.to_string())
        .map_err(unexpected("cannot read the task's version"))?;
    check_version(stored, expected, EntityKind::Task)
}

#[async_trait]
impl TaskRepository for SqliteStore {
    async fn create_task(&self, task: &Task, events: &[DomainEvent]) -> Result<(), StoreError> {
        let row = NewTaskRow::of(task.clone());
        let events = encode_born(events, |id| (id == *task.uid.as_uuid()).then_some(task.created_at))?;
        self.write(move |tx| {
            check_references(tx, &row.task)?;
            if let Some(problem) = parent_problem(tx, &row.task)? {
                return Err(problem.into_error(0));
            }
            insert_task(tx, &row, &mut SearchNumbers::default())?;
            append(tx, &events)
        })
        .await
    }

    async fn create_tasks(&self, tasks: &[Task], events: &[DomainEvent]) -> Result<(), StoreError> {
        let births: HashMap<Uuid, Timestamp> =
            tasks.iter().map(|task| (*task.uid.as_uuid(), task.created_at)).collect();
        let events = encode_born(events, |id| births.get(&id).copied())?;
        let rows: Vec<NewTaskRow> = tasks.iter().cloned().map(NewTaskRow::of).collect();
        self.write(move |tx| {
            let tasks = rows.iter().map(|row| &row.task);
            let mut missing = Vec::new();
            for (index, task) in tasks.clone().enumerate() {
                missing.extend(missing_references(tx, task)?.into_iter().map(|kind| (index, kind)));
            }
            if !missing.is_empty() {
                return Err(StoreError::MissingReferences(missing));
            }
            let mut missing = Vec::new();
            for (index, task) in tasks.clone().enumerate() {
                missing.extend(missing_at(index, missing_blockers(tx, task)?));
            }
            if !missing.is_empty() {
                return Err(StoreError::MissingBlockers(missing));
            }
            let mut too_deep = Vec::new();
            for (index, task) in tasks.enumerate() {
                if parent_problem(tx, task)?.is_some() {
                    too_deep.push(index);
                }
            }
            if !too_deep.is_empty() {
                return Err(StoreError::NestingTooDeep(too_deep));
            }
            let mut numbers = SearchNumbers::default();
            rows.iter().try_for_each(|row| insert_task(tx, row, &mut numbers))?;
            append(tx, &events)
        })
        .await
    }

    async fn get_task(&self, id: TaskId) -> Result<Option<Task>, StoreError> {
        self.read(move |conn| {
            let sql = format!("SELECT {TASK_COLUMNS} FROM tasks WHERE uid = ?1");
            let mut select = conn.prepare_cached(&sql).map_err(unexpected("cannot prepare the task lookup"))?;
            let mut rows = select.query([id.to_string()]).map_err(unexpected("cannot look the task up"))?;
            let task = rows
                .next()
                .and_then(|row| row.map(task_from_row).transpose())
                .map_err(unexpected("cannot read the task"))?;
            Ok(with_blockers(conn, task.into_iter().collect())?.pop())
        })
        .await
    }

    async fn list_tasks(&self, filter: &TaskFilter, page: PageRequest) -> Result<Page<Task>, StoreError> {
        let filter = filter.clone();
        let sort = filter.sort;
        self.read(move |conn| {
            let search = filter.search.as_ref().map(|search| match_expression(conn, search)).transpose()?;
            if let (Some(query), Some(expression)) = (&filter.search, &search)
                && sort.field() != SortField::CreatedAt
                && let Some(mut budget) =
                    SearchBudget::of(conn, expression, DENSE_SEARCH_MATCHES, MOST_SEARCH_MATCHES_COUNTED)
                        .map_err(unexpected("cannot count a search's matches"))?
                && let Some(rows) =
                    walk_search(conn, &filter, query, page, ENTRIES_A_STATEMENT, |entries| budget.allows(entries))
                        .map_err(unexpected("cannot walk a search's order"))?
            {
                return Ok(Page::from_overfetched(with_blockers(conn, rows)?, page, |task| sort.cursor_of(task)));
            }
            let along_sort_index = (walks_sort_index(conn, &filter, DENSE_FILTER_MATCHES)
                .and_then(|dense| Ok(dense && walk_fills_page(conn, &filter, page, WALK_BUDGET)?)))
            .map_err(unexpected("cannot count the tasks a list filters"))?;
            let reading = if along_sort_index { Reading::AlongSortIndex } else { Reading::Sorted };
            let (sql, params) = list_query(&filter, page, search.as_deref(), reading);
            let mut select = conn.prepare_cached(&sql).map_err(unexpected("cannot prepare the task list"))?;
            let rows = select
                .query_map(params_from_iter(params), task_from_row)
                .and_then(Iterator::collect::<rusqlite::Result<Vec<Task>>>)
                .map_err(unexpected("cannot list tasks"))?;
            Ok(Page::from_overfetched(with_blockers(conn, rows)?, page, |task| sort.cursor_of(task)))
        })
        .await
    }

    async fn update_task(&self, task: &Task, events: &[DomainEvent]) -> Result<(), StoreError> {
        let task = task.clone();
        let events = encode(events)?;
        self.write(move |tx| {
            check_task_version(tx, task.uid, Some(task.version.saturating_sub(1)))?;
            check_references(tx, &task)?;
            if let Some(cycle) = find_cycle(tx, &task)? {
                return Err(StoreError::DependencyCycle(cycle));
            }
            if let Some(problem) = parent_problem(tx, &task)? {
                return Err(problem.into_error(0));
            }
            let assignments: Vec<String> = TASK_COLUMNS
                .split(", ")
                .enumerate()
                .skip(1)
                .map(|(i, column)| format!("{column} = ?{}", i + 1))
                .collect();
            let sql = format!("UPDATE tasks SET {} WHERE uid = ?1", assignments.join(", "));
            tx.prepare_cached(&sql)
                .and_then(|mut update| update.execute(params_from_iter(task_values(&task))))
                .map_err(unexpected("cannot update the task"))?;
            tx.prepare_cached("DELETE FROM task_tags WHERE task_uid = ?1")
                .and_then(|mut delete| delete.execute([task.uid.to_string()]))
                .map_err(unexpected("cannot replace the task's tags"))?;
            insert_tags(tx, &task)?;
            store_blockers(tx, &task)?;
            index_task_words(tx, &task)?;
            append(tx, &events)
        })
        .await
    }

    async fn delete_task(
        &self,
        id: TaskId,
        expected_version: Option<u64>,
        cascade: bool,
        now: Timestamp,
        metadata: Option<EventMetadata>,
    ) -> Result<Cascade<Task>, StoreError> {
        self.write(move |tx| {
            check_task_version(tx, id, expected_version)?;
            let doomed = if cascade {
                subtree(tx, id)?
            } else if has_subtasks(tx, id)? {
                return Err(StoreError::HasSubtasks);
            } else {
                vec![id]
            };
            let survivors = release_survivors(tx, &doomed, now.as_micros())?;
            // Sub-tasks first, so no row points at a deleted parent;
            // `task_tags` rows go with each through ON DELETE CASCADE.
            let mut delete = tx
                .prepare_cached("DELETE FROM tasks WHERE uid = ?1")
                .map_err(unexpected("cannot prepare the delete"))?;
            for doomed in &doomed {
                delete.execute([doomed.to_string()]).map_err(unexpected("cannot delete the task"))?;
            }
            let affected = read_survivors(tx, &survivors)?;
            let deleted: Vec<uuid::Uuid> = doomed.iter().map(|id| *id.as_uuid()).collect();
            let events = metadata
                .as_ref()
                .map(|metadata| DomainEvent::tasks_deleted(&deleted, &affected, metadata))
                .unwrap_or_default();
            append(tx, &encode(&events)?)?;
            Ok(Cascade { affected, events })
        })
        .await
    }

    async fn walk_tasks(
        &self,
        id: TaskId,
        direction: Direction,
        depth: WalkDepth,
    ) -> Result<Vec<(u8, Task)>, StoreError> {
        self.read(move |conn| {
            let found = exists(conn, "SELECT 1 FROM tasks WHERE uid = ?1", &id.to_string())
                .map_err(unexpected("cannot look the task up"))?;
            if !found {
                return Err(StoreError::NotFound(EntityKind::Task));
            }
            walk(conn, id, direction, depth)
        })
        .await
    }

    async fn count_tasks_by_status(&self) -> Result<Vec<(TaskStatus, u64)>, StoreError> {
        self.read(|conn| {
            let mut select = conn
                .prepare_cached("SELECT status, COUNT(*) FROM tasks GROUP BY status")
                .map_err(unexpected("cannot prepare the status count"))?;
            let rows = select
                .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?)))
                .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
                .map_err(unexpected("cannot count tasks by status"))?;
            rows.into_iter().map(|(status, count)| status_count(&status, count)).collect()
        })
        .await
    }

    async fn recent_tasks(&self, limit: u32) -> Result<Vec<Task>, StoreError> {
        self.read(move |conn| {
            let sql = format!("SELECT {TASK_COLUMNS} FROM tasks ORDER BY created_at DESC, uid DESC LIMIT ?1");
            let mut select = conn.prepare_cached(&sql).map_err(unexpected("cannot prepare the recent tasks"))?;
            let tasks = select
                .query_map([i64::from(limit)], task_from_row)
                .and_then(Iterator::collect::<rusqlite::Result<Vec<Task>>>)
                .map_err(unexpected("cannot read the recent tasks"))?;
            with_blockers(conn, tasks)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;
    use trm_domain::{EnumAdapter as _, NewTask, ProjectId, TaskSort, TaskStatus, Title, UserId};

    use super::super::rows::{TASK_COLUMN_COUNT, placeholders, task_values};

    use super::*;

    /// SQLite's plan for the adapter's own list query, as its `detail` lines.
    fn plan(filter: &TaskFilter) -> String {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::schema::migrate(&mut conn).unwrap();
        let search = filter.search.as_ref().map(|search| match_expression(&conn, search).unwrap());
        let (sql, params) = list_query(filter, PageRequest::first(), search.as_deref(), Reading::Sorted);
        let mut statement = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = statement
            .query_map(rusqlite::params_from_iter(params), |row| row.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap();
        rows.join("; ")
    }

    #[test]
    fn a_page_of_one_project_and_one_status_is_an_index_range_in_list_order() {
        let filter = TaskFilter {
            project_id: Some(ProjectId::new()),
            statuses: vec![TaskStatus::Todo],
            ..TaskFilter::default()
        };
        let plan = plan(&filter);
        assert!(plan.contains("USING INDEX tasks_by_project_status (project_id=? AND status=?)"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "a page must not sort: {plan}");
    }

    #[test]
    fn a_blocked_page_in_list_order_walks_the_index_of_blocked_tasks() {
        let plan = plan(&TaskFilter { blocked: Some(true), ..TaskFilter::default() });
        assert!(plan.contains("USING INDEX tasks_blocked"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "a page must not sort: {plan}");
    }

    #[test]
    fn a_search_page_in_list_order_walks_the_search_index_in_its_order() {
        let search = trm_domain::search::SearchQuery::parse("da nang").unwrap();
        for sort in [TaskSort::CreatedAt, TaskSort::CreatedAtDesc] {
            let plan = plan(&TaskFilter { search: Some(search.clone()), sort, ..TaskFilter::default() });
            assert!(!plan.contains("SCAN tasks"), "no scan of every task: {plan}");
        }
    }

    #[test]
    fn a_page_of_one_assignee_reads_its_index_in_list_order() {
        let filter = TaskFilter { assignee_id: Some(UserId::new()), ..TaskFilter::default() };
        let plan = plan(&filter);
        assert!(plan.contains("USING INDEX tasks_by_assignee (assignee_id=?)"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "a page must not sort: {plan}");
    }

    #[test]
    fn a_page_by_due_date_either_way_walks_the_due_date_index_and_sorts_only_what_it_read() {
        for sort in [TaskSort::DueDate, TaskSort::DueDateDesc] {
            let plan = plan(&TaskFilter { sort, ..TaskFilter::default() });
            assert!(plan.contains("USING INDEX tasks_by_due (due_date>?)"), "{plan}");
            assert!(plan.contains("USING INDEX tasks_by_due (due_date=?)"), "undated tasks: {plan}");
            assert!(!plan.contains("SCAN tasks"), "no scan of every task: {plan}");
        }
    }

    /// A store of `count` tasks whose statuses, priorities, due dates
    /// (some missing) and update times vary, sharing creation times in
    /// pairs, so that every order has ties to break.
    fn varied_tasks(count: i64) -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::schema::migrate(&mut conn).unwrap();
        let insert = format!("INSERT INTO tasks ({TASK_COLUMNS}) VALUES ({})", placeholders(TASK_COLUMN_COUNT));
        let statuses = [TaskStatus::Todo, TaskStatus::InProgress, TaskStatus::Done];
        for n in 0..count {
            let title = Title::parse(&format!("Varied {n}")).unwrap();
            let task = Task::create(NewTask::new(title), Timestamp::from_micros(1_000 + n / 2).unwrap()).unwrap();
            conn.execute(&insert, rusqlite::params_from_iter(task_values(&task))).unwrap();
            let due = (n % 4 != 0).then_some(5_000 + (n * 7) % 11);
            let status = statuses[usize::try_from(n % 3).unwrap()].as_str();
            conn.execute(
                "UPDATE tasks SET status = ?1, priority = ?2, due_date = ?3, updated_at = ?4 WHERE uid = ?5",
                rusqlite::params![status, (n * 5) % 3, due, 9_000 + (n * 13) % 17, task.uid.to_string()],
            )
            .unwrap();
        }
        conn
    }

    /// Every page of `filter` (`limit` at a time, each after the last one's
    /// cursor), read along the sort's index or not.
    fn all_pages(conn: &Connection, filter: &TaskFilter, along_sort_index: bool) -> Vec<Vec<String>> {
        let mut pages = Vec::new();
        let mut page = PageRequest::new(4, None).unwrap();
        loop {
            let reading = if along_sort_index { Reading::AlongSortIndex } else { Reading::Sorted };
            let (sql, params) = list_query(filter, page, None, reading);
            let tasks: Vec<Task> = conn
                .prepare(&sql)
                .unwrap()
                .query_map(rusqlite::params_from_iter(params), task_from_row)
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            let listed = Page::from_overfetched(tasks, page, |task| filter.sort.cursor_of(task));
            pages.push(listed.items.iter().map(|task| task.uid.to_string()).collect());
            match listed.next {
                Some(next) => page = PageRequest::new(4, Some(next)).unwrap(),
                None => return pages,
            }
        }
    }

    #[test]
    fn a_page_walking_its_sorts_index_lists_what_the_sorted_page_lists() {
        let conn = varied_tasks(40);
        for sort in TaskSort::ALL {
            for statuses in [vec![TaskStatus::Todo], vec![TaskStatus::Done, TaskStatus::InProgress]] {
                let filter = TaskFilter { sort, statuses, ..TaskFilter::default() };
                let sorted = all_pages(&conn, &filter, false);
                assert!(sorted.len() > 2, "{sort:?}: several pages");
                assert_eq!(all_pages(&conn, &filter, true), sorted, "{sort:?}");
            }
        }
    }

    #[test]
    fn a_walk_is_taken_only_when_the_page_fills_within_its_budget_or_the_index_ends() {
        let conn = varied_tasks(30);
        // The 10 done tasks become the least recently updated.
        conn.execute("UPDATE tasks SET updated_at = updated_at - 1000 WHERE status = 'done'", []).unwrap();
        let done =
            TaskFilter { sort: TaskSort::UpdatedAtDesc, statuses: vec![TaskStatus::Done], ..TaskFilter::default() };
        let first = PageRequest::new(4, None).unwrap();
        assert!(!walk_fills_page(&conn, &done, first, 20).unwrap(), "the 20 others come first");
        assert!(walk_fills_page(&conn, &done, first, 25).unwrap(), "a page and one more are in the first 25");
        let oldest_first = TaskFilter { sort: TaskSort::UpdatedAt, ..done.clone() };
        assert!(walk_fills_page(&conn, &oldest_first, first, 5).unwrap(), "they come first this way");
        assert!(walk_fills_page(&conn, &done, first, 100).unwrap(), "the index ends within the budget");
        // After a cursor, the walk starts there.
        let tenth = all_pages(&conn, &TaskFilter { sort: TaskSort::UpdatedAtDesc, ..TaskFilter::default() }, false)
            .concat()[24]
            .clone();
        let tenth: Task = conn
            .query_row(&format!("SELECT {TASK_COLUMNS} FROM tasks WHERE uid = ?1"), [tenth], task_from_row)
            .unwrap();
        let after = PageRequest::new(4, Some(TaskSort::UpdatedAtDesc.cursor_of(&tenth))).unwrap();
        assert!(walk_fills_page(&conn, &done, after, 5).unwrap(), "five entries after the 25th are all done");
    }

    #[test]
    fn a_dense_filter_in_another_order_walks_that_orders_index_without_a_sort() {
        let conn = varied_tasks(12);
        let todo =
            TaskFilter { sort: TaskSort::UpdatedAtDesc, statuses: vec![TaskStatus::Todo], ..TaskFilter::default() };
        assert!(walks_sort_index(&conn, &todo, 4).unwrap(), "4 of 12 tasks are to do");
        assert!(!walks_sort_index(&conn, &todo, 5).unwrap(), "fewer than 5 are");
        let unfiltered = TaskFilter { sort: TaskSort::UpdatedAtDesc, ..TaskFilter::default() };
        assert!(!walks_sort_index(&conn, &unfiltered, 1).unwrap(), "no filter: the index is the page");
        let in_list_order = TaskFilter { statuses: vec![TaskStatus::Todo], ..TaskFilter::default() };
        assert!(!walks_sort_index(&conn, &in_list_order, 1).unwrap(), "the filter's index is in list order");

        for (sort, index) in [
            (TaskSort::UpdatedAtDesc, "tasks_by_updated"),
            (TaskSort::Priority, "tasks_by_priority"),
            (TaskSort::DueDateDesc, "tasks_by_due"),
        ] {
            let filter = TaskFilter { sort, ..todo.clone() };
            let (sql, params) = list_query(&filter, PageRequest::first(), None, Reading::AlongSortIndex);
            let plan: Vec<String> = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap()
                .query_map(rusqlite::params_from_iter(params), |row| row.get::<_, String>(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            let plan = plan.join("; ");
            assert!(plan.contains(&format!("USING INDEX {index}")), "{plan}");
            if sort != TaskSort::DueDateDesc {
                // (Undated tasks come after the dated ones in list order,
                // along the filter's own index: a union, sorted at the end.)
                assert!(!plan.contains("tasks_by_status") && !plan.contains("TEMP B-TREE"), "{plan}");
            }
        }
    }

    #[tokio::test]
    async fn a_search_matching_most_tasks_lists_them_in_another_order_through_a_walk_of_its_index() {
        use trm_domain::Priority;

        use crate::sqlite::{SqliteLocation, SqliteOptions};

        let store = SqliteStore::open_with(SqliteLocation::Memory, SqliteOptions::default()).await.unwrap();
        let now = Timestamp::now();
        let mut stored: Vec<Task> = Vec::new();
        for batch in 0..11 {
            let tasks: Vec<Task> = (0..1_000)
                .map(|i| {
                    let n = batch * 1_000 + i;
                    let title = if n % 50 == 0 { format!("Khác {n}") } else { format!("Việc {n}") };
                    let mut new = NewTask::new(Title::parse(&title).unwrap());
                    new.priority = [Priority::Normal, Priority::High, Priority::Urgent][n % 3];
                    Task::create(new, now).unwrap()
                })
                .collect();
            store.create_tasks(&tasks, &[]).await.unwrap();
            stored.extend(tasks);
        }
        let search = trm_domain::search::SearchQuery::parse("viec").unwrap();
        let expression = search.clone();
        let walked = store
            .read(move |conn| {
                let expression = match_expression(conn, &expression)?;
                let budget = SearchBudget::of(conn, &expression, DENSE_SEARCH_MATCHES, MOST_SEARCH_MATCHES_COUNTED);
                Ok(budget.map_err(unexpected("cannot count"))?.is_some())
            })
            .await
            .unwrap();
        assert!(walked, "10,780 matches: a walk");

        let mut expected: Vec<&Task> = stored.iter().filter(|task| task.title.as_str().starts_with("Việc")).collect();
        expected.sort_by_key(|task| std::cmp::Reverse((task.priority.level(), task.created_at, task.uid.to_string())));
        let filter = TaskFilter { search: Some(search), sort: TaskSort::PriorityDesc, ..TaskFilter::default() };
        let first = store.list_tasks(&filter, PageRequest::new(100, None).unwrap()).await.unwrap();
        let second = store.list_tasks(&filter, PageRequest::new(100, first.next).unwrap()).await.unwrap();
        let listed: Vec<TaskId> = first.items.iter().chain(&second.items).map(|task| task.uid).collect();
        let wanted: Vec<TaskId> = expected[..200].iter().map(|task| task.uid).collect();
        assert_eq!(listed, wanted);
    }

    #[test]
    fn a_page_by_priority_or_update_time_is_an_index_walk_without_a_sort() {
        for (sort, index) in [
            (TaskSort::PriorityDesc, "tasks_by_priority"),
            (TaskSort::UpdatedAt, "tasks_by_updated"),
            (TaskSort::CreatedAtDesc, "tasks_by_created"),
        ] {
            let plan = plan(&TaskFilter { sort, ..TaskFilter::default() });
            assert!(plan.contains(index), "{plan}");
            assert!(!plan.contains("TEMP B-TREE"), "a page must not sort: {plan}");
        }
    }
}
