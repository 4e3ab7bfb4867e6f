//! Places and names as LSP writes them: positions in UTF-16 code units, `file://` URIs.

use std::path::{Path, PathBuf};

use lsp_types::{Position, Range, Uri};

/// The LSP position of byte `offset` in `text`: its line, and its column in UTF-16 code units
/// (a Chinese character is one, a character outside the Basic Multilingual Plane two).
pub(super) fn position(text: &str, offset: usize) -> Position {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let line = before.matches('\n').count();
    let column: usize = before
        .get(line_start..)
        .unwrap_or("")
        .chars()
        .map(char::len_utf16)
        .sum();
    Position::new(
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

/// The byte offset of LSP position `at` in `text`. A column past the end of its line is the
/// line's end, a line past the end of the text is the text's end, and a column inside a
/// character that takes two UTF-16 units is that character's start.
pub(super) fn offset(text: &str, at: Position) -> usize {
    let mut line_start = 0;
    for _ in 0..at.line {
        match text.get(line_start..).and_then(|rest| rest.find('\n')) {
            Some(end) => line_start += end + 1,
            None => return text.len(),
        }
    }
    let line = text.get(line_start..).unwrap_or("");
    let line = line.split('\n').next().unwrap_or("");
    let mut units = 0;
    for (at_byte, c) in line.char_indices() {
        if units + c.len_utf16() > at.character as usize {
            return line_start + at_byte;
        }
        units += c.len_utf16();
    }
    line_start + line.len()
}

/// The LSP range of bytes `start..end` of `text`.
pub(super) fn range(text: &str, start: usize, end: usize) -> Range {
    Range {
        start: position(text, start),
        end: position(text, end),
    }
}

/// `text` as a URI; one an editor did not escape is escaped first.
pub(super) fn parse_uri(text: &str) -> Option<Uri> {
    text.parse().ok().or_else(|| {
        let path = text.strip_prefix("file://")?;
        format!("file://{}", percent_encode(&percent_decode(path)))
            .parse()
            .ok()
    })
}

/// The file a `file://` URI names.
pub(super) fn path_of(uri: &str) -> Option<PathBuf> {
    let path = uri.strip_prefix("file://")?;
    Some(PathBuf::from(percent_decode(path)))
}

/// The `file://` URI of `path`, made absolute.
pub(super) fn uri_of(path: &Path) -> Option<String> {
    let absolute = std::path::absolute(path).ok()?;
    Some(format!(
        "file://{}",
        percent_encode(&absolute.to_string_lossy())
    ))
}

/// `%XX` escapes undone (editors escape spaces and non-ASCII characters in URIs).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (byte, hex) {
            (b'%', Some(value)) => {
                out.push(value);
                i += 3;
            }
            _ => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A path as a URI path: every byte but unreserved ones and `/` escaped.
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Applies one incremental change (`range` replaced by `new`) to `text`.
pub(super) fn apply_change(text: &mut String, range: Range, new: &str) {
    let start = offset(text, range.start);
    let end = offset(text, range.end).max(start);
    if text.is_char_boundary(start) && text.is_char_boundary(end) {
        text.replace_range(start..end, new);
    }
}

/// True for a character a name can hold: letters of any script (Chinese among them), digits
/// and `_`, as the grammar has it.
pub(super) fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The name being typed just before byte `offset`: its start and its text.
pub(super) fn word_before(text: &str, offset: usize) -> (usize, &str) {
    let before = text.get(..offset).unwrap_or("");
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_name_char(*c))
        .last()
        .map_or(offset, |(at, _)| at);
    (start, before.get(start..).unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_code_units() {
        let text = "ab\n逾期天数 > 30天\n𠀀x";
        assert_eq!(position(text, 0), Position::new(0, 0));
        // `>` after four Chinese characters and a space: column 5.
        let at = text.find('>').unwrap();
        assert_eq!(position(text, at), Position::new(1, 5));
        // A character outside the Basic Multilingual Plane takes two units.
        let x = text.find('x').unwrap();
        assert_eq!(position(text, x), Position::new(2, 2));
    }

    #[test]
    fn offsets_are_the_inverse_of_positions() {
        let text = "ab\n逾期天数 > 30天\n𠀀x\n";
        for (at, _) in text.char_indices() {
            assert_eq!(offset(text, position(text, at)), at, "at byte {at}");
        }
        // Past the end of a line, past the end of the text, inside a surrogate pair.
        assert_eq!(offset(text, Position::new(0, 99)), 2);
        assert_eq!(offset(text, Position::new(99, 0)), text.len());
        assert_eq!(offset(text, Position::new(2, 1)), text.find('𠀀').unwrap());
    }

    #[test]
    fn incremental_changes_replace_the_range_they_name() {
        let mut text = "rule 规则1 when 逾期天数 > 30天 then 电话\n".to_owned();
        let start = position(&text, text.find("30").unwrap());
        let end = position(&text, text.find("天 then").unwrap());
        apply_change(&mut text, Range { start, end }, "90");
        assert_eq!(text, "rule 规则1 when 逾期天数 > 90天 then 电话\n");
    }

    #[test]
    fn the_word_before_the_cursor_takes_chinese_and_underscores() {
        let text = "when 经营状 and has_ass";
        assert_eq!(
            word_before(text, text.len()),
            (text.find("has").unwrap(), "has_ass")
        );
        let end = text.find(" and").unwrap();
        assert_eq!(word_before(text, end).1, "经营状");
        assert_eq!(word_before(text, 0), (0, ""));
    }

    #[test]
    fn uris_and_paths_round_trip_with_chinese_names_and_spaces() {
        let path = Path::new("/tmp/催收 政策/小微.policy");
        let uri = uri_of(path).unwrap();
        assert!(uri.starts_with("file:///tmp/%E5%82%AC"), "{uri}");
        assert_eq!(path_of(&uri).unwrap(), path);
    }
}
