//! Names the field of a JSON text at the spot its parser stopped: `cluster.network.loss`,
//! `schedule[2].action.node`. The parser says where it stopped (line and column); reading the
//! text up to there, keeping a stack of the objects and arrays open and the key or index in
//! each, gives the field as a person reads it in the file.
//!
//! This replaces tracking the path while deserializing, which wrapped every type's parsing code
//! in a second copy. Reading by position also reaches inside tagged values (an action's fields),
//! where a tracking deserializer sees only buffered content.

/// One open container and where in it the reader is.
enum Open {
    /// An object; `key` is the member being read (None between members). `tagged` says it has a
    /// `type` member (a tagged value: its parser buffers it whole), and `tagged_member` names a
    /// member whose value was a tagged object, while the reader is still on it.
    Object {
        key: Option<String>,
        tagged: bool,
        tagged_member: Option<String>,
    },
    /// An array; `index` is the element being read.
    Array { index: usize },
}

impl Open {
    fn object() -> Self {
        Open::Object {
            key: None,
            tagged: false,
            tagged_member: None,
        }
    }
}

/// The field at byte `offset` of `text` (the parser's position: everything before it was read),
/// as a dotted path with `[i]` for array elements, or `None` when the spot is not inside any
/// member or element (the whole text).
///
/// A tagged value (an object with a `type` member, such as an action) is parsed whole before
/// its fields are read, so a parser's complaint about one of its fields is placed just past the
/// object that holds it. When the text read ends by closing an object whose last member was a
/// tagged object, the field named is that member.
pub(crate) fn field_at(text: &str, offset: usize) -> Option<String> {
    let bytes = text.as_bytes();
    let end = offset.min(bytes.len());
    let mut stack: Vec<Open> = Vec::new();
    // The object the last token closed, while nothing else has been read since.
    let mut just_closed: Option<Open> = None;
    let mut i = 0;
    while i < end {
        let byte = bytes[i];
        if !byte.is_ascii_whitespace() {
            just_closed = None;
        }
        match byte {
            b'{' => stack.push(Open::object()),
            b'[' => stack.push(Open::Array { index: 0 }),
            b'}' | b']' => {
                let closed = stack.pop();
                if let (
                    Some(Open::Object { tagged, .. }),
                    Some(Open::Object {
                        key: Some(key),
                        tagged_member,
                        ..
                    }),
                ) = (&closed, stack.last_mut())
                {
                    *tagged_member = tagged.then(|| key.clone());
                }
                just_closed = closed.filter(|c| matches!(c, Open::Object { .. }));
            }
            b',' => match stack.last_mut() {
                Some(Open::Object {
                    key, tagged_member, ..
                }) => {
                    *key = None;
                    *tagged_member = None;
                }
                Some(Open::Array { index }) => *index += 1,
                None => {}
            },
            b'"' => {
                let (string, after) = read_string(bytes, i + 1, end);
                // A string where a key is awaited is the key; otherwise it is a value.
                if let Some(Open::Object {
                    key: key @ None,
                    tagged,
                    ..
                }) = stack.last_mut()
                {
                    *tagged |= string == "type";
                    *key = Some(string);
                }
                i = after;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    let mut path = path_of(&stack);
    if let Some(Open::Object {
        tagged_member: Some(member),
        ..
    }) = just_closed
    {
        path = Some(match path {
            Some(p) => format!("{p}.{member}"),
            None => member,
        });
    }
    path
}

/// Reads a string whose opening quote is just before `start`: its text (escapes other than
/// `\"` and `\\` kept as written; keys in these files are plain words) and the index after its
/// closing quote, or `end` when the text stops inside it.
fn read_string(bytes: &[u8], start: usize, end: usize) -> (String, usize) {
    let mut text = Vec::new();
    let mut i = start;
    while i < end {
        match bytes[i] {
            b'"' => return (String::from_utf8_lossy(&text).into_owned(), i + 1),
            b'\\' if i + 1 < end && matches!(bytes[i + 1], b'"' | b'\\') => {
                text.push(bytes[i + 1]);
                i += 2;
            }
            b => {
                text.push(b);
                i += 1;
            }
        }
    }
    (String::from_utf8_lossy(&text).into_owned(), end)
}

/// `a.b[2].c` for the open containers, skipping an object between members.
fn path_of(stack: &[Open]) -> Option<String> {
    let mut path = String::new();
    for open in stack {
        match open {
            Open::Object { key: Some(key), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Open::Object { key: None, .. } => break,
            Open::Array { index } => path.push_str(&format!("[{index}]")),
        }
    }
    (!path.is_empty()).then_some(path)
}

/// The byte offset of a parser's position given as a 1-based line and the count of bytes read
/// on that line (serde_json's `line()` and `column()`).
pub(crate) fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column).min(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_end_of(text: &str, marker: &str) -> Option<String> {
        let offset = text.find(marker).expect("marker in text") + marker.len();
        field_at(text, offset)
    }

    #[test]
    fn names_the_member_being_read_through_nested_objects_and_arrays() {
        let text = r#"{"a": {"b": [1, {"c": "lots"}]}, "d": 2}"#;
        assert_eq!(at_end_of(text, r#""lots""#).as_deref(), Some("a.b[1].c"));
        assert_eq!(at_end_of(text, "[1").as_deref(), Some("a.b[0]"));
        assert_eq!(at_end_of(text, r#""d": 2"#).as_deref(), Some("d"));
        // Just past a closed object, the reader is on the member that held it.
        assert_eq!(at_end_of(text, "\"lots\"}").as_deref(), Some("a.b[1]"));
        assert_eq!(at_end_of(text, "\"lots\"}]}").as_deref(), Some("a"));
    }

    #[test]
    fn between_members_and_outside_everything_there_is_no_field() {
        let text = r#"{"a": 1, "b": 2}"#;
        assert_eq!(at_end_of(text, "1,"), None);
        assert_eq!(field_at(text, text.len()), None);
        assert_eq!(field_at(text, 0), None);
    }

    #[test]
    fn quotes_braces_and_commas_inside_strings_are_text() {
        let text = r#"{"label": "a, {b} \"[c\"", "node": "x"}"#;
        assert_eq!(at_end_of(text, r#""node": "x""#).as_deref(), Some("node"));
        let text = r#"{"we\"ird": 1}"#;
        assert_eq!(at_end_of(text, ": 1").as_deref(), Some("we\"ird"));
    }

    #[test]
    fn past_an_object_whose_last_member_was_tagged_that_member_is_named() {
        // The parser complains about a tagged action's field after the entry holding it.
        let text = r#"{"schedule": [{"at_ms": 1, "action": {"type": "pause", "node": -2}}]}"#;
        assert_eq!(
            at_end_of(text, "-2}}").as_deref(),
            Some("schedule[0].action")
        );
        // An untagged last member, or a tagged one followed by another member, is not named.
        let text = r#"{"a": {"b": {"c": 1}}}"#;
        assert_eq!(at_end_of(text, "1}}").as_deref(), Some("a"));
        let text = r#"{"a": {"b": {"type": "x"}, "c": 2}}"#;
        assert_eq!(at_end_of(text, "2}").as_deref(), Some("a"));
        // A tagged object at the top level, closed: its member is the whole path.
        let text = r#"{"action": {"type": "heal"}}"#;
        assert_eq!(field_at(text, text.len()).as_deref(), Some("action"));
    }

    #[test]
    fn the_offset_counts_whole_lines_then_the_bytes_read_on_the_last() {
        let text = "{\n  \"a\": 1,\n  \"b\": true\n}";
        assert_eq!(offset_of(text, 1, 1), 1);
        assert_eq!(offset_of(text, 3, 6), text.find("\"b\"").unwrap() + 4);
        assert_eq!(offset_of(text, 99, 99), text.len());
    }
}
