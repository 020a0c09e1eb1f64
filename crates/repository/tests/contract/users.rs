//! The user part of the contract: a user's round trip, usernames unique
//! regardless of case (also under racing creates), versioned updates,
//! deletes that unassign the user's tasks, and keyset paging of users.

use trm_domain::{Cursor, EntityKind, EventMetadata, FullName, Task, Timestamp, User, UserId, Username};
use trm_repository::{StoreError, TaskFilter, TaskRepository, UserFilter, UserRepository};

use super::support::{self, Backend, at, list_all, page, plus, stored_project, task, unique_window};

pub(crate) async fn a_created_user_reads_back_with_every_field<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let mut full = support::user();
    full.full_name = Some(FullName::parse("Ada Lovelace").unwrap());
    full.is_active = false;
    full.created_at = at("2026-11-26T03:12:45.654321Z");
    store.create_user(&full, &[]).await.unwrap();
    assert_eq!(store.get_user(full.uid).await.unwrap().unwrap(), full);

    let bare = support::user();
    store.create_user(&bare, &[]).await.unwrap();
    let read = store.get_user(bare.uid).await.unwrap().unwrap();
    assert_eq!(read, bare);
    assert_eq!((read.full_name, read.is_active), (None, true));
    assert_eq!(store.get_user(UserId::new()).await.unwrap(), None);
}

pub(crate) async fn usernames_are_unique_regardless_of_case<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let first = support::user();
    store.create_user(&first, &[]).await.unwrap();

    let mut shouting = support::user();
    shouting.username = Username::parse(&first.username.as_str().to_uppercase()).unwrap();
    let error = store.create_user(&shouting, &[]).await.unwrap_err();
    assert!(matches!(error, StoreError::Duplicate("username")), "{error:?}");
    assert_eq!(store.get_user(shouting.uid).await.unwrap(), None, "a duplicate stores nothing");

    let second = support::user();
    store.create_user(&second, &[]).await.unwrap();
    let mut renamed = second.clone();
    renamed.username = Username::parse(&first.username.as_str().to_uppercase()).unwrap();
    renamed.version = 2;
    let error = store.update_user(&renamed, &[]).await.unwrap_err();
    assert!(matches!(error, StoreError::Duplicate("username")), "{error:?}");
    assert_eq!(store.get_user(second.uid).await.unwrap().unwrap(), second, "a duplicate changes nothing");

    // A user may change the case of their own name.
    let mut recased = first.clone();
    recased.username = Username::parse(&first.username.as_str().to_uppercase()).unwrap();
    recased.version = 2;
    store.update_user(&recased, &[]).await.unwrap();
    assert_eq!(store.get_user(first.uid).await.unwrap().unwrap(), recased);
}

pub(crate) async fn of_two_racing_creates_of_one_username_exactly_one_wins<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    for round in 0..6 {
        let left = support::user();
        let mut right = support::user();
        right.username = Username::parse(&left.username.as_str().to_uppercase()).unwrap();
        let (a, b) = tokio::join!(store.create_user(&left, &[]), store.create_user(&right, &[]));
        let winners = [&a, &b].iter().filter(|outcome| outcome.is_ok()).count();
        assert_eq!(winners, 1, "round {round}: {a:?} / {b:?}");
        let loser = if a.is_ok() { b } else { a };
        assert!(matches!(loser, Err(StoreError::Duplicate("username"))), "round {round}: {loser:?}");
    }
}

pub(crate) async fn a_user_update_needs_the_stored_version<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let original = support::user();
    store.create_user(&original, &[]).await.unwrap();

    let mut deactivated = original.clone();
    deactivated.is_active = false;
    deactivated.full_name = Some(FullName::parse("Grace Hopper").unwrap());
    deactivated.version = 2;
    store.update_user(&deactivated, &[]).await.unwrap();
    assert_eq!(store.get_user(original.uid).await.unwrap().unwrap(), deactivated);

    let error = store.update_user(&deactivated, &[]).await.unwrap_err();
    assert!(matches!(error, StoreError::VersionConflict), "{error:?}");
    let mut ghost = support::user();
    ghost.version = 2;
    let error = store.update_user(&ghost, &[]).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound(EntityKind::User)), "{error:?}");
    assert_eq!(store.get_user(ghost.uid).await.unwrap(), None);
}

pub(crate) async fn deleting_a_user_unassigns_their_tasks<B: Backend>(backend: &B) {
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
        store.create_task(task, &[]).await.unwrap();
    }
    let mut other = task("Someone else's", Some(project));
    other.assignee_id = Some(staying);
    store.create_task(&other, &[]).await.unwrap();

    let now = at("2026-05-01T00:00:00.000007Z");
    let unassigned = store.delete_user(leaving, Some(1), now, Some(EventMetadata::default())).await.unwrap().affected;
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
    assert_eq!(store.delete_user(idle, None, now, Some(EventMetadata::default())).await.unwrap().affected, []);
}

pub(crate) async fn deleting_a_user_checks_existence_and_version<B: Backend>(backend: &B) {
    let fixture = backend.open().await;
    let store = &fixture.store;
    let error =
        store.delete_user(UserId::new(), None, Timestamp::now(), Some(EventMetadata::default())).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound(EntityKind::User)), "{error:?}");

    let user = fixture.add_user().await;
    let mut assigned = task("Assigned", None);
    assigned.assignee_id = Some(user);
    store.create_task(&assigned, &[]).await.unwrap();
    let error = store.delete_user(user, Some(3), Timestamp::now(), Some(EventMetadata::default())).await.unwrap_err();
    assert!(matches!(error, StoreError::VersionConflict), "{error:?}");
    assert!(store.get_user(user).await.unwrap().is_some());
    assert_eq!(store.get_task(assigned.uid).await.unwrap().unwrap(), assigned, "a conflict unassigns nothing");
}

pub(crate) async fn users_page_in_keyset_order_and_filter_by_activity<B: Backend>(backend: &B) {
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
        store.create_user(user, &[]).await.unwrap();
    }
    users.sort_by_key(User::cursor);
    let in_window = |u: &User| u.created_at <= plus(window, 6);

    let start = Cursor::new(plus(window, -1), uuid::Uuid::nil());
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
