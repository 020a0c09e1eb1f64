//! Reading query strings: every parameter known, every problem reported.
//!
//! A misspelt filter (`?stauts=done`) must not silently return everything,
//! so a parameter no route declares is a 422 `extra_forbidden`.

use trm_domain::search::SearchQuery;
use trm_domain::{
    Cursor, EnumAdapter, FieldError, FieldErrorKind, PageRequest, Tag, TaskSort, TaskStatus, TaskType, Timestamp,
    ValidationErrors,
};
use trm_service::{Overdue, TaskFilter};
use uuid::Uuid;

use crate::error::{ApiError, Source};
use crate::paging;

/// The parsed parameters of one request, consumed as they are read.
pub struct QueryParams {
    pairs: Vec<(String, String)>,
    errors: ValidationErrors,
}

impl QueryParams {
    /// Decodes a raw query string.
    ///
    /// # Errors
    /// 422 at `query` when the string is not valid URL encoding.
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).map_err(|_| {
            ApiError::invalid_part(
                Source::Query,
                FieldErrorKind::Invalid("the query string is not valid URL encoding".into()),
            )
        })?;
        Ok(Self { pairs, errors: ValidationErrors::new() })
    }

    /// Removes and returns every value of `name`, in order.
    pub fn take_all(&mut self, name: &str) -> Vec<String> {
        let mut values = Vec::new();
        self.pairs.retain(|(key, value)| {
            if key == name {
                values.push(value.clone());
                false
            } else {
                true
            }
        });
        values
    }

    /// The last value of `name`, if given (FastAPI's rule for repeats).
    pub fn take(&mut self, name: &str) -> Option<String> {
        self.take_all(name).pop()
    }

    /// Records a problem with parameter `name`.
    pub fn reject(&mut self, name: &str, kind: FieldErrorKind) {
        self.errors.push(FieldError::new(name, kind));
    }

    /// Reads an enum filter through the EnumAdapter.
    pub fn take_enum<E: EnumAdapter>(&mut self, name: &str) -> Option<E> {
        let text = self.take(name)?;
        E::normalize(&text).map_err(|kind| self.reject(name, kind)).ok()
    }

    /// Reads every value of a repeatable enum filter.
    pub fn take_enums<E: EnumAdapter>(&mut self, name: &str) -> Vec<E> {
        let texts = self.take_all(name);
        let mut values = Vec::with_capacity(texts.len());
        for text in texts {
            match E::normalize(&text) {
                Ok(value) if !values.contains(&value) => values.push(value),
                Ok(_) => {}
                Err(kind) => self.reject(name, kind),
            }
        }
        values
    }

    /// Reads a boolean flag (`true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`).
    pub fn take_bool(&mut self, name: &str) -> Option<bool> {
        let text = self.take(name)?;
        match text.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Some(true),
            "false" | "0" | "no" | "off" => Some(false),
            _ => {
                self.reject(name, FieldErrorKind::WrongType("bool"));
                None
            }
        }
    }

    /// Reads `limit` and `cursor` into a page request (the first page at the
    /// default size when both are absent).
    pub fn take_page(&mut self) -> PageRequest {
        self.take_page_with(paging::decode_cursor, paging::CURSOR_PATTERN)
    }

    /// Reads a task list's `limit` and `cursor`: the cursor may be a sorted
    /// one, and must have been made for `sort` (else a 422 at `cursor`).
    pub fn take_task_page(&mut self, sort: TaskSort) -> PageRequest {
        let page = self.take_page_with(paging::decode_task_cursor, paging::TASK_CURSOR_PATTERN);
        match page.after.map(|after| sort.check_cursor(&after)) {
            Some(Err(kind)) => {
                self.reject("cursor", kind);
                PageRequest::first()
            }
            _ => page,
        }
    }

    /// Reads `limit` and `cursor`, the cursor by `decode`.
    fn take_page_with(&mut self, decode: fn(&str) -> Option<Cursor>, pattern: &str) -> PageRequest {
        let limit = match self.take("limit") {
            None => i64::from(PageRequest::DEFAULT_LIMIT),
            Some(text) => match text.trim().parse::<i64>() {
                Ok(limit) => limit,
                Err(_) => {
                    self.reject("limit", FieldErrorKind::IntParsing);
                    i64::from(PageRequest::DEFAULT_LIMIT)
                }
            },
        };
        let after: Option<Cursor> = self.take("cursor").and_then(|text| {
            decode(&text)
                .ok_or_else(|| {
                    self.reject("cursor", FieldErrorKind::PatternMismatch(pattern.into()));
                })
                .ok()
        });
        PageRequest::new(limit, after).unwrap_or_else(|kind| {
            self.reject("limit", kind);
            PageRequest::first()
        })
    }

    /// Ends reading: unknown parameters are errors, and so is anything
    /// recorded.
    ///
    /// # Errors
    /// Every problem found, as one 422 at `query`.
    pub fn finish(mut self) -> Result<(), ApiError> {
        let mut unknown: Vec<String> = self.pairs.drain(..).map(|(key, _)| key).collect();
        unknown.dedup();
        for name in unknown {
            self.reject(&name, FieldErrorKind::ExtraForbidden);
        }
        if self.errors.is_empty() { Ok(()) } else { Err(ApiError::invalid(Source::Query, &self.errors)) }
    }
}

/// An id filter: `None` when absent; `Some(None)` when it is not a UUID and
/// therefore matches nothing (ids match exactly).
#[allow(clippy::option_option)]
fn id_filter(query: &mut QueryParams, name: &str) -> Option<Option<Uuid>> {
    query.take(name).map(|text| Uuid::parse_str(text.trim()).ok())
}

/// Which of the task list's filters a route's path fixes, so that its query
/// string may not name it (a route's own list of a project's tasks, or of
/// a task's sub-tasks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixedByPath {
    /// The whole task list: every filter comes from the query.
    Nothing,
    /// `/projects/{uid}/tasks/`: the project.
    Project,
    /// `/tasks/{uid}/subtasks`: the parent task.
    Parent,
}

/// Reads a task list's filters, its `sort` and its page (whose cursor must
/// have been made for that sort). The filter is `None` when it can match
/// nothing (a malformed id): the answer is an empty list without a store
/// call.
pub fn task_list(query: &mut QueryParams, fixed: FixedByPath) -> (Option<TaskFilter>, PageRequest) {
    let sort = take_sort(query);
    let filter = filter_of(query, fixed, sort);
    let page = query.take_task_page(sort);
    (filter, page)
}

/// Reads the task list's filters and `sort` (see [`task_list`]). Public
/// for the fuzz targets (`fuzz/`, through [`crate::wire`]), which feed it
/// arbitrary queries.
pub fn task_filter(query: &mut QueryParams, fixed: FixedByPath) -> Option<TaskFilter> {
    let sort = take_sort(query);
    filter_of(query, fixed, sort)
}

/// Reads `sort`: the default order when absent, a 422 when unknown.
fn take_sort(query: &mut QueryParams) -> TaskSort {
    query
        .take("sort")
        .map(|text| TaskSort::parse(&text).map_err(|kind| query.reject("sort", kind)).unwrap_or_default())
        .unwrap_or_default()
}

/// The task list's filters, in `sort`'s order.
fn filter_of(query: &mut QueryParams, fixed: FixedByPath, sort: TaskSort) -> Option<TaskFilter> {
    // Every parameter is read before any is judged, so that a value that
    // matches nothing never leaves the others unread (and so "unknown").
    let project = if fixed == FixedByPath::Project { None } else { id_filter(query, "project_id") };
    let parent = if fixed == FixedByPath::Parent { None } else { id_filter(query, "parent_id") };
    let assignee = id_filter(query, "assignee_id");
    let statuses = query.take_enums::<TaskStatus>("status");
    let task_type = query.take_enum::<TaskType>("task_type");
    let tag = query.take("tag");
    let due_before = take_timestamp(query, "due_before");
    let due_after = take_timestamp(query, "due_after");
    let overdue = query.take_bool("overdue").map(|overdue| Overdue { overdue, at: Timestamp::now() });
    let blocked = query.take_bool("blocked");
    let search = query
        .take("q")
        .and_then(|text| SearchQuery::from_search_box(&text).map_err(|kind| query.reject("q", kind)).ok()?);

    // Ids and tags match exactly: one no entity could have matches nothing.
    let tag = match tag.map(|text| Tag::parse(&text)) {
        None => None,
        Some(Ok(tag)) => Some(tag),
        Some(Err(_)) => return None, // no stored tag is blank or over-long
    };
    let exactly = |id: Option<Option<Uuid>>| match id {
        None => Some(None),
        Some(Some(id)) => Some(Some(id)),
        Some(None) => None,
    };
    Some(TaskFilter {
        project_id: exactly(project)?.map(Into::into),
        assignee_id: exactly(assignee)?.map(Into::into),
        parent_id: exactly(parent)?.map(Into::into),
        statuses,
        task_type,
        tag,
        search,
        due_before,
        due_after,
        overdue,
        sort,
        blocked,
        // Only the project's own task list widens to its subtree (its
        // handler sets this).
        include_subprojects: false,
    })
}

/// Reads a timestamp parameter as bodies read theirs (a naive one is UTC).
fn take_timestamp(query: &mut QueryParams, name: &str) -> Option<Timestamp> {
    let text = query.take(name)?;
    Timestamp::parse(&text).map_err(|kind| query.reject(name, kind)).ok()
}

#[cfg(test)]
mod tests {
    use trm_domain::TaskStatus;

    use super::*;

    #[test]
    fn repeated_status_filters_are_all_kept() {
        let mut query = QueryParams::parse("status=todo&status=Blocked&status=to-do").unwrap();
        assert_eq!(query.take_enums::<TaskStatus>("status"), [TaskStatus::Todo, TaskStatus::Blocked]);
        assert!(query.finish().is_ok());
    }

    #[test]
    fn unknown_parameters_are_rejected() {
        let mut query = QueryParams::parse("stauts=done").unwrap();
        assert!(query.take_enums::<TaskStatus>("status").is_empty());
        let Err(ApiError::Invalid(details)) = query.finish() else { panic!() };
        assert_eq!(details[0].kind, "extra_forbidden");
        assert_eq!(details[0].loc, [serde_json::json!("query"), serde_json::json!("stauts")]);
    }

    #[test]
    fn boolean_flags_accept_the_usual_spellings_and_reject_anything_else() {
        let mut query = QueryParams::parse("a=TRUE&b=0&c=yes&d=off").unwrap();
        assert_eq!(
            ["a", "b", "c", "d"].map(|name| query.take_bool(name)),
            [Some(true), Some(false), Some(true), Some(false)]
        );
        assert_eq!(query.take_bool("absent"), None);
        assert!(query.finish().is_ok());
        let mut query = QueryParams::parse("is_active=maybe").unwrap();
        assert_eq!(query.take_bool("is_active"), None);
        let Err(ApiError::Invalid(details)) = query.finish() else { panic!() };
        assert_eq!(details[0].kind, "bool_type");
        assert_eq!(details[0].loc, [serde_json::json!("query"), serde_json::json!("is_active")]);
    }

    #[test]
    fn an_unknown_sort_is_rejected_at_sort_listing_the_eight() {
        let mut query = QueryParams::parse("sort=title").unwrap();
        let (filter, _) = task_list(&mut query, FixedByPath::Nothing);
        assert_eq!(filter.map(|filter| filter.sort), Some(TaskSort::CreatedAt));
        let Err(ApiError::Invalid(details)) = query.finish() else { panic!() };
        assert_eq!(details[0].kind, "enum");
        assert_eq!(details[0].loc, [serde_json::json!("query"), serde_json::json!("sort")]);
    }

    #[test]
    fn a_cursor_continues_only_the_sort_it_was_made_for() {
        let cursor = Cursor {
            sorted: Some(trm_domain::SortedPosition { sort: TaskSort::DueDateDesc, key: None }),
            ..Cursor::new(Timestamp::now(), Uuid::nil())
        };
        let text = paging::encode_cursor(&cursor);
        let mut query = QueryParams::parse(&format!("sort=-due_date&cursor={text}")).unwrap();
        let (filter, page) = task_list(&mut query, FixedByPath::Nothing);
        assert_eq!(filter.map(|filter| filter.sort), Some(TaskSort::DueDateDesc));
        assert_eq!(page.after, Some(cursor));
        assert!(query.finish().is_ok());
        for other in ["sort=due_date&", ""] {
            let mut query = QueryParams::parse(&format!("{other}cursor={text}")).unwrap();
            let _ = task_list(&mut query, FixedByPath::Nothing);
            let Err(ApiError::Invalid(details)) = query.finish() else { panic!() };
            assert_eq!(details[0].loc, [serde_json::json!("query"), serde_json::json!("cursor")]);
            assert!(details[0].msg.contains("made for sort=-due_date"), "{}", details[0].msg);
        }
    }

    #[test]
    fn limits_must_be_integers_in_range() {
        for bad in ["limit=abc", "limit=0", "limit=501", "limit=99999999999999999999"] {
            let mut query = QueryParams::parse(bad).unwrap();
            let _ = query.take_page();
            assert!(query.finish().is_err(), "{bad}");
        }
    }
}
