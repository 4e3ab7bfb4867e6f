//! Parquet and Arrow IPC books. Each row becomes the raw record a CSV row or a JSON line
//! becomes (every scalar as its exact text: a decimal128 of scale 2 as `125000.50`, a date32 as
//! `2026-11-20`), so one set of rules (`convert`) turns every format's record into a loan or a
//! rejection with the same code, field, value and reason.
//!
//! The columns are checked against the schema when the book is opened: a required field with no
//! column, or a column whose type cannot hold the field exactly (money as a binary float), is
//! the whole book's error, said once, instead of a rejection on every row.

use std::borrow::Cow;
use std::io::Read;

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Decimal128Type, Int32Type, Int64Type};
use arrow_array::{Array, RecordBatch, StructArray};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{DataType, Field as ArrowField, Schema as ArrowSchema};
use chrono::Datelike as _;

use super::Raw;
use super::stream::StreamError;
use crate::schema::{Field, FieldType, Schema};

/// Rows read a batch at a time: as many as the reader hands over, a few thousand.
const BATCH_ROWS: usize = 8192;

/// Batches of a Parquet or Arrow IPC book.
type Batches = Box<dyn Iterator<Item = Result<RecordBatch, String>> + Send>;

/// A Parquet or Arrow IPC book, row by row.
pub(super) struct ArrowRows {
    batches: Batches,
    /// The batch being read, and its next row.
    batch: Option<Arc<Batch>>,
    row: usize,
    /// For each column of the book: its name, and whether the schema reads it.
    columns: Arc<Vec<(String, bool)>>,
    /// Bytes of the file, for progress: counted as batches are read, in proportion to rows.
    total_rows: Option<u64>,
    rows_read: u64,
    file_bytes: u64,
}

impl ArrowRows {
    /// Opens a Parquet file, from the disk (`File`) or from memory (`bytes::Bytes`).
    pub(super) fn parquet<R>(
        file: R,
        file_bytes: u64,
        schema: &Schema,
    ) -> Result<ArrowRows, StreamError>
    where
        R: parquet::file::reader::ChunkReader + 'static,
    {
        let builder = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(|e| StreamError::Columnar(format!("not a Parquet file: {e}")))?;
        let total_rows = u64::try_from(builder.metadata().file_metadata().num_rows()).ok();
        let arrow_schema = builder.schema().clone();
        let columns = check_columns(&arrow_schema, schema)?;
        let reader = builder
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(|e| StreamError::Columnar(format!("cannot read the Parquet file: {e}")))?;
        Ok(ArrowRows {
            batches: Box::new(reader.map(|b| b.map_err(|e| e.to_string()))),
            batch: None,
            row: 0,
            columns: Arc::new(columns),
            total_rows,
            rows_read: 0,
            file_bytes,
        })
    }

    /// Rows of record batches already in memory (a table handed over by Python, say), all of
    /// `arrow_schema`.
    pub(super) fn batches(
        arrow_schema: &ArrowSchema,
        batches: Vec<RecordBatch>,
        schema: &Schema,
    ) -> Result<ArrowRows, StreamError> {
        let columns = check_columns(arrow_schema, schema)?;
        let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
        let bytes: usize = batches.iter().map(RecordBatch::get_array_memory_size).sum();
        Ok(ArrowRows {
            batches: Box::new(batches.into_iter().map(Ok)),
            batch: None,
            row: 0,
            columns: Arc::new(columns),
            total_rows: Some(total as u64),
            rows_read: 0,
            file_bytes: bytes as u64,
        })
    }

    /// Opens an Arrow IPC file (`.arrow`, Feather 2), or an Arrow IPC stream.
    pub(super) fn ipc(
        reader: Box<dyn Read + Send>,
        schema: &Schema,
    ) -> Result<ArrowRows, StreamError> {
        // The file format needs to seek to its footer; a stream does not. Both are read from
        // memory here: an IPC file is usually memory-mapped by its writers, and small beside
        // a Parquet book of the same loans.
        let bytes = super::stream::read_all(reader)?;
        let file_bytes = bytes.len() as u64;
        let batches: Batches;
        let arrow_schema;
        if bytes.starts_with(b"ARROW1") {
            let reader = arrow_ipc::reader::FileReader::try_new(std::io::Cursor::new(bytes), None)
                .map_err(|e| StreamError::Columnar(format!("not an Arrow IPC file: {e}")))?;
            arrow_schema = reader.schema();
            batches = Box::new(reader.map(|b| b.map_err(|e| e.to_string())));
        } else {
            let reader =
                arrow_ipc::reader::StreamReader::try_new(std::io::Cursor::new(bytes), None)
                    .map_err(|e| {
                        StreamError::Columnar(format!("not an Arrow IPC file or stream: {e}"))
                    })?;
            arrow_schema = reader.schema();
            batches = Box::new(reader.map(|b| b.map_err(|e| e.to_string())));
        }
        let columns = check_columns(&arrow_schema, schema)?;
        Ok(ArrowRows {
            batches,
            batch: None,
            row: 0,
            columns: Arc::new(columns),
            total_rows: None,
            rows_read: 0,
            file_bytes,
        })
    }

    /// How far into the file, in bytes, for progress.
    pub(super) fn bytes_read(&self) -> u64 {
        match self.total_rows {
            Some(total) if total > 0 => {
                let done = u128::from(self.rows_read.min(total));
                u64::try_from(u128::from(self.file_bytes) * done / u128::from(total)).unwrap_or(0)
            }
            _ => 0,
        }
    }

    /// The next row: its batch and its index there, converted to a raw record by the worker
    /// that reads it ([`Batch::raw`]); `None` at the end. A batch that cannot be decoded (a
    /// truncated or corrupt file) is an error.
    pub(super) fn next_row(&mut self) -> Option<Result<(Arc<Batch>, usize), StreamError>> {
        loop {
            if let Some(batch) = &self.batch
                && self.row < batch.batch.num_rows()
            {
                let at = self.row;
                self.row += 1;
                self.rows_read += 1;
                return Some(Ok((Arc::clone(batch), at)));
            }
            match self.batches.next()? {
                Ok(batch) => {
                    self.batch = Some(Arc::new(Batch {
                        batch,
                        columns: Arc::clone(&self.columns),
                    }));
                    self.row = 0;
                }
                Err(reason) => {
                    return Some(Err(StreamError::Columnar(format!(
                        "cannot read the rows after row {}: {reason}",
                        self.rows_read
                    ))));
                }
            }
        }
    }
}

/// A batch of rows and the columns the schema reads, shared by the rows cut from it.
#[derive(Debug)]
pub(super) struct Batch {
    batch: RecordBatch,
    columns: Arc<Vec<(String, bool)>>,
}

impl Batch {
    /// Row `index` as a raw record: every column the schema reads, as exact text, borrowed
    /// from the batch where the column holds text.
    pub(super) fn raw(&self, index: usize) -> Result<Raw<'_>, String> {
        let mut entries = Vec::with_capacity(self.columns.len());
        for ((name, read), array) in self.columns.iter().zip(self.batch.columns()) {
            // A column the schema does not know is kept by name, so the run can say it saw it.
            let value = if *read {
                value(array.as_ref(), index)?
            } else {
                Raw::Null
            };
            entries.push((Cow::Borrowed(name.as_str()), value));
        }
        Ok(Raw::Map(entries))
    }
}

/// The columns of the book, checked against the schema: each column's name and whether the
/// schema reads it; an error when a required field has no column or a column's type cannot
/// hold its field exactly.
fn check_columns(book: &ArrowSchema, schema: &Schema) -> Result<Vec<(String, bool)>, StreamError> {
    let mut problems = Vec::new();
    for field in &schema.fields {
        let column = book.fields().iter().find(|c| field.is_named(c.name()));
        match column {
            None if !field.optional => problems.push(format!(
                "the required field `{}` has no column{}",
                field.name,
                field
                    .alias
                    .as_ref()
                    .map_or(String::new(), |a| format!(" (`{}` or `{a}`)", field.name))
            )),
            None => {}
            Some(column) => {
                if let Err(why) = fits(column, field) {
                    problems.push(format!("column `{}`: {why}", column.name()));
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(StreamError::Columnar(problems.join("; ")));
    }
    Ok(book
        .fields()
        .iter()
        .map(|c| (c.name().clone(), schema.slot(c.name()).is_some()))
        .collect())
}

/// Whether a column of type `column` can hold `field` exactly, and why not.
fn fits(column: &ArrowField, field: &Field) -> Result<(), String> {
    let ty = column.data_type();
    let text = |ty: &DataType| match ty {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, value) => {
            matches!(
                **value,
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            )
        }
        _ => false,
    };
    let whole = |ty: &DataType| ty.is_integer();
    let ok = match &field.ty {
        FieldType::Text | FieldType::Enum(_) => text(ty) || whole(ty),
        FieldType::Bool => text(ty) || matches!(ty, DataType::Boolean),
        FieldType::Integer | FieldType::Days => text(ty) || whole(ty),
        FieldType::Money => {
            if ty.is_floating() {
                return Err(format!(
                    "`{}` is money, and {ty} is a binary floating-point type that cannot hold \
                     cents exactly: write it as decimal128(p, 2) or as text",
                    field.name
                ));
            }
            text(ty)
                || whole(ty)
                || matches!(ty, DataType::Decimal128(..) | DataType::Decimal256(..))
        }
        FieldType::Date => text(ty) || matches!(ty, DataType::Date32 | DataType::Date64),
        FieldType::Time => text(ty) || matches!(ty, DataType::Time32(_) | DataType::Time64(_)),
        FieldType::List(records) => match ty {
            DataType::List(item) | DataType::LargeList(item) => match item.data_type() {
                DataType::Struct(children) => children.iter().all(|child| {
                    records
                        .iter()
                        .find(|r| r.is_named(child.name()))
                        .is_none_or(|r| fits(child, r).is_ok())
                }),
                _ => false,
            },
            _ => text(ty),
        },
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{}` is {}, which a {ty} column cannot hold",
            field.name,
            describe(&field.ty)
        ))
    }
}

fn describe(ty: &FieldType) -> &'static str {
    match ty {
        FieldType::Text => "text",
        FieldType::Enum(_) => "one of its choices (text)",
        FieldType::Bool => "a yes/no",
        FieldType::Integer => "a whole number",
        FieldType::Days => "a number of days",
        FieldType::Money => "money",
        FieldType::Date => "a date",
        FieldType::Time => "a time of day",
        FieldType::List(_) => "a list of records",
    }
}

/// Value `index` of `array`, as the text a JSON or CSV book would hold: text borrowed, the
/// common types written directly, any other through Arrow's own formatting.
fn value(array: &dyn Array, index: usize) -> Result<Raw<'_>, String> {
    if array.is_null(index) {
        return Ok(Raw::Null);
    }
    let owned = |text: String| Ok(Raw::Scalar(Cow::Owned(text)));
    match array.data_type() {
        DataType::Utf8 => Ok(Raw::Scalar(Cow::Borrowed(
            array.as_string::<i32>().value(index),
        ))),
        DataType::LargeUtf8 => Ok(Raw::Scalar(Cow::Borrowed(
            array.as_string::<i64>().value(index),
        ))),
        DataType::Utf8View => Ok(Raw::Scalar(Cow::Borrowed(
            array.as_string_view().value(index),
        ))),
        DataType::Dictionary(key, value_type)
            if **key == DataType::Int32 && **value_type == DataType::Utf8 =>
        {
            let dictionary = array.as_dictionary::<Int32Type>();
            let values = dictionary.values().as_string::<i32>();
            let key = dictionary.keys().value(index);
            let text = usize::try_from(key)
                .ok()
                .filter(|k| *k < values.len())
                .map(|k| values.value(k))
                .ok_or_else(|| format!("dictionary key {key} is out of range"))?;
            Ok(Raw::Scalar(Cow::Borrowed(text)))
        }
        DataType::Boolean => Ok(Raw::Scalar(Cow::Borrowed(
            if array.as_boolean().value(index) {
                "true"
            } else {
                "false"
            },
        ))),
        DataType::Int64 => owned(array.as_primitive::<Int64Type>().value(index).to_string()),
        DataType::Int32 => owned(array.as_primitive::<Int32Type>().value(index).to_string()),
        DataType::Decimal128(_, scale) => {
            let mantissa = array.as_primitive::<Decimal128Type>().value(index);
            let scale =
                u32::try_from(*scale).map_err(|_| format!("a negative decimal scale ({scale})"))?;
            match rust_decimal::Decimal::try_from_i128_with_scale(mantissa, scale) {
                Ok(amount) => owned(amount.to_string()),
                // Beyond 28 digits: Arrow's own text, which the reader then refuses as too large.
                Err(_) => formatted(array, index),
            }
        }
        DataType::Date32 => {
            let days = array.as_primitive::<Date32Type>().value(index);
            match chrono::NaiveDate::from_ymd_opt(1970, 1, 1).and_then(|epoch| {
                epoch.checked_add_signed(chrono::TimeDelta::try_days(i64::from(days))?)
            }) {
                // Written directly: `format("%Y-%m-%d")` parses its pattern on every call.
                Some(date) => owned(format!(
                    "{:04}-{:02}-{:02}",
                    date.year(),
                    date.month(),
                    date.day()
                )),
                None => formatted(array, index),
            }
        }
        DataType::List(_) => {
            let list = array.as_list::<i32>();
            let offsets = list.value_offsets();
            let range = offsets.get(index).zip(offsets.get(index + 1));
            records(
                list.values().as_ref(),
                range.map(|(a, b)| (i64::from(*a), i64::from(*b))),
            )
        }
        DataType::LargeList(_) => {
            let list = array.as_list::<i64>();
            let offsets = list.value_offsets();
            let range = offsets.get(index).zip(offsets.get(index + 1));
            records(list.values().as_ref(), range.map(|(a, b)| (*a, *b)))
        }
        _ => formatted(array, index),
    }
}

/// Value `index` of `array` as Arrow formats it.
fn formatted(array: &dyn Array, index: usize) -> Result<Raw<'static>, String> {
    let options = FormatOptions::default();
    let formatter = ArrayFormatter::try_new(array, &options).map_err(|e| e.to_string())?;
    Ok(Raw::Scalar(Cow::Owned(formatter.value(index).to_string())))
}

/// A list cell's records: rows `range` of the list's record array, borrowed from it.
fn records(items: &dyn Array, range: Option<(i64, i64)>) -> Result<Raw<'_>, String> {
    let Some(structs) = items.as_any().downcast_ref::<StructArray>() else {
        return Err("this list does not hold records".to_owned());
    };
    let (start, end) = range.ok_or_else(|| "a list cell out of range".to_owned())?;
    let (start, end) = (
        usize::try_from(start).map_err(|e| e.to_string())?,
        usize::try_from(end).map_err(|e| e.to_string())?,
    );
    let names = structs.fields();
    let mut out = Vec::with_capacity(end.saturating_sub(start));
    for index in start..end {
        if structs.is_null(index) {
            out.push(Raw::Null);
            continue;
        }
        let mut entries = Vec::with_capacity(names.len());
        for (name, column) in names.iter().zip(structs.columns()) {
            entries.push((
                Cow::Borrowed(name.name().as_str()),
                value(column.as_ref(), index)?,
            ));
        }
        out.push(Raw::Map(entries));
    }
    Ok(Raw::List(out))
}
