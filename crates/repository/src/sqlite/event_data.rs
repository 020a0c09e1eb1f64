//! How the `events` table stores an event's `data`: compressed.
//!
//! An event's data is the entity after the change — for `task.created`,
//! the task's JSON again: ~450 bytes, three times the task's own row. It
//! made the log the store's largest table, and writing it was about 40% of
//! what logging a create cost the one writer thread (measured by storing
//! `{}` instead). Most of those bytes repeat in every document of a kind:
//! the keys, in serde's order, the `null`s, the shape of a timestamp. So a
//! document is stored LZ4-compressed against a fixed [`DICTIONARY`] of
//! the entities' JSON — fast enough for the caller's task to do while it
//! encodes the event, before the write is queued, and a task's document
//! shrinks to a third or a half.
//!
//! A stored `data` is either
//! * TEXT: the JSON itself — events stored before this format, and
//!   documents compression would not shrink; or
//! * a BLOB: a format byte ([`LZ4_DICTIONARY_V1`]), the JSON's length as
//!   a little-endian `u32`, then the LZ4 block compressed against
//!   [`DICTIONARY`].
//!
//! The dictionary is part of the format: changing it would make every
//! event stored with it unreadable. A better dictionary is a new format
//! byte, with this one kept for reading.

use rusqlite::types::{Value, ValueRef};

/// The format byte of data compressed with LZ4 against [`DICTIONARY`].
const LZ4_DICTIONARY_V1: u8 = 1;

/// The format byte and the JSON's length, before the LZ4 block.
const HEADER: usize = 5;

/// The most a stored document can claim to expand to: far above any
/// entity's JSON (a request body is at most 1 MiB), so that a corrupt
/// length is refused instead of allocated.
const MAX_DOCUMENT: usize = 16 << 20;

/// What LZ4 may refer back to besides the document itself: a user's, a
/// project's and a task's JSON as their events carry them, the task last
/// (the most frequent). Never change it (see the module docs).
const DICTIONARY: &[u8] = br#"{"uid":"00000000-0000-4000-8000-000000000000"}{"created_at":"2026-01-01T00:00:00.000000Z","email":"@example.com","full_name":null,"is_active":true,"uid":"","updated_at":"2026-01-01T00:00:00.000000Z","username":"","version":1}{"created_at":"2026-01-01T00:00:00.000000Z","description":null,"parent_id":null,"status":"active","title":"","uid":"","updated_at":"2026-01-01T00:00:00.000000Z","version":1}{"assignee_id":null,"blocked_by":[],"completed_at":null,"created_at":"2026-01-01T00:00:00.000000Z","description":null,"due_date":null,"effort_estimate":null,"effort_unit":"hours","parent_id":null,"priority":1,"project_id":"","start_date":null,"status":"todo","tags":[],"task_type":"feature","title":"","uid":"","updated_at":"2026-01-01T00:00:00.000000Z","version":1}"#;

/// The column value that stores `data`: compressed when that is smaller.
pub(super) fn pack(data: &serde_json::Value) -> Result<Value, serde_json::Error> {
    let json = serde_json::to_string(data)?;
    Ok(match compress(json.as_bytes()) {
        Some(packed) if packed.len() < json.len() => Value::Blob(packed),
        _ => Value::Text(json),
    })
}

/// The document a stored `data` holds, in either of its forms.
pub(super) fn unpack(stored: ValueRef<'_>) -> Result<serde_json::Value, CorruptData> {
    match stored {
        ValueRef::Text(json) => Ok(serde_json::from_slice(json)?),
        ValueRef::Blob(packed) => Ok(serde_json::from_slice(&decompress(packed)?)?),
        other => Err(CorruptData::Type(other.data_type())),
    }
}

/// Why a stored `data` could not be read.
#[derive(Debug, thiserror::Error)]
pub(super) enum CorruptData {
    #[error("event data stored as {0}, neither JSON text nor a compressed document")]
    Type(rusqlite::types::Type),
    #[error("compressed event data of unknown format {0}")]
    Format(u8),
    #[error("compressed event data claims {0} bytes, more than any document")]
    Length(usize),
    #[error("compressed event data is truncated or damaged")]
    Block,
    #[error("event data is not JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// `json` in the BLOB form; `None` for a document too long to say its
/// length in the header (none is).
fn compress(json: &[u8]) -> Option<Vec<u8>> {
    let length = u32::try_from(json.len()).ok()?;
    let mut packed = vec![0; HEADER + lz4_flex::block::get_maximum_output_size(json.len())];
    packed[0] = LZ4_DICTIONARY_V1;
    packed[1..HEADER].copy_from_slice(&length.to_le_bytes());
    let written = lz4_flex::block::compress_into_with_dict(json, &mut packed[HEADER..], DICTIONARY).ok()?;
    packed.truncate(HEADER + written);
    Some(packed)
}

/// The JSON a BLOB-form `data` holds.
fn decompress(packed: &[u8]) -> Result<Vec<u8>, CorruptData> {
    let (&format, rest) = packed.split_first().ok_or(CorruptData::Block)?;
    if format != LZ4_DICTIONARY_V1 {
        return Err(CorruptData::Format(format));
    }
    let (length, block) = rest.split_first_chunk::<4>().ok_or(CorruptData::Block)?;
    let length = usize::try_from(u32::from_le_bytes(*length)).map_err(|_| CorruptData::Block)?;
    if length > MAX_DOCUMENT {
        return Err(CorruptData::Length(length));
    }
    let json = lz4_flex::block::decompress_with_dict(block, length, DICTIONARY).map_err(|_| CorruptData::Block)?;
    if json.len() != length {
        return Err(CorruptData::Block);
    }
    Ok(json)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn a_task() -> serde_json::Value {
        json!({
            "assignee_id": null, "blocked_by": [], "completed_at": null,
            "created_at": "2026-12-06T06:14:48.440579Z", "description": "Gửi báo cáo quý cho nhóm phân tích",
            "due_date": null, "effort_estimate": null, "effort_unit": "hours", "parent_id": null,
            "priority": 1, "project_id": "db634f17-5640-4983-9002-8854259e0b0c", "start_date": null,
            "status": "todo", "tags": ["finance"], "task_type": "chore", "title": "Chuẩn bị báo cáo",
            "uid": "72652aee-c7b9-4f06-a36a-0582f04a1e33", "updated_at": "2026-12-06T06:14:48.440579Z",
            "version": 1
        })
    }

    fn stored(value: &Value) -> ValueRef<'_> {
        ValueRef::from(value)
    }

    #[test]
    fn a_tasks_document_is_stored_compressed_to_under_half_and_read_back_the_same() {
        let task = a_task();
        let packed = pack(&task).unwrap();
        let Value::Blob(bytes) = &packed else { panic!("stored as {packed:?}") };
        assert_eq!(bytes[0], LZ4_DICTIONARY_V1);
        let json_length = serde_json::to_string(&task).unwrap().len();
        assert!(bytes.len() * 2 < json_length, "{} bytes for {json_length} of JSON", bytes.len());
        assert_eq!(unpack(stored(&packed)).unwrap(), task);
    }

    #[test]
    fn a_document_compression_would_not_shrink_is_stored_as_its_json() {
        let empty = json!({});
        assert_eq!(pack(&empty).unwrap(), Value::Text("{}".to_owned()));
        assert_eq!(unpack(stored(&pack(&empty).unwrap())).unwrap(), empty);
    }

    #[test]
    fn data_stored_as_json_text_before_compression_is_read_as_it_is() {
        let task = a_task();
        let text = Value::Text(serde_json::to_string(&task).unwrap());
        assert_eq!(unpack(stored(&text)).unwrap(), task);
    }

    /// A task's document as the first format stored it: if this fails,
    /// the dictionary or the format changed, and every event stored with
    /// them would be unreadable — make a new format byte instead.
    #[test]
    fn data_compressed_in_the_first_format_stays_readable() {
        let stored_then: &[u8] = &[
            0x01, 0xda, 0x01, 0x00, 0x00, 0x0f, 0x6e, 0x01, 0x38, 0xf0, 0x06, 0x31, 0x32, 0x2d, 0x30, 0x36, 0x54, 0x30,
            0x36, 0x3a, 0x31, 0x34, 0x3a, 0x34, 0x38, 0x2e, 0x34, 0x34, 0x30, 0x35, 0x37, 0x39, 0x05, 0x03, 0x0f, 0x6e,
            0x01, 0x58, 0x1b, 0x32, 0x6e, 0x01, 0xff, 0x15, 0x64, 0x62, 0x36, 0x33, 0x34, 0x66, 0x31, 0x37, 0x2d, 0x35,
            0x36, 0x34, 0x30, 0x2d, 0x34, 0x39, 0x38, 0x33, 0x2d, 0x39, 0x30, 0x30, 0x32, 0x2d, 0x38, 0x38, 0x35, 0x34,
            0x32, 0x35, 0x39, 0x65, 0x30, 0x62, 0x30, 0x63, 0x92, 0x01, 0x0b, 0xb0, 0x69, 0x6e, 0x5f, 0x70, 0x72, 0x6f,
            0x67, 0x72, 0x65, 0x73, 0x73, 0x79, 0x01, 0x02, 0x99, 0x01, 0x9b, 0x22, 0x66, 0x69, 0x6e, 0x61, 0x6e, 0x63,
            0x65, 0x22, 0xa2, 0x01, 0x50, 0x63, 0x68, 0x6f, 0x72, 0x65, 0x27, 0x00, 0x03, 0xa0, 0x01, 0xf0, 0x06, 0x43,
            0x68, 0x75, 0xe1, 0xba, 0xa9, 0x6e, 0x20, 0x62, 0xe1, 0xbb, 0x8b, 0x20, 0x62, 0xc3, 0xa1, 0x6f, 0x20, 0x63,
            0xc3, 0xa1, 0xe1, 0x01, 0x02, 0xb6, 0x01, 0xff, 0x15, 0x37, 0x32, 0x36, 0x35, 0x32, 0x61, 0x65, 0x65, 0x2d,
            0x63, 0x37, 0x62, 0x39, 0x2d, 0x34, 0x66, 0x30, 0x36, 0x2d, 0x61, 0x33, 0x36, 0x61, 0x2d, 0x30, 0x35, 0x38,
            0x32, 0x66, 0x30, 0x34, 0x61, 0x31, 0x65, 0x33, 0x33, 0x03, 0x04, 0x02, 0x03, 0x6b, 0x01, 0x11, 0x37, 0x03,
            0x04, 0x12, 0x31, 0x03, 0x04, 0x10, 0x31, 0x6b, 0x01, 0xb0, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x22,
            0x3a, 0x33, 0x7d,
        ];
        let document = json!({
            "assignee_id": null, "blocked_by": [], "completed_at": null,
            "created_at": "2026-12-06T06:14:48.440579Z", "description": null, "due_date": null,
            "effort_estimate": null, "effort_unit": "hours", "parent_id": null, "priority": 2,
            "project_id": "db634f17-5640-4983-9002-8854259e0b0c", "start_date": null,
            "status": "in_progress", "tags": ["finance"], "task_type": "chore", "title": "Chuẩn bị báo cáo",
            "uid": "72652aee-c7b9-4f06-a36a-0582f04a1e33", "updated_at": "2026-12-06T07:00:01.000001Z",
            "version": 3
        });
        assert_eq!(unpack(ValueRef::Blob(stored_then)).unwrap(), document);
    }

    #[test]
    fn a_compressed_document_claiming_an_impossible_length_is_refused_unread() {
        let mut packed = vec![LZ4_DICTIONARY_V1];
        packed.extend(u32::MAX.to_le_bytes());
        packed.extend([0x10, b'{']);
        assert!(matches!(unpack(ValueRef::Blob(&packed)), Err(CorruptData::Length(_))));
    }

    #[test]
    fn damaged_or_unknown_compressed_data_is_reported_not_guessed() {
        let good = compress(serde_json::to_string(&a_task()).unwrap().as_bytes()).unwrap();
        let mut unknown = good.clone();
        unknown[0] = 9;
        assert!(matches!(unpack(ValueRef::Blob(&unknown)), Err(CorruptData::Format(9))));
        assert!(matches!(unpack(ValueRef::Blob(&good[..good.len() - 7])), Err(CorruptData::Block)));
        assert!(matches!(unpack(ValueRef::Blob(&good[..3])), Err(CorruptData::Block)));
        assert!(matches!(unpack(ValueRef::Blob(&[])), Err(CorruptData::Block)));
        assert!(matches!(unpack(ValueRef::Integer(7)), Err(CorruptData::Type(_))));
    }

    /// Any JSON: objects, arrays, strings of any characters, numbers.
    fn any_json() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            ".*".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::from),
                proptest::collection::btree_map("[a-z_]{1,12}", inner, 0..8)
                    .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn any_document_reads_back_as_it_was_stored(document in any_json()) {
            let packed = pack(&document).unwrap();
            proptest::prop_assert_eq!(unpack(stored(&packed)).unwrap(), document);
        }

        #[test]
        fn any_block_read_as_compressed_data_is_an_answer_never_a_panic(
            length in 0_u32..4096,
            block in proptest::collection::vec(proptest::num::u8::ANY, 0..256),
        ) {
            let mut packed = vec![LZ4_DICTIONARY_V1];
            packed.extend(length.to_le_bytes());
            packed.extend(block);
            let _ = unpack(ValueRef::Blob(&packed));
        }
    }
}
