//! Reading a portfolio a chunk at a time, so that memory does not grow with the portfolio.
//!
//! The stream only cuts the file into records (lines, CSV rows); turning a record's text into a
//! loan ([`Pending::to_loan`]) is left to the caller, who can do it on many threads. YAML is
//! one document and is read whole.

use std::io::Read;

use std::sync::{Arc, OnceLock};

use super::convert::{Origin, convert};
use super::csv::{self as csv_cells, CsvLayout};
use super::{Raw, RawRecord, Rejected, jsonl, yaml};
use crate::schema::{FieldSet, FieldType, Schema};
use crate::value::Loan;

/// Why a portfolio as a whole cannot be read (a bad row is a [`Rejected`] row instead).
#[derive(Debug)]
#[non_exhaustive]
pub enum StreamError {
    /// The CSV header row cannot be read.
    CsvHeader(String),
    /// The file cannot be read, at a line when it is known.
    Io {
        /// The 1-based line being read.
        line: Option<u64>,
        /// What the operating system said.
        reason: String,
    },
    /// A YAML portfolio that cannot be read or is not a list of records.
    Yaml(String),
    /// The reading thread ended without a word.
    ReaderStopped,
    /// A Parquet or Arrow book that cannot be read, or whose columns cannot hold the schema's
    /// fields (a required field without a column, money as a binary float).
    Columnar(String),
}

impl std::fmt::Display for StreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StreamError::CsvHeader(reason) => write!(f, "cannot read the header row: {reason}"),
            StreamError::Io {
                line: Some(line),
                reason,
            } => write!(f, "cannot read line {line}: {reason}"),
            StreamError::Io { line: None, reason } => write!(f, "cannot read the file: {reason}"),
            StreamError::Yaml(message) => f.write_str(message),
            StreamError::ReaderStopped => f.write_str("the reading thread stopped"),
            StreamError::Columnar(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for StreamError {}

/// A record cut from the file, not yet parsed.
#[derive(Debug)]
pub struct Pending {
    line: Option<u64>,
    body: Body,
}

#[derive(Debug)]
enum Body {
    /// A line of a JSON Lines file: `range` within a block of lines read together.
    Json {
        block: Arc<Block>,
        range: std::ops::Range<usize>,
    },
    /// A row of a CSV file: `range` within a block of rows read together.
    Csv {
        block: Arc<Block>,
        range: std::ops::Range<usize>,
        layout: Arc<CsvLayout>,
    },
    Ready(Result<Raw<'static>, String>),
    /// A row of a Parquet or Arrow batch, converted by the worker that reads it.
    Columnar(Arc<super::arrow::Batch>, usize),
}

impl Pending {
    /// The loan this record holds and its key, or the rejection saying why it is not one.
    /// Field names the schema lacks are added to `unknown`.
    #[expect(
        clippy::result_large_err,
        reason = "a rejection is the rare path; boxing it would cost every caller for nothing"
    )]
    pub fn to_loan(
        &self,
        schema: &Schema,
        kept: Option<&FieldSet>,
        file: &str,
        number: u64,
        unknown: &mut super::UnknownFields,
    ) -> Result<(String, Loan), Rejected> {
        let raw = match &self.body {
            Body::Json { block, range } => {
                let at = Origin {
                    file,
                    number,
                    line: self.line,
                };
                let Some(text) = block.bytes.get(range.clone()) else {
                    return Err(at.malformed(crate::lang::text!("row-unreadable-line")));
                };
                let order = block.key_order(text, schema);
                return jsonl::read_loan(text, schema, kept, order, &at, unknown);
            }
            Body::Csv {
                block,
                range,
                layout,
            } => {
                let at = Origin {
                    file,
                    number,
                    line: self.line,
                };
                let Some(text) = block.bytes.get(range.clone()) else {
                    return Err(at.malformed(crate::lang::text!("row-unreadable-line")));
                };
                return csv_cells::with_cells(text, |cells| {
                    if let Some(read) =
                        super::direct::read_row(layout, cells, schema, kept, &at, unknown)
                    {
                        return Ok(read);
                    }
                    let record = RawRecord {
                        line: self.line,
                        raw: csv_cells::cells(layout, cells),
                    };
                    convert(record, schema, file, number, unknown)
                });
            }
            Body::Ready(Ok(raw)) => Ok(raw.reborrow()),
            Body::Columnar(batch, row) => {
                let at = Origin {
                    file,
                    number,
                    line: self.line,
                };
                return batch.load(*row, schema, kept, &at, unknown);
            }
            Body::Ready(Err(reason)) => Err(reason.clone()),
        };
        let record = RawRecord {
            line: self.line,
            raw,
        };
        convert(record, schema, file, number, unknown)
    }

    /// The 1-based line where the record starts, when known.
    pub fn line(&self) -> Option<u64> {
        self.line
    }
}

enum Source {
    /// JSON Lines, or CSV rows after the header.
    Text(Lines),
    Ready(std::vec::IntoIter<RawRecord<'static>>),
    Columnar(Box<super::arrow::ArrowRows>),
}

/// A portfolio, record by record.
pub struct RecordStream {
    source: Source,
}

impl RecordStream {
    /// Opens `reader` as a portfolio in `format`.
    pub fn open(
        reader: Box<dyn Read + Send>,
        format: super::InputFormat,
        schema: &Schema,
    ) -> Result<RecordStream, StreamError> {
        let source = match format {
            super::InputFormat::Jsonl => Source::Text(Lines::new(reader)),
            super::InputFormat::Csv => {
                let mut lines = Lines::new(reader);
                let headers = lines.header()?;
                // Each column's slot: the one the loan builder finds for its name, as a field's
                // names and other names are all distinct (the schema refuses a clash).
                let slots: Vec<Option<usize>> = headers.iter().map(|h| schema.slot(h)).collect();
                let is_list = slots
                    .iter()
                    .map(|slot| {
                        slot.and_then(|s| schema.fields.get(s))
                            .is_some_and(|f| matches!(f.ty, FieldType::List(_)))
                    })
                    .collect();
                lines.csv = Some(Arc::new(CsvLayout {
                    headers,
                    is_list,
                    slots,
                }));
                Source::Text(lines)
            }
            super::InputFormat::Yaml => Source::Ready(
                yaml::read(reader, schema)
                    .map_err(StreamError::Yaml)?
                    .into_iter(),
            ),
            super::InputFormat::Parquet => {
                // Parquet is read from its footer backwards: from a plain reader, it is read
                // into memory first. `open_file` reads a file on the disk in place.
                let bytes = read_all(reader)?;
                let size = bytes.len() as u64;
                Source::Columnar(Box::new(super::arrow::ArrowRows::parquet(
                    bytes::Bytes::from(bytes),
                    size,
                    schema,
                )?))
            }
            super::InputFormat::Arrow => {
                Source::Columnar(Box::new(super::arrow::ArrowRows::ipc(reader, schema)?))
            }
        };
        Ok(RecordStream { source })
    }

    /// Opens the file `file` as a portfolio in `format`. A Parquet file is read in place, a
    /// row group at a time, so memory does not grow with the book; other formats stream as
    /// [`RecordStream::open`] streams them.
    pub fn open_file(
        file: std::fs::File,
        format: super::InputFormat,
        schema: &Schema,
    ) -> Result<RecordStream, StreamError> {
        if format == super::InputFormat::Parquet {
            let size = file.metadata().map(|m| m.len()).unwrap_or(0);
            let rows = super::arrow::ArrowRows::parquet(file, size, schema)?;
            return Ok(RecordStream {
                source: Source::Columnar(Box::new(rows)),
            });
        }
        RecordStream::open(Box::new(file), format, schema)
    }

    /// Record batches already in memory as a portfolio: an Arrow table handed over by another
    /// library (Python's pyarrow, polars, DuckDB). Every batch must have `arrow_schema`; the
    /// columns are checked against `schema` as a Parquet book's are, and each row is read, and
    /// rejected or not, exactly as that row of a Parquet file would be.
    pub fn from_batches(
        arrow_schema: &arrow_schema::Schema,
        batches: Vec<arrow_array::RecordBatch>,
        schema: &Schema,
    ) -> Result<RecordStream, StreamError> {
        if let Some(other) = batches
            .iter()
            .find(|b| b.schema().fields() != arrow_schema.fields())
        {
            return Err(StreamError::Columnar(format!(
                "the batches do not all have the same columns: {} and {}",
                arrow_schema,
                other.schema()
            )));
        }
        let rows = super::arrow::ArrowRows::batches(arrow_schema, batches, schema)?;
        Ok(RecordStream {
            source: Source::Columnar(Box::new(rows)),
        })
    }

    /// How far into the file the stream has read, in bytes (for progress).
    pub fn bytes_read(&self) -> u64 {
        match &self.source {
            Source::Text(lines) => lines.bytes,
            Source::Columnar(rows) => rows.bytes_read(),
            Source::Ready(_) => 0,
        }
    }

    /// Up to `max` more records; empty at the end of the file. Fails only when the file itself
    /// cannot be read.
    pub fn next_chunk(&mut self, max: usize) -> Result<Vec<Pending>, StreamError> {
        let mut chunk = Vec::with_capacity(max.min(1 << 16));
        while chunk.len() < max {
            let next = match &mut self.source {
                Source::Text(lines) => return lines.next(max),
                Source::Ready(records) => {
                    let Some(record) = records.next() else { break };
                    Pending {
                        line: record.line,
                        body: Body::Ready(record.raw),
                    }
                }
                Source::Columnar(rows) => match rows.next_row() {
                    None => break,
                    Some(Err(error)) => return Err(error),
                    Some(Ok((batch, row))) => Pending {
                        line: None,
                        body: Body::Columnar(batch, row),
                    },
                },
            };
            chunk.push(next);
        }
        Ok(chunk)
    }
}

/// The whole of `reader`, for formats read from their end (Parquet) or from memory.
pub(super) fn read_all(mut reader: Box<dyn Read + Send>) -> Result<Vec<u8>, StreamError> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| StreamError::Io {
            line: None,
            reason: e.to_string(),
        })?;
    Ok(bytes)
}

/// Bytes asked of the file at once while a chunk's block fills.
const READ_AT_ONCE: u64 = 1 << 20;

/// The room a block is made with: a usual chunk (8,192 lines of about a kilobyte) and a whole
/// read beyond it, the most the next chunk usually starts with (`Lines::carry`). A block
/// without room for the next chunk's start would grow, and growing moves it and copies its
/// whole old capacity: with room for the chunk alone, the first dozen chunks of a book each
/// copied 12 MB, until every spare block had doubled.
const BLOCK_ROOM: usize = CHUNK_ROOM + READ_AT_ONCE as usize;

/// The bytes of a usual chunk, with room to spare: 8,192 lines of about a kilobyte.
const CHUNK_ROOM: usize = 12 << 20;

/// A text file being cut into chunks of records: the lines of a JSON Lines file, or the rows of
/// a CSV file.
struct Lines {
    reader: Box<dyn Read + Send>,
    /// The line feeds passed so far; a record's line is one more than those before it.
    newlines: u64,
    /// The start of a record the last chunk did not take whole.
    carry: Vec<u8>,
    /// The end of the file was reached.
    ended: bool,
    /// Blocks the workers are done with, for the next chunks.
    spare: Spare,
    /// The bytes passed so far.
    bytes: u64,
    /// A CSV file's header, once read; `None` for JSON Lines.
    csv: Option<Arc<CsvLayout>>,
}

/// Where the next record of a buffer is.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Cut {
    /// A record: its text (without the line ending), and where the next one starts.
    Row {
        text: std::ops::Range<usize>,
        next: usize,
    },
    /// The buffer ends inside the record: read more and cut again from the same place.
    More,
    /// No records are left.
    End,
}

/// The line of `bytes` that starts at `start`. `ended` says that `bytes` runs to the end of
/// the file; otherwise a line without its line feed yet is [`Cut::More`].
fn cut_line(bytes: &[u8], start: usize, ended: bool) -> Cut {
    let rest = bytes.get(start..).unwrap_or_default();
    let (line, next) = match memchr::memchr(b'\n', rest) {
        Some(at) => (rest.get(..at).unwrap_or_default(), start + at + 1),
        None if !ended => return Cut::More,
        None if rest.is_empty() => return Cut::End,
        None => (rest, bytes.len()),
    };
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    Cut::Row {
        text: start..start + line.len(),
        next,
    }
}

/// A chunk's lines, shared by its records; when the last of them is done, the bytes go back to
/// the stream's spares. Reusing a few blocks keeps the pages of memory the file passes through
/// the same ones: a fresh block per chunk cost the kernel a page fault and a page cleared for
/// every 4 KB read, 6 % of the time on two threads.
#[derive(Debug)]
pub(super) struct Block {
    bytes: Vec<u8>,
    spare: Spare,
    /// The slots of the keys of a JSON line of the block, in that line's order, and the
    /// schema (by address) they are slots of: learnt from the first line read, and tried
    /// first for every other line (`direct::key_order`).
    order: OnceLock<(usize, Option<Vec<Option<usize>>>)>,
}

impl Block {
    /// The order of the keys of this block's JSON lines under `schema`, learnt from `line`
    /// if no line was read yet; `None` under another schema than the first one read with
    /// (`diff` reads a book under two), or when the line learnt from was not an object.
    fn key_order(&self, line: &[u8], schema: &Schema) -> Option<&[Option<usize>]> {
        let identity = std::ptr::from_ref(schema) as usize;
        let (learnt, order) = self
            .order
            .get_or_init(|| (identity, super::direct::key_order(line, schema)));
        if *learnt == identity {
            order.as_deref()
        } else {
            None
        }
    }
}

/// The blocks the workers are done with (at most [`SPARE_BLOCKS`]).
#[derive(Clone, Debug, Default)]
pub(super) struct Spare(Arc<std::sync::Mutex<Vec<Vec<u8>>>>);

/// More chunks than this are never in flight at once (`batch` keeps at most four).
const SPARE_BLOCKS: usize = 3;

impl Spare {
    fn take(&self) -> Vec<u8> {
        let spare = self.0.lock().ok().and_then(|mut blocks| blocks.pop());
        spare.unwrap_or_default()
    }
}

impl Drop for Block {
    fn drop(&mut self) {
        let mut bytes = std::mem::take(&mut self.bytes);
        bytes.clear();
        if let Ok(mut blocks) = self.spare.0.lock()
            && blocks.len() < SPARE_BLOCKS
        {
            blocks.push(bytes);
        }
    }
}

impl Lines {
    /// A file read from its start, as JSON Lines until a CSV header is read ([`Lines::header`]).
    fn new(reader: Box<dyn Read + Send>) -> Lines {
        Lines {
            reader,
            newlines: 0,
            carry: Vec::new(),
            ended: false,
            spare: Spare::default(),
            bytes: 0,
            csv: None,
        }
    }

    /// The next record of `bytes` from `start`.
    fn cut(&self, bytes: &[u8], start: usize) -> Cut {
        match self.csv {
            None => cut_line(bytes, start, self.ended),
            Some(_) => csv_cells::cut_row(bytes, start, self.ended),
        }
    }

    /// Reads more of the file onto `block`, whose record from `start` is not whole yet. A
    /// record longer than a read makes the next read as long, so that a huge record costs
    /// reads and scans in proportion to its length rather than to its square.
    fn fill(&mut self, block: &mut Vec<u8>, start: usize) -> Result<(), StreamError> {
        let wanted = READ_AT_ONCE.max(block.len().saturating_sub(start) as u64);
        let read = self
            .reader
            .by_ref()
            .take(wanted)
            .read_to_end(block)
            .map_err(|e| StreamError::Io {
                line: Some(self.newlines + 1),
                reason: e.to_string(),
            })?;
        self.ended = read == 0;
        Ok(())
    }

    /// A CSV file's header row: the names of its columns (none for an empty file).
    fn header(&mut self) -> Result<Vec<String>, StreamError> {
        let mut block = std::mem::take(&mut self.carry);
        while block.len() < csv_cells::BYTE_ORDER_MARK.len() && !self.ended {
            self.fill(&mut block, 0)?;
        }
        let start = if block.starts_with(csv_cells::BYTE_ORDER_MARK) {
            csv_cells::BYTE_ORDER_MARK.len()
        } else {
            0
        };
        let (text, next) = loop {
            match csv_cells::cut_row(&block, start, self.ended) {
                Cut::Row { text, next } => break (text, next),
                Cut::More => self.fill(&mut block, start)?,
                Cut::End => return Ok(Vec::new()),
            }
        };
        let row = block.get(text).unwrap_or_default();
        let cells = csv_cells::with_cells(row, |cells| {
            cells
                .iter()
                .enumerate()
                .map(|(column, cell)| {
                    String::from_utf8(cell.to_vec()).map_err(|_| {
                        StreamError::CsvHeader(format!(
                            "the name of column {} is not valid UTF-8; save the file as UTF-8",
                            column + 1
                        ))
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })?;
        let passed = block.get(..next).unwrap_or_default();
        self.newlines += memchr::memchr_iter(b'\n', passed).count() as u64;
        self.bytes += next as u64;
        self.carry = block.split_off(next);
        // A mark that is not at the very start is still no part of the name.
        Ok(cells
            .into_iter()
            .map(|h| h.trim_start_matches('\u{FEFF}').to_owned())
            .collect())
    }

    /// Up to `max` more records, read into one shared block: one allocation per chunk instead
    /// of one per record, and the file's bytes copied once, straight into the block, where
    /// memchr finds the ends. A record's bytes are checked as UTF-8 when it is parsed, so one
    /// bad line is one rejected row, not a failed file.
    fn next(&mut self, max: usize) -> Result<Vec<Pending>, StreamError> {
        let mut block = self.spare.take();
        block.reserve(BLOCK_ROOM.max(self.carry.len() + CHUNK_ROOM));
        block.append(&mut self.carry);
        let mut spans = Vec::with_capacity(max.min(1 << 16));
        let mut start = 0; // where the next record starts
        while spans.len() < max {
            let (text, next) = match self.cut(&block, start) {
                Cut::Row { text, next } => (text, next),
                Cut::More => {
                    self.fill(&mut block, start)?;
                    continue;
                }
                Cut::End => break,
            };
            let line = match self.csv {
                // A JSON line is one line.
                None => {
                    self.newlines += 1;
                    self.newlines
                }
                // A CSV row's line is where its first cell starts, past blank lines; a
                // quoted cell may hold line feeds.
                Some(_) => {
                    let count = |range| {
                        memchr::memchr_iter(b'\n', block.get(range).unwrap_or_default()).count()
                            as u64
                    };
                    let line = self.newlines + 1 + count(start..text.start);
                    self.newlines += count(start..next);
                    line
                }
            };
            self.bytes += (next - start) as u64;
            let row = block.get(text.clone()).unwrap_or_default();
            // A JSON Lines file may have blank lines; a CSV row of spaces is a row of cells.
            if self.csv.is_some() || !row.iter().all(u8::is_ascii_whitespace) {
                spans.push((line, text));
            }
            start = next;
        }
        // The rest of the block begins the next chunk.
        self.carry
            .extend_from_slice(block.get(start..).unwrap_or_default());
        block.truncate(start);
        let block = Arc::new(Block {
            bytes: block,
            spare: self.spare.clone(),
            order: OnceLock::new(),
        });
        Ok(spans
            .into_iter()
            .map(|(line, range)| Pending {
                line: Some(line),
                body: match &self.csv {
                    None => Body::Json {
                        block: Arc::clone(&block),
                        range,
                    },
                    Some(layout) => Body::Csv {
                        block: Arc::clone(&block),
                        range,
                        layout: Arc::clone(layout),
                    },
                },
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block handed back for reuse is never grown: it has room for whatever the last read
    /// left over for the next chunk, however much that is, so it is never moved and copied.
    /// Chunks of a few hundred lines of a 5 MB book start with from nothing to nearly a whole
    /// read (1 MB) carried over; every chunk's block is the first one made, with the room it
    /// was made with.
    #[test]
    fn a_block_is_reused_as_made_whatever_the_next_chunk_starts_with() {
        let schema = &*crate::input::testing::RETAIL;
        let line = |n: usize| {
            format!(
                "{{\"loan_id\":\"L{n}\",\"note\":\"{}\"}}\n",
                "x".repeat(n % 300)
            )
        };
        let book: String = (0..30_000).map(line).collect();
        assert!(book.len() > 5 * READ_AT_ONCE as usize);
        let mut stream = RecordStream::open(
            Box::new(std::io::Cursor::new(book)),
            crate::input::InputFormat::Jsonl,
            schema,
        )
        .unwrap();
        let mut blocks: Vec<(usize, usize)> = Vec::new();
        let mut chunks = 0;
        loop {
            let chunk = stream.next_chunk(700).unwrap();
            let Some(Pending {
                body: Body::Json { block, .. },
                ..
            }) = chunk.first()
            else {
                break;
            };
            let made = (block.bytes.as_ptr() as usize, block.bytes.capacity());
            if !blocks.contains(&made) {
                blocks.push(made);
            }
            chunks += 1;
            // The chunk is dropped here, and its block goes back to the spares.
        }
        assert!(chunks > 40, "{chunks}");
        // Each chunk is dropped before the next is read: one block serves them all.
        assert_eq!(blocks.len(), 1, "{blocks:?}");
    }

    /// Cuts `bytes` into chunks of `max` records and gives each record's line and text.
    fn cut(bytes: Vec<u8>, max: usize) -> Vec<(u64, String)> {
        cut_as(bytes, max, crate::input::InputFormat::Jsonl)
    }

    /// The same for a file in `format`; every byte of it is counted as read at the end.
    fn cut_as(bytes: Vec<u8>, max: usize, format: crate::input::InputFormat) -> Vec<(u64, String)> {
        let schema = &*crate::input::testing::RETAIL;
        let length = bytes.len() as u64;
        let mut stream =
            RecordStream::open(Box::new(std::io::Cursor::new(bytes)), format, schema).unwrap();
        let mut lines = Vec::new();
        loop {
            let chunk = stream.next_chunk(max).unwrap();
            if chunk.is_empty() {
                assert_eq!(stream.bytes_read(), length);
                return lines;
            }
            for pending in chunk {
                let (Body::Json { block, range } | Body::Csv { block, range, .. }) = &pending.body
                else {
                    panic!("not a line")
                };
                let text = block.bytes.get(range.clone()).unwrap();
                lines.push((
                    pending.line.unwrap(),
                    String::from_utf8(text.to_vec()).unwrap(),
                ));
            }
        }
    }

    #[test]
    fn lines_are_cut_whole_across_reads_and_chunks_and_numbered_as_the_file_counts() {
        // Lines longer than one read, blank lines, CRLF and a last line without its end.
        let long = "x".repeat(READ_AT_ONCE as usize + 17);
        let mut text = String::new();
        let mut expected = Vec::new();
        for n in 1..=40u64 {
            let body = match n % 5 {
                0 => String::new(),
                1 => format!("{n} {long}"),
                _ => format!("{n}"),
            };
            text.push_str(&body);
            text.push_str(if n % 3 == 0 { "\r\n" } else { "\n" });
            if !body.is_empty() {
                expected.push((n, body));
            }
        }
        text.push_str("41 last");
        expected.push((41, "41 last".to_owned()));
        for max in [1, 3, 8_192] {
            assert_eq!(
                cut(text.clone().into_bytes(), max),
                expected,
                "chunks of {max}"
            );
        }
        assert!(cut(Vec::new(), 4).is_empty());
    }

    #[test]
    fn csv_rows_are_cut_whole_and_numbered_by_the_line_their_first_cell_is_on() {
        let long = "x".repeat(READ_AT_ONCE as usize + 17);
        let text =
            format!("\u{feff}id,note\r\n1,plain\r\n\n2,\"two\nlines\"\n3,{long}\n\r\n\r\n4,last");
        let expected = vec![
            (2, "1,plain".to_owned()),
            (4, "2,\"two\nlines\"".to_owned()),
            (6, format!("3,{long}")),
            (9, "4,last".to_owned()),
        ];
        for max in [1, 3, 8_192] {
            let rows = cut_as(
                text.clone().into_bytes(),
                max,
                crate::input::InputFormat::Csv,
            );
            assert_eq!(rows, expected, "chunks of {max}");
        }
        let schema = &*crate::input::testing::RETAIL;
        let open = |bytes: &[u8]| {
            let reader = Box::new(std::io::Cursor::new(bytes.to_vec()));
            RecordStream::open(reader, crate::input::InputFormat::Csv, schema)
        };
        let Ok(RecordStream {
            source: Source::Text(lines),
        }) = open(text.as_bytes())
        else {
            panic!("not read as text")
        };
        let headers = lines.csv.map(|layout| layout.headers.clone());
        assert_eq!(headers, Some(vec!["id".to_owned(), "note".to_owned()]));
        let Err(error) = open(b"id,n\xFFote\n1,2\n") else {
            panic!("a header that is not UTF-8 read")
        };
        assert_eq!(
            error.to_string(),
            "cannot read the header row: the name of column 2 is not valid UTF-8; save the file as UTF-8"
        );
    }
}

/// The direct CSV reader against the general path, row by row: whenever it reads a row, the
/// general path reads the same loan and key from it, and notes the same unknown names.
#[cfg(test)]
mod csv_differential {
    use std::sync::LazyLock;

    use proptest::prelude::*;

    use super::*;

    use crate::input::testing::{RETAIL as SCHEMA, corpus};

    /// The shipped CSV books and the hostile-input corpus's, each whole.
    static FILES: LazyLock<Vec<String>> = LazyLock::new(|| {
        corpus("csv")
            .iter()
            .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
            .collect()
    });

    /// Reads every row of `text` both ways; the number of rows the direct reader read.
    fn agree(text: &str) -> usize {
        let Ok(mut stream) = RecordStream::open(
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            crate::input::InputFormat::Csv,
            &SCHEMA,
        ) else {
            return 0;
        };
        let mut read = 0;
        while let Ok(chunk) = stream.next_chunk(64) {
            if chunk.is_empty() {
                break;
            }
            for pending in chunk {
                let Body::Csv {
                    block,
                    range,
                    layout,
                } = &pending.body
                else {
                    continue;
                };
                let at = Origin {
                    file: "p.csv",
                    number: 1,
                    line: pending.line,
                };
                let row = block.bytes.get(range.clone()).unwrap();
                let direct = csv_cells::with_cells(row, |record| {
                    let (mut fast_unknown, mut slow_unknown) =
                        (Default::default(), crate::input::UnknownFields::default());
                    let fast = crate::input::direct::read_row(
                        layout,
                        record,
                        &SCHEMA,
                        None,
                        &at,
                        &mut fast_unknown,
                    );
                    // Kept or not, a row is read directly or not alike, and its kept fields
                    // (every other one, here) are the whole row's.
                    let keeping = crate::input::direct::read_row(
                        layout,
                        record,
                        &SCHEMA,
                        Some(&*super::super::testing::EVERY_OTHER_FIELD),
                        &at,
                        &mut crate::input::UnknownFields::default(),
                    );
                    let text = String::from_utf8_lossy(row);
                    assert_eq!(fast.is_some(), keeping.is_some(), "{text}");
                    if let (Some((key, whole)), Some((same_key, keeping))) = (&fast, &keeping) {
                        assert_eq!(key, same_key, "{text}");
                        for slot in (0..SCHEMA.fields.len())
                            .filter(|s| super::super::testing::EVERY_OTHER_FIELD.contains(*s))
                        {
                            assert_eq!(whole.field(slot), keeping.field(slot), "{text}");
                        }
                    }
                    let fast = fast?;
                    let raw = RawRecord {
                        line: pending.line,
                        raw: csv_cells::cells(layout, record),
                    };
                    let slow = convert(raw, &SCHEMA, "p.csv", 1, &mut slow_unknown);
                    let row = String::from_utf8_lossy(row);
                    assert_eq!(
                        slow.as_ref().ok(),
                        Some(&fast),
                        "the readers differ on {row}"
                    );
                    assert_eq!(fast_unknown, slow_unknown, "unknown names differ on {row}");
                    Some(())
                });
                if direct.is_none() {
                    continue;
                }
                read += 1;
            }
        }
        read
    }

    #[test]
    fn the_direct_csv_reader_agrees_on_every_row_of_the_corpus() {
        let read: usize = FILES.iter().map(|text| agree(text)).sum();
        assert!(read > 100, "only {read} rows read directly");
    }

    /// Text that matters to CSV, JSON list cells and the schema's conversions.
    const PIECES: &[&str] = &[
        ",",
        "\"",
        "\"\"",
        "\n",
        "\r\n",
        " ",
        "[",
        "]",
        "{",
        "}",
        ":",
        "\\",
        "null",
        "true",
        "TRUE",
        "0",
        "-",
        ".",
        "1e3",
        "王",
        "\u{1}",
        "[]",
        "[{}]",
        "2026-02-30",
        "12.345",
        "[{\"due_on\":\"2026-01-01\",\"amount\":1,\"kept\":true}]",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(250))]

        #[test]
        fn edited_rows_read_the_same_both_ways(
            which in 0usize..100,
            edits in prop::collection::vec((0usize..100_000, 0usize..PIECES.len(), 0usize..4), 1..6),
        ) {
            let Some(text) = FILES.get(which % FILES.len()) else {
                return Ok(());
            };
            let mut text = text.as_bytes().to_vec();
            crate::input::testing::splice(&mut text, &edits, PIECES);
            agree(&String::from_utf8_lossy(&text));
        }
    }
}
