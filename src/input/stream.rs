//! Reading a portfolio a chunk at a time, so that memory does not grow with the portfolio.
//!
//! The stream only cuts the file into records (lines, CSV rows); turning a record's text into a
//! raw value ([`Pending::parse`]) is left to the caller, who can do it on many threads. YAML is
//! one document and is read whole.

use std::io::{BufRead as _, BufReader, Read};
use std::sync::Arc;

use super::{Raw, RawRecord, csv as csv_cells, jsonl, yaml};
use crate::schema::{FieldType, Schema};

/// A record cut from the file, not yet parsed.
#[derive(Debug)]
pub struct Pending {
    line: Option<u64>,
    body: Body,
}

#[derive(Debug)]
enum Body {
    Json(String),
    Csv(::csv::StringRecord, Arc<CsvLayout>),
    Ready(Result<Raw<'static>, String>),
}

/// A CSV file's header, and which columns hold lists.
#[derive(Debug)]
pub(super) struct CsvLayout {
    pub(super) headers: Vec<String>,
    pub(super) is_list: Vec<bool>,
}

impl Pending {
    /// The record as a raw value, or why it is not one; its text borrows from `self`.
    pub(crate) fn parse(&self) -> RawRecord<'_> {
        let raw = match &self.body {
            Body::Json(text) => jsonl::parse_line(text),
            Body::Csv(record, layout) => csv_cells::cells(layout, record),
            Body::Ready(Ok(raw)) => Ok(raw.reborrow()),
            Body::Ready(Err(reason)) => Err(reason.clone()),
        };
        RawRecord {
            line: self.line,
            raw,
        }
    }
}

enum Source {
    Jsonl {
        lines: std::io::Lines<BufReader<Box<dyn Read + Send>>>,
        line: u64,
    },
    Csv {
        reader: ::csv::Reader<Box<dyn Read + Send>>,
        layout: Arc<CsvLayout>,
    },
    Ready(std::vec::IntoIter<RawRecord<'static>>),
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
    ) -> Result<RecordStream, String> {
        let source = match format {
            super::InputFormat::Jsonl => Source::Jsonl {
                lines: BufReader::with_capacity(1 << 20, reader).lines(),
                line: 0,
            },
            super::InputFormat::Csv => {
                let mut reader = ::csv::ReaderBuilder::new()
                    .has_headers(true)
                    .flexible(true)
                    .from_reader(reader);
                let headers: Vec<String> = reader
                    .headers()
                    .map_err(|e| format!("cannot read the header row: {e}"))?
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
            super::InputFormat::Yaml => Source::Ready(yaml::read(reader, schema)?.into_iter()),
        };
        Ok(RecordStream { source, bytes: 0 })
    }

    /// How far into the file the stream has read, in bytes (for progress).
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    /// Up to `max` more records; empty at the end of the file. Fails only when the file itself
    /// cannot be read.
    pub fn next_chunk(&mut self, max: usize) -> Result<Vec<Pending>, String> {
        let mut chunk = Vec::with_capacity(max.min(1 << 16));
        while chunk.len() < max {
            let next = match &mut self.source {
                Source::Jsonl { lines, line } => {
                    let Some(text) = lines.next() else { break };
                    *line += 1;
                    let text = text.map_err(|e| format!("cannot read line {line}: {e}"))?;
                    self.bytes += text.len() as u64 + 1;
                    if text.trim().is_empty() {
                        continue;
                    }
                    Pending {
                        line: Some(*line),
                        body: Body::Json(text),
                    }
                }
                Source::Csv { reader, layout } => {
                    let mut record = ::csv::StringRecord::new();
                    match reader.read_record(&mut record) {
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
                            return Err(format!("cannot read the file: {error}"));
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
            };
            chunk.push(next);
        }
        Ok(chunk)
    }
}
