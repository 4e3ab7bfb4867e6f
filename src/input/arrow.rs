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

use std::sync::{Arc, OnceLock};

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Decimal128Type, Int32Type, Int64Type};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Decimal128Array, Int32Array, Int64Array,
    LargeStringArray, RecordBatch, StringArray, StringViewArray, StructArray,
};
use arrow_buffer::NullBuffer;
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{DataType, Field as ArrowField, Schema as ArrowSchema};
use chrono::Datelike as _;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};

use super::convert::{LoanBuilder, Origin};
use super::stream::StreamError;
use super::{Raw, Rejected, UnknownFields};
use crate::schema::{Field, FieldSet, FieldType, Schema};
use crate::value::{Loan, Records, Value, date_of_date32};

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
        let metadata = ArrowReaderMetadata::load(&file, ArrowReaderOptions::new())
            .map_err(|e| StreamError::Columnar(format!("not a Parquet file: {e}")))?;
        // Text is read as string views, which point into the decoded pages, where a string
        // array copies every value into one buffer of its own: decoding the first 20,000
        // loans of the sample took 113 M instructions against 128 M, and the reading thread's
        // samples on the 1M-loan book fell by a sixth. A file the views cannot describe is
        // read as it was.
        let viewed = ArrowSchema::new_with_metadata(
            metadata
                .schema()
                .fields()
                .iter()
                .map(|field| Arc::new(as_views(field)))
                .collect::<Vec<_>>(),
            metadata.schema().metadata().clone(),
        );
        let metadata = ArrowReaderMetadata::try_new(
            Arc::clone(metadata.metadata()),
            ArrowReaderOptions::new().with_schema(Arc::new(viewed)),
        )
        .unwrap_or(metadata);
        let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(file, metadata);
        let total_rows = u64::try_from(builder.metadata().file_metadata().num_rows()).ok();
        let arrow_schema = builder.schema().clone();
        check_columns(&arrow_schema, schema)?;
        let reader = builder
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(|e| StreamError::Columnar(format!("cannot read the Parquet file: {e}")))?;
        Ok(ArrowRows {
            batches: Box::new(reader.map(|b| b.map_err(|e| e.to_string()))),
            batch: None,
            row: 0,
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
        check_columns(arrow_schema, schema)?;
        let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
        let bytes: usize = batches.iter().map(RecordBatch::get_array_memory_size).sum();
        Ok(ArrowRows {
            batches: Box::new(batches.into_iter().map(Ok)),
            batch: None,
            row: 0,
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
        check_columns(&arrow_schema, schema)?;
        Ok(ArrowRows {
            batches,
            batch: None,
            row: 0,
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
                        plan: OnceLock::new(),
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

/// `field` with its text, and the text in its lists' records, read as string views. A
/// dictionary stays a dictionary: its values are read once per page, not once per row.
fn as_views(field: &ArrowField) -> ArrowField {
    let ty = match field.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 => DataType::Utf8View,
        DataType::List(item) => DataType::List(Arc::new(as_views(item))),
        DataType::Struct(fields) => {
            DataType::Struct(fields.iter().map(|f| Arc::new(as_views(f))).collect())
        }
        other => other.clone(),
    };
    field.clone().with_data_type(ty)
}

/// A batch of rows, shared by the rows cut from it.
#[derive(Debug)]
pub(super) struct Batch {
    batch: RecordBatch,
    /// How each column becomes a field's value under the schema the batch is read with
    /// first, worked out once for the batch's rows; the identity of that schema (its address)
    /// beside it. Another schema (`diff` reads a book under two) works out its own per row.
    plan: OnceLock<(usize, Plan)>,
}

/// How a batch's columns become a loan's fields, under one schema.
#[derive(Debug)]
struct Plan {
    columns: Vec<Column>,
}

#[derive(Debug)]
struct Column {
    /// The field this column fills, if the schema has one of its name.
    slot: Option<usize>,
    /// The column's name, for the unknown fields' list when the schema has no field of it.
    name: String,
    /// The column itself, for the text path.
    array: ArrayRef,
    how: Typed,
    /// The field may be missing and is not a list: a null is `Value::Missing` as it stands.
    missing_allowed: bool,
    /// Which rows are null, read directly: asking the column through `dyn Array` is a call
    /// through a table for every field of every row.
    nulls: Option<NullBuffer>,
    /// The only column of the batch that names its field, and the field is not the key: its
    /// values are stored without the checks for a field given twice.
    alone: bool,
    /// For each row of the batch, whether the row's value is one the loan stores as
    /// [`Value::Missing`] when it does not keep the field: a null where the field may be
    /// missing, or a value [`exact_value`] accepts. Worked out for the whole column, in one
    /// pass, the first time a row does not keep the field; a row it vouches for then skips the
    /// column with one look-up, where it converted the value and threw it away. A row it does
    /// not vouch for takes the usual path, which accepts the value or says what is wrong.
    vouched: OnceLock<Box<[bool]>>,
}

/// A column whose values become the field's value directly, without being written out as
/// text and read back: only where the text path would accept the value as exactly this value.
/// Any other value (a null, a 4-place decimal, an unknown choice) still goes through the text
/// path, which accepts it or says exactly what is wrong. Each holds its column already cast to
/// its concrete type, so no row pays for finding out what the column is.
#[derive(Debug)]
enum Typed {
    /// Through the text path.
    No,
    /// Money from a decimal128 of scale 0, 1 or 2.
    Money(Decimal128Array, u32),
    Date(Date32Array),
    Bool(BooleanArray),
    /// A whole number or a number of days.
    Int64(Int64Array, bool),
    Int32(Int32Array, bool),
    /// Free text.
    Text(Texts),
    /// A choice, looked up by its text.
    Choice(Texts, usize),
    /// A choice from a dictionary column: each dictionary value's choice, looked up once.
    Dictionary(Int32Array, Vec<Option<u32>>),
    /// A time of day, from text.
    Time(Texts),
    /// A list of records from a `list<struct>` column: the list's offsets, its records, and
    /// for each of the record's fields in the schema's order, the struct's child of its name
    /// (converted as it converts) and whether the field is optional.
    Records(ArrayRef, Vec<i64>, StructArray, Vec<(Option<Typed>, bool)>),
}

/// A string column of any of Arrow's three layouts.
#[derive(Debug)]
enum Texts {
    Utf8(StringArray),
    Large(LargeStringArray),
    View(StringViewArray),
}

impl Texts {
    fn of(array: &dyn Array) -> Option<Texts> {
        match array.data_type() {
            DataType::Utf8 => Some(Texts::Utf8(array.as_string::<i32>().clone())),
            DataType::LargeUtf8 => Some(Texts::Large(array.as_string::<i64>().clone())),
            DataType::Utf8View => Some(Texts::View(array.as_string_view().clone())),
            _ => None,
        }
    }

    /// The text at `index`, or `None` when it is null (or past the end).
    #[inline]
    fn at(&self, index: usize) -> Option<&str> {
        match self {
            Texts::Utf8(a) => (index < a.len() && a.is_valid(index)).then(|| a.value(index)),
            Texts::Large(a) => (index < a.len() && a.is_valid(index)).then(|| a.value(index)),
            Texts::View(a) => (index < a.len() && a.is_valid(index)).then(|| a.value(index)),
        }
    }
}

/// The value at `index` of a primitive column, or `None` when it is null (or past the end).
fn at<T: arrow_array::ArrowPrimitiveType>(
    array: &arrow_array::PrimitiveArray<T>,
    index: usize,
) -> Option<T::Native> {
    (index < array.len() && array.is_valid(index)).then(|| array.value(index))
}

impl Batch {
    /// Row `index` as a loan under `schema`, or the rejection saying why it is not one: the
    /// same loan, or the same rejection, as the row's text in a JSON Lines or CSV book gives.
    #[expect(
        clippy::result_large_err,
        reason = "a rejection is the rare path; boxing it would cost every caller for nothing"
    )]
    pub(super) fn load(
        &self,
        index: usize,
        schema: &Schema,
        kept: Option<&FieldSet>,
        at: &Origin<'_>,
        unknown: &mut UnknownFields,
    ) -> Result<(String, Loan), Rejected> {
        let identity = std::ptr::from_ref(schema) as usize;
        let (planned, plan) = self
            .plan
            .get_or_init(|| (identity, Plan::new(&self.batch, schema)));
        let own;
        // Only the batch's own plan vouches for rows: another schema's plan is made for one row,
        // and working out a whole column for it would cost the batch's length for each row.
        let shared = *planned == identity;
        let plan = if shared {
            plan
        } else {
            own = Plan::new(&self.batch, schema);
            &own
        };
        let mut loan = LoanBuilder::keeping(schema, kept);
        for column in &plan.columns {
            let Some(slot) = column.slot else {
                unknown.note(&column.name);
                continue;
            };
            if shared && column.alone && !loan.keeps(slot) && column.vouches(index, schema) {
                loan.put(slot, Value::Missing);
                continue;
            }
            // The field's column is read even when the book was opened under another schema
            // that has no such field (`diff` reads one book under two schemas).
            let value = if column.missing_allowed
                && column.nulls.as_ref().is_some_and(|n| n.is_null(index))
            {
                Value::Missing
            } else if let Some(value) = exact_value(&column.how, index, schema, loan.keeps(slot)) {
                value
            } else {
                let raw =
                    value(column.array.as_ref(), index).map_err(|reason| at.malformed(reason))?;
                loan.set(slot, &raw);
                continue;
            };
            if column.alone {
                loan.put(slot, value);
            } else {
                // The key is text: the builder takes it from the text as written.
                let text = match &column.how {
                    Typed::Text(texts) if slot == schema.key => texts.at(index),
                    _ => None,
                };
                loan.set_exact(slot, value, text);
            }
        }
        loan.finish(at)
    }
}

impl Plan {
    fn new(batch: &RecordBatch, schema: &Schema) -> Plan {
        let slots: Vec<Option<usize>> = batch
            .schema_ref()
            .fields()
            .iter()
            .map(|named| schema.slot(named.name()))
            .collect();
        let columns = batch
            .schema_ref()
            .fields()
            .iter()
            .zip(batch.columns())
            .zip(&slots)
            .map(|((named, array), &slot)| {
                let field = slot.and_then(|s| schema.fields.get(s));
                let how = field.map_or(Typed::No, |f| typed(f, array.as_ref(), schema));
                let missing_allowed =
                    field.is_some_and(|f| f.optional && !matches!(f.ty, FieldType::List(_)));
                Column {
                    slot,
                    name: named.name().clone(),
                    array: Arc::clone(array),
                    how,
                    missing_allowed,
                    nulls: array.nulls().cloned(),
                    alone: slot.is_some_and(|s| {
                        s != schema.key && slots.iter().filter(|&&o| o == Some(s)).count() == 1
                    }),
                    vouched: OnceLock::new(),
                }
            })
            .collect();
        Plan { columns }
    }
}

impl Column {
    /// Whether row `index`'s value is one a loan that does not keep the field stores as
    /// [`Value::Missing`] (see [`Column::vouched`]).
    fn vouches(&self, index: usize, schema: &Schema) -> bool {
        self.vouched
            .get_or_init(|| self.vouch(schema))
            .get(index)
            .copied()
            .unwrap_or(false)
    }

    /// [`Column::vouched`] for every row: the rows [`Batch::load`] would store as
    /// [`Value::Missing`] when it does not keep the field, and no others. The kinds read
    /// straight from their buffers (numbers, yes/no, dates, money, choices from a dictionary,
    /// text) are checked value by value in a loop of their own, without building the values;
    /// the others row by row as [`exact_value`] checks them.
    fn vouch(&self, schema: &Schema) -> Box<[bool]> {
        let rows = self.array.len();
        let each = |ok: &dyn Fn(usize) -> bool| -> Vec<bool> { (0..rows).map(ok).collect() };
        let mut vouched: Vec<bool> = match &self.how {
            // Each of these is exact wherever it is not null (checked below).
            Typed::Int64(..) | Typed::Int32(..) | Typed::Bool(_) => vec![true; rows],
            Typed::Date(array) => array
                .values()
                .iter()
                .map(|d| FOUR_DIGIT_YEARS.contains(d))
                .collect(),
            Typed::Money(array, scale) => array
                .values()
                .iter()
                .map(|m| rust_decimal::Decimal::try_from_i128_with_scale(*m, *scale).is_ok())
                .collect(),
            Typed::Dictionary(keys, choices) => keys
                .values()
                .iter()
                .map(|key| {
                    usize::try_from(*key)
                        .ok()
                        .and_then(|key| choices.get(key))
                        .is_some_and(Option::is_some)
                })
                .collect(),
            Typed::Text(Texts::Utf8(array)) => filled(array),
            Typed::Text(Texts::View(array)) => filled(array),
            Typed::Records(list, offsets, structs, fields) => {
                return records_vouched(list, offsets, structs, fields, schema);
            }
            // `exact_value` accepts no null, so the nulls are settled below as for the rest.
            how => each(&|row| exact_value(how, row, schema, false).is_some()),
        };
        vouched.resize(rows, false);
        // A null is no value: missing where the field may be, and otherwise the text path's
        // to reject.
        if let Some(nulls) = &self.nulls {
            for (ok, valid) in vouched.iter_mut().zip(nulls.iter()) {
                *ok = if valid { *ok } else { self.missing_allowed };
            }
        }
        vouched.into_boxed_slice()
    }
}

/// For each row of a text column, whether its text is not blank (what [`exact_value`] asks of
/// free text); a null row's answer is settled by the caller.
fn filled<'a>(array: impl arrow_array::ArrayAccessor<Item = &'a str>) -> Vec<bool> {
    (0..array.len())
        .map(|row| !super::convert::is_blank(array.value(row)))
        .collect()
}

/// The `date32` values [`exact_value`] accepts: the dates of years 0 to 9999 (0000-01-01 and
/// 9999-12-31 as days from 1970-01-01), the years the text path writes as four digits and
/// reads back. One range for the row and the column alike; a unit test derives it with chrono.
const FOUR_DIGIT_YEARS: std::ops::RangeInclusive<i32> =
    std::ops::RangeInclusive::new(-719_528, 2_932_896);

/// For each row of a list-of-records column, whether [`exact_records`] accepts its list when
/// the field is not kept: each record is checked once, field by field, and a row's list is
/// accepted when all its records are.
fn records_vouched(
    list: &ArrayRef,
    offsets: &[i64],
    structs: &StructArray,
    fields: &[(Option<Typed>, bool)],
    schema: &Schema,
) -> Box<[bool]> {
    let records: Vec<bool> = (0..structs.len())
        .map(|item| {
            !structs.is_null(item)
                && fields.iter().all(|(child, optional)| match child {
                    Some(how) => {
                        exact_value(how, item, schema, false).is_some()
                            || (*optional && is_null(how, item))
                    }
                    None => *optional,
                })
        })
        .collect();
    (0..list.len())
        .map(|row| {
            let span = offsets.get(row).zip(offsets.get(row + 1));
            let span = span.and_then(|(start, end)| {
                Some(usize::try_from(*start).ok()?..usize::try_from(*end).ok()?)
            });
            !list.is_null(row)
                && span
                    .and_then(|span| records.get(span))
                    .is_some_and(|these| these.iter().all(|ok| *ok))
        })
        .collect()
}

/// How values of `array` can become `field`'s values directly.
fn typed(field: &Field, array: &dyn Array, schema: &Schema) -> Typed {
    let whole = matches!(field.ty, FieldType::Integer | FieldType::Days);
    let days = field.ty == FieldType::Days;
    match (&field.ty, array.data_type()) {
        (FieldType::Money, DataType::Decimal128(_, scale)) if (0..=2).contains(scale) => {
            Typed::Money(
                array.as_primitive::<Decimal128Type>().clone(),
                u32::from(scale.unsigned_abs()),
            )
        }
        (FieldType::Date, DataType::Date32) => {
            Typed::Date(array.as_primitive::<Date32Type>().clone())
        }
        (FieldType::Bool, DataType::Boolean) => Typed::Bool(array.as_boolean().clone()),
        (_, DataType::Int64) if whole => {
            Typed::Int64(array.as_primitive::<Int64Type>().clone(), days)
        }
        (_, DataType::Int32) if whole => {
            Typed::Int32(array.as_primitive::<Int32Type>().clone(), days)
        }
        (FieldType::Text, _) => Texts::of(array).map_or(Typed::No, Typed::Text),
        (FieldType::Time, _) => Texts::of(array).map_or(Typed::No, Typed::Time),
        (FieldType::Enum(id), DataType::Dictionary(key, value))
            if **key == DataType::Int32 && **value == DataType::Utf8 =>
        {
            let dictionary = array.as_dictionary::<Int32Type>();
            let values = dictionary.values().as_string::<i32>();
            Typed::Dictionary(
                dictionary.keys().clone(),
                (0..values.len())
                    .map(|i| choice(schema, *id, values.value(i)))
                    .collect(),
            )
        }
        (FieldType::Enum(id), _) => {
            Texts::of(array).map_or(Typed::No, |texts| Typed::Choice(texts, *id))
        }
        (FieldType::List(fields), DataType::List(_) | DataType::LargeList(_)) => {
            let (offsets, items): (Vec<i64>, _) = match array.data_type() {
                DataType::List(_) => {
                    let list = array.as_list::<i32>();
                    (
                        list.value_offsets().iter().map(|o| i64::from(*o)).collect(),
                        list.values(),
                    )
                }
                _ => {
                    let list = array.as_list::<i64>();
                    (list.value_offsets().to_vec(), list.values())
                }
            };
            let Some(structs) = items.as_any().downcast_ref::<StructArray>() else {
                return Typed::No;
            };
            let children = fields
                .iter()
                .map(|field| {
                    // The child of the field's own name, the first, as the text path looks
                    // records' fields up.
                    let child = structs
                        .fields()
                        .iter()
                        .position(|c| c.name() == &field.name)
                        .and_then(|c| structs.columns().get(c))
                        .map(|c| typed(field, c.as_ref(), schema));
                    (child, field.optional)
                })
                .collect();
            Typed::Records(
                arrow_array::make_array(array.to_data()),
                offsets,
                structs.clone(),
                children,
            )
        }
        _ => Typed::No,
    }
}

/// The choice `text` names, when the text path would read it as that choice as it stands.
fn choice(schema: &Schema, id: usize, text: &str) -> Option<u32> {
    if super::convert::is_null_text(text) {
        return None;
    }
    schema.choice(id, text).and_then(|i| u32::try_from(i).ok())
}

/// The value at row `index` of a column, converted directly, when the text path would accept
/// its text as this very value; `None` when the text path must read it (to accept it in some
/// other way, or to say what is wrong with it).
///
/// A value not `kept` is checked the same way and given as [`Value::Missing`]; text and
/// records, the kinds that allocate, are then not built at all.
// Always in line: a call for each field of each row cost more than the conversion (saving and
// restoring registers, and the `Option<Value>` written out and read back), about 45 of the
// 60 instructions a field took. Lists of records, the one large case, stay a call.
#[inline(always)]
fn exact_value(how: &Typed, index: usize, schema: &Schema, kept: bool) -> Option<Value> {
    let value = match how {
        Typed::No => return None,
        Typed::Money(array, scale) => Value::Money(
            rust_decimal::Decimal::try_from_i128_with_scale(at(array, index)?, *scale).ok()?,
        ),
        Typed::Date(array) => {
            let days = at(array, index)?;
            if !FOUR_DIGIT_YEARS.contains(&days) {
                return None;
            }
            Value::Date(date_of_date32(days)?)
        }
        Typed::Bool(array) => {
            if index >= array.len() || array.is_null(index) {
                return None;
            }
            // The buffer's own look-up, which is in line; the array's is a call.
            Value::Bool(array.values().value(index))
        }
        Typed::Int64(array, days) => whole(at(array, index)?, *days),
        Typed::Int32(array, days) => whole(i64::from(at(array, index)?), *days),
        Typed::Text(texts) => {
            let text = texts.at(index)?;
            if super::convert::is_blank(text) {
                return None;
            }
            if !kept {
                return Some(Value::Missing);
            }
            Value::Text(Arc::from(text))
        }
        Typed::Choice(texts, id) => Value::Enum(choice(schema, *id, texts.at(index)?)?),
        Typed::Dictionary(keys, choices) => {
            let key = usize::try_from(at(keys, index)?).ok()?;
            Value::Enum((*choices.get(key)?)?)
        }
        Typed::Time(texts) => {
            let text = texts.at(index)?;
            if super::convert::is_null_text(text) {
                return None;
            }
            Value::Time(crate::value::parse_time(text)?)
        }
        Typed::Records(list, offsets, structs, fields) => {
            return exact_records(list, offsets, structs, fields, index, schema, kept);
        }
    };
    Some(if kept { value } else { Value::Missing })
}

/// [`exact_value`] for a list of records.
#[inline(never)]
fn exact_records(
    list: &ArrayRef,
    offsets: &[i64],
    structs: &StructArray,
    fields: &[(Option<Typed>, bool)],
    index: usize,
    schema: &Schema,
    kept: bool,
) -> Option<Value> {
    // A null list is read by the text path (as no records): its offsets may still span
    // records.
    if index >= list.len() || list.is_null(index) {
        return None;
    }
    let start = usize::try_from(*offsets.get(index)?).ok()?;
    let end = usize::try_from(*offsets.get(index + 1)?).ok()?;
    let room = if kept { end.saturating_sub(start) } else { 0 };
    let mut records = Records::with_capacity(fields.len(), room);
    for item in start..end {
        if structs.is_null(item) {
            return None;
        }
        for (child, optional) in fields {
            let value = match child {
                Some(how) => match exact_value(how, item, schema, kept) {
                    Some(value) => value,
                    None if *optional && is_null(how, item) => Value::Missing,
                    None => return None,
                },
                None if *optional => Value::Missing,
                None => return None,
            };
            if kept {
                records.push_value(value);
            }
        }
    }
    Some(if kept {
        Value::List(Arc::new(records))
    } else {
        Value::Missing
    })
}

fn whole(n: i64, days: bool) -> Value {
    if days { Value::Days(n) } else { Value::Int(n) }
}

/// Whether row `index` of a typed column is null.
fn is_null(how: &Typed, index: usize) -> bool {
    let array: &dyn Array = match how {
        Typed::No => return false,
        Typed::Money(a, _) => a,
        Typed::Date(a) => a,
        Typed::Bool(a) => a,
        Typed::Int64(a, _) => a,
        Typed::Int32(a, _) => a,
        Typed::Text(t) | Typed::Choice(t, _) | Typed::Time(t) => match t {
            Texts::Utf8(a) => a,
            Texts::Large(a) => a,
            Texts::View(a) => a,
        },
        Typed::Dictionary(keys, _) => keys,
        Typed::Records(list, ..) => list.as_ref(),
    };
    index < array.len() && array.is_null(index)
}

/// Checks the book's columns against the schema: an error when a required field has no
/// column or a column's type cannot hold its field exactly.
fn check_columns(book: &ArrowSchema, schema: &Schema) -> Result<(), StreamError> {
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
    if problems.is_empty() {
        Ok(())
    } else {
        Err(StreamError::Columnar(problems.join("; ")))
    }
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
            match date_of_date32(days) {
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

#[cfg(test)]
mod tests {
    use super::*;

    use arrow_array::builder::StringDictionaryBuilder;
    use arrow_array::{ListArray, RecordBatch};
    use arrow_buffer::OffsetBuffer;
    use arrow_schema::Fields;

    use crate::input::testing::RETAIL;
    use crate::value::date32_of;

    /// Values of each kind a column can hold, edges included: nulls, dates one day either
    /// side of the four-digit years, money past 96 bits, unknown and blank choices, blank text,
    /// times that do not parse. A column takes the first `n`, cycling.
    struct Edges {
        dates: Vec<Option<i32>>,
        money: Vec<Option<i128>>,
        choices: Vec<Option<&'static str>>,
        texts: Vec<Option<&'static str>>,
        times: Vec<Option<&'static str>>,
        flags: Vec<Option<bool>>,
        whole: Vec<Option<i64>>,
    }

    fn edges() -> Edges {
        let date = |y, m, d| date32_of(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap());
        Edges {
            dates: vec![
                Some(date(0, 1, 1)),
                Some(date(0, 1, 1) - 1),
                Some(date(9999, 12, 31)),
                Some(date(9999, 12, 31) + 1),
                None,
                Some(i32::MIN),
                Some(i32::MAX),
                Some(0),
                Some(date(2026, 11, 20)),
                Some(-800_000),
            ],
            money: vec![
                Some(12_345),
                Some(-1),
                None,
                Some(1 << 96),
                Some((1 << 96) - 1),
                Some(-(1 << 96) + 1),
                Some(-(1 << 96)),
                Some(0),
                Some(i128::MAX),
                Some(7),
            ],
            choices: vec![
                Some("market"),
                Some("市场原因"),
                None,
                Some("nope"),
                Some(""),
                Some("null"),
                Some(" market"),
                Some("other"),
                Some("~"),
                Some("MARKET"),
            ],
            texts: vec![
                Some("上海"),
                Some(""),
                Some("  "),
                None,
                Some("\u{3000}"),
                Some("x"),
                Some(" 北京 "),
                Some("null"),
                Some("\t"),
                Some("é"),
            ],
            times: vec![
                Some("09:30"),
                Some("9:30"),
                Some("24:00"),
                None,
                Some("null"),
                Some(""),
                Some("23:59:59"),
                Some("12:00:60"),
                Some(" 09:30"),
                Some("00:00"),
            ],
            flags: vec![
                Some(true),
                None,
                Some(false),
                Some(true),
                None,
                Some(false),
                Some(true),
                Some(true),
                Some(false),
                None,
            ],
            whole: vec![
                Some(1),
                None,
                Some(7),
                Some(i64::MIN),
                Some(0),
                None,
                Some(3),
                Some(8),
                Some(-1),
                Some(i64::MAX),
            ],
        }
    }

    /// The first `n` of `values`, cycling.
    fn take<T: Clone>(values: &[T], n: usize) -> Vec<T> {
        values.iter().cycle().take(n).cloned().collect()
    }

    fn dates(e: &Edges, n: usize) -> ArrayRef {
        Arc::new(Date32Array::from(take(&e.dates, n)))
    }

    fn money(e: &Edges, n: usize) -> ArrayRef {
        Arc::new(
            Decimal128Array::from(take(&e.money, n))
                .with_precision_and_scale(38, 2)
                .unwrap(),
        )
    }

    fn texts(values: &[Option<&str>], n: usize) -> ArrayRef {
        Arc::new(StringArray::from(take(values, n)))
    }

    /// `texts` as string views, the layout a Parquet book's text is read in.
    fn views(values: &[Option<&str>], n: usize) -> ArrayRef {
        Arc::new(StringViewArray::from(take(values, n)))
    }

    /// Ten lists over twelve records: a null list (spanning a record), an empty one, a null
    /// record, and records with null fields, required and optional.
    fn lists(children: Vec<(&str, ArrayRef)>) -> ArrayRef {
        let fields: Fields = children
            .iter()
            .map(|(name, array)| ArrowField::new(*name, array.data_type().clone(), true))
            .collect();
        let mut records = vec![true; 12];
        records[4] = false;
        let records = StructArray::new(
            fields.clone(),
            children.into_iter().map(|(_, array)| array).collect(),
            Some(NullBuffer::from(records)),
        );
        let mut lists = vec![true; 10];
        lists[3] = false;
        let item = Arc::new(ArrowField::new("item", DataType::Struct(fields), true));
        Arc::new(ListArray::new(
            item,
            OffsetBuffer::new(vec![0, 1, 1, 3, 4, 5, 7, 8, 9, 11, 12].into()),
            Arc::new(records),
            Some(NullBuffer::from(lists)),
        ))
    }

    /// Ten rows of the retail schema's fields, a column of each kind.
    fn batch() -> RecordBatch {
        let e = edges();
        let mut stop = StringDictionaryBuilder::<Int32Type>::new();
        for choice in take(&e.choices, 10) {
            match choice {
                Some(choice) => stop.append_value(choice),
                None => stop.append_null(),
            }
        }
        let flags = |n| -> ArrayRef { Arc::new(BooleanArray::from(take(&e.flags, n))) };
        let columns: Vec<(&str, ArrayRef)> = vec![
            ("matured_on", dates(&e, 10)),
            ("oldest_unpaid_due_date", dates(&e, 10)),
            ("collateral_value", money(&e, 10)),
            ("principal_outstanding", money(&e, 10)),
            ("stop_reason", Arc::new(stop.finish())),
            ("operating_status", texts(&e.choices, 10)),
            ("region", texts(&e.texts, 10)),
            ("borrower_id", texts(&e.texts, 10)),
            ("borrower", views(&e.texts, 10)),
            ("currency", views(&e.texts, 10)),
            ("next_contact_at", texts(&e.times, 10)),
            ("has_assets", flags(10)),
            ("represented_by_lawyer", flags(10)),
            (
                "rest_days",
                lists(vec![(
                    "weekday",
                    Arc::new(Int64Array::from(take(&e.whole, 12))),
                )]),
            ),
            (
                "emergency_contacts",
                lists(vec![("relation", views(&e.texts, 12))]),
            ),
            (
                "contacts",
                lists(vec![
                    ("on", dates(&e, 12)),
                    ("channel", texts(&e.choices, 12)),
                    ("at", texts(&e.times, 12)),
                ]),
            ),
            (
                "promises",
                lists(vec![
                    ("due_on", dates(&e, 12)),
                    ("amount", money(&e, 12)),
                    ("kept", flags(12)),
                ]),
            ),
        ];
        RecordBatch::try_from_iter(columns).unwrap()
    }

    #[test]
    fn a_column_vouches_for_exactly_the_rows_the_row_path_stores_as_missing() {
        let batch = batch();
        let schema = &*RETAIL;
        let plan = Plan::new(&batch, schema);
        let (mut vouched_for, mut not) = (0, 0);
        for column in &plan.columns {
            assert!(column.slot.is_some(), "{} is a field", column.name);
            assert!(!matches!(column.how, Typed::No), "{} is typed", column.name);
            let vouched = column.vouch(schema);
            assert_eq!(vouched.len(), batch.num_rows(), "{}", column.name);
            for (row, vouched) in vouched.iter().enumerate() {
                let null = column.nulls.as_ref().is_some_and(|n| n.is_null(row));
                let row_path = (column.missing_allowed && null)
                    || exact_value(&column.how, row, schema, false).is_some();
                assert_eq!(*vouched, row_path, "{} row {row}", column.name);
                vouched_for += usize::from(*vouched);
                not += usize::from(!*vouched);
            }
        }
        assert!(vouched_for > 50, "only {vouched_for} values vouched for");
        assert!(not > 50, "only {not} values left to the row path");
    }

    #[test]
    fn the_four_digit_years_are_the_dates_of_years_0_to_9999() {
        let day = |y, m, d| date32_of(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap());
        assert_eq!(
            FOUR_DIGIT_YEARS,
            std::ops::RangeInclusive::new(day(0, 1, 1), day(9999, 12, 31))
        );
    }

    #[test]
    fn a_parquet_book_is_read_with_its_text_as_views_and_its_dictionaries_kept() {
        let batch = batch();
        let mut out = Vec::new();
        let mut writer =
            parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), None).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        let bytes = bytes::Bytes::from(out);
        let size = bytes.len() as u64;
        // The batch has a column of each kind, not every field: the others may be missing.
        let mut schema = RETAIL.clone();
        for field in &mut schema.fields {
            field.optional = true;
        }
        let mut rows = ArrowRows::parquet(bytes, size, &schema).unwrap();
        let (read, _) = rows.next_row().unwrap().unwrap();
        let types = |name: &str| read.batch.column_by_name(name).unwrap().data_type().clone();
        for text in ["region", "borrower_id", "borrower", "next_contact_at"] {
            assert_eq!(types(text), DataType::Utf8View, "{text}");
        }
        assert!(matches!(types("stop_reason"), DataType::Dictionary(..)));
        let DataType::List(item) = types("emergency_contacts") else {
            panic!("emergency_contacts is a list");
        };
        let DataType::Struct(fields) = item.data_type() else {
            panic!("emergency_contacts holds records");
        };
        assert_eq!(fields[0].data_type(), &DataType::Utf8View);
        // Every row loads as the same batch written as string arrays loads.
        let written = Batch {
            batch,
            plan: OnceLock::new(),
        };
        for row in 0..written.batch.num_rows() {
            let at = Origin {
                file: "book.parquet",
                number: row as u64 + 1,
                line: None,
            };
            let load = |batch: &Batch| {
                let mut unknown = UnknownFields::default();
                let loaded = batch.load(row, &schema, None, &at, &mut unknown);
                format!("{loaded:?}")
            };
            assert_eq!(load(&read), load(&written), "row {row}");
        }
    }
}
