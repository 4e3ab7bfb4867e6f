//! The schema-directed readers of JSON Lines and CSV rows: the fast path for the records nearly
//! every book is made of.
//!
//! It walks the line's bytes once, matching each key to its schema slot and handing each value's
//! exact text to the same [`LoanBuilder`] the serde path feeds, and builds list fields straight
//! into [`Records`] with the same conversion ([`convert::scalar`]). Nothing is allocated for the
//! syntax: values are borrowed from the line.
//!
//! It only says yes when it is sure. Anything it does not handle itself — a string with an
//! escape, a number in exponent notation, a byte-order mark, a nested value it would have to
//! interpret, a field given twice, a line that is not valid JSON, or a row the schema rejects —
//! makes it answer `None`, and the caller reads the line again on the serde path
//! ([`super::jsonl`]), which says exactly what is wrong. So every rejection is the serde path's
//! own, word for word, and an accepted line gives the loan the serde path would give; the
//! differential tests below and in `tests/cli/` hold the two to that.

use std::sync::Arc;

use super::UnknownFields;
use super::convert::{self, FieldPath, LoanBuilder, Origin, UNSET};
use super::csv::CsvLayout;
use crate::schema::{Field, FieldSet, FieldType, Schema};
use crate::value::{Loan, Records, Value};

/// How deep an unknown field's value may nest before the reader leaves it to serde, which has
/// its own limit and message.
const SKIP_DEPTH: usize = 64;

/// The loan on `line`, or `None` when the serde path must read it (see the module's comment).
/// `order` is the slots of another line's keys, in that line's order ([`key_order`]): the
/// slot each key is tried as first. Without it, keys are expected in the schema's order.
pub(super) fn read_loan(
    line: &[u8],
    schema: &Schema,
    kept: Option<&FieldSet>,
    order: Option<&[Option<usize>]>,
    at: &Origin<'_>,
    unknown: &mut UnknownFields,
) -> Option<(String, Loan)> {
    // The whole line is checked once, so every slice between two ASCII delimiters is text;
    // simdutf8 checks it many bytes at a time (the standard library's check took 4 % of a
    // run). Its `basic` check only says yes or no: a line that is not UTF-8 goes to the
    // serde path, which says where it stops being so.
    let text = simdutf8::basic::from_utf8(line).ok()?;
    let mut cursor = Cursor { text, at: 0 };
    let mut loan = LoanBuilder::keeping(schema, kept);
    cursor.object(schema, order.unwrap_or_default(), &mut loan, unknown)?;
    cursor.space();
    if cursor.at != text.len() {
        return None;
    }
    loan.finish(at).ok()
}

/// The loan in a CSV row, or `None` when the general path must read it: each cell's text goes to
/// its column's slot, and a list's JSON cell is read as a JSON line's list is. Rows the general
/// path would reject or must look at more closely (a cell that is not UTF-8, a row of the wrong
/// width, a list cell that is not a plain array of records) go to it, as do rejections.
pub(super) fn read_row(
    layout: &CsvLayout,
    record: &super::csv::Cells,
    schema: &Schema,
    kept: Option<&FieldSet>,
    at: &Origin<'_>,
    unknown: &mut UnknownFields,
) -> Option<(String, Loan)> {
    if record.len() != layout.headers.len() {
        return None;
    }
    let mut loan = LoanBuilder::keeping(schema, kept);
    let cells = record.texts()?;
    for (text, (slot, header)) in cells.zip(layout.slots.iter().zip(&layout.headers)) {
        let text = text?;
        let Some(slot) = *slot else {
            unknown.note(header);
            continue;
        };
        let field = schema.fields.get(slot)?;
        match &field.ty {
            _ if text.is_empty() => loan.set_scalar(slot, None),
            FieldType::List(fields) => {
                let mut cursor = Cursor { text, at: 0 };
                cursor.space();
                if cursor.peek() != Some(b'[') {
                    return None;
                }
                let records = cursor.records(fields, schema, &field.name, loan.keeps(slot))?;
                cursor.space();
                if cursor.at != text.len() {
                    return None;
                }
                loan.set_exact(slot, records, None);
            }
            _ => loan.set_scalar(slot, Some(text)),
        }
    }
    loan.finish(at).ok()
}

/// The slots of the keys of the object on `line`, in the line's order (`None` for a name the
/// schema does not know); `None` when the line is not a plain JSON object. A file writes every
/// line's keys in one order, which need not be the schema's: the reader tries each key of the
/// next lines as the slot found here first, and looks a key up by name only when it is not.
pub(super) fn key_order(line: &[u8], schema: &Schema) -> Option<Vec<Option<usize>>> {
    let text = simdutf8::basic::from_utf8(line).ok()?;
    let mut cursor = Cursor { text, at: 0 };
    let mut order = Vec::new();
    cursor.space();
    cursor.eat(b'{')?;
    cursor.space();
    if cursor.eat(b'}').is_some() {
        return Some(order);
    }
    loop {
        order.push(schema.slot(cursor.key()?));
        cursor.skip(0)?;
        if cursor.separator(b'}')? {
            return Some(order);
        }
    }
}

/// A list record's field: its value, or only checked when the list is not kept.
#[inline(always)]
fn item(
    kept: bool,
    field: &Field,
    text: Option<&str>,
    schema: &Schema,
    path: &FieldPath<'_>,
) -> Result<Value, convert::Problem> {
    if kept {
        convert::scalar(field, text, schema, path)
    } else {
        convert::checked(field, text, schema, path)
    }
}

/// A place in the line being read.
struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// Skips JSON's white space (space, tab, line feed, carriage return: not a byte-order
    /// mark, which the serde path trims and this reader leaves to it).
    fn space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek() == Some(byte)).then(|| self.at += 1)
    }

    /// The loan's object: each field's value goes to its slot as it is met.
    fn object(
        &mut self,
        schema: &Schema,
        order: &[Option<usize>],
        loan: &mut LoanBuilder<'_>,
        unknown: &mut UnknownFields,
    ) -> Option<()> {
        self.space();
        self.eat(b'{')?;
        self.space();
        if self.eat(b'}').is_some() {
            return Some(());
        }
        let mut position = 0;
        // The slot after the last key's: a file that lists fields in an order of its own
        // usually keeps runs of the schema's. Names and other names are all distinct (the
        // schema refuses a clash), so a match here is the slot any lookup would find.
        let mut next = 0;
        loop {
            // The slot this key had on the line `order` was taken from, if that line had
            // this many keys; otherwise the one after the last key's.
            let guess = match order.get(position) {
                Some(slot) => *slot,
                None => Some(next),
            };
            let expected = guess.and_then(|slot| schema.fields.get(slot));
            let slot = if let Some(slot) = guess
                && expected.is_some_and(|field| self.expected_key(&field.name))
            {
                Some(slot)
            } else {
                let name = self.key()?;
                let slot = loan.slot_of(name, position);
                if slot.is_none() {
                    self.skip(0)?;
                    unknown.note(name);
                }
                slot
            };
            if let Some(slot) = slot {
                next = slot + 1;
                let field = schema.fields.get(slot)?;
                match &field.ty {
                    FieldType::List(fields) if self.peek() == Some(b'[') => {
                        let records =
                            self.records(fields, schema, &field.name, loan.keeps(slot))?;
                        loan.set_exact(slot, records, None);
                    }
                    _ => {
                        let text = self.scalar()?;
                        loan.set_scalar(slot, text);
                    }
                }
            }
            position += 1;
            if self.separator(b'}')? {
                return Some(());
            }
        }
    }

    /// A list field's records, converted field by field as [`convert::value`] converts them on
    /// the serde path. `None` for anything that path would reject or that needs its care.
    ///
    /// Each record's values are converted as their keys are met, straight into their places
    /// in the list (a field never given is then converted as `null`), so nothing is held
    /// between reading a value and storing it.
    ///
    /// A list not `kept` is checked the same way, record by record in one record's room, and
    /// gives [`Value::Missing`].
    fn records(
        &mut self,
        fields: &[Field],
        schema: &Schema,
        list: &str,
        kept: bool,
    ) -> Option<Value> {
        let done = |records: Records| {
            Some(if kept {
                Value::List(Arc::new(records))
            } else {
                Value::Missing
            })
        };
        if fields.iter().any(|f| matches!(f.ty, FieldType::List(_))) {
            return None;
        }
        self.eat(b'[')?;
        self.space();
        // Empty lists are common (no promises, no rest days): they allocate no room.
        let mut records = Records::with_capacity(fields.len(), 0);
        if self.eat(b']').is_some() {
            return done(records);
        }
        let mut index = 0;
        loop {
            if !kept {
                records.clear();
            }
            let record = records.push_record(|| UNSET);
            self.eat(b'{')?;
            self.space();
            if self.eat(b'}').is_none() {
                let mut next = 0;
                loop {
                    // Records match their fields by name alone, as on the serde path; the
                    // field after the last one met is tried first.
                    let slot = if fields
                        .get(next)
                        .is_some_and(|field| self.expected_key(&field.name))
                    {
                        Some(next)
                    } else {
                        let name = self.key()?;
                        fields
                            .iter()
                            .position(|f| convert::same_text(&f.name, name))
                    };
                    match slot {
                        Some(slot) => {
                            next = slot + 1;
                            let (field, place) = fields.get(slot).zip(record.get_mut(slot))?;
                            if !convert::is_unset(place) {
                                return None; // Named twice: the serde path decides which.
                            }
                            let text = self.scalar()?;
                            let path = FieldPath::Item {
                                list,
                                index,
                                field: &field.name,
                            };
                            *place = item(kept, field, text, schema, &path).ok()?;
                        }
                        None => self.skip(0)?,
                    }
                    if self.separator(b'}')? {
                        break;
                    }
                }
            }
            for (field, place) in fields.iter().zip(record.iter_mut()) {
                if convert::is_unset(place) {
                    let path = FieldPath::Item {
                        list,
                        index,
                        field: &field.name,
                    };
                    *place = item(kept, field, None, schema, &path).ok()?;
                }
            }
            index += 1;
            if self.separator(b']')? {
                return done(records);
            }
        }
    }

    /// Passes over the key `"name"` and the colon after it when that is the next key, as it
    /// is while a file keeps to the schema's order: the name's bytes are compared where they
    /// should be, instead of scanning for the string's end and comparing after. A field's name
    /// has no quote or backslash (the schema's names are words), so its bytes and a quote
    /// after them are the whole key. False, having read nothing, when the next key is another.
    fn expected_key(&mut self, name: &str) -> bool {
        let bytes = self.text.as_bytes();
        let start = self.at + 1;
        let end = start + name.len();
        let matched = bytes.get(self.at) == Some(&b'"')
            && bytes
                .get(start..end)
                .is_some_and(|key| convert::same_bytes(name.as_bytes(), key))
            && bytes.get(end) == Some(&b'"');
        if !matched {
            return false;
        }
        let before = self.at;
        self.at = end + 1;
        self.space();
        if self.eat(b':').is_none() {
            // Not a key after all (a line cut short, or worse): read it the general way,
            // which gives up on it.
            self.at = before;
            return false;
        }
        self.space();
        true
    }

    /// A member's name and the colon after it, up to its value.
    fn key(&mut self) -> Option<&'a str> {
        let name = self.string()?;
        self.space();
        self.eat(b':')?;
        self.space();
        Some(name)
    }

    /// What follows a member or an element: `Some(false)` past a comma (and the space after
    /// it), `Some(true)` past the `close` that ends the object or list, `None` for anything else.
    fn separator(&mut self, close: u8) -> Option<bool> {
        self.space();
        match self.peek()? {
            b',' => {
                self.at += 1;
                self.space();
                Some(false)
            }
            b if b == close => {
                self.at += 1;
                Some(true)
            }
            _ => None,
        }
    }

    /// A string, number, `true`, `false` or `null`, as the serde path's raw shape gives it:
    /// `Some(text)` for a value's exact text, `None` for `null`. (`None` outside for anything
    /// else.) Plain text rather than a [`Raw`](super::Raw), built and dropped per field.
    fn scalar(&mut self) -> Option<Option<&'a str>> {
        match self.peek()? {
            b'"' => self.string().map(Some),
            b'-' | b'0'..=b'9' => self.number().map(Some),
            b't' => self.word("true").map(|()| Some("true")),
            b'f' => self.word("false").map(|()| Some("false")),
            b'n' => self.word("null").map(|()| None),
            _ => None,
        }
    }

    fn word(&mut self, word: &str) -> Option<()> {
        let end = self.at + word.len();
        (self.text.as_bytes().get(self.at..end)? == word.as_bytes()).then(|| self.at = end)
    }

    /// A string without escapes or control characters, borrowed from the line.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        let end = string_end(self.text.as_bytes(), start)?;
        self.at = end + 1;
        self.text.get(start..end)
    }

    /// A number in plain notation (`-12`, `0.5`, `125000.50`), as written: JSON's grammar
    /// without the exponent, which the serde path spells out its own way.
    fn number(&mut self) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        let start = self.at;
        let mut at = start;
        if bytes.get(at) == Some(&b'-') {
            at += 1;
        }
        let digits = |mut at: usize| {
            while bytes.get(at).is_some_and(u8::is_ascii_digit) {
                at += 1;
            }
            at
        };
        match bytes.get(at)? {
            b'0' => at += 1,
            b'1'..=b'9' => at = digits(at),
            _ => return None,
        }
        if bytes.get(at) == Some(&b'.') {
            let fraction = digits(at + 1);
            if fraction == at + 1 {
                return None;
            }
            at = fraction;
        }
        if matches!(bytes.get(at), Some(b'e' | b'E')) {
            return None;
        }
        self.at = at;
        self.text.get(start..at)
    }

    /// Passes over one value of any shape (an unknown field's), checking its syntax.
    fn skip(&mut self, depth: usize) -> Option<()> {
        if depth > SKIP_DEPTH {
            return None;
        }
        let (open, close) = match self.peek()? {
            b'[' => (b'[', b']'),
            b'{' => (b'{', b'}'),
            _ => return self.scalar().map(|_| ()),
        };
        self.eat(open)?;
        self.space();
        if self.eat(close).is_some() {
            return Some(());
        }
        loop {
            if open == b'{' {
                self.key()?;
            }
            self.skip(depth + 1)?;
            if self.separator(close)? {
                return Some(());
            }
        }
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any byte of `word` is zero; may flag bytes after the first zero, never misses one.
fn has_zero(word: u64) -> u64 {
    word.wrapping_sub(ONES) & !word & HIGHS
}

/// Where the string starting at `from` ends (its closing quote), or `None` when a backslash or
/// a control character comes first: eight bytes at a time, the lowest flagged byte of a word
/// being exactly the first quote, backslash or control character in it (a borrow only runs
/// upwards from a flagged byte); byte by byte in the line's last few bytes.
fn string_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(chunk) = bytes
        .get(at..at + 8)
        .and_then(|c| <[u8; 8]>::try_from(c).ok())
    {
        let word = u64::from_le_bytes(chunk);
        let flagged = has_zero(word ^ (ONES * u64::from(b'"')))
            | has_zero(word ^ (ONES * u64::from(b'\\')))
            | (word.wrapping_sub(ONES * 0x20) & !word & HIGHS);
        if flagged != 0 {
            let first = at + (flagged.trailing_zeros() / 8) as usize;
            return (bytes.get(first) == Some(&b'"')).then_some(first);
        }
        at += 8;
    }
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'"' => return Some(at),
            b'\\' | 0..0x20 => return None,
            _ => at += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_end_at_their_quote_and_refuse_escapes_and_control_characters() {
        let end = |s: &str| string_end(s.as_bytes(), 0);
        assert_eq!(end(r#"abc" rest"#), Some(3));
        assert_eq!(end(r#"王小明和他的朋友们在上海" rest"#), Some(36));
        assert_eq!(end(r#"0123456789abcdefghij""#), Some(20));
        assert_eq!(end(r#"0123456789abc\"def""#), None);
        assert_eq!(end("0123456789abc\tdef\""), None);
        assert_eq!(end("01234567"), None);
        assert_eq!(end(""), None);
    }

    proptest::proptest! {
        /// The word-at-a-time scan against the plain definition: the first quote, unless a
        /// backslash or a control character comes before it. Bytes are drawn mostly from the
        /// ones that matter, at every offset of a word.
        #[test]
        fn string_end_is_the_first_quote_before_any_escape_or_control_character(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    8 => 0x20u8..0x7f,
                    1 => proptest::sample::select(vec![b'"', b'\\', 0x00, 0x1f, 0x20, 0x7f, 0x80, 0xe4, 0xff]),
                ],
                0..40,
            ),
            from in 0usize..12,
        ) {
            let plain = bytes.get(from..).and_then(|rest| {
                rest.iter()
                    .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                    .filter(|&at| rest.get(at) == Some(&b'"'))
                    .map(|at| from + at)
            });
            proptest::prop_assert_eq!(string_end(&bytes, from), plain);
        }
    }

    #[test]
    fn numbers_are_plain_json_numbers_as_written() {
        let number = |s: &str| Cursor { text: s, at: 0 }.number().map(str::to_owned);
        for plain in ["0", "-0", "12", "-12.50", "125000.50", "0.001"] {
            assert_eq!(number(plain).as_deref(), Some(plain));
        }
        for refused in ["01x", "-", "1.", ".5", "+1", "1e5", "2E-3"] {
            let read = number(refused);
            assert!(
                read.is_none() || refused.starts_with("01"),
                "{refused}: {read:?}"
            );
        }
        // `01` reads as `0` and stops: the caller then finds `1` where a comma belongs.
        assert_eq!(number("01").as_deref(), Some("0"));
    }
}

/// The direct reader against the serde path, line by line: whenever it reads a line, the serde
/// path reads the same loan and key from it, and notes the same unknown names.
#[cfg(test)]
mod differential {
    use std::sync::LazyLock;

    use proptest::prelude::*;

    use super::super::jsonl::read_loan_by_serde;
    use super::*;

    use super::super::testing::{RETAIL as SCHEMA, corpus};

    /// Every line of the shipped books and of the hostile-input corpus.
    static CORPUS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
        corpus("jsonl")
            .iter()
            .flat_map(|bytes| bytes.split(|b| *b == b'\n').map(<[u8]>::to_vec))
            .collect()
    });

    /// Orders of keys to try first: the sample's own, learnt from its first line; that order
    /// backwards; and one where every guess is the wrong field.
    static ORDERS: LazyLock<Vec<Vec<Option<usize>>>> = LazyLock::new(|| {
        let schema = &*SCHEMA;
        let sample = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("examples/portfolios/retail-sample.jsonl"),
        )
        .unwrap();
        let first = sample.lines().next().unwrap();
        let own = key_order(first.as_bytes(), schema).unwrap();
        assert_eq!(own.len(), schema.fields.len(), "{own:?}");
        let backwards = own.iter().rev().copied().collect();
        let wrong = own.iter().map(|slot| slot.map(|s| s + 1)).collect();
        vec![own, backwards, wrong]
    });

    #[test]
    fn the_order_of_a_lines_keys_is_their_slots_and_nothing_for_what_is_not_an_object() {
        let schema = &*SCHEMA;
        let slot = |name: &str| schema.slot(name);
        assert_eq!(
            key_order(
                br#" {"region": "x", "nickname": [1, {"a": 2}], "loan_id": "L1"} "#,
                schema
            ),
            Some(vec![slot("region"), None, slot("loan_id")])
        );
        assert!(slot("region").is_some() && slot("loan_id").is_some());
        assert_eq!(key_order(b"{}", schema), Some(vec![]));
        for line in [
            &b"[1]"[..],
            b"{\"loan_id\" \"L1\"}",
            b"{\"loan_id\": }",
            b"\xff",
        ] {
            assert_eq!(
                key_order(line, schema),
                None,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }

    /// Reads `line` both ways and holds the direct reader to the serde path; true when the
    /// direct reader read it.
    fn agree(schema: &Schema, line: &[u8]) -> bool {
        let at = Origin {
            file: "p.jsonl",
            number: 1,
            line: Some(1),
        };
        let (mut fast_unknown, mut slow_unknown) =
            (UnknownFields::default(), UnknownFields::default());
        let fast = read_loan(line, schema, None, None, &at, &mut fast_unknown);
        let slow = read_loan_by_serde(line, schema, &at, &mut slow_unknown);
        // Whatever order of keys the reader tries first, it reads the same.
        for order in ORDERS.iter() {
            let mut unknown = UnknownFields::default();
            let guided = read_loan(line, schema, None, Some(order), &at, &mut unknown);
            let text = String::from_utf8_lossy(line);
            assert_eq!(guided, fast, "{order:?} changes what is read of {text}");
            assert_eq!(
                unknown, fast_unknown,
                "{order:?} changes unknown names of {text}"
            );
        }
        if let Some(fast) = &fast {
            let text = String::from_utf8_lossy(line);
            assert_eq!(
                slow.as_ref().ok(),
                Some(fast),
                "the readers differ on {text}"
            );
            assert_eq!(fast_unknown, slow_unknown, "unknown names differ on {text}");
        }
        keeping_some_fields_reads_the_same(schema, line, &at, fast.as_ref(), &slow);
        fast.is_some()
    }

    /// Read keeping only every other field (as `run` keeps only its policy's), `line` is
    /// read directly exactly when it is read whole, gives the same key and the same value in
    /// every field kept; and a rejected line is rejected the same.
    fn keeping_some_fields_reads_the_same(
        schema: &Schema,
        line: &[u8],
        at: &Origin<'_>,
        whole: Option<&(String, Loan)>,
        rejected: &Result<(String, Loan), super::super::Rejected>,
    ) {
        let kept = &*super::super::testing::EVERY_OTHER_FIELD;
        let text = String::from_utf8_lossy(line);
        let keeping = read_loan(
            line,
            schema,
            Some(kept),
            None,
            at,
            &mut UnknownFields::default(),
        );
        assert_eq!(keeping.is_some(), whole.is_some(), "{text}");
        if let (Some((key, keeping)), Some((same_key, whole))) = (&keeping, whole) {
            assert_eq!(key, same_key, "{text}");
            for slot in 0..schema.fields.len() {
                let (got, expected) = (keeping.field(slot), whole.field(slot));
                // A field not kept holds nothing, or (a field not given, filled in as
                // missing or empty) what the whole loan holds.
                let left_out = !kept.contains(slot) && got == Some(&Value::Missing);
                assert!(
                    left_out || got == expected,
                    "slot {slot} of {text}: {got:?}, not {expected:?}"
                );
            }
        }
        if let Err(rejected) = rejected {
            let through = super::super::jsonl::read_loan(
                line,
                schema,
                Some(kept),
                None,
                at,
                &mut UnknownFields::default(),
            );
            assert_eq!(through.as_ref().err(), Some(rejected), "{text}");
        }
    }

    #[test]
    fn the_direct_reader_agrees_on_every_line_of_the_corpus() {
        let lines = &*CORPUS;
        let read = lines.iter().filter(|line| agree(&SCHEMA, line)).count();
        // The shipped books are plain, so nearly all of their lines take the direct path.
        assert!(
            read > lines.len() / 2,
            "{read} of {} lines read directly",
            lines.len()
        );
    }

    /// A list's records are converted as their keys are met, in any order: each record the
    /// direct reader builds is the serde path's, and a record naming a field twice is left to
    /// that path.
    #[test]
    fn records_read_in_any_key_order_are_the_serde_path_s() {
        let line = |contacts: &str| {
            let mut line = String::from_utf8(CORPUS.first().unwrap().clone()).unwrap();
            let start = line.find("\"contacts\":[").unwrap() + "\"contacts\":".len();
            let end = start + line.get(start..).unwrap().find(']').unwrap() + 1;
            line.replace_range(start..end, contacts);
            line.into_bytes()
        };
        for contacts in [
            r#"[]"#,
            r#"[{"on":"2026-01-02","channel":"sms","at":"09:30"}]"#,
            r#"[{"at":"09:30","channel":"sms","on":"2026-01-02"},{"channel":"phone","on":"2026-03-04"}]"#,
            r#"[{"on":"2026-01-02","channel":"sms","at":null},{"on":"2026-01-03","note":[1],"channel":"visit"}]"#,
            r#"[{"on":"2026-01-02","channel":"sms"},{"on":"2026-01-02","channel":"sms"},{"on":"2026-01-02","channel":"sms"},{"on":"2026-01-02","channel":"sms"},{"on":"2026-01-02","channel":"letter"}]"#,
        ] {
            assert!(
                agree(&SCHEMA, &line(contacts)),
                "not read directly: {contacts}"
            );
        }
        for refused in [
            r#"[{"on":"2026-01-02","channel":"sms","on":"2026-01-03"}]"#,
            r#"[{"on":"2026-01-02","channel":"fax"}]"#,
            r#"[{"channel":"sms"}]"#,
        ] {
            assert!(!agree(&SCHEMA, &line(refused)), "read directly: {refused}");
        }
    }

    /// Keys are matched where the schema's order expects them, and the general way when the
    /// expected name is only a prefix, is followed by more, or has no colon after it.
    #[test]
    fn a_key_is_the_expected_field_only_when_the_whole_key_is_its_name() {
        let first = String::from_utf8(CORPUS.first().unwrap().clone()).unwrap();
        let edited = |from: &str, to: &str| {
            assert!(first.contains(from), "{from}");
            first.replacen(from, to, 1).into_bytes()
        };
        assert!(agree(&SCHEMA, first.as_bytes()));
        for (from, to) in [
            // Space around the colon, and fields out of the schema's order.
            (r#""loan_id":"#, r#""loan_id" :  "#),
            (r#""product":"#, r#""zz_unknown":1,"product":"#),
            // The expected name followed by more, and a prefix of it: unknown fields here.
            (r#""borrower":"#, r#""borrower_x":1,"borrower":"#),
            (r#""borrower":"#, r#""borrowe":1,"borrower":"#),
            (r#""borrower":"#, r#""borrower :":1,"borrower":"#),
            // In a list's record.
            (r#"{"due_on":"#, r#"{ "due_on" : "#),
        ] {
            assert!(agree(&SCHEMA, &edited(from, to)), "not read directly: {to}");
        }
        for (from, to) in [
            (r#""loan_id":"#, r#""loan_id" "#),
            (r#""borrower":"#, r#""borrower","#),
            (r#"{"due_on":"#, r#"{"due_on" "#),
        ] {
            assert!(!agree(&SCHEMA, &edited(from, to)), "read directly: {to}");
        }
    }

    /// Bytes that matter to JSON and to the schema's conversions, to splice into good lines.
    const PIECES: &[&str] = &[
        "\"",
        "\\",
        "\\\"",
        "\\u0041",
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        " ",
        "\t",
        "\r",
        "\u{1}",
        "0",
        "-",
        ".",
        "e",
        "E5",
        "01",
        "-0",
        "1.",
        "true",
        "false",
        "null",
        "\"\"",
        "\"null\"",
        "\"~\"",
        "王",
        "\u{FEFF}",
        "\"loan_id\":\"X\",",
        "\"extra\":[1,{\"a\":null}],",
        "\"kept\":\"TRUE\"",
        "2026-02-30",
        "\"2026-1-5\"",
        "12.345",
        "1e2",
        "9999999999999999999999999999999",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// A shipped line with a few pieces spliced in, bytes cut out, or both: whatever the
        /// direct reader accepts, the serde path reads the same.
        #[test]
        fn edited_lines_read_the_same_both_ways(
            which in 0usize..1000,
            edits in prop::collection::vec((0usize..2000, 0usize..PIECES.len(), 0usize..4), 1..4),
        ) {
            let lines = &*CORPUS;
            let Some(mut line) = lines.get(which % lines.len()).cloned() else {
                return Ok(());
            };
            crate::input::testing::splice(&mut line, &edits, PIECES);
            agree(&SCHEMA, &line);
        }
    }
}
