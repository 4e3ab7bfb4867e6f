//! Reading a portfolio a chunk at a time, so that memory does not grow with the portfolio.
//!
//! The stream only cuts the file into records (lines, CSV rows); turning a record's text into a
//! raw value ([`Pending::parse`]) is left to the caller, who can do it on many threads. YAML is
//! one document and is read whole.

use std::io::{BufRead as _, BufReader, Read};

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
        block: Arc<Vec<u8>>,
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
                let Some(text) = block.get(range.clone()) else {
                    return Err(at.malformed(crate::lang::text!("row-unreadable-line")));
                };
                return jsonl::read_loan(text, schema, &at, unknown);
            }
            Body::Csv(record, layout) => csv_cells::cells(layout, record),
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
        reader: BufReader<Box<dyn Read + Send>>,
        line: u64,
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
                reader: BufReader::with_capacity(1 << 20, reader),
                line: 0,
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
                let is_list = headers
                    .iter()
                    .map(|h| {
                        schema
                            .slot(h)
                            .and_then(|s| schema.fields.get(s))
                            .is_some_and(|f| matches!(f.ty, FieldType::List(_)))
                    })
                    .collect();
                Source::Csv {
                    reader,
                    layout: Arc::new(CsvLayout { headers, is_list }),
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
        Ok(RecordStream { source, bytes: 0 })
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
        if let Source::Jsonl { reader, line } = &mut self.source {
            return next_lines(reader, line, &mut self.bytes, max);
        }
        let mut chunk = Vec::with_capacity(max.min(1 << 16));
        while chunk.len() < max {
            let next = match &mut self.source {
                Source::Jsonl { .. } => break,
                Source::Csv { reader, layout } => {
                    // Bytes: the reading thread only cuts rows; each cell is checked as UTF-8
                    // when the row is read, on the worker threads.
                    let mut record = ::csv::ByteRecord::new();
                    match reader.read_byte_record(&mut record) {
                        Ok(false) => break,
                        Ok(true) => {
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

/// Up to `max` more non-blank lines of a JSON Lines file, read into one shared block: one
/// allocation per chunk instead of one per line. A line's bytes are checked as UTF-8 when it is
/// parsed, so one bad line is one rejected row, not a failed file.
fn next_lines(
    reader: &mut BufReader<Box<dyn Read + Send>>,
    line: &mut u64,
    bytes: &mut u64,
    max: usize,
) -> Result<Vec<Pending>, StreamError> {
    let mut block = Vec::with_capacity(1 << 22);
    let mut spans = Vec::with_capacity(max.min(1 << 16));
    while spans.len() < max {
        let start = block.len();
        let read = reader
            .read_until(b'\n', &mut block)
            .map_err(|e| StreamError::Io {
                line: Some(*line + 1),
                reason: e.to_string(),
            })?;
        if read == 0 {
            break;
        }
        *line += 1;
        *bytes += read as u64;
        let text = block.get(start..).unwrap_or_default();
        let text = text.strip_suffix(b"\n").unwrap_or(text);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if text.iter().all(u8::is_ascii_whitespace) {
            block.truncate(start);
            continue;
        }
        spans.push((*line, start..start + text.len()));
    }
    let block = Arc::new(block);
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
