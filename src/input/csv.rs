//! CSV: a header row naming the fields, then one loan a row. An empty cell is a missing
//! value; a list field holds a JSON array in its cell.
//!
//! The file is read as [`csv_core`] reads it (a comma between cells, `"` quoting, `""` a quote
//! inside quotes, a line ending of `\n`, `\r` or `\r\n`, blank lines skipped), in two steps:
//! the reading thread only finds where each row ends ([`cut_row`]), which needs a look at the
//! quotes and line ends alone, and the worker that reads the row splits it into cells
//! ([`with_cells`]). Splitting on the workers is what lets a second thread speed CSV up as it
//! does JSON Lines.

use std::borrow::Cow;
use std::cell::RefCell;

use csv_core::ReadRecordResult;

use super::stream::Cut;
use super::{Raw, jsonl::parse_json};

/// The UTF-8 byte-order mark, which `csv_core` leaves out at the start of a file.
pub(super) const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// The row of `bytes` that starts at `start`, ended where `csv_core` would end it: at the
/// first `\n` or `\r` outside quotes. Blank lines before it are skipped. `ended` says that
/// `bytes` runs to the end of the file; otherwise a row that may go on past the buffer is
/// [`Cut::More`].
///
/// Only a quote at the start of a cell opens quotes (`a"b` is the text `a"b`); inside quotes,
/// `""` is a quote and any other quote closes them. So only quotes and line ends need a look,
/// and memchr finds them.
pub(super) fn cut_row(bytes: &[u8], start: usize, ended: bool) -> Cut {
    let rest = bytes.get(start..).unwrap_or_default();
    let Some(blank) = rest.iter().position(|b| !matches!(b, b'\n' | b'\r')) else {
        return if ended { Cut::End } else { Cut::More };
    };
    let first = start + blank;
    let to_the_end = || {
        if ended {
            Cut::Row {
                text: first..bytes.len(),
                next: bytes.len(),
            }
        } else {
            Cut::More
        }
    };
    let mut at = first;
    let mut quoted = false;
    loop {
        let rest = bytes.get(at..).unwrap_or_default();
        if quoted {
            let Some(quote) = memchr::memchr(b'"', rest).map(|i| at + i) else {
                return to_the_end();
            };
            // A quote last in the buffer closes the quotes for now: the scan past it finds
            // nothing and asks for more, and the cut starts over.
            match bytes.get(quote + 1) {
                Some(b'"') => at = quote + 2,
                _ => {
                    quoted = false;
                    at = quote + 1;
                }
            }
        } else {
            let Some(found) = memchr::memchr3(b'"', b'\n', b'\r', rest).map(|i| at + i) else {
                return to_the_end();
            };
            if bytes.get(found) == Some(&b'"') {
                quoted = found == first || bytes.get(found - 1) == Some(&b',');
                at = found + 1;
            } else {
                return Cut::Row {
                    text: first..found,
                    next: found + 1,
                };
            }
        }
    }
}

/// A row's cells, unquoted: their bytes one after another, and where each ends.
#[derive(Debug, Default)]
pub(super) struct Cells {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    count: usize,
}

impl Cells {
    /// How many cells the row has.
    pub(super) fn len(&self) -> usize {
        self.count
    }

    /// The cells in order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &[u8]> {
        let ends = self.ends.get(..self.count).unwrap_or_default();
        ends.iter().scan(0, |start, &end| {
            let cell = self.bytes.get(*start..end).unwrap_or_default();
            *start = end;
            Some(cell)
        })
    }

    /// The cells as text, or `None` when the row is not all UTF-8. The row is checked once,
    /// not cell by cell: a row has dozens of short cells, and a check per cell took 4 % of a
    /// CSV run. A cell is the row's text between two delimiters with only quotes (ASCII)
    /// taken out, so each starts on a character's first byte and slicing cannot fail.
    pub(super) fn texts(&self) -> Option<impl Iterator<Item = Option<&str>>> {
        let ends = self.ends.get(..self.count).unwrap_or_default();
        let used = ends.last().copied().unwrap_or(0);
        let text = simdutf8::basic::from_utf8(self.bytes.get(..used)?).ok()?;
        Some(ends.iter().scan(0, move |start, &end| {
            let cell = text.get(*start..end);
            *start = end;
            Some(cell)
        }))
    }

    /// Splits `row` (one row's text, as [`cut_row`] gives it) with `reader`.
    fn split(&mut self, reader: &mut csv_core::Reader, row: &[u8]) {
        reader.reset();
        // A fresh reader takes a byte-order mark at its start for the file's; inside the file
        // it is text. Reading a blank line first (skipped, as any blank line is) makes the row
        // not the start.
        let _ = reader.read_record(b"\n", &mut [0], &mut [0]);
        // A cell is never longer than its text.
        if self.bytes.len() < row.len() {
            self.bytes.resize(row.len(), 0);
        }
        if self.ends.is_empty() {
            self.ends.resize(64, 0);
        }
        let (mut input, mut written, mut count) = (row, 0, 0);
        self.count = 0;
        loop {
            let (result, read, out, ends) = reader.read_record(
                input,
                self.bytes.get_mut(written..).unwrap_or_default(),
                self.ends.get_mut(count..).unwrap_or_default(),
            );
            input = input.get(read..).unwrap_or_default();
            written += out;
            count += ends;
            match result {
                // All of `input` is taken; reading nothing next says the row ends there.
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => self.bytes.resize(self.bytes.len() * 2 + 64, 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                ReadRecordResult::Record => {
                    self.count = count;
                    return;
                }
                ReadRecordResult::End => return,
            }
        }
    }
}

/// The most bytes of cells a worker keeps between rows (a usual row is under a kilobyte).
const KEPT: usize = 1 << 20;

thread_local! {
    /// Each worker's reader and cells, reused row after row.
    static SPLITTER: RefCell<(csv_core::Reader, Cells)> =
        RefCell::new((csv_core::Reader::new(), Cells::default()));
}

/// `read` given the cells of `row` (one row's text, as [`cut_row`] gives it).
pub(super) fn with_cells<R>(row: &[u8], read: impl FnOnce(&Cells) -> R) -> R {
    SPLITTER.with(|splitter| match splitter.try_borrow_mut() {
        Ok(mut splitter) => {
            let (reader, cells) = &mut *splitter;
            cells.split(reader, row);
            let read = read(cells);
            // One huge row must not keep its buffer for the rest of the run.
            if cells.bytes.len() > KEPT {
                *cells = Cells::default();
            }
            read
        }
        // Only if `read` itself splits a row; then with buffers of its own.
        Err(_) => {
            let mut cells = Cells::default();
            cells.split(&mut csv_core::Reader::new(), row);
            read(&cells)
        }
    })
}

/// A CSV file's header, and which columns hold lists.
#[derive(Debug)]
pub(super) struct CsvLayout {
    pub(super) headers: Vec<String>,
    pub(super) is_list: Vec<bool>,
    /// Each column's schema slot, `None` for a column the schema does not declare.
    pub(super) slots: Vec<Option<usize>>,
}

/// One row's record, by the file's header.
pub(super) fn cells<'r>(layout: &'r CsvLayout, record: &'r Cells) -> Result<Raw<'r>, String> {
    let (headers, is_list) = (&layout.headers, &layout.is_list);
    if record.len() != headers.len() {
        return Err(format!(
            "this row has {} cells, but the header has {}",
            record.len(),
            headers.len()
        ));
    }
    let mut map = Vec::with_capacity(headers.len());
    for ((header, cell), list) in headers.iter().zip(record.iter()).zip(is_list.iter()) {
        let Ok(cell) = std::str::from_utf8(cell) else {
            return Err(format!(
                "the `{header}` cell is not valid UTF-8; save the file as UTF-8"
            ));
        };
        let value = if cell.is_empty() {
            Raw::Null
        } else if *list {
            match parse_json(cell) {
                Ok(raw) => raw,
                // Kept as text: the converter names the field and shows the value.
                Err(_) => Raw::Scalar(Cow::Borrowed(cell)),
            }
        } else {
            Raw::Scalar(Cow::Borrowed(cell))
        };
        map.push((Cow::Borrowed(header.as_str()), value));
    }
    Ok(Raw::Map(map))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    type Rows = Vec<Vec<Vec<u8>>>;

    /// The rows of `bytes` (the header too) and their cells, as the csv crate reads them.
    fn by_the_csv_crate(bytes: &[u8]) -> Rows {
        let mut reader = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut record = ::csv::ByteRecord::new();
        let mut rows = Vec::new();
        while reader.read_byte_record(&mut record).unwrap() {
            rows.push(record.iter().map(<[u8]>::to_vec).collect());
        }
        rows
    }

    /// The same, cut and split here; every row is also cut from each shorter buffer that ends
    /// inside it, where it must be [`Cut::More`], never a different row.
    fn by_cutting(bytes: &[u8]) -> Rows {
        let mut start = if bytes.starts_with(BYTE_ORDER_MARK) {
            3
        } else {
            0
        };
        let mut rows = Vec::new();
        loop {
            let (text, next) = match cut_row(bytes, start, true) {
                Cut::Row { text, next } => (text, next),
                Cut::End => return rows,
                Cut::More => panic!("more wanted at the end of the file"),
            };
            for end in start..next {
                let cut = cut_row(&bytes[..end], start, false);
                assert!(
                    cut == Cut::More
                        || cut
                            == Cut::Row {
                                text: text.clone(),
                                next
                            },
                    "{:?} cut from {start} to {end} gives {cut:?}",
                    String::from_utf8_lossy(bytes)
                );
            }
            rows.push(with_cells(&bytes[text], |cells| {
                // The row checked whole as text gives each cell checked alone, and refuses
                // a row where any cell is not text (a character split by a delimiter too).
                let alone: Option<Vec<&str>> =
                    cells.iter().map(|c| std::str::from_utf8(c).ok()).collect();
                let whole: Option<Vec<&str>> = cells.texts().and_then(Iterator::collect);
                assert_eq!(whole, alone, "{:?}", String::from_utf8_lossy(bytes));
                cells.iter().map(<[u8]>::to_vec).collect()
            }));
            start = next;
        }
    }

    #[test]
    fn rows_end_at_line_ends_outside_quotes() {
        let cases: &[(&str, &[&[&str]])] = &[
            ("a,b\nc,d", &[&["a", "b"], &["c", "d"]]),
            ("a,\"b\nc\",d\r\ne\n", &[&["a", "b\nc", "d"], &["e"]]),
            ("\n\r\n\ra\r\r\nb", &[&["a"], &["b"]]),
            ("\"a\"\"b\",c\"d\n", &[&["a\"b", "c\"d"]]),
            ("\"a\"b\"c\n", &[&["ab\"c"]]),
            ("a,\"open\nto the end", &[&["a", "open\nto the end"]]),
            ("\u{feff}h\n\u{feff}a\n", &[&["h"], &["\u{feff}a"]]),
            ("a,\n,\n", &[&["a", ""], &["", ""]]),
        ];
        for (text, rows) in cases {
            let expected: Rows = rows
                .iter()
                .map(|row| row.iter().map(|cell| cell.as_bytes().to_vec()).collect())
                .collect();
            assert_eq!(by_the_csv_crate(text.as_bytes()), expected, "{text:?}");
            assert_eq!(by_cutting(text.as_bytes()), expected, "{text:?}");
        }
    }

    #[test]
    fn a_huge_row_is_split_whole_and_its_buffer_is_not_kept() {
        let huge = format!("a,\"{}\"\"b\",c", "x".repeat(KEPT + 1));
        for _ in 0..2 {
            let cells = with_cells(huge.as_bytes(), |cells| {
                cells.iter().map(<[u8]>::len).collect::<Vec<_>>()
            });
            assert_eq!(cells, vec![1, KEPT + 3, 1]);
            let kept = SPLITTER.with(|splitter| splitter.borrow().1.bytes.len());
            assert!(kept <= KEPT, "{kept} bytes kept");
        }
        let small = with_cells(b"d,e", |cells| {
            cells.iter().map(<[u8]>::to_vec).collect::<Vec<_>>()
        });
        assert_eq!(small, vec![b"d".to_vec(), b"e".to_vec()]);
    }

    /// Bytes that matter to CSV, and some that do not.
    const PIECES: &[&[u8]] = &[
        b"a",
        b"bc",
        b",",
        b"\"",
        b"\"\"",
        b"\r",
        b"\n",
        b"\r\n",
        b" ",
        b"\xEF\xBB\xBF",
        b"\xE7\x8E\x8B",
        b"\xE7\x8E",
        b"\x8B",
        b"\xFF",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3_000))]

        #[test]
        fn rows_and_cells_are_the_csv_crate_s(pieces in prop::collection::vec(0..PIECES.len(), 0..40)) {
            let bytes: Vec<u8> = pieces.iter().flat_map(|&p| PIECES[p].iter().copied()).collect();
            prop_assert_eq!(by_cutting(&bytes), by_the_csv_crate(&bytes));
        }
    }
}
