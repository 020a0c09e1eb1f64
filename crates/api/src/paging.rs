//! Cursors on the wire, and the `Link` header that announces the next page.
//!
//! A cursor is opaque to clients: URL-safe base64 of the last item's
//! creation time (microseconds) and id — and, in a task list read in
//! another order than the default, of that order and the item's key in it.
//! Clients follow `rel="next"` links and never build cursors themselves.

use actix_web::HttpRequest;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use trm_domain::{Cursor, EventPosition, SortedPosition, TaskSort, Timestamp};
use uuid::Uuid;

/// The wire form of a cursor: 24 bytes (32 characters) in the default
/// order; in another, 36 bytes (48 characters) — the sort's code, whether
/// the item has a key, two spare bytes, the key (8 bytes), then the 24.
#[must_use]
pub(crate) fn encode_cursor(cursor: &Cursor) -> String {
    let mut bytes = [0_u8; 24];
    bytes[..8].copy_from_slice(&cursor.created_at.as_micros().to_be_bytes());
    bytes[8..].copy_from_slice(cursor.uid.as_bytes());
    match cursor.sorted {
        None => URL_SAFE_NO_PAD.encode(bytes),
        Some(SortedPosition { sort, key }) => {
            let mut sorted = [0_u8; 36];
            sorted[0] = sort.code();
            sorted[1] = u8::from(key.is_some());
            sorted[4..12].copy_from_slice(&key.unwrap_or(0).to_be_bytes());
            sorted[12..].copy_from_slice(&bytes);
            URL_SAFE_NO_PAD.encode(sorted)
        }
    }
}

/// What every task-list cursor looks like: a default-order cursor
/// ([`CURSOR_PATTERN`]) or a sorted one, 36 bytes in unpadded base64url.
pub const TASK_CURSOR_PATTERN: &str = "^([A-Za-z0-9_-]{32}|[A-Za-z0-9_-]{48})$";

/// Reads a task-list cursor; `None` for text of another shape than
/// [`TASK_CURSOR_PATTERN`]. Every text of that shape is a position in some
/// order (every byte names a sort, modulo eight; a zero second byte means
/// no key); whether it is one in the order asked for is checked against
/// the `sort` ([`TaskSort::check_cursor`]).
#[must_use]
pub(crate) fn decode_task_cursor(text: &str) -> Option<Cursor> {
    if text.len() != 48 {
        return decode_cursor(text);
    }
    let bytes: [u8; 36] = URL_SAFE_NO_PAD.decode(text).ok()?.try_into().ok()?;
    let sort = TaskSort::from_code(bytes[0]);
    let key = (bytes[1] != 0).then(|| i64::from_be_bytes(bytes[4..12].try_into().unwrap_or_default()));
    let cursor = decode_cursor(&URL_SAFE_NO_PAD.encode(&bytes[12..]))?;
    let sorted = (sort != TaskSort::CreatedAt).then_some(SortedPosition { sort, key });
    Some(Cursor { sorted, ..cursor })
}

/// What every cursor looks like: 24 bytes in unpadded base64url. Published
/// as the parameter's pattern, so a client (or a fuzzer) generating requests
/// from the OpenAPI document knows exactly which cursors are accepted.
pub const CURSOR_PATTERN: &str = "^[A-Za-z0-9_-]{32}$";

/// Reads a cursor; `None` for text of another shape than [`CURSOR_PATTERN`].
///
/// Every text of that shape is a position in the list order, even one this
/// API did not issue (a time beyond the calendar is clamped to its end): a
/// list read from it is simply the items after that position.
#[must_use]
pub(crate) fn decode_cursor(text: &str) -> Option<Cursor> {
    let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
    let bytes: [u8; 24] = bytes.try_into().ok()?;
    let (micros, uid) = bytes.split_at(8);
    let created_at = Timestamp::from_micros_clamped(i64::from_be_bytes(micros.try_into().ok()?));
    Some(Cursor::new(created_at, Uuid::from_slice(uid).ok()?))
}

/// The wire form of a cursor into the event log: the position of the last
/// event read, as unpadded base64url of a zero byte and its 8 big-endian
/// bytes — 9 bytes, so that every 12 characters of the alphabet decode
/// (8 bytes would leave 2 spare bits, and texts with them set would match
/// the pattern yet not decode).
#[must_use]
pub(crate) fn encode_position(position: EventPosition) -> String {
    let mut bytes = [0_u8; 9];
    bytes[1..].copy_from_slice(&position.0.to_be_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What every event-log cursor looks like.
pub const POSITION_CURSOR_PATTERN: &str = "^[A-Za-z0-9_-]{12}$";

/// Reads an event-log cursor; `None` for text of another shape. Every text
/// of that shape is a position (its first byte is ignored).
#[must_use]
pub(crate) fn decode_position(text: &str) -> Option<EventPosition> {
    let bytes: [u8; 9] = URL_SAFE_NO_PAD.decode(text).ok()?.try_into().ok()?;
    let position: [u8; 8] = bytes[1..].try_into().ok()?;
    Some(EventPosition(u64::from_be_bytes(position)))
}

/// `Link: <same path and query, with `name` set to `value`>; rel="next"`.
#[must_use]
pub(crate) fn next_link_with(request: &HttpRequest, name: &str, value: &str) -> String {
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(request.query_string()).unwrap_or_default();
    pairs.retain(|(key, _)| key != name);
    pairs.push((name.to_owned(), value.to_owned()));
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!("<{}?{query}>; rel=\"next\"", request.path())
}

/// `Link: <same path and filters, with the next cursor>; rel="next"`.
///
/// The link is relative to the server (path and query only), so it stays
/// right behind proxies that rewrite the host.
#[must_use]
pub(crate) fn next_link(request: &HttpRequest, next: &Cursor) -> String {
    next_link_with(request, "cursor", &encode_cursor(next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_log_cursors_round_trip_and_match_their_pattern() {
        for position in [0, 1, 42, u64::MAX] {
            let text = encode_position(EventPosition(position));
            assert_eq!(text.len(), 12, "{text}");
            assert_eq!(decode_position(&text), Some(EventPosition(position)));
        }
        assert_eq!(decode_position("not a cursor"), None);
        for text in ["rUNT3k37w85A", "____________", "0Z1TpoNFohC_"] {
            assert!(decode_position(text).is_some(), "every text of the pattern's shape decodes: {text}");
        }
    }

    #[test]
    fn cursors_round_trip() {
        let cursor = Cursor::new(Timestamp::now(), Uuid::new_v4());
        assert_eq!(decode_cursor(&encode_cursor(&cursor)), Some(cursor));
    }

    #[test]
    fn sorted_cursors_round_trip_and_match_the_task_pattern() {
        let base = Cursor::new(Timestamp::now(), Uuid::new_v4());
        let pattern = regex::Regex::new(TASK_CURSOR_PATTERN).unwrap();
        for sort in TaskSort::ALL {
            for key in [None, Some(-5), Some(1_764_000_000_000_000)] {
                let sorted = (sort != TaskSort::CreatedAt).then_some(SortedPosition { sort, key });
                let cursor = Cursor { sorted, ..base };
                let text = encode_cursor(&cursor);
                assert!(pattern.is_match(&text), "{text}");
                assert_eq!(decode_task_cursor(&text), Some(cursor));
            }
        }
        for text in [&"_".repeat(48), &"A".repeat(48), &"f".repeat(48)] {
            assert!(decode_task_cursor(text).is_some(), "{text}");
        }
        assert_eq!(decode_cursor(&"A".repeat(48)), None, "other lists take only default-order cursors");
    }

    #[test]
    fn text_of_another_shape_is_not_a_cursor() {
        assert_eq!(decode_cursor("not-a-cursor"), None);
        assert_eq!(decode_cursor(""), None);
        assert_eq!(decode_cursor("AAAA"), None);
        assert_eq!(decode_cursor(" AAZhJVFAZ4A_C2yejRpMK55fGis8TV5v"), None);
        assert_eq!(decode_cursor("AAZhJVFAZ4A_C2yejRpMK55fGis8TV5v=="), None);
    }

    #[test]
    fn every_text_matching_the_published_pattern_is_a_cursor() {
        for text in
            ["________________________________", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "f_-9AAAAAAAAAAAAAAAAAAAAAAAAAAAA"]
        {
            assert!(decode_cursor(text).is_some(), "{text}");
        }
        let latest = decode_cursor(&format!("f{}", "_".repeat(31)));
        let earliest = decode_cursor(&format!("g{}", "A".repeat(31)));
        assert!(earliest.zip(latest).is_some_and(|(earliest, latest)| earliest.created_at < latest.created_at));
    }

    #[test]
    fn the_next_link_keeps_filters_and_replaces_the_cursor() {
        let request =
            actix_web::test::TestRequest::get().uri("/api/v1/tasks/?status=todo&cursor=old&limit=2").to_http_request();
        let cursor = Cursor::new(Timestamp::now(), Uuid::nil());
        let link = next_link(&request, &cursor);
        assert!(link.starts_with("</api/v1/tasks/?status=todo&limit=2&cursor="), "{link}");
        assert!(link.ends_with(">; rel=\"next\""));
    }
}
