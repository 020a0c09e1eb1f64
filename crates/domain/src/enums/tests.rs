//! Tests of [`super`].

use proptest::prelude::*;

use super::*;

fn all_normalize_to<E: EnumAdapter + fmt::Debug>(spellings: &[&str], expected: E) {
    for spelling in spellings {
        assert_eq!(E::normalize(spelling), Ok(expected), "{spelling:?}");
    }
}

#[test]
fn every_task_status_example_of_the_contract_normalizes() {
    all_normalize_to(&["ToDo", "TODO", "to do", "to-do", "todo"], TaskStatus::Todo);
    all_normalize_to(
        &["InProgress", "IN_PROGRESS", "in progress", "wip", "doing", "in_progress"],
        TaskStatus::InProgress,
    );
    all_normalize_to(&["InReview", "review", "in_review"], TaskStatus::InReview);
    all_normalize_to(&["completed", "complete", "closed", "finished", "done"], TaskStatus::Done);
    all_normalize_to(&["canceled", "cancelled"], TaskStatus::Cancelled);
    all_normalize_to(&["pending", "open", "new"], TaskStatus::Todo);
    all_normalize_to(&["backlog"], TaskStatus::Backlog);
    all_normalize_to(&["blocked"], TaskStatus::Blocked);
}

#[test]
fn every_task_type_example_of_the_contract_normalizes() {
    all_normalize_to(&["Feature", "FEATURE", "feature"], TaskType::Feature);
    all_normalize_to(&["doc", "docs", "documentation"], TaskType::Documentation);
    all_normalize_to(&["enhancement", "improvement"], TaskType::Improvement);
    all_normalize_to(&["defect", "bug"], TaskType::Bug);
    all_normalize_to(&["chore"], TaskType::Chore);
    all_normalize_to(&["research"], TaskType::Research);
    all_normalize_to(&["meeting"], TaskType::Meeting);
}

#[test]
fn priorities_accept_levels_and_names() {
    all_normalize_to(&["normal", "0"], Priority::Normal);
    all_normalize_to(&["high", "HIGH", "1"], Priority::High);
    all_normalize_to(&["urgent", "2"], Priority::Urgent);
    assert_eq!(Priority::from_level(2), Ok(Priority::Urgent));
    assert!(Priority::from_level(3).is_err());
    assert!(Priority::from_level(-1).is_err());
}

#[test]
fn every_effort_unit_example_of_the_contract_normalizes() {
    all_normalize_to(&["h", "hour", "hours"], EffortUnit::Hours);
    all_normalize_to(&["d", "day", "days"], EffortUnit::Days);
    all_normalize_to(&["sp", "points", "story_points", "Story Points"], EffortUnit::StoryPoints);
}

#[test]
fn every_project_status_example_of_the_contract_normalizes() {
    all_normalize_to(&["OnHold", "on hold", "on_hold"], ProjectStatus::OnHold);
    all_normalize_to(&["active"], ProjectStatus::Active);
    all_normalize_to(&["completed"], ProjectStatus::Completed);
    all_normalize_to(&["archived"], ProjectStatus::Archived);
}

#[test]
fn unknown_values_are_rejected_with_the_accepted_list() {
    let error = TaskStatus::normalize("someday").unwrap_err();
    assert_eq!(
        error.to_string(),
        "Input should be 'backlog', 'todo', 'in_progress', 'in_review', 'blocked', 'done' or 'cancelled'"
    );
    assert!(TaskType::normalize("epic").is_err());
    assert!(EffortUnit::normalize("weeks").is_err());
    assert!(ProjectStatus::normalize("deleted").is_err());
    assert!(Priority::normalize("low").is_err());
}

#[test]
fn blank_and_separator_only_values_are_rejected() {
    for blank in ["", "   ", "-_-", "\t"] {
        assert!(TaskStatus::normalize(blank).is_err(), "{blank:?}");
    }
}

#[test]
fn canonical_values_are_what_is_written() {
    assert_eq!(serde_json_like(TaskStatus::InProgress), "in_progress");
    assert_eq!(EffortUnit::StoryPoints.to_string(), "story_points");
    assert_eq!(ProjectStatus::OnHold.to_string(), "on_hold");
    assert_eq!(Priority::Urgent.to_string(), "2");
}

fn serde_json_like(status: TaskStatus) -> String {
    status.as_str().to_owned()
}

/// Every accepted spelling of `E`: canonical values and synonyms.
fn spellings<E: EnumAdapter>() -> Vec<(String, E)> {
    E::VARIANTS
        .iter()
        .map(|v| (v.as_str().to_owned(), *v))
        .chain(E::SYNONYMS.iter().map(|(s, v)| ((*s).to_owned(), *v)))
        .collect()
}

/// Rewrites a spelling with arbitrary case and separators, driven by `noise`.
fn disguise(spelling: &str, noise: &[u8]) -> String {
    let mut out = String::new();
    for (i, c) in spelling.chars().filter(|c| *c != '_').enumerate() {
        let n = noise.get(i % noise.len().max(1)).copied().unwrap_or(0);
        match n % 4 {
            0 => out.push(' '),
            1 => out.push('-'),
            2 => out.push('_'),
            _ => {}
        }
        if n & 0x10 == 0 {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn check_disguises<E: EnumAdapter + fmt::Debug>(noise: &[u8]) {
    for (spelling, value) in spellings::<E>() {
        let disguised = disguise(&spelling, noise);
        assert_eq!(E::normalize(&disguised), Ok(value), "{spelling} disguised as {disguised:?}");
    }
}

fn check_canonical_fixed_points<E: EnumAdapter + fmt::Debug>() {
    for value in E::VARIANTS {
        assert_eq!(E::normalize(value.as_str()), Ok(*value));
        assert_eq!(E::normalize(E::normalize(value.as_str()).unwrap().as_str()), Ok(*value));
    }
}

#[test]
fn normalizing_a_canonical_value_returns_it() {
    check_canonical_fixed_points::<TaskStatus>();
    check_canonical_fixed_points::<TaskType>();
    check_canonical_fixed_points::<Priority>();
    check_canonical_fixed_points::<EffortUnit>();
    check_canonical_fixed_points::<ProjectStatus>();
}

proptest! {
    #[test]
    fn case_and_separators_never_matter(noise in proptest::collection::vec(any::<u8>(), 1..32)) {
        check_disguises::<TaskStatus>(&noise);
        check_disguises::<TaskType>(&noise);
        check_disguises::<Priority>(&noise);
        check_disguises::<EffortUnit>(&noise);
        check_disguises::<ProjectStatus>(&noise);
    }

    #[test]
    fn normalization_is_idempotent_for_any_input(input in "\\PC{0,24}") {
        if let Ok(value) = TaskStatus::normalize(&input) {
            prop_assert_eq!(TaskStatus::normalize(value.as_str()), Ok(value));
        }
    }

    #[test]
    fn any_input_either_normalizes_or_lists_accepted_values(input in "\\PC{0,24}") {
        match TaskType::normalize(&input) {
            Ok(value) => prop_assert!(TaskType::VARIANTS.contains(&value)),
            Err(FieldErrorKind::Enum(accepted)) => prop_assert_eq!(accepted.len(), TaskType::VARIANTS.len()),
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }
}
