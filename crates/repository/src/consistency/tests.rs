//! Tests of [`super`]: what a bookmark may be, and what a scope keeps.

use super::*;

#[test]
fn a_bookmark_is_one_to_1024_visible_ascii_characters() {
    let neo4j = "FB:kcwQ9vYF5wN+TCaprZQJITJbQnaQ";
    assert_eq!(Bookmark::parse(neo4j).unwrap().as_str(), neo4j);
    assert!(Bookmark::parse(&"a".repeat(MAX_BOOKMARK_LENGTH)).is_ok());
    for malformed in ["", "two words", "tab\there", "ünïcode", "line\n"] {
        assert_eq!(Bookmark::parse(malformed), Err(MalformedBookmark), "{malformed:?}");
    }
    assert_eq!(Bookmark::parse(&"a".repeat(MAX_BOOKMARK_LENGTH + 1)), Err(MalformedBookmark));
}

#[tokio::test]
async fn a_scope_hands_its_reads_the_bookmark_and_keeps_the_last_commit() {
    let sent = Bookmark::parse("bm:1").unwrap();
    let scoped = scope(Some(sent), async {
        let seen = wait_for();
        record("bm:2".to_owned());
        record("bm:3".to_owned());
        seen
    })
    .await;
    assert_eq!(scoped.output, ["bm:1"]);
    assert_eq!(scoped.written, Some(Bookmark("bm:3".to_owned())));
    assert!(!scoped.rejected);
}

#[tokio::test]
async fn a_scope_without_a_bookmark_waits_for_nothing_and_notes_a_rejection() {
    let scoped = scope(None, async {
        reject();
        wait_for()
    })
    .await;
    assert!(scoped.output.is_empty());
    assert_eq!(scoped.written, None);
    assert!(scoped.rejected);
}

#[tokio::test]
async fn outside_a_scope_nothing_is_waited_for_or_kept_and_spawned_tasks_are_outside() {
    record("lost".to_owned());
    reject();
    assert!(wait_for().is_empty());
    let scoped = scope(Some(Bookmark::parse("bm:1").unwrap()), async {
        tokio::spawn(async {
            record("from another task".to_owned());
            wait_for()
        })
        .await
        .unwrap()
    })
    .await;
    assert!(scoped.output.is_empty(), "a spawned task does not see the scope");
    assert_eq!(scoped.written, None);
}
