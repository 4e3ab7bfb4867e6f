//! Writes a JSON Lines book as Parquet or Arrow IPC, each column typed as the loan schema says:
//! money as decimal128(18, 2), dates as date32, yes/no as booleans, whole numbers and days as
//! int64, enumerations as dictionary-encoded strings, lists as `list<struct>`, the rest as
//! strings. For the tests and the benches (a sample book in the warehouse's format).
//!
//! `cargo run --release --example to_parquet -- POLICY BOOK.jsonl OUT.parquet|OUT.arrow`
//! `tests/cli/columnar.rs` includes this file for its converter.

#![allow(
    clippy::expect_used,
    clippy::print_stderr,
    clippy::indexing_slicing,
    reason = "a one-shot converter"
)]

use std::path::Path;
use std::sync::Arc;

use arrears::{Field, FieldType};
use arrow_array::builder::StringDictionaryBuilder;
use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Decimal128Array, Int64Array, ListArray, RecordBatch,
    StringArray, StructArray,
};
use arrow_schema::{DataType, Field as ArrowField, Fields, Schema as ArrowSchema};
use serde_json::Value;

#[allow(
    dead_code,
    reason = "the tests include this file for its converter, not its main"
)]
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, policy, book, out] = args.as_slice() else {
        eprintln!("usage: to_parquet POLICY BOOK.jsonl OUT.parquet|OUT.arrow");
        std::process::exit(2);
    };
    let loaded = match arrears::load_policy(Path::new(policy)) {
        Ok(loaded) => loaded,
        Err(error) => {
            eprintln!("{policy}: {error:?}");
            std::process::exit(2);
        }
    };
    let fields = &loaded.program.schema().fields;
    if out.ends_with(".arrow") {
        let text = std::fs::read_to_string(book).unwrap_or_else(|e| {
            eprintln!("{book}: {e}");
            std::process::exit(2);
        });
        let rows: Vec<Value> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or(Value::Null))
            .collect();
        if let Err(e) = std::fs::write(out, to_arrow_ipc(&rows, fields)) {
            eprintln!("{out}: {e}");
            std::process::exit(2);
        }
    } else {
        stream_parquet(book, out, fields, 65_536);
    }
}

#[allow(
    dead_code,
    reason = "the tests include this file for its converter, not its main"
)]
/// Converts `book` to Parquet a row group at a time, so a book of ten million loans converts in
/// the memory of one group.
fn stream_parquet(book: &str, out: &str, fields: &[Field], group: usize) {
    use std::io::BufRead as _;
    let fail = |what: &str, e: &dyn std::fmt::Display| -> ! {
        eprintln!("{what}: {e}");
        std::process::exit(2);
    };
    let input = std::fs::File::open(book).unwrap_or_else(|e| fail(book, &e));
    let output = std::fs::File::create(out).unwrap_or_else(|e| fail(out, &e));
    let mut writer = parquet::arrow::ArrowWriter::try_new(
        std::io::BufWriter::new(output),
        batch(&[], fields).schema(),
        Some(properties(group)),
    )
    .unwrap_or_else(|e| fail(out, &e));
    let mut rows = Vec::with_capacity(group);
    let mut lines = std::io::BufReader::new(input).lines();
    loop {
        let line = lines.next().transpose().unwrap_or_else(|e| fail(book, &e));
        if let Some(line) = &line
            && !line.trim().is_empty()
        {
            rows.push(serde_json::from_str(line).unwrap_or(Value::Null));
        }
        if rows.len() == group || (line.is_none() && !rows.is_empty()) {
            writer
                .write(&batch(&rows, fields))
                .unwrap_or_else(|e| fail(out, &e));
            rows.clear();
        }
        if line.is_none() {
            break;
        }
    }
    writer.close().unwrap_or_else(|e| fail(out, &e));
}

/// Snappy-compressed row groups of `group` rows.
fn properties(group: usize) -> parquet::file::properties::WriterProperties {
    parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::SNAPPY)
        .set_max_row_group_size(group)
        .build()
}

/// The Arrow type a field's column gets.
pub(crate) fn column_type(field: &Field) -> DataType {
    match &field.ty {
        FieldType::Text | FieldType::Time => DataType::Utf8,
        FieldType::Enum(_) => {
            DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
        }
        FieldType::Bool => DataType::Boolean,
        FieldType::Integer | FieldType::Days => DataType::Int64,
        FieldType::Money => DataType::Decimal128(18, 2),
        FieldType::Date => DataType::Date32,
        FieldType::List(records) => DataType::List(Arc::new(ArrowField::new(
            "item",
            DataType::Struct(struct_fields(records)),
            true,
        ))),
    }
}

fn struct_fields(records: &[Field]) -> Fields {
    records
        .iter()
        .map(|r| ArrowField::new(&r.name, column_type(r), true))
        .collect()
}

/// `rows` (JSON objects) as one record batch with a column per field of `fields`.
pub(crate) fn batch(rows: &[Value], fields: &[Field]) -> RecordBatch {
    let columns: Vec<ArrayRef> = fields
        .iter()
        .map(|field| {
            let values: Vec<&Value> = rows
                .iter()
                .map(|r| r.get(&field.name).unwrap_or(&Value::Null))
                .collect();
            column(&values, field)
        })
        .collect();
    let schema = ArrowSchema::new(
        fields
            .iter()
            .map(|f| ArrowField::new(&f.name, column_type(f), true))
            .collect::<Vec<_>>(),
    );
    RecordBatch::try_new(Arc::new(schema), columns).expect("columns match the schema")
}

/// One column of `values`, typed as `field` says.
pub(crate) fn column(values: &[&Value], field: &Field) -> ArrayRef {
    let text = |v: &Value| match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    };
    match &field.ty {
        FieldType::Text | FieldType::Time => {
            Arc::new(values.iter().map(|v| text(v)).collect::<StringArray>())
        }
        FieldType::Enum(_) => {
            let mut builder = StringDictionaryBuilder::<Int32Type>::new();
            for v in values {
                match text(v) {
                    Some(s) => builder.append_value(s),
                    None => builder.append_null(),
                }
            }
            Arc::new(builder.finish())
        }
        FieldType::Bool => Arc::new(values.iter().map(|v| v.as_bool()).collect::<BooleanArray>()),
        FieldType::Integer | FieldType::Days => Arc::new(
            values
                .iter()
                .map(|v| text(v).and_then(|t| t.parse::<i64>().ok()))
                .collect::<Int64Array>(),
        ),
        FieldType::Money => {
            let cents = |v: &Value| {
                let text = text(v)?;
                let mut amount: rust_decimal::Decimal = text.parse().ok()?;
                amount.rescale(2);
                Some(amount.mantissa())
            };
            Arc::new(
                values
                    .iter()
                    .map(|v| cents(v))
                    .collect::<Decimal128Array>()
                    .with_precision_and_scale(18, 2)
                    .expect("decimal128(18, 2)"),
            )
        }
        FieldType::Date => {
            let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");
            let days = |v: &Value| {
                let date = chrono::NaiveDate::parse_from_str(&text(v)?, "%Y-%m-%d").ok()?;
                i32::try_from((date - epoch).num_days()).ok()
            };
            Arc::new(values.iter().map(|v| days(v)).collect::<Date32Array>())
        }
        FieldType::List(records) => {
            let mut flat: Vec<Value> = Vec::new();
            let mut offsets = vec![0i32];
            let mut valid = Vec::with_capacity(values.len());
            for v in values {
                let items = v.as_array().cloned().unwrap_or_default();
                valid.push(v.is_array());
                flat.extend(items);
                offsets.push(i32::try_from(flat.len()).expect("fewer than 2^31 records"));
            }
            let children: Vec<ArrayRef> = records
                .iter()
                .map(|r| {
                    let values: Vec<&Value> = flat
                        .iter()
                        .map(|item| item.get(&r.name).unwrap_or(&Value::Null))
                        .collect();
                    column(&values, r)
                })
                .collect();
            let structs = StructArray::new(struct_fields(records), children, None);
            let item = Arc::new(ArrowField::new(
                "item",
                DataType::Struct(struct_fields(records)),
                true,
            ));
            Arc::new(ListArray::new(
                item,
                arrow_buffer_offsets(offsets),
                Arc::new(structs),
                Some(arrow_buffer::NullBuffer::from(valid)),
            ))
        }
    }
}

fn arrow_buffer_offsets(offsets: Vec<i32>) -> arrow_buffer::OffsetBuffer<i32> {
    arrow_buffer::OffsetBuffer::new(offsets.into())
}

/// `rows` as a Parquet file (Snappy-compressed, `group` rows a row group).
#[allow(
    dead_code,
    reason = "the tests write their small books with it; main streams"
)]
pub(crate) fn to_parquet(rows: &[Value], fields: &[Field], group: usize) -> Vec<u8> {
    let first = batch(&rows[..0], fields);
    let mut out = Vec::new();
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(&mut out, first.schema(), Some(properties(group)))
            .expect("a Parquet writer");
    for chunk in rows.chunks(group.max(1)) {
        writer
            .write(&batch(chunk, fields))
            .expect("a batch written");
    }
    writer.close().expect("the file closed");
    out
}

/// `rows` as an Arrow IPC file.
pub(crate) fn to_arrow_ipc(rows: &[Value], fields: &[Field]) -> Vec<u8> {
    let first = batch(&rows[..0], fields);
    let mut out = Vec::new();
    {
        let mut writer = arrow_ipc::writer::FileWriter::try_new(&mut out, &first.schema())
            .expect("an IPC writer");
        for chunk in rows.chunks(65_536) {
            writer
                .write(&batch(chunk, fields))
                .expect("a batch written");
        }
        writer.finish().expect("the file finished");
    }
    out
}
