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

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch, StructArray};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{DataType, Field as ArrowField, Schema as ArrowSchema};

use super::stream::StreamError;
use super::{Raw, RawRecord};
use crate::schema::{Field, FieldType, Schema};

/// Rows read a batch at a time: as many as the reader hands over, a few thousand.
const BATCH_ROWS: usize = 8192;

/// Batches of a Parquet or Arrow IPC book.
type Batches = Box<dyn Iterator<Item = Result<RecordBatch, String>> + Send>;

/// A Parquet or Arrow IPC book, row by row.
pub(super) struct ArrowRows {
    batches: Batches,
    /// The rows of the batch being read, converted, in order.
    rows: std::vec::IntoIter<Result<Raw<'static>, String>>,
    /// For each column of the book: its name, and whether the schema reads it.
    columns: Vec<(String, bool)>,
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
            rows: Vec::new().into_iter(),
            columns,
            total_rows,
            rows_read: 0,
            file_bytes,
        })
    }

    /// Opens an Arrow IPC file (`.arrow`, Feather 2), or an Arrow IPC stream.
    pub(super) fn ipc(
        mut reader: Box<dyn Read + Send>,
        schema: &Schema,
    ) -> Result<ArrowRows, StreamError> {
        // The file format needs to seek to its footer; a stream does not. Both are read from
        // memory here: an IPC file is usually memory-mapped by its writers, and small beside
        // a Parquet book of the same loans.
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .map_err(|e| StreamError::Io {
                line: None,
                reason: e.to_string(),
            })?;
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
            rows: Vec::new().into_iter(),
            columns,
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

    /// The next row as a raw record (its 1-based row number is the caller's count); `None` at
    /// the end. A batch that cannot be decoded (a truncated or corrupt file) is an error.
    pub(super) fn next_row(&mut self) -> Option<Result<RawRecord<'static>, StreamError>> {
        loop {
            if let Some(raw) = self.rows.next() {
                self.rows_read += 1;
                return Some(Ok(RawRecord { line: None, raw }));
            }
            match self.batches.next()? {
                Ok(batch) => self.rows = batch_rows(&batch, &self.columns).into_iter(),
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

/// Every row of `batch` as a raw record: each column the schema reads, as exact text. Each
/// column's formatter is made once for the batch.
fn batch_rows(
    batch: &RecordBatch,
    columns: &[(String, bool)],
) -> Vec<Result<Raw<'static>, String>> {
    let options = FormatOptions::default();
    let formatters: Vec<Option<Result<ArrayFormatter<'_>, String>>> = columns
        .iter()
        .zip(batch.columns())
        .map(|((_, read), array)| {
            let list = matches!(
                array.data_type(),
                DataType::List(_) | DataType::LargeList(_)
            );
            (*read && !list).then(|| {
                ArrayFormatter::try_new(array.as_ref(), &options).map_err(|e| e.to_string())
            })
        })
        .collect();
    (0..batch.num_rows())
        .map(|index| {
            let mut entries = Vec::with_capacity(columns.len());
            for (((name, read), array), formatter) in
                columns.iter().zip(batch.columns()).zip(&formatters)
            {
                // A column the schema does not know is kept by name, so the run can say it
                // saw it.
                let value = if !*read || array.is_null(index) {
                    Raw::Null
                } else {
                    match formatter {
                        Some(Ok(formatter)) => {
                            Raw::Scalar(Cow::Owned(formatter.value(index).to_string()))
                        }
                        Some(Err(why)) => return Err(why.clone()),
                        None => value(array, index)?,
                    }
                };
                entries.push((Cow::Owned(name.clone()), value));
            }
            Ok(Raw::Map(entries))
        })
        .collect()
}

/// Value `index` of `array`, as the text a JSON or CSV book would hold.
fn value(array: &ArrayRef, index: usize) -> Result<Raw<'static>, String> {
    if array.is_null(index) {
        return Ok(Raw::Null);
    }
    match array.data_type() {
        DataType::List(_) => {
            let items = array.as_list::<i32>().value(index);
            records(&items)
        }
        DataType::LargeList(_) => {
            let items = array.as_list::<i64>().value(index);
            records(&items)
        }
        _ => {
            let options = FormatOptions::default();
            let formatter =
                ArrayFormatter::try_new(array.as_ref(), &options).map_err(|e| e.to_string())?;
            Ok(Raw::Scalar(Cow::Owned(formatter.value(index).to_string())))
        }
    }
}

/// A list cell's records.
fn records(items: &ArrayRef) -> Result<Raw<'static>, String> {
    let Some(structs) = items.as_any().downcast_ref::<StructArray>() else {
        return Err("this list does not hold records".to_owned());
    };
    let names: Vec<String> = structs.fields().iter().map(|f| f.name().clone()).collect();
    let mut out = Vec::with_capacity(structs.len());
    for index in 0..structs.len() {
        if structs.is_null(index) {
            out.push(Raw::Null);
            continue;
        }
        let mut entries = Vec::with_capacity(names.len());
        for (name, column) in names.iter().zip(structs.columns()) {
            entries.push((Cow::Owned(name.clone()), value(column, index)?));
        }
        out.push(Raw::Map(entries));
    }
    Ok(Raw::List(out))
}
