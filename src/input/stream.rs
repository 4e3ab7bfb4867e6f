//! Reading a portfolio a chunk at a time, so that memory does not grow with the portfolio.
//!
//! The stream only cuts the file into records (lines, CSV rows); turning a record's text into a
//! raw value ([`Pending::parse`]) is left to the caller, who can do it on many threads. YAML is
//! one document and is read whole.

use std::io::Read;

use std::sync::Arc;

use super::convert::{Origin, convert};
use super::csv::{self as csv_cells, CsvLayout};
use super::{Raw, RawRecord, Rejected, jsonl, yaml};
use crate::schema::{FieldType, Schema};
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
    Csv(::csv::ByteRecord, Arc<CsvLayout>),
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
                return jsonl::read_loan(text, schema, &at, unknown);
            }
            Body::Csv(record, layout) => {
                let at = Origin {
                    file,
                    number,
                    line: self.line,
                };
                if let Some(read) = super::direct::read_row(layout, record, schema, &at, unknown) {
                    return Ok(read);
                }
                csv_cells::cells(layout, record)
            }
            Body::Ready(Ok(raw)) => Ok(raw.reborrow()),
            Body::Columnar(batch, row) => {
                let at = Origin {
                    file,
                    number,
                    line: self.line,
                };
                return batch.load(*row, schema, &at, unknown);
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
    Jsonl {
        reader: Box<dyn Read + Send>,
        line: u64,
        /// The start of a line the last chunk did not take whole.
        carry: Vec<u8>,
        /// The end of the file was reached.
        ended: bool,
        /// Blocks the workers are done with, for the next chunks.
        spare: Spare,
    },
    Csv {
        reader: ::csv::Reader<Box<dyn Read + Send>>,
        layout: Arc<CsvLayout>,
    },
    Ready(std::vec::IntoIter<RawRecord<'static>>),
    Columnar(Box<super::arrow::ArrowRows>),
}

/// A portfolio, record by record.
pub struct RecordStream {
    source: Source,
    bytes: u64,
    /// The bytes of the last CSV row's cells.
    row_bytes: usize,
}

impl RecordStream {
    /// Opens `reader` as a portfolio in `format`.
    pub fn open(
        reader: Box<dyn Read + Send>,
        format: super::InputFormat,
        schema: &Schema,
    ) -> Result<RecordStream, StreamError> {
        let source = match format {
            super::InputFormat::Jsonl => Source::Jsonl {
                reader,
                line: 0,
                carry: Vec::new(),
                ended: false,
                spare: Spare::default(),
            },
            super::InputFormat::Csv => {
                let mut reader = ::csv::ReaderBuilder::new()
                    .has_headers(true)
                    .flexible(true)
                    .from_reader(reader);
                let headers: Vec<String> = reader
                    .headers()
                    .map_err(|e| StreamError::CsvHeader(e.to_string()))?
                    .iter()
                    .map(|h| h.trim_start_matches('\u{FEFF}').to_owned())
                    .collect();
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
                Source::Csv {
                    reader,
                    layout: Arc::new(CsvLayout {
                        headers,
                        is_list,
                        slots,
                    }),
                }
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
        Ok(RecordStream {
            source,
            bytes: 0,
            row_bytes: 0,
        })
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
                bytes: 0,
                row_bytes: 0,
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
            bytes: 0,
            row_bytes: 0,
        })
    }

    /// How far into the file the stream has read, in bytes (for progress).
    pub fn bytes_read(&self) -> u64 {
        match &self.source {
            Source::Columnar(rows) => rows.bytes_read(),
            _ => self.bytes,
        }
    }

    /// Up to `max` more records; empty at the end of the file. Fails only when the file itself
    /// cannot be read.
    pub fn next_chunk(&mut self, max: usize) -> Result<Vec<Pending>, StreamError> {
        if let Source::Jsonl {
            reader,
            line,
            carry,
            ended,
            spare,
        } = &mut self.source
        {
            let mut lines = Lines {
                reader,
                line,
                carry,
                ended,
                spare,
                bytes: &mut self.bytes,
            };
            return lines.next(max);
        }
        let mut chunk = Vec::with_capacity(max.min(1 << 16));
        while chunk.len() < max {
            let next = match &mut self.source {
                Source::Jsonl { .. } => break,
                Source::Csv { reader, layout } => {
                    // Bytes: the reading thread only cuts rows; each cell is checked as UTF-8
                    // when the row is read, on the worker threads.
                    // Sized like the last row, so a row is not regrown cell by cell.
                    let mut record =
                        ::csv::ByteRecord::with_capacity(self.row_bytes, layout.headers.len());
                    match reader.read_byte_record(&mut record) {
                        Ok(false) => break,
                        Ok(true) => {
                            self.row_bytes = record.as_slice().len().next_power_of_two();
                            let line = record.position().map(|p| p.line());
                            self.bytes = record.position().map_or(self.bytes, |p| p.byte());
                            Pending {
                                line,
                                body: Body::Csv(record, Arc::clone(layout)),
                            }
                        }
                        Err(error) if matches!(error.kind(), ::csv::ErrorKind::Io(_)) => {
                            return Err(StreamError::Io {
                                line: None,
                                reason: error.to_string(),
                            });
                        }
                        Err(error) => Pending {
                            line: error.position().map(|p| p.line()),
                            body: Body::Ready(Err(format!("this row is not valid CSV: {error}"))),
                        },
                    }
                }
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

/// A JSON Lines file being cut into chunks of lines.
struct Lines<'s> {
    reader: &'s mut Box<dyn Read + Send>,
    line: &'s mut u64,
    carry: &'s mut Vec<u8>,
    ended: &'s mut bool,
    spare: &'s Spare,
    bytes: &'s mut u64,
}

/// A chunk's lines, shared by its records; when the last of them is done, the bytes go back to
/// the stream's spares. Reusing a few blocks keeps the pages of memory the file passes through
/// the same ones: a fresh block per chunk cost the kernel a page fault and a page cleared for
/// every 4 KB read, 6 % of the time on two threads.
#[derive(Debug)]
pub(super) struct Block {
    bytes: Vec<u8>,
    spare: Spare,
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

impl Lines<'_> {
    /// Up to `max` more non-blank lines, read into one shared block: one allocation per chunk
    /// instead of one per line, and the file's bytes copied once, straight into the block,
    /// where memchr finds the line ends. A line's bytes are checked as UTF-8 when it is
    /// parsed, so one bad line is one rejected row, not a failed file.
    fn next(&mut self, max: usize) -> Result<Vec<Pending>, StreamError> {
        // Room for a usual chunk (8,192 lines of about a kilobyte) without growing.
        let mut block = self.spare.take();
        block.reserve((12 << 20) + self.carry.len());
        block.append(self.carry);
        let mut spans = Vec::with_capacity(max.min(1 << 16));
        let mut start = 0; // where the next line starts
        while spans.len() < max {
            let end = match memchr::memchr(b'\n', block.get(start..).unwrap_or_default()) {
                Some(at) => start + at + 1,
                None if *self.ended => {
                    if start == block.len() {
                        break;
                    }
                    block.len()
                }
                None => {
                    let before = block.len();
                    let read = self
                        .reader
                        .by_ref()
                        .take(READ_AT_ONCE)
                        .read_to_end(&mut block)
                        .map_err(|e| StreamError::Io {
                            line: Some(*self.line + 1),
                            reason: e.to_string(),
                        })?;
                    *self.ended = read == 0;
                    debug_assert_eq!(block.len(), before + read);
                    continue;
                }
            };
            *self.line += 1;
            *self.bytes += (end - start) as u64;
            let text = block.get(start..end).unwrap_or_default();
            let text = text.strip_suffix(b"\n").unwrap_or(text);
            let text = text.strip_suffix(b"\r").unwrap_or(text);
            if !text.iter().all(u8::is_ascii_whitespace) {
                spans.push((*self.line, start..start + text.len()));
            }
            start = end;
        }
        // The rest of the block begins the next chunk.
        self.carry
            .extend_from_slice(block.get(start..).unwrap_or_default());
        block.truncate(start);
        let block = Arc::new(Block {
            bytes: block,
            spare: self.spare.clone(),
        });
        Ok(spans
            .into_iter()
            .map(|(line, range)| Pending {
                line: Some(line),
                body: Body::Json {
                    block: Arc::clone(&block),
                    range,
                },
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cuts `bytes` into chunks of `max` records and gives each record's line and text.
    fn cut(bytes: Vec<u8>, max: usize) -> Vec<(u64, String)> {
        let schema = &*crate::input::testing::RETAIL;
        let mut stream = RecordStream::open(
            Box::new(std::io::Cursor::new(bytes)),
            crate::input::InputFormat::Jsonl,
            schema,
        )
        .unwrap();
        let mut lines = Vec::new();
        loop {
            let chunk = stream.next_chunk(max).unwrap();
            if chunk.is_empty() {
                return lines;
            }
            for pending in chunk {
                let Body::Json { block, range } = &pending.body else {
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
                let Body::Csv(record, layout) = &pending.body else {
                    continue;
                };
                let at = Origin {
                    file: "p.csv",
                    number: 1,
                    line: pending.line,
                };
                let (mut fast_unknown, mut slow_unknown) =
                    (Default::default(), crate::input::UnknownFields::default());
                let Some(fast) =
                    crate::input::direct::read_row(layout, record, &SCHEMA, &at, &mut fast_unknown)
                else {
                    continue;
                };
                let raw = RawRecord {
                    line: pending.line,
                    raw: csv_cells::cells(layout, record),
                };
                let slow = convert(raw, &SCHEMA, "p.csv", 1, &mut slow_unknown);
                assert_eq!(
                    slow.as_ref().ok(),
                    Some(&fast),
                    "the readers differ on {record:?}"
                );
                assert_eq!(
                    fast_unknown, slow_unknown,
                    "unknown names differ on {record:?}"
                );
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
